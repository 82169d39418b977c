// The MySQL/MariaDB store. Several gateways may share one database, so every rule that SQLite gets
// from its single writer is made explicit here with InnoDB row locks:
// - write commands run on a pool of worker threads, each with its own connection, each command
//   its own transaction (MySQL's own group commit batches the log flushes), `done` after COMMIT;
// - Tx::course() and the single-application reads lock their row (SELECT ... FOR UPDATE) in a
//   write, so quorum and every transition are decided by one transaction at a time, across
//   processes; write connections run READ COMMITTED so the reads after a lock see what the
//   previous holder committed;
// - outbox rows are claimed with FOR UPDATE SKIP LOCKED, so two dispatchers never take one row;
// - inbound events are deduplicated by their primary key (a second insert waits for the first
//   transaction and then fails as a duplicate, or succeeds if the first rolled back);
// - a deadlock or lock wait timeout runs the command again on a fresh transaction, and a
//   connection lost before COMMIT (server restarted) does too, on a new connection; a server
//   that cannot be reached fails the command at once with "store_unavailable".
#include "adapters/store/mysql/mysql_store.hpp"

#include <cppconn/exception.h>

#include <pthread.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <random>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "adapters/store/columns.hpp"
#include "adapters/store/mysql/connection.hpp"

namespace cg::store {
namespace mysql {
namespace {

std::int64_t seconds(Instant t) { return t.time_since_epoch().count(); }
Instant instant(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }

// The interface's limit 0 means "all"; MySQL wants a number.
std::int64_t limit_param(std::size_t limit) {
  if (limit == 0 || limit > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()))
    return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(limit);
}

Error unavailable() { return Error{"store_unavailable", "the store is closed"}; }

Error corrupt(std::string_view table, std::string_view column, std::string_view value) {
  return Error{"store_error", "unreadable row in " + std::string(table) + ": " + std::string(column) + " = '" +
                                  std::string(value) + "'"};
}

bool mentions(const sql::SQLException& e, std::string_view needle) {
  return std::string_view(e.what()).find(needle) != std::string_view::npos;
}

// Column order is the bind order of the INSERTs below; the same lists as the SQLite backend.
using namespace columns;  // kCourseColumns, kApplicationColumns, ... (adapters/store/columns.hpp)

// INSERT of columns[first..], parameters in column order.
template <std::size_t N>
std::string insert_sql(std::string_view table, const std::array<std::string_view, N>& columns, std::size_t first) {
  std::string names, values;
  for (std::size_t k = first; k < N; ++k) {
    if (k > first) names += ", ", values += ", ";
    names += columns[k];
    values += "?";
  }
  return "INSERT INTO " + std::string(table) + " (" + names + ") VALUES (" + values + ")";
}

// UPDATE of every column but the first, which is the key: parameters are columns[1..] in order,
// then the key.
template <std::size_t N>
std::string update_sql(std::string_view table, const std::array<std::string_view, N>& columns) {
  std::string sets;
  for (std::size_t k = 1; k < N; ++k) {
    if (k > 1) sets += ", ";
    sets += std::string(columns[k]) + " = ?";
  }
  return "UPDATE " + std::string(table) + " SET " + sets + " WHERE " + std::string(columns[0]) + " = ?";
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
  std::string course_by_id = course_select + " WHERE id = ?";
  std::string course_by_id_locked = course_by_id + " FOR UPDATE";
  std::string course_by_code = course_select + " WHERE code = ?";
  std::string course_by_code_locked = course_by_code + " FOR UPDATE";
  std::string courses_all = course_select + " ORDER BY start_at, id";
  std::string courses_open = course_select + " WHERE status = 'open' AND start_at > ? ORDER BY start_at, id";
  std::string course_insert = insert_sql("courses", kCourseColumns, 1);
  std::string course_update = update_sql("courses", kCourseColumns);

  std::string application_select = "SELECT " + column_list(kApplicationColumns) + " FROM applications";
  std::string application_by_id = application_select + " WHERE id = ?";
  std::string application_by_token = application_select + " WHERE exam_token = ?";
  std::string application_by_billing = application_select + " WHERE billing_number = ?";
  std::string applications_live = application_select + " WHERE id_type = ? AND id_number = ? AND state IN (" +
                                  quoted_live_states() + ") ORDER BY seq";
  std::string applications_by_phone =
      application_select + " WHERE phone = ? ORDER BY created_at DESC, seq DESC LIMIT ?";
  std::string bills_due =
      application_select + " WHERE state = 'awaiting_payment' AND bill_due_at <= ? ORDER BY bill_due_at, seq LIMIT ?";
  std::string application_insert = insert_sql("applications", kApplicationColumns, 0);
  std::string application_update = update_sql("applications", kApplicationColumns);

  // The row stays locked by this transaction until it ends, so the value read next is ours alone.
  std::string sequence_bump =
      "INSERT INTO sequences (name, value) VALUES (?, 1) ON DUPLICATE KEY UPDATE value = value + 1";
  std::string sequence_value = "SELECT value FROM sequences WHERE name = ?";

  std::string history_insert =
      "INSERT INTO history (application_id, at, from_state, to_state, step, event) VALUES (?, ?, ?, ?, ?, ?)";
  std::string history_select =
      "SELECT application_id, at, from_state, to_state, step, event FROM history WHERE application_id = ? "
      "ORDER BY id";

  std::string pass_select = "SELECT 1 FROM passes WHERE id_type = ? AND id_number = ? AND prerequisite = ?";
  // A pass recorded twice keeps the first record (when and how it was first proven).
  std::string pass_insert =
      "INSERT INTO passes (id_type, id_number, prerequisite, source, at) VALUES (?, ?, ?, ?, ?) "
      "ON DUPLICATE KEY UPDATE id_type = id_type";

  std::string outbox_select = "SELECT " + column_list(kOutboxColumns) + " FROM outbox";
  std::string outbox_insert = insert_sql("outbox", kOutboxColumns, 1);
  // One query per status, each in the order of the outbox_due index, so the scan stops at LIMIT
  // instead of locking every due row; rows another dispatcher holds are skipped, not waited for.
  std::string outbox_due_pending = outbox_select +
                                   " WHERE status = 'pending' AND next_attempt_at <= ? "
                                   "ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
  std::string outbox_due_sending = outbox_select +
                                   " WHERE status = 'sending' AND next_attempt_at <= ? "
                                   "ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED";
  // `attempts` counts finished attempts (see the SQLite backend); a delivery report that arrived
  // before mark_sent is not taken back.
  std::string outbox_sent =
      "UPDATE outbox SET status = CASE status WHEN 'delivered' THEN 'delivered' ELSE 'sent' END, "
      "attempts = attempts + 1, provider = ?, provider_message_id = ?, done_at = ? WHERE id = ?";
  // A message already sent (by another dispatcher after this one's lease ran out) stays sent.
  std::string outbox_retry =
      "UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
      "WHERE id = ? AND status NOT IN ('sent', 'delivered')";
  std::string outbox_failed =
      "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, done_at = ? "
      "WHERE id = ? AND status NOT IN ('sent', 'delivered')";
  std::string outbox_exists = "SELECT 1 FROM outbox WHERE id = ?";
  std::string outbox_by_status = "SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status";
  std::string outbox_by_provider =
      "SELECT provider, COUNT(*) FROM outbox WHERE provider <> '' GROUP BY provider ORDER BY provider";
  std::string outbox_oldest_pending = "SELECT MIN(created_at) FROM outbox WHERE status IN ('pending', 'sending')";

  std::string event_insert = "INSERT INTO events (source, `key`, summary, at) VALUES (?, ?, ?, ?)";
  std::string event_summary = "SELECT summary FROM events WHERE source = ? AND `key` = ?";

  std::string payment_select = "SELECT " + column_list(kPaymentColumns) + " FROM payments WHERE joebpps_trx = ?";
  std::string payment_insert = insert_sql("payments", kPaymentColumns, 0);

  // --- payments (issue 6) --- STMTDate is yyyy-MM-dd text, so text order is date order.
  std::string payments_by_stmt_date = "SELECT " + column_list(kPaymentColumns) +
                                      " FROM payments WHERE stmt_date >= ? AND stmt_date <= ? "
                                      "ORDER BY stmt_date, received_at, joebpps_trx LIMIT ?";
  // SUM of BIGINT is DECIMAL in MySQL: cast back to an integer of fils.
  std::string payment_totals =
      "SELECT stmt_date, outcome, COUNT(*), CAST(SUM(paid_fils) AS SIGNED) FROM payments "
      "WHERE stmt_date >= ? AND stmt_date <= ? GROUP BY stmt_date, outcome ORDER BY stmt_date, outcome";
  std::string open_bills = application_select + " WHERE state = 'awaiting_payment' ORDER BY bill_due_at, seq LIMIT ?";
  std::string open_bill_totals =
      "SELECT COUNT(*), CAST(COALESCE(SUM(bill_amount_fils), 0) AS SIGNED) FROM applications "
      "WHERE state = 'awaiting_payment'";

  // --- SMS/USSD conversation (issue 4) ---
  std::string inbound_insert =
      "INSERT INTO inbound_messages (provider, provider_message_id, from_number, to_number, body, received_at, "
      "outcome) VALUES (?, ?, ?, ?, ?, ?, ?)";
  std::string session_select = "SELECT session_key, state, updated_at FROM sessions WHERE session_key = ?";
  std::string session_upsert =
      "INSERT INTO sessions (session_key, state, updated_at) VALUES (?, ?, ?) "
      "ON DUPLICATE KEY UPDATE state = VALUES(state), updated_at = VALUES(updated_at)";
  std::string sessions_delete_before = "DELETE FROM sessions WHERE session_key LIKE ? ESCAPE '!' AND updated_at < ?";
  std::string opt_out_select = "SELECT 1 FROM sms_opt_outs WHERE phone = ?";
  // Opting out twice keeps the first time.
  std::string opt_out_insert =
      "INSERT INTO sms_opt_outs (phone, at) VALUES (?, ?) ON DUPLICATE KEY UPDATE phone = phone";
  std::string opt_out_delete = "DELETE FROM sms_opt_outs WHERE phone = ?";
  // As SQLite: what is still pending for the number when it says STOP is not sent.
  std::string opt_out_withdraw =
      "UPDATE outbox SET status = 'failed', last_error = 'opted_out: the number sent STOP first', done_at = ? "
      "WHERE status = 'pending' AND to_number = ?";

  // --- outbound delivery (issue 5) ---
  // Only a row still pending or sending takes an outcome: what a provider accepted stays accepted.
  std::string outcome_sent =
      "UPDATE outbox SET status = 'sent', attempts = attempts + 1, provider = ?, provider_message_id = ?, "
      "last_error = '', done_at = ? WHERE id = ? AND status IN ('pending', 'sending')";
  // A delivery report got there first: keep its status, fill in who sent it.
  std::string outcome_sent_late =
      "UPDATE outbox SET provider = CASE WHEN provider = '' THEN ? ELSE provider END, "
      "provider_message_id = CASE WHEN provider_message_id = '' THEN ? ELSE provider_message_id END WHERE id = ?";
  std::string outcome_retry =
      "UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = ?, next_attempt_at = ? "
      "WHERE id = ? AND status IN ('pending', 'sending')";
  std::string outcome_failed =
      "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, done_at = ? "
      "WHERE id = ? AND status IN ('pending', 'sending')";
  std::string channel_log_insert =
      "INSERT INTO channel_log (outbox_id, provider, request, response, http_status, outcome, elapsed_ms, at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
  std::string channel_log_select =
      "SELECT outbox_id, provider, request, response, http_status, outcome, elapsed_ms, at FROM channel_log "
      "WHERE outbox_id = ? ORDER BY id";
  // Locked: two gateways may take reports on one message at once; each moves the row on in turn.
  std::string delivery_row_by_message =
      "SELECT id, status, delivery_status, provider, provider_message_id, delivery_error, delivery_at, last_error "
      "FROM outbox WHERE provider = ? AND provider_message_id = ? ORDER BY id LIMIT 1 FOR UPDATE";
  std::string delivery_row_by_id =
      "SELECT id, status, delivery_status, provider, provider_message_id, delivery_error, delivery_at, last_error "
      "FROM outbox WHERE id = ? FOR UPDATE";
  std::string delivery_update =
      "UPDATE outbox SET status = ?, delivery_status = ?, delivery_error = ?, delivery_at = ?, last_error = ?, "
      "provider = ?, provider_message_id = ?, done_at = COALESCE(done_at, ?) WHERE id = ?";
  std::string delivery_report_insert =
      "INSERT INTO delivery_reports (outbox_id, provider, provider_message_id, status, error_code, detail, at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)";
  std::string delivery_report_select =
      "SELECT outbox_id, provider, provider_message_id, status, error_code, detail, at FROM delivery_reports "
      "WHERE outbox_id = ? ORDER BY id";
  std::string outbox_one = outbox_select + " WHERE id = ?";
  std::string outbox_delivery_select =
      "SELECT delivery_status, delivery_error, delivery_at, done_at FROM outbox WHERE id = ?";
};

const Sql& sql() {
  static const Sql s;
  return s;
}

// A LIKE pattern matching every string that starts with `prefix` ('!' escapes the wildcards).
std::string like_prefix(std::string_view prefix) {
  std::string out;
  for (char c : prefix) {
    if (c == '!' || c == '%' || c == '_') out += '!';
    out += c;
  }
  return out + "%";
}

// The statements of `applications()` differ only in how many states they list.
std::string applications_in_states_sql(std::size_t count) {
  std::string out = sql().application_select + " WHERE course_id = ? AND state IN (";
  for (std::size_t i = 0; i < count; ++i) out += i ? ", ?" : "?";
  return out + ") ORDER BY seq LIMIT ?";
}

Result<core::Course> course_from_row(const Row& r) {
  core::Course c;
  c.id = r.int64(0);
  c.code = r.text(1);
  c.title.ar = r.text(2);
  c.title.en = r.text(3);
  c.location = r.text(4);
  c.start_at = instant(r.int64(5));
  c.end_at = instant(r.int64(6));
  c.decision_at = instant(r.int64(7));
  c.min_participants = static_cast<int>(r.int64(8));
  if (auto capacity = r.optional_int64(9)) c.capacity = static_cast<int>(*capacity);
  c.fee = core::Fils{r.int64(10)};
  c.prerequisite = r.optional_text(11);
  c.exam_url = r.text(12);
  c.evaluation_url = r.text(13);
  std::string status = r.text(14);
  if (!core::parse_course_status(status, c.status)) return corrupt("courses", "status", status);
  c.quorum_reached = r.int64(15) != 0;
  c.reminder_sent = r.int64(16) != 0;
  for (std::size_t i = 0; i < core::kApplicationStateCount; ++i)
    c.tally.by_state[i] = static_cast<int>(r.int64(static_cast<int>(kFirstTallyColumn + i)));
  return c;
}

// Everything but the id, in column order.
void bind_course(Binder& b, const core::Course& c) {
  b.add(c.code).add(c.title.ar).add(c.title.en).add(c.location);
  b.add(seconds(c.start_at)).add(seconds(c.end_at)).add(seconds(c.decision_at));
  b.add(std::int64_t{c.min_participants});
  if (c.capacity)
    b.add(std::int64_t{*c.capacity});
  else
    b.null();
  b.add(c.fee.value).add(c.prerequisite).add(c.exam_url).add(c.evaluation_url);
  b.add(core::to_string(c.status));
  b.add(std::int64_t{c.quorum_reached ? 1 : 0}).add(std::int64_t{c.reminder_sent ? 1 : 0});
  for (std::size_t i = 0; i < core::kApplicationStateCount; ++i) b.add(std::int64_t{c.tally.by_state[i]});
}

Result<core::Application> application_from_row(const Row& r) {
  core::Application a;
  a.id = r.text(0);
  a.course_id = r.int64(1);
  a.seq = r.int64(2);
  a.applicant.phone = r.text(3);
  a.applicant.name = r.text(4);
  std::string id_type = r.text(5);
  auto type = core::parse_id_type(id_type);
  if (!type) return corrupt("applications", "id_type", id_type);
  a.applicant.id_type = *type;
  a.applicant.id_number = r.text(6);
  a.applicant.nationality = r.text(7);
  std::string language = r.text(8);
  if (!core::parse_language(language, a.applicant.language)) return corrupt("applications", "language", language);
  a.channel = r.text(9);
  std::string state = r.text(10);
  if (!core::parse_application_state(state, a.state)) return corrupt("applications", "state", state);
  a.created_at = instant(r.int64(11));
  a.updated_at = instant(r.int64(12));
  a.exam_token = r.optional_text(13);
  if (!r.is_null(14)) {
    a.bill = core::Bill{r.text(14), core::Fils{r.int64(15)}, instant(r.int64(16)), instant(r.int64(17))};
  }
  return a;
}

// Every column but the id, in column order.
void bind_application_fields(Binder& b, const core::Application& a) {
  b.add(a.course_id).add(a.seq).add(a.applicant.phone).add(a.applicant.name);
  b.add(core::to_string(a.applicant.id_type)).add(a.applicant.id_number).add(a.applicant.nationality);
  b.add(core::to_string(a.applicant.language)).add(a.channel).add(core::to_string(a.state));
  b.add(seconds(a.created_at)).add(seconds(a.updated_at)).add(a.exam_token);
  if (a.bill) {
    b.add(a.bill->billing_number).add(a.bill->amount.value).add(seconds(a.bill->issued_at));
    b.add(seconds(a.bill->due_at));
  } else {
    b.null().null().null().null();
  }
}

Result<OutboxMessage> outbox_from_row(const Row& r) {
  OutboxMessage m;
  m.id = r.int64(0);
  m.application_id = r.text(1);
  m.to = r.text(2);
  m.text = r.text(3);
  m.template_name = r.text(4);
  std::string language = r.text(5);
  if (!core::parse_language(language, m.language)) return corrupt("outbox", "language", language);
  m.step = r.text(6);
  m.segments = static_cast<int>(r.int64(7));
  m.created_at = instant(r.int64(8));
  m.status = r.text(9);
  m.attempts = static_cast<int>(r.int64(10));
  m.next_attempt_at = instant(r.int64(11));
  m.provider = r.text(12);
  m.provider_message_id = r.text(13);
  m.last_error = r.text(14);
  return m;
}

Result<PaymentRecord> payment_from_row(const Row& r) {
  PaymentRecord p;
  p.joebpps_trx = r.text(0);
  p.billing_number = r.text(1);
  p.application_id = r.text(2);
  p.paid = core::Fils{r.int64(3)};
  p.due = core::Fils{r.int64(4)};
  p.process_date = r.text(5);
  p.stmt_date = r.text(6);
  p.outcome = r.text(7);
  p.received_at = instant(r.int64(8));
  return p;
}

Result<core::HistoryEntry> history_from_row(const Row& r) {
  core::HistoryEntry h;
  h.application_id = r.text(0);
  h.at = instant(r.int64(1));
  if (auto from = r.optional_text(2)) {
    core::ApplicationState s;
    if (!core::parse_application_state(*from, s)) return corrupt("history", "from_state", *from);
    h.from = s;
  }
  std::string to = r.text(3);
  if (!core::parse_application_state(to, h.to)) return corrupt("history", "to_state", to);
  h.step = r.text(4);
  h.event = r.text(5);
  return h;
}

// Every row of the executed statement, mapped. Throws sql::SQLException.
template <class T, class F>
Result<std::vector<T>> all_rows(sql::PreparedStatement& st, F from_row) {
  std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
  Row row(*rs);
  std::vector<T> out;
  while (rs->next()) {
    Result<T> value = from_row(row);
    if (!value) return value.error();
    out.push_back(std::move(*value));
  }
  return out;
}

// The first row, mapped, or none. Throws sql::SQLException.
template <class T, class F>
Result<std::optional<T>> first_row(sql::PreparedStatement& st, F from_row) {
  std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
  Row row(*rs);
  if (!rs->next()) return std::optional<T>{};
  Result<T> value = from_row(row);
  if (!value) return value.error();
  return std::optional<T>(std::move(*value));
}

class MysqlTx final : public Tx {
 public:
  MysqlTx(Connection& conn, bool writable) : conn_(conn), writable_(writable) {}

