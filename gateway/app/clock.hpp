// The one place the gateway reads the time; tests set it by hand (STYLE.md: userver's MockNowSet).
#pragma once

#include <atomic>
#include <chrono>

#include "core/time.hpp"

namespace cg::gateway {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual core::Instant now() const = 0;
};

class SystemClock final : public Clock {
 public:
  core::Instant now() const override {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(core::Instant start) : t_(start.time_since_epoch().count()) {}
  core::Instant now() const override { return core::Instant{std::chrono::seconds{t_.load()}}; }
  void set(core::Instant t) { t_.store(t.time_since_epoch().count()); }
  void advance(std::chrono::seconds d) { t_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> t_;
};

}  // namespace cg::gateway
