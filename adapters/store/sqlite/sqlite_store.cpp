// The SQLite store: one writer thread owning the write connection (group commit), one thread
// running the callbacks of committed commands, a small pool of read-only connections for
// snapshots, and the schema migrations applied at open.
#include "adapters/store/sqlite/sqlite_store.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adapters/store/columns.hpp"
#include "adapters/store/sqlite/connection.hpp"

namespace cg::store {
namespace sqlite {
namespace {

std::int64_t seconds(Instant t) { return t.time_since_epoch().count(); }
Instant instant(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }

// SQLite reads LIMIT -1 as "no limit"; the interface's 0 means the same.
std::int64_t limit_param(std::size_t limit) {
  if (limit == 0 || limit > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())) return -1;
  return static_cast<std::int64_t>(limit);
}

Error unavailable() { return Error{"store_unavailable", "the store is closed"}; }

Error corrupt(std::string_view table, std::string_view column, std::string_view value) {
  return Error{"store_error", "unreadable row in " + std::string(table) + ": " + std::string(column) + " = '" +
                                  std::string(value) + "'"};
}

// Column order is the bind order: column k is parameter ?k+1 in every statement below.
using namespace columns;  // kCourseColumns, kApplicationColumns, ... (adapters/store/columns.hpp)

// INSERT of columns[first..], each as its own numbered parameter.
template <std::size_t N>
std::string insert_sql(std::string_view table, const std::array<std::string_view, N>& columns, std::size_t first) {
  std::string names, values;
  for (std::size_t k = first; k < N; ++k) {
    if (k > first) names += ", ", values += ", ";
    names += columns[k];
    values += "?" + std::to_string(k + 1);
  }
  return "INSERT INTO " + std::string(table) + " (" + names + ") VALUES (" + values + ")";
}

// UPDATE of every column but the first, which is the key.
template <std::size_t N>
std::string update_sql(std::string_view table, const std::array<std::string_view, N>& columns) {
  std::string sets;
  for (std::size_t k = 1; k < N; ++k) {
    if (k > 1) sets += ", ";
    sets += std::string(columns[k]) + " = ?" + std::to_string(k + 1);
  }
  return "UPDATE " + std::string(table) + " SET " + sets + " WHERE " + std::string(columns[0]) + " = ?1";
}

std::string quoted_live_states() {
  std::string out;
  for (auto s : core::kAllApplicationStates)
    if (core::is_live(s)) {
      if (!out.empty()) out += ", ";
      out += "'" + std::string(core::to_string(s)) + "'";
    }
  return out;
}

// Every statement the store runs, built once; each connection prepares and caches them on first use.
struct Sql {
  std::string course_select = "SELECT " + column_list(kCourseColumns) + " FROM courses";
  std::string course_by_id = course_select + " WHERE id = ?1";
  std::string course_by_code = course_select + " WHERE code = ?1";
  std::string courses_all = course_select + " ORDER BY start_at, id";
  std::string courses_open = course_select + " WHERE status = 'open' AND start_at > ?1 ORDER BY start_at, id";
  std::string course_insert = insert_sql("courses", kCourseColumns, 1);
  std::string course_update = update_sql("courses", kCourseColumns);

  std::string application_select = "SELECT " + column_list(kApplicationColumns) + " FROM applications";
  std::string application_by_id = application_select + " WHERE id = ?1";
  std::string application_by_token = application_select + " WHERE exam_token = ?1";
  std::string application_by_billing = application_select + " WHERE billing_number = ?1";
  std::string applications_live = application_select + " WHERE id_type = ?1 AND id_number = ?2 AND state IN (" +
                                  quoted_live_states() + ") ORDER BY seq";
  std::string applications_by_phone =
      application_select + " WHERE phone = ?1 ORDER BY created_at DESC, seq DESC LIMIT ?2";
  // The literal state matches the partial index applications_bills_due.
  std::string bills_due =
      application_select + " WHERE state = 'awaiting_payment' AND bill_due_at <= ?1 ORDER BY bill_due_at, seq LIMIT ?2";
  std::string application_insert = insert_sql("applications", kApplicationColumns, 0);
  std::string application_update = update_sql("applications", kApplicationColumns);

  // The sequence's row exists but the first time: a plain UPDATE, then reading the value back, is
  // the common path. (RETURNING would be one statement, but SQLite collects its rows in a temporary
  // b-tree it builds and frees each time: that was a tenth of the writer's time per application.)
  std::string bump_sequence = "UPDATE sequences SET value = value + 1 WHERE name = ?1";
  std::string read_sequence = "SELECT value FROM sequences WHERE name = ?1";
  std::string first_sequence = "INSERT INTO sequences (name, value) VALUES (?1, 1)";

  std::string history_insert =
      "INSERT INTO history (application_id, at, from_state, to_state, step, event) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  std::string history_select =
      "SELECT application_id, at, from_state, to_state, step, event FROM history WHERE application_id = ?1 "
      "ORDER BY id";

  std::string pass_select = "SELECT 1 FROM passes WHERE id_type = ?1 AND id_number = ?2 AND prerequisite = ?3";
  // A pass recorded twice keeps the first record (when and how it was first proven).
  std::string pass_insert =
      "INSERT INTO passes (id_type, id_number, prerequisite, source, at) VALUES (?1, ?2, ?3, ?4, ?5) "
      "ON CONFLICT DO NOTHING";

  std::string outbox_select = "SELECT " + column_list(kOutboxColumns) + " FROM outbox";
  std::string outbox_insert = insert_sql("outbox", kOutboxColumns, 1);
  // Claims in one statement: the due rows, in the order of the (partial) outbox_due index, get
  // their lease and come back as they are after it.
  std::string outbox_claim = "UPDATE outbox SET status = 'sending', next_attempt_at = ?3 WHERE id IN (SELECT id FROM "
                             "outbox WHERE status IN ('pending', 'sending') AND next_attempt_at <= ?1 "
                             "ORDER BY next_attempt_at, id LIMIT ?2) RETURNING " +
                             column_list(kOutboxColumns);
  // `attempts` counts finished attempts, so a claimed row shows how many came before this one; a
  // lease that ran out (the dispatcher died mid-send) is not counted. A delivery report may have
  // arrived before mark_sent; it is not taken back.
  std::string outbox_sent =
      "UPDATE outbox SET status = CASE status WHEN 'delivered' THEN 'delivered' ELSE 'sent' END, "
      "attempts = attempts + 1, provider = ?2, provider_message_id = ?3, done_at = ?4 WHERE id = ?1";
  // A message already sent (by another dispatcher after this one's lease ran out) stays sent.
  std::string outbox_retry =
      "UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 "
      "WHERE id = ?1 AND status NOT IN ('sent', 'delivered')";
  std::string outbox_failed =
      "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?2, done_at = ?3 "
      "WHERE id = ?1 AND status NOT IN ('sent', 'delivered')";
  std::string outbox_exists = "SELECT 1 FROM outbox WHERE id = ?1";
  std::string outbox_by_status = "SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status";
  std::string outbox_by_provider =
      "SELECT provider, COUNT(*) FROM outbox WHERE provider <> '' GROUP BY provider ORDER BY provider";
  std::string outbox_oldest_pending = "SELECT MIN(created_at) FROM outbox WHERE status IN ('pending', 'sending')";

  std::string event_insert =
      "INSERT INTO events (source, key, summary, at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING";

  std::string event_summary = "SELECT summary FROM events WHERE source = ?1 AND key = ?2";

  std::string payment_select = "SELECT " + column_list(kPaymentColumns) + " FROM payments WHERE joebpps_trx = ?1";
  std::string payment_insert = insert_sql("payments", kPaymentColumns, 0);

  // --- payments (issue 6) --- STMTDate is yyyy-MM-dd text, so text order is date order.
  std::string payments_by_stmt_date = "SELECT " + column_list(kPaymentColumns) +
                                      " FROM payments WHERE stmt_date >= ?1 AND stmt_date <= ?2 "
                                      "ORDER BY stmt_date, received_at, joebpps_trx LIMIT ?3";
  std::string payment_totals =
      "SELECT stmt_date, outcome, COUNT(*), SUM(paid_fils) FROM payments WHERE stmt_date >= ?1 AND stmt_date <= ?2 "
      "GROUP BY stmt_date, outcome ORDER BY stmt_date, outcome";
  // The literal state matches the partial index applications_bills_due.
  std::string open_bills =
      application_select + " WHERE state = 'awaiting_payment' ORDER BY bill_due_at, seq LIMIT ?1";
  std::string open_bill_totals =
      "SELECT COUNT(*), COALESCE(SUM(bill_amount_fils), 0) FROM applications WHERE state = 'awaiting_payment'";

