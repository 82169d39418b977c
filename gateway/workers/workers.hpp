// Background work: the outbox dispatcher (gateway/sms/dispatcher.hpp) and the scheduler, each a thread
// that wakes on an interval (or on demand) and stops promptly.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/sms/dispatcher.hpp"  // the outbox Dispatcher, one of the loops run here

namespace cg::gateway {

// Runs `work` every `interval` on its own thread, named `name` (at most 15 bytes, as `top -H` shows
// it), until stop(); `wake()` runs it sooner. A run that throws does not end the thread: it is
// logged, counted (`on_failure`, e.g. a metric) and the next run waits twice as long as the last,
// from `interval` up to kMaxBackoff, so a fault that repeats does not spin or flood the log.
class Periodic {
 public:
  static constexpr std::chrono::milliseconds kMaxBackoff{30'000};
  Periodic(std::string name, std::chrono::milliseconds interval,
           std::function<bool()> work,  // work: true = run again at once
           std::function<void(const std::string& name)> on_failure = {});
  ~Periodic();
  void start();
  void wake();
  void stop();
  // How many times `work` has finished: a test whose clock moves waits for the first run at start,
  // which would otherwise read the clock after the test had moved it.
  std::uint64_t runs() const { return runs_.load(std::memory_order_acquire); }

 private:
  void loop();
  std::string name_;
  std::chrono::milliseconds interval_;
  std::function<bool()> work_;
  std::function<void(const std::string&)> on_failure_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
  std::atomic<std::uint64_t> runs_{0};
};

}  // namespace cg::gateway
