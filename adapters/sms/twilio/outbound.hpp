// Twilio's Messages API (docs/providers.md, wire formats): POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json,
// basic auth AccountSid:AuthToken, form To (E.164 with '+'), From or MessagingServiceSid, Body and
// StatusCallback (our /v1/sms/twilio/status). The answer's `sid` is the provider message id.
// Twilio errors come as JSON {"code","message","status"}: 21610 (the recipient unsubscribed, STOP)
// and 21211/21614 (not a valid or not a mobile number) are permanent; 429 is throttling (temporary).
#pragma once

#include <string>

#include "adapters/sms/common/http_sms_sender.hpp"

namespace cg::sms::twilio {

struct Settings {
  HttpSenderSettings sender;
  std::string base_url = "https://api.twilio.com";
  std::string account_sid;
  std::string auth_token;
  std::string from;                   // a Twilio number or alphanumeric sender id ...
  std::string messaging_service_sid;  // ... or a Messaging Service (then `from` may be empty)
  std::string status_callback;        // {public_base_url}/v1/sms/twilio/status
};

class TwilioSender final : public HttpSmsSender {
 public:
  explicit TwilioSender(Settings settings);

 protected:
  Result<HttpRequest> build(const store::OutboxMessage& m) const override;
  SendResult judge(const store::OutboxMessage& m, const HttpResponse& r) const override;

 private:
  Settings s_;
};

}  // namespace cg::sms::twilio
