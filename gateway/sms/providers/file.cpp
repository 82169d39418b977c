// The file adapter (adapters/sms/file/): appends each SMS to a JSON-lines file; the embedded default
// when sms.providers names no provider. Sends only.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

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

// The file must be writable, or its directory when the file does not exist yet (writing nothing).
Result<std::string> probe(const SmsProviderConfig& p) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const bool exists = fs::exists(p.path, ec);
  fs::path target = exists ? fs::path(p.path) : fs::path(p.path).parent_path();
  if (target.empty()) target = ".";
  if (::access(target.c_str(), W_OK) != 0)
    return make_error("provider_check", target.string() + ": not writable: " + std::strerror(errno));
  return exists ? "appends to " + p.path : p.path + " does not exist yet; its directory is writable";
}

}  // namespace

SmsProvider file_provider() {
  SmsProvider provider{"file", check, make_sender, std::nullopt, std::nullopt};
  provider.probe = probe;
  return provider;
}

}  // namespace cg::gateway
