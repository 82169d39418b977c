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

namespace {

// Collects every answer, for send().
class Collect final : public SendProgress {
 public:
  explicit Collect(std::size_t n) : results(n, SendResult{SendResult::Kind::temporary, "", "no result"}) {}
  void answered(std::span<const std::pair<std::size_t, SendResult>> got) override {
    for (const auto& [i, r] : got) results[i] = r;
  }
  std::vector<SendResult> results;
};

}  // namespace

std::vector<SendResult> HttpSmsSender::send(std::span<const store::OutboxMessage> batch) {
  Collect all(batch.size());
  send_reporting(batch, all);
  return std::move(all.results);
}

SendResult HttpSmsSender::result_of(const store::OutboxMessage& m, const HttpRequest& rq,
                                    const HttpResponse& rs) const {
  SendResult r;
  try {
    r = rs.status == 0 ? judge_failure(rs, "") : judge(m, rs);
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
  r.response_log =
      cut(redactor_(rs.status == 0 ? "no answer: " + rs.error : "HTTP " + std::to_string(rs.status) + "\n" + rs.body));
  r.error = redactor_(r.error);
  r.http_status = rs.status;
  r.elapsed = rs.elapsed;
  return r;
}

void HttpSmsSender::send_reporting(std::span<const store::OutboxMessage> batch, SendProgress& progress) {
  std::vector<HttpRequest> requests;
  std::vector<std::size_t> sent;  // index in batch of each request
  std::vector<std::pair<std::size_t, SendResult>> refused;
  requests.reserve(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    auto rq = build(batch[i]);
    if (!rq) {
      refused.emplace_back(i, SendResult{SendResult::Kind::permanent, "", rq.error().message});
      continue;
    }
    requests.push_back(std::move(*rq));
    sent.push_back(i);
  }
  // Nothing was handed over for these: no lease question.
  if (!refused.empty()) progress.answered(refused);
  if (requests.empty()) return;
  std::vector<std::pair<std::size_t, SendResult>> got;
  PerformHooks hooks;
  hooks.tick = [&] { progress.tick(); };
  hooks.may_start = [&](std::size_t k) { return progress.may_send(sent[k]); };
  hooks.finished = [&](std::span<const std::size_t> ks, std::span<const HttpResponse> responses) {
    got.clear();
    for (std::size_t k : ks) got.emplace_back(sent[k], result_of(batch[sent[k]], requests[k], responses[k]));
    progress.answered(got);
  };
  auto client = take_client();
  client->perform(requests, &limiter_, hooks);
  give_back(std::move(client));
}

}  // namespace cg::sms
