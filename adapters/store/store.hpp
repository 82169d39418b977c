// The storage interface the gateway runs on. SQLite (embedded default) and MySQL/MariaDB
// implement it with the same behaviour: one SQL data layer (adapters/store/sql/) implements Tx for
// both, and the contract tests in tests/adapters/store/ run against both.
//
// Writes are commands: a function that runs against a Tx inside one transaction. The store's
// writer takes every command waiting, runs each under its own savepoint (a command that fails
// is rolled back alone), commits once, and only then reports each command's Status. So
// "acknowledged" always means "on disk", and one fsync serves a whole batch (group commit).
// Backends and their settings: adapters/store/sqlite/, adapters/store/mysql/; adapters/store/open.hpp
// opens the one a store URL names.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/domain.hpp"
#include "core/enrollment.hpp"
#include "core/result.hpp"

namespace cg::store {

using core::Instant;

// One SMS in the outbox (SPEC §6), stored in the same transaction as the change that caused it.
struct OutboxMessage {
  std::int64_t id = 0;         // assigned by the store
  std::string application_id;  // may be empty for conversation replies
  std::string to;              // E.164
  std::string text;            // rendered
  std::string template_name;
  core::Language language = core::Language::ar;
  std::string step;  // card step or gateway event
  int segments = 1;
  Instant created_at{};
  // Delivery, owned by the dispatcher.
  std::string status = "pending";  // pending, sending, sent, delivered, failed
  int attempts = 0;
  Instant next_attempt_at{};
  std::string provider;
  std::string provider_message_id;
  std::string last_error;
  std::string request_id;  // of the HTTP request that caused it; "" for the scheduler's own messages
};

// A payment received through eFAWATEERcom (SPEC §4), kept for reconciliation and refunds.
struct PaymentRecord {
  std::string joebpps_trx;  // eFAWATEERcom's transaction id: unique
  std::string billing_number;
  std::string application_id;  // empty when the billing number is unknown
  core::Fils paid;
  core::Fils due;
  std::string process_date;  // as sent, yyyy-MM-ddTHH:mm:ss
  std::string stmt_date;     // yyyy-MM-dd
  std::string outcome;       // "applied", or why not: "refund:expired", "refund:cancelled", ...
  Instant received_at{};
};

// Whether a payment's outcome is money collected and not applied, to be returned
// (gateway/payments/payments.hpp writes these outcomes; the SQL of migration 17 reads the same range).
inline bool is_refund(std::string_view outcome) { return outcome.starts_with("refund:"); }

// A refund returned to the payer: money eFAWATEERcom collected that the gateway did not apply
// (a payment whose outcome starts with "refund:") and that an operator has paid back. One per
// payment, append-only like the audit log: the store has no way to change or remove one.
struct RefundSettlement {
  std::string joebpps_trx;  // the refunded payment's
  Instant settled_at{};
  std::string settled_by;  // the operator's username
  std::string reference;   // the bank transfer or cheque number, as the operator typed it
};

// A payment of the Payments page's day, with its settlement when it is a refund that was returned.
struct DayPayment {
  PaymentRecord payment;
  std::optional<RefundSettlement> settlement;
};

// Refunds not yet settled: one page, oldest first, and the count and sum of all of them.
struct UnsettledRefunds {
  std::vector<PaymentRecord> items;
  std::int64_t count = 0;
  core::Fils total;
};

// What Tx::settle_refund did: the settlement on record and the payment it settles. `already`: the
// payment was settled before, and that settlement is returned unchanged.
struct SettledRefund {
  RefundSettlement settlement;
  PaymentRecord payment;
  bool already = false;
};

// Payments of one statement day (STMTDate) with one outcome, counted and summed: reconciliation.
struct PaymentTotal {
  std::string stmt_date;  // yyyy-MM-dd
  std::string outcome;
  std::int64_t count = 0;
  core::Fils paid;
};

// Bills issued and not paid (awaiting_payment applications), counted and summed.
struct OpenBillTotals {
  std::int64_t count = 0;
  core::Fils due;
};

// A provider's delivery report, normalised by adapters/sms/<provider>/status.cpp. The row is found
// by `outbox_id` when the provider echoes ours (Kannel's dlr-url), else by (provider, provider_message_id).
struct DeliveryReport {
  std::string provider;
  std::int64_t outbox_id = 0;       // 0 = not known from the report
  std::string provider_message_id;  // may be empty when outbox_id is set
  std::string status;               // queued, sent, delivered, failed
  std::string error_code;           // the provider's code; empty when none
  std::string detail;               // the provider's own status words, for people
  Instant at{};
};

// One HTTP exchange with a provider for one outbox row, secrets already redacted (Courier's
// "channel logs"): what was asked, what came back, how it was judged.
struct ChannelLogEntry {
  std::int64_t outbox_id = 0;
  std::string provider;
  std::string request;   // method, URL, headers, body; secrets replaced by "****"
  std::string response;  // status line and body, or the transport error
  int http_status = 0;   // 0 = no HTTP answer
  std::string outcome;   // accepted, temporary, permanent
  std::int64_t elapsed_ms = 0;
  Instant at{};
  std::string request_id;  // the outbox row's: one id finds the request and the provider's answer
};

// What one send attempt of a claimed row came to, for Store::record_send_outcomes.
struct SendOutcome {
  enum class Kind { sent, retry, failed };
  std::int64_t id = 0;
  Kind kind = Kind::sent;
  std::string provider;             // who was asked (sent: who accepted)
  std::string provider_message_id;  // sent
  std::string error;                // retry, failed
  Instant at{};                     // when the outcome was known
  Instant next_attempt_at{};        // retry
  // The lease the dispatcher holds the row by (the next_attempt_at its claim or last renewal set).
  // When given, a retry or failed outcome only takes on a row still held by it: a row whose lease
  // ran out belongs to whoever claimed it next. A `sent` takes regardless (a provider has it).
  std::optional<Instant> held_until{};
};

// One outbox row with its delivery history, for the admin API (GET /v1/admin/outbox/{id}).
struct OutboxDetail {
  OutboxMessage message;
  std::string delivery_status;  // the furthest report so far: "", queued, sent, delivered, failed
  std::string delivery_error;   // the provider's error code of a failed report
  std::optional<Instant> delivery_at;
  std::optional<Instant> done_at;
  std::vector<DeliveryReport> reports;       // oldest first
  std::vector<ChannelLogEntry> channel_log;  // oldest first
};

// One inbound SMS as a provider delivered it; unique by (provider, provider_message_id), so a
// provider's retry is recognised and changes nothing.
struct InboundMessage {
  std::string provider;             // "kannel", "twilio", "infobip"
  std::string provider_message_id;  // Kannel's %I, Twilio's MessageSid, Infobip's messageId
  std::string from;                 // E.164 when it parsed as a phone number, else as received
  std::string to;
  std::string text;  // with document numbers masked (core::redact_for_log)
  Instant received_at{};
  std::string outcome;  // "processed", "rate_limited", "invalid_sender", "destination_not_allowed"
};

// An inbound message with its place in arrival order (the console's simulator pages by it).
struct InboundRecord {
  std::int64_t id = 0;
  InboundMessage message;
};

// A conversation's or USSD session's state between messages, by key ("sms:+9627...",
// "ussd:<sessionId>"). `state` is the gateway's own encoding; the store keeps it as it is.
struct SessionRecord {
  std::string key;
  std::string state;
  Instant updated_at{};
};

struct CourseFilter {
  bool only_open = false;  // status open and not yet started at `now`
  Instant now{};
};

// Outbox figures for the admin API and /metrics.
struct OutboxFigures {
  std::vector<std::pair<std::string, std::int64_t>> by_status;
  std::vector<std::pair<std::string, std::int64_t>> by_provider;
  std::optional<Instant> oldest_pending;
};

// A person who signs in to the operator console (docs/console.md). Roles: "viewer" reads,
// "operator" also acts on courses and applications, "admin" also manages operators.
struct Operator {
  std::int64_t id = 0;  // assigned by the store
  std::string username;
  std::string role;
  std::string password_hash;  // libsodium's crypto_pwhash_str (Argon2id), never the password
  bool disabled = false;
  Instant created_at{};
  Instant password_changed_at{};
};

// A signed-in console session. The cookie holds a random token; only its hash is stored, so a
// copy of the database signs nobody in.
struct ConsoleSession {
  std::string token_hash;  // hex SHA-256 of the cookie's token
  std::int64_t operator_id = 0;
  Instant created_at{};
  Instant last_seen_at{};  // idle expiry counts from here
  std::string client_address;
};

// One line of the append-only audit log: who did what to what, and how it looked before and after.
struct AuditEntry {
  std::int64_t id = 0;  // assigned by the store; the log's order and its paging key
  std::string actor;    // an operator's username, or "api" for the admin bearer token
  Instant at{};
  std::string action;  // "course.create", "operator.disable", ...
  std::string target;  // "course:12", "operator:alice", ...
  std::string before;  // JSON, empty when there was nothing before
  std::string after;   // JSON, empty when nothing is left after
  std::string client_address;
};

// An outbox row that failed for good, for the console's "needs attention".
struct FailedSms {
  std::int64_t id = 0;
  std::string application_id;
  std::string to;
  std::string template_name;
  std::string last_error;
  std::optional<Instant> done_at;
};
// One page of a course's applicants for the console's Course page, paged by arrival order (seq),
// never by OFFSET: the next page starts after the last seq shown.
struct ApplicantQuery {
  std::int64_t course_id = 0;
  std::optional<core::ApplicationState> state;  // none: every state
  // "": no search. Else a name containing it, or exactly a phone, document or billing number.
  std::string search;
  std::string search_phone;  // the search as E.164 when it reads as a phone number, else as typed
  std::int64_t after_seq = 0;
  std::size_t limit = 50;
};

// The Messages page's list: outbox rows newest first (by id), filtered by status and provider,
// paged by key: rows with an id below `before_id` (0: from the newest). Indexes outbox_by_status
// (status, id) and outbox_by_provider (provider, id) of migration 14.
struct OutboxQuery {
  std::optional<std::string> status;    // none: every status
  std::optional<std::string> provider;  // none: every provider ("" = not handed to one yet)
  std::int64_t before_id = 0;
  std::size_t limit = 50;
};
struct OutboxListItem {
  OutboxMessage message;
  std::optional<Instant> done_at;
  std::int64_t resent_as = 0;  // the row that resends this failed one; 0: not resent
};

// What Tx::resend_failed_sms did: the failed row as it was, and the new pending row that sends it
// again. `already`: the row had been resent before, and nothing changed now.
struct ResentSms {
  OutboxMessage failed;
  std::int64_t resent_as = 0;
  bool already = false;
};

// A number that sent STOP (SPEC §3), and when; `id` is the paging key, so the phone never is.
struct OptOut {
  std::int64_t id = 0;
  std::string phone;
  Instant at{};
};

// What retention (gateway/workers/retention.hpp) may delete, each kind by its own age. Nothing else
// is ever deleted: courses, applications and their history, bills, payments, passes, opt-outs and
// sequences are the card's record and its audit trail.
enum class PurgeKind { inbound_messages, channel_log, delivery_reports, sessions, outbox, events };
inline constexpr std::array<PurgeKind, 6> kAllPurgeKinds{PurgeKind::inbound_messages, PurgeKind::channel_log,
                                                         PurgeKind::delivery_reports, PurgeKind::sessions,
                                                         PurgeKind::outbox,           PurgeKind::events};
// The kind's name in config keys and metric labels: "inbound_messages", "channel_log", ...
std::string_view to_string(PurgeKind kind);

// Reads and writes inside one transaction, by aggregate. Every method may fail (the database is a
// dependency); errors carry code "store_error" or "store_unavailable". A write method called in a
// Store::read() snapshot is a "store_error".
struct RecentApplications {
  std::int64_t count = 0;
  std::optional<Instant> oldest;  // set when count > 0
};

class Tx {
 public:
  virtual ~Tx() = default;