  // --- SMS/USSD conversation (issue 4) ---
  std::string inbound_insert =
      "INSERT INTO inbound_messages (provider, provider_message_id, from_number, to_number, body, received_at, "
      "outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";
  std::string session_select = "SELECT session_key, state, updated_at FROM sessions WHERE session_key = ?1";
  std::string session_upsert =
      "INSERT INTO sessions (session_key, state, updated_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (session_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at";
  // The prefix is matched with substr rather than LIKE, so '_' and '%' in keys mean nothing.
  std::string sessions_delete =
      "DELETE FROM sessions WHERE substr(session_key, 1, length(?1)) = ?1 AND updated_at < ?2";
  std::string opt_out_select = "SELECT 1 FROM sms_opt_outs WHERE phone = ?1";
  std::string opt_out_insert = "INSERT INTO sms_opt_outs (phone, at) VALUES (?1, ?2) ON CONFLICT DO NOTHING";
  std::string opt_out_delete = "DELETE FROM sms_opt_outs WHERE phone = ?1";
  // What was queued for a number before it said STOP and has not been handed to a provider is not
  // sent (SPEC §3); a row a dispatcher is sending right now is past recall.
  std::string opt_out_withdraw =
      "UPDATE outbox SET status = 'failed', last_error = 'opted_out: the number sent STOP first', done_at = ?2 "
      "WHERE status = 'pending' AND to_number = ?1";

  // --- outbound delivery (issue 5) ---
  // Only a row still pending or sending takes an outcome: what a provider accepted stays accepted.
  std::string outcome_sent =
      "UPDATE outbox SET status = 'sent', attempts = attempts + 1, provider = ?2, provider_message_id = ?3, "
      "last_error = '', done_at = ?4 WHERE id = ?1 AND status IN ('pending', 'sending')";
  // A delivery report got there first: keep its status, fill in who sent it.
  std::string outcome_sent_late =
      "UPDATE outbox SET provider = CASE WHEN provider = '' THEN ?2 ELSE provider END, "
      "provider_message_id = CASE WHEN provider_message_id = '' THEN ?3 ELSE provider_message_id END WHERE id = ?1";
  std::string outcome_retry =
      "UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3 "
      "WHERE id = ?1 AND status IN ('pending', 'sending')";
  std::string outcome_failed =
      "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?2, done_at = ?3 "
      "WHERE id = ?1 AND status IN ('pending', 'sending')";
  std::string channel_log_insert =
      "INSERT INTO channel_log (outbox_id, provider, request, response, http_status, outcome, elapsed_ms, at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
  std::string channel_log_select =
      "SELECT outbox_id, provider, request, response, http_status, outcome, elapsed_ms, at FROM channel_log "
      "WHERE outbox_id = ?1 ORDER BY id";
  // "provider_message_id <> ''" lets SQLite use the partial index (the caller never asks for '').
  std::string delivery_row_by_message =
      "SELECT id, status, delivery_status, provider, provider_message_id FROM outbox "
      "WHERE provider = ?1 AND provider_message_id = ?2 AND provider_message_id <> '' ORDER BY id LIMIT 1";
  std::string delivery_row_by_id =
      "SELECT id, status, delivery_status, provider, provider_message_id FROM outbox WHERE id = ?1";
  std::string delivery_update =
      "UPDATE outbox SET status = ?2, delivery_status = ?3, delivery_error = ?4, delivery_at = ?5, "
      "last_error = ?6, provider = ?7, provider_message_id = ?8, done_at = COALESCE(done_at, ?9) WHERE id = ?1";
  std::string delivery_report_insert =
      "INSERT INTO delivery_reports (outbox_id, provider, provider_message_id, status, error_code, detail, at) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
  std::string delivery_report_select =
      "SELECT outbox_id, provider, provider_message_id, status, error_code, detail, at FROM delivery_reports "
      "WHERE outbox_id = ?1 ORDER BY id";
  std::string outbox_one = outbox_select + " WHERE id = ?1";
  std::string outbox_delivery_select =
      "SELECT delivery_status, delivery_error, delivery_at, done_at, last_error FROM outbox WHERE id = ?1";
};

const Sql& sql() {
  static const Sql s;
  return s;
}

// The statements of `applications()` differ only in how many states they list.
std::string applications_in_states_sql(std::size_t count) {
  std::string out = sql().application_select + " WHERE course_id = ?1 AND state IN (";
  for (std::size_t i = 0; i < count; ++i) {
    if (i) out += ", ";
    out += "?" + std::to_string(i + 3);
  }
  return out + ") ORDER BY seq LIMIT ?2";
}

Result<core::Course> course_from_row(const Statement& st) {
  core::Course c;
  c.id = st.int64(0);
  c.code = st.text(1);
  c.title.ar = st.text(2);
  c.title.en = st.text(3);
  c.location = st.text(4);
  c.start_at = instant(st.int64(5));
  c.end_at = instant(st.int64(6));
  c.decision_at = instant(st.int64(7));
  c.min_participants = static_cast<int>(st.int64(8));
  if (auto capacity = st.optional_int64(9)) c.capacity = static_cast<int>(*capacity);
  c.fee = core::Fils{st.int64(10)};
  c.prerequisite = st.optional_text(11);
  c.exam_url = st.text(12);
  c.evaluation_url = st.text(13);
  std::string status = st.text(14);
  if (!core::parse_course_status(status, c.status)) return corrupt("courses", "status", status);
  c.quorum_reached = st.int64(15) != 0;
  c.reminder_sent = st.int64(16) != 0;
  for (std::size_t i = 0; i < core::kApplicationStateCount; ++i)
    c.tally.by_state[i] = static_cast<int>(st.int64(static_cast<int>(kFirstTallyColumn + i)));
  return c;
}

// Binds ?2..?26 (everything but the id).
void bind_course(Statement& st, const core::Course& c) {
  st.bind(2, c.code);
  st.bind(3, c.title.ar);
  st.bind(4, c.title.en);
  st.bind(5, c.location);
  st.bind(6, seconds(c.start_at));
  st.bind(7, seconds(c.end_at));
  st.bind(8, seconds(c.decision_at));
  st.bind(9, std::int64_t{c.min_participants});
  if (c.capacity)
    st.bind(10, std::int64_t{*c.capacity});
  else
    st.bind_null(10);
  st.bind(11, c.fee.value);
  st.bind(12, c.prerequisite);
  st.bind(13, c.exam_url);
  st.bind(14, c.evaluation_url);
  st.bind(15, core::to_string(c.status));
  st.bind(16, std::int64_t{c.quorum_reached ? 1 : 0});
  st.bind(17, std::int64_t{c.reminder_sent ? 1 : 0});
  for (std::size_t i = 0; i < core::kApplicationStateCount; ++i)
    st.bind(static_cast<int>(kFirstTallyColumn + i + 1), std::int64_t{c.tally.by_state[i]});
}

Result<core::Application> application_from_row(const Statement& st) {
  core::Application a;
  a.id = st.text(0);
  a.course_id = st.int64(1);
  a.seq = st.int64(2);
  a.applicant.phone = st.text(3);
  a.applicant.name = st.text(4);
  std::string id_type = st.text(5);
  auto type = core::parse_id_type(id_type);
  if (!type) return corrupt("applications", "id_type", id_type);
  a.applicant.id_type = *type;
  a.applicant.id_number = st.text(6);
  a.applicant.nationality = st.text(7);
  std::string language = st.text(8);
  if (!core::parse_language(language, a.applicant.language)) return corrupt("applications", "language", language);
  a.channel = st.text(9);
  std::string state = st.text(10);
  if (!core::parse_application_state(state, a.state)) return corrupt("applications", "state", state);
  a.created_at = instant(st.int64(11));
  a.updated_at = instant(st.int64(12));
  a.exam_token = st.optional_text(13);
  if (!st.is_null(14)) {
    a.bill = core::Bill{st.text(14), core::Fils{st.int64(15)}, instant(st.int64(16)), instant(st.int64(17))};
  }
  return a;
}

void bind_application(Statement& st, const core::Application& a) {
  st.bind(1, a.id);
  st.bind(2, a.course_id);
  st.bind(3, a.seq);
  st.bind(4, a.applicant.phone);
  st.bind(5, a.applicant.name);
  st.bind(6, core::to_string(a.applicant.id_type));
  st.bind(7, a.applicant.id_number);
  st.bind(8, a.applicant.nationality);
  st.bind(9, core::to_string(a.applicant.language));
  st.bind(10, a.channel);
  st.bind(11, core::to_string(a.state));
  st.bind(12, seconds(a.created_at));
  st.bind(13, seconds(a.updated_at));
  st.bind(14, a.exam_token);
  if (a.bill) {
    st.bind(15, a.bill->billing_number);
    st.bind(16, a.bill->amount.value);
    st.bind(17, seconds(a.bill->issued_at));
    st.bind(18, seconds(a.bill->due_at));
  } else {
    for (int i = 15; i <= 18; ++i) st.bind_null(i);
  }
}

Result<OutboxMessage> outbox_from_row(const Statement& st) {
  OutboxMessage m;
  m.id = st.int64(0);
  m.application_id = st.text(1);
  m.to = st.text(2);
  m.text = st.text(3);
  m.template_name = st.text(4);
  std::string language = st.text(5);
  if (!core::parse_language(language, m.language)) return corrupt("outbox", "language", language);
  m.step = st.text(6);
  m.segments = static_cast<int>(st.int64(7));
  m.created_at = instant(st.int64(8));
  m.status = st.text(9);
  m.attempts = static_cast<int>(st.int64(10));
  m.next_attempt_at = instant(st.int64(11));
  m.provider = st.text(12);
  m.provider_message_id = st.text(13);
  m.last_error = st.text(14);
  return m;
}

Result<PaymentRecord> payment_from_row(const Statement& st) {
  PaymentRecord p;
  p.joebpps_trx = st.text(0);
  p.billing_number = st.text(1);
  p.application_id = st.text(2);
  p.paid = core::Fils{st.int64(3)};
  p.due = core::Fils{st.int64(4)};
  p.process_date = st.text(5);
  p.stmt_date = st.text(6);
  p.outcome = st.text(7);
  p.received_at = instant(st.int64(8));
  return p;
}

Result<core::HistoryEntry> history_from_row(const Statement& st) {
  core::HistoryEntry h;
  h.application_id = st.text(0);
  h.at = instant(st.int64(1));
  if (auto from = st.optional_text(2)) {
    core::ApplicationState s;
    if (!core::parse_application_state(*from, s)) return corrupt("history", "from_state", *from);
    h.from = s;
  }
  std::string to = st.text(3);
  if (!core::parse_application_state(to, h.to)) return corrupt("history", "to_state", to);
  h.step = st.text(4);
  h.event = st.text(5);
  return h;
}

// Every row of `st`, mapped.
template <class T, class F>
Result<std::vector<T>> all_rows(Statement& st, F from_row) {
  std::vector<T> out;
  for (;;) {
    auto row = st.step();
    if (!row) return row.error();
    if (!*row) return out;
    Result<T> value = from_row(st);
    if (!value) return value.error();
    out.push_back(std::move(*value));
  }
}

// The first row of `st`, mapped, or none.
template <class T, class F>
Result<std::optional<T>> first_row(Statement& st, F from_row) {
  auto row = st.step();
  if (!row) return row.error();
  if (!*row) return std::optional<T>{};
  Result<T> value = from_row(st);
  if (!value) return value.error();
  return std::optional<T>(std::move(*value));
}

bool message_mentions(sqlite3* db, std::string_view needle) {
  return std::string_view(sqlite3_errmsg(db)).find(needle) != std::string_view::npos;
}

class SqliteTx final : public Tx {
 public:
  SqliteTx(Connection& conn, bool writable) : conn_(conn), writable_(writable) {}

