#include "gateway/sms/dispatcher.hpp"

#include <algorithm>
#include <cstdio>

#include "adapters/crypto/crypto.hpp"
#include "adapters/observe/log.hpp"
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

Result<std::size_t> Dispatcher::run_once() {
  if (providers_.empty()) return make_error("invalid_config", "no SMS provider to dispatch through");
  const core::Instant now = clock_.now();
  auto claimed = store_.claim_outbox(settings_.batch, now, now + settings_.lease);
  if (!claimed) return claimed.error();
  const auto& rows = *claimed;
  if (rows.empty()) return std::size_t{0};

  const std::size_t count = rows.size();
  std::vector<std::optional<store::SendOutcome>> done(count);
  std::vector<std::string> last_error(count);
  std::vector<std::size_t> last_provider(count, 0);
  std::vector<std::uint64_t> tried(count, 0);
  std::vector<store::ChannelLogEntry> log;
  log.reserve(count);

  std::vector<std::size_t> pending;
  pending.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    // Checked again here, whatever put the row in the outbox: no provider ever sees it. (A number
    // not in E.164 form is refused by every sender before any request, with its own reason.)
    const bool e164 = !rows[i].to.empty() && rows[i].to[0] == '+';
    if (e164 && !destination_allowed(rows[i].to, settings_.allowed_country_codes)) {
      done[i] =
          store::SendOutcome{rows[i].id, store::SendOutcome::Kind::failed, "", "", "destination_not_allowed", now, {}};
      count_outbound("none", "destination_not_allowed");
      continue;
    }
    pending.push_back(i);
  }
  bool first = true;
  while (!pending.empty()) {
    std::vector<bool> probe(providers_.size(), false);
    auto plan = route(pending, tried, first, now, probe);
    first = false;
    std::vector<std::size_t> again;
    for (std::size_t p = 0; p < plan.size(); ++p) {
      if (plan[p].empty()) continue;
      sms::Sender& sender = *providers_[p];
      const std::string name = sender.name();
      std::vector<store::OutboxMessage> batch;
      batch.reserve(plan[p].size());
      for (std::size_t i : plan[p]) batch.push_back(rows[i]);
      std::vector<sms::SendResult> results;
      try {
        results = sender.send(batch);
      } catch (const std::exception& e) {
        // A sender that throws fails this batch for now (each row a temporary failure, retried
        // later) instead of leaving the claimed rows to a crash and every later start.
        results.assign(batch.size(), sms::SendResult{sms::SendResult::Kind::temporary, "",
                                                     std::string("the sender failed: ") + e.what()});
      }
      const core::Instant at = clock_.now();
      for (std::size_t k = 0; k < plan[p].size(); ++k) {
        const std::size_t i = plan[p][k];
        const sms::SendResult r =
            k < results.size() ? results[k] : sms::SendResult{sms::SendResult::Kind::temporary, "", "no result"};
        note(p, r, probe[p], at);
        tried[i] |= std::uint64_t{1} << p;
        last_provider[i] = p;
        const char* outcome = r.kind == sms::SendResult::Kind::accepted    ? "accepted"
                              : r.kind == sms::SendResult::Kind::permanent ? "permanent"
                                                                           : "temporary";
        // The channel log keeps exchanges with providers, and every failure. A sender that made
        // no request and succeeded (the file adapter writing its line) has nothing to show there:
        // the row's own status, provider and done_at say it all.
        const bool exchanged = !r.request_log.empty() || r.kind != sms::SendResult::Kind::accepted;
        store::ChannelLogEntry e;
        e.outbox_id = rows[i].id;
        e.provider = name;
        e.request = r.request_log;
        e.response = r.request_log.empty() && r.kind != sms::SendResult::Kind::accepted ? "not sent: " + r.error
                                                                                        : r.response_log;
        e.http_status = r.http_status;
        e.outcome = outcome;
        e.elapsed_ms = r.elapsed.count();
        e.at = at;
        e.request_id = rows[i].request_id;
        log_exchange(rows[i], name, r, outcome);
        if (exchanged) log.push_back(std::move(e));
        if (r.kind == sms::SendResult::Kind::accepted) {
          done[i] =
              store::SendOutcome{rows[i].id, store::SendOutcome::Kind::sent, name, r.provider_message_id, "", at, {}};
        } else if (r.kind == sms::SendResult::Kind::permanent) {
          done[i] =
              store::SendOutcome{rows[i].id, store::SendOutcome::Kind::failed, name, "", name + ": " + r.error, at, {}};
        } else {
          last_error[i] = name + ": " + r.error;
          again.push_back(i);
        }
      }
    }
    // Re-send at once only what failed on a provider that is now out, through the next one up.
    pending.clear();
    {
      std::lock_guard lock(mu_);
      for (std::size_t i : again)
        if (health_[last_provider[i]].down) pending.push_back(i);
    }
  }

  std::vector<store::SendOutcome> outcomes;
  outcomes.reserve(count);
  const core::Instant at = clock_.now();
  for (std::size_t i = 0; i < count; ++i) {
    if (done[i]) {
      outcomes.push_back(std::move(*done[i]));
      continue;
    }
    const int attempt = rows[i].attempts + 1;
    const std::string error = last_error[i].empty() ? "no provider could take it" : last_error[i];
    if (attempt >= settings_.max_attempts) {
      count_outbound("none", "gave_up");
      outcomes.push_back({rows[i].id,
                          store::SendOutcome::Kind::failed,
                          "",
                          "",
                          "gave up after " + std::to_string(attempt) + " attempts: " + error,
                          at,
                          {}});
      continue;
    }
    auto delay = backoff(attempt);
    auto jitter_bound = static_cast<std::uint64_t>(delay.count()) * settings_.retry_jitter_percent / 100;
    auto jitter = std::chrono::seconds(jitter_bound ? random_(jitter_bound + 1) : 0);
    outcomes.push_back({rows[i].id, store::SendOutcome::Kind::retry, "", "", error, at, at + delay + jitter});
  }
  if (auto s = store_.record_send_outcomes(outcomes, log); !s) return s.error();
  return count;
}

}  // namespace cg::gateway
