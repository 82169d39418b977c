#include "adapters/store/sql/tx.hpp"

#include <utility>

#include "adapters/store/sql/rows.hpp"

namespace cg::store::sql {
namespace {

Error duplicate_course(const core::Course& c) {
  return Error{"duplicate_course", "a course with code '" + c.code + "' exists already"};
}

bool mentions(const Error& e, std::string_view needle) { return e.message.find(needle) != std::string::npos; }

}  // namespace

Status SqlTx::writable(std::string_view what) const {
  if (writable_) return ok_status();
  return Error{"store_error", std::string(what) + " is a write; Store::read() gives a read-only snapshot"};
}

Result<bool> SqlTx::insert_new(Statement& st) {
  auto rows = st.run();
  if (!rows) {
    // Seen before (committed by this or another gateway). Only this statement failed; the
    // transaction goes on.
    if (q_.dialect.insert_unless_present.empty() && st.duplicate_key()) return false;
    return rows.error();
  }
  return *rows > 0;
}

// --- courses ---

Result<std::optional<core::Course>> SqlTx::course(std::int64_t id) {
  if (auto it = courses_seen_.find(id); it != courses_seen_.end()) return std::optional<core::Course>(it->second);
  auto st = session_.prepare(locked(q_.course_by_id, q_.course_by_id_locked), "course");
  if (!st) return st.error();
  (*st)->bind(1, id);
  return remember(first_row<core::Course>(**st, course_from_row));
}

Result<std::optional<core::Course>> SqlTx::course_by_code(std::string_view code) {
  if (auto it = course_ids_by_code_.find(code); it != course_ids_by_code_.end())
    return std::optional<core::Course>(courses_seen_.at(it->second));
  auto st = session_.prepare(locked(q_.course_by_code, q_.course_by_code_locked), "course_by_code");
  if (!st) return st.error();
  (*st)->bind(1, code);
  return remember(first_row<core::Course>(**st, course_from_row));
}

Result<std::vector<core::Course>> SqlTx::courses(const CourseFilter& filter) {
  auto st = session_.prepare(filter.only_open ? q_.courses_open : q_.courses_all, "courses");
  if (!st) return st.error();
  if (filter.only_open) (*st)->bind(1, seconds(filter.now));
  return all_rows<core::Course>(**st, course_from_row);
}

Result<std::int64_t> SqlTx::insert_course(const core::Course& c) {
  if (auto s = writable("insert_course"); !s) return s.error();
  forget_courses();
  auto st = session_.prepare(q_.course_insert, "insert_course");
  if (!st) return st.error();
  Binder b(**st);
  bind_course_fields(b, c);
  if (auto r = (*st)->run(); !r) {
    if ((*st)->duplicate_key() && mentions(r.error(), q_.dialect.course_code_key)) return duplicate_course(c);
    return r.error();
  }
  auto id = session_.last_insert_id();
  if (id && *id <= 0) return Error{"store_error", "insert_course: no id assigned"};
  return id;
}

Status SqlTx::save_course(const core::Course& c) {
  if (auto s = writable("save_course"); !s) return s;
  forget_courses();
  auto st = session_.prepare(q_.course_update, "save_course");
  if (!st) return st.error();
  Binder b(**st);
  bind_course_fields(b, c);
  b.add(c.id);
  auto matched = (*st)->run();
  if (!matched) {
    if ((*st)->duplicate_key() && mentions(matched.error(), q_.dialect.course_code_key)) return duplicate_course(c);
    return matched.error();
  }
  if (*matched == 0) return Error{"store_error", "save_course: no course with id " + std::to_string(c.id)};
  return ok_status();
}

Result<std::optional<core::Course>> SqlTx::remember(Result<std::optional<core::Course>> found) {
  if (found && *found && !courses_written_) {
    const core::Course& c = **found;
    course_ids_by_code_.insert_or_assign(c.code, c.id);
    courses_seen_.insert_or_assign(c.id, c);
  }
  return found;
}

void SqlTx::forget_courses() {
  courses_seen_.clear();
  course_ids_by_code_.clear();
  courses_written_ = true;
}

// --- applications and their history ---

Result<std::optional<core::Application>> SqlTx::application_where(const std::string& query, std::string_view what,
                                                                  std::string_view value) {
  auto st = session_.prepare(query, what);
  if (!st) return st.error();
  (*st)->bind(1, value);
  return first_row<core::Application>(**st, application_from_row);
}

Result<std::optional<core::Application>> SqlTx::application(std::string_view id) {
  return application_where(locked(q_.application_by_id, q_.application_by_id_locked), "application", id);
}

Result<std::optional<core::Application>> SqlTx::application_by_exam_token(std::string_view token) {
  return application_where(locked(q_.application_by_token, q_.application_by_token_locked), "application_by_exam_token",
                           token);
}

Result<std::optional<core::Application>> SqlTx::application_by_billing_number(std::string_view number) {
  return application_where(locked(q_.application_by_billing, q_.application_by_billing_locked),
                           "application_by_billing_number", number);
}

Result<std::vector<core::Application>> SqlTx::applications(std::int64_t course_id,
                                                           std::span<const core::ApplicationState> states,
                                                           std::size_t limit) {
  if (states.empty()) return std::vector<core::Application>{};
  auto st = session_.prepare(q_.applications_in_states(states.size()), "applications");
  if (!st) return st.error();
  Binder b(**st);
  b.add(course_id);
  for (auto s : states) b.add(core::to_string(s));
  b.add(q_.dialect.limit(limit));
  return all_rows<core::Application>(**st, application_from_row);
}

Result<std::vector<core::Application>> SqlTx::live_applications_of(core::IdType type, std::string_view id_number) {
  auto st = session_.prepare(q_.applications_live, "live_applications_of");
  if (!st) return st.error();
  Binder(**st).add(core::to_string(type)).add(id_number);
  return all_rows<core::Application>(**st, application_from_row);
}

Result<std::vector<core::Application>> SqlTx::applications_by_phone(std::string_view phone, std::size_t limit) {
  auto st = session_.prepare(q_.applications_by_phone, "applications_by_phone");
  if (!st) return st.error();
  Binder(**st).add(phone).add(q_.dialect.limit(limit));
  return all_rows<core::Application>(**st, application_from_row);
}

namespace {
Result<RecentApplications> recent_from(Statement& st) {
  auto row = st.step();
  if (!row) return row.error();
  RecentApplications out;
  if (!*row) return out;
  out.count = st.int64(0);
  if (auto oldest = st.optional_int64(1)) out.oldest = instant(*oldest);
  return out;
}
}  // namespace

Result<RecentApplications> SqlTx::applications_by_phone_since(std::string_view phone, Instant since) {
  auto st = session_.prepare(q_.applications_by_phone_since, "applications_by_phone_since");
  if (!st) return st.error();
  Binder(**st).add(phone).add(seconds(since));
  return recent_from(**st);
}

Result<RecentApplications> SqlTx::applications_of_document_since(core::IdType type, std::string_view id_number,
                                                                 Instant since) {
  auto st = session_.prepare(q_.applications_of_document_since, "applications_of_document_since");
  if (!st) return st.error();
  Binder(**st).add(core::to_string(type)).add(id_number).add(seconds(since));
  return recent_from(**st);
}

Result<std::vector<core::Application>> SqlTx::bills_due(Instant now, std::size_t limit) {
  auto st = session_.prepare(q_.bills_due, "bills_due");
  if (!st) return st.error();
  Binder(**st).add(seconds(now)).add(q_.dialect.limit(limit));
  return all_rows<core::Application>(**st, application_from_row);
}

Status SqlTx::insert_application(const core::Application& a) {
  if (auto s = writable("insert_application"); !s) return s;
  auto st = session_.prepare(q_.application_insert, "insert_application");
  if (!st) return st.error();
  Binder b(**st);
  b.add(a.id);
  bind_application_fields(b, a);
  if (auto r = (*st)->run(); !r) return r.error();
  return ok_status();
}

Status SqlTx::save_application(const core::Application& a) {
  if (auto s = writable("save_application"); !s) return s;
  auto st = session_.prepare(q_.application_update, "save_application");
  if (!st) return st.error();
  Binder b(**st);
  bind_application_fields(b, a);
  b.add(a.id);
  auto matched = (*st)->run();
  if (!matched) return matched.error();
  if (*matched == 0) return Error{"store_error", "save_application: no application " + a.id};
  return ok_status();
}

Result<std::int64_t> SqlTx::next_sequence(std::string_view name) {
  if (auto s = writable("next_sequence"); !s) return s.error();
  if (q_.dialect.sequence_by_upsert) {
    auto up = session_.prepare(q_.sequence_upsert, "next_sequence");
    if (!up) return up.error();
    (*up)->bind(1, name);
    if (auto r = (*up)->run(); !r) return r.error();
  } else {
    auto bump = session_.prepare(q_.sequence_bump, "next_sequence");
    if (!bump) return bump.error();
    (*bump)->bind(1, name);
    auto changed = (*bump)->run();
    if (!changed) return changed.error();
    if (*changed == 0) {
      // The single writer, inside its transaction: nobody can insert the row meanwhile.
      auto first = session_.prepare(q_.sequence_first, "next_sequence");
      if (!first) return first.error();
      (*first)->bind(1, name);
      if (auto r = (*first)->run(); !r) return r.error();
      return std::int64_t{1};
    }
  }
  auto read = session_.prepare(q_.sequence_value, "next_sequence");
  if (!read) return read.error();
  (*read)->bind(1, name);
  auto row = (*read)->step();
  if (!row) return row.error();
  if (!*row) return Error{"store_error", "next_sequence: no row for " + std::string(name)};
  return (*read)->int64(0);
}

Status SqlTx::add_history(const core::HistoryEntry& h) {
  if (auto s = writable("add_history"); !s) return s;
  auto st = session_.prepare(q_.history_insert, "add_history");
  if (!st) return st.error();
  Binder b(**st);
  b.add(h.application_id).add(seconds(h.at));
  if (h.from)
    b.add(core::to_string(*h.from));
  else
    b.null();
  b.add(core::to_string(h.to)).add(h.step).add(h.event);
  if (auto r = (*st)->run(); !r) return r.error();
  return ok_status();
}

Result<std::vector<core::HistoryEntry>> SqlTx::history(std::string_view application_id) {
  auto st = session_.prepare(q_.history_select, "history");
  if (!st) return st.error();
  (*st)->bind(1, application_id);
  return all_rows<core::HistoryEntry>(**st, history_from_row);
}

// --- prerequisite passes ---

Result<bool> SqlTx::has_pass(core::IdType type, std::string_view id_number, std::string_view prerequisite) {
  auto st = session_.prepare(q_.pass_select, "has_pass");
  if (!st) return st.error();
  Binder(**st).add(core::to_string(type)).add(id_number).add(prerequisite);
  return (*st)->step();
}

Status SqlTx::add_pass(const core::PrerequisitePass& p, Instant at) {
  if (auto s = writable("add_pass"); !s) return s;
  auto st = session_.prepare(q_.pass_insert, "add_pass");
  if (!st) return st.error();
  Binder(**st).add(core::to_string(p.id_type)).add(p.id_number).add(p.prerequisite).add(p.source).add(seconds(at));
  if (auto r = insert_new(**st); !r) return r.error();  // a pass recorded twice keeps the first record
  return ok_status();
}

// --- inbound SMS, sessions, opt-outs ---

Result<bool> SqlTx::record_inbound(const InboundMessage& m) {
  if (auto s = writable("record_inbound"); !s) return s.error();
  auto st = session_.prepare(q_.inbound_insert, "record_inbound");
  if (!st) return st.error();
  Binder(**st)
      .add(m.provider)
      .add(m.provider_message_id)
      .add(m.from)
      .add(m.to)
      .add(m.text)
      .add(seconds(m.received_at))
      .add(m.outcome);
  return insert_new(**st);
}

Result<std::optional<SessionRecord>> SqlTx::session(std::string_view key) {
  auto st = session_.prepare(locked(q_.session_select, q_.session_select_locked), "session");
  if (!st) return st.error();
  (*st)->bind(1, key);
  return first_row<SessionRecord>(**st, [](const Statement& r) -> Result<SessionRecord> {
    return SessionRecord{r.text(0), r.text(1), instant(r.int64(2))};
  });
}

Status SqlTx::save_session(const SessionRecord& s) {
  if (auto w = writable("save_session"); !w) return w;
  auto st = session_.prepare(q_.session_upsert, "save_session");
  if (!st) return st.error();
  Binder(**st).add(s.key).add(s.state).add(seconds(s.updated_at));
  if (auto r = (*st)->run(); !r) return r.error();
  return ok_status();
}

Result<std::int64_t> SqlTx::delete_sessions_before(std::string_view prefix, Instant cutoff) {
  if (auto s = writable("delete_sessions_before"); !s) return s.error();
  auto st = session_.prepare(q_.sessions_delete, "delete_sessions_before");
  if (!st) return st.error();
  const std::string pattern = q_.dialect.prefix_parameter(prefix);
  Binder(**st).add(pattern).add(seconds(cutoff));
  return (*st)->run();
}

Result<std::vector<SessionRecord>> SqlTx::sessions_between(std::string_view prefix, Instant from, Instant to,
                                                           std::size_t limit) {
  auto st = session_.prepare(q_.sessions_select_between, "sessions_between");
  if (!st) return st.error();
  const std::string pattern = q_.dialect.prefix_parameter(prefix);
  Binder(**st).add(pattern).add(seconds(from)).add(seconds(to)).add(q_.dialect.limit(limit));
  return all_rows<SessionRecord>(**st, [](const Statement& r) -> Result<SessionRecord> {
    return SessionRecord{r.text(0), r.text(1), instant(r.int64(2))};
  });
}

Result<bool> SqlTx::opted_out(std::string_view phone) {
  auto st = session_.prepare(q_.opt_out_select, "opted_out");
  if (!st) return st.error();
  (*st)->bind(1, phone);
  return (*st)->step();
}

Status SqlTx::set_opted_out(std::string_view phone, bool opted_out, Instant at) {
  if (auto s = writable("set_opted_out"); !s) return s;
  if (!opted_out) {
    auto st = session_.prepare(q_.opt_out_delete, "set_opted_out");
    if (!st) return st.error();
    (*st)->bind(1, phone);
    if (auto r = (*st)->run(); !r) return r.error();
    return ok_status();
  }
  {
    auto st = session_.prepare(q_.opt_out_insert, "set_opted_out");
    if (!st) return st.error();
    Binder(**st).add(phone).add(seconds(at));
    if (auto r = insert_new(**st); !r) return r.error();  // opting out twice keeps the first time
  }
  auto withdraw = session_.prepare(q_.opt_out_withdraw, "set_opted_out");
  if (!withdraw) return withdraw.error();
  Binder(**withdraw).add(seconds(at)).add(phone);
  if (auto r = (*withdraw)->run(); !r) return r.error();
  return ok_status();
}

// --- payments ---

Result<std::optional<PaymentRecord>> SqlTx::payment(std::string_view joebpps_trx) {
  auto st = session_.prepare(q_.payment_select, "payment");
  if (!st) return st.error();
  (*st)->bind(1, joebpps_trx);
  return first_row<PaymentRecord>(**st, payment_from_row);
}

Status SqlTx::insert_payment(const PaymentRecord& p) {
  if (auto s = writable("insert_payment"); !s) return s;
  auto st = session_.prepare(q_.payment_insert, "insert_payment");
  if (!st) return st.error();
  Binder b(**st);
  bind_payment(b, p);
  if (auto r = (*st)->run(); !r) {
    if ((*st)->duplicate_key()) return Error{"duplicate_payment", "payment " + p.joebpps_trx + " is recorded already"};
    return r.error();
  }
  return ok_status();
}

Result<std::vector<PaymentRecord>> SqlTx::payments_by_stmt_date(std::string_view from, std::string_view to,
                                                                std::size_t limit) {
  auto st = session_.prepare(q_.payments_by_stmt_date, "payments_by_stmt_date");
  if (!st) return st.error();
  Binder(**st).add(from).add(to).add(q_.dialect.limit(limit));
  return all_rows<PaymentRecord>(**st, payment_from_row);
}

Result<std::vector<PaymentTotal>> SqlTx::payment_totals(std::string_view from, std::string_view to) {
  auto st = session_.prepare(q_.payment_totals, "payment_totals");
  if (!st) return st.error();
  Binder(**st).add(from).add(to);
  return all_rows<PaymentTotal>(**st, [](const Statement& r) -> Result<PaymentTotal> {
    return PaymentTotal{r.text(0), r.text(1), r.int64(2), core::Fils{r.int64(3)}};
  });
}

Result<std::vector<core::Application>> SqlTx::open_bills(std::size_t limit) {
  auto st = session_.prepare(q_.open_bills, "open_bills");
  if (!st) return st.error();
  (*st)->bind(1, q_.dialect.limit(limit));
  return all_rows<core::Application>(**st, application_from_row);
}

Result<OpenBillTotals> SqlTx::open_bill_totals() {
  auto st = session_.prepare(q_.open_bill_totals, "open_bill_totals");
  if (!st) return st.error();
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return Error{"store_error", "open_bill_totals: no row"};
  return OpenBillTotals{(*st)->int64(0), core::Fils{(*st)->int64(1)}};
}

// --- events ---

Result<bool> SqlTx::record_event(std::string_view source, std::string_view key, std::string_view summary, Instant at) {
  if (auto s = writable("record_event"); !s) return s.error();
  auto st = session_.prepare(q_.event_insert, "record_event");
  if (!st) return st.error();
  Binder(**st).add(source).add(key).add(summary).add(seconds(at));
  return insert_new(**st);
}

Result<std::optional<std::string>> SqlTx::event_summary(std::string_view source, std::string_view key) {
  auto st = session_.prepare(q_.event_summary, "event_summary");
  if (!st) return st.error();
  Binder(**st).add(source).add(key);
  return first_row<std::string>(**st, [](const Statement& r) -> Result<std::string> { return r.text(0); });
}

// --- retention ---

Result<std::int64_t> SqlTx::purge_before(PurgeKind kind, Instant cutoff, std::size_t limit) {
  if (auto s = writable("purge_before"); !s) return s.error();
  if (limit == 0) return Error{"store_error", "purge_before: a batch of 0 rows would delete everything at once"};
  if (kind == PurgeKind::outbox) return purge_finished_outbox(cutoff, limit);
  const std::string* sql = nullptr;
  switch (kind) {
    case PurgeKind::inbound_messages:
      sql = &q_.purge_inbound;
      break;
    case PurgeKind::channel_log:
      sql = &q_.purge_channel_log;
      break;
    case PurgeKind::delivery_reports:
      sql = &q_.purge_delivery_reports;
      break;
    case PurgeKind::sessions:
      sql = &q_.purge_sessions;
      break;
    case PurgeKind::events:
      sql = &q_.purge_events;
      break;
    case PurgeKind::outbox:
      break;
  }
  if (!sql) return Error{"store_error", "purge_before: unknown kind"};
  auto st = session_.prepare(*sql, "purge_before");
  if (!st) return st.error();
  Binder(**st).add(seconds(cutoff)).add(q_.dialect.limit(limit));
  return (*st)->run();
}

// The batch is chosen first, then each row goes after what names it (the foreign keys of
// delivery_reports and channel_log): one statement per table per row, which both engines run
// alike (MariaDB takes no LIMIT in a subquery, and no ORDER BY or LIMIT in a multi-table DELETE).
Result<std::int64_t> SqlTx::purge_finished_outbox(Instant cutoff, std::size_t limit) {
  std::vector<std::int64_t> ids;
  {
    auto st = session_.prepare(q_.purge_outbox_finished, "purge_before(outbox)");
    if (!st) return st.error();
    Binder(**st).add(seconds(cutoff)).add(q_.dialect.limit(limit));
    auto rows = all_rows<std::int64_t>(**st, [](const Statement& r) -> Result<std::int64_t> { return r.int64(0); });
    if (!rows) return rows.error();
    ids = std::move(*rows);
  }
  std::int64_t purged = 0;
  for (std::int64_t id : ids) {
    for (const std::string* sql : {&q_.purge_outbox_reports, &q_.purge_outbox_log, &q_.purge_outbox_row}) {
      auto st = session_.prepare(*sql, "purge_before(outbox)");
      if (!st) return st.error();
      (*st)->bind(1, id);
      auto n = (*st)->run();
      if (!n) return n.error();
      if (sql == &q_.purge_outbox_row) purged += *n;
    }
  }
  return purged;
}

}  // namespace cg::store::sql
