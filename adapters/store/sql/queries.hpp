// Every statement the data layer runs, written once and built for one dialect when a store opens.
// Each connection prepares and caches them on first use. Parameters are '?', bound in order.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "adapters/store/sql/dialect.hpp"

namespace cg::store::sql {

struct Queries {
  explicit Queries(const Dialect& dialect);

  // The statement of Tx::applications() for `count` states (built per use).
  std::string applications_in_states(std::size_t count) const;

  const Dialect& dialect;

  // Courses
  std::string course_select, course_by_id, course_by_id_locked, course_by_code, course_by_code_locked, courses_all,
      courses_open, course_insert, course_update;

  // Applications and their history
  std::string application_select, application_by_id, application_by_id_locked, application_by_token,
      application_by_token_locked, application_by_billing, application_by_billing_locked, applications_live,
      applications_by_phone, applications_by_phone_since, applications_of_document_since, bills_due, application_insert,
      application_update;
  std::string sequence_bump, sequence_first, sequence_upsert, sequence_value;
  std::string history_insert, history_select;

  // Prerequisite passes
  std::string pass_select, pass_insert;

  // Outbox and delivery
  std::string outbox_select, outbox_one, outbox_insert, outbox_claim, outbox_due_pending, outbox_due_sending;
  std::string outbox_status_locked, outbox_renew_lease, outcome_sent, outcome_sent_late, outcome_retry, outcome_failed;
  std::string outbox_by_status, outbox_by_provider, outbox_oldest_pending;
  std::string channel_log_insert, channel_log_select;
  std::string delivery_row_by_message, delivery_row_by_id, delivery_update, delivery_report_insert,
      delivery_report_select, outbox_delivery_select;

  // Inbound SMS, sessions, opt-outs
  std::string inbound_insert, session_select, session_select_locked, session_upsert, sessions_delete,
      sessions_select_between;
  std::string opt_out_select, opt_out_insert, opt_out_delete, opt_out_withdraw;

  // Payments
  std::string payment_select, payment_insert, payments_by_stmt_date, payment_totals, open_bills, open_bill_totals;

  // Events
  std::string event_insert, event_summary;

  // Operator console (tx_console.cpp)
  std::string operator_insert, operator_by_name, operator_by_id, operators_all, operator_update;
  std::string console_session_insert, console_session_select, console_session_touch, console_session_delete,
      console_sessions_delete_of, console_sessions_delete_idle;
  std::string audit_insert, audit_newest, audit_before;
  std::string failed_sms_since, failed_sms_count_since, bills_due_count;
  // The Course page's applicants: [with a state (1) | with a search (2)].
  std::array<std::string, 4> course_applicants;
  std::array<std::string, 4> course_applicants_count;  // the same filters, counted
  std::string application_outbox_ids, application_payments;
  // The Payments page, paged by key.
  std::string payments_of_day, open_bills_after;
  // Refunds to settle (tx_refunds.cpp): the unsettled ones paged by key and totalled, and the
  // append-only settlements.
  std::string refunds_unsettled, refunds_unsettled_totals, refund_settlement_locked, refund_settlement_insert;
  // The Messages page, newest first below an id: [status slot (0: any, else 1 + its place in
  // kOutboxStatuses) * 2 + with a provider (1)]. The status is written into the statement, so
  // SQLite can use the partial index of that status (migration 14).
  static constexpr std::array<std::string_view, 5> kOutboxStatuses{"pending", "sending", "sent", "delivered", "failed"};
  std::array<std::string, 2 * (kOutboxStatuses.size() + 1)> outbox_page;
  std::string outbox_status_since, outbox_resend_row, outbox_mark_resent;
  // The Opt-outs page, newest first, paged by key (at, id).
  std::string opt_outs_newest, opt_outs_before;
  // The simulator's conversation of one number.
  std::string inbound_from, outbox_to, outbox_last_id;
  // Retention: the oldest rows of each kind, a batch at a time
  std::string purge_inbound, purge_channel_log, purge_delivery_reports, purge_sessions, purge_events;
  std::string purge_outbox_finished, purge_outbox_reports, purge_outbox_log, purge_outbox_row;
};

}  // namespace cg::store::sql
