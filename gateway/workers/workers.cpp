#include "gateway/workers/workers.hpp"

#include <pthread.h>

namespace cg::gateway {

Periodic::Periodic(std::string name, std::chrono::milliseconds interval, std::function<bool()> work)
    : name_(std::move(name)), interval_(interval), work_(std::move(work)) {}

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
  for (;;) {
    bool again = work_();
    runs_.fetch_add(1, std::memory_order_release);
    std::unique_lock lock(mu_);
    if (stop_) return;
    if (again) continue;
    cv_.wait_for(lock, interval_, [this] { return stop_ || woken_; });
    woken_ = false;
    if (stop_) return;
  }
}

}  // namespace cg::gateway
