// A background loop survives what its work throws: logged, counted, backed off, and run again.
#include "gateway/workers/workers.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gateway/metrics/metrics.hpp"

namespace cg::gateway {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(Periodic, AThrowingRunIsCountedBackedOffAndTheLoopGoesOn) {
  std::mutex mu;
  std::vector<Clock::time_point> runs;
  std::atomic<int> failures{0};
  Metrics metrics;
  Periodic loop(
      "cg-test", 20ms,
      [&]() -> bool {
        std::lock_guard lock(mu);
        runs.push_back(Clock::now());
        if (runs.size() == 1) throw std::runtime_error("status: type must be string, but is null\r\nforged");
        if (runs.size() <= 4) throw 42;  // not even a std::exception
        return false;
      },
      [&](const std::string& name) {
        ++failures;
        metrics.worker_failure(name);
      });
  loop.start();
  for (int i = 0; i < 400; ++i) {
    {
      std::lock_guard lock(mu);
      if (runs.size() >= 6) break;
    }
    std::this_thread::sleep_for(10ms);
  }
  loop.stop();
  std::lock_guard lock(mu);
  ASSERT_GE(runs.size(), 6u) << "the loop stopped after a run threw";
  EXPECT_EQ(failures.load(), 4);
  // Each wait after a failure doubles: 20, 40, 80, 160 ms.
  EXPECT_GE(runs[4] - runs[3], 150ms);
  EXPECT_GE(runs[3] - runs[2], 70ms);
  // After a good run the interval is back to 20 ms.
  EXPECT_LT(runs[5] - runs[4], 200ms);
  EXPECT_NE(metrics.render_requests().find("course_gateway_worker_failures_total{worker=\"cg-test\"} 4"),
            std::string::npos)
      << metrics.render_requests();
}

TEST(Periodic, WakeDoesNotCutABackOffShort) {
  std::atomic<int> runs{0};
  Periodic loop("cg-test", 200ms, [&]() -> bool {
    ++runs;
    throw std::runtime_error("store down");
  });
  loop.start();
  for (int i = 0; i < 100 && runs < 1; ++i) std::this_thread::sleep_for(5ms);
  for (int i = 0; i < 10; ++i) {
    loop.wake();
    std::this_thread::sleep_for(5ms);
  }
  loop.stop();
  EXPECT_EQ(runs.load(), 1);
}

}  // namespace
}  // namespace cg::gateway
