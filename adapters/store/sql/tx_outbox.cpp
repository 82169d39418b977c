// SqlTx's outbox and delivery methods: the rules are outbox_rules.hpp's, this file reads the row
// they need and writes what they decide.
#include <algorithm>
#include <utility>

#include "adapters/store/outbox_rules.hpp"
#include "adapters/store/sql/rows.hpp"
#include "adapters/store/sql/tx.hpp"

namespace cg::store::sql {
namespace {

Error outbox_not_found(std::int64_t id) { return Error{"outbox_not_found", "no outbox message " + std::to_string(id)}; }

std::optional<std::int64_t> seconds_or_null(const std::optional<Instant>& t) {
  if (!t) return std::nullopt;
  return seconds(*t);
}

std::optional<Instant> instant_or_null(const std::optional<std::int64_t>& s) {
  if (!s) return std::nullopt;
  return instant(*s);
}

}  // namespace

Result<std::int64_t> SqlTx::enqueue(const OutboxMessage& m) {
  if (auto s = writable("enqueue"); !s) return s.error();
  auto st = session_.prepare(q_.outbox_insert, "enqueue");
  if (!st) return st.error();
  Binder b(**st);
  bind_outbox_fields(b, m);
  if (auto r = (*st)->run(); !r) return r.error();
  auto id = session_.last_insert_id();
  if (id && *id <= 0) return Error{"store_error", "enqueue: no id assigned"};
  return id;
}

Result<std::vector<OutboxMessage>> SqlTx::claim_outbox(std::size_t limit, Instant now, Instant lease_until) {
  if (auto s = writable("claim_outbox"); !s) return s.error();
  if (q_.dialect.claim_with_returning) {
    auto st = session_.prepare(q_.outbox_claim, "claim_outbox");
    if (!st) return st.error();
    Binder(**st).add(seconds(lease_until)).add(seconds(now)).add(q_.dialect.limit(limit));
    auto due = all_rows<OutboxMessage>(**st, outbox_from_row);
    if (!due) return due.error();
    // RETURNING gives rows in no promised order; they go out oldest first.
    std::sort(due->begin(), due->end(), [](const OutboxMessage& a, const OutboxMessage& b) { return a.id < b.id; });
    return due;
  }
  std::vector<OutboxMessage> due;
  for (const std::string* query : {&q_.outbox_due_pending, &q_.outbox_due_sending}) {
    auto st = session_.prepare(*query, "claim_outbox");
    if (!st) return st.error();
    Binder(**st).add(seconds(now)).add(q_.dialect.limit(limit));
    auto rows = all_rows<OutboxMessage>(**st, outbox_from_row);
    if (!rows) return rows.error();
    for (auto& m : *rows) due.push_back(std::move(m));
  }
  // Oldest due first over both kinds; what is cut off here is unlocked at COMMIT.
  std::sort(due.begin(), due.end(), [](const OutboxMessage& a, const OutboxMessage& b) {
    return std::pair(a.next_attempt_at, a.id) < std::pair(b.next_attempt_at, b.id);
  });
  if (limit != 0 && due.size() > limit) due.resize(limit);
  if (due.empty()) return due;
  // The ids came from the database as integers: no quoting concerns in this one statement, and
  // no prepared statement cached per batch size.
  std::string ids;
  for (const auto& m : due) {
    if (!ids.empty()) ids += ",";
    ids += std::to_string(m.id);
  }
  if (auto s = session_.exec("UPDATE outbox SET status = 'sending', next_attempt_at = " +
                                 std::to_string(seconds(lease_until)) + " WHERE id IN (" + ids + ")",
                             "claim_outbox");
      !s)
    return s.error();
  for (auto& m : due) {
    m.status = "sending";
    m.next_attempt_at = lease_until;
  }
  return due;
}

Status SqlTx::apply_send_outcome(const SendOutcome& o) {
  if (auto s = writable("apply_send_outcome"); !s) return s;
  constexpr std::string_view what = "apply_send_outcome";
  std::string status;
  Instant lease{};
  {
    auto st = session_.prepare(q_.outbox_status_locked, what);
    if (!st) return st.error();
    (*st)->bind(1, o.id);
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) return outbox_not_found(o.id);
    status = (*st)->text(0);
    lease = instant((*st)->int64(1));
  }
  switch (decide_send_outcome(status, lease, o)) {
    case SendOutcomeEffect::none:
      return ok_status();
    case SendOutcomeEffect::fill_in_provider: {
      auto st = session_.prepare(q_.outcome_sent_late, what);
      if (!st) return st.error();
      Binder(**st).add(o.provider).add(o.provider_message_id).add(o.id);
      if (auto r = (*st)->run(); !r) return r.error();
      return ok_status();
    }
    case SendOutcomeEffect::take:
      break;
  }
  const bool retry = o.kind == SendOutcome::Kind::retry;
  auto st = session_.prepare(o.kind == SendOutcome::Kind::sent ? q_.outcome_sent
                             : retry                           ? q_.outcome_retry
                                                               : q_.outcome_failed,
                             what);
  if (!st) return st.error();
  if (o.kind == SendOutcome::Kind::sent)
    Binder(**st).add(o.provider).add(o.provider_message_id).add(seconds(o.at)).add(o.id);
  else
    Binder(**st).add(o.error).add(seconds(retry ? o.next_attempt_at : o.at)).add(o.id);
  if (auto r = (*st)->run(); !r) return r.error();
  return ok_status();
}

