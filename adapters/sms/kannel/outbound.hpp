// Kannel's sendsms (docs/providers.md, wire formats): GET {base}/cgi-bin/sendsms with username, password, from, to,
// text, charset=UTF-8, coding=2 (UCS-2) when the text is not GSM-7, dlr-mask and a dlr-url that
// brings the delivery reports back to /v1/sms/kannel/status with our outbox id and Kannel's %d.
// Kannel gives no message id; the outbox id in the dlr-url ties reports to the row.
#pragma once

#include <memory>
#include <string>

#include "adapters/sms/common/http_sms_sender.hpp"
#include "adapters/sms/kannel/status.hpp"

namespace cg::sms::kannel {

struct Settings {
  HttpSenderSettings sender;  // name, timeouts, rate
  std::string base_url;       // http://smsbox:13013 (no trailing slash)
  std::string username;
  std::string password;
  std::string from;            // sender id, as registered with the operators
  std::string smsc;            // optional: route through this smsc-id
  int dlr_mask = kDlrMaskAll;  // 0: ask for no reports
  // Where smsbox sends reports: {public_base_url}/v1/sms/kannel/status. `dlr_key` goes in it as
  // `key`, so the status route knows the call comes from our Kannel.
  std::string dlr_url;
  std::string dlr_key;
};

class KannelSender final : public HttpSmsSender {
 public:
  explicit KannelSender(Settings settings);

  // The dlr-url for one outbox row, before Kannel substitutes %d and %A.
  std::string dlr_url_for(std::int64_t outbox_id) const;

 protected:
  Result<HttpRequest> build(const store::OutboxMessage& m) const override;
  SendResult judge(const store::OutboxMessage& m, const HttpResponse& r) const override;

 private:
  Settings s_;
};

}  // namespace cg::sms::kannel
