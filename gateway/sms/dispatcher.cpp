#include "gateway/sms/dispatcher.hpp"

#include <algorithm>
#include <cstdio>

#include "adapters/crypto/crypto.hpp"
#include "adapters/observe/log.hpp"
#include "core/applicant.hpp"
#include "core/text.hpp"
#include "gateway/sms/dispatch_log.hpp"

namespace cg::gateway {

DispatchSettings dispatch_settings(const Config& c) {
  DispatchSettings s;
  s.batch = c.outbox.batch;
  s.lease = c.outbox.lease;
  s.max_attempts = c.outbox.max_attempts;
  s.failover_after = c.sms.failover_after;
  s.failback_after = c.sms.failback_after;
  s.retry_base = c.sms.retry_base;
  s.retry_max = c.sms.retry_max;
  s.retry_jitter_percent = c.sms.retry_jitter_percent;
  s.allowed_country_codes = c.sms.allowed_country_codes;
  s.test_range = c.console.simulator.test_range;
  return s;
}

Dispatcher::Dispatcher(store::Store& store, std::vector<sms::Sender*> providers, DispatchSettings settings,
                       const Clock& clock, Random random)
    : store_(store),
      providers_(std::move(providers)),
      settings_(std::move(settings)),
      clock_(clock),
      random_(random ? std::move(random) : Random(crypto::random_below)) {
  // The routing keeps which providers a row has tried in a 64-bit mask.
  if (providers_.size() > 64) providers_.resize(64);
  health_.resize(providers_.size());
  for (auto* p : providers_) register_provider(p->name());
}

std::chrono::seconds Dispatcher::backoff(int attempt) const {
  int shift = std::clamp(attempt - 1, 0, 30);
  auto base = settings_.retry_base.count();
  auto cap = settings_.retry_max.count();
  // base * 2^shift without overflow: stop doubling once past the cap.
  long long d = base;
  for (int i = 0; i < shift && d < cap; ++i) d *= 2;
  return std::chrono::seconds(std::min<long long>(d, cap));
}

std::vector<Dispatcher::ProviderState> Dispatcher::provider_states() const {
  std::lock_guard lock(mu_);
  std::vector<ProviderState> out;
  for (std::size_t p = 0; p < providers_.size(); ++p)
    out.push_back({providers_[p]->name(), health_[p].consecutive, health_[p].down, health_[p].last_failure});
  return out;
}

std::vector<std::vector<std::size_t>> Dispatcher::route(const std::vector<std::size_t>& rows,
                                                        const std::vector<std::uint64_t>& tried, bool first_round,
                                                        core::Instant now, std::vector<bool>& probe) {
  std::lock_guard lock(mu_);
  const std::size_t n = providers_.size();
  std::vector<std::vector<std::size_t>> plan(n);
  std::vector<bool> taken(rows.size(), false);
  if (first_round) {
    // A provider that was taken out gets one row to show whether it is back.
    for (std::size_t p = 0; p < n; ++p) {
      Health& h = health_[p];
      if (!h.down || h.probing || !h.last_failure || now < *h.last_failure + settings_.failback_after) continue;
      for (std::size_t k = 0; k < rows.size(); ++k) {
        if (taken[k] || (tried[rows[k]] >> p & 1)) continue;
        plan[p].push_back(rows[k]);
        taken[k] = true;
        h.probing = true;
        probe[p] = true;
        break;
      }
    }
  }
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (taken[k]) continue;
    const std::uint64_t mask = tried[rows[k]];
    std::optional<std::size_t> choice;
    for (std::size_t p = 0; p < n && !choice; ++p)
      if (!(mask >> p & 1) && !health_[p].down) choice = p;
    if (!choice && first_round) {
      // Every provider is out: keep trying the one that failed longest ago; the rows' own backoff
      // keeps this from hammering it.
      for (std::size_t p = 0; p < n; ++p) {
        if (mask >> p & 1) continue;
        if (!choice || health_[p].last_failure < health_[*choice].last_failure) choice = p;
      }
    }
    if (choice) plan[*choice].push_back(rows[k]);
  }
  return plan;
}

