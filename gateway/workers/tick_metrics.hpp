// The scheduler's figures: how late each tick started (course_gateway_scheduler_lag_seconds), how
// long it ran, and when the last one finished, which an alert compares with time() to notice a
// scheduler that stopped altogether (a stalled loop reports no lag).
#pragma once

#include <chrono>

namespace cg::gateway {

// One tick, timed from construction to destruction; a tick that throws is not counted as finished.
class ScheduledTick {
 public:
  explicit ScheduledTick(std::chrono::milliseconds interval);
  ~ScheduledTick();
  ScheduledTick(const ScheduledTick&) = delete;
  ScheduledTick& operator=(const ScheduledTick&) = delete;

 private:
  std::chrono::steady_clock::time_point started_;
  int uncaught_;
};

}  // namespace cg::gateway