Result<std::vector<std::int64_t>> SqlTx::renew_outbox_lease(std::span<const std::int64_t> ids, Instant held_until,
                                                            Instant renew_until) {
  if (auto s = writable("renew_outbox_lease"); !s) return s.error();
  std::vector<std::int64_t> held;
  held.reserve(ids.size());
  for (std::int64_t id : ids) {
    auto st = session_.prepare(q_.outbox_renew_lease, "renew_outbox_lease");
    if (!st) return st.error();
    Binder(**st).add(seconds(renew_until)).add(id).add(seconds(held_until));
    auto matched = (*st)->run();
    if (!matched) return matched.error();
    if (*matched > 0) held.push_back(id);
  }
  return held;
}

Status SqlTx::add_channel_log(const ChannelLogEntry& e) {
  if (auto s = writable("add_channel_log"); !s) return s;
  auto st = session_.prepare(q_.channel_log_insert, "add_channel_log");
  if (!st) return st.error();
  Binder(**st)
      .add(e.outbox_id)
      .add(e.provider)
      .add(e.request)
      .add(e.response)
      .add(std::int64_t{e.http_status})
      .add(e.outcome)
      .add(e.elapsed_ms)
      .add(seconds(e.at))
      .add(e.request_id);
  if (auto r = (*st)->run(); !r) return r.error();
  return ok_status();
}

