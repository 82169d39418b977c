// The token bucket every HTTP sender spaces its requests with.
#include <gtest/gtest.h>

#include "adapters/sms/common/rate_limiter.hpp"

namespace cg::sms {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, SpacesMessagesByTheRateAndAllowsTheBurst) {
  RateLimiter limiter(10, 3);  // 100 ms apart, 3 at once after a pause
  auto t0 = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_EQ(limiter.try_acquire(t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0), std::chrono::milliseconds(100));  // the 4th waits one interval
  EXPECT_EQ(limiter.try_acquire(t0 + 50ms), std::chrono::milliseconds(50));
  EXPECT_EQ(limiter.try_acquire(t0 + 100ms), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0 + 100ms), std::chrono::milliseconds(100));
  // Over a long run exactly `rate` per second get through, however the calls are spread.
  int granted = 0;
  for (auto t = t0 + 1s; t < t0 + 11s; t += 7ms)
    if (limiter.try_acquire(t) == RateLimiter::Clock::duration::zero()) ++granted;
  EXPECT_GE(granted, 100);
  EXPECT_LE(granted, 100 + 3);
}

TEST(RateLimiter, ZeroMeansNoLimit) {
  RateLimiter limiter(0);
  auto t0 = RateLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.try_acquire(t0), RateLimiter::Clock::duration::zero());
  EXPECT_FALSE(limiter.limited());
}

}  // namespace
}  // namespace cg::sms
