// A per-provider send rate (messages per second), shared by every dispatcher thread that sends
// through that provider: the limit holds in total, not per thread.
//
// GCRA (the "virtual scheduling" form of a token bucket): each message is given the next slot on
// a theoretical timeline spaced 1/rate apart. A message may go when its slot is at most `burst`
// slots ahead of now. Because the timeline advances by exact intervals, a sender that wakes a
// little late catches up within the burst, so the long-run rate is the limit itself, not a bit
// under it. The time is a parameter, so tests need no sleeping.
#pragma once

#include <chrono>
#include <mutex>
#include <string>

namespace cg::sms {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // per_second <= 0: no limit. burst: how many messages may go at once after a quiet spell (>= 1).
  // `name`: the provider's, for the metrics of messages that waited for a slot.
  explicit RateLimiter(double per_second = 0, double burst = 1, std::string name = "");

  // Takes one slot if one is free at `now` and returns zero; otherwise takes nothing and returns
  // how long until one is.
  Clock::duration try_acquire(Clock::time_point now);

  bool limited() const { return interval_.count() > 0; }
  double per_second() const { return per_second_; }
  const std::string& name() const { return name_; }

 private:
  std::mutex mu_;
  std::string name_;
  double per_second_;
  std::chrono::nanoseconds interval_{0};
  std::chrono::nanoseconds tolerance_{0};  // (burst - 1) intervals
  Clock::time_point tat_{};                // theoretical arrival time of the next message
};

}  // namespace cg::sms