  // --- courses ---
  // `course()` locks the course row for the rest of the transaction where the backend has row
  // locks (MySQL: SELECT ... FOR UPDATE), so quorum is decided once.
  virtual Result<std::optional<core::Course>> course(std::int64_t id) = 0;
  virtual Result<std::optional<core::Course>> course_by_code(std::string_view code) = 0;
  virtual Result<std::vector<core::Course>> courses(const CourseFilter& filter) = 0;
  virtual Result<std::int64_t> insert_course(
      const core::Course& c) = 0;  // refuses a duplicate code: "duplicate_course"
  virtual Status save_course(const core::Course& c) = 0;

  // --- applications and their history ---
  // The single-application reads lock the row in a write where the backend has row locks.
  virtual Result<std::optional<core::Application>> application(std::string_view id) = 0;
  virtual Result<std::optional<core::Application>> application_by_exam_token(std::string_view token) = 0;
  virtual Result<std::optional<core::Application>> application_by_billing_number(std::string_view number) = 0;
  // Of one course, in the given states, in arrival (seq) order; `limit` 0 = all.
  virtual Result<std::vector<core::Application>> applications(std::int64_t course_id,
                                                              std::span<const core::ApplicationState> states,
                                                              std::size_t limit = 0) = 0;
  // Every live application (active or waitlisted) of this identity document, any course.
  virtual Result<std::vector<core::Application>> live_applications_of(core::IdType type,
                                                                      std::string_view id_number) = 0;
  // Every application (any state) sent from this phone, newest first, at most `limit`.
  virtual Result<std::vector<core::Application>> applications_by_phone(std::string_view phone, std::size_t limit) = 0;
  // Applications (any state) created at or after `since` from this phone, or for this identity
  // document: how many, and when the oldest of them was created (the daily caps, SPEC §2).
  virtual Result<RecentApplications> applications_by_phone_since(std::string_view phone, Instant since) = 0;
  virtual Result<RecentApplications> applications_of_document_since(core::IdType type, std::string_view id_number,
                                                                    Instant since) = 0;
  // awaiting_payment applications whose bill is due at `now`, oldest due first (scheduler).
  virtual Result<std::vector<core::Application>> bills_due(Instant now, std::size_t limit) = 0;
  virtual Status insert_application(const core::Application& a) = 0;
  virtual Status save_application(const core::Application& a) = 0;
  // A number that only grows: arrival order, and the base of billing numbers.
  virtual Result<std::int64_t> next_sequence(std::string_view name) = 0;
  virtual Status add_history(const core::HistoryEntry& h) = 0;
  virtual Result<std::vector<core::HistoryEntry>> history(std::string_view application_id) = 0;

