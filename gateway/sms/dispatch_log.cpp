#include "gateway/sms/dispatch_log.hpp"

#include "adapters/observe/log.hpp"
#include "adapters/observe/registry.hpp"
#include "core/applicant.hpp"

namespace cg::gateway {

namespace {
constexpr const char* kFailoversHelp =
    "Times a provider was taken out of rotation after failover_after temporary failures in a row.";
constexpr const char* kRateLimitWaitsHelp = "Outbound messages that waited for a slot of their provider's rate limit.";

obs::Counter& outbound(std::string_view provider, std::string_view outcome) {
  return obs::registry().counter("course_gateway_sms_outbound_total",
                                 "Outbound SMS send attempts by provider and outcome (accepted, temporary, permanent; "
                                 "provider \"none\" for rows that reached no provider).",
                                 {{"provider", std::string(provider)}, {"outcome", std::string(outcome)}});
}
}  // namespace

void count_outbound(std::string_view provider, std::string_view outcome) { outbound(provider, outcome).inc(); }

ProviderCounts provider_counts(std::string_view provider) {
  const obs::Labels labels{{"provider", std::string(provider)}};
  return ProviderCounts{
      .accepted = outbound(provider, "accepted").value(),
      .temporary = outbound(provider, "temporary").value(),
      .permanent = outbound(provider, "permanent").value(),
      .failovers = obs::registry().counter("course_gateway_sms_failovers_total", kFailoversHelp, labels).value(),
      .rate_limit_waits =
          obs::registry().counter("course_gateway_sms_rate_limit_waits_total", kRateLimitWaitsHelp, labels).value()};
}

void log_exchange(const store::OutboxMessage& row, std::string_view provider, const sms::SendResult& r,
                  std::string_view outcome) {
  count_outbound(provider, outcome);
  obs::registry()
      .histogram("course_gateway_sms_provider_request_seconds",
                 "Time a provider took to answer one outbound SMS request, by provider.", obs::latency_buckets(),
                 {{"provider", std::string(provider)}})
      .observe(static_cast<double>(r.elapsed.count()) / 1000.0);
  const log::Level level = outcome == "accepted" ? log::Level::info : log::Level::warn;
  if (!log::enabled(level)) return;
  // The row's own request id, on this dispatcher thread: the id its cause was served under.
  log::RequestScope scope(row.request_id);
  // No message text (it may hold a name) and no whole number: the masked phone and the ids.
  log::write(level, "sms", "provider exchange",
             {{"outbox_id", row.id},
              {"provider", provider},
              {"outcome", outcome},
              {"http_status", r.http_status},
              {"elapsed_ms", static_cast<long long>(r.elapsed.count())},
              {"to", core::mask_phone(row.to)},
              {"template", row.template_name},
              {"provider_message_id", r.provider_message_id},
              {"error", r.error}});
}

void count_failover(std::string_view provider) {
  obs::registry()
      .counter("course_gateway_sms_failovers_total", kFailoversHelp, {{"provider", std::string(provider)}})
      .inc();
  set_provider_down(provider, true);
}

void register_provider(std::string_view provider) {
  const obs::Labels labels{{"provider", std::string(provider)}};
  obs::registry().counter("course_gateway_sms_failovers_total", kFailoversHelp, labels);
  obs::registry().counter("course_gateway_sms_rate_limit_waits_total", kRateLimitWaitsHelp, labels);
  obs::registry().counter("course_gateway_sms_rate_limit_wait_seconds_total",
                          "Time outbound messages spent waiting for their provider's rate limit.", labels);
  set_provider_down(provider, false);
}

void set_provider_down(std::string_view provider, bool down) {
  obs::registry()
      .gauge("course_gateway_sms_provider_down", "1 while an outbound provider is out of rotation (failed over).",
             {{"provider", std::string(provider)}})
      .set(down ? 1 : 0);
}

}  // namespace cg::gateway
