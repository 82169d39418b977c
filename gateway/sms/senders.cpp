#include "gateway/sms/senders.hpp"

#include "gateway/sms/providers.hpp"

namespace cg::gateway {

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
    const SmsProvider* provider = find_sending_provider(p.kind);
    if (!provider) return make_error("invalid_config", "sms.providers: '" + p.kind + "' is not a known provider kind");
    auto sender = provider->make_sender(p, config);
    if (!sender) return sender.error();
    out.push_back(std::move(*sender));
  }
  return out;
}

}  // namespace cg::gateway
