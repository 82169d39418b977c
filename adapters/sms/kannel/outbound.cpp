#include "adapters/sms/kannel/outbound.hpp"

#include "core/sms.hpp"

namespace cg::sms::kannel {
namespace {

Redactor redactor_for(const Settings& s) {
  Redactor r;
  r.add_secret(s.password);
  r.add_secret(s.dlr_key);
  return r;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n')) s.remove_prefix(1);
  return std::string(s);
}

}  // namespace

KannelSender::KannelSender(Settings settings)
    : HttpSmsSender(settings.sender, redactor_for(settings)), s_(std::move(settings)) {}

std::string KannelSender::dlr_url_for(std::int64_t outbox_id) const {
  std::string url = s_.dlr_url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  // %d and %A are Kannel's escapes (report type, SMSC answer); they stay literal here.
  url += "id=" + std::to_string(outbox_id) + "&type=%d&reply=%A";
  if (!s_.dlr_key.empty()) url += "&key=" + percent_encode(s_.dlr_key);
  return url;
}

Result<HttpRequest> KannelSender::build(const store::OutboxMessage& m) const {
  auto to = e164_digits(m.to);
  if (!to) return make_error("invalid_number", "to: '" + m.to + "' is not an E.164 number");
  if (!core::is_valid_utf8(m.text)) return make_error("invalid_text", "text: not valid UTF-8");
  std::vector<std::pair<std::string, std::string>> q{{"username", s_.username}, {"password", s_.password},
                                                     {"from", s_.from},         {"to", *to},
                                                     {"text", m.text},          {"charset", "UTF-8"}};
  // Arabic (anything outside GSM 03.38) must go as UCS-2; smsbox converts the UTF-8 text.
  if (!core::is_gsm7(m.text)) q.emplace_back("coding", "2");
  if (!s_.smsc.empty()) q.emplace_back("smsc", s_.smsc);
  if (s_.dlr_mask > 0 && !s_.dlr_url.empty()) {
    q.emplace_back("dlr-mask", std::to_string(s_.dlr_mask));
    q.emplace_back("dlr-url", dlr_url_for(m.id));
  }
  HttpRequest rq;
  rq.method = "GET";
  rq.url = s_.base_url + "/cgi-bin/sendsms?" + form_body(q);
  return rq;
}

SendResult KannelSender::judge(const store::OutboxMessage&, const HttpResponse& r) const {
  const std::string body = trim(r.body);
  // 202 "0: Accepted for delivery", or "3: Queued for later delivery" while the SMSC is away:
  // either way smsbox has it and will deliver it; sending again would duplicate it.
  if (r.status >= 200 && r.status < 300) {
    if (body.rfind("0:", 0) == 0 || body.rfind("3:", 0) == 0) return SendResult{SendResult::Kind::accepted, "", ""};
    return SendResult{SendResult::Kind::temporary, "", "unexpected answer from sendsms: " + body};
  }
  return judge_failure(r, body);
}

}  // namespace cg::sms::kannel
