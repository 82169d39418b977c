#include "adapters/store/sql/queries.hpp"

#include <array>
#include <string_view>

#include "adapters/store/sql/columns.hpp"
#include "core/domain.hpp"

namespace cg::store::sql {
namespace {

using namespace columns;  // kCourseColumns, kApplicationColumns, ... (columns.hpp)

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

}  // namespace

std::string Queries::applications_in_states(std::size_t count) const {
  std::string out = application_select + " WHERE course_id = ? AND state IN (";
  for (std::size_t i = 0; i < count; ++i) out += i ? ", ?" : "?";
  return out + ") ORDER BY seq LIMIT ?";
}

Queries::Queries(const Dialect& d) : dialect(d) {
  const std::string lock(d.for_update);

  course_select = "SELECT " + column_list(kCourseColumns) + " FROM courses";
  course_by_id = course_select + " WHERE id = ?";
  course_by_id_locked = course_by_id + lock;
  course_by_code = course_select + " WHERE code = ?";
  course_by_code_locked = course_by_code + lock;
  courses_all = course_select + " ORDER BY start_at, id";
  courses_open = course_select + " WHERE status = 'open' AND start_at > ? ORDER BY start_at, id";
  course_insert = insert_sql("courses", kCourseColumns, 1);
  course_update = update_sql("courses", kCourseColumns);

  application_select = "SELECT " + column_list(kApplicationColumns) + " FROM applications";
  application_by_id = application_select + " WHERE id = ?";
  application_by_id_locked = application_by_id + lock;
  application_by_token = application_select + " WHERE exam_token = ?";
  application_by_token_locked = application_by_token + lock;
  application_by_billing = application_select + " WHERE billing_number = ?";
  application_by_billing_locked = application_by_billing + lock;
  applications_live = application_select + " WHERE id_type = ? AND id_number = ? AND state IN (" +
                      quoted_live_states() + ") ORDER BY seq";
  applications_by_phone = application_select + " WHERE phone = ? ORDER BY created_at DESC, seq DESC LIMIT ?";
  // Served by the indexes applications_by_phone (phone, created_at) and applications_by_document.
  applications_by_phone_since =
      "SELECT COUNT(*), MIN(created_at) FROM applications WHERE phone = ? AND created_at >= ?";
  applications_of_document_since =
      "SELECT COUNT(*), MIN(created_at) FROM applications WHERE id_type = ? AND id_number = ? AND created_at >= ?";
  // The literal state matches SQLite's partial index applications_bills_due.
  bills_due =
      application_select + " WHERE state = 'awaiting_payment' AND bill_due_at <= ? ORDER BY bill_due_at, seq LIMIT ?";
  application_insert = insert_sql("applications", kApplicationColumns, 0);
  application_update = update_sql("applications", kApplicationColumns);

  // SQLite: the row exists but the first time, so a plain UPDATE, then reading the value back, is
  // the common path. (RETURNING would be one statement, but SQLite collects its rows in a temporary
  // b-tree it builds and frees each time: that was a tenth of the writer's time per application.)
  sequence_bump = "UPDATE sequences SET value = value + 1 WHERE name = ?";
  sequence_first = "INSERT INTO sequences (name, value) VALUES (?, 1)";
  // MariaDB: the row stays locked by this transaction until it ends, so the value read next is ours.
  sequence_upsert = "INSERT INTO sequences (name, value) VALUES (?, 1)" +
                    (d.on_duplicate_key_update ? std::string(" ON DUPLICATE KEY UPDATE value = value + 1")
                                               : std::string(" ON CONFLICT (name) DO UPDATE SET value = value + 1"));
  sequence_value = "SELECT value FROM sequences WHERE name = ?";

  history_insert =
      "INSERT INTO history (application_id, at, from_state, to_state, step, event) VALUES (?, ?, ?, ?, ?, ?)";
  history_select =
      "SELECT application_id, at, from_state, to_state, step, event FROM history WHERE application_id = ? ORDER BY id";

  pass_select = "SELECT 1 FROM passes WHERE id_type = ? AND id_number = ? AND prerequisite = ?";
  // A pass recorded twice keeps the first record (when and how it was first proven).
  pass_insert = "INSERT INTO passes (id_type, id_number, prerequisite, source, at) VALUES (?, ?, ?, ?, ?)" +
                std::string(d.insert_unless_present);

  outbox_select = "SELECT " + column_list(kOutboxColumns) + " FROM outbox";
  outbox_one = outbox_select + " WHERE id = ?";
  outbox_insert = insert_sql("outbox", kOutboxColumns, 1);
  // SQLite claims in one statement: the due rows, in the order of the (partial) outbox_due index,
  // get their lease and come back as they are after it.
  outbox_claim =
      "UPDATE outbox SET status = 'sending', next_attempt_at = ? WHERE id IN (SELECT id FROM outbox WHERE status IN "
      "('pending', 'sending') AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?) RETURNING " +
      column_list(kOutboxColumns);
  // MariaDB: one query per status, each in the order of the outbox_due index, so the scan stops at
  // LIMIT instead of locking every due row; rows another dispatcher holds are skipped, not waited for.
  outbox_due_pending = outbox_select +
                       " WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?" +
                       lock + " SKIP LOCKED";
  outbox_due_sending = outbox_select +
                       " WHERE status = 'sending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?" +
                       lock + " SKIP LOCKED";
  // A send outcome reads the row's status (locked) and decides (outbox_rules.hpp), then writes.
  // `attempts` counts finished attempts, so a claimed row shows how many came before this one; a
  // lease that ran out (the dispatcher died mid-send) is not counted.
  outbox_status_locked = "SELECT status, next_attempt_at FROM outbox WHERE id = ?" + lock;
  // A lease is renewed only where it is still the one this claim set (one row at a time: the
  // matched count says whether it is still held, with no statement per batch size).
  outbox_renew_lease =
      "UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND status = 'sending' AND next_attempt_at = ?";
  outcome_sent =
      "UPDATE outbox SET status = 'sent', attempts = attempts + 1, provider = ?, provider_message_id = ?, "
      "last_error = '', done_at = ? WHERE id = ?";
  // A delivery report got there first: keep its status, fill in who sent it.
  outcome_sent_late =
      "UPDATE outbox SET provider = CASE WHEN provider = '' THEN ? ELSE provider END, "
      "provider_message_id = CASE WHEN provider_message_id = '' THEN ? ELSE provider_message_id END WHERE id = ?";
  outcome_retry =
      "UPDATE outbox SET status = 'pending', attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?";
  outcome_failed =
      "UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = ?, done_at = ? WHERE id = ?";
  outbox_by_status = "SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status";
  outbox_by_provider = "SELECT provider, COUNT(*) FROM outbox WHERE provider <> '' GROUP BY provider ORDER BY provider";
  // "created_at + 0": read through the partial outbox_due (the unsent rows only), not by walking the
  // created_at index of migration 14 from the oldest row until an unsent one turns up.
  outbox_oldest_pending = "SELECT MIN(created_at + 0) FROM outbox WHERE status IN ('pending', 'sending')";
  channel_log_insert =
      "INSERT INTO channel_log (outbox_id, provider, request, response, http_status, outcome, elapsed_ms, at, "
      "request_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
  channel_log_select =
      "SELECT outbox_id, provider, request, response, http_status, outcome, elapsed_ms, at, request_id "
      "FROM channel_log WHERE outbox_id = ? ORDER BY id";
  // Locked: two gateways may take reports on one message at once; each moves the row on in turn.
  // "provider_message_id <> ''" lets SQLite use its partial index (the caller never asks for '').
  const std::string delivery_row =
      "SELECT id, status, delivery_status, delivery_error, delivery_at, last_error, provider, provider_message_id, "
      "done_at FROM outbox";
  delivery_row_by_message = delivery_row +
                            " WHERE provider = ? AND provider_message_id = ? AND provider_message_id <> '' "
                            "ORDER BY id LIMIT 1" +
                            lock;
  delivery_row_by_id = delivery_row + " WHERE id = ?" + lock;
  delivery_update =
      "UPDATE outbox SET status = ?, delivery_status = ?, delivery_error = ?, delivery_at = ?, last_error = ?, "
      "provider = ?, provider_message_id = ?, done_at = ? WHERE id = ?";
  delivery_report_insert =
      "INSERT INTO delivery_reports (outbox_id, provider, provider_message_id, status, error_code, detail, at) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)";
  delivery_report_select =
      "SELECT outbox_id, provider, provider_message_id, status, error_code, detail, at FROM delivery_reports "
      "WHERE outbox_id = ? ORDER BY id";
  outbox_delivery_select = "SELECT delivery_status, delivery_error, delivery_at, done_at FROM outbox WHERE id = ?";

  inbound_insert =
      "INSERT INTO inbound_messages (provider, provider_message_id, from_number, to_number, body, received_at, "
      "outcome) VALUES (?, ?, ?, ?, ?, ?, ?)" +
      std::string(d.insert_unless_present);
  session_select = "SELECT session_key, state, updated_at FROM sessions WHERE session_key = ?";
  // In a write the session row is locked: two messages of one conversation arriving at two
  // gateways at once take turns.
  session_select_locked = session_select + lock;
  session_upsert = "INSERT INTO sessions (session_key, state, updated_at) VALUES (?, ?, ?)" +
                   d.upsert("session_key", {"state", "updated_at"});
  sessions_delete = "DELETE FROM sessions WHERE " + d.prefix_match("session_key") + " AND updated_at < ?";
  sessions_select_between = "SELECT session_key, state, updated_at FROM sessions WHERE " +
                            d.prefix_match("session_key") +
                            " AND updated_at >= ? AND updated_at < ? ORDER BY updated_at LIMIT ?";
  opt_out_select = "SELECT 1 FROM sms_opt_outs WHERE phone = ?";
  // Opting out twice keeps the first time.
  opt_out_insert = "INSERT INTO sms_opt_outs (phone, at) VALUES (?, ?)" + std::string(d.insert_unless_present);
  opt_out_delete = "DELETE FROM sms_opt_outs WHERE phone = ?";
  // What was queued for a number before it said STOP and has not been handed to a provider is not
  // sent (SPEC §3); a row a dispatcher is sending right now is past recall.
  opt_out_withdraw =
      "UPDATE outbox SET status = 'failed', last_error = 'opted_out: the number sent STOP first', done_at = ? "
      "WHERE status = 'pending' AND to_number = ?";

  payment_select = "SELECT " + column_list(kPaymentColumns) + " FROM payments WHERE joebpps_trx = ?";
  payment_insert = insert_sql("payments", kPaymentColumns, 0);
  // STMTDate is yyyy-MM-dd text, so text order is date order.
  payments_by_stmt_date = "SELECT " + column_list(kPaymentColumns) +
                          " FROM payments WHERE stmt_date >= ? AND stmt_date <= ? "
                          "ORDER BY stmt_date, received_at, joebpps_trx LIMIT ?";
  payment_totals = "SELECT stmt_date, outcome, COUNT(*), " + d.sum("paid_fils") +
                   " FROM payments WHERE stmt_date >= ? AND stmt_date <= ? GROUP BY stmt_date, outcome "
                   "ORDER BY stmt_date, outcome";
  // The literal state matches SQLite's partial index applications_bills_due.
  open_bills = application_select + " WHERE state = 'awaiting_payment' ORDER BY bill_due_at, seq LIMIT ?";
  open_bill_totals = "SELECT COUNT(*), COALESCE(" + d.sum("bill_amount_fils") +
                     ", 0) FROM applications WHERE state = 'awaiting_payment'";

  event_insert =
      "INSERT INTO events (source, `key`, summary, at) VALUES (?, ?, ?, ?)" + std::string(d.insert_unless_present);
  event_summary = "SELECT summary FROM events WHERE source = ? AND `key` = ?";

  const std::string operator_columns =
      "SELECT id, username, role, password_hash, disabled, created_at, password_changed_at FROM operators";
  operator_insert =
      "INSERT INTO operators (username, role, password_hash, disabled, created_at, password_changed_at) "
      "VALUES (?, ?, ?, ?, ?, ?)";
  operator_by_name = operator_columns + " WHERE username = ?";
  operator_by_id = operator_columns + " WHERE id = ?";
  operators_all = operator_columns + " ORDER BY username";
  operator_update =
      "UPDATE operators SET role = ?, password_hash = ?, disabled = ?, password_changed_at = ? WHERE id = ?";
  console_session_insert =
      "INSERT INTO console_sessions (token_hash, operator_id, created_at, last_seen_at, client_address) "
      "VALUES (?, ?, ?, ?, ?)";
  console_session_select =
      "SELECT token_hash, operator_id, created_at, last_seen_at, client_address FROM console_sessions "
      "WHERE token_hash = ?";
  console_session_touch = "UPDATE console_sessions SET last_seen_at = ? WHERE token_hash = ?";
  console_session_delete = "DELETE FROM console_sessions WHERE token_hash = ?";
  console_sessions_delete_of = "DELETE FROM console_sessions WHERE operator_id = ?";
  console_sessions_delete_idle = "DELETE FROM console_sessions WHERE last_seen_at < ?";
  // The audit log is written only by this INSERT; nothing here updates or deletes a line.
  audit_insert =
      "INSERT INTO audit_log (actor, at, action, target, before_json, after_json, client_address) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)";
  const std::string audit_columns =
      "SELECT id, actor, at, action, target, before_json, after_json, client_address FROM audit_log";
  audit_newest = audit_columns + " ORDER BY id DESC LIMIT ?";
  audit_before = audit_columns + " WHERE id < ? ORDER BY id DESC LIMIT ?";
  // "status = 'failed'" as a literal matches SQLite's partial index outbox_failed (MariaDB's
  // outbox_failed leads with the status): only failed rows are read, never the whole outbox.
  failed_sms_since =
      "SELECT id, application_id, to_number, template_name, last_error, done_at FROM outbox "
      "WHERE status = 'failed' AND done_at >= ? ORDER BY done_at DESC, id DESC LIMIT ?";
  failed_sms_count_since = "SELECT COUNT(*) FROM outbox WHERE status = 'failed' AND done_at >= ?";
  // The literal state matches SQLite's partial index applications_bills_due.
  bills_due_count = "SELECT COUNT(*) FROM applications WHERE state = 'awaiting_payment' AND bill_due_at <= ?";
  // Key paging by seq within one course. The name is searched as a substring with instr(), which
  // both engines have and which treats '%' and '_' as plain characters; the numbers match exactly.
  for (std::size_t k = 0; k < course_applicants.size(); ++k) {
    const std::string filter =
        std::string(" WHERE course_id = ?") + ((k & 1) ? " AND state = ?" : "") +
        ((k & 2) ? " AND (instr(name, ?) > 0 OR phone = ? OR id_number = ? OR billing_number = ?)" : "");
    course_applicants[k] = application_select + filter + " AND seq > ? ORDER BY seq LIMIT ?";
    course_applicants_count[k] = "SELECT COUNT(*) FROM applications" + filter;
  }
  application_outbox_ids = "SELECT id FROM outbox WHERE application_id = ? ORDER BY id LIMIT ?";
  application_payments =
      "SELECT " + column_list(kPaymentColumns) + " FROM payments WHERE application_id = ? ORDER BY received_at";
  // Key paging: the row after (received_at, joebpps_trx), so a page costs the same wherever it is.
  // The leading ">=" lets the index range start at the key; the OR only settles ties.
  // Each row with its settlement, if any, by the settlements' primary key.
  payments_of_day =
      "SELECT " + column_list(kPaymentColumns, "payments") +
      ", refund_settlements.settled_at, refund_settlements.settled_by, refund_settlements.reference "
      "FROM payments LEFT JOIN refund_settlements ON refund_settlements.joebpps_trx = payments.joebpps_trx "
      "WHERE payments.stmt_date = ? AND payments.received_at >= ? "
      "AND (payments.received_at > ? OR payments.joebpps_trx > ?) "
      "ORDER BY payments.received_at, payments.joebpps_trx LIMIT ?";
  // The literal state matches SQLite's partial index applications_bills_due (MariaDB's leads with
  // the state).
  open_bills_after = application_select +
                     " WHERE state = 'awaiting_payment' AND bill_due_at >= ? AND (bill_due_at > ? OR seq > ?) "
                     "ORDER BY bill_due_at, seq LIMIT ?";
  // Refunds to settle (migration 17). A refund is an outcome starting "refund:", written as a range
  // (';' follows ':') so that both engines compare it the same way, byte by byte, and so that the
  // text is exactly the WHERE of SQLite's partial index payments_refunds, which then holds the
  // refunds alone in (received_at, joebpps_trx) order: a page is read in order from the key and
  // the applied payments are never looked at. MariaDB has no partial index: its payments_refunds
  // is (outcome, received_at, joebpps_trx), so the range reads the refunds alone too (a handful
  // of outcomes) and sorts them; either way the cost follows the number of refunds, not of
  // payments. Each is checked against the settlements' primary key.
  const std::string refund = "outcome >= 'refund:' AND outcome < 'refund;'";
  const std::string unsettled =
      " AND NOT EXISTS (SELECT 1 FROM refund_settlements WHERE refund_settlements.joebpps_trx = payments.joebpps_trx)";
  refunds_unsettled = "SELECT " + column_list(kPaymentColumns) + " FROM payments WHERE " + refund +
                      " AND received_at >= ? AND (received_at > ? OR joebpps_trx > ?)" + unsettled +
                      " ORDER BY received_at, joebpps_trx LIMIT ?";
  refunds_unsettled_totals =
      "SELECT COUNT(*), COALESCE(" + d.sum("paid_fils") + ", 0) FROM payments WHERE " + refund + unsettled;
  // Settlements are only ever inserted: there is no UPDATE or DELETE of them here, and both
  // databases refuse one by trigger. In a write the row is read locked, so two settles of one
  // payment take turns and the second sees the first.
  refund_settlement_locked =
      "SELECT joebpps_trx, settled_at, settled_by, reference FROM refund_settlements WHERE joebpps_trx = ?" + lock;
  refund_settlement_insert =
      "INSERT INTO refund_settlements (joebpps_trx, settled_at, settled_by, reference) VALUES (?, ?, ?, ?)";
  // The Messages page, newest first by key (id), through the indexes of migration 14 with a filter
  // (SQLite: outbox_<status>_by_id, partial, or outbox_by_provider; MariaDB: outbox_by_status or
  // outbox_by_provider), else the primary key. The status is a literal of kOutboxStatuses.
  for (std::size_t k = 0; k < outbox_page.size(); ++k) {
    const std::size_t slot = k / 2;
    outbox_page[k] = "SELECT " + column_list(kOutboxColumns) + ", done_at, resent_as FROM outbox WHERE id < ?" +
                     (slot > 0 ? " AND status = '" + std::string(kOutboxStatuses[slot - 1]) + "'" : "") +
                     ((k & 1) ? " AND provider = ?" : "") + " ORDER BY id DESC LIMIT ?";
  }
  // The delivery funnel: the counts of migration 16 for the whole ten-minute slots from the first
  // one that starts inside the window, and the rows themselves (index outbox_by_created) for the
  // window's start up to that slot. Binds: since, the slot's start, the slot.
  outbox_status_since = "SELECT status, " + d.sum("n") +
                        " FROM (SELECT status, COUNT(*) AS n FROM outbox WHERE created_at >= ? AND created_at < ? "
                        "GROUP BY status UNION ALL SELECT status, n FROM outbox_counts WHERE slot >= ?) AS t "
                        "GROUP BY status HAVING SUM(n) > 0 ORDER BY status";
  // A resend reads the failed row locked: two resends of one row take turns, the second sees resent_as.
  outbox_resend_row = "SELECT " + column_list(kOutboxColumns) + ", resent_as FROM outbox WHERE id = ?" + lock;
  outbox_mark_resent = "UPDATE outbox SET resent_as = ? WHERE id = ? AND resent_as = 0";
  // Newest first by (at, id), index sms_opt_outs_by_at of migration 14; the leading "<=" lets the
  // index range start at the key, the OR only settles ties within one second.
  opt_outs_newest = "SELECT id, phone, at FROM sms_opt_outs ORDER BY at DESC, id DESC LIMIT ?";
  opt_outs_before =
      "SELECT id, phone, at FROM sms_opt_outs WHERE at <= ? AND (at < ? OR id < ?) ORDER BY at DESC, id DESC LIMIT ?";
  // The provider leads: the unique index (provider, provider_message_id) narrows the read to the
  // simulator's own rows. The outbox by number and id: index outbox_by_to (migration 15).
  inbound_from =
      "SELECT id, provider, provider_message_id, from_number, to_number, body, received_at, outcome "
      "FROM inbound_messages WHERE provider = ? AND from_number = ? AND id > ? ORDER BY id LIMIT ?";
  outbox_to = outbox_select + " WHERE id > ? AND to_number = ? ORDER BY id LIMIT ?";
  outbox_last_id = "SELECT COALESCE(MAX(id), 0) FROM outbox";
  // Each through its index of migration 11 (sessions: migration 9).
  purge_inbound = d.delete_oldest("inbound_messages", "id", "received_at");
  purge_channel_log = d.delete_oldest("channel_log", "id", "at");
  purge_delivery_reports = d.delete_oldest("delivery_reports", "id", "at");
  purge_sessions = d.delete_oldest("sessions", "id", "updated_at");
  purge_events = d.delete_oldest("events", "(source, `key`)", "at");
  // An outbox row is finished once done_at is set (sent, delivered or failed: outbox_rules.cpp
  // never sets it on a row that may still be sent); the status is checked too, so a row that
  // could go out is never taken. "done_at IS NOT NULL" matches SQLite's partial index outbox_done.
  // The row is locked: a delivery report filed at the same moment on another gateway waits.
  purge_outbox_finished =
      "SELECT id FROM outbox WHERE done_at IS NOT NULL AND done_at < ? AND status IN ('sent', 'delivered', 'failed') "
      "ORDER BY done_at LIMIT ?" +
      lock;
  purge_outbox_reports = "DELETE FROM delivery_reports WHERE outbox_id = ?";
  purge_outbox_log = "DELETE FROM channel_log WHERE outbox_id = ?";
  purge_outbox_row = "DELETE FROM outbox WHERE id = ?";
}

}  // namespace cg::store::sql
