// What the HTTP SMS adapters (kannel, twilio, infobip) share: a batch becomes one request per
// message, sent at once through a pooled HttpClient under the provider's rate limit; each answer
// is judged by the provider's own rules, and the exchange is kept, redacted, for the channel log.
//
// Failure classes (the dispatcher retries temporary ones and fails over after several in a row):
// - no answer (connection refused, timeout, reset), 5xx, 429, 408: temporary;
// - 401 and 403: temporary too. They say our credentials or account are refused, which is the
//   provider's (or our configuration's) fault, not the message's: failing every message for good
//   because of an expired password would lose them all, while counting it against the provider
//   moves the traffic to the next one;
// - any other 4xx, and a number that is not E.164: permanent, with the reason.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/sms/common/http_client.hpp"
#include "adapters/sms/common/rate_limiter.hpp"
#include "adapters/sms/common/redact.hpp"
#include "adapters/sms/sender.hpp"
#include "core/result.hpp"

namespace cg::sms {

struct HttpSenderSettings {
  std::string name;  // the configured provider name
  HttpClientSettings http;
  double rate_per_second = 0;  // 0: no limit
  double burst = 0;            // messages at once after a pause; 0: a twentieth of a second's worth (at least 1)
};

// "+9627..." -> "9627..." when `e164` is '+' and 8 to 15 digits (ITU-T E.164); nullopt otherwise.
std::optional<std::string> e164_digits(std::string_view e164);

// The channel log's longest request or response text; the rest is cut with a marker.
inline constexpr std::size_t kMaxLogText = 4096;

class HttpSmsSender : public Sender {
 public:
  ~HttpSmsSender() override;
  std::string name() const override { return settings_.name; }
  std::vector<SendResult> send(std::span<const store::OutboxMessage> batch) override;
  // Each answer is judged and reported as it arrives (SendProgress::answered), before the request
  // that takes its place starts.
  void send_reporting(std::span<const store::OutboxMessage> batch, SendProgress& progress) override;

  RateLimiter& limiter() { return limiter_; }

 protected:
  HttpSmsSender(HttpSenderSettings settings, Redactor redactor);

  // The provider's request for one message, or a permanent reason it cannot be sent at all.
  virtual Result<HttpRequest> build(const store::OutboxMessage& m) const = 0;
  // The verdict on an answer with an HTTP status. Providers handle their 2xx (and any body codes
  // they know) and pass the rest to judge_failure.
  virtual SendResult judge(const store::OutboxMessage& m, const HttpResponse& r) const = 0;

  // The shared rules above for a non-2xx answer; `reason` is the provider's words for it.
  static SendResult judge_failure(const HttpResponse& r, const std::string& reason);

  const Redactor& redactor() const { return redactor_; }

 private:
  // The verdict on one exchange, with the exchange for the channel log.
  SendResult result_of(const store::OutboxMessage& m, const HttpRequest& rq, const HttpResponse& rs) const;
  std::unique_ptr<HttpClient> take_client();
  void give_back(std::unique_ptr<HttpClient> client);

  HttpSenderSettings settings_;
  Redactor redactor_;
  RateLimiter limiter_;
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<HttpClient>> pool_;  // idle clients with their open connections
};

}  // namespace cg::sms