  // The writer's Tx lives across transactions: what it remembered of the last one is dropped
  // before the next BEGIN.
  void transaction_begins() {
    forget_courses();
    courses_written_ = false;
  }

  Result<std::optional<core::Course>> course(std::int64_t id) override {
    if (auto it = courses_seen_.find(id); it != courses_seen_.end()) return std::optional<core::Course>(it->second);
    auto st = conn_.prepare(sql().course_by_id, "course");
    if (!st) return st.error();
    st->bind(1, id);
    return remember(first_row<core::Course>(*st, course_from_row));
  }

  Result<std::optional<core::Course>> course_by_code(std::string_view code) override {
    if (auto it = course_ids_by_code_.find(code); it != course_ids_by_code_.end())
      return std::optional<core::Course>(courses_seen_.at(it->second));
    auto st = conn_.prepare(sql().course_by_code, "course_by_code");
    if (!st) return st.error();
    st->bind(1, code);
    return remember(first_row<core::Course>(*st, course_from_row));
  }

  Result<std::vector<core::Course>> courses(const CourseFilter& filter) override {
    auto st = conn_.prepare(filter.only_open ? sql().courses_open : sql().courses_all, "courses");
    if (!st) return st.error();
    if (filter.only_open) st->bind(1, seconds(filter.now));
    return all_rows<core::Course>(*st, course_from_row);
  }

  Result<std::int64_t> insert_course(const core::Course& c) override {
    if (auto s = writable("insert_course"); !s) return s.error();
    forget_courses();
    auto st = conn_.prepare(sql().course_insert, "insert_course");
    if (!st) return st.error();
    bind_course(*st, c);
    if (auto s = st->run(); !s) {
      if (st->failed_code() == SQLITE_CONSTRAINT_UNIQUE && message_mentions(conn_.db(), "courses.code"))
        return Error{"duplicate_course", "a course with code '" + c.code + "' exists already"};
      return s.error();
    }
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(conn_.db()));
  }

  Status save_course(const core::Course& c) override {
    if (auto s = writable("save_course"); !s) return s;
    forget_courses();
    auto st = conn_.prepare(sql().course_update, "save_course");
    if (!st) return st.error();
    st->bind(1, c.id);
    bind_course(*st, c);
    if (auto s = st->run(); !s) {
      if (st->failed_code() == SQLITE_CONSTRAINT_UNIQUE && message_mentions(conn_.db(), "courses.code"))
        return Error{"duplicate_course", "a course with code '" + c.code + "' exists already"};
      return s;
    }
    if (sqlite3_changes(conn_.db()) == 0)
      return Error{"store_error", "save_course: no course with id " + std::to_string(c.id)};
    return ok_status();
  }

  Result<std::optional<core::Application>> application(std::string_view id) override {
    return application_where(sql().application_by_id, "application", id);
  }

  Result<std::optional<core::Application>> application_by_exam_token(std::string_view token) override {
    return application_where(sql().application_by_token, "application_by_exam_token", token);
  }

  Result<std::optional<core::Application>> application_by_billing_number(std::string_view number) override {
    return application_where(sql().application_by_billing, "application_by_billing_number", number);
  }

  Result<std::vector<core::Application>> applications(std::int64_t course_id,
                                                      std::span<const core::ApplicationState> states,
                                                      std::size_t limit) override {
    if (states.empty()) return std::vector<core::Application>{};
    auto st = conn_.prepare(applications_in_states_sql(states.size()), "applications");
    if (!st) return st.error();
    st->bind(1, course_id);
    st->bind(2, limit_param(limit));
    for (std::size_t i = 0; i < states.size(); ++i) st->bind(static_cast<int>(i + 3), core::to_string(states[i]));
    return all_rows<core::Application>(*st, application_from_row);
  }

  Result<std::vector<core::Application>> live_applications_of(core::IdType type, std::string_view id_number) override {
    auto st = conn_.prepare(sql().applications_live, "live_applications_of");
    if (!st) return st.error();
    st->bind(1, core::to_string(type));
    st->bind(2, id_number);
    return all_rows<core::Application>(*st, application_from_row);
  }

  Result<std::vector<core::Application>> applications_by_phone(std::string_view phone, std::size_t limit) override {
    auto st = conn_.prepare(sql().applications_by_phone, "applications_by_phone");
    if (!st) return st.error();
    st->bind(1, phone);
    st->bind(2, limit_param(limit));
    return all_rows<core::Application>(*st, application_from_row);
  }

  Result<std::vector<core::Application>> bills_due(Instant now, std::size_t limit) override {
    auto st = conn_.prepare(sql().bills_due, "bills_due");
    if (!st) return st.error();
    st->bind(1, seconds(now));
    st->bind(2, limit_param(limit));
    return all_rows<core::Application>(*st, application_from_row);
  }

  Status insert_application(const core::Application& a) override {
    if (auto s = writable("insert_application"); !s) return s;
    auto st = conn_.prepare(sql().application_insert, "insert_application");
    if (!st) return st.error();
    bind_application(*st, a);
    return st->run();
  }

  Status save_application(const core::Application& a) override {
    if (auto s = writable("save_application"); !s) return s;
    auto st = conn_.prepare(sql().application_update, "save_application");
    if (!st) return st.error();
    bind_application(*st, a);
    if (auto s = st->run(); !s) return s;
    if (sqlite3_changes(conn_.db()) == 0) return Error{"store_error", "save_application: no application " + a.id};
    return ok_status();
  }

