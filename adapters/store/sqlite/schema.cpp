// The SQLite schema, as migrations. Times are UTC seconds since the epoch, money is fils, enums
// are their core names (core/ parses them back; no CHECK lists, so a new state needs no table rebuild).
#include <array>

#include "adapters/store/sqlite/sqlite_store.hpp"

namespace cg::store::sqlite {
namespace {

constexpr std::string_view kInitialSchema = R"sql(
CREATE TABLE courses (
  id INTEGER PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  title_ar TEXT NOT NULL,
  title_en TEXT NOT NULL,
  location TEXT NOT NULL,
  start_at INTEGER NOT NULL,
  end_at INTEGER NOT NULL,
  decision_at INTEGER NOT NULL,
  min_participants INTEGER NOT NULL,
  capacity INTEGER,
  fee_fils INTEGER NOT NULL,
  prerequisite TEXT,
  exam_url TEXT NOT NULL,
  evaluation_url TEXT NOT NULL,
  status TEXT NOT NULL,
  quorum_reached INTEGER NOT NULL,
  reminder_sent INTEGER NOT NULL,
  tally_awaiting_quorum INTEGER NOT NULL DEFAULT 0,
  tally_awaiting_exam INTEGER NOT NULL DEFAULT 0,
  tally_awaiting_payment INTEGER NOT NULL DEFAULT 0,
  tally_confirmed INTEGER NOT NULL DEFAULT 0,
  tally_waitlisted INTEGER NOT NULL DEFAULT 0,
  tally_rejected_exam INTEGER NOT NULL DEFAULT 0,
  tally_expired INTEGER NOT NULL DEFAULT 0,
  tally_cancelled INTEGER NOT NULL DEFAULT 0,
  tally_attended INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE applications (
  id TEXT PRIMARY KEY,
  course_id INTEGER NOT NULL REFERENCES courses (id),
  seq INTEGER NOT NULL,
  phone TEXT NOT NULL,
  name TEXT NOT NULL,
  id_type TEXT NOT NULL,
  id_number TEXT NOT NULL,
  nationality TEXT NOT NULL,
  language TEXT NOT NULL,
  channel TEXT NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  exam_token TEXT UNIQUE,
  billing_number TEXT UNIQUE,
  bill_amount_fils INTEGER,
  bill_issued_at INTEGER,
  bill_due_at INTEGER,
  -- A bill is all there or not there at all.
  CHECK ((billing_number IS NULL) = (bill_amount_fils IS NULL)
         AND (billing_number IS NULL) = (bill_issued_at IS NULL)
         AND (billing_number IS NULL) = (bill_due_at IS NULL))
) STRICT;
CREATE INDEX applications_by_course_state ON applications (course_id, state, seq);
CREATE INDEX applications_by_document ON applications (id_type, id_number);
CREATE INDEX applications_by_phone ON applications (phone, created_at);
CREATE INDEX applications_bills_due ON applications (bill_due_at) WHERE state = 'awaiting_payment';

CREATE TABLE history (
  id INTEGER PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications (id),
  at INTEGER NOT NULL,
  from_state TEXT,
  to_state TEXT NOT NULL,
  step TEXT NOT NULL,
  event TEXT NOT NULL
) STRICT;
CREATE INDEX history_by_application ON history (application_id, id);

CREATE TABLE passes (
  id_type TEXT NOT NULL,
  id_number TEXT NOT NULL,
  prerequisite TEXT NOT NULL,
  source TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (id_type, id_number, prerequisite)
) STRICT, WITHOUT ROWID;

CREATE TABLE outbox (
  id INTEGER PRIMARY KEY,
  application_id TEXT NOT NULL,
  to_number TEXT NOT NULL,
  text TEXT NOT NULL,
  template_name TEXT NOT NULL,
  language TEXT NOT NULL,
  step TEXT NOT NULL,
  segments INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  -- When pending: when it may be tried. When sending: when the dispatcher's lease ends.
  next_attempt_at INTEGER NOT NULL,
  provider TEXT NOT NULL,
  provider_message_id TEXT NOT NULL,
  last_error TEXT NOT NULL,
  done_at INTEGER
) STRICT;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE events (
  source TEXT NOT NULL,
  key TEXT NOT NULL,
  summary TEXT NOT NULL,
  at INTEGER NOT NULL,
  PRIMARY KEY (source, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE payments (
  joebpps_trx TEXT PRIMARY KEY,
  billing_number TEXT NOT NULL,
  application_id TEXT NOT NULL,
  paid_fils INTEGER NOT NULL,
  due_fils INTEGER NOT NULL,
  process_date TEXT NOT NULL,
  stmt_date TEXT NOT NULL,
  outcome TEXT NOT NULL,
  received_at INTEGER NOT NULL
) STRICT;
CREATE INDEX payments_by_billing_number ON payments (billing_number);

CREATE TABLE sequences (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

// Migration 2 (payments): reconciliation reads payments by statement day.
constexpr std::string_view kPaymentsByStmtDate = R"sql(
CREATE INDEX payments_by_stmt_date ON payments (stmt_date, received_at);
)sql";

// Migration 4 (SMS/USSD conversation): inbound SMS (deduplicated by provider message id;
// counted per sender for the rate cap until migration 7), conversation and USSD sessions, per-number opt-out.
constexpr std::string_view kConversation = R"sql(
CREATE TABLE inbound_messages (
  provider TEXT NOT NULL,
  provider_message_id TEXT NOT NULL,
  from_number TEXT NOT NULL,
  to_number TEXT NOT NULL,
  body TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  PRIMARY KEY (provider, provider_message_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX inbound_by_sender ON inbound_messages (from_number, received_at);

CREATE TABLE sessions (
  session_key TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE sms_opt_outs (
  phone TEXT PRIMARY KEY,
  at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
)sql";

// Migration 3 (outbound delivery): delivery reports per outbox row (the furthest one on
// the row itself), the channel log of every provider exchange, and finding a row by the
// provider's message id when its report comes in.
constexpr std::string_view kOutboundDelivery = R"sql(
ALTER TABLE outbox ADD COLUMN delivery_status TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN delivery_error TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN delivery_at INTEGER;
CREATE INDEX outbox_by_provider_message ON outbox (provider, provider_message_id);

CREATE TABLE delivery_reports (
  id INTEGER PRIMARY KEY,
  outbox_id INTEGER NOT NULL REFERENCES outbox (id),
  provider TEXT NOT NULL,
  provider_message_id TEXT NOT NULL,
  status TEXT NOT NULL,
  error_code TEXT NOT NULL,
  detail TEXT NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX delivery_reports_by_outbox ON delivery_reports (outbox_id, id);

CREATE TABLE channel_log (
  id INTEGER PRIMARY KEY,
  outbox_id INTEGER NOT NULL REFERENCES outbox (id),
  provider TEXT NOT NULL,
  request TEXT NOT NULL,
  response TEXT NOT NULL,
  http_status INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  elapsed_ms INTEGER NOT NULL,
  at INTEGER NOT NULL
) STRICT;
CREATE INDEX channel_log_by_outbox ON channel_log (outbox_id, id);
)sql";

// Migration 5 (speed): the outbox indexes hold only the rows that are looked up through them.
// A row leaves outbox_due once sent or failed (before, every status change moved it inside the
// index, twice per SMS), and enters outbox_by_provider_message only when a provider has given it
// an id (before, every new row went in with an empty id and moved once it was sent). The queries
// that use them state the same conditions, which is how SQLite knows a partial index applies.
constexpr std::string_view kLeanOutboxIndexes = R"sql(
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status IN ('pending', 'sending');
DROP INDEX outbox_by_provider_message;
CREATE INDEX outbox_by_provider_message ON outbox (provider, provider_message_id) WHERE provider_message_id <> '';
)sql";

// Migration 6 (speed): a number's applications, newest first (SMS and USSD: every JOIN, STATUS and
// CANCEL), come in index order. The query orders by (created_at, seq); with seq missing from the
// index SQLite sorted every answer in a temporary b-tree, built and dropped per message.
constexpr std::string_view kApplicationsByPhoneInOrder = R"sql(
DROP INDEX applications_by_phone;
CREATE INDEX applications_by_phone ON applications (phone, created_at, seq);
)sql";

// Migration 7 (speed): the per-number cap counts a number's recent messages in its session row,
// which every message reads and writes anyway (gateway/conversation.hpp, SmsSession), instead of
// counting its rows here. The index that count used went into a random page per message, one more
// page for each commit to write to the WAL: 10% of the writer's CPU, measured.
constexpr std::string_view kNoInboundBySender = R"sql(
DROP INDEX inbound_by_sender;
)sql";

// Migration 8 (speed): the two tables every inbound SMS inserts into keep their rows in arrival order
// (rowid tables) with the key in a unique index beside them. As WITHOUT ROWID tables keyed by the
// sender's number and the provider's message id (a UUID from Kannel), each new row went into a
// random page of a table that grows by ~250 bytes per number, so with senders in no order (real
// traffic) every message dirtied pages of its own and the tables soon outgrew the page cache: the
// writer's CPU per message was ~40 µs against ~9 with senders in order (bench_inbound_store
// --senders random|down). Now a row is appended and only its small index entry lands at random:
// 13-16 µs with scattered senders, unchanged in order. Lookups and upserts are the same SQL.
constexpr std::string_view kAppendedRows = R"sql(
CREATE TABLE inbound_messages_new (
  id INTEGER PRIMARY KEY,
  provider TEXT NOT NULL,
  provider_message_id TEXT NOT NULL,
  from_number TEXT NOT NULL,
  to_number TEXT NOT NULL,
  body TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  UNIQUE (provider, provider_message_id)
) STRICT;
INSERT INTO inbound_messages_new (provider, provider_message_id, from_number, to_number, body, received_at, outcome)
  SELECT provider, provider_message_id, from_number, to_number, body, received_at, outcome FROM inbound_messages;
DROP TABLE inbound_messages;
ALTER TABLE inbound_messages_new RENAME TO inbound_messages;

CREATE TABLE sessions_new (
  id INTEGER PRIMARY KEY,
  session_key TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
INSERT INTO sessions_new (session_key, state, updated_at) SELECT session_key, state, updated_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
)sql";

// Migration 9: the scheduler clears expired dialogues by the time a session last changed
// (Tx::sessions_between, every tick); without an index that was a scan of every number's session
// on the store's one writer, which held every inbound SMS behind it.
constexpr std::string_view kSessionsByTime = R"sql(
CREATE INDEX sessions_by_updated_at ON sessions (updated_at);
)sql";

// Migration 10 (observability): the id of the HTTP request that caused an outbox row, kept with the
// row and with each provider exchange for it, so one id finds the request, the SMS and the
// provider's answer. Rows from before have none ('').
constexpr std::string_view kRequestIds = R"sql(
ALTER TABLE outbox ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE channel_log ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
)sql";

// Migration 11 (retention, gateway/workers/retention.hpp): each kind that is purged by age is
// found oldest first through an index on that age, so a purge in batches reads only the rows it
// deletes and a run that finds nothing old costs one index probe, not a scan on the one writer.
// The outbox index holds only finished rows (done_at is set when a row is sent, delivered or
// failed), so enqueueing a message does not touch it. Sessions have theirs since migration 9.
constexpr std::string_view kRetention = R"sql(
CREATE INDEX inbound_by_received_at ON inbound_messages (received_at);
CREATE INDEX channel_log_by_at ON channel_log (at);
CREATE INDEX delivery_reports_by_at ON delivery_reports (at);
CREATE INDEX outbox_done ON outbox (done_at) WHERE done_at IS NOT NULL;
CREATE INDEX events_by_at ON events (at);
)sql";

// Migration 12 (operator console, docs/console.md): operators, their signed-in sessions (by the
// hash of the cookie's token only), and the audit log, which the database itself keeps
// append-only. The overview's "failed SMS" reads the outbox by the time a row failed for good:
// a partial index holds only those rows, so it never scans the outbox.
constexpr std::string_view kConsole = R"sql(
CREATE TABLE operators (
  id INTEGER PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  password_changed_at INTEGER NOT NULL
) STRICT;

CREATE TABLE console_sessions (
  token_hash TEXT PRIMARY KEY,
  operator_id INTEGER NOT NULL REFERENCES operators (id),
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  client_address TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX console_sessions_by_operator ON console_sessions (operator_id);
CREATE INDEX console_sessions_by_last_seen ON console_sessions (last_seen_at);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  actor TEXT NOT NULL,
  at INTEGER NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  before_json TEXT NOT NULL,
  after_json TEXT NOT NULL,
  client_address TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE INDEX outbox_failed ON outbox (done_at) WHERE status = 'failed';
)sql";

// Migration 13: the console's Course and Application pages. A course's applicants in arrival order
// whatever their state (key paging by seq); an application's SMS and its payments by application.
constexpr std::string_view kConsolePages = R"sql(
CREATE INDEX applications_by_course_seq ON applications (course_id, seq);
CREATE INDEX outbox_by_application ON outbox (application_id, id);
CREATE INDEX payments_by_application ON payments (application_id);
)sql";

// Migration 14: the console's Messages and Opt-outs pages. The outbox listed newest first by
// status or by provider (paged by id), the rows of the last day counted by status (the funnel),
// and a failed row's resend (resent_as: the new row that sends it
// again, docs/decisions.md). By status through one partial index per status, not one on
// (status, id): with that, the planner (no statistics) took it for the dispatcher's claim and the
// overview's failed SMS over their partial indexes (outbox_due, outbox_failed) and sorted. The
// funnel's index has the time alone for the same reason: with (created_at, status) the oldest
// unsent row (/metrics) was read by scanning it whole, as covering, instead of outbox_due. Opt-outs
// get an id as the paging key, so no phone number goes into a URL; the table keeps its rows by
// arrival with the phone unique beside them, and is read newest first by (at, id).
constexpr std::string_view kMessagePages = R"sql(
ALTER TABLE outbox ADD COLUMN resent_as INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_pending_by_id ON outbox (id) WHERE status = 'pending';
CREATE INDEX outbox_sending_by_id ON outbox (id) WHERE status = 'sending';
CREATE INDEX outbox_sent_by_id ON outbox (id) WHERE status = 'sent';
CREATE INDEX outbox_delivered_by_id ON outbox (id) WHERE status = 'delivered';
CREATE INDEX outbox_failed_by_id ON outbox (id) WHERE status = 'failed';
CREATE INDEX outbox_by_provider ON outbox (provider, id);
CREATE INDEX outbox_by_created ON outbox (created_at);

CREATE TABLE sms_opt_outs_new (
  id INTEGER PRIMARY KEY,
  phone TEXT NOT NULL UNIQUE,
  at INTEGER NOT NULL
) STRICT;
INSERT INTO sms_opt_outs_new (phone, at) SELECT phone, at FROM sms_opt_outs ORDER BY at, phone;
DROP TABLE sms_opt_outs;
ALTER TABLE sms_opt_outs_new RENAME TO sms_opt_outs;
CREATE INDEX sms_opt_outs_by_at ON sms_opt_outs (at, id);
)sql";