  // A failure that ended the transaction (deadlock, lock wait timeout, lost connection): whatever
  // the command returns, it did not happen, and nothing more is sent in this transaction (after a
  // deadlock MySQL has rolled back and would run further statements outside any transaction).
  const std::optional<Error>& fatal() const { return fatal_; }

  Result<std::optional<core::Course>> course(std::int64_t id) override {
    return guard("course", [&]() -> Result<std::optional<core::Course>> {
      auto& st = conn_.prepare(writable_ ? sql().course_by_id_locked : sql().course_by_id);
      Binder(st).add(id);
      return first_row<core::Course>(st, course_from_row);
    });
  }

  Result<std::optional<core::Course>> course_by_code(std::string_view code) override {
    return guard("course_by_code", [&]() -> Result<std::optional<core::Course>> {
      auto& st = conn_.prepare(writable_ ? sql().course_by_code_locked : sql().course_by_code);
      Binder(st).add(code);
      return first_row<core::Course>(st, course_from_row);
    });
  }

  Result<std::vector<core::Course>> courses(const CourseFilter& filter) override {
    return guard("courses", [&]() -> Result<std::vector<core::Course>> {
      auto& st = conn_.prepare(filter.only_open ? sql().courses_open : sql().courses_all);
      Binder b(st);
      if (filter.only_open) b.add(seconds(filter.now));
      return all_rows<core::Course>(st, course_from_row);
    });
  }