  // --- prerequisite passes (card 6.2 / 7.2), by identity document ---
  virtual Result<bool> has_pass(core::IdType type, std::string_view id_number, std::string_view prerequisite) = 0;
  virtual Status add_pass(const core::PrerequisitePass& p, Instant at) = 0;

  // --- outbox and delivery ---
  virtual Result<std::int64_t> enqueue(const OutboxMessage& m) = 0;
  // Claims up to `limit` rows due at `now` (pending, or sending with an expired lease), marks
  // them sending with a lease until `lease_until`, returns them oldest first. Two dispatchers
  // never claim one row (MySQL: SKIP LOCKED).
  virtual Result<std::vector<OutboxMessage>> claim_outbox(std::size_t limit, Instant now, Instant lease_until) = 0;
  // The dispatcher's verdict on one claimed row, by decide_send_outcome (outbox_rules.hpp). An
  // unknown id is "outbox_not_found".
  virtual Status apply_send_outcome(const SendOutcome& o) = 0;
  // Keeps a claimed batch's rows while they are being sent: of `ids`, the rows still held by this
  // claim (status sending, lease `held_until`) get the lease `renew_until` and are returned; a row
  // another dispatcher claimed after the lease ran out, or that took an outcome, is not.
  virtual Result<std::vector<std::int64_t>> renew_outbox_lease(std::span<const std::int64_t> ids, Instant held_until,
                                                               Instant renew_until) = 0;
  virtual Status add_channel_log(const ChannelLogEntry& e) = 0;
  // Files the report under its row, found by (provider, provider_message_id) when the report has
  // an id, else (or when that finds nothing) by outbox_id, and moves the row on by
  // store::apply_delivery_report (outbox_rules.hpp). False when no row matches (nothing is
  // written); "invalid_report" for a status that is not queued, sent, delivered or failed.
  virtual Result<bool> apply_delivery_report(const DeliveryReport& r) = 0;
  virtual Result<std::optional<OutboxDetail>> outbox_detail(std::int64_t id) = 0;
  virtual Result<OutboxFigures> outbox_figures() = 0;

