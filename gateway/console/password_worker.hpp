// Argon2id takes tens of milliseconds and 64 MiB per password: too slow for an HTTP thread, which
// must not block (gateway/http/handler.hpp). One worker thread checks and hashes passwords in turn,
// so at most one hash's memory is in use; a full queue refuses more work instead of growing.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace cg::gateway::console {

class PasswordWorker {
 public:
  explicit PasswordWorker(std::size_t max_queued = 64);
  ~PasswordWorker();  // finishes what is queued
  PasswordWorker(const PasswordWorker&) = delete;
  PasswordWorker& operator=(const PasswordWorker&) = delete;

  // Runs `job` on the worker; false (and `job` not run) when the queue is full.
  bool post(std::function<void()> job);

 private:
  void run();

  const std::size_t max_queued_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cg::gateway::console
