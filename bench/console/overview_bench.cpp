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
#include "bench/console/seed.hpp"
#include "gateway/console/overview.hpp"

namespace {

using namespace cg;
using Clock = std::chrono::steady_clock;

int fail(const Error& e) {
  std::fprintf(stderr, "bench_console_overview: %s\n", e.message.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = "/tmp/cg-bench-console-overview.db";
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--db") == 0) path = argv[i + 1];
  const long rounds = bench::arg(argc, argv, "--rounds", 200);
  bench::SeedSizes sizes = bench::seed_sizes(argc, argv);
  sizes.payments = 0;  // the overview does not read them
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  auto store = store::open_sqlite({.path = path, .readers = 2, .max_batch = 512, .synchronous_full = false});
  if (!store) return fail(store.error());
  const core::Instant now{std::chrono::seconds{1'800'000'000}};
  auto seeded_at = Clock::now();
  auto seeded = bench::seed_console_store(**store, sizes, now);
  if (!seeded) return fail(seeded.error());
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
      sizes.courses, sizes.applications, sizes.outbox, seed_s, rounds, pct(0.5), pct(0.95), ms.back(), bytes);
  (*store)->close();
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return 0;
}
