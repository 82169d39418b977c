#include "gateway/sms/providers.hpp"

namespace cg::gateway {

// Each in gateway/sms/providers/<provider>.cpp.
SmsProvider kannel_provider();
SmsProvider twilio_provider();
SmsProvider infobip_provider();
SmsProvider file_provider();
SmsProvider africastalking_provider();

const std::vector<SmsProvider>& sms_providers() {
  // Explicit, not self-registered (STYLE.md: the linker drops objects nothing refers to).
  static const std::vector<SmsProvider> kProviders{kannel_provider(), twilio_provider(), infobip_provider(),
                                                   file_provider(), africastalking_provider()};
  return kProviders;
}

const SmsProvider* find_sending_provider(std::string_view kind) {
  for (const auto& p : sms_providers())
    if (p.kind == kind && p.make_sender) return &p;
  return nullptr;
}

void add_provider_route(http::Router& router, const ProviderRoute& route, const ProviderContext& ctx) {
  http::Handler handler = route.handler(ctx);
  for (http::Method m : route.methods) router.add(m, route.path, handler, route.head);
}

sms::HttpSenderSettings http_sender_settings(const SmsProviderConfig& p) {
  sms::HttpSenderSettings s;
  s.name = p.name;
  s.http.timeout = p.timeout;
  s.http.connect_timeout = p.connect_timeout;
  s.http.max_in_flight = static_cast<std::size_t>(p.max_in_flight);
  s.rate_per_second = p.rate_per_second;
  s.burst = p.burst;
  return s;
}

sms::HttpResponse probe_request(const SmsProviderConfig& p, sms::HttpRequest request) {
  sms::HttpClient client(http_sender_settings(p).http);
  return client.perform(std::span<const sms::HttpRequest>(&request, 1)).front();
}

Error unexpected_answer(const sms::HttpResponse& r) {
  if (r.status == 0) return make_error("provider_unreachable", "no answer: " + r.error);
  std::string body = r.body.substr(0, 200);
  for (char& c : body)
    if (c == '\n' || c == '\r') c = ' ';
  return make_error("provider_check", "HTTP " + std::to_string(r.status) + (body.empty() ? "" : ": " + body));
}

std::optional<SmsConfigFault> require(const SmsProviderConfig& p, const std::string& at, const std::string& value,
                                      const char* key) {
  if (value.empty()) return SmsConfigFault{at + "." + key, "is required for kind " + p.kind};
  return std::nullopt;
}

}  // namespace cg::gateway