  Result<std::int64_t> insert_course(const core::Course& c) override {
    if (auto s = writable("insert_course"); !s) return s.error();
    return guard("insert_course", [&]() -> Result<std::int64_t> {
      auto& st = conn_.prepare(sql().course_insert);
      Binder b(st);
      bind_course(b, c);
      try {
        st.executeUpdate();
      } catch (const sql::SQLException& e) {
        if (e.getErrorCode() == kDuplicateKey && mentions(e, "courses_code")) return duplicate_course(c);
        throw;
      }
      std::int64_t id = conn_.last_insert_id();
      if (id <= 0) return Error{"store_error", "insert_course: no id assigned"};
      return id;
    });
  }

  Status save_course(const core::Course& c) override {
    if (auto s = writable("save_course"); !s) return s;
    return guard("save_course", [&]() -> Status {
      auto& st = conn_.prepare(sql().course_update);
      Binder b(st);
      bind_course(b, c);
      b.add(c.id);
      int matched = 0;
      try {
        matched = st.executeUpdate();
      } catch (const sql::SQLException& e) {
        if (e.getErrorCode() == kDuplicateKey && mentions(e, "courses_code")) return duplicate_course(c);
        throw;
      }
      if (matched == 0) return Error{"store_error", "save_course: no course with id " + std::to_string(c.id)};
      return ok_status();
    });
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
    return guard("applications", [&]() -> Result<std::vector<core::Application>> {
      auto& st = conn_.prepare(applications_in_states_sql(states.size()));
      Binder b(st);
      b.add(course_id);
      for (auto s : states) b.add(core::to_string(s));
      b.add(limit_param(limit));
      return all_rows<core::Application>(st, application_from_row);
    });
  }