  Result<std::int64_t> next_sequence(std::string_view name) override {
    if (auto s = writable("next_sequence"); !s) return s.error();
    {
      auto bump = conn_.prepare(sql().bump_sequence, "next_sequence");
      if (!bump) return bump.error();
      bump->bind(1, name);
      if (auto s = bump->run(); !s) return s.error();
    }
    if (sqlite3_changes(conn_.db()) == 0) {
      // The writer is the only one writing, inside its transaction: nobody can insert it meanwhile.
      auto first = conn_.prepare(sql().first_sequence, "next_sequence");
      if (!first) return first.error();
      first->bind(1, name);
      if (auto s = first->run(); !s) return s.error();
      return std::int64_t{1};
    }
    auto read = conn_.prepare(sql().read_sequence, "next_sequence");
    if (!read) return read.error();
    read->bind(1, name);
    auto row = read->step();
    if (!row) return row.error();
    if (!*row) return Error{"store_error", "next_sequence: no row for " + std::string(name)};
    return read->int64(0);
  }

  Status add_history(const core::HistoryEntry& h) override {
    if (auto s = writable("add_history"); !s) return s;
    auto st = conn_.prepare(sql().history_insert, "add_history");
    if (!st) return st.error();
    st->bind(1, h.application_id);
    st->bind(2, seconds(h.at));
    if (h.from)
      st->bind(3, core::to_string(*h.from));
    else
      st->bind_null(3);
    st->bind(4, core::to_string(h.to));
    st->bind(5, h.step);
    st->bind(6, h.event);
    return st->run();
  }

  Result<std::vector<core::HistoryEntry>> history(std::string_view application_id) override {
    auto st = conn_.prepare(sql().history_select, "history");
    if (!st) return st.error();
    st->bind(1, application_id);
    return all_rows<core::HistoryEntry>(*st, history_from_row);
  }

  Result<bool> has_pass(core::IdType type, std::string_view id_number, std::string_view prerequisite) override {
    auto st = conn_.prepare(sql().pass_select, "has_pass");
    if (!st) return st.error();
    st->bind(1, core::to_string(type));
    st->bind(2, id_number);
    st->bind(3, prerequisite);
    return st->step();
  }

  Status add_pass(const core::PrerequisitePass& p, Instant at) override {
    if (auto s = writable("add_pass"); !s) return s;
    auto st = conn_.prepare(sql().pass_insert, "add_pass");
    if (!st) return st.error();
    st->bind(1, core::to_string(p.id_type));
    st->bind(2, p.id_number);
    st->bind(3, p.prerequisite);
    st->bind(4, p.source);
    st->bind(5, seconds(at));
    return st->run();
  }

  Result<std::int64_t> enqueue(const OutboxMessage& m) override {
    if (auto s = writable("enqueue"); !s) return s.error();
    auto st = conn_.prepare(sql().outbox_insert, "enqueue");
    if (!st) return st.error();
    st->bind(2, m.application_id);
    st->bind(3, m.to);
    st->bind(4, m.text);
    st->bind(5, m.template_name);
    st->bind(6, core::to_string(m.language));
    st->bind(7, m.step);
    st->bind(8, std::int64_t{m.segments});
    st->bind(9, seconds(m.created_at));
    st->bind(10, m.status);
    st->bind(11, std::int64_t{m.attempts});
    st->bind(12, seconds(m.next_attempt_at));
    st->bind(13, m.provider);
    st->bind(14, m.provider_message_id);
    st->bind(15, m.last_error);
    if (auto s = st->run(); !s) return s.error();
    return static_cast<std::int64_t>(sqlite3_last_insert_rowid(conn_.db()));
  }

  Result<bool> record_event(std::string_view source, std::string_view key, std::string_view summary,
                            Instant at) override {
    if (auto s = writable("record_event"); !s) return s.error();
    auto st = conn_.prepare(sql().event_insert, "record_event");
    if (!st) return st.error();
    st->bind(1, source);
    st->bind(2, key);
    st->bind(3, summary);
    st->bind(4, seconds(at));
    if (auto s = st->run(); !s) return s.error();
    return sqlite3_changes(conn_.db()) == 1;
  }

  Result<std::optional<std::string>> event_summary(std::string_view source, std::string_view key) override {
    auto st = conn_.prepare(sql().event_summary, "event_summary");
    if (!st) return st.error();
    st->bind(1, source);
    st->bind(2, key);
    return first_row<std::string>(*st, [](const Statement& row) -> Result<std::string> { return row.text(0); });
  }

  Result<std::optional<PaymentRecord>> payment(std::string_view joebpps_trx) override {
    auto st = conn_.prepare(sql().payment_select, "payment");
    if (!st) return st.error();
    st->bind(1, joebpps_trx);
    return first_row<PaymentRecord>(*st, payment_from_row);
  }

  Status insert_payment(const PaymentRecord& p) override {
    if (auto s = writable("insert_payment"); !s) return s;
    auto st = conn_.prepare(sql().payment_insert, "insert_payment");
    if (!st) return st.error();
    st->bind(1, p.joebpps_trx);
    st->bind(2, p.billing_number);
    st->bind(3, p.application_id);
    st->bind(4, p.paid.value);
    st->bind(5, p.due.value);
    st->bind(6, p.process_date);
    st->bind(7, p.stmt_date);
    st->bind(8, p.outcome);
    st->bind(9, seconds(p.received_at));
    if (auto s = st->run(); !s) {
      if (st->failed_code() == SQLITE_CONSTRAINT_PRIMARYKEY)
        return Error{"duplicate_payment", "payment " + p.joebpps_trx + " is recorded already"};
      return s;
    }
    return ok_status();
  }

  // --- payments (issue 6) ---
  Result<std::vector<PaymentRecord>> payments_by_stmt_date(std::string_view from, std::string_view to,
                                                           std::size_t limit) override {
    auto st = conn_.prepare(sql().payments_by_stmt_date, "payments_by_stmt_date");
    if (!st) return st.error();
    st->bind(1, from);
    st->bind(2, to);
    st->bind(3, limit_param(limit));
    return all_rows<PaymentRecord>(*st, payment_from_row);
  }

  Result<std::vector<PaymentTotal>> payment_totals(std::string_view from, std::string_view to) override {
    auto st = conn_.prepare(sql().payment_totals, "payment_totals");
    if (!st) return st.error();
    st->bind(1, from);
    st->bind(2, to);
    return all_rows<PaymentTotal>(*st, [](const Statement& row) -> Result<PaymentTotal> {
      return PaymentTotal{row.text(0), row.text(1), row.int64(2), core::Fils{row.int64(3)}};
    });
  }

  Result<std::vector<core::Application>> open_bills(std::size_t limit) override {
    auto st = conn_.prepare(sql().open_bills, "open_bills");
    if (!st) return st.error();
    st->bind(1, limit_param(limit));
    return all_rows<core::Application>(*st, application_from_row);
  }

  Result<OpenBillTotals> open_bill_totals() override {
    auto st = conn_.prepare(sql().open_bill_totals, "open_bill_totals");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return Error{"store_error", "open_bill_totals: no row"};
    return OpenBillTotals{st->int64(0), core::Fils{st->int64(1)}};
  }

  // --- SMS/USSD conversation (issue 4) ---
  Result<bool> record_inbound(const InboundMessage& m) override {
    if (auto s = writable("record_inbound"); !s) return s.error();
    auto st = conn_.prepare(sql().inbound_insert, "record_inbound");
    if (!st) return st.error();
    st->bind(1, m.provider);
    st->bind(2, m.provider_message_id);
    st->bind(3, m.from);
    st->bind(4, m.to);
    st->bind(5, m.text);
    st->bind(6, seconds(m.received_at));
    st->bind(7, m.outcome);
    if (auto s = st->run(); !s) return s.error();
    return sqlite3_changes(conn_.db()) > 0;
  }

  Result<std::optional<SessionRecord>> session(std::string_view key) override {
    auto st = conn_.prepare(sql().session_select, "session");
    if (!st) return st.error();
    st->bind(1, key);
    return first_row<SessionRecord>(*st, [](const Statement& s) -> Result<SessionRecord> {
      return SessionRecord{s.text(0), s.text(1), instant(s.int64(2))};
    });
  }

  Status save_session(const SessionRecord& r) override {
    if (auto s = writable("save_session"); !s) return s;
    auto st = conn_.prepare(sql().session_upsert, "save_session");
    if (!st) return st.error();
    st->bind(1, r.key);
    st->bind(2, r.state);
    st->bind(3, seconds(r.updated_at));
    return st->run();
  }