Result<bool> SqlTx::apply_delivery_report(const DeliveryReport& r) {
  if (auto s = writable("apply_delivery_report"); !s) return s.error();
  if (auto s = check_delivery_report(r); !s) return s.error();
  constexpr std::string_view what = "apply_delivery_report";
  struct Found {
    std::int64_t id = 0;
    DeliveryRow row;
  };
  auto found_from = [](const Statement& s) -> Result<Found> {
    return Found{s.int64(0), DeliveryRow{.status = s.text(1),
                                         .delivery_status = s.text(2),
                                         .delivery_error = s.text(3),
                                         .delivery_at = instant_or_null(s.optional_int64(4)),
                                         .last_error = s.text(5),
                                         .provider = s.text(6),
                                         .provider_message_id = s.text(7),
                                         .done_at = instant_or_null(s.optional_int64(8))}};
  };
  std::optional<Found> found;
  if (!r.provider_message_id.empty()) {
    auto st = session_.prepare(q_.delivery_row_by_message, what);
    if (!st) return st.error();
    Binder(**st).add(r.provider).add(r.provider_message_id);
    auto f = first_row<Found>(**st, found_from);
    if (!f) return f.error();
    found = std::move(*f);
  }
  if (!found && r.outbox_id > 0) {
    auto st = session_.prepare(q_.delivery_row_by_id, what);
    if (!st) return st.error();
    (*st)->bind(1, r.outbox_id);
    auto f = first_row<Found>(**st, found_from);
    if (!f) return f.error();
    found = std::move(*f);
  }
  if (!found) return false;

  const DeliveryRow after = store::apply_delivery_report(found->row, r);
  {
    auto up = session_.prepare(q_.delivery_update, what);
    if (!up) return up.error();
    Binder(**up)
        .add(after.status)
        .add(after.delivery_status)
        .add(after.delivery_error)
        .add(seconds_or_null(after.delivery_at))
        .add(after.last_error)
        .add(after.provider)
        .add(after.provider_message_id)
        .add(seconds_or_null(after.done_at))
        .add(found->id);
    if (auto u = (*up)->run(); !u) return u.error();
  }
  auto ins = session_.prepare(q_.delivery_report_insert, what);
  if (!ins) return ins.error();
  Binder(**ins)
      .add(found->id)
      .add(r.provider)
      .add(r.provider_message_id)
      .add(r.status)
      .add(r.error_code)
      .add(r.detail)
      .add(seconds(r.at));
  if (auto u = (*ins)->run(); !u) return u.error();
  return true;
}

Result<std::optional<OutboxDetail>> SqlTx::outbox_detail(std::int64_t id) {
  constexpr std::string_view what = "outbox_detail";
  OutboxDetail d;
  {
    auto st = session_.prepare(q_.outbox_one, what);
    if (!st) return st.error();
    (*st)->bind(1, id);
    auto m = first_row<OutboxMessage>(**st, outbox_from_row);
    if (!m) return m.error();
    if (!*m) return std::optional<OutboxDetail>();
    d.message = std::move(**m);
  }
  {
    auto st = session_.prepare(q_.outbox_delivery_select, what);
    if (!st) return st.error();
    (*st)->bind(1, id);
    auto row = (*st)->step();
    if (!row) return row.error();
    if (*row) {
      d.delivery_status = (*st)->text(0);
      d.delivery_error = (*st)->text(1);
      d.delivery_at = instant_or_null((*st)->optional_int64(2));
      d.done_at = instant_or_null((*st)->optional_int64(3));
    }
  }
  {
    auto st = session_.prepare(q_.delivery_report_select, what);
    if (!st) return st.error();
    (*st)->bind(1, id);
    auto rows = all_rows<DeliveryReport>(**st, delivery_report_from_row);
    if (!rows) return rows.error();
    d.reports = std::move(*rows);
  }
  {
    auto st = session_.prepare(q_.channel_log_select, what);
    if (!st) return st.error();
    (*st)->bind(1, id);
    auto rows = all_rows<ChannelLogEntry>(**st, channel_log_from_row);
    if (!rows) return rows.error();
    d.channel_log = std::move(*rows);
  }
  return std::optional<OutboxDetail>(std::move(d));
}

Result<OutboxFigures> SqlTx::outbox_figures() {
  constexpr std::string_view what = "outbox_figures";
  OutboxFigures figures;
  auto pair_from_row = [](const Statement& st) -> Result<std::pair<std::string, std::int64_t>> {
    return std::pair<std::string, std::int64_t>(st.text(0), st.int64(1));
  };
  for (auto [query, out] :
       {std::pair{&q_.outbox_by_status, &figures.by_status}, std::pair{&q_.outbox_by_provider, &figures.by_provider}}) {
    auto st = session_.prepare(*query, what);
    if (!st) return st.error();
    auto rows = all_rows<std::pair<std::string, std::int64_t>>(**st, pair_from_row);
    if (!rows) return rows.error();
    *out = std::move(*rows);
  }
  auto st = session_.prepare(q_.outbox_oldest_pending, what);
  if (!st) return st.error();
  auto row = (*st)->step();
  if (!row) return row.error();
  if (*row) figures.oldest_pending = instant_or_null((*st)->optional_int64(0));
  return figures;
}

}  // namespace cg::store::sql
