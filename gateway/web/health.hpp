// /healthz within its own deadline. The probe (Store::ping: a trivial read, and a one-row write
// while writes are failing) runs on a thread of its own, one at a time; requests that arrive while
// it runs wait for the next one. A store that does not answer by the deadline is "unavailable",
// answered without waiting for it: a load balancer must not hang on a stalled database.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "adapters/store/store.hpp"
#include "gateway/http/reader_pool.hpp"

namespace cg::gateway::web {

class HealthCheck {
 public:
  HealthCheck(store::Store& store, http::Deadlines& deadlines, std::chrono::milliseconds deadline);
  ~HealthCheck();  // stop()
  HealthCheck(const HealthCheck&) = delete;
  HealthCheck& operator=(const HealthCheck&) = delete;

  // 200 {"status":"ok"} or 503 {"status":"unavailable"}, within the deadline.
  void check(const http::Responder& respond);
  // Ends the probe thread after the probe running now. Idempotent.
  void stop();

  static http::Response ok();
  static http::Response unavailable();

 private:
  void run();

  store::Store& store_;
  http::Deadlines& deadlines_;
  const std::chrono::milliseconds deadline_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<http::Responder> waiting_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace cg::gateway::web
