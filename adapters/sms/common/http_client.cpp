#include "adapters/sms/common/http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <thread>

#include "adapters/observe/registry.hpp"

namespace cg::sms {
namespace {

using Clock = std::chrono::steady_clock;

struct Transfer {
  HttpResponse* response = nullptr;
  std::size_t limit = 0;
  curl_slist* headers = nullptr;
  Clock::time_point started;
  char error[CURL_ERROR_SIZE] = {};
};

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  std::string& body = t->response->body;
  if (body.size() < t->limit) body.append(data, std::min(n, t->limit - body.size()));
  return n;
}

}  // namespace

struct HttpClient::Impl {
  HttpClientSettings settings;
  CURLM* multi = nullptr;
  std::vector<CURL*> idle;  // easy handles kept for the next request (their state, not connections)
};

HttpClient::HttpClient(HttpClientSettings settings) : impl_(new Impl) {
  static std::once_flag global_init;
  std::call_once(global_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->settings = settings;
  if (impl_->settings.max_in_flight == 0) impl_->settings.max_in_flight = 1;
  impl_->multi = curl_multi_init();
  const long n = static_cast<long>(impl_->settings.max_in_flight);
  // The multi handle owns the connection cache: connections survive from one batch to the next.
  curl_multi_setopt(impl_->multi, CURLMOPT_MAX_HOST_CONNECTIONS, n);
  curl_multi_setopt(impl_->multi, CURLMOPT_MAXCONNECTS, n);
}

HttpClient::~HttpClient() {
  for (CURL* e : impl_->idle) curl_easy_cleanup(e);
  curl_multi_cleanup(impl_->multi);
  delete impl_;
}

std::vector<HttpResponse> HttpClient::perform(std::span<const HttpRequest> requests, RateLimiter* limiter,
                                              const PerformHooks& hooks) {
  std::vector<HttpResponse> responses(requests.size());
  std::vector<Transfer> transfers(requests.size());
  const auto& s = impl_->settings;
  std::size_t next = 0, active = 0;

  auto start = [&](std::size_t i) {
    const HttpRequest& rq = requests[i];
    Transfer& t = transfers[i];
    t.response = &responses[i];
    t.limit = s.max_response_bytes;
    t.started = Clock::now();
    CURL* e = nullptr;
    if (!impl_->idle.empty()) {
      e = impl_->idle.back();
      impl_->idle.pop_back();
      curl_easy_reset(e);
    } else {
      e = curl_easy_init();
    }
    curl_easy_setopt(e, CURLOPT_URL, rq.url.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(s.timeout.count()));
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(s.connect_timeout.count()));
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error);
    if (rq.method == "POST") {
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq.body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(rq.body.size()));
    } else {
      curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    }
    // No "Expect: 100-continue" round trip before a body: providers answer at once.
    t.headers = curl_slist_append(nullptr, "Expect:");
    for (const auto& [name, value] : rq.headers)
      t.headers = curl_slist_append(t.headers, (name + ": " + value).c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
    curl_multi_add_handle(impl_->multi, e);
  };

  auto finish = [&](CURL* e, CURLcode rc) {
    Transfer* t = nullptr;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    HttpResponse& r = *t->response;
    r.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t->started);
    if (rc == CURLE_OK) {
      long code = 0;
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
      r.status = static_cast<int>(code);
    } else {
      r.status = 0;
      r.body.clear();
      r.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
      r.error = t->error[0] ? std::string(t->error) : std::string(curl_easy_strerror(rc));
    }
    curl_multi_remove_handle(impl_->multi, e);
    curl_slist_free_all(t->headers);
    t->headers = nullptr;
    impl_->idle.push_back(e);
  };

  std::vector<std::size_t> answered;
  // A message held back by the rate limit is counted once, with how long it waited for its slot.
  bool held = false;
  Clock::time_point held_since{};
  auto count_wait = [&](Clock::time_point now) {
    if (!held || !limiter) return;
    obs::Labels provider{{"provider", limiter->name()}};
    obs::registry()
        .counter("course_gateway_sms_rate_limit_waits_total",
                 "Outbound messages that waited for a slot of their provider's rate limit.", provider)
        .inc();
    obs::registry()
        .counter("course_gateway_sms_rate_limit_wait_seconds_total",
                 "Time outbound messages spent waiting for their provider's rate limit.", provider)
        .inc(std::chrono::duration<double>(now - held_since).count());
    held = false;
  };
  while (next < requests.size() || active > 0) {
    if (hooks.tick) hooks.tick();
    Clock::duration wait = Clock::duration::zero();
    while (next < requests.size() && active < s.max_in_flight) {
      if (hooks.may_start && !hooks.may_start(next)) {
        responses[next].skipped = true;
        responses[next].error = "not sent";
        ++next;
        continue;
      }
      if (limiter) {
        const auto now = Clock::now();
        wait = limiter->try_acquire(now);
        if (wait > Clock::duration::zero()) {
          if (!held) held_since = now;
          held = true;
          break;
        }
        count_wait(now);
      }
      start(next++);
      ++active;
    }
    int running = 0;
    curl_multi_perform(impl_->multi, &running);
    int queued = 0;
    answered.clear();
    while (CURLMsg* m = curl_multi_info_read(impl_->multi, &queued)) {
      if (m->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      answered.push_back(static_cast<std::size_t>(t - transfers.data()));
      finish(m->easy_handle, m->data.result);
      --active;
    }
    // Reported before the next request starts: the caller records them first.
    if (!answered.empty() && hooks.finished) hooks.finished(answered, responses);
    if (next >= requests.size() && active == 0) break;
    if (active == 0) {
      // In steps, so tick() keeps running under a slow rate limit.
      std::this_thread::sleep_for(std::min<Clock::duration>(wait, std::chrono::milliseconds(50)));
      continue;
    }
    // Wake for socket activity, or when the rate limit frees the next slot.
    auto cap = std::chrono::milliseconds(50);
    if (wait > Clock::duration::zero()) cap = std::min(cap, std::chrono::ceil<std::chrono::milliseconds>(wait));
    curl_multi_poll(impl_->multi, nullptr, 0, static_cast<int>(cap.count()), nullptr);
  }
  return responses;
}

}  // namespace cg::sms
