#include "gateway/web/health.hpp"

#include <pthread.h>

#include <cstdio>

#include "adapters/observe/log.hpp"

namespace cg::gateway::web {

HealthCheck::HealthCheck(store::Store& store, http::Deadlines& deadlines, std::chrono::milliseconds deadline)
    : store_(store), deadlines_(deadlines), deadline_(deadline) {
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "cg-healthz");
}

HealthCheck::~HealthCheck() { stop(); }

http::Response HealthCheck::ok() { return http::json_response(200, R"({"status":"ok"})"); }
http::Response HealthCheck::unavailable() { return http::json_response(503, R"({"status":"unavailable"})"); }

void HealthCheck::check(const http::Responder& respond) {
  const long long ms = deadline_.count();
  deadlines_.answer_by(respond, std::chrono::steady_clock::now() + deadline_, [ms] {
    log::error("healthz", "store unavailable: no answer within health.deadline_ms", {{"deadline_ms", ms}});
    return unavailable();
  });
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;  // the deadline answers it
    waiting_.push_back(respond);
  }
  cv_.notify_one();
}

void HealthCheck::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void HealthCheck::run() {
  for (;;) {
    std::vector<http::Responder> asking;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;  // whoever still waits gets the deadline's answer
      asking.swap(waiting_);
    }
    // One probe answers everyone who asked before it began.
    Status s = store_.ping();
    if (!s)  // The reason (host, port, database, file) is for operators' logs, not for whoever asks.
      log::error("healthz", "store unavailable", {{"error", s.error().message}});
    for (const auto& respond : asking) respond(s ? ok() : unavailable());
  }
}

}  // namespace cg::gateway::web