void Dispatcher::note(std::size_t p, const sms::SendResult& r, bool probe, core::Instant now) {
  std::lock_guard lock(mu_);
  Health& h = health_[p];
  if (probe) h.probing = false;
  if (r.kind != sms::SendResult::Kind::temporary) {
    // The provider answered (accepted, or refused this message for a reason of its own): it works.
    h.consecutive = 0;
    if (h.down) {
      h.down = false;
      set_provider_down(providers_[p]->name(), false);
      log::warn("sms", "provider answers again; back in rotation", {{"provider", providers_[p]->name()}});
    }
    return;
  }
  ++h.consecutive;
  h.last_failure = now;
  if (!h.down && h.consecutive >= settings_.failover_after) {
    h.down = true;
    count_failover(providers_[p]->name());
    log::error("sms", "provider failed repeatedly; failing over",
               {{"provider", providers_[p]->name()}, {"failures", h.consecutive}, {"error", r.error}});
  }
}

// One claimed batch while it is out: what each row has come to, and the claim's lease. It is the
// senders' SendProgress: each answer is recorded as it arrives (so after a crash at most the
// provider's requests in flight are sent again), the lease is renewed while rows are out, and a row
// whose lease was lost is never handed over.
class Dispatcher::Batch final : public sms::SendProgress {
  Dispatcher& d_;
  core::Instant lease_;       // the claim's lease as the rows hold it (set by the claim, then each renewal)
  core::Instant renewed_at_;  // when it was last confirmed

 public:
  Batch(Dispatcher& d, std::vector<store::OutboxMessage> rows, core::Instant lease, core::Instant now)
      : d_(d),
        lease_(lease),
        renewed_at_(now),
        rows(std::move(rows)),
        held(this->rows.size(), true),
        handed(this->rows.size(), false),
        done(this->rows.size(), false),
        last_error(this->rows.size()),
        last_provider(this->rows.size(), 0),
        tried(this->rows.size(), 0) {}

  // The provider and rows of the round about to be sent (indexes into `rows`).
  void start_round(std::size_t provider, const std::vector<std::size_t>& plan, bool probe) {
    provider_ = provider;
    plan_ = &plan;
    probe_ = probe;
    name_ = d_.providers_[provider]->name();
    answered_.assign(plan.size(), false);
    again.clear();
  }

  void tick() override {
    const core::Instant now = d_.clock_.now();
    if (now < renewed_at_ + d_.settings_.lease / 3) return;
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (held[i] && !done[i]) ids.push_back(rows[i].id);
    const core::Instant until = now + d_.settings_.lease;
    auto kept = d_.store_.renew_outbox_lease(ids, lease_, until);
    if (!kept) {
      // The proof of holding goes stale and may_send stops handing rows over until a renewal works.
      if (!error) error = kept.error();
      return;
    }
    std::sort(kept->begin(), kept->end());
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (held[i] && !done[i] && !std::binary_search(kept->begin(), kept->end(), rows[i].id)) {
        held[i] = false;
        log::warn("sms", "lease ran out and another dispatcher has the row; not sent here",
                  {{"outbox_id", rows[i].id}});
      }
    lease_ = until;
    renewed_at_ = now;
  }

  bool may_send(std::size_t k) override {
    const std::size_t i = (*plan_)[k];
    if (error || !held[i]) return false;
    // Handed over only under a lease renewed recently enough that it cannot run out meanwhile.
    return d_.clock_.now() < renewed_at_ + d_.settings_.lease / 2;
  }

