#include "adapters/sms/common/http_sms_sender.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace cg::sms {
namespace {

std::string cut(std::string text) {
  if (text.size() > kMaxLogText) {
    text.resize(core::text::cut_bytes(text, kMaxLogText).size());
    text += "\n[cut at " + std::to_string(kMaxLogText) + " bytes]";
  }
  return text;
}

double default_burst(const HttpSenderSettings& s) {
  if (s.burst >= 1) return s.burst;
  return std::max(1.0, s.rate_per_second / 20);
}

}  // namespace

std::optional<std::string> e164_digits(std::string_view e164) {
  if (e164.size() < 9 || e164.size() > 16 || e164.front() != '+' || e164[1] == '0') return std::nullopt;
  for (char c : e164.substr(1))
    if (c < '0' || c > '9') return std::nullopt;
  return std::string(e164.substr(1));
}

HttpSmsSender::HttpSmsSender(HttpSenderSettings settings, Redactor redactor)
    : settings_(std::move(settings)),
      redactor_(std::move(redactor)),
      limiter_(settings_.rate_per_second, default_burst(settings_), settings_.name) {}

HttpSmsSender::~HttpSmsSender() = default;

std::unique_ptr<HttpClient> HttpSmsSender::take_client() {
  std::lock_guard lock(pool_mu_);
  if (pool_.empty()) return std::make_unique<HttpClient>(settings_.http);
  auto c = std::move(pool_.back());
  pool_.pop_back();
  return c;
}

void HttpSmsSender::give_back(std::unique_ptr<HttpClient> client) {
  std::lock_guard lock(pool_mu_);
  pool_.push_back(std::move(client));
}

SendResult HttpSmsSender::judge_failure(const HttpResponse& r, const std::string& reason) {
  SendResult out;
  const std::string what = reason.empty() ? "" : ": " + reason;
  if (r.status == 0) {
    out.kind = SendResult::Kind::temporary;
    out.error = (r.timed_out ? "timed out" : "no answer") + (r.error.empty() ? "" : ": " + r.error);
  } else if (r.status >= 500 || r.status == 429 || r.status == 408) {
    out.kind = SendResult::Kind::temporary;
    out.error = "HTTP " + std::to_string(r.status) + what;
  } else if (r.status == 401 || r.status == 403) {
    out.kind = SendResult::Kind::temporary;
    out.error = "HTTP " + std::to_string(r.status) + " (our credentials were refused)" + what;
  } else {
    out.kind = SendResult::Kind::permanent;
    out.error = "HTTP " + std::to_string(r.status) + what;
  }
  return out;
}

std::vector<SendResult> HttpSmsSender::send(std::span<const store::OutboxMessage> batch) {
  std::vector<SendResult> results(batch.size());
  std::vector<HttpRequest> requests;
  std::vector<std::size_t> sent;  // index in batch of each request
  requests.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto rq = build(batch[i]);
    if (!rq) {
      results[i].kind = SendResult::Kind::permanent;
      results[i].error = rq.error().message;
      continue;
    }
    requests.push_back(std::move(*rq));
    sent.push_back(i);
  }
  std::vector<HttpResponse> responses;
  if (!requests.empty()) {
    auto client = take_client();
    responses = client->perform(requests, &limiter_);
    give_back(std::move(client));
  }
  for (std::size_t k = 0; k < sent.size(); ++k) {
    const HttpRequest& rq = requests[k];
    const HttpResponse& rs = responses[k];
    SendResult r;
    try {
      r = rs.status == 0 ? judge_failure(rs, "") : judge(batch[sent[k]], rs);
    } catch (const std::exception& e) {
      // An answer the adapter cannot read (a null where a string was expected, ...) says nothing
      // about the message: send it again later, and let the dispatcher carry on with the batch.
      r = SendResult{SendResult::Kind::temporary, "", std::string("unreadable answer: ") + e.what()};
    }
    // A message id is stored and matched against delivery reports: printable text only.
    if (r.kind == SendResult::Kind::accepted && !core::text::is_printable(r.provider_message_id))
      r = SendResult{SendResult::Kind::temporary, "", "the answer's message id holds a control character"};
    std::string req = rq.method + " " + rq.url + "\n";
    for (const auto& [n, v] : rq.headers) req += n + ": " + v + "\n";
    if (!rq.body.empty()) req += "\n" + rq.body;
    r.request_log = cut(redactor_(req));
    r.response_log = cut(
        redactor_(rs.status == 0 ? "no answer: " + rs.error : "HTTP " + std::to_string(rs.status) + "\n" + rs.body));
    r.error = redactor_(r.error);
    r.http_status = rs.status;
    r.elapsed = rs.elapsed;
    results[sent[k]] = std::move(r);
  }
  return results;
}

}  // namespace cg::sms