  Result<std::vector<core::Application>> live_applications_of(core::IdType type, std::string_view id_number) override {
    return guard("live_applications_of", [&]() -> Result<std::vector<core::Application>> {
      auto& st = conn_.prepare(sql().applications_live);
      Binder(st).add(core::to_string(type)).add(id_number);
      return all_rows<core::Application>(st, application_from_row);
    });
  }

  Result<std::vector<core::Application>> applications_by_phone(std::string_view phone, std::size_t limit) override {
    return guard("applications_by_phone", [&]() -> Result<std::vector<core::Application>> {
      auto& st = conn_.prepare(sql().applications_by_phone);
      Binder(st).add(phone).add(limit_param(limit));
      return all_rows<core::Application>(st, application_from_row);
    });
  }

  Result<std::vector<core::Application>> bills_due(Instant now, std::size_t limit) override {
    return guard("bills_due", [&]() -> Result<std::vector<core::Application>> {
      auto& st = conn_.prepare(sql().bills_due);
      Binder(st).add(seconds(now)).add(limit_param(limit));
      return all_rows<core::Application>(st, application_from_row);
    });
  }

  Status insert_application(const core::Application& a) override {
    if (auto s = writable("insert_application"); !s) return s;
    return guard("insert_application", [&]() -> Status {
      auto& st = conn_.prepare(sql().application_insert);
      Binder b(st);
      b.add(a.id);
      bind_application_fields(b, a);
      st.executeUpdate();
      return ok_status();
    });
  }

  Status save_application(const core::Application& a) override {
    if (auto s = writable("save_application"); !s) return s;
    return guard("save_application", [&]() -> Status {
      auto& st = conn_.prepare(sql().application_update);
      Binder b(st);
      bind_application_fields(b, a);
      b.add(a.id);
      if (st.executeUpdate() == 0) return Error{"store_error", "save_application: no application " + a.id};
      return ok_status();
    });
  }

  Result<std::int64_t> next_sequence(std::string_view name) override {
    if (auto s = writable("next_sequence"); !s) return s.error();
    return guard("next_sequence", [&]() -> Result<std::int64_t> {
      auto& bump = conn_.prepare(sql().sequence_bump);
      Binder(bump).add(name);
      bump.executeUpdate();
      auto& st = conn_.prepare(sql().sequence_value);
      Binder(st).add(name);
      auto value = first_row<std::int64_t>(st, [](const Row& r) -> Result<std::int64_t> { return r.int64(0); });
      if (!value) return value.error();
      if (!*value) return Error{"store_error", "next_sequence: no value returned"};
      return **value;
    });
  }

  Status add_history(const core::HistoryEntry& h) override {
    if (auto s = writable("add_history"); !s) return s;
    return guard("add_history", [&]() -> Status {
      auto& st = conn_.prepare(sql().history_insert);
      Binder b(st);
      b.add(h.application_id).add(seconds(h.at));
      if (h.from)
        b.add(core::to_string(*h.from));
      else
        b.null();
      b.add(core::to_string(h.to)).add(h.step).add(h.event);
      st.executeUpdate();
      return ok_status();
    });
  }

  Result<std::vector<core::HistoryEntry>> history(std::string_view application_id) override {
    return guard("history", [&]() -> Result<std::vector<core::HistoryEntry>> {
      auto& st = conn_.prepare(sql().history_select);
      Binder(st).add(application_id);
      return all_rows<core::HistoryEntry>(st, history_from_row);
    });
  }

  Result<bool> has_pass(core::IdType type, std::string_view id_number, std::string_view prerequisite) override {
    return guard("has_pass", [&]() -> Result<bool> {
      auto& st = conn_.prepare(sql().pass_select);
      Binder(st).add(core::to_string(type)).add(id_number).add(prerequisite);
      std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
      return rs->next();
    });
  }

  Status add_pass(const core::PrerequisitePass& p, Instant at) override {
    if (auto s = writable("add_pass"); !s) return s;
    return guard("add_pass", [&]() -> Status {
      auto& st = conn_.prepare(sql().pass_insert);
      Binder(st).add(core::to_string(p.id_type)).add(p.id_number).add(p.prerequisite).add(p.source).add(seconds(at));
      st.executeUpdate();
      return ok_status();
    });
  }

  Result<std::int64_t> enqueue(const OutboxMessage& m) override {
    if (auto s = writable("enqueue"); !s) return s.error();
    return guard("enqueue", [&]() -> Result<std::int64_t> {
      auto& st = conn_.prepare(sql().outbox_insert);
      Binder b(st);
      b.add(m.application_id).add(m.to).add(m.text).add(m.template_name).add(core::to_string(m.language));
      b.add(m.step).add(std::int64_t{m.segments}).add(seconds(m.created_at)).add(m.status);
      b.add(std::int64_t{m.attempts}).add(seconds(m.next_attempt_at)).add(m.provider).add(m.provider_message_id);
      b.add(m.last_error);
      st.executeUpdate();
      std::int64_t id = conn_.last_insert_id();
      if (id <= 0) return Error{"store_error", "enqueue: no id assigned"};
      return id;
    });
  }

  Result<bool> record_event(std::string_view source, std::string_view key, std::string_view summary,
                            Instant at) override {
    if (auto s = writable("record_event"); !s) return s.error();
    return guard("record_event", [&]() -> Result<bool> {
      auto& st = conn_.prepare(sql().event_insert);
      Binder(st).add(source).add(key).add(summary).add(seconds(at));
      try {
        st.executeUpdate();
      } catch (const sql::SQLException& e) {
        // Seen before (committed by this or another gateway). Only this statement failed; the
        // transaction goes on.
        if (e.getErrorCode() == kDuplicateKey) return false;
        throw;
      }
      return true;
    });
  }

  Result<std::optional<std::string>> event_summary(std::string_view source, std::string_view key) override {
    return guard("event_summary", [&]() -> Result<std::optional<std::string>> {
      auto& st = conn_.prepare(sql().event_summary);
      Binder(st).add(source).add(key);
      return first_row<std::string>(st, [](const Row& r) -> Result<std::string> { return r.text(0); });
    });
  }

  Result<std::optional<PaymentRecord>> payment(std::string_view joebpps_trx) override {
    return guard("payment", [&]() -> Result<std::optional<PaymentRecord>> {
      auto& st = conn_.prepare(sql().payment_select);
      Binder(st).add(joebpps_trx);
      return first_row<PaymentRecord>(st, payment_from_row);
    });
  }

  Status insert_payment(const PaymentRecord& p) override {
    if (auto s = writable("insert_payment"); !s) return s;
    return guard("insert_payment", [&]() -> Status {
      auto& st = conn_.prepare(sql().payment_insert);
      Binder(st)
          .add(p.joebpps_trx)
          .add(p.billing_number)
          .add(p.application_id)
          .add(p.paid.value)
          .add(p.due.value)
          .add(p.process_date)
          .add(p.stmt_date)
          .add(p.outcome)
          .add(seconds(p.received_at));
      try {
        st.executeUpdate();
      } catch (const sql::SQLException& e) {
        if (e.getErrorCode() == kDuplicateKey)
          return Error{"duplicate_payment", "payment " + p.joebpps_trx + " is recorded already"};
        throw;
      }
      return ok_status();
    });
  }

  // --- payments (issue 6) ---
  Result<std::vector<PaymentRecord>> payments_by_stmt_date(std::string_view from, std::string_view to,
                                                           std::size_t limit) override {
    return guard("payments_by_stmt_date", [&]() -> Result<std::vector<PaymentRecord>> {
      auto& st = conn_.prepare(sql().payments_by_stmt_date);
      Binder(st).add(from).add(to).add(limit_param(limit));
      return all_rows<PaymentRecord>(st, payment_from_row);
    });
  }

