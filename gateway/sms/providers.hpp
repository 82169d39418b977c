// The SMS and USSD providers the gateway knows, one row each: the ONE place a provider is
// registered. A row says how to check its sms.providers entry, how to build its sender, and which
// inbound and delivery-report routes it serves; the provider's parsing, authentication and sending
// live in its adapter folder (adapters/sms/<provider>/, adapters/ussd/<provider>/), and the glue
// between the two in gateway/sms/providers/<provider>.cpp.
//
// Adding a provider touches: adapters/sms/<provider>/ (its adapter and CMakeLists.txt),
// gateway/sms/providers/<provider>.cpp (its row), the table in gateway/sms/providers.cpp, and
// gateway/sms/CMakeLists.txt (one source, one library). Inbound credentials that are not part of an
// sms.providers entry are read in the "inbound" section of gateway/app/config.{hpp,cpp}.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/sms/common/http_sms_sender.hpp"
#include "adapters/sms/sender.hpp"
#include "adapters/store/store.hpp"
#include "gateway/app/clock.hpp"
#include "gateway/app/config.hpp"
#include "gateway/http/router.hpp"
#include "gateway/sms/conversation.hpp"

namespace cg::gateway {

// What a provider's route handlers may use.
struct ProviderContext {
  ConversationService& conversation;
  store::Store& store;
  const Config& config;
  const Clock& clock;
};

struct ProviderRoute {
  std::vector<http::Method> methods;
  std::string_view path;
  http::Router::Head head = http::Router::Head::from_get;
  http::Handler (*handler)(const ProviderContext& ctx) = nullptr;
};

struct SmsProvider {
  std::string_view kind;  // sms.providers[].kind; the route's own name for an inbound-only provider
  // For kinds that send (null: receives only). Checks, and completes with defaults, one
  // sms.providers entry; `at` is its key path ("sms.providers[0]"), `file_path` outbox.file.path.
  std::optional<SmsConfigFault> (*check)(SmsProviderConfig& p, const std::string& at,
                                         const std::string& file_path) = nullptr;
  Result<std::unique_ptr<sms::Sender>> (*make_sender)(const SmsProviderConfig& p, const Config& config) = nullptr;
  std::optional<ProviderRoute> inbound;  // messages from applicants
  std::optional<ProviderRoute> status;   // delivery reports of what we sent
  // check-config --online: asks the provider whether it takes our credentials, sending nothing.
  // Ok: what it answered, for the operator ("account AC… is active"); an error says why not.
  Result<std::string> (*probe)(const SmsProviderConfig& p) = nullptr;
};

// Every provider, in the order their kinds are listed in config errors.
const std::vector<SmsProvider>& sms_providers();
// The provider that sends as `kind`, or null.
const SmsProvider* find_sending_provider(std::string_view kind);

// Puts one provider route on the router.
void add_provider_route(http::Router& router, const ProviderRoute& route, const ProviderContext& ctx);

// Shared by the rows.
sms::HttpSenderSettings http_sender_settings(const SmsProviderConfig& p);
// One request of a probe, with the provider's timeouts.
sms::HttpResponse probe_request(const SmsProviderConfig& p, sms::HttpRequest request);
// A probe's error for an answer it did not expect: no answer at all, or the status and the start of the body.
Error unexpected_answer(const sms::HttpResponse& r);
// A fault when `value` is empty: "<at>.<key> is required for kind <kind>".
std::optional<SmsConfigFault> require(const SmsProviderConfig& p, const std::string& at, const std::string& value,
                                      const char* key);

}  // namespace cg::gateway
