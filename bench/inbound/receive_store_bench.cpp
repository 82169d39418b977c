// Inbound SMS through ConversationService::receive on the SQLite store, without HTTP: the part of
// Kannel's inbound route that the store's writer serialises (deduplication record, session read
// and write, opt-out and course lookups, the reply in the outbox), durable (synchronous=FULL),
// with a window of messages in flight as that many Kannel connections would keep. Every message is
// "JOIN 101" from a new number, as in scripts/bench-inbound.sh.
//
// Besides messages per second it prints the CPU each of the store's threads spent per message
// (/proc/self/task), which moves far less from one minute to the next on a shared VM than a rate
// does: the figure to compare when changing the writer's path.
//
// --senders picks the order of the new numbers: `up` (+962790000000, +962790000001, ...), `down`
// (from +962799999999 down, as bench/inbound/kannel.lua sends them) or `random` (a fixed scattering
// over the 3 * 10^7 mobiles, as real traffic arrives). Each key the writer inserts lands at the
// right end, the left end or anywhere in its b-tree accordingly, and SQLite's cost differs.
//
//   bench_inbound_store [--count N] [--window W] [--dir DIR] [--senders up|down|random]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "bench/common/service_on_sqlite.hpp"
#include "gateway/sms/conversation.hpp"

using namespace cg;
using namespace cg::gateway;

namespace {

// CPU ticks (user + system) of this process's threads, summed by thread name.
std::map<std::string, long long> thread_ticks() {
  std::map<std::string, long long> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    std::getline(comm, name);
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
    auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::atoll(field.c_str());
      if (i == 15) stime = std::atoll(field.c_str());
    }
    out[name] += utime + stime;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int count = 200'000, window = 512;
  std::string dir = "/tmp";
  std::string senders = "up";
  constexpr const char* kUsage = "usage: %s [--count N] [--window W] [--dir DIR] [--senders up|down|random]\n";
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s wants a value\n", argv[i]);
      std::fprintf(stderr, kUsage, argv[0]);
      return 2;
    }
    if (!std::strcmp(argv[i], "--count"))
      count = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--window"))
      window = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--dir"))
      dir = argv[i + 1];
    else if (!std::strcmp(argv[i], "--senders"))
      senders = argv[i + 1];
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      std::fprintf(stderr, kUsage, argv[0]);
      return 2;
    }
  }
  if (count < 1 || count > 30'000'000 || window < 1) {
    std::fprintf(stderr, "--count wants 1 to 30000000 (distinct mobiles) and --window a positive number\n");
    return 2;
  }
  if (senders != "up" && senders != "down" && senders != "random") {
    std::fprintf(stderr, "--senders wants up, down or random, not '%s'\n", senders.c_str());
    return 2;
  }
  // Sender number s in [0, 3 * 10^7) of message n. For `random`, n * 7,919,993 mod 3 * 10^7 (the
  // multiplier shares no factor with 3 * 10^7, so the map is one-to-one: no sender repeats).
  constexpr std::int64_t kSenders = 30'000'000;
  auto sender_of = [&](std::int64_t n) -> std::int64_t {
    if (senders == "down") return kSenders - 1 - n;
    if (senders == "random") return n * 7'919'993 % kSenders;
    return n;
  };
  const std::string path = dir + "/cg-inbound-bench-" + std::to_string(::getpid()) + ".sqlite";
  auto opened = bench::open_service_on_sqlite(path);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().message.c_str());
    return 1;
  }
  bench::ServiceOnSqlite& b = **opened;
  ConversationService conversation(*b.store, *b.service, b.catalogue, b.config, b.clock);

  const core::Course draft =
      bench::course_draft("101", {"مهارات الحاسوب الأساسية واستخدام الإنترنت", "Basic Computer Skills"},
                          "مركز الحسين الثقافي", "2099-01-10T16:00:00+03:00", "2099-01-14T19:00:00+03:00", 3);
  if (auto course = bench::create_course_and_wait(*b.service, draft); !course) {
    std::fprintf(stderr, "%s\n", course.error().message.c_str());
    return 1;
  }

  bench::InFlight in_flight(window);
  std::atomic<int> unanswered = 0;
  const auto ticks0 = thread_ticks();
  const auto t0 = std::chrono::steady_clock::now();
  for (int n = 0; n < count; ++n) {
    in_flight.enter();
    char from[32];
    const std::int64_t s = sender_of(n);
    std::snprintf(from, sizeof from, "+9627%d%07d", static_cast<int>(7 + s / 10'000'000),
                  static_cast<int>(s % 10'000'000));
    conversation.receive(InboundSms{"kannel", "bench-" + std::to_string(n), from, "94123", "JOIN 101"},
                         [&](Result<InboundOutcome> r) {
                           if (r && (r->replies != 1 || r->duplicate)) ++unanswered;
                           if (in_flight.leave(r.ok()) == 1 && !r)
                             std::fprintf(stderr, "receive failed: %s\n", r.error().message.c_str());
                         });
  }
  const int failed = in_flight.wait_for(count);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto ticks1 = thread_ticks();
  std::printf(
      "inbound JOIN 101: %d in %.2f s = %.0f/s (window %d, senders %s), failed %d, without exactly one reply %d\n",
      count, seconds, count / seconds, window, senders.c_str(), failed, unanswered.load());
  const double us_per_tick = 1e6 / static_cast<double>(::sysconf(_SC_CLK_TCK));
  double total = 0;
  std::printf("CPU per message (us):");
  for (const auto& [name, t] : ticks1) {
    auto before = ticks0.find(name);
    const long long spent = t - (before == ticks0.end() ? 0 : before->second);
    if (spent <= 0) continue;
    const double us = static_cast<double>(spent) * us_per_tick / count;
    total += us;
    std::printf(" %s %.2f", name.c_str(), us);
  }
  std::printf(" | all %.2f\n", total);
  b.store->close();
  bench::remove_sqlite_files(path);
  return failed || unanswered ? 1 : 0;
}