  Result<std::vector<PaymentTotal>> payment_totals(std::string_view from, std::string_view to) override {
    return guard("payment_totals", [&]() -> Result<std::vector<PaymentTotal>> {
      auto& st = conn_.prepare(sql().payment_totals);
      Binder(st).add(from).add(to);
      return all_rows<PaymentTotal>(st, [](const Row& r) -> Result<PaymentTotal> {
        return PaymentTotal{r.text(0), r.text(1), r.int64(2), core::Fils{r.int64(3)}};
      });
    });
  }

  Result<std::vector<core::Application>> open_bills(std::size_t limit) override {
    return guard("open_bills", [&]() -> Result<std::vector<core::Application>> {
      auto& st = conn_.prepare(sql().open_bills);
      Binder(st).add(limit_param(limit));
      return all_rows<core::Application>(st, application_from_row);
    });
  }

  Result<OpenBillTotals> open_bill_totals() override {
    return guard("open_bill_totals", [&]() -> Result<OpenBillTotals> {
      auto& st = conn_.prepare(sql().open_bill_totals);
      auto row = first_row<OpenBillTotals>(st, [](const Row& r) -> Result<OpenBillTotals> {
        return OpenBillTotals{r.int64(0), core::Fils{r.int64(1)}};
      });
      if (!row) return row.error();
      if (!*row) return Error{"store_error", "open_bill_totals: no row"};
      return **row;
    });
  }

  // --- SMS/USSD conversation (issue 4) ---
  Result<bool> record_inbound(const InboundMessage& m) override {
    if (auto s = writable("record_inbound"); !s) return s.error();
    return guard("record_inbound", [&]() -> Result<bool> {
      auto& st = conn_.prepare(sql().inbound_insert);
      Binder(st)
          .add(m.provider)
          .add(m.provider_message_id)
          .add(m.from)
          .add(m.to)
          .add(m.text)
          .add(seconds(m.received_at))
          .add(m.outcome);
      try {
        st.executeUpdate();
      } catch (const sql::SQLException& e) {
        if (e.getErrorCode() == kDuplicateKey) return false;  // the provider's retry
        throw;
      }
      return true;
    });
  }

  // In a write the session row is locked: two messages of one conversation arriving at two
  // gateways at once take turns.
  Result<std::optional<SessionRecord>> session(std::string_view key) override {
    return guard("session", [&]() -> Result<std::optional<SessionRecord>> {
      auto& st = conn_.prepare(writable_ ? sql().session_select + " FOR UPDATE" : sql().session_select);
      Binder(st).add(key);
      return first_row<SessionRecord>(st, [](const Row& r) -> Result<SessionRecord> {
        return SessionRecord{r.text(0), r.text(1), instant(r.int64(2))};
      });
    });
  }

  Status save_session(const SessionRecord& s) override {
    if (auto w = writable("save_session"); !w) return w;
    return guard("save_session", [&]() -> Status {
      auto& st = conn_.prepare(sql().session_upsert);
      Binder(st).add(s.key).add(s.state).add(seconds(s.updated_at));
      st.executeUpdate();
      return ok_status();
    });
  }

  Result<std::int64_t> delete_sessions_before(std::string_view prefix, Instant cutoff) override {
    if (auto s = writable("delete_sessions_before"); !s) return s.error();
    return guard("delete_sessions_before", [&]() -> Result<std::int64_t> {
      auto& st = conn_.prepare(sql().sessions_delete_before);
      Binder(st).add(like_prefix(prefix)).add(seconds(cutoff));
      return std::int64_t{st.executeUpdate()};
    });
  }

  Result<bool> opted_out(std::string_view phone) override {
    return guard("opted_out", [&]() -> Result<bool> {
      auto& st = conn_.prepare(sql().opt_out_select);
      Binder(st).add(phone);
      std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
      return rs->next();
    });
  }

  Status set_opted_out(std::string_view phone, bool opted_out, Instant at) override {
    if (auto s = writable("set_opted_out"); !s) return s;
    return guard("set_opted_out", [&]() -> Status {
      if (opted_out) {
        auto& st = conn_.prepare(sql().opt_out_insert);
        Binder(st).add(phone).add(seconds(at));
        st.executeUpdate();
        auto& withdraw = conn_.prepare(sql().opt_out_withdraw);
        Binder(withdraw).add(seconds(at)).add(phone);
        withdraw.executeUpdate();
      } else {
        auto& st = conn_.prepare(sql().opt_out_delete);
        Binder(st).add(phone);
        st.executeUpdate();
      }
      return ok_status();
    });
  }

  // --- outbound delivery (issue 5) ---
  Status apply_send_outcome(const SendOutcome& o) override {
    if (auto s = writable("apply_send_outcome"); !s) return s;
    return guard("apply_send_outcome", [&]() -> Status {
      int matched = 0;
      if (o.kind == SendOutcome::Kind::sent) {
        auto& st = conn_.prepare(sql().outcome_sent);
        Binder(st).add(o.provider).add(o.provider_message_id).add(seconds(o.at)).add(o.id);
        matched = st.executeUpdate();
        if (matched > 0) return ok_status();
        auto& late = conn_.prepare(sql().outcome_sent_late);
        Binder(late).add(o.provider).add(o.provider_message_id).add(o.id);
        if (late.executeUpdate() == 0) return not_found(o.id);
        return ok_status();
      }
      bool retry = o.kind == SendOutcome::Kind::retry;
      auto& st = conn_.prepare(retry ? sql().outcome_retry : sql().outcome_failed);
      Binder(st).add(o.error).add(seconds(retry ? o.next_attempt_at : o.at)).add(o.id);
      matched = st.executeUpdate();
      if (matched > 0) return ok_status();
      return why_unchanged(o.id);
    });
  }

  Status add_channel_log(const ChannelLogEntry& e) override {
    if (auto s = writable("add_channel_log"); !s) return s;
    return guard("add_channel_log", [&]() -> Status {
      auto& st = conn_.prepare(sql().channel_log_insert);
      Binder(st)
          .add(e.outbox_id)
          .add(e.provider)
          .add(e.request)
          .add(e.response)
          .add(std::int64_t{e.http_status})
          .add(e.outcome)
          .add(e.elapsed_ms)
          .add(seconds(e.at));
      st.executeUpdate();
      return ok_status();
    });
  }

