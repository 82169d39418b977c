#include "gateway/workers/workers.hpp"

#include <pthread.h>

#include <algorithm>
#include <cstdio>

#include "adapters/observe/log.hpp"
#include "core/text.hpp"

namespace cg::gateway {

Periodic::Periodic(std::string name, std::chrono::milliseconds interval, std::function<bool()> work,
                   std::function<void(const std::string&)> on_failure)
    : name_(std::move(name)), interval_(interval), work_(std::move(work)), on_failure_(std::move(on_failure)) {}

Periodic::~Periodic() { stop(); }

void Periodic::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { loop(); });
  pthread_setname_np(thread_.native_handle(), name_.substr(0, 15).c_str());
}

void Periodic::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

void Periodic::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Periodic::loop() {
  std::chrono::milliseconds backoff{0};
  for (;;) {
    bool again = false;
    bool failed = false;
    std::string what;
    try {
      again = work_();
    } catch (const std::exception& e) {
      failed = true;
      what = e.what();
    } catch (...) {
      failed = true;
      what = "a non-standard exception";
    }
    std::chrono::milliseconds wait = interval_;
    if (failed) {
      backoff = std::min(kMaxBackoff, std::max(interval_, backoff * 2));
      wait = backoff;
      log::error("worker", "run failed; backing off",
                 {{"worker", name_}, {"error", what}, {"retry_in_ms", static_cast<long long>(wait.count())}});
      if (on_failure_) {
        try {
          on_failure_(name_);
        } catch (...) {
          // Counting must not end the loop it counts for.
        }
      }
    } else {
      backoff = std::chrono::milliseconds{0};
    }
    runs_.fetch_add(1, std::memory_order_release);
    std::unique_lock lock(mu_);
    if (stop_) return;
    if (again && !failed) continue;
    // A wake() does not cut a back-off short: a failing store would be hit at every request.
    if (failed)
      cv_.wait_for(lock, wait, [this] { return stop_; });
    else
      cv_.wait_for(lock, wait, [this] { return stop_ || woken_; });
    woken_ = false;
    if (stop_) return;
  }
}

}  // namespace cg::gateway
