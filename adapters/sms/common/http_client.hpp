// The outbound HTTP of the SMS adapters: libcurl's multi interface runs a whole batch of requests
// at once over a bounded number of kept-alive connections, paced by the provider's RateLimiter.
// One HttpClient is not thread-safe; HttpSmsSender keeps a pool of them, one per sending thread,
// each keeping its connections open between batches.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "adapters/sms/common/rate_limiter.hpp"

namespace cg::sms {

struct HttpRequest {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;     // 0: no HTTP answer; see `error`
  std::string body;   // at most HttpClientSettings::max_response_bytes
  std::string error;  // libcurl's reason when status is 0
  bool timed_out = false;
  bool skipped = false;  // PerformHooks::may_start said no: the request was never made
  std::chrono::milliseconds elapsed{0};
};

// How a caller follows a batch while it runs (all called on the performing thread).
struct PerformHooks {
  std::function<void()> tick;                  // every round (at least every 50 ms), before requests start
  std::function<bool(std::size_t)> may_start;  // asked right before request i starts; false: skipped
  // Requests just answered (indexes into `responses`, which holds them complete), before any other starts.
  std::function<void(std::span<const std::size_t> answered, std::span<const HttpResponse> responses)> finished;
};

struct HttpClientSettings {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds timeout{15'000};   // a whole request
  std::size_t max_in_flight = 32;              // requests (and so connections) at once
  std::size_t max_response_bytes = 64 * 1024;  // a provider's answer is short; more is cut off
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientSettings settings);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Runs every request, at most max_in_flight at a time, starting each only when `limiter` (if any)
  // grants it a slot. One response per request, in order.
  std::vector<HttpResponse> perform(std::span<const HttpRequest> requests, RateLimiter* limiter = nullptr,
                                    const PerformHooks& hooks = {});

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace cg::sms