  // --- inbound SMS, conversation sessions, opt-outs ---
  // Records an inbound SMS; false when (provider, provider_message_id) is on record already (the
  // caller then answers as before and changes nothing).
  virtual Result<bool> record_inbound(const InboundMessage& m) = 0;
  // Sessions by key; save_session inserts or replaces, delete_sessions_before removes those whose
  // key starts with `prefix` and that were last updated before `cutoff` (housekeeping).
  virtual Result<std::optional<SessionRecord>> session(std::string_view key) = 0;
  virtual Status save_session(const SessionRecord& s) = 0;
  virtual Result<std::int64_t> delete_sessions_before(std::string_view prefix, Instant cutoff) = 0;
  // Up to `limit` sessions whose key starts with `prefix`, last updated in [from, to), oldest first.
  virtual Result<std::vector<SessionRecord>> sessions_between(std::string_view prefix, Instant from, Instant to,
                                                              std::size_t limit) = 0;
  // The per-number opt-out of SPEC §3 (STOP / START): while set, nothing is enqueued for the number
  // except the confirmation of STOP itself. Setting it also withdraws what is still pending for
  // the number (status failed, last_error "opted_out: ..."): nothing queued before STOP goes out.
  virtual Result<bool> opted_out(std::string_view phone) = 0;
  virtual Status set_opted_out(std::string_view phone, bool opted_out, Instant at) = 0;

