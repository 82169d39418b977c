// Infobip's SMS API (docs/providers.md, wire formats): POST {base}/sms/2/text/advanced, header Authorization: App
// <key>, JSON {"messages":[{"destinations":[{"to":"9627..."}],"from","text","notifyUrl","notifyContentType",
// "callbackData"}]}; the answer's messages[0].messageId is the provider message id. A message the
// answer already marks REJECTED (e.g. REJECTED_DESTINATION) is a permanent failure.
// callbackData carries our outbox id, so a report can be matched even before the id is recorded.
#pragma once

#include <string>

#include "adapters/sms/common/http_sms_sender.hpp"

namespace cg::sms::infobip {

struct Settings {
  HttpSenderSettings sender;
  std::string base_url;  // the account's own base URL, e.g. https://xxxxx.api.infobip.com
  std::string api_key;
  std::string from;
  std::string notify_url;  // {public_base_url}/v1/sms/infobip/status
};

class InfobipSender final : public HttpSmsSender {
 public:
  explicit InfobipSender(Settings settings);

 protected:
  Result<HttpRequest> build(const store::OutboxMessage& m) const override;
  SendResult judge(const store::OutboxMessage& m, const HttpResponse& r) const override;

 private:
  Settings s_;
};

}  // namespace cg::sms::infobip
