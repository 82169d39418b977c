// Background work: the outbox dispatcher and the scheduler, each a thread that wakes on an
// interval (or on demand) and stops promptly.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "adapters/sms/sender.hpp"
#include "adapters/store/store.hpp"
#include "gateway/clock.hpp"
#include "gateway/config.hpp"

namespace cg::gateway {

// Runs `work` every `interval` on its own thread until stop(); `wake()` runs it sooner.
class Periodic {
 public:
  Periodic(std::chrono::milliseconds interval, std::function<bool()> work);  // work: true = run again at once
  ~Periodic();
  void start();
  void wake();
  void stop();

 private:
  void loop();
  std::chrono::milliseconds interval_;
  std::function<bool()> work_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

// Sends due outbox rows through a Sender: accepted -> sent; temporary failure -> retried with
// exponential backoff and jitter up to max_attempts; permanent failure -> failed, reason kept.
class Dispatcher {
 public:
  Dispatcher(store::Store& store, sms::Sender& sender, const OutboxConfig& config, const Clock& clock);
  // One pass; returns how many rows it handled.
  Result<std::size_t> run_once();
  // The delay before retry number `attempt` (1-based), before jitter.
  static std::chrono::seconds backoff(int attempt);

 private:
  store::Store& store_;
  sms::Sender& sender_;
  const OutboxConfig& config_;
  const Clock& clock_;
};

}  // namespace cg::gateway
