#include "gateway/sms/senders.hpp"

#include "adapters/sms/file/file_sender.hpp"
#include "adapters/sms/infobip/outbound.hpp"
#include "adapters/sms/kannel/outbound.hpp"
#include "adapters/sms/twilio/outbound.hpp"

namespace cg::gateway {
namespace {

sms::HttpSenderSettings sender_settings(const SmsProviderConfig& p) {
  sms::HttpSenderSettings s;
  s.name = p.name;
  s.http.timeout = p.timeout;
  s.http.connect_timeout = p.connect_timeout;
  s.http.max_in_flight = static_cast<std::size_t>(p.max_in_flight);
  s.rate_per_second = p.rate_per_second;
  s.burst = p.burst;
  return s;
}

}  // namespace

Result<std::vector<std::unique_ptr<sms::Sender>>> make_senders(const Config& config) {
  std::vector<std::unique_ptr<sms::Sender>> out;
  // A Config built in code rather than parsed may name no provider: the embedded default then,
  // as parse_config would have made it.
  SmsConfig defaulted = config.sms;
  if (defaulted.providers.empty()) {
    if (auto f = validate_sms_config(defaulted, config.outbox.file.path))
      return make_error("invalid_config", f->key + ": " + f->what);
  }
  for (const auto& p : defaulted.providers) {
    if (p.kind == "kannel") {
      sms::kannel::Settings s;
      s.sender = sender_settings(p);
      s.base_url = p.base_url;
      s.username = p.username;
      s.password = p.password;
      s.from = p.from;
      s.smsc = p.smsc;
      s.dlr_mask = p.dlr_mask;
      s.dlr_url = config.public_base_url + kKannelStatusPath;
      s.dlr_key = p.dlr_key;
      out.push_back(std::make_unique<sms::kannel::KannelSender>(std::move(s)));
    } else if (p.kind == "twilio") {
      sms::twilio::Settings s;
      s.sender = sender_settings(p);
      s.base_url = p.base_url;
      s.account_sid = p.account_sid;
      s.auth_token = p.auth_token;
      s.from = p.from;
      s.messaging_service_sid = p.messaging_service_sid;
      s.status_callback = config.public_base_url + kTwilioStatusPath;
      out.push_back(std::make_unique<sms::twilio::TwilioSender>(std::move(s)));
    } else if (p.kind == "infobip") {
      sms::infobip::Settings s;
      s.sender = sender_settings(p);
      s.base_url = p.base_url;
      s.api_key = p.api_key;
      s.from = p.from;
      s.notify_url = config.public_base_url + kInfobipStatusPath;
      out.push_back(std::make_unique<sms::infobip::InfobipSender>(std::move(s)));
    } else if (p.kind == "file") {
      auto f = sms::FileSender::open(p.path, p.name);
      if (!f) return f.error();
      out.push_back(std::move(*f));
    } else {
      return make_error("invalid_config", "sms.providers: '" + p.kind + "' is not a known provider kind");
    }
  }
  return out;
}

}  // namespace cg::gateway