  // The same rules as the SQLite backend (store.hpp): the row only moves forward.
  Result<bool> apply_delivery_report(const DeliveryReport& r) override {
    if (auto s = writable("apply_delivery_report"); !s) return s.error();
    if (r.status != "queued" && r.status != "sent" && r.status != "delivered" && r.status != "failed")
      return Error{"invalid_report",
                   "delivery report status '" + r.status + "' is not queued, sent, delivered or failed"};
    return guard("apply_delivery_report", [&]() -> Result<bool> {
      struct Found {
        std::int64_t id;
        std::string status, delivery_status, provider, provider_message_id, delivery_error;
        std::optional<std::int64_t> delivery_at;
        std::string last_error;
      };
      auto found_from = [](const Row& row) -> Result<Found> {
        return Found{row.int64(0), row.text(1), row.text(2),           row.text(3),
                     row.text(4),  row.text(5), row.optional_int64(6), row.text(7)};
      };
      std::optional<Found> row;
      if (!r.provider_message_id.empty()) {
        auto& st = conn_.prepare(sql().delivery_row_by_message);
        Binder(st).add(r.provider).add(r.provider_message_id);
        auto found = first_row<Found>(st, found_from);
        if (!found) return found.error();
        row = std::move(*found);
      }
      if (!row && r.outbox_id > 0) {
        auto& st = conn_.prepare(sql().delivery_row_by_id);
        Binder(st).add(r.outbox_id);
        auto found = first_row<Found>(st, found_from);
        if (!found) return found.error();
        row = std::move(*found);
      }
      if (!row) return false;

      auto rank = [](std::string_view s) { return s == "queued" ? 1 : s == "sent" ? 2 : s.empty() ? 0 : 3; };
      const bool unsent = row->status == "pending" || row->status == "sending";
      std::string status = row->status;
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
      // delivery_error and delivery_at follow delivery_status.
      std::string delivery_error =
          further ? (r.status == "failed" ? r.error_code : std::string()) : row->delivery_error;
      std::optional<std::int64_t> delivery_at = further ? std::optional<std::int64_t>(seconds(r.at)) : row->delivery_at;
      std::string last_error = row->last_error;
      if (status == "failed" && row->status != "failed")
        last_error = "delivery report: " + r.detail + (r.error_code.empty() ? "" : " (error " + r.error_code + ")");
      auto& up = conn_.prepare(sql().delivery_update);
      Binder(up)
          .add(status)
          .add(delivery_status)
          .add(delivery_error)
          .add(delivery_at)
          .add(last_error)
          .add(row->provider.empty() ? r.provider : row->provider)
          .add(row->provider_message_id.empty() ? r.provider_message_id : row->provider_message_id)
          .add(done_at)
          .add(row->id);
      up.executeUpdate();
      auto& ins = conn_.prepare(sql().delivery_report_insert);
      Binder(ins)
          .add(row->id)
          .add(r.provider)
          .add(r.provider_message_id)
          .add(r.status)
          .add(r.error_code)
          .add(r.detail)
          .add(seconds(r.at));
      ins.executeUpdate();
      return true;
    });
  }

  Result<std::optional<OutboxDetail>> outbox_detail(std::int64_t id) override {
    return guard("outbox_detail", [&]() -> Result<std::optional<OutboxDetail>> {
      OutboxDetail d;
      {
        auto& st = conn_.prepare(sql().outbox_one);
        Binder(st).add(id);
        auto m = first_row<OutboxMessage>(st, outbox_from_row);
        if (!m) return m.error();
        if (!*m) return std::optional<OutboxDetail>();
        d.message = std::move(**m);
      }
      {
        auto& st = conn_.prepare(sql().outbox_delivery_select);
        Binder(st).add(id);
        std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
        if (rs->next()) {
          Row row(*rs);
          d.delivery_status = row.text(0);
          d.delivery_error = row.text(1);
          if (auto t = row.optional_int64(2)) d.delivery_at = instant(*t);
          if (auto t = row.optional_int64(3)) d.done_at = instant(*t);
        }
      }
      {
        auto& st = conn_.prepare(sql().delivery_report_select);
        Binder(st).add(id);
        auto rows = all_rows<DeliveryReport>(st, [](const Row& row) -> Result<DeliveryReport> {
          DeliveryReport r;
          r.outbox_id = row.int64(0);
          r.provider = row.text(1);
          r.provider_message_id = row.text(2);
          r.status = row.text(3);
          r.error_code = row.text(4);
          r.detail = row.text(5);
          r.at = instant(row.int64(6));
          return r;
        });
        if (!rows) return rows.error();
        d.reports = std::move(*rows);
      }
      {
        auto& st = conn_.prepare(sql().channel_log_select);
        Binder(st).add(id);
        auto rows = all_rows<ChannelLogEntry>(st, [](const Row& row) -> Result<ChannelLogEntry> {
          ChannelLogEntry e;
          e.outbox_id = row.int64(0);
          e.provider = row.text(1);
          e.request = row.text(2);
          e.response = row.text(3);
          e.http_status = static_cast<int>(row.int64(4));
          e.outcome = row.text(5);
          e.elapsed_ms = row.int64(6);
          e.at = instant(row.int64(7));
          return e;
        });
        if (!rows) return rows.error();
        d.channel_log = std::move(*rows);
      }
      return std::optional<OutboxDetail>(std::move(d));
    });
  }

  // The dispatcher's side; run as write commands.
  Result<std::vector<OutboxMessage>> claim_outbox(std::size_t limit, Instant now, Instant lease_until) {
    return guard("claim_outbox", [&]() -> Result<std::vector<OutboxMessage>> {
      std::vector<OutboxMessage> due;
      for (const std::string* query : {&sql().outbox_due_pending, &sql().outbox_due_sending}) {
        auto& st = conn_.prepare(*query);
        Binder(st).add(seconds(now)).add(limit_param(limit));
        auto rows = all_rows<OutboxMessage>(st, outbox_from_row);
        if (!rows) return rows.error();
        for (auto& m : *rows) due.push_back(std::move(m));
      }
      // Oldest due first over both kinds; what is cut off here is unlocked at COMMIT.
      std::sort(due.begin(), due.end(), [](const OutboxMessage& a, const OutboxMessage& b) {
        return std::pair(a.next_attempt_at, a.id) < std::pair(b.next_attempt_at, b.id);
      });
      if (limit != 0 && due.size() > limit) due.resize(limit);
      if (due.empty()) return due;
      // The ids came from the database as integers: no quoting concerns in this one statement.
      std::string ids;
      for (const auto& m : due) {
        if (!ids.empty()) ids += ",";
        ids += std::to_string(m.id);
      }
      conn_.exec("UPDATE outbox SET status = 'sending', next_attempt_at = " + std::to_string(seconds(lease_until)) +
                 " WHERE id IN (" + ids + ")");
      for (auto& m : due) {
        m.status = "sending";
        m.next_attempt_at = lease_until;
      }
      return due;
    });
  }

  Status mark_sent(std::int64_t id, std::string_view provider, std::string_view provider_message_id, Instant at) {
    return guard("mark_sent", [&]() -> Status {
      auto& st = conn_.prepare(sql().outbox_sent);
      Binder(st).add(provider).add(provider_message_id).add(seconds(at)).add(id);
      if (st.executeUpdate() == 0) return not_found(id);
      return ok_status();
    });
  }

  Status mark_retry(std::int64_t id, std::string_view error, Instant next_attempt_at) {
    return guard("mark_retry", [&]() -> Status {
      auto& st = conn_.prepare(sql().outbox_retry);
      Binder(st).add(error).add(seconds(next_attempt_at)).add(id);
      if (st.executeUpdate() == 0) return why_unchanged(id);
      return ok_status();
    });
  }

  Status mark_failed(std::int64_t id, std::string_view error, Instant at) {
    return guard("mark_failed", [&]() -> Status {
      auto& st = conn_.prepare(sql().outbox_failed);
      Binder(st).add(error).add(seconds(at)).add(id);
      if (st.executeUpdate() == 0) return why_unchanged(id);
      return ok_status();
    });
  }

  Result<OutboxFigures> outbox_figures() {
    return guard("outbox_figures", [&]() -> Result<OutboxFigures> {
      OutboxFigures figures;
      auto pair_from_row = [](const Row& r) -> Result<std::pair<std::string, std::int64_t>> {
        return std::pair<std::string, std::int64_t>(r.text(0), r.int64(1));
      };
      auto by_status =
          all_rows<std::pair<std::string, std::int64_t>>(conn_.prepare(sql().outbox_by_status), pair_from_row);
      if (!by_status) return by_status.error();
      figures.by_status = std::move(*by_status);
      auto by_provider =
          all_rows<std::pair<std::string, std::int64_t>>(conn_.prepare(sql().outbox_by_provider), pair_from_row);
      if (!by_provider) return by_provider.error();
      figures.by_provider = std::move(*by_provider);
      auto oldest = first_row<std::optional<std::int64_t>>(
          conn_.prepare(sql().outbox_oldest_pending),
          [](const Row& r) -> Result<std::optional<std::int64_t>> { return r.optional_int64(0); });
      if (!oldest) return oldest.error();
      if (*oldest && **oldest) figures.oldest_pending = instant(***oldest);
      return figures;
    });
  }

