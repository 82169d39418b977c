// The console Overview's store reads at the size the console must serve in under 100 ms p95:
// 1,000 courses, 100,000 applications (a tenth awaiting payment) and 1,000,000 outbox rows (1% failed),
// seeded straight through the store's Tx, then console::overview() read `--rounds` times.
//
//   bench_console_overview [--db PATH] [--rounds N] [--courses N] [--applications N] [--outbox N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "adapters/store/sqlite/sqlite_store.hpp"
#include "gateway/console/overview.hpp"

namespace {

using namespace cg;
using Clock = std::chrono::steady_clock;

long arg(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::stol(argv[i + 1]);
  return fallback;
}

int fail(const Error& e) {
  std::fprintf(stderr, "bench_console_overview: %s\n", e.message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = "/tmp/cg-bench-console-overview.db";
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--db") == 0) path = argv[i + 1];
  const long rounds = arg(argc, argv, "--rounds", 200);
  const long courses = arg(argc, argv, "--courses", 1000);
  const long applications = arg(argc, argv, "--applications", 100'000);
  const long outbox = arg(argc, argv, "--outbox", 1'000'000);
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  auto store = store::open_sqlite({.path = path, .readers = 2, .max_batch = 512, .synchronous_full = false});
  if (!store) return fail(store.error());
  const core::Instant now{std::chrono::seconds{1'800'000'000}};
  auto seeded_at = Clock::now();

  // Courses, with tallies that match the applications below.
  std::vector<core::Course> made;
  Status s = (*store)->write_sync([&](store::Tx& tx) -> Status {
    for (long i = 0; i < courses; ++i) {
      core::Course c;
      c.code = "C" + std::to_string(i);
      c.title = {"دورة " + std::to_string(i), "Course " + std::to_string(i)};
      c.location = "Amman";
      c.start_at = now + std::chrono::hours(1 + i % 400);
      c.end_at = c.start_at + std::chrono::hours(72);
      c.decision_at = c.start_at;
      c.min_participants = 20;
      c.capacity = 200;
      c.fee = core::Fils{i % 2 ? 5000 : 0};
      c.evaluation_url = "https://amman.jo/eval";
      auto id = tx.insert_course(c);
      if (!id) return id.error();
      c.id = *id;
      made.push_back(c);
    }
    return ok_status();
  });
  if (!s) return fail(s.error());
  // Applications in batches of 10,000 per transaction.
  for (long done = 0; done < applications;) {
    s = (*store)->write_sync([&](store::Tx& tx) -> Status {
      for (long k = 0; k < 10'000 && done < applications; ++k, ++done) {
        core::Course& c = made[static_cast<std::size_t>(done % courses)];
        core::Application a;
        char id[32];
        std::snprintf(id, sizeof id, "a%012ld", done);
        a.id = id;
        a.course_id = c.id;
        a.seq = done + 1;
        a.applicant = {"+9627" + std::to_string(90000000 + done), "Applicant", core::IdType::national_id,
                       std::to_string(9'000'000'000 + done),      "JO",        core::Language::ar};
        a.channel = "web";
        a.created_at = now - std::chrono::hours(24);
        a.updated_at = a.created_at;
        if (done % 10 == 0) {
          a.state = core::ApplicationState::awaiting_payment;
          a.bill = core::Bill{std::to_string(100'000'000 + done), core::Fils{5000}, a.created_at,
                              now + std::chrono::hours(done % 240)};
        } else {
          a.state = core::ApplicationState::awaiting_quorum;
        }
        c.tally[a.state] += 1;
        if (auto st = tx.insert_application(a); !st) return st;
      }
      return ok_status();
    });
    if (!s) return fail(s.error());
  }
  s = (*store)->write_sync([&](store::Tx& tx) -> Status {
    for (const auto& c : made)
      if (auto st = tx.save_course(c); !st) return st;
    return ok_status();
  });
  if (!s) return fail(s.error());
  // Outbox rows in batches of 20,000; the oldest 99% delivered, 1% failed spread over two days.
  std::vector<store::SendOutcome> outcomes;
  for (long done = 0; done < outbox;) {
    const long first = done;
    s = (*store)->write_sync([&](store::Tx& tx) -> Status {
      for (long k = 0; k < 20'000 && done < outbox; ++k, ++done) {
        store::OutboxMessage m;
        m.to = "+9627" + std::to_string(90000000 + done % 100'000);
        m.text = "تمت الموافقة على طلبك";
        m.template_name = "approved";
        m.step = "6.1";
        m.created_at = now - std::chrono::hours(48) + std::chrono::seconds(done % 172'800);
        m.next_attempt_at = m.created_at;
        if (auto id = tx.enqueue(m); !id) return id.error();
      }
      return ok_status();
    });
    if (!s) return fail(s.error());
    auto claimed = (*store)->claim_outbox(static_cast<std::size_t>(done - first), now, now + std::chrono::hours(1));
    if (!claimed) return fail(claimed.error());
    outcomes.clear();
    for (const auto& m : *claimed) {
      bool failed = m.id % 100 == 0;
      outcomes.push_back(store::SendOutcome{m.id,
                                            failed ? store::SendOutcome::Kind::failed : store::SendOutcome::Kind::sent,
                                            "kannel",
                                            failed ? "" : "m" + std::to_string(m.id),
                                            failed ? "rejected" : "",
                                            m.created_at,
                                            {}});
    }
    if (auto r = (*store)->record_send_outcomes(outcomes, {}); !r) return fail(r.error());
  }
  const double seed_s = std::chrono::duration<double>(Clock::now() - seeded_at).count();

  std::vector<double> ms;
  std::size_t bytes = 0;
  for (long r = 0; r < rounds; ++r) {
    auto t = Clock::now();
    auto o = gateway::console::overview(**store, now);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
    if (!o) return fail(o.error());
    bytes = o->dump().size();
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))]; };
  std::printf(
      "overview: %ld courses, %ld applications, %ld outbox rows (seeded in %.1f s); %ld rounds: p50 %.2f ms, "
      "p95 %.2f ms, max %.2f ms; answer %zu bytes\n",
      courses, applications, outbox, seed_s, rounds, pct(0.5), pct(0.95), ms.back(), bytes);
  (*store)->close();
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return 0;
}