// Migration 15: the console's Simulator reads one number's outbox rows after a key, and STOP
// withdraws what is pending for a number: both by (to_number, id) instead of a scan of the outbox.
constexpr std::string_view kOutboxByNumber = R"sql(
CREATE INDEX outbox_by_to ON outbox (to_number, id);
)sql";

// Migration 16: the delivery funnel reads counts, not rows. outbox_counts holds, per ten minutes of
// creation time (slot = created_at / 600) and status, how many outbox rows there are; triggers keep
// it exact on every insert, status change and delete, whichever statement makes them (the claim's
// batch update, a delivery report, STOP's withdrawal, the retention purge), so no code path can
// forget it. The funnel then adds up at most 144 slots and counts rows only in the part of the
// oldest ten minutes that is inside the window (docs/decisions.md). Zero counts stay until the
// retention purge deletes the slot's last rows; a delete then removes the slot's zero counts.
constexpr std::string_view kOutboxCounts = R"sql(
CREATE TABLE outbox_counts (
  slot INTEGER NOT NULL,
  status TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (slot, status)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER outbox_counts_insert AFTER INSERT ON outbox BEGIN
  INSERT INTO outbox_counts (slot, status, n) VALUES (NEW.created_at / 600, NEW.status, 1)
    ON CONFLICT (slot, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER outbox_counts_update AFTER UPDATE OF status, created_at ON outbox
WHEN OLD.status IS NOT NEW.status OR OLD.created_at IS NOT NEW.created_at BEGIN
  UPDATE outbox_counts SET n = n - 1 WHERE slot = OLD.created_at / 600 AND status = OLD.status;
  INSERT INTO outbox_counts (slot, status, n) VALUES (NEW.created_at / 600, NEW.status, 1)
    ON CONFLICT (slot, status) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER outbox_counts_delete AFTER DELETE ON outbox BEGIN
  UPDATE outbox_counts SET n = n - 1 WHERE slot = OLD.created_at / 600 AND status = OLD.status;
  DELETE FROM outbox_counts WHERE slot = OLD.created_at / 600 AND n = 0;
END;
INSERT INTO outbox_counts (slot, status, n)
  SELECT created_at / 600, status, COUNT(*) FROM outbox GROUP BY created_at / 600, status;
)sql";

// Migration 17: refunds to settle (the Payments page). A refund ("refund:" outcome) is settled by
// one row of its own, keyed by the payment's JOEBPPSTrx, that is only ever inserted: the store has
// no UPDATE or DELETE of it, and these triggers refuse one as the audit log's do
// (docs/decisions.md). payments_refunds holds the refunds alone, in the order the unsettled list
// pages by: its WHERE is the text of the data layer's refund test (queries.cpp), so the list and
// its totals never read an applied payment.
constexpr std::string_view kRefundSettlements = R"sql(
CREATE TABLE refund_settlements (
  joebpps_trx TEXT PRIMARY KEY REFERENCES payments (joebpps_trx),
  settled_at INTEGER NOT NULL,
  settled_by TEXT NOT NULL,
  reference TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE TRIGGER refund_settlements_no_update BEFORE UPDATE ON refund_settlements
BEGIN SELECT RAISE(ABORT, 'refund settlements are append-only'); END;
CREATE TRIGGER refund_settlements_no_delete BEFORE DELETE ON refund_settlements
BEGIN SELECT RAISE(ABORT, 'refund settlements are append-only'); END;
CREATE INDEX payments_refunds ON payments (received_at, joebpps_trx)
  WHERE outcome >= 'refund:' AND outcome < 'refund;';
)sql";

constexpr std::array<std::string_view, 17> kMigrations{
    kInitialSchema,     kPaymentsByStmtDate, kConversation,
    kOutboundDelivery,  kLeanOutboxIndexes,  kApplicationsByPhoneInOrder,
    kNoInboundBySender, kAppendedRows,       kSessionsByTime,
    kRequestIds,        kRetention,          kConsole,
    kConsolePages,      kMessagePages,       kOutboxByNumber,
    kOutboxCounts,      kRefundSettlements};

}  // namespace

std::span<const std::string_view> migrations() { return kMigrations; }

}  // namespace cg::store::sqlite
