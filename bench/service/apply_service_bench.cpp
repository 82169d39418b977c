// Applications per second through Service::apply on the SQLite store, without HTTP: the part of
// POST /v1/applications that the store's writer serialises. Each application is a new applicant
// on one open free course (card 6.1: confirmed, history line, approval SMS in the outbox), with a
// window of commands in flight like 64 HTTP connections.
//
//   bench_apply_service [--count N] [--window W] [--dir DIR]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench/common/service_on_sqlite.hpp"

using namespace cg;
using namespace cg::gateway;

namespace {

core::Applicant applicant(int n) {
  core::Applicant a;
  a.phone = "+9627" + std::to_string(90000000 + n);
  a.name = "Bench Applicant";
  a.id_type = core::IdType::national_id;
  a.id_number = std::to_string(9000000000LL + n);
  a.language = core::Language::en;
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 50'000, window = 64;
  std::string dir = "/tmp";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--count"))
      count = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--window"))
      window = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir"))
      dir = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s [--count N] [--window W] [--dir DIR]\n", argv[0]);
      return 2;
    }
  }
  const std::string path = dir + "/cg-apply-bench-" + std::to_string(::getpid()) + ".sqlite";
  auto opened = bench::open_service_on_sqlite(path);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message.c_str());
    return 1;
  }
  bench::ServiceOnSqlite& b = **opened;
  Service& service = *b.service;

  const core::Course draft =
      bench::course_draft("B1", {"دورة قياس الأداء", "Load benchmark course"}, "مركز الحسين الثقافي",
                          "2099-01-10T16:00:00+03:00", "2099-01-14T19:00:00+03:00", 1);
  auto course = bench::create_course_and_wait(service, draft);
  if (!course) {
    std::fprintf(stderr, "%s\n", course.error().message.c_str());
    return 1;
  }

  bench::InFlight in_flight(window);
  auto t0 = std::chrono::steady_clock::now();
  for (int n = 1; n <= count; ++n) {
    in_flight.enter();
    ApplyInput in;
    in.course_id = course->id;
    in.applicant = applicant(n);
    service.apply(std::move(in), [&](Result<ApplyOutput> r) {
      if (in_flight.leave(r.ok()) == 1 && !r) std::fprintf(stderr, "apply failed: %s\n", r.error().message.c_str());
    });
  }
  const int failed = in_flight.wait_for(count);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("applications: %d in %.2f s = %.0f/s (window %d), failed %d\n", count, seconds, count / seconds, window,
              failed);
  b.store->close();
  bench::remove_sqlite_files(path);
  return failed ? 1 : 0;
}
