// The file adapter (adapters/sms/file/): appends each SMS to a JSON-lines file; the embedded default
// when sms.providers names no provider. Sends only.
#include "adapters/sms/file/file_sender.hpp"
#include "gateway/sms/providers.hpp"

namespace cg::gateway {
namespace {

std::optional<SmsConfigFault> check(SmsProviderConfig& p, const std::string&, const std::string& file_path) {
  if (p.path.empty()) p.path = file_path;
  return std::nullopt;
}

Result<std::unique_ptr<sms::Sender>> make_sender(const SmsProviderConfig& p, const Config&) {
  auto f = sms::FileSender::open(p.path, p.name);
  if (!f) return f.error();
  return std::unique_ptr<sms::Sender>(std::move(*f));
}

}  // namespace

SmsProvider file_provider() { return SmsProvider{"file", check, make_sender, std::nullopt, std::nullopt}; }

}  // namespace cg::gateway
