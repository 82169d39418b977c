// SqlTx's operator-console methods: operators, console sessions, the append-only audit log, and
// the few reads the console's overview needs beyond the card's own (docs/console.md).
#include <algorithm>
#include <limits>
#include <utility>

#include "adapters/store/outbox_rules.hpp"
#include "adapters/store/sql/rows.hpp"
#include "adapters/store/sql/tx.hpp"

namespace cg::store::sql {
namespace {

// The seconds of creation time one row of outbox_counts covers (schema migration 16: "/ 600").
constexpr std::int64_t kOutboxCountSlot = 600;

// The Course page's filter: which of the four statements (by state, by search, both, neither) and
// its parameters, the same for a page and for the count.
std::size_t applicant_filter(const ApplicantQuery& q) { return (q.state ? 1U : 0U) | (q.search.empty() ? 0U : 2U); }

void bind_applicant_filter(Binder& b, const ApplicantQuery& q) {
  // The state's name is static text; the query's strings outlive the statement's steps.
  b.add(q.course_id);
  if (q.state) b.add(core::to_string(*q.state));
  if (!q.search.empty()) b.add(q.search).add(q.search_phone).add(q.search).add(q.search);
}

Result<Operator> operator_from_row(const Statement& st) {
  Operator o;
  o.id = st.int64(0);
  o.username = st.text(1);
  o.role = st.text(2);
  o.password_hash = st.text(3);
  o.disabled = st.int64(4) != 0;
  o.created_at = instant(st.int64(5));
  o.password_changed_at = instant(st.int64(6));
  return o;
}

Result<ConsoleSession> console_session_from_row(const Statement& st) {
  ConsoleSession s;
  s.token_hash = st.text(0);
  s.operator_id = st.int64(1);
  s.created_at = instant(st.int64(2));
  s.last_seen_at = instant(st.int64(3));
  s.client_address = st.text(4);
  return s;
}

Result<AuditEntry> audit_from_row(const Statement& st) {
  AuditEntry e;
  e.id = st.int64(0);
  e.actor = st.text(1);
  e.at = instant(st.int64(2));
  e.action = st.text(3);
  e.target = st.text(4);
  e.before = st.text(5);
  e.after = st.text(6);
  e.client_address = st.text(7);
  return e;
}

Result<FailedSms> failed_sms_from_row(const Statement& st) {
  FailedSms f;
  f.id = st.int64(0);
  f.application_id = st.text(1);
  f.to = st.text(2);
  f.template_name = st.text(3);
  f.last_error = st.text(4);
  if (auto at = st.optional_int64(5)) f.done_at = instant(*at);
  return f;
}

Result<std::int64_t> single_count(Statement& st) {
  auto row = st.step();
  if (!row) return row.error();
  if (!*row) return std::int64_t{0};
  return st.int64(0);
}

}  // namespace

Result<std::int64_t> SqlTx::insert_operator(const Operator& o) {
  if (auto s = writable("insert_operator"); !s) return s.error();
  auto st = session_.prepare(q_.operator_insert, "insert_operator");
  if (!st) return st.error();
  Binder(**st)
      .add(o.username)
      .add(o.role)
      .add(o.password_hash)
      .add(std::int64_t{o.disabled ? 1 : 0})
      .add(seconds(o.created_at))
      .add(seconds(o.password_changed_at));
  if (auto r = (*st)->run(); !r) {
    // The username is the table's only unique key besides the id the store assigns.
    if ((*st)->duplicate_key())
      return Error{"duplicate_operator", "an operator named '" + o.username + "' exists already"};
    return r.error();
  }
  auto id = session_.last_insert_id();
  if (id && *id <= 0) return Error{"store_error", "insert_operator: no id assigned"};
  return id;
}

Result<std::optional<Operator>> SqlTx::operator_by_name(std::string_view username) {
  auto st = session_.prepare(q_.operator_by_name, "operator_by_name");
  if (!st) return st.error();
  (*st)->bind(1, username);
  return first_row<Operator>(**st, operator_from_row);
}

Result<std::optional<Operator>> SqlTx::operator_by_id(std::int64_t id) {
  auto st = session_.prepare(q_.operator_by_id, "operator_by_id");
  if (!st) return st.error();
  (*st)->bind(1, id);
  return first_row<Operator>(**st, operator_from_row);
}

Result<std::vector<Operator>> SqlTx::operators() {
  auto st = session_.prepare(q_.operators_all, "operators");
  if (!st) return st.error();
  return all_rows<Operator>(**st, operator_from_row);
}

Status SqlTx::save_operator(const Operator& o) {
  if (auto s = writable("save_operator"); !s) return s;
  auto st = session_.prepare(q_.operator_update, "save_operator");
  if (!st) return st.error();
  Binder(**st)
      .add(o.role)
      .add(o.password_hash)
      .add(std::int64_t{o.disabled ? 1 : 0})
      .add(seconds(o.password_changed_at))
      .add(o.id);
  auto matched = (*st)->run();
  if (!matched) return matched.error();
  if (*matched == 0) return Error{"operator_not_found", "no operator with id " + std::to_string(o.id)};
  return ok_status();
}

Status SqlTx::insert_console_session(const ConsoleSession& s) {
  if (auto w = writable("insert_console_session"); !w) return w;
  auto st = session_.prepare(q_.console_session_insert, "insert_console_session");
  if (!st) return st.error();
  Binder(**st)
      .add(s.token_hash)
      .add(s.operator_id)
      .add(seconds(s.created_at))
      .add(seconds(s.last_seen_at))
      .add(s.client_address);
  if (auto r = (*st)->run(); !r) return r.error();
  return ok_status();
}

Result<std::optional<ConsoleSession>> SqlTx::console_session(std::string_view token_hash) {
  auto st = session_.prepare(q_.console_session_select, "console_session");
  if (!st) return st.error();
  (*st)->bind(1, token_hash);
  return first_row<ConsoleSession>(**st, console_session_from_row);
}

Status SqlTx::touch_console_session(std::string_view token_hash, Instant at) {
  if (auto w = writable("touch_console_session"); !w) return w;
  auto st = session_.prepare(q_.console_session_touch, "touch_console_session");
  if (!st) return st.error();
  Binder(**st).add(seconds(at)).add(token_hash);
  if (auto r = (*st)->run(); !r) return r.error();
  return ok_status();
}

Status SqlTx::delete_console_session(std::string_view token_hash) {
  if (auto w = writable("delete_console_session"); !w) return w;
  auto st = session_.prepare(q_.console_session_delete, "delete_console_session");
  if (!st) return st.error();
  Binder(**st).add(token_hash);
  if (auto r = (*st)->run(); !r) return r.error();
  return ok_status();
}

Result<std::int64_t> SqlTx::delete_console_sessions_of(std::int64_t operator_id) {
  if (auto w = writable("delete_console_sessions_of"); !w) return w.error();
  auto st = session_.prepare(q_.console_sessions_delete_of, "delete_console_sessions_of");
  if (!st) return st.error();
  Binder(**st).add(operator_id);
  return (*st)->run();
}

Result<std::int64_t> SqlTx::delete_console_sessions_idle_since(Instant cutoff) {
  if (auto w = writable("delete_console_sessions_idle_since"); !w) return w.error();
  auto st = session_.prepare(q_.console_sessions_delete_idle, "delete_console_sessions_idle_since");
  if (!st) return st.error();
  Binder(**st).add(seconds(cutoff));
  return (*st)->run();
}

Result<std::int64_t> SqlTx::append_audit(const AuditEntry& e) {
  if (auto w = writable("append_audit"); !w) return w.error();
  auto st = session_.prepare(q_.audit_insert, "append_audit");
  if (!st) return st.error();
  Binder(**st)
      .add(e.actor)
      .add(seconds(e.at))
      .add(e.action)
      .add(e.target)
      .add(e.before)
      .add(e.after)
      .add(e.client_address);
  if (auto r = (*st)->run(); !r) return r.error();
  auto id = session_.last_insert_id();
  if (id && *id <= 0) return Error{"store_error", "append_audit: no id assigned"};
  return id;
}

Result<std::vector<AuditEntry>> SqlTx::audit_log(std::int64_t before_id, std::size_t limit) {
  auto st = session_.prepare(before_id > 0 ? q_.audit_before : q_.audit_newest, "audit_log");
  if (!st) return st.error();
  Binder b(**st);
  if (before_id > 0) b.add(before_id);
  b.add(q_.dialect.limit(limit));
  return all_rows<AuditEntry>(**st, audit_from_row);
}

Result<std::vector<FailedSms>> SqlTx::failed_sms_since(Instant since, std::size_t limit) {
  auto st = session_.prepare(q_.failed_sms_since, "failed_sms_since");
  if (!st) return st.error();
  Binder(**st).add(seconds(since)).add(q_.dialect.limit(limit));
  return all_rows<FailedSms>(**st, failed_sms_from_row);
}

Result<std::int64_t> SqlTx::count_failed_sms_since(Instant since) {
  auto st = session_.prepare(q_.failed_sms_count_since, "count_failed_sms_since");
  if (!st) return st.error();
  Binder(**st).add(seconds(since));
  return single_count(**st);
}

Result<std::int64_t> SqlTx::count_bills_due(Instant until) {
  auto st = session_.prepare(q_.bills_due_count, "count_bills_due");
  if (!st) return st.error();
  Binder(**st).add(seconds(until));
  return single_count(**st);
}

Result<std::vector<core::Application>> SqlTx::course_applicants(const ApplicantQuery& q) {
  auto st = session_.prepare(q_.course_applicants[applicant_filter(q)], "course_applicants");
  if (!st) return st.error();
  Binder b(**st);
  bind_applicant_filter(b, q);
  b.add(q.after_seq).add(q_.dialect.limit(q.limit));
  return all_rows<core::Application>(**st, application_from_row);
}

Result<std::int64_t> SqlTx::count_course_applicants(const ApplicantQuery& q) {
  auto st = session_.prepare(q_.course_applicants_count[applicant_filter(q)], "count_course_applicants");
  if (!st) return st.error();
  Binder b(**st);
  bind_applicant_filter(b, q);
  return single_count(**st);
}

Result<std::vector<OutboxDetail>> SqlTx::application_messages(std::string_view application_id, std::size_t limit) {
  std::vector<std::int64_t> ids;
  {
    auto st = session_.prepare(q_.application_outbox_ids, "application_messages");
    if (!st) return st.error();
    Binder(**st).add(application_id).add(q_.dialect.limit(limit));
    auto rows = all_rows<std::int64_t>(**st, [](const Statement& s) -> Result<std::int64_t> { return s.int64(0); });
    if (!rows) return rows.error();
    ids = std::move(*rows);
  }
  // One application has a handful of SMS: each row's reports and log by its own indexed reads.
  std::vector<OutboxDetail> out;
  out.reserve(ids.size());
  for (auto id : ids) {
    auto d = outbox_detail(id);
    if (!d) return d.error();
    if (*d) out.push_back(std::move(**d));
  }
  return out;
}

Result<std::vector<PaymentRecord>> SqlTx::application_payments(std::string_view application_id) {
  auto st = session_.prepare(q_.application_payments, "application_payments");
  if (!st) return st.error();
  Binder(**st).add(application_id);
  return all_rows<PaymentRecord>(**st, payment_from_row);
}

Result<std::vector<DayPayment>> SqlTx::payments_of_day(std::string_view stmt_date, Instant after_received_at,
                                                       std::string_view after_trx, std::size_t limit) {
  auto st = session_.prepare(q_.payments_of_day, "payments_of_day");
  if (!st) return st.error();
  Binder(**st)
      .add(stmt_date)
      .add(seconds(after_received_at))
      .add(seconds(after_received_at))
      .add(after_trx)
      .add(q_.dialect.limit(limit));
  return all_rows<DayPayment>(**st, [](const Statement& row) -> Result<DayPayment> {
    auto p = payment_from_row(row);
    if (!p) return p.error();
    DayPayment out{std::move(*p), std::nullopt};
    if (auto at = row.optional_int64(9))
      out.settlement = RefundSettlement{out.payment.joebpps_trx, instant(*at), row.text(10), row.text(11)};
    return out;
  });
}

Result<std::vector<core::Application>> SqlTx::open_bills_after(Instant after_due_at, std::int64_t after_seq,
                                                               std::size_t limit) {
  auto st = session_.prepare(q_.open_bills_after, "open_bills_after");
  if (!st) return st.error();
  Binder(**st).add(seconds(after_due_at)).add(seconds(after_due_at)).add(after_seq).add(q_.dialect.limit(limit));
  return all_rows<core::Application>(**st, application_from_row);
}

Result<std::vector<OutboxListItem>> SqlTx::outbox_page(const OutboxQuery& q) {
  std::size_t slot = 0;
  if (q.status) {
    const auto& all = Queries::kOutboxStatuses;
    auto it = std::find(all.begin(), all.end(), *q.status);
    if (it == all.end()) return Error{"invalid_query", "status: pending, sending, sent, delivered or failed"};
    slot = 1 + static_cast<std::size_t>(it - all.begin());
  }
  auto st = session_.prepare(q_.outbox_page[2 * slot + (q.provider ? 1 : 0)], "outbox_page");
  if (!st) return st.error();
  Binder b(**st);
  b.add(q.before_id > 0 ? q.before_id : std::numeric_limits<std::int64_t>::max());
  if (q.provider) b.add(*q.provider);
  b.add(q_.dialect.limit(q.limit));
  return all_rows<OutboxListItem>(**st, [](const Statement& row) -> Result<OutboxListItem> {
    auto m = outbox_from_row(row);
    if (!m) return m.error();
    OutboxListItem item{std::move(*m), std::nullopt, row.int64(17)};
    if (auto done = row.optional_int64(16)) item.done_at = instant(*done);
    return item;
  });
}

Result<std::vector<std::pair<std::string, std::int64_t>>> SqlTx::outbox_status_since(Instant since) {
  auto st = session_.prepare(q_.outbox_status_since, "outbox_status_since");
  if (!st) return st.error();
  // The first slot (schema migration 16) that starts at or after `since`: integer division
  // truncates toward zero here as in both engines' slot expression.
  const std::int64_t from = seconds(since);
  const std::int64_t slot = from / kOutboxCountSlot + (from % kOutboxCountSlot > 0 ? 1 : 0);
  Binder(**st).add(from).add(slot * kOutboxCountSlot).add(slot);
  return all_rows<std::pair<std::string, std::int64_t>>(
      **st, [](const Statement& row) -> Result<std::pair<std::string, std::int64_t>> {
        return std::pair<std::string, std::int64_t>(row.text(0), row.int64(1));
      });
}

Result<ResentSms> SqlTx::resend_failed_sms(std::int64_t id, Instant now) {
  constexpr std::string_view what = "resend_failed_sms";
  if (auto w = writable(what); !w) return w.error();
  ResentSms out;
  {
    auto st = session_.prepare(q_.outbox_resend_row, what);
    if (!st) return st.error();
    (*st)->bind(1, id);
    auto row = (*st)->step();
    if (!row) return row.error();
    if (!*row) return Error{"outbox_not_found", "no outbox message " + std::to_string(id)};
    auto m = outbox_from_row(**st);
    if (!m) return m.error();
    out.failed = std::move(*m);
    out.resent_as = (*st)->int64(16);
  }
  auto stopped = opted_out(out.failed.to);
  if (!stopped) return stopped.error();
  switch (decide_resend(out.failed.status, out.resent_as, *stopped)) {
    case ResendDecision::already:
      out.already = true;
      return out;
    case ResendDecision::not_failed:
      return Error{"not_failed", "message " + std::to_string(id) + " is " + out.failed.status +
                                     ": only a failed message can be resent"};
    case ResendDecision::opted_out:
      return Error{"opted_out", "message " + std::to_string(id) + ": the number sent STOP; nothing is sent to it"};
    case ResendDecision::resend:
      break;
  }
  auto new_id = enqueue(resend_copy(out.failed, now));
  if (!new_id) return new_id.error();
  auto st = session_.prepare(q_.outbox_mark_resent, what);
  if (!st) return st.error();
  Binder(**st).add(*new_id).add(id);
  auto marked = (*st)->run();
  if (!marked) return marked.error();
  if (*marked != 1)
    return Error{"store_error", "resend_failed_sms: message " + std::to_string(id) + " changed meanwhile"};
  out.resent_as = *new_id;
  return out;
}

Result<std::vector<OptOut>> SqlTx::opt_outs_page(Instant before_at, std::int64_t before_id, std::size_t limit) {
  auto st = session_.prepare(before_id > 0 ? q_.opt_outs_before : q_.opt_outs_newest, "opt_outs_page");
  if (!st) return st.error();
  Binder b(**st);
  if (before_id > 0) b.add(seconds(before_at)).add(seconds(before_at)).add(before_id);
  b.add(q_.dialect.limit(limit));
  return all_rows<OptOut>(**st, [](const Statement& row) -> Result<OptOut> {
    return OptOut{row.int64(0), row.text(1), instant(row.int64(2))};
  });
}

Result<std::vector<InboundRecord>> SqlTx::inbound_from(std::string_view provider, std::string_view phone,
                                                       std::int64_t after_id, std::size_t limit) {
  auto st = session_.prepare(q_.inbound_from, "inbound_from");
  if (!st) return st.error();
  Binder(**st).add(provider).add(phone).add(after_id).add(q_.dialect.limit(limit));
  return all_rows<InboundRecord>(**st, [](const Statement& s) -> Result<InboundRecord> {
    InboundRecord r;
    r.id = s.int64(0);
    r.message = InboundMessage{s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), instant(s.int64(6)), s.text(7)};
    return r;
  });
}

Result<std::vector<OutboxMessage>> SqlTx::outbox_to(std::string_view phone, std::int64_t after_id, std::size_t limit) {
  auto st = session_.prepare(q_.outbox_to, "outbox_to");
  if (!st) return st.error();
  Binder(**st).add(after_id).add(phone).add(q_.dialect.limit(limit));
  return all_rows<OutboxMessage>(**st, outbox_from_row);
}

Result<std::int64_t> SqlTx::outbox_last_id() {
  auto st = session_.prepare(q_.outbox_last_id, "outbox_last_id");
  if (!st) return st.error();
  return single_count(**st);
}

}  // namespace cg::store::sql