  // --- payments (eFAWATEERcom) ---
  virtual Result<std::optional<PaymentRecord>> payment(std::string_view joebpps_trx) = 0;
  virtual Status insert_payment(const PaymentRecord& p) = 0;  // refuses a known JOEBPPSTrx: "duplicate_payment"
  // Payments whose STMTDate is in [from, to] (yyyy-MM-dd, both inclusive), by STMTDate, then arrival,
  // then JOEBPPSTrx; `limit` 0 = all.
  virtual Result<std::vector<PaymentRecord>> payments_by_stmt_date(std::string_view from, std::string_view to,
                                                                   std::size_t limit) = 0;
  // The same range grouped by (STMTDate, outcome), in that order.
  virtual Result<std::vector<PaymentTotal>> payment_totals(std::string_view from, std::string_view to) = 0;
  // awaiting_payment applications (a bill issued, not paid), oldest due first; `limit` 0 = all.
  virtual Result<std::vector<core::Application>> open_bills(std::size_t limit) = 0;
  virtual Result<OpenBillTotals> open_bill_totals() = 0;

  // --- inbound events, deduplicated by (source, key) ---
  // False when the key was seen before (the caller then answers as before and changes nothing).
  virtual Result<bool> record_event(std::string_view source, std::string_view key, std::string_view summary,
                                    Instant at) = 0;
  // The summary stored with an event, if the event is on record.
  virtual Result<std::optional<std::string>> event_summary(std::string_view source, std::string_view key) = 0;