  Result<std::int64_t> delete_sessions_before(std::string_view prefix, Instant cutoff) override {
    if (auto s = writable("delete_sessions_before"); !s) return s.error();
    auto st = conn_.prepare(sql().sessions_delete, "delete_sessions_before");
    if (!st) return st.error();
    st->bind(1, prefix);
    st->bind(2, seconds(cutoff));
    if (auto s = st->run(); !s) return s.error();
    return static_cast<std::int64_t>(sqlite3_changes(conn_.db()));
  }

  Result<bool> opted_out(std::string_view phone) override {
    auto st = conn_.prepare(sql().opt_out_select, "opted_out");
    if (!st) return st.error();
    st->bind(1, phone);
    return st->step();
  }

  Status set_opted_out(std::string_view phone, bool opted_out, Instant at) override {
    if (auto s = writable("set_opted_out"); !s) return s;
    auto st = conn_.prepare(opted_out ? sql().opt_out_insert : sql().opt_out_delete, "set_opted_out");
    if (!st) return st.error();
    st->bind(1, phone);
    if (opted_out) st->bind(2, seconds(at));
    if (auto s = st->run(); !s || !opted_out) return s;
    auto withdraw = conn_.prepare(sql().opt_out_withdraw, "set_opted_out");
    if (!withdraw) return withdraw.error();
    withdraw->bind(1, phone);
    withdraw->bind(2, seconds(at));
    return withdraw->run();
  }

  // --- outbound delivery (issue 5) ---
  Status apply_send_outcome(const SendOutcome& o) override {
    if (auto s = writable("apply_send_outcome"); !s) return s;
    const char* what = "apply_send_outcome";
    auto st = conn_.prepare(o.kind == SendOutcome::Kind::sent    ? sql().outcome_sent
                            : o.kind == SendOutcome::Kind::retry ? sql().outcome_retry
                                                                 : sql().outcome_failed,
                            what);
    if (!st) return st.error();
    st->bind(1, o.id);
    if (o.kind == SendOutcome::Kind::sent) {
      st->bind(2, o.provider);
      st->bind(3, o.provider_message_id);
      st->bind(4, seconds(o.at));
    } else {
      st->bind(2, o.error);
      st->bind(3, seconds(o.kind == SendOutcome::Kind::retry ? o.next_attempt_at : o.at));
    }
    if (auto s = st->run(); !s) return s;
    if (sqlite3_changes(conn_.db()) > 0) return ok_status();
    if (o.kind == SendOutcome::Kind::sent) {
      auto late = conn_.prepare(sql().outcome_sent_late, what);
      if (!late) return late.error();
      late->bind(1, o.id);
      late->bind(2, o.provider);
      late->bind(3, o.provider_message_id);
      if (auto s = late->run(); !s) return s;
      if (sqlite3_changes(conn_.db()) == 0) return not_found(o.id);
      return ok_status();
    }
    return why_unchanged(o.id);
  }

  Status add_channel_log(const ChannelLogEntry& e) override {
    if (auto s = writable("add_channel_log"); !s) return s;
    auto st = conn_.prepare(sql().channel_log_insert, "add_channel_log");
    if (!st) return st.error();
    st->bind(1, e.outbox_id);
    st->bind(2, e.provider);
    st->bind(3, e.request);
    st->bind(4, e.response);
    st->bind(5, static_cast<std::int64_t>(e.http_status));
    st->bind(6, e.outcome);
    st->bind(7, e.elapsed_ms);
    st->bind(8, seconds(e.at));
    return st->run();
  }

  Result<bool> apply_delivery_report(const DeliveryReport& r) override {
    if (auto s = writable("apply_delivery_report"); !s) return s.error();
    if (r.status != "queued" && r.status != "sent" && r.status != "delivered" && r.status != "failed")
      return Error{"invalid_report", "delivery report status '" + r.status + "' is not queued, sent, delivered or failed"};
    struct Row {
      std::int64_t id;
      std::string status, delivery_status, provider, provider_message_id;
    };
    auto row_from = [](const Statement& s) -> Result<Row> {
      return Row{s.int64(0), s.text(1), s.text(2), s.text(3), s.text(4)};
    };
    std::optional<Row> row;
    if (!r.provider_message_id.empty()) {
      auto st = conn_.prepare(sql().delivery_row_by_message, "apply_delivery_report");
      if (!st) return st.error();
      st->bind(1, r.provider);
      st->bind(2, r.provider_message_id);
      auto found = first_row<Row>(*st, row_from);
      if (!found) return found.error();
      row = std::move(*found);
    }
    if (!row && r.outbox_id > 0) {
      auto st = conn_.prepare(sql().delivery_row_by_id, "apply_delivery_report");
      if (!st) return st.error();
      st->bind(1, r.outbox_id);
      auto found = first_row<Row>(*st, row_from);
      if (!found) return found.error();
      row = std::move(*found);
    }
    if (!row) return false;

    auto rank = [](std::string_view s) { return s == "queued" ? 1 : s == "sent" ? 2 : s.empty() ? 0 : 3; };
    const bool unsent = row->status == "pending" || row->status == "sending";
    std::string status = row->status;
    std::string last_error;
    std::optional<std::int64_t> done_at;
    if (r.status == "delivered") {
      status = "delivered";
      done_at = seconds(r.at);
    } else if (r.status == "failed" && status != "delivered") {
      status = "failed";
      done_at = seconds(r.at);
    } else if (unsent) {
      status = "sent";  // a provider has it: it must not be sent again
      done_at = seconds(r.at);
    }
    const bool further = rank(r.status) > rank(row->delivery_status);
    std::string delivery_status = further ? r.status : row->delivery_status;
    {
      auto cur = conn_.prepare(sql().outbox_delivery_select, "apply_delivery_report");
      if (!cur) return cur.error();
      cur->bind(1, row->id);
      auto has = cur->step();
      if (!has) return has.error();
      last_error = cur->text(4);
      // delivery_error and delivery_at follow delivery_status.
      std::string delivery_error = further ? (r.status == "failed" ? r.error_code : std::string()) : cur->text(1);
      std::optional<std::int64_t> delivery_at = further ? std::optional<std::int64_t>(seconds(r.at)) : cur->optional_int64(2);
      if (status == "failed" && row->status != "failed")
        last_error = "delivery report: " + r.detail + (r.error_code.empty() ? "" : " (error " + r.error_code + ")");
      auto up = conn_.prepare(sql().delivery_update, "apply_delivery_report");
      if (!up) return up.error();
      up->bind(1, row->id);
      up->bind(2, status);
      up->bind(3, delivery_status);
      up->bind(4, delivery_error);
      up->bind(5, delivery_at);
      up->bind(6, last_error);
      up->bind(7, row->provider.empty() ? r.provider : row->provider);
      up->bind(8, row->provider_message_id.empty() ? r.provider_message_id : row->provider_message_id);
      up->bind(9, done_at);
      if (auto s = up->run(); !s) return s.error();
    }
    auto ins = conn_.prepare(sql().delivery_report_insert, "apply_delivery_report");
    if (!ins) return ins.error();
    ins->bind(1, row->id);
    ins->bind(2, r.provider);
    ins->bind(3, r.provider_message_id);
    ins->bind(4, r.status);
    ins->bind(5, r.error_code);
    ins->bind(6, r.detail);
    ins->bind(7, seconds(r.at));
    if (auto s = ins->run(); !s) return s.error();
    return true;
  }

  Result<std::optional<OutboxDetail>> outbox_detail(std::int64_t id) override {
    OutboxDetail d;
    {
      auto st = conn_.prepare(sql().outbox_one, "outbox_detail");
      if (!st) return st.error();
      st->bind(1, id);
      auto m = first_row<OutboxMessage>(*st, outbox_from_row);
      if (!m) return m.error();
      if (!*m) return std::optional<OutboxDetail>();
      d.message = std::move(**m);
    }
    {
      auto st = conn_.prepare(sql().outbox_delivery_select, "outbox_detail");
      if (!st) return st.error();
      st->bind(1, id);
      auto row = st->step();
      if (!row) return row.error();
      if (*row) {
        d.delivery_status = st->text(0);
        d.delivery_error = st->text(1);
        if (auto t = st->optional_int64(2)) d.delivery_at = instant(*t);
        if (auto t = st->optional_int64(3)) d.done_at = instant(*t);
      }
    }
    {
      auto st = conn_.prepare(sql().delivery_report_select, "outbox_detail");
      if (!st) return st.error();
      st->bind(1, id);
      auto rows = all_rows<DeliveryReport>(*st, [](const Statement& s) -> Result<DeliveryReport> {
        DeliveryReport r;
        r.outbox_id = s.int64(0);
        r.provider = s.text(1);
        r.provider_message_id = s.text(2);
        r.status = s.text(3);
        r.error_code = s.text(4);
        r.detail = s.text(5);
        r.at = instant(s.int64(6));
        return r;
      });
      if (!rows) return rows.error();
      d.reports = std::move(*rows);
    }
    {
      auto st = conn_.prepare(sql().channel_log_select, "outbox_detail");
      if (!st) return st.error();
      st->bind(1, id);
      auto rows = all_rows<ChannelLogEntry>(*st, [](const Statement& s) -> Result<ChannelLogEntry> {
        ChannelLogEntry e;
        e.outbox_id = s.int64(0);
        e.provider = s.text(1);
        e.request = s.text(2);
        e.response = s.text(3);
        e.http_status = static_cast<int>(s.int64(4));
        e.outcome = s.text(5);
        e.elapsed_ms = s.int64(6);
        e.at = instant(s.int64(7));
        return e;
      });
      if (!rows) return rows.error();
      d.channel_log = std::move(*rows);
    }
    return std::optional<OutboxDetail>(std::move(d));
  }