  Status ping() {
    return guard("ping", [&]() -> Status {
      auto q = conn_.query("SELECT 1");
      if (!q.rows->next()) return Error{"store_error", "ping: no row"};
      return ok_status();
    });
  }

 private:
  // Runs one statement group, turning what Connector/C++ throws into an Error at this boundary.
  template <class F>
  auto guard(std::string_view what, F&& body) -> std::invoke_result_t<F&> {
    using R = std::invoke_result_t<F&>;
    if (fatal_) return R(*fatal_);
    try {
      return body();
    } catch (const sql::SQLException& e) {
      return R(failed(e, what));
    } catch (const std::exception& e) {
      return R(Error{"store_error", std::string(what) + ": " + e.what()});
    }
  }

  Error failed(const sql::SQLException& e, std::string_view what) {
    Error err = to_error(e, what);
    switch (classify(e.getErrorCode())) {
      case Failure::statement:
        break;  // MySQL rolled back this statement only; the command decides what follows
      case Failure::retry:
        fatal_ = err;
        break;
      case Failure::connection:
        fatal_ = err;
        conn_.mark_broken();
        break;
    }
    return err;
  }

  Status writable(std::string_view what) const {
    if (writable_) return ok_status();
    return Error{"store_error", std::string(what) + " is a write; Store::read() gives a read-only snapshot"};
  }

  // In a write the row is locked (FOR UPDATE): a command reads an application to change it, and
  // another gateway must not change it in between.
  Result<std::optional<core::Application>> application_where(const std::string& query, std::string_view what,
                                                             std::string_view value) {
    return guard(what, [&]() -> Result<std::optional<core::Application>> {
      auto& st = conn_.prepare(writable_ ? query + " FOR UPDATE" : query);
      Binder(st).add(value);
      return first_row<core::Application>(st, application_from_row);
    });
  }

  static Error duplicate_course(const core::Course& c) {
    return Error{"duplicate_course", "a course with code '" + c.code + "' exists already"};
  }

  static Error not_found(std::int64_t id) {
    return Error{"outbox_not_found", "no outbox message " + std::to_string(id)};
  }

  // mark_retry/mark_failed changed nothing: an unknown id is an error; a message already sent
  // is left as it is, and the late report is not one (the dispatcher carries on with the others).
  Status why_unchanged(std::int64_t id) {
    auto& st = conn_.prepare(sql().outbox_exists);
    Binder(st).add(id);
    std::unique_ptr<sql::ResultSet> rs(st.executeQuery());
    if (!rs->next()) return not_found(id);
    return ok_status();
  }

  Connection& conn_;
  bool writable_;
  std::optional<Error> fatal_;
};

Status run_guarded(const Store::Command& command, Tx& tx) {
  if (!command) return Error{"store_error", "empty command"};
  // Commands report failure as values; an exception still must not take a worker down with it.
  try {
    return command(tx);
  } catch (const std::exception& e) {
    return Error{"store_error", std::string("command threw: ") + e.what()};
  } catch (...) {
    return Error{"store_error", "command threw"};
  }
}

// Ends the transaction without keeping anything; a connection that cannot even do that is dropped.
void rollback(Connection& conn) {
  if (conn.broken()) return;
  try {
    conn.exec("ROLLBACK");
  } catch (const sql::SQLException&) {
    conn.mark_broken();
  }
}

// A short random pause before running a command again, so two transactions that deadlocked do
// not meet again at once.
void pause_before_attempt(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::uniform_int_distribution<int> ms(1, 10 * attempt);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
}

class MysqlStore final : public Store {
 public:
  explicit MysqlStore(const MysqlSettings& settings) : settings_(settings), readers_(settings.readers) {
    for (std::size_t i = 0; i < readers_.size(); ++i) free_readers_.push_back(i);
    for (std::size_t i = 0; i < settings_.pool; ++i) {
      workers_.emplace_back([this] { run_worker(); });
      pthread_setname_np(workers_.back().native_handle(), ("cg-mysql-" + std::to_string(i)).c_str());
    }
    for (auto& w : workers_) worker_ids_.push_back(w.get_id());
  }

  ~MysqlStore() override { close(); }

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
    auto slot = acquire_reader();
    if (!slot) return unavailable();
    Status result = read_on(readers_[*slot], command);
    release_reader(*slot);
    return result;
  }

