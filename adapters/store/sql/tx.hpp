// The one implementation of store::Tx, over an engine's Session (engine.hpp) and the queries of
// its dialect (queries.hpp). Engines create one per transaction (SQLite's writer keeps one across
// transactions and calls transaction_begins() before each).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "adapters/store/sql/engine.hpp"
#include "adapters/store/sql/queries.hpp"
#include "adapters/store/store.hpp"

namespace cg::store::sql {

class SqlTx final : public Tx {
 public:
  // `writable` false: a read snapshot, where every write method is refused.
  SqlTx(Session& session, const Queries& queries, bool writable)
      : session_(session), q_(queries), writable_(writable) {}

  // What this Tx remembered of the last transaction is dropped before the next one begins.
  void transaction_begins() {
    forget_courses();
    courses_written_ = false;
  }

  // Courses
  Result<std::optional<core::Course>> course(std::int64_t id) override;
  Result<std::optional<core::Course>> course_by_code(std::string_view code) override;
  Result<std::vector<core::Course>> courses(const CourseFilter& filter) override;
  Result<std::int64_t> insert_course(const core::Course& c) override;
  Status save_course(const core::Course& c) override;

  // Applications and their history
  Result<std::optional<core::Application>> application(std::string_view id) override;
  Result<std::optional<core::Application>> application_by_exam_token(std::string_view token) override;
  Result<std::optional<core::Application>> application_by_billing_number(std::string_view number) override;
  Result<std::vector<core::Application>> applications(std::int64_t course_id,
                                                      std::span<const core::ApplicationState> states,
                                                      std::size_t limit) override;
  Result<std::vector<core::Application>> live_applications_of(core::IdType type, std::string_view id_number) override;
  Result<std::vector<core::Application>> applications_by_phone(std::string_view phone, std::size_t limit) override;
  Result<RecentApplications> applications_by_phone_since(std::string_view phone, Instant since) override;
  Result<RecentApplications> applications_of_document_since(core::IdType type, std::string_view id_number,
                                                            Instant since) override;
  Result<std::vector<core::Application>> bills_due(Instant now, std::size_t limit) override;
  Status insert_application(const core::Application& a) override;
  Status save_application(const core::Application& a) override;
  Result<std::int64_t> next_sequence(std::string_view name) override;
  Status add_history(const core::HistoryEntry& h) override;
  Result<std::vector<core::HistoryEntry>> history(std::string_view application_id) override;

  // Prerequisite passes
  Result<bool> has_pass(core::IdType type, std::string_view id_number, std::string_view prerequisite) override;
  Status add_pass(const core::PrerequisitePass& p, Instant at) override;

  // Outbox and delivery
  Result<std::int64_t> enqueue(const OutboxMessage& m) override;
  Result<std::vector<OutboxMessage>> claim_outbox(std::size_t limit, Instant now, Instant lease_until) override;
  Status apply_send_outcome(const SendOutcome& o) override;
  Result<std::vector<std::int64_t>> renew_outbox_lease(std::span<const std::int64_t> ids, Instant held_until,
                                                       Instant renew_until) override;
  Status add_channel_log(const ChannelLogEntry& e) override;
  Result<bool> apply_delivery_report(const DeliveryReport& r) override;
  Result<std::optional<OutboxDetail>> outbox_detail(std::int64_t id) override;
  Result<OutboxFigures> outbox_figures() override;

  // Inbound SMS, sessions, opt-outs
  Result<bool> record_inbound(const InboundMessage& m) override;
  Result<std::optional<SessionRecord>> session(std::string_view key) override;
  Status save_session(const SessionRecord& s) override;
  Result<std::int64_t> delete_sessions_before(std::string_view prefix, Instant cutoff) override;
  Result<std::vector<SessionRecord>> sessions_between(std::string_view prefix, Instant from, Instant to,
                                                      std::size_t limit) override;
  Result<bool> opted_out(std::string_view phone) override;
  Status set_opted_out(std::string_view phone, bool opted_out, Instant at) override;

  // Payments
  Result<std::optional<PaymentRecord>> payment(std::string_view joebpps_trx) override;
  Status insert_payment(const PaymentRecord& p) override;
  Result<std::vector<PaymentRecord>> payments_by_stmt_date(std::string_view from, std::string_view to,
                                                           std::size_t limit) override;
  Result<std::vector<PaymentTotal>> payment_totals(std::string_view from, std::string_view to) override;
  Result<std::vector<core::Application>> open_bills(std::size_t limit) override;
  Result<OpenBillTotals> open_bill_totals() override;

  // Events
  Result<bool> record_event(std::string_view source, std::string_view key, std::string_view summary,
                            Instant at) override;
  Result<std::optional<std::string>> event_summary(std::string_view source, std::string_view key) override;

