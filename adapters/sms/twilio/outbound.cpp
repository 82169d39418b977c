#include "adapters/sms/twilio/outbound.hpp"

#include <nlohmann/json.hpp>

#include "adapters/crypto/crypto.hpp"
#include "core/text.hpp"

namespace cg::sms::twilio {
namespace {

using nlohmann::json;

Redactor redactor_for(const Settings& s) {
  Redactor r;
  r.add_basic_auth(s.account_sid, s.auth_token);
  return r;
}

}  // namespace

TwilioSender::TwilioSender(Settings settings)
    : HttpSmsSender(settings.sender, redactor_for(settings)), s_(std::move(settings)) {}

Result<HttpRequest> TwilioSender::build(const store::OutboxMessage& m) const {
  if (!e164_digits(m.to)) return make_error("invalid_number", "to: '" + m.to + "' is not an E.164 number");
  std::vector<std::pair<std::string, std::string>> form{{"To", m.to}};
  if (!s_.messaging_service_sid.empty())
    form.emplace_back("MessagingServiceSid", s_.messaging_service_sid);
  else
    form.emplace_back("From", s_.from);
  form.emplace_back("Body", m.text);
  if (!s_.status_callback.empty()) form.emplace_back("StatusCallback", s_.status_callback);
  HttpRequest rq;
  rq.method = "POST";
  rq.url = s_.base_url + "/2010-04-01/Accounts/" + percent_encode(s_.account_sid) + "/Messages.json";
  rq.headers = {{"Authorization", "Basic " + crypto::base64_encode(s_.account_sid + ":" + s_.auth_token)},
                {"Content-Type", "application/x-www-form-urlencoded"},
                {"Accept", "application/json"}};
  rq.body = form_body(form);
  return rq;
}

SendResult TwilioSender::judge(const store::OutboxMessage&, const HttpResponse& r) const {
  json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (r.status >= 200 && r.status < 300) {
    if (j.is_object() && j.contains("sid") && j["sid"].is_string() && !j["sid"].get<std::string>().empty()) {
      // A message Twilio took and failed at once carries status "failed" with an error_code.
      std::string status = j.contains("status") && j["status"].is_string() ? j["status"].get<std::string>() : "";
      if (status == "failed" || status == "undelivered") {
        std::string code = j.contains("error_code") && !j["error_code"].is_null() ? j["error_code"].dump() : "";
        return SendResult{SendResult::Kind::permanent, "",
                          "Twilio status " + status + (code.empty() ? "" : " " + code)};
      }
      return SendResult{SendResult::Kind::accepted, j["sid"].get<std::string>(), ""};
    }
    return SendResult{SendResult::Kind::temporary, "", "2xx answer without a message sid"};
  }
  std::string reason;
  long long code = 0;
  if (j.is_object()) {
    if (j.contains("code") && j["code"].is_number_integer()) code = j["code"].get<long long>();
    std::string message = j.contains("message") && j["message"].is_string() ? j["message"].get<std::string>() : "";
    reason = (code ? "Twilio error " + std::to_string(code) + ": " : "") + message;
  } else {
    reason = std::string(core::text::cut_bytes(r.body, 200));
  }
  // Twilio's codes for a message no provider can deliver: unsubscribed, invalid or non-mobile number.
  if (code == 21610 || code == 21211 || code == 21614 || code == 21408)
    return SendResult{SendResult::Kind::permanent, "", "HTTP " + std::to_string(r.status) + ": " + reason};
  return judge_failure(r, reason);
}

}  // namespace cg::sms::twilio
