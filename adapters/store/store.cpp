#include "adapters/store/store.hpp"

#include <future>
#include <utility>

#include "adapters/observe/log.hpp"
#include "adapters/observe/registry.hpp"

namespace cg::store {

std::string_view to_string(PurgeKind kind) {
  switch (kind) {
    case PurgeKind::inbound_messages:
      return "inbound_messages";
    case PurgeKind::channel_log:
      return "channel_log";
    case PurgeKind::delivery_reports:
      return "delivery_reports";
    case PurgeKind::sessions:
      return "sessions";
    case PurgeKind::outbox:
      return "outbox";
    case PurgeKind::events:
      return "events";
  }
  return "unknown";
}

std::pair<Store::Command, Store::Done> Store::traced(Command command, Done done) {
  static obs::Histogram& ok =
      obs::registry().histogram("course_gateway_store_command_seconds",
                                "Write commands, from being queued to their outcome (queue, run, commit), by outcome.",
                                obs::latency_buckets(), {{"outcome", "ok"}});
  static obs::Histogram& failed = obs::registry().histogram("course_gateway_store_command_seconds", "",
                                                            obs::latency_buckets(), {{"outcome", "error"}});
  const auto queued = std::chrono::steady_clock::now();
  std::string id(log::current_request_id());
  Done timed = [id, queued, done = std::move(done)](const Status& s) {
    (s.ok() ? ok : failed).observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - queued).count());
    if (!done) return;
    if (id.empty()) return done(s);
    log::RequestScope scope(id);
    done(s);
  };
  if (id.empty()) return {std::move(command), std::move(timed)};
  Command scoped = [id = std::move(id), command = std::move(command)](Tx& tx) {
    log::RequestScope scope(id);
    return command(tx);
  };
  return {std::move(scoped), std::move(timed)};
}

void Store::observe_commit(std::chrono::steady_clock::duration took) {
  static obs::Histogram& h = obs::registry().histogram(
      "course_gateway_store_commit_seconds", "COMMITs of write transactions (SQLite: one per batch of commands).",
      obs::latency_buckets());
  h.observe(std::chrono::duration<double>(took).count());
}

// Waits on the writer's answer. Must not be called from inside a `done` callback (the store
// thread running it would then wait for itself).
Status Store::write_sync(Command command) {
  std::promise<Status> answer;
  auto future = answer.get_future();
  write(std::move(command), [&answer](const Status& s) { answer.set_value(s); });
  return future.get();
}

Result<std::vector<OutboxMessage>> Store::claim_outbox(std::size_t limit, Instant now, Instant lease_until) {
  std::vector<OutboxMessage> claimed;
  auto s = write_sync([&](Tx& tx) -> Status {
    auto r = tx.claim_outbox(limit, now, lease_until);
    if (!r) return r.error();
    claimed = std::move(*r);  // a command may run more than once: overwritten, not added to
    return ok_status();
  });
  if (!s) return s.error();
  return claimed;
}

Status Store::record_send_outcomes(std::span<const SendOutcome> outcomes, std::span<const ChannelLogEntry> log) {
  if (outcomes.empty() && log.empty()) return ok_status();
  return write_sync([&](Tx& tx) -> Status {
    for (const auto& o : outcomes)
      if (auto s = tx.apply_send_outcome(o); !s) return s;
    for (const auto& e : log)
      if (auto s = tx.add_channel_log(e); !s) return s;
    return ok_status();
  });
}

Result<std::vector<std::int64_t>> Store::renew_outbox_lease(std::span<const std::int64_t> ids, Instant held_until,
                                                            Instant renew_until) {
  std::vector<std::int64_t> held;
  if (ids.empty()) return held;
  auto s = write_sync([&](Tx& tx) -> Status {
    auto r = tx.renew_outbox_lease(ids, held_until, renew_until);
    if (!r) return r.error();
    held = std::move(*r);  // overwritten by a command run again
    return ok_status();
  });
  if (!s) return s.error();
  return held;
}

Result<bool> Store::record_delivery(const DeliveryReport& r) {
  bool found = false;
  auto s = write_sync([&](Tx& tx) -> Status {
    auto f = tx.apply_delivery_report(r);
    if (!f) return f.error();
    found = *f;
    return ok_status();
  });
  if (!s) return s.error();
  return found;
}

Result<std::optional<OutboxDetail>> Store::outbox_detail(std::int64_t id) {
  std::optional<OutboxDetail> out;
  auto s = read([&](Tx& tx) -> Status {
    auto d = tx.outbox_detail(id);
    if (!d) return d.error();
    out = std::move(*d);
    return ok_status();
  });
  if (!s) return s.error();
  return out;
}

Result<OutboxFigures> Store::outbox_figures() {
  OutboxFigures figures;
  auto s = read([&](Tx& tx) -> Status {
    auto r = tx.outbox_figures();
    if (!r) return r.error();
    figures = std::move(*r);
    return ok_status();
  });
  if (!s) return s.error();
  return figures;
}

}  // namespace cg::store