  // Operator console (tx_console.cpp)
  Result<std::int64_t> insert_operator(const Operator& o) override;
  Result<std::optional<Operator>> operator_by_name(std::string_view username) override;
  Result<std::optional<Operator>> operator_by_id(std::int64_t id) override;
  Result<std::vector<Operator>> operators() override;
  Status save_operator(const Operator& o) override;
  Status insert_console_session(const ConsoleSession& s) override;
  Result<std::optional<ConsoleSession>> console_session(std::string_view token_hash) override;
  Status touch_console_session(std::string_view token_hash, Instant at) override;
  Status delete_console_session(std::string_view token_hash) override;
  Result<std::int64_t> delete_console_sessions_of(std::int64_t operator_id) override;
  Result<std::int64_t> delete_console_sessions_idle_since(Instant cutoff) override;
  Result<std::int64_t> append_audit(const AuditEntry& e) override;
  Result<std::vector<AuditEntry>> audit_log(std::int64_t before_id, std::size_t limit) override;
  Result<std::vector<FailedSms>> failed_sms_since(Instant since, std::size_t limit) override;
  Result<std::int64_t> count_failed_sms_since(Instant since) override;
  Result<std::int64_t> count_bills_due(Instant until) override;
  Result<std::vector<core::Application>> course_applicants(const ApplicantQuery& q) override;
  Result<std::int64_t> count_course_applicants(const ApplicantQuery& q) override;
  Result<std::vector<OutboxDetail>> application_messages(std::string_view application_id, std::size_t limit) override;
  Result<std::vector<PaymentRecord>> application_payments(std::string_view application_id) override;
  Result<std::vector<DayPayment>> payments_of_day(std::string_view stmt_date, Instant after_received_at,
                                                  std::string_view after_trx, std::size_t limit) override;
  // Refunds to settle (tx_refunds.cpp)
  Result<UnsettledRefunds> unsettled_refunds(Instant after_received_at, std::string_view after_trx,
                                             std::size_t limit) override;
  Result<SettledRefund> settle_refund(const RefundSettlement& s) override;
  Result<std::vector<core::Application>> open_bills_after(Instant after_due_at, std::int64_t after_seq,
                                                          std::size_t limit) override;
  Result<std::vector<OutboxListItem>> outbox_page(const OutboxQuery& q) override;
  Result<std::vector<std::pair<std::string, std::int64_t>>> outbox_status_since(Instant since) override;
  Result<ResentSms> resend_failed_sms(std::int64_t id, Instant now) override;
  Result<std::vector<OptOut>> opt_outs_page(Instant before_at, std::int64_t before_id, std::size_t limit) override;
  Result<std::vector<InboundRecord>> inbound_from(std::string_view provider, std::string_view phone,
                                                  std::int64_t after_id, std::size_t limit) override;
  Result<std::vector<OutboxMessage>> outbox_to(std::string_view phone, std::int64_t after_id,
                                               std::size_t limit) override;
  Result<std::int64_t> outbox_last_id() override;
  // Retention
  Result<std::int64_t> purge_before(PurgeKind kind, Instant cutoff, std::size_t limit) override;

 private:
  Result<std::int64_t> purge_finished_outbox(Instant cutoff, std::size_t limit);
  Status writable(std::string_view what) const;
  // In a write the row is locked where the engine has row locks: a command reads a row to change it.
  const std::string& locked(const std::string& plain, const std::string& locking) const {
    return writable_ ? locking : plain;
  }
  Result<std::optional<core::Application>> application_where(const std::string& query, std::string_view what,
                                                             std::string_view value);
  // Runs an INSERT of a row unless its key is on record (Dialect::insert_unless_present): false
  // when it was.
  Result<bool> insert_new(Statement& st);
  Result<std::optional<core::Course>> remember(Result<std::optional<core::Course>> found);
  void forget_courses();

  Session& session_;
  const Queries& q_;
  const bool writable_;
  // Courses read in this transaction. The SMS conversation reads the same course for message after
  // message of a batch, and decoding its row was 9% of SQLite's writer's time (perf). Only a
  // transaction that writes no course keeps them: after a write, a savepoint rolled back could
  // leave a version here that the database no longer has, so from the first write on every read
  // goes to the database. A new transaction starts empty (transaction_begins, and a reader's Tx
  // lives for one read), so what another connection committed in between is read afresh. On
  // MySQL the first read in a write locks the row, so a second read could not see anything newer.
  std::unordered_map<std::int64_t, core::Course> courses_seen_;
  std::map<std::string, std::int64_t, std::less<>> course_ids_by_code_;
  bool courses_written_ = false;
};

}  // namespace cg::store::sql
