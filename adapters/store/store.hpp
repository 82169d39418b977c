// The storage interface the gateway runs on. SQLite (embedded default) and MySQL/MariaDB
// implement it with the same behaviour; the contract tests in tests/store/ run against both.
//
// Writes are commands: a function that runs against a Tx inside one transaction. The store's
// writer takes every command waiting, runs each under its own savepoint (a command that fails
// is rolled back alone), commits once, and only then reports each command's Status. So
// "acknowledged" always means "on disk", and one fsync serves a whole batch (group commit).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain.hpp"
#include "core/enrollment.hpp"
#include "core/result.hpp"

namespace cg::store {

using core::Instant;

// One SMS in the outbox (SPEC §6), stored in the same transaction as the change that caused it.
struct OutboxMessage {
  std::int64_t id = 0;  // assigned by the store
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

struct CourseFilter {
  bool only_open = false;  // status open and not yet started at `now`
  Instant now{};
};

// Reads and writes inside one transaction. Every method may fail (the database is a
// dependency); errors carry code "store_error" or "store_unavailable".
class Tx {
 public:
  virtual ~Tx() = default;

  // Courses. `course()` locks the course row for the rest of the transaction where the backend
  // has row locks (MySQL: SELECT ... FOR UPDATE), so quorum is decided once.
  virtual Result<std::optional<core::Course>> course(std::int64_t id) = 0;
  virtual Result<std::optional<core::Course>> course_by_code(std::string_view code) = 0;
  virtual Result<std::vector<core::Course>> courses(const CourseFilter& filter) = 0;
  virtual Result<std::int64_t> insert_course(const core::Course& c) = 0;  // refuses a duplicate code: "duplicate_course"
  virtual Status save_course(const core::Course& c) = 0;

  // Applications.
  virtual Result<std::optional<core::Application>> application(std::string_view id) = 0;
  virtual Result<std::optional<core::Application>> application_by_exam_token(std::string_view token) = 0;
  virtual Result<std::optional<core::Application>> application_by_billing_number(std::string_view number) = 0;
  // Of one course, in the given states, in arrival (seq) order; `limit` 0 = all.
  virtual Result<std::vector<core::Application>> applications(std::int64_t course_id,
                                                              std::span<const core::ApplicationState> states,
                                                              std::size_t limit = 0) = 0;
  // Every live application (active or waitlisted) of this identity document, any course.
  virtual Result<std::vector<core::Application>> live_applications_of(core::IdType type, std::string_view id_number) = 0;
  // Every application (any state) sent from this phone, newest first, at most `limit`.
  virtual Result<std::vector<core::Application>> applications_by_phone(std::string_view phone, std::size_t limit) = 0;
  // awaiting_payment applications whose bill is due at `now`, oldest due first (scheduler).
  virtual Result<std::vector<core::Application>> bills_due(Instant now, std::size_t limit) = 0;
  virtual Status insert_application(const core::Application& a) = 0;
  virtual Status save_application(const core::Application& a) = 0;
  // A number that only grows: arrival order, and the base of billing numbers.
  virtual Result<std::int64_t> next_sequence(std::string_view name) = 0;

  virtual Status add_history(const core::HistoryEntry& h) = 0;
  virtual Result<std::vector<core::HistoryEntry>> history(std::string_view application_id) = 0;

  // Prerequisite passes (card 6.2 / 7.2), by identity document.
  virtual Result<bool> has_pass(core::IdType type, std::string_view id_number, std::string_view prerequisite) = 0;
  virtual Status add_pass(const core::PrerequisitePass& p, Instant at) = 0;

  // Outbox.
  virtual Result<std::int64_t> enqueue(const OutboxMessage& m) = 0;

  // Inbound events, deduplicated by (source, key): returns false when the key was seen before
  // (the caller then answers as before and changes nothing).
  virtual Result<bool> record_event(std::string_view source, std::string_view key, std::string_view summary,
                                    Instant at) = 0;

  // The summary stored with an event, if the event is on record.
  virtual Result<std::optional<std::string>> event_summary(std::string_view source, std::string_view key) = 0;

  // Payments.
  virtual Result<std::optional<PaymentRecord>> payment(std::string_view joebpps_trx) = 0;
  virtual Status insert_payment(const PaymentRecord& p) = 0;
};

// Outbox figures for the admin API and /metrics.
struct OutboxFigures {
  std::vector<std::pair<std::string, std::int64_t>> by_status;
  std::vector<std::pair<std::string, std::int64_t>> by_provider;
  std::optional<Instant> oldest_pending;
};

class Store {
 public:
  using Command = std::function<Status(Tx&)>;
  using Done = std::function<void(const Status&)>;

  virtual ~Store() = default;

  // Queue a write command; `done` runs on the writer thread after the commit (or the failure).
  // A command that returns an error is rolled back alone; `done` gets that error.
  virtual void write(Command command, Done done) = 0;
  // Write and wait (scheduler, admin, tests).
  Status write_sync(Command command);

  // A read-only snapshot on a reader connection, from the calling thread.
  virtual Status read(const Command& command) = 0;

  // Dispatcher side of the outbox. Claims up to `limit` rows due at `now` (pending, or sending
  // with an expired lease), marks them sending with a lease until `lease_until`, returns them.
  virtual Result<std::vector<OutboxMessage>> claim_outbox(std::size_t limit, Instant now, Instant lease_until) = 0;
  virtual Status mark_sent(std::int64_t id, std::string_view provider, std::string_view provider_message_id,
                           Instant at) = 0;
  virtual Status mark_retry(std::int64_t id, std::string_view error, Instant next_attempt_at) = 0;
  virtual Status mark_failed(std::int64_t id, std::string_view error, Instant at) = 0;
  virtual Result<OutboxFigures> outbox_figures() = 0;

  // Liveness for /healthz: can the store answer a trivial query now?
  virtual Status ping() = 0;
  // Stop the writer after the commands already queued are committed.
  virtual void close() = 0;
};

struct SqliteSettings {
  std::string path;  // a file; ":memory:" is refused (readers need the same database)
  std::size_t readers = 2;
  std::size_t max_batch = 512;  // commands per transaction
  bool synchronous_full = true;  // acknowledged means on disk
};

// Opens (creating if needed) and migrates to the newest schema version.
Result<std::unique_ptr<Store>> open_sqlite(const SqliteSettings& settings);

}  // namespace cg::store