  // The dispatcher's side; run as commands on the writer.
  Result<std::vector<OutboxMessage>> claim_outbox(std::size_t limit, Instant now, Instant lease_until) {
    auto st = conn_.prepare(sql().outbox_claim, "claim_outbox");
    if (!st) return st.error();
    st->bind(1, seconds(now));
    st->bind(2, limit_param(limit));
    st->bind(3, seconds(lease_until));
    auto due = all_rows<OutboxMessage>(*st, outbox_from_row);
    if (!due) return due.error();
    // RETURNING gives rows in no promised order; they go out oldest first.
    std::sort(due->begin(), due->end(), [](const OutboxMessage& a, const OutboxMessage& b) { return a.id < b.id; });
    return due;
  }

  Status mark_sent(std::int64_t id, std::string_view provider, std::string_view provider_message_id, Instant at) {
    auto st = conn_.prepare(sql().outbox_sent, "mark_sent");
    if (!st) return st.error();
    st->bind(1, id);
    st->bind(2, provider);
    st->bind(3, provider_message_id);
    st->bind(4, seconds(at));
    if (auto s = st->run(); !s) return s;
    if (sqlite3_changes(conn_.db()) == 0) return not_found(id);
    return ok_status();
  }

  Status mark_retry(std::int64_t id, std::string_view error, Instant next_attempt_at) {
    auto st = conn_.prepare(sql().outbox_retry, "mark_retry");
    if (!st) return st.error();
    st->bind(1, id);
    st->bind(2, error);
    st->bind(3, seconds(next_attempt_at));
    if (auto s = st->run(); !s) return s;
    if (sqlite3_changes(conn_.db()) == 0) return why_unchanged(id);
    return ok_status();
  }

  Status mark_failed(std::int64_t id, std::string_view error, Instant at) {
    auto st = conn_.prepare(sql().outbox_failed, "mark_failed");
    if (!st) return st.error();
    st->bind(1, id);
    st->bind(2, error);
    st->bind(3, seconds(at));
    if (auto s = st->run(); !s) return s;
    if (sqlite3_changes(conn_.db()) == 0) return why_unchanged(id);
    return ok_status();
  }

  Result<OutboxFigures> outbox_figures() {
    OutboxFigures figures;
    auto pair_from_row = [](const Statement& st) -> Result<std::pair<std::string, std::int64_t>> {
      return std::pair<std::string, std::int64_t>(st.text(0), st.int64(1));
    };
    {
      auto st = conn_.prepare(sql().outbox_by_status, "outbox_figures");
      if (!st) return st.error();
      auto rows = all_rows<std::pair<std::string, std::int64_t>>(*st, pair_from_row);
      if (!rows) return rows.error();
      figures.by_status = std::move(*rows);
    }
    {
      auto st = conn_.prepare(sql().outbox_by_provider, "outbox_figures");
      if (!st) return st.error();
      auto rows = all_rows<std::pair<std::string, std::int64_t>>(*st, pair_from_row);
      if (!rows) return rows.error();
      figures.by_provider = std::move(*rows);
    }
    {
      auto st = conn_.prepare(sql().outbox_oldest_pending, "outbox_figures");
      if (!st) return st.error();
      auto row = st->step();
      if (!row) return row.error();
      if (*row && !st->is_null(0)) figures.oldest_pending = instant(st->int64(0));
    }
    return figures;
  }

  Status ping() {
    auto st = conn_.prepare("SELECT 1", "ping");
    if (!st) return st.error();
    auto row = st->step();
    if (!row) return row.error();
    return ok_status();
  }

 private:
  Status writable(std::string_view what) const {
    if (writable_) return ok_status();
    return Error{"store_error", std::string(what) + " is a write; Store::read() gives a read-only snapshot"};
  }

  Result<std::optional<core::Application>> application_where(const std::string& query, std::string_view what,
                                                             std::string_view value) {
    auto st = conn_.prepare(query, what);
    if (!st) return st.error();
    st->bind(1, value);
    return first_row<core::Application>(*st, application_from_row);
  }

  static Error not_found(std::int64_t id) {
    return Error{"outbox_not_found", "no outbox message " + std::to_string(id)};
  }

  // mark_retry/mark_failed changed nothing: an unknown id is an error; a message already sent
  // is left as it is, and the late report is not one (the dispatcher carries on with the others).
  Status why_unchanged(std::int64_t id) {
    auto st = conn_.prepare(sql().outbox_exists, "outbox status");
    if (!st) return st.error();
    st->bind(1, id);
    auto row = st->step();
    if (!row) return row.error();
    if (!*row) return not_found(id);
    return ok_status();
  }

  // Courses read in this transaction. The SMS conversation reads the same course for message after
  // message of a batch, and decoding its row was 9% of the writer's time (perf). Only a transaction
  // that writes no course keeps them: after a write, a savepoint rolled back could leave a version
  // here that the database no longer has, so from the first write on every read goes to SQLite.
  // A new transaction starts empty (transaction_begins, and a reader's Tx lives for one read), so
  // what another connection or process committed in between is read afresh.
  Result<std::optional<core::Course>> remember(Result<std::optional<core::Course>> found) {
    if (found && *found && !courses_written_) {
      const core::Course& c = **found;
      course_ids_by_code_.insert_or_assign(c.code, c.id);
      courses_seen_.insert_or_assign(c.id, c);
    }
    return found;
  }
  void forget_courses() {
    courses_seen_.clear();
    course_ids_by_code_.clear();
    courses_written_ = true;
  }

