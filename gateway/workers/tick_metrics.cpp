#include "gateway/workers/tick_metrics.hpp"

#include <atomic>
#include <cstdint>
#include <exception>

#include "adapters/observe/registry.hpp"

namespace cg::gateway {

namespace {

// When the previous tick ended (steady clock, nanoseconds; 0 before the first): Periodic starts the
// next one an interval after that, so anything later is lag.
std::atomic<std::int64_t> g_previous_end{0};

}  // namespace

ScheduledTick::ScheduledTick(std::chrono::milliseconds interval)
    : started_(std::chrono::steady_clock::now()), uncaught_(std::uncaught_exceptions()) {
  const auto previous = g_previous_end.load();
  if (previous == 0) return;
  const auto due = std::chrono::steady_clock::time_point(std::chrono::nanoseconds(previous)) + interval;
  const double lag = std::chrono::duration<double>(started_ - due).count();
  obs::registry()
      .gauge("course_gateway_scheduler_lag_seconds",
             "How much later than planned the last scheduler tick started (0 when on time).")
      .set(lag > 0 ? lag : 0);
}

ScheduledTick::~ScheduledTick() {
  const auto end = std::chrono::steady_clock::now();
  g_previous_end.store(std::chrono::duration_cast<std::chrono::nanoseconds>(end.time_since_epoch()).count());
  if (std::uncaught_exceptions() > uncaught_) return;
  obs::registry()
      .histogram("course_gateway_scheduler_tick_seconds", "How long scheduler ticks took.", obs::latency_buckets())
      .observe(std::chrono::duration<double>(end - started_).count());
  obs::registry()
      .gauge("course_gateway_scheduler_last_tick_timestamp_seconds",
             "When the last scheduler tick finished, in seconds since the Unix epoch.")
      .set(std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace cg::gateway