  Result<std::vector<OutboxMessage>> claim_outbox(std::size_t limit, Instant now, Instant lease_until) override {
    std::vector<OutboxMessage> claimed;
    Status s = write_sync([&](Tx& tx) -> Status {
      auto r = static_cast<MysqlTx&>(tx).claim_outbox(limit, now, lease_until);
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
        [&](Tx& tx) { return static_cast<MysqlTx&>(tx).mark_sent(id, provider, provider_message_id, at); });
  }

  Status mark_retry(std::int64_t id, std::string_view error, Instant next_attempt_at) override {
    return write_sync([&](Tx& tx) { return static_cast<MysqlTx&>(tx).mark_retry(id, error, next_attempt_at); });
  }

  Status mark_failed(std::int64_t id, std::string_view error, Instant at) override {
    return write_sync([&](Tx& tx) { return static_cast<MysqlTx&>(tx).mark_failed(id, error, at); });
  }

  Result<OutboxFigures> outbox_figures() override {
    OutboxFigures figures;
    Status s = read([&](Tx& tx) -> Status {
      auto r = static_cast<MysqlTx&>(tx).outbox_figures();
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
    return read([](Tx& tx) { return static_cast<MysqlTx&>(tx).ping(); });
  }

  void close() override {
    {
      std::lock_guard lock(queue_mutex_);
      closing_ = true;
    }
    queue_cv_.notify_all();
    // From a `done` callback: the workers finish the queue and end; joining is left to the owner.
    if (std::find(worker_ids_.begin(), worker_ids_.end(), std::this_thread::get_id()) != worker_ids_.end()) return;
    std::lock_guard lock(close_mutex_);
    for (auto& w : workers_)
      if (w.joinable()) w.join();
    std::unique_lock pool_lock(pool_mutex_);
    readers_closed_ = true;
    pool_cv_.notify_all();
    // Reads already running finish on their connections first.
    pool_cv_.wait(pool_lock, [&] { return free_readers_.size() == readers_.size(); });
    for (auto& r : readers_) r.reset();
  }

 private:
  struct Item {
    Command command;
    Done done;
  };

  void run_worker() {
    driver().threadInit();
    std::unique_ptr<Connection> conn;  // this worker's own; (re)connected when needed
    for (;;) {
      Item item;
      {
        std::unique_lock lock(queue_mutex_);
        queue_cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
        if (queue_.empty()) break;  // closing, and everything queued is done
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      Status result = run_write(conn, item.command);
      if (!item.done) continue;
      // A throwing callback must not stop the worker for everyone else.
      try {
        item.done(result);
      } catch (...) {
      }
    }
    conn.reset();
    driver().threadEnd();
  }

  // Makes sure `conn` is a live connection; a failure means the server cannot be reached now.
  Status connect(std::unique_ptr<Connection>& conn, Role role) {
    if (conn && !conn->broken()) return ok_status();
    conn.reset();
    auto fresh = Connection::open(settings_, role);
    if (!fresh) return fresh.error();
    conn = std::move(*fresh);
    return ok_status();
  }

  // One command as one transaction, run again after a deadlock, a lock wait timeout or a
  // connection lost before COMMIT (in each case nothing of it was kept).
  Status run_write(std::unique_ptr<Connection>& conn, const Command& command) {
    Error last{"store_error", "no attempt made"};
    for (int attempt = 1; attempt <= settings_.max_attempts; ++attempt) {
      if (attempt > 1) pause_before_attempt(attempt);
      // A server that cannot be reached fails the command now: the caller answers 503 and the
      // sender retries later, rather than waiting here.
      if (auto s = connect(conn, Role::writer); !s) return s;
      try {
        conn->exec("START TRANSACTION");
      } catch (const sql::SQLException& e) {
        last = to_error(e, "starting a transaction");
        // Typically a pooled connection to a server that has restarted since: reconnect.
        if (classify(e.getErrorCode()) == Failure::connection) {
          conn->mark_broken();
          continue;
        }
        return last;
      }
      MysqlTx tx(*conn, true);
      Status result = run_guarded(command, tx);
      if (tx.fatal()) {
        rollback(*conn);
        last = *tx.fatal();
        continue;
      }
      if (!result) {
        rollback(*conn);
        return result;
      }
      try {
        conn->exec("COMMIT");
        return ok_status();
      } catch (const sql::SQLException& e) {
        Failure kind = classify(e.getErrorCode());
        last = to_error(e, "committing");
        if (kind == Failure::connection) {
          conn->mark_broken();
          // Whether the COMMIT reached the server is unknown, so the command is not run again:
          // the caller reports the failure, and a sender's retry is recognised by its event key.
          return Error{"store_unavailable", last.message + "; the outcome of the commit is unknown"};
        }
        rollback(*conn);
        if (kind == Failure::retry) continue;
        return last;
      }
    }
    return last;
  }

  // A read-only snapshot. A pooled connection found dead at the start is replaced once; a read
  // that fails later is not run again (the command may have acted on what it read so far).
  Status read_on(std::unique_ptr<Connection>& conn, const Command& command) {
    for (int attempt = 1;; ++attempt) {
      if (auto s = connect(conn, Role::reader); !s) return s;
      try {
        conn->exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
      } catch (const sql::SQLException& e) {
        if (classify(e.getErrorCode()) == Failure::connection) {
          conn->mark_broken();
          if (attempt == 1) continue;
        }
        return to_error(e, "starting a read");
      }
      MysqlTx tx(*conn, false);
      Status result = run_guarded(command, tx);
      rollback(*conn);  // a read-only snapshot has nothing to keep
      if (tx.fatal()) return *tx.fatal();
      return result;
    }
  }

  std::optional<std::size_t> acquire_reader() {
    std::unique_lock lock(pool_mutex_);
    pool_cv_.wait(lock, [&] { return readers_closed_ || !free_readers_.empty(); });
    if (readers_closed_) return std::nullopt;
    std::size_t slot = free_readers_.back();
    free_readers_.pop_back();
    return slot;
  }

  void release_reader(std::size_t slot) {
    {
      std::lock_guard lock(pool_mutex_);
      free_readers_.push_back(slot);
    }
    pool_cv_.notify_all();
  }

  const MysqlSettings settings_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Item> queue_;
  bool closing_ = false;
  std::vector<std::thread> workers_;
  std::vector<std::thread::id> worker_ids_;
  std::mutex close_mutex_;

  std::vector<std::unique_ptr<Connection>> readers_;  // slots; connected on first use
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::size_t> free_readers_;
  bool readers_closed_ = false;
};

Status check_settings(const MysqlSettings& s) {
  auto bad = [](std::string message) { return Error{"invalid_store_settings", std::move(message)}; };
  if (s.host.empty()) return bad("mysql host is empty");
  if (s.port == 0) return bad("mysql port must be 1 to 65535");
  if (s.user.empty()) return bad("mysql user is empty");
  if (s.database.empty()) return bad("mysql database is empty");
  if (s.pool == 0 || s.pool > 256) return bad("mysql pool must be 1 to 256");
  if (s.readers == 0 || s.readers > 256) return bad("mysql readers must be 1 to 256");
  if (s.max_attempts < 1) return bad("mysql max_attempts must be at least 1");
  if (s.connect_timeout.count() < 1 || s.io_timeout.count() < 1 || s.lock_wait_timeout.count() < 1)
    return bad("mysql timeouts must be at least one second");
  return ok_status();
}

// "10.11.19-MariaDB-0+deb12u1". SKIP LOCKED needs MariaDB 10.6; the migrations use MariaDB's DDL
// (IF NOT EXISTS on columns and indexes, the NO PAD binary collation), which MySQL 8 lacks.
Status check_server(Connection& conn) {
  auto q = conn.query("SELECT VERSION()");
  std::string version = q.rows->next() ? q.rows->getString(1).asStdString() : "";
  int major = 0, minor = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) != 2)
    return Error{"store_error", "unrecognised server version '" + version + "'"};
  if (version.find("MariaDB") == std::string::npos)
    return Error{"store_error", "server version " + version +
                                    " is not MariaDB: the schema uses MariaDB's DDL; MariaDB 10.6 or newer is needed"};
  if (major < 10 || (major == 10 && minor < 6))
    return Error{"store_error",
                 "server version " + version + " is too old: MariaDB 10.6 or newer is needed (SELECT ... SKIP LOCKED)"};
  return ok_status();
}

// Brings the database to `migrations.size()`. A named lock keeps two gateways starting at once
// from both migrating; the second waits, then finds the work done.
Status migrate(Connection& conn, const MysqlSettings& s, std::span<const Migration> migrations) {
  const std::string lock = ("course_gateway.migrate." + s.database).substr(0, 64);
  std::int64_t current = 0;
  std::int64_t applying = 0;
  try {
    {
      auto& get = conn.prepare("SELECT GET_LOCK(?, 60)");
      Binder(get).add(lock);
      std::unique_ptr<sql::ResultSet> rs(get.executeQuery());
      if (!rs->next() || rs->isNull(1) || rs->getInt(1) != 1)
        return Error{"store_error", "another process held the migration lock of " + s.database + " for 60 s"};
    }
    auto release = [&] {
      auto& rel = conn.prepare("SELECT RELEASE_LOCK(?)");
      Binder(rel).add(lock);
      std::unique_ptr<sql::ResultSet> rs(rel.executeQuery());
    };
    conn.exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL) "
        "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin");
    {
      auto q = conn.query("SELECT COALESCE(MAX(version), 0) FROM schema_version");
      if (q.rows->next()) current = q.rows->getInt64(1);
    }
    auto known = static_cast<std::int64_t>(migrations.size());
    if (current > known) {
      release();
      return Error{"schema_too_new", s.database + " is at schema version " + std::to_string(current) +
                                         ", newer than this build knows (" + std::to_string(known) +
                                         "); run a newer course-gateway"};
    }
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    for (applying = current + 1; applying <= known; ++applying) {
      for (std::string_view statement : migrations[static_cast<std::size_t>(applying - 1)])
        conn.exec(std::string(statement));
      auto& record = conn.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
      Binder(record).add(applying).add(seconds(now));
      record.executeUpdate();
    }
    release();
  } catch (const sql::SQLException& e) {
    // The lock goes with the connection, which the caller closes.
    std::string what = applying > 0 ? "migration " + std::to_string(applying) + " of " + s.database
                                    : "reading the schema version of " + s.database;
    return to_error(e, what);
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Store>> open(const MysqlSettings& settings, std::span<const Migration> migrations) {
  if (auto s = check_settings(settings); !s) return s.error();
  auto conn = Connection::open(settings, Role::writer);
  if (!conn) return conn.error();
  try {
    if (auto s = check_server(**conn); !s) return s.error();
  } catch (const sql::SQLException& e) {
    return to_error(e, "reading the server version");
  }
  if (auto s = migrate(**conn, settings, migrations); !s) return s.error();
  std::unique_ptr<Store> store = std::make_unique<MysqlStore>(settings);
  return Result<std::unique_ptr<Store>>(std::move(store));
}

}  // namespace mysql

Result<std::unique_ptr<Store>> open_mysql(const MysqlSettings& settings) {
  return mysql::open(settings, mysql::migrations());
}

}  // namespace cg::store