  Connection& conn_;
  bool writable_;
  std::unordered_map<std::int64_t, core::Course> courses_seen_;
  std::map<std::string, std::int64_t, std::less<>> course_ids_by_code_;
  bool courses_written_ = false;
};

Status run_guarded(const Store::Command& command, Tx& tx) {
  if (!command) return Error{"store_error", "empty command"};
  // Commands report failure as values; an exception still must not take the writer down with it.
  try {
    return command(tx);
  } catch (const std::exception& e) {
    return Error{"store_error", std::string("command threw: ") + e.what()};
  } catch (...) {
    return Error{"store_error", "command threw"};
  }
}

Status step_once(Connection& conn, std::string_view statement) {
  auto st = conn.prepare(statement, statement);
  if (!st) return st.error();
  return st->run();
}

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteSettings& settings, std::unique_ptr<Connection> writer,
              std::unique_ptr<Connection> checkpointer, std::vector<std::unique_ptr<Connection>> readers)
      : max_batch_(settings.max_batch),
        writer_conn_(std::move(writer)),
        writer_tx_(*writer_conn_, true),
        checkpoint_conn_(std::move(checkpointer)),
        readers_(std::move(readers)) {
    for (auto& r : readers_) free_readers_.push_back(r.get());
    sqlite3_wal_hook(writer_conn_->db(), &SqliteStore::on_wal_commit, this);
    checkpointer_ = std::thread([this] { run_checkpointer(); });
    completer_ = std::thread([this] { run_completer(); });
    writer_ = std::thread([this] { run_writer(); });
    // Named here rather than by each thread itself, so the names are there once the store is open
    // (`top -H`, `ps -L`).
    pthread_setname_np(checkpointer_.native_handle(), "cg-checkpoint");
    pthread_setname_np(completer_.native_handle(), "cg-completer");
    pthread_setname_np(writer_.native_handle(), "cg-writer");
  }

  ~SqliteStore() override { close(); }

  void write(Command command, Done done) override {
    bool queued = false;
    {
      std::lock_guard lock(queue_mutex_);
      if (!closing_) {
        queue_.push_back(Item{std::move(command), std::move(done)});
        queued = true;
      }
    }
    if (queued) {
      queue_cv_.notify_one();
    } else if (done) {
      done(unavailable());
    }
  }

  Status read(const Command& command) override {
    Connection* conn = acquire_reader();
    if (!conn) return unavailable();
    Status result = [&]() -> Status {
      if (auto s = step_once(*conn, "BEGIN"); !s) return s;
      SqliteTx tx(*conn, false);
      Status r = run_guarded(command, tx);
      if (auto s = step_once(*conn, "COMMIT"); !s) {
        if (!sqlite3_get_autocommit(conn->db())) (void)step_once(*conn, "ROLLBACK");
        if (r.ok()) r = s;
      }
      return r;
    }();
    release_reader(conn);
    return result;
  }

  Result<std::vector<OutboxMessage>> claim_outbox(std::size_t limit, Instant now, Instant lease_until) override {
    std::vector<OutboxMessage> claimed;
    Status s = write_sync([&](Tx& tx) -> Status {
      auto r = static_cast<SqliteTx&>(tx).claim_outbox(limit, now, lease_until);
      if (!r) return r.error();
      claimed = std::move(*r);
      return ok_status();
    });
    if (!s) return s.error();
    return claimed;
  }

  Status mark_sent(std::int64_t id, std::string_view provider, std::string_view provider_message_id,
                   Instant at) override {
    return write_sync(
        [&](Tx& tx) { return static_cast<SqliteTx&>(tx).mark_sent(id, provider, provider_message_id, at); });
  }

  Status mark_retry(std::int64_t id, std::string_view error, Instant next_attempt_at) override {
    return write_sync([&](Tx& tx) { return static_cast<SqliteTx&>(tx).mark_retry(id, error, next_attempt_at); });
  }

  Status mark_failed(std::int64_t id, std::string_view error, Instant at) override {
    return write_sync([&](Tx& tx) { return static_cast<SqliteTx&>(tx).mark_failed(id, error, at); });
  }

  Result<OutboxFigures> outbox_figures() override {
    OutboxFigures figures;
    Status s = read([&](Tx& tx) -> Status {
      auto r = static_cast<SqliteTx&>(tx).outbox_figures();
      if (!r) return r.error();
      figures = std::move(*r);
      return ok_status();
    });
    if (!s) return s.error();
    return figures;
  }

  Status ping() override {
    {
      std::lock_guard lock(queue_mutex_);
      if (closing_) return unavailable();
    }
    return read([](Tx& tx) { return static_cast<SqliteTx&>(tx).ping(); });
  }

  void close() override {
    {
      std::lock_guard lock(queue_mutex_);
      closing_ = true;
    }
    queue_cv_.notify_all();
    // From a `done` callback: the writer finishes the queue and ends; joining is left to the owner.
    if (std::this_thread::get_id() == completer_id_ || std::this_thread::get_id() == writer_id_) return;
    std::lock_guard lock(close_mutex_);
    if (writer_.joinable()) writer_.join();
    {
      std::lock_guard done_lock(done_mutex_);
      writer_finished_ = true;
    }
    done_cv_.notify_all();
    if (completer_.joinable()) completer_.join();
    {
      std::lock_guard checkpoint_lock(checkpoint_mutex_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
    std::unique_lock pool_lock(pool_mutex_);
    readers_closed_ = true;
    pool_cv_.notify_all();
    // Reads already running finish on their connections first.
    pool_cv_.wait(pool_lock, [&] { return free_readers_.size() == readers_.size(); });
  }

 private:
  struct Item {
    Command command;
    Done done;
  };

  // Checkpoints: copying committed pages from the WAL back into the database file (and fsyncing
  // it) is work SQLite does by default on the writer, inside the COMMIT that crosses 1000 WAL
  // pages, while every request of the next batch waits. Here a checkpointer thread with its own
  // connection copies them in the background as soon as the WAL holds kBackgroundCheckpointFrames.
  // The writer still checkpoints past kWriterCheckpointFrames, as SQLite would, because only a
  // checkpoint that reaches the WAL's end lets the next transaction start the WAL file over (a
  // background pass never catches up with a writer that keeps committing); by then the
  // background passes have copied nearly everything, so the writer's pass is short.
  static constexpr int kBackgroundCheckpointFrames = 256;
  static constexpr int kWriterCheckpointFrames = 1000;

  // sqlite3_wal_hook: after each commit of the writer, with the WAL's size in pages.
  static int on_wal_commit(void* self, sqlite3* db, const char* schema, int frames) {
    auto* store = static_cast<SqliteStore*>(self);
    if (frames >= kWriterCheckpointFrames) {
      // PASSIVE never waits: while the background pass runs it is SQLITE_BUSY, and the next
      // commit tries again.
      (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      return SQLITE_OK;
    }
    // Frames not yet copied by a background pass (a WAL started over counts from 0).
    int copied = store->checkpointed_frames_.load(std::memory_order_relaxed);
    if (frames < copied) copied = 0;
    if (frames - copied >= kBackgroundCheckpointFrames && !store->checkpoint_wanted_.exchange(true))
      store->checkpoint_cv_.notify_one();
    return SQLITE_OK;
  }

  void run_checkpointer() {
    for (;;) {
      {
        std::unique_lock lock(checkpoint_mutex_);
        checkpoint_cv_.wait(lock, [&] { return checkpoint_stop_ || checkpoint_wanted_.load(); });
        if (checkpoint_stop_) return;
      }
      int wal_frames = 0, copied = 0;
      int rc = sqlite3_wal_checkpoint_v2(checkpoint_conn_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames,
                                         &copied);
      if (rc == SQLITE_OK) checkpointed_frames_ = copied;
      if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
        // The writer's own checkpoints still keep the WAL bounded; say why this one failed.
        std::fprintf(stderr, "sqlite: background checkpoint failed: %s\n",
                     sqlite_error(checkpoint_conn_->db(), "checkpoint").message.c_str());
      }
      checkpoint_wanted_ = false;  // the next commit past the mark asks again
    }
  }

  // Finished batches: every command with its result, in commit order.
  struct Finished {
    std::vector<Item> items;
    std::vector<Status> results;
  };

  // The `done` callbacks run here, batch after batch in commit order, so the writer goes straight
  // back to SQL: answering a request (building its JSON, handing it to the HTTP thread) and
  // freeing what its command held is not on the one thread every write waits for.
  void run_completer() {
    completer_id_ = std::this_thread::get_id();
    std::deque<Finished> mine;
    for (;;) {
      {
        std::unique_lock lock(done_mutex_);
        done_cv_.wait(lock, [&] { return !finished_.empty() || writer_finished_; });
        if (finished_.empty()) return;  // the writer is gone and everything it finished is answered
        mine.swap(finished_);
      }
      for (auto& f : mine) {
        for (std::size_t i = 0; i < f.items.size(); ++i) {
          if (!f.items[i].done) continue;
          // A throwing callback must not stop the answers of everyone else.
          try {
            f.items[i].done(f.results[i]);
          } catch (...) {
          }
        }
      }
      mine.clear();
    }
  }

  void run_writer() {
    writer_id_ = std::this_thread::get_id();
    std::vector<Item> batch;
    batch.reserve(std::min<std::size_t>(max_batch_, 4096));
    for (;;) {
      {
        std::unique_lock lock(queue_mutex_);
        queue_cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
        if (queue_.empty()) return;  // closing, and everything queued is done
        std::size_t n = std::min(queue_.size(), max_batch_);
        for (std::size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      run_batch(batch);  // hands the batch on to the completer and leaves `batch` empty
      batch.reserve(std::min<std::size_t>(max_batch_, 4096));
    }
  }

  // Group commit: one transaction, one COMMIT, then every `done`. A command that fails is rolled
  // back alone, which a savepoint per command gives; but a savepoint makes SQLite copy every page a
  // command touches before changing it, and most batches have no failing command. So a batch first
  // runs without savepoints; if a command in it fails, the whole transaction is rolled back and the
  // batch runs again with a savepoint per command (commands may run more than once: store.hpp). The
  // batch after one that had a failure starts with savepoints too, so a run of failures (a flood of
  // duplicates, say) costs one extra pass, not one per batch.
  void run_batch(std::vector<Item>& batch) {
    std::vector<Status> results;
    results.reserve(batch.size());
    if (careful_next_ || !run_without_savepoints(batch, results)) {
      results.clear();
      run_with_savepoints(batch, results);
      careful_next_ = std::any_of(results.begin(), results.end(), [](const Status& r) { return !r.ok(); });
    }
    {
      std::lock_guard lock(done_mutex_);
      finished_.push_back(Finished{std::move(batch), std::move(results)});
    }
    done_cv_.notify_one();
    batch.clear();
  }

  Status begin_writer_transaction() {
    writer_tx_.transaction_begins();
    return step_once(*writer_conn_, "BEGIN IMMEDIATE");
  }

  // True when every command succeeded and `results` says how the COMMIT went; false when one failed
  // and the transaction is rolled back (nothing of the batch remains).
  bool run_without_savepoints(const std::vector<Item>& batch, std::vector<Status>& results) {
    sqlite3* db = writer_conn_->db();
    if (!begin_writer_transaction()) return false;
    for (const Item& item : batch) {
      Status result = run_guarded(item.command, writer_tx_);
      if (!result.ok() || sqlite3_get_autocommit(db)) {
        if (!sqlite3_get_autocommit(db)) (void)step_once(*writer_conn_, "ROLLBACK");
        return false;
      }
    }
    Status committed = step_once(*writer_conn_, "COMMIT");
    if (!committed && !sqlite3_get_autocommit(db)) (void)step_once(*writer_conn_, "ROLLBACK");
    results.assign(batch.size(), committed);
    return true;
  }

  void run_with_savepoints(const std::vector<Item>& batch, std::vector<Status>& results) {
    sqlite3* db = writer_conn_->db();
    std::size_t tx_first = 0;  // the first command of the transaction in progress
    Status begun = begin_writer_transaction();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!begun) {
        results.push_back(begun.error());
        continue;
      }
      bool lost = false;
      results.push_back(run_command(batch[i].command, lost));
      if (lost) {
        // SQLite (or a failed ROLLBACK TO) lost the whole transaction: nothing since BEGIN survives,
        // so no command in it may report success. The rest of the batch gets a new transaction.
        Error gone = sqlite_error(db, "transaction rolled back");
        if (!sqlite3_get_autocommit(db)) (void)step_once(*writer_conn_, "ROLLBACK");
        for (std::size_t j = tx_first; j <= i; ++j)
          if (results[j].ok()) results[j] = gone;
        tx_first = i + 1;
        if (i + 1 < batch.size()) begun = begin_writer_transaction();
      }
    }
    if (begun && tx_first < batch.size()) {
      if (Status committed = step_once(*writer_conn_, "COMMIT"); !committed) {
        if (!sqlite3_get_autocommit(db)) (void)step_once(*writer_conn_, "ROLLBACK");
        // A command that failed alone keeps its own reason; nothing of the others is on disk.
        for (std::size_t j = tx_first; j < batch.size(); ++j)
          if (results[j].ok()) results[j] = committed.error();
      }
    }
  }

  // One command under its own savepoint. `lost`: the enclosing transaction is gone.
  Status run_command(const Command& command, bool& lost) {
    sqlite3* db = writer_conn_->db();
    if (Status s = step_once(*writer_conn_, "SAVEPOINT c"); !s) {
      lost = sqlite3_get_autocommit(db) != 0;
      return s;
    }
    Status result = run_guarded(command, writer_tx_);
    if (sqlite3_get_autocommit(db)) {
      lost = true;
      return result;
    }
    if (result.ok()) {
      Status released = step_once(*writer_conn_, "RELEASE c");
      if (released) return result;
      result = released;
    }
    if (!step_once(*writer_conn_, "ROLLBACK TO c") || !step_once(*writer_conn_, "RELEASE c")) lost = true;
    if (sqlite3_get_autocommit(db)) lost = true;
    return result;
  }

  Connection* acquire_reader() {
    std::unique_lock lock(pool_mutex_);
    pool_cv_.wait(lock, [&] { return readers_closed_ || !free_readers_.empty(); });
    if (readers_closed_) return nullptr;
    Connection* conn = free_readers_.back();
    free_readers_.pop_back();
    return conn;
  }

  void release_reader(Connection* conn) {
    {
      std::lock_guard lock(pool_mutex_);
      free_readers_.push_back(conn);
    }
    pool_cv_.notify_all();
  }

  const std::size_t max_batch_;
  bool careful_next_ = false;  // the writer's: run the next batch with savepoints (run_batch)
  std::unique_ptr<Connection> writer_conn_;  // used by the writer thread only
  SqliteTx writer_tx_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Item> queue_;
  bool closing_ = false;
  std::thread writer_;
  std::atomic<std::thread::id> writer_id_{};
  std::mutex close_mutex_;

  std::unique_ptr<Connection> checkpoint_conn_;  // used by the checkpointer thread only
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  std::atomic<bool> checkpoint_wanted_{false};
  std::atomic<int> checkpointed_frames_{0};  // how far into the WAL the last background pass copied
  bool checkpoint_stop_ = false;
  std::thread checkpointer_;

  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  std::deque<Finished> finished_;
  bool writer_finished_ = false;
  std::thread completer_;
  std::atomic<std::thread::id> completer_id_{};

  std::vector<std::unique_ptr<Connection>> readers_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<Connection*> free_readers_;
  bool readers_closed_ = false;
};

Status check_settings(const SqliteSettings& s) {
  auto bad = [](std::string message) { return Error{"invalid_store_settings", std::move(message)}; };
  if (s.path.empty()) return bad("sqlite path is empty");
  if (s.path == ":memory:" || s.path.starts_with("file::memory:") || s.path.find("mode=memory") != std::string::npos)
    return bad("sqlite path '" + s.path + "' is an in-memory database; readers need a file they can open too");
  if (s.readers == 0) return bad("sqlite readers must be at least 1");
  if (s.max_batch == 0) return bad("sqlite max_batch must be at least 1");
  return ok_status();
}

// Brings the database to `migrations.size()` in one transaction. BEGIN IMMEDIATE also keeps two
// processes opening the same new file from both migrating it.
Status migrate(Connection& conn, const std::string& path, std::span<const std::string_view> migrations) {
  if (auto s = conn.exec("BEGIN IMMEDIATE", "migrating " + path); !s) return s;
  auto fail = [&](Error e) -> Status {
    if (!sqlite3_get_autocommit(conn.db())) (void)conn.exec("ROLLBACK", "rolling back the migration");
    return e;
  };
  if (auto s = conn.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                         "applied_at INTEGER NOT NULL) STRICT",
                         "creating schema_version");
      !s)
    return fail(s.error());
  std::int64_t current = 0;
  {
    auto st = conn.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version", "reading schema_version");
    if (!st) return fail(st.error());
    auto row = st->step();
    if (!row) return fail(row.error());
    if (*row) current = st->int64(0);
  }
  auto known = static_cast<std::int64_t>(migrations.size());
  if (current > known)
    return fail(Error{"schema_too_new", path + " is at schema version " + std::to_string(current) +
                                            ", newer than this build knows (" + std::to_string(known) +
                                            "); run a newer course-gateway"});
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  for (std::int64_t v = current + 1; v <= known; ++v) {
    std::string what = "migration " + std::to_string(v) + " of " + path;
    if (auto s = conn.exec(std::string(migrations[static_cast<std::size_t>(v - 1)]), what); !s) return fail(s.error());
    auto st = conn.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)", "recording migration");
    if (!st) return fail(st.error());
    st->bind(1, v);
    st->bind(2, seconds(now));
    if (auto s = st->run(); !s) return fail(s.error());
  }
  if (auto s = conn.exec("COMMIT", "committing the migration of " + path); !s) return fail(s.error());
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Store>> open(const SqliteSettings& settings, std::span<const std::string_view> migrations) {
  if (auto s = check_settings(settings); !s) return s.error();
  auto writer = Connection::open(settings.path,
                                 ConnectionOptions{.read_only = false, .synchronous_full = settings.synchronous_full});
  if (!writer) return writer.error();
  if (auto s = migrate(**writer, settings.path, migrations); !s) return s.error();
  auto checkpointer = Connection::open(settings.path, ConnectionOptions{.read_only = false,
                                                                       .synchronous_full = settings.synchronous_full});
  if (!checkpointer) return checkpointer.error();
  std::vector<std::unique_ptr<Connection>> readers;
  for (std::size_t i = 0; i < settings.readers; ++i) {
    auto reader = Connection::open(settings.path,
                                   ConnectionOptions{.read_only = true, .synchronous_full = settings.synchronous_full});
    if (!reader) return reader.error();
    readers.push_back(std::move(*reader));
  }
  std::unique_ptr<Store> store = std::make_unique<SqliteStore>(settings, std::move(*writer), std::move(*checkpointer),
                                                               std::move(readers));
  return Result<std::unique_ptr<Store>>(std::move(store));
}

}  // namespace sqlite

Result<std::unique_ptr<Store>> open_sqlite(const SqliteSettings& settings) {
  return sqlite::open(settings, sqlite::migrations());
}

}  // namespace cg::store