  void answered(std::span<const std::pair<std::size_t, sms::SendResult>> results) override {
    std::vector<store::SendOutcome> outcomes;
    std::vector<store::ChannelLogEntry> log;
    const core::Instant at = d_.clock_.now();
    for (const auto& [k, r] : results) {
      if (k >= plan_->size() || answered_[k]) continue;
      answered_[k] = true;
      const std::size_t i = (*plan_)[k];
      d_.note(provider_, r, probe_, at);
      tried[i] |= std::uint64_t{1} << provider_;
      last_provider[i] = provider_;
      handed[i] = true;
      const char* outcome = r.kind == sms::SendResult::Kind::accepted    ? "accepted"
                            : r.kind == sms::SendResult::Kind::permanent ? "permanent"
                                                                         : "temporary";
      // The channel log keeps exchanges with providers, and every failure. A sender that made
      // no request and succeeded (the file adapter writing its line) has nothing to show there:
      // the row's own status, provider and done_at say it all.
      const bool exchanged = !r.request_log.empty() || r.kind != sms::SendResult::Kind::accepted;
      log_exchange(rows[i], name_, r, outcome);
      if (exchanged) {
        store::ChannelLogEntry e;
        e.outbox_id = rows[i].id;
        e.provider = name_;
        e.request = r.request_log;
        e.response = r.request_log.empty() && r.kind != sms::SendResult::Kind::accepted ? "not sent: " + r.error
                                                                                        : r.response_log;
        e.http_status = r.http_status;
        e.outcome = outcome;
        e.elapsed_ms = r.elapsed.count();
        e.at = at;
        e.request_id = rows[i].request_id;
        log.push_back(std::move(e));
      }
      if (r.kind == sms::SendResult::Kind::accepted) {
        outcomes.push_back(
            {rows[i].id, store::SendOutcome::Kind::sent, name_, r.provider_message_id, "", at, {}, lease_});
        done[i] = true;
      } else if (r.kind == sms::SendResult::Kind::permanent) {
        outcomes.push_back(
            {rows[i].id, store::SendOutcome::Kind::failed, name_, "", name_ + ": " + r.error, at, {}, lease_});
        done[i] = true;
      } else {
        last_error[i] = name_ + ": " + r.error;
        again.push_back(i);
      }
    }
    record(outcomes, log);
  }

  // Whatever the sender did not answer (it threw) fails this round for now.
  void unanswered(const std::string& why) {
    std::vector<std::pair<std::size_t, sms::SendResult>> rest;
    for (std::size_t k = 0; k < plan_->size(); ++k)
      if (!answered_[k] && handed_or_allowed(k))
        rest.emplace_back(k, sms::SendResult{sms::SendResult::Kind::temporary, "", why});
    if (!rest.empty()) answered(rest);
  }

  void record(const std::vector<store::SendOutcome>& outcomes, const std::vector<store::ChannelLogEntry>& log) {
    if (outcomes.empty() && log.empty()) return;
    if (auto s = d_.store_.record_send_outcomes(outcomes, log); !s && !error) error = s.error();
  }

  core::Instant lease() const { return lease_; }

  std::vector<store::OutboxMessage> rows;
  std::vector<bool> held;    // still this claim's (a renewal found it so)
  std::vector<bool> handed;  // handed to a provider at least once
  std::vector<bool> done;    // its outcome is recorded
  std::vector<std::string> last_error;
  std::vector<std::size_t> last_provider;
  std::vector<std::uint64_t> tried;
  std::vector<std::size_t> again;  // temporary failures of the current round
  std::optional<Error> error;      // the store failed: nothing more is handed over

 private:
  bool handed_or_allowed(std::size_t k) const { return held[(*plan_)[k]] && !error; }

  std::size_t provider_ = 0;
  const std::vector<std::size_t>* plan_ = nullptr;
  bool probe_ = false;
  std::string name_;
  std::vector<bool> answered_;
};

Status Dispatcher::deliver_to_simulator(Batch& b, const std::vector<std::size_t>& rows, core::Instant now) {
  if (rows.empty()) return ok_status();
  const std::string provider(store::kSimulatorProvider);
  Status s = store_.write_sync([&](store::Tx& tx) -> Status {
    for (std::size_t i : rows) {
      const store::OutboxMessage& row = b.rows[i];
      const store::DeliveryReport report = store::simulator_delivery(row, now);
      store::SendOutcome sent{
          row.id, store::SendOutcome::Kind::sent, provider, report.provider_message_id, "", now, {}, b.lease()};
      if (auto st = tx.apply_send_outcome(sent); !st) return st;
      store::ChannelLogEntry e;
      e.outbox_id = row.id;
      e.provider = provider;
      e.request = "none: " + core::mask_phone(row.to) + " is a test number of the console's simulator";
      e.response = report.detail;
      e.outcome = "accepted";
      e.at = now;
      e.request_id = row.request_id;
      if (auto st = tx.add_channel_log(e); !st) return st;
      if (auto r = tx.apply_delivery_report(report); !r) return r.error();
    }
    return ok_status();
  });
  if (!s) return s;
  for (std::size_t i : rows) {
    b.done[i] = true;
    count_outbound(provider, "simulated");
  }
  return ok_status();
}

