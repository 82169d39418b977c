// The outbox dispatcher (SPEC §6): claims due rows, sends them through the providers in
// order of preference, and records every outcome and every provider exchange in one transaction.
//
// - Each provider adapter sends a batch concurrently (libcurl multi, kept-alive connections) under
//   the provider's rate limit, which every dispatcher thread shares.
// - accepted -> sent, with the provider's message id. Permanent failure -> failed, reason kept.
//   Temporary failure -> pending again after base * 2^(attempt-1) (capped) plus up to
//   retry_jitter_percent of that at random; after max_attempts -> failed.
// - Failover: `failover_after` temporary failures in a row take a provider out; its batch's
//   temporary failures are re-sent at once through the next provider that is up, and later rows go
//   there too. After `failback_after`, one row tries the preferred provider again; if it is
//   accepted (or refused for good: the provider answers), the provider is back.
// - Test numbers: a row to a number of the console simulator's test range is completed here as
//   delivered by "simulator" (with a channel log line saying so) before any provider is chosen,
//   whatever put it in the outbox: no provider ever gets a request for it.
// - Send once: only pending/sending rows are claimed and take outcomes (store.hpp). Each answer
//   is recorded as it arrives, and a provider adapter hands no further message over until the
//   answers it reported are committed; so a crash (kill -9) can leave at most the provider's
//   requests in flight (max_in_flight) answered but unrecorded: after their lease those rows, and
//   only those, are sent again, unless a delivery report for one arrived meanwhile. The file
//   adapter sends none of them twice (it knows the ids in its file).
// - Leases: while a batch is out its lease is renewed every lease/3, and a row is handed over only
//   under a lease renewed less than lease/2 ago and still this claim's, so a slow batch keeps its
//   rows, and a row another dispatcher claimed (after this one stalled past the lease) is not sent
//   here. A retry or failed outcome of a row whose lease was lost changes nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/sms/sender.hpp"
#include "adapters/store/outbox_rules.hpp"
#include "adapters/store/store.hpp"
#include "gateway/app/clock.hpp"
#include "gateway/app/config.hpp"

namespace cg::gateway {

struct DispatchSettings {
  std::size_t batch = 200;
  std::chrono::seconds lease{60};
  int max_attempts = 8;
  int failover_after = 5;
  std::chrono::seconds failback_after{60};
  std::chrono::seconds retry_base{5};
  std::chrono::seconds retry_max{3600};
  int retry_jitter_percent = 25;
  std::vector<std::string> allowed_country_codes{"962"};  // a row to elsewhere fails: destination_not_allowed
  // The console simulator's numbers: their rows are completed as delivered by "simulator" and
  // never reach a provider (store::TestRange, outbox_rules.hpp).
  store::TestRange test_range;
};

DispatchSettings dispatch_settings(const Config& config);

class Dispatcher {
 public:
  // Uniform in [0, bound): the jitter's source (crypto::random_below unless a test fixes it).
  using Random = std::function<std::uint64_t(std::uint64_t bound)>;

  // `providers` in order of preference; they must outlive the dispatcher.
  Dispatcher(store::Store& store, std::vector<sms::Sender*> providers, DispatchSettings settings, const Clock& clock,
             Random random = {});

  // One pass: claim a batch, send, record. Returns how many rows it handled.
  Result<std::size_t> run_once();

  // The delay before retry number `attempt` (1-based), before jitter.
  std::chrono::seconds backoff(int attempt) const;

  struct ProviderState {
    std::string name;
    int consecutive_failures = 0;
    bool down = false;
    std::optional<core::Instant> last_failure;
  };
  std::vector<ProviderState> provider_states() const;

 private:
  struct Health {
    int consecutive = 0;
    bool down = false;
    bool probing = false;  // a row is out trying a down provider again
    std::optional<core::Instant> last_failure;
  };
  // Routing for one round: rows (indexes) per provider (index).
  std::vector<std::vector<std::size_t>> route(const std::vector<std::size_t>& rows,
                                              const std::vector<std::uint64_t>& tried, bool first_round,
                                              core::Instant now, std::vector<bool>& probe);
  void note(std::size_t provider, const sms::SendResult& r, bool probe, core::Instant now);
  class Batch;  // a claimed batch while it is out (dispatcher.cpp)
  // Completes the rows (indexes into the batch) to the console simulator's numbers, in one write.
  Status deliver_to_simulator(Batch& b, const std::vector<std::size_t>& rows, core::Instant now);

  store::Store& store_;
  std::vector<sms::Sender*> providers_;
  DispatchSettings settings_;
  const Clock& clock_;
  Random random_;
  mutable std::mutex mu_;  // health_, shared by dispatcher threads
  std::vector<Health> health_;
};

}  // namespace cg::gateway