  // --- operator console (docs/console.md) ---
  // insert_operator refuses a username on record: "duplicate_operator".
  virtual Result<std::int64_t> insert_operator(const Operator& o) = 0;
  virtual Result<std::optional<Operator>> operator_by_name(std::string_view username) = 0;
  virtual Result<std::optional<Operator>> operator_by_id(std::int64_t id) = 0;
  virtual Result<std::vector<Operator>> operators() = 0;  // by username
  // Role, password hash, disabled and password_changed_at, by id; an unknown id is "operator_not_found".
  virtual Status save_operator(const Operator& o) = 0;
  virtual Status insert_console_session(const ConsoleSession& s) = 0;
  virtual Result<std::optional<ConsoleSession>> console_session(std::string_view token_hash) = 0;
  virtual Status touch_console_session(std::string_view token_hash, Instant at) = 0;
  virtual Status delete_console_session(std::string_view token_hash) = 0;
  // Every session of one operator (disabled, or a new password): the number removed.
  virtual Result<std::int64_t> delete_console_sessions_of(std::int64_t operator_id) = 0;
  // Sessions idle since before `cutoff` (housekeeping): the number removed.
  virtual Result<std::int64_t> delete_console_sessions_idle_since(Instant cutoff) = 0;
  // The audit log only grows: there is no way to change or remove a line.
  virtual Result<std::int64_t> append_audit(const AuditEntry& e) = 0;
  // Newest first, ids below `before_id` (0: from the newest), at most `limit`: paged by key.
  virtual Result<std::vector<AuditEntry>> audit_log(std::int64_t before_id, std::size_t limit) = 0;
  // Outbox rows failed for good at or after `since`, newest first, at most `limit`, and how many in all.
  virtual Result<std::vector<FailedSms>> failed_sms_since(Instant since, std::size_t limit) = 0;
  virtual Result<std::int64_t> count_failed_sms_since(Instant since) = 0;
  // awaiting_payment applications whose bill is due before `until`: how many.
  virtual Result<std::int64_t> count_bills_due(Instant until) = 0;
  // The Course page's applicants, in seq order after `after_seq` (index applications_by_course_seq,
  // or applications_by_course_state with a state).
  virtual Result<std::vector<core::Application>> course_applicants(const ApplicantQuery& q) = 0;
  // How many applicants the same filter matches in all (q.after_seq and q.limit are not used).
  virtual Result<std::int64_t> count_course_applicants(const ApplicantQuery& q) = 0;
  // Every SMS sent for one application, oldest first, each with its delivery reports and channel
  // log (index outbox_by_application), at most `limit`.
  virtual Result<std::vector<OutboxDetail>> application_messages(std::string_view application_id,
                                                                 std::size_t limit) = 0;
  // Payments received for one application, oldest first (index payments_by_application).
  virtual Result<std::vector<PaymentRecord>> application_payments(std::string_view application_id) = 0;
  // The Payments page: payments of one statement day (yyyy-MM-dd) in arrival order after the key
  // (received_at, joebpps_trx) of the last one shown (index payments_by_stmt_date), at most `limit`.
  // Each refund comes with its settlement, if it has one.
  virtual Result<std::vector<DayPayment>> payments_of_day(std::string_view stmt_date, Instant after_received_at,
                                                          std::string_view after_trx, std::size_t limit) = 0;
  // Refunds ("refund:" outcomes) with no settlement, oldest first (received_at, then JOEBPPSTrx),
  // after the key of the last one shown, at most `limit`; with the count and sum of every unsettled
  // refund, read in the same transaction (index payments_refunds of migration 17).
  virtual Result<UnsettledRefunds> unsettled_refunds(Instant after_received_at, std::string_view after_trx,
                                                     std::size_t limit) = 0;
  // Records that a refund was returned. "payment_not_found" for an unknown JOEBPPSTrx,
  // "not_a_refund" for a payment that was applied; a payment settled before is not settled again:
  // its settlement comes back unchanged with `already` (a double click changes nothing). The
  // settlement is locked (MariaDB), so two settles of one payment take turns.
  virtual Result<SettledRefund> settle_refund(const RefundSettlement& s) = 0;
  // Open bills (awaiting_payment), soonest due first, after the key (bill_due_at, seq) of the last
  // one shown (index applications_bills_due), at most `limit`.
  virtual Result<std::vector<core::Application>> open_bills_after(Instant after_due_at, std::int64_t after_seq,
                                                                  std::size_t limit) = 0;
  // The Messages page (docs/console.md): outbox rows by OutboxQuery, newest first.
  virtual Result<std::vector<OutboxListItem>> outbox_page(const OutboxQuery& q) = 0;
  // Rows created at or after `since`, counted by status (the delivery funnel), by status name,
  // statuses with none left out. Exact: whole ten-minute slots come from the counts migration 16's
  // triggers keep, the rest of the window from the rows (index outbox_by_created).
  virtual Result<std::vector<std::pair<std::string, std::int64_t>>> outbox_status_since(Instant since) = 0;
  // Puts a failed SMS back in the queue as a new pending row (a copy, attempts 0, due at `now`)
  // and records it on the failed row (resent_as), by store::decide_resend (outbox_rules.hpp): a row
  // resent before is not resent again (`already`); "outbox_not_found" for an unknown id,
  // "not_failed" for a row that is not failed (the message names its status), "opted_out" when the
  // number sent STOP. The failed row is locked (MariaDB) so two resends of it take turns.
  virtual Result<ResentSms> resend_failed_sms(std::int64_t id, Instant now) = 0;
  // The Opt-outs page: numbers that sent STOP, newest first (at, then id), after the key (at, id)
  // of the last one shown (`before_id` 0: from the newest), at most `limit` (index sms_opt_outs_by_at).
  virtual Result<std::vector<OptOut>> opt_outs_page(Instant before_at, std::int64_t before_id, std::size_t limit) = 0;
  // The console's simulator: one number's messages from `provider`, oldest first, ids above
  // `after_id`, at most `limit`. Read through the unique index (provider, provider_message_id), so
  // only that provider's rows are looked at.
  virtual Result<std::vector<InboundRecord>> inbound_from(std::string_view provider, std::string_view phone,
                                                          std::int64_t after_id, std::size_t limit) = 0;
  // The outbox rows to one number, oldest first, ids above `after_id`, at most `limit` (index
  // outbox_by_to of migration 15).
  virtual Result<std::vector<OutboxMessage>> outbox_to(std::string_view phone, std::int64_t after_id,
                                                       std::size_t limit) = 0;
  // The highest outbox id (0 when empty).
  virtual Result<std::int64_t> outbox_last_id() = 0;
  // --- retention ---
  // Deletes up to `limit` rows of `kind` older than `cutoff`, oldest first, and says how many went.
  // Inbound messages, channel log entries, delivery reports and events go by when they were
  // recorded, sessions by when they last changed. An outbox row goes only once finished (sent,
  // delivered or failed) before `cutoff`, by its done_at; its delivery reports and channel log go
  // with it (they name it), and are not counted. A pending or sending row is never deleted.
  virtual Result<std::int64_t> purge_before(PurgeKind kind, Instant cutoff, std::size_t limit) = 0;
};

class Store {
 public:
  using Command = std::function<Status(Tx&)>;
  using Done = std::function<void(const Status&)>;

