// What the outbox dispatcher tells the log and the metrics: one line per provider exchange under
// the request id of the row's cause (so the HTTP request that caused an SMS and the provider's answer
// share an id), outcomes per provider, failovers, and which providers are out.
#pragma once

#include <string>
#include <string_view>

#include "adapters/sms/sender.hpp"
#include "adapters/store/store.hpp"

namespace cg::gateway {

// `outcome`: accepted, temporary or permanent.
void log_exchange(const store::OutboxMessage& row, std::string_view provider, const sms::SendResult& r,
                  std::string_view outcome);
// Rows that never reached a provider (destination_not_allowed, given up after max_attempts).
void count_outbound(std::string_view provider, std::string_view outcome);
void count_failover(std::string_view provider);
// course_gateway_sms_provider_down{provider}: 1 while the provider is out of rotation.
void set_provider_down(std::string_view provider, bool down);
// What the process has counted for one provider since it started (the console's Messages page).
struct ProviderCounts {
  double accepted = 0;
  double temporary = 0;
  double permanent = 0;
  double failovers = 0;
  double rate_limit_waits = 0;
};
ProviderCounts provider_counts(std::string_view provider);
// A provider's series at zero from the start (down 0, no failover, no rate-limit wait), so rate()
// and the alerts see them before the first event.
void register_provider(std::string_view provider);

}  // namespace cg::gateway
