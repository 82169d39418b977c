#include "adapters/sms/common/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace cg::sms {

RateLimiter::RateLimiter(double per_second, double burst, std::string name)
    : name_(std::move(name)), per_second_(per_second) {
  if (per_second > 0) {
    interval_ = std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(1e9 / per_second)));
    tolerance_ = std::chrono::nanoseconds(
        static_cast<std::int64_t>((std::max(burst, 1.0) - 1) * static_cast<double>(interval_.count())));
  }
}

RateLimiter::Clock::duration RateLimiter::try_acquire(Clock::time_point now) {
  if (interval_.count() == 0) return Clock::duration::zero();
  std::lock_guard lock(mu_);
  Clock::time_point slot = std::max(tat_, now);
  if (slot - now > tolerance_) return std::chrono::duration_cast<Clock::duration>(slot - tolerance_ - now);
  tat_ = slot + interval_;
  return Clock::duration::zero();
}

}  // namespace cg::sms
