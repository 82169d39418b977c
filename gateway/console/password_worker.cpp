#include "gateway/console/password_worker.hpp"

#include <pthread.h>

namespace cg::gateway::console {

PasswordWorker::PasswordWorker(std::size_t max_queued) : max_queued_(max_queued) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "cg-passwords");
    run();
  });
}

PasswordWorker::~PasswordWorker() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
}

bool PasswordWorker::post(std::function<void()> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || jobs_.size() >= max_queued_) return false;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void PasswordWorker::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, nothing left
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace cg::gateway::console
