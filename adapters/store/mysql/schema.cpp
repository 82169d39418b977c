// The MariaDB schema, as migrations numbered like SQLite's (adapters/store/sqlite/schema.cpp):
// migration N here makes the same tables, columns and indexes as SQLite's migration N, so both
// backends are at the same version with the same meaning. Times are UTC seconds (BIGINT), money
// is fils, enums are their core names. Every table is InnoDB with utf8mb4 and MariaDB's binary
// NO PAD collation: matching is exact as in SQLite, case and trailing spaces included (the PAD
// SPACE utf8mb4_bin would find 'JOIN 101' for 'JOIN 101 '). Text that is a key or may be indexed
// is VARCHAR (an index needs a bounded length); free text is TEXT.
//
// DDL commits as it goes, so a migration cannot be rolled back; each statement is written to be
// run again (MariaDB's IF NOT EXISTS forms), so a migration interrupted half-way completes on the
// next start.
#include <array>

#include "adapters/store/mysql/mysql_store.hpp"

namespace cg::store::mysql {
namespace {

constexpr std::array<std::string_view, 8> kInitialSchema{
    R"sql(
CREATE TABLE IF NOT EXISTS courses (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  code VARCHAR(191) NOT NULL,
  title_ar TEXT NOT NULL,
  title_en TEXT NOT NULL,
  location TEXT NOT NULL,
  start_at BIGINT NOT NULL,
  end_at BIGINT NOT NULL,
  decision_at BIGINT NOT NULL,
  min_participants INT NOT NULL,
  capacity INT NULL,
  fee_fils BIGINT NOT NULL,
  prerequisite VARCHAR(191) NULL,
  exam_url TEXT NOT NULL,
  evaluation_url TEXT NOT NULL,
  status VARCHAR(32) NOT NULL,
  quorum_reached TINYINT NOT NULL,
  reminder_sent TINYINT NOT NULL,
  tally_awaiting_quorum INT NOT NULL DEFAULT 0,
  tally_awaiting_exam INT NOT NULL DEFAULT 0,
  tally_awaiting_payment INT NOT NULL DEFAULT 0,
  tally_confirmed INT NOT NULL DEFAULT 0,
  tally_waitlisted INT NOT NULL DEFAULT 0,
  tally_rejected_exam INT NOT NULL DEFAULT 0,
  tally_expired INT NOT NULL DEFAULT 0,
  tally_cancelled INT NOT NULL DEFAULT 0,
  tally_attended INT NOT NULL DEFAULT 0,
  UNIQUE KEY courses_code (code),
  KEY courses_by_start (start_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS applications (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  course_id BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  phone VARCHAR(64) NOT NULL,
  name TEXT NOT NULL,
  id_type VARCHAR(32) NOT NULL,
  id_number VARCHAR(64) NOT NULL,
  nationality VARCHAR(64) NOT NULL,
  language VARCHAR(8) NOT NULL,
  channel VARCHAR(32) NOT NULL,
  state VARCHAR(32) NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  exam_token VARCHAR(128) NULL,
  billing_number VARCHAR(64) NULL,
  bill_amount_fils BIGINT NULL,
  bill_issued_at BIGINT NULL,
  bill_due_at BIGINT NULL,
  UNIQUE KEY applications_exam_token (exam_token),
  UNIQUE KEY applications_billing_number (billing_number),
  KEY applications_by_course_state (course_id, state, seq),
  KEY applications_by_document (id_type, id_number),
  KEY applications_by_phone (phone, created_at),
  KEY applications_bills_due (state, bill_due_at),
  CONSTRAINT applications_course FOREIGN KEY (course_id) REFERENCES courses (id),
  -- A bill is all there or not there at all.
  CONSTRAINT applications_bill_whole CHECK ((billing_number IS NULL) = (bill_amount_fils IS NULL)
         AND (billing_number IS NULL) = (bill_issued_at IS NULL)
         AND (billing_number IS NULL) = (bill_due_at IS NULL))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS history (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  application_id VARCHAR(64) NOT NULL,
  at BIGINT NOT NULL,
  from_state VARCHAR(32) NULL,
  to_state VARCHAR(32) NOT NULL,
  step VARCHAR(32) NOT NULL,
  event TEXT NOT NULL,
  KEY history_by_application (application_id, id),
  CONSTRAINT history_application FOREIGN KEY (application_id) REFERENCES applications (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS passes (
  id_type VARCHAR(32) NOT NULL,
  id_number VARCHAR(64) NOT NULL,
  prerequisite VARCHAR(191) NOT NULL,
  source VARCHAR(64) NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (id_type, id_number, prerequisite)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS outbox (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  application_id VARCHAR(64) NOT NULL,
  to_number VARCHAR(64) NOT NULL,
  text TEXT NOT NULL,
  template_name VARCHAR(64) NOT NULL,
  language VARCHAR(8) NOT NULL,
  step VARCHAR(32) NOT NULL,
  segments INT NOT NULL,
  created_at BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  attempts INT NOT NULL,
  -- When pending: when it may be tried. When sending: when the dispatcher's lease ends.
  next_attempt_at BIGINT NOT NULL,
  provider VARCHAR(64) NOT NULL,
  provider_message_id VARCHAR(191) NOT NULL,
  last_error TEXT NOT NULL,
  done_at BIGINT NULL,
  KEY outbox_due (status, next_attempt_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    // `key` is a reserved word in MySQL; the column keeps SQLite's name, quoted.
    R"sql(
CREATE TABLE IF NOT EXISTS events (
  source VARCHAR(64) NOT NULL,
  `key` VARCHAR(512) NOT NULL,
  summary TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (source, `key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS payments (
  joebpps_trx VARCHAR(191) NOT NULL PRIMARY KEY,
  billing_number VARCHAR(64) NOT NULL,
  application_id VARCHAR(64) NOT NULL,
  paid_fils BIGINT NOT NULL,
  due_fils BIGINT NOT NULL,
  process_date VARCHAR(64) NOT NULL,
  stmt_date VARCHAR(64) NOT NULL,
  outcome VARCHAR(191) NOT NULL,
  received_at BIGINT NOT NULL,
  KEY payments_by_billing_number (billing_number)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS sequences (
  name VARCHAR(191) NOT NULL PRIMARY KEY,
  value BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
};

// Version 2 (payments): reconciliation reads payments by statement day.
constexpr std::array<std::string_view, 1> kPaymentsByStmtDate{
    "CREATE INDEX IF NOT EXISTS payments_by_stmt_date ON payments (stmt_date, received_at)",
};

// Version 3 (SMS/USSD conversation): inbound SMS (deduplicated by provider message id;
// counted per sender for the rate cap until version 7), conversation and USSD sessions, per-number opt-out.
constexpr std::array<std::string_view, 3> kConversation{
    R"sql(
CREATE TABLE IF NOT EXISTS inbound_messages (
  provider VARCHAR(32) NOT NULL,
  provider_message_id VARCHAR(191) NOT NULL,
  from_number VARCHAR(191) NOT NULL,
  to_number VARCHAR(191) NOT NULL,
  body TEXT NOT NULL,
  received_at BIGINT NOT NULL,
  outcome VARCHAR(64) NOT NULL,
  PRIMARY KEY (provider, provider_message_id),
  KEY inbound_by_sender (from_number, received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS sessions (
  session_key VARCHAR(191) NOT NULL PRIMARY KEY,
  state MEDIUMTEXT NOT NULL,
  updated_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS sms_opt_outs (
  phone VARCHAR(191) NOT NULL PRIMARY KEY,
  at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
};

// Version 4 (outbound delivery): delivery reports per outbox row (the furthest one on the
// row itself), the channel log of every provider exchange, and finding a row by the provider's
// message id when its report comes in.
constexpr std::array<std::string_view, 6> kOutboundDelivery{
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS delivery_status VARCHAR(16) NOT NULL DEFAULT ''",
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS delivery_error VARCHAR(191) NOT NULL DEFAULT ''",
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS delivery_at BIGINT NULL",
    "CREATE INDEX IF NOT EXISTS outbox_by_provider_message ON outbox (provider, provider_message_id)",
    R"sql(
CREATE TABLE IF NOT EXISTS delivery_reports (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  outbox_id BIGINT NOT NULL,
  provider VARCHAR(64) NOT NULL,
  provider_message_id VARCHAR(191) NOT NULL,
  status VARCHAR(16) NOT NULL,
  error_code VARCHAR(191) NOT NULL,
  detail TEXT NOT NULL,
  at BIGINT NOT NULL,
  KEY delivery_reports_by_outbox (outbox_id, id),
  CONSTRAINT delivery_reports_outbox FOREIGN KEY (outbox_id) REFERENCES outbox (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS channel_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  outbox_id BIGINT NOT NULL,
  provider VARCHAR(64) NOT NULL,
  request MEDIUMTEXT NOT NULL,
  response MEDIUMTEXT NOT NULL,
  http_status INT NOT NULL,
  outcome VARCHAR(32) NOT NULL,
  elapsed_ms BIGINT NOT NULL,
  at BIGINT NOT NULL,
  KEY channel_log_by_outbox (outbox_id, id),
  CONSTRAINT channel_log_outbox FOREIGN KEY (outbox_id) REFERENCES outbox (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
};

// Migration 5 narrows SQLite's outbox indexes to the rows looked up through them (partial
// indexes). MariaDB has no partial indexes, so its indexes of migrations 1 and 3 stay as they are;
// the version is recorded so both backends keep one numbering.
constexpr std::array<std::string_view, 0> kLeanOutboxIndexes{};

// Version 6: a number's applications come in the order the query asks for (created_at, seq), as
// in SQLite's migration 6 (InnoDB's secondary index ends with the primary key, not seq). One
// ALTER, so the index is never missing; run again, it gives the same index.
constexpr std::array<std::string_view, 1> kApplicationsByPhoneInOrder{
    R"sql(
ALTER TABLE applications DROP INDEX applications_by_phone, ADD INDEX applications_by_phone (phone, created_at, seq)
)sql",
};

// Version 7: the per-number cap is counted in the number's session row, as in SQLite's migration
// 7; the index that counted a sender's rows goes. IF EXISTS: run again, it changes nothing.
constexpr std::array<std::string_view, 1> kNoInboundBySender{
    "ALTER TABLE inbound_messages DROP INDEX IF EXISTS inbound_by_sender",
};

// Version 8: as SQLite's migration 8, the rows of the two tables every inbound SMS inserts into are
// kept in arrival order (InnoDB clusters a table by its primary key, so keyed by the sender and the
// provider's message id each new row went into a random page); the old keys become unique
// indexes. Each is one ALTER and gives the same table when run again (the primary key dropped is
// then the new one, and added back; the column and index exist already).
constexpr std::array<std::string_view, 2> kAppendedRows{
    R"sql(
ALTER TABLE inbound_messages DROP PRIMARY KEY,
  ADD COLUMN IF NOT EXISTS id BIGINT NOT NULL AUTO_INCREMENT FIRST, ADD PRIMARY KEY (id),
  ADD UNIQUE INDEX IF NOT EXISTS inbound_by_message (provider, provider_message_id)
)sql",
    R"sql(
ALTER TABLE sessions DROP PRIMARY KEY,
  ADD COLUMN IF NOT EXISTS id BIGINT NOT NULL AUTO_INCREMENT FIRST, ADD PRIMARY KEY (id),
  ADD UNIQUE INDEX IF NOT EXISTS sessions_by_key (session_key)
)sql",
};

// Version 9: as SQLite's migration 9, sessions by the time they last changed, for the scheduler's
// clearing of expired dialogues. IF NOT EXISTS: run again, it changes nothing.
constexpr std::array<std::string_view, 1> kSessionsByTime{
    "CREATE INDEX IF NOT EXISTS sessions_by_updated_at ON sessions (updated_at)",
};

// Version 10: as SQLite's migration 10, the request id of an outbox row and of each provider
// exchange for it. IF NOT EXISTS: run again, it changes nothing.
constexpr std::array<std::string_view, 2> kRequestIds{
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS request_id VARCHAR(64) NOT NULL DEFAULT ''",
    "ALTER TABLE channel_log ADD COLUMN IF NOT EXISTS request_id VARCHAR(64) NOT NULL DEFAULT ''",
};

// Version 11: as SQLite's migration 11, every kind retention purges by age is found oldest first
// through an index on that age. (No partial indexes here: the outbox's holds every row, with
// done_at NULL for the unfinished.) IF NOT EXISTS: run again, it changes nothing.
constexpr std::array<std::string_view, 5> kRetention{
    "CREATE INDEX IF NOT EXISTS inbound_by_received_at ON inbound_messages (received_at)",
    "CREATE INDEX IF NOT EXISTS channel_log_by_at ON channel_log (at)",
    "CREATE INDEX IF NOT EXISTS delivery_reports_by_at ON delivery_reports (at)",
    "CREATE INDEX IF NOT EXISTS outbox_done ON outbox (done_at)",
    "CREATE INDEX IF NOT EXISTS events_by_at ON events (at)",
};

// Version 12: the operator console's tables, as in SQLite's migration 12. The audit log refuses
// UPDATE and DELETE by trigger. The overview's failed SMS come by (status, done_at): MariaDB has no
// partial index, so the status leads.
constexpr std::array<std::string_view, 6> kConsole{
    R"sql(
CREATE TABLE IF NOT EXISTS operators (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(191) NOT NULL,
  role VARCHAR(16) NOT NULL,
  password_hash VARCHAR(255) NOT NULL,
  disabled INT NOT NULL,
  created_at BIGINT NOT NULL,
  password_changed_at BIGINT NOT NULL,
  UNIQUE KEY operators_by_username (username)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS console_sessions (
  token_hash VARCHAR(64) NOT NULL PRIMARY KEY,
  operator_id BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  client_address VARCHAR(64) NOT NULL,
  KEY console_sessions_by_operator (operator_id),
  KEY console_sessions_by_last_seen (last_seen_at),
  CONSTRAINT console_sessions_operator FOREIGN KEY (operator_id) REFERENCES operators (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TABLE IF NOT EXISTS audit_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  actor VARCHAR(191) NOT NULL,
  at BIGINT NOT NULL,
  action VARCHAR(64) NOT NULL,
  target VARCHAR(191) NOT NULL,
  before_json MEDIUMTEXT NOT NULL,
  after_json MEDIUMTEXT NOT NULL,
  client_address VARCHAR(64) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log FOR EACH ROW
SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the audit log is append-only'
)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log FOR EACH ROW
SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'the audit log is append-only'
)sql", "CREATE INDEX IF NOT EXISTS outbox_failed ON outbox (status, done_at)",
};

// Version 13: the console's Course and Application pages, as in SQLite's migration 13.
constexpr std::array<std::string_view, 3> kConsolePages{
    "CREATE INDEX IF NOT EXISTS applications_by_course_seq ON applications (course_id, seq)",
    "CREATE INDEX IF NOT EXISTS outbox_by_application ON outbox (application_id, id)",
    "CREATE INDEX IF NOT EXISTS payments_by_application ON payments (application_id)",
};

// Version 14: the console's Messages and Opt-outs pages, as in SQLite's migration 14, with plain
// indexes where SQLite has partial ones ((status, id) for its per-status indexes; the funnel's
// covers the status, as MariaDB plans from statistics and the covering index only helps). Each
// statement gives the same schema when run again (IF NOT EXISTS; the opt-outs' ALTER drops the
// primary key it added and adds it back, as version 8 does).
constexpr std::array<std::string_view, 6> kMessagePages{
    "ALTER TABLE outbox ADD COLUMN IF NOT EXISTS resent_as BIGINT NOT NULL DEFAULT 0",
    "CREATE INDEX IF NOT EXISTS outbox_by_status ON outbox (status, id)",
    "CREATE INDEX IF NOT EXISTS outbox_by_provider ON outbox (provider, id)",
    "CREATE INDEX IF NOT EXISTS outbox_by_created ON outbox (created_at, status)",
    R"sql(
ALTER TABLE sms_opt_outs DROP PRIMARY KEY,
  ADD COLUMN IF NOT EXISTS id BIGINT NOT NULL AUTO_INCREMENT FIRST, ADD PRIMARY KEY (id),
  ADD UNIQUE INDEX IF NOT EXISTS sms_opt_outs_by_phone (phone)
)sql",
    "CREATE INDEX IF NOT EXISTS sms_opt_outs_by_at ON sms_opt_outs (at, id)",
};

// Version 15: the outbox by number, as in SQLite's migration 15.
constexpr std::array<std::string_view, 1> kOutboxByNumber{
    "CREATE INDEX IF NOT EXISTS outbox_by_to ON outbox (to_number, id)",
};

// Version 16: the funnel's counts, as in SQLite's migration 16. MariaDB's triggers have no WHEN,
// so the update trigger tests the change itself; it and the delete trigger are compound
// statements, one each (the connector sends a statement whole, so no DELIMITER is needed). Each
// statement can run again: IF NOT EXISTS, and REPLACE sets every count from the rows, which the
// triggers, created first, then keep. Creating a trigger needs the TRIGGER privilege
// (docs/mysql.md).
constexpr std::array<std::string_view, 5> kOutboxCounts{
    R"sql(
CREATE TABLE IF NOT EXISTS outbox_counts (
  slot BIGINT NOT NULL,
  status VARCHAR(16) NOT NULL,
  n BIGINT NOT NULL,
  PRIMARY KEY (slot, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS outbox_counts_insert AFTER INSERT ON outbox FOR EACH ROW
  INSERT INTO outbox_counts (slot, status, n) VALUES (NEW.created_at DIV 600, NEW.status, 1)
  ON DUPLICATE KEY UPDATE n = n + 1
)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS outbox_counts_update AFTER UPDATE ON outbox FOR EACH ROW
BEGIN
  IF NOT (OLD.status <=> NEW.status) OR NOT (OLD.created_at <=> NEW.created_at) THEN
    UPDATE outbox_counts SET n = n - 1 WHERE slot = OLD.created_at DIV 600 AND status = OLD.status;
    INSERT INTO outbox_counts (slot, status, n) VALUES (NEW.created_at DIV 600, NEW.status, 1)
      ON DUPLICATE KEY UPDATE n = n + 1;
  END IF;
END
)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS outbox_counts_delete AFTER DELETE ON outbox FOR EACH ROW
BEGIN
  UPDATE outbox_counts SET n = n - 1 WHERE slot = OLD.created_at DIV 600 AND status = OLD.status;
  DELETE FROM outbox_counts WHERE slot = OLD.created_at DIV 600 AND n = 0;
END
)sql",
    R"sql(
REPLACE INTO outbox_counts (slot, status, n)
  SELECT created_at DIV 600, status, COUNT(*) FROM outbox GROUP BY created_at DIV 600, status
)sql",
};

// Version 17: refunds to settle, as in SQLite's migration 17: the append-only settlements (UPDATE
// and DELETE refused by trigger, as the audit log's). MariaDB has no partial index, so its
// payments_refunds leads with the outcome: the data layer's refund test is a range of outcomes
// ('refund:' to 'refund;'), which this index reads without touching an applied payment; the
// handful of refund outcomes means the refunds are then sorted by time, a cost that follows the
// number of refunds, not of payments.
constexpr std::array<std::string_view, 4> kRefundSettlements{
    R"sql(
CREATE TABLE IF NOT EXISTS refund_settlements (
  joebpps_trx VARCHAR(191) NOT NULL PRIMARY KEY,
  settled_at BIGINT NOT NULL,
  settled_by VARCHAR(191) NOT NULL,
  reference VARCHAR(100) NOT NULL,
  CONSTRAINT refund_settlements_payment FOREIGN KEY (joebpps_trx) REFERENCES payments (joebpps_trx)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin
)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS refund_settlements_no_update BEFORE UPDATE ON refund_settlements FOR EACH ROW
SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refund settlements are append-only'
)sql",
    R"sql(
CREATE TRIGGER IF NOT EXISTS refund_settlements_no_delete BEFORE DELETE ON refund_settlements FOR EACH ROW
SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refund settlements are append-only'
)sql",
    "CREATE INDEX IF NOT EXISTS payments_refunds ON payments (outcome, received_at, joebpps_trx)",
};

// In the order of SQLite's list (position = version).
constexpr std::array<Migration, 17> kMigrations{
    Migration(kInitialSchema),     Migration(kPaymentsByStmtDate), Migration(kConversation),
    Migration(kOutboundDelivery),  Migration(kLeanOutboxIndexes),  Migration(kApplicationsByPhoneInOrder),
    Migration(kNoInboundBySender), Migration(kAppendedRows),       Migration(kSessionsByTime),
    Migration(kRequestIds),        Migration(kRetention),          Migration(kConsole),
    Migration(kConsolePages),      Migration(kMessagePages),       Migration(kOutboxByNumber),
    Migration(kOutboxCounts),      Migration(kRefundSettlements),
};

}  // namespace

std::span<const Migration> migrations() { return kMigrations; }

}  // namespace cg::store::mysql