  virtual ~Store() = default;

  // Queue a write command; `done` runs after the commit (or the failure) on a store thread: SQLite
  // runs every `done` on one completion thread, in commit order; MySQL on the worker that ran the
  // command. A `done` must not wait for another write. A command that returns an error is rolled
  // back alone; `done` gets that error. A command may run more than once (SQLite: again, after a
  // rollback, when another command of its batch failed; MySQL: after a deadlock); only its last run
  // counts, so whatever it fills in outside the Tx must be overwritten, not added to, by each run.
  virtual void write(Command command, Done done) = 0;
  // Write and wait (scheduler, admin, tests).
  Status write_sync(Command command);

  // A read-only snapshot on a reader connection, from the calling thread.
  virtual Status read(const Command& command) = 0;

  // Outbox work for the dispatcher and the admin API, each as one write or one read.
  // Tx::claim_outbox as one write.
  Result<std::vector<OutboxMessage>> claim_outbox(std::size_t limit, Instant now, Instant lease_until);
  // A dispatched batch in one transaction: every outcome and the channel log of every exchange.
  Status record_send_outcomes(std::span<const SendOutcome> outcomes, std::span<const ChannelLogEntry> log);
  // Tx::renew_outbox_lease as one write.
  Result<std::vector<std::int64_t>> renew_outbox_lease(std::span<const std::int64_t> ids, Instant held_until,
                                                       Instant renew_until);
  // Tx::apply_delivery_report as one write.
  Result<bool> record_delivery(const DeliveryReport& r);
  // Tx::outbox_detail and Tx::outbox_figures on a reader.
  Result<std::optional<OutboxDetail>> outbox_detail(std::int64_t id);
  Result<OutboxFigures> outbox_figures();

  // For the backends' write(): the command and its `done` as they run on the store's threads, under
  // the request id of the thread that queued them (so what they log and enqueue carries it), and
  // timed from queueing to `done` (course_gateway_store_command_seconds).
  static std::pair<Command, Done> traced(Command command, Done done);
  // For the backends: how long one COMMIT took (course_gateway_store_commit_seconds).
  static void observe_commit(std::chrono::steady_clock::duration took);

  // Liveness for /healthz: can the store answer a trivial query now?
  virtual Status ping() = 0;
  // Stop the writer after the commands already queued are committed.
  virtual void close() = 0;
};

}  // namespace cg::store