Result<std::size_t> Dispatcher::run_once() {
  if (providers_.empty()) return make_error("invalid_config", "no SMS provider to dispatch through");
  const core::Instant now = clock_.now();
  auto claimed = store_.claim_outbox(settings_.batch, now, now + settings_.lease);
  if (!claimed) return claimed.error();
  if (claimed->empty()) return std::size_t{0};
  Batch b(*this, std::move(*claimed), now + settings_.lease, now);
  const auto& rows = b.rows;
  const std::size_t count = rows.size();

  std::vector<std::size_t> pending;
  pending.reserve(count);
  {
    std::vector<store::SendOutcome> refused;
    std::vector<std::size_t> simulated;
    for (std::size_t i = 0; i < count; ++i) {
      // The console simulator's numbers first: whatever else is true of the row, no provider sees it.
      if (settings_.test_range.contains(rows[i].to)) {
        simulated.push_back(i);
        continue;
      }
      // Checked again here, whatever put the row in the outbox: no provider ever sees it. (A number
      // not in E.164 form is refused by every sender before any request, with its own reason.)
      const bool e164 = !rows[i].to.empty() && rows[i].to[0] == '+';
      if (e164 && !destination_allowed(rows[i].to, settings_.allowed_country_codes)) {
        refused.push_back(
            {rows[i].id, store::SendOutcome::Kind::failed, "", "", "destination_not_allowed", now, {}, b.lease()});
        b.done[i] = true;
        count_outbound("none", "destination_not_allowed");
        continue;
      }
      pending.push_back(i);
    }
    b.record(refused, {});
    if (auto s = deliver_to_simulator(b, simulated, now); !s) return s.error();
  }
  bool first = true;
  while (!pending.empty() && !b.error) {
    std::vector<bool> probe(providers_.size(), false);
    auto plan = route(pending, b.tried, first, now, probe);
    first = false;
    std::vector<std::size_t> again;
    for (std::size_t p = 0; p < plan.size(); ++p) {
      if (plan[p].empty()) continue;
      sms::Sender& sender = *providers_[p];
      std::vector<store::OutboxMessage> batch;
      batch.reserve(plan[p].size());
      for (std::size_t i : plan[p]) batch.push_back(rows[i]);
      b.start_round(p, plan[p], probe[p]);
      try {
        sender.send_reporting(batch, b);
      } catch (const std::exception& e) {
        // A sender that throws fails the rest of this batch for now (each row a temporary failure,
        // retried later) instead of leaving the claimed rows to a crash and every later start.
        b.unanswered(std::string("the sender failed: ") + e.what());
      }
      again.insert(again.end(), b.again.begin(), b.again.end());
    }
    // Re-send at once only what failed on a provider that is now out, through the next one up.
    pending.clear();
    {
      std::lock_guard lock(mu_);
      for (std::size_t i : again)
        if (health_[b.last_provider[i]].down && b.held[i]) pending.push_back(i);
    }
  }

  // What is left: rows handed over that got no final answer. A row never handed over (its lease
  // was lost, or the store failed) takes no outcome: its lease runs out and it is claimed again.
  std::vector<store::SendOutcome> outcomes;
  const core::Instant at = clock_.now();
  for (std::size_t i = 0; i < count; ++i) {
    if (b.done[i] || !b.handed[i] || !b.held[i]) continue;
    const int attempt = rows[i].attempts + 1;
    const std::string error = b.last_error[i].empty() ? "no provider could take it" : b.last_error[i];
    if (attempt >= settings_.max_attempts) {
      count_outbound("none", "gave_up");
      outcomes.push_back({rows[i].id,
                          store::SendOutcome::Kind::failed,
                          "",
                          "",
                          "gave up after " + std::to_string(attempt) + " attempts: " + error,
                          at,
                          {},
                          b.lease()});
      continue;
    }
    auto delay = backoff(attempt);
    auto jitter_bound = static_cast<std::uint64_t>(delay.count()) * settings_.retry_jitter_percent / 100;
    auto jitter = std::chrono::seconds(jitter_bound ? random_(jitter_bound + 1) : 0);
    outcomes.push_back(
        {rows[i].id, store::SendOutcome::Kind::retry, "", "", error, at, at + delay + jitter, b.lease()});
  }
  if (b.error) return *b.error;
  if (auto s = store_.record_send_outcomes(outcomes, {}); !s) return s.error();
  return count;
}

}  // namespace cg::gateway
