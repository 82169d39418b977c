// What only the SQLite backend has: its file, its pragmas and its schema migrations.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <semaphore>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "adapters/store/sql/queries.hpp"
#include "adapters/store/sqlite/connection.hpp"
#include "adapters/store/sqlite/sqlite_store.hpp"
#include "tests/adapters/store/sqlite/sqlite_files.hpp"

namespace cg::store::sqlite {
namespace {

using testing::Raw;
using testing::TempDb;

std::unique_ptr<Store> must_open(const SqliteSettings& settings,
                                 std::span<const std::string_view> list = sqlite::migrations()) {
  auto opened = sqlite::open(settings, list);
  EXPECT_TRUE(opened.ok()) << opened.error().code << ": " << opened.error().message;
  return opened ? std::move(*opened) : nullptr;
}

std::vector<std::string> versions(const std::string& path) {
  return Raw(path).rows("SELECT version FROM schema_version ORDER BY version");
}

// A cached statement keeps its bound values between uses (freeing them each time cost the writer
// 4%); a parameter one use leaves unbound must still be NULL, not what the previous use bound.
TEST(SqliteStatement, AParameterLeftUnboundIsNullNotTheLastUsesValue) {
  TempDb db("statement-binds");
  auto conn = Connection::open(db.path(), {});
  ASSERT_TRUE(conn.ok()) << conn.error().message;
  static constexpr std::string_view kSql = "SELECT ?1, ?2, ?3 IS NULL";
  auto use = [&](bool bind_second) {
    auto st = (*conn)->prepare(kSql, "statement test");
    EXPECT_TRUE(st.ok());
    st->bind(1, "first");
    if (bind_second) st->bind(2, std::int64_t{42});
    auto row = st->step();
    EXPECT_TRUE(row.ok() && *row);
    return std::tuple{st->text(0), st->optional_int64(1), st->int64(2)};
  };
  EXPECT_EQ(use(true), std::tuple(std::string("first"), std::optional<std::int64_t>(42), std::int64_t{1}));
  EXPECT_EQ(use(false), std::tuple(std::string("first"), std::optional<std::int64_t>(), std::int64_t{1}));
  EXPECT_EQ(use(true), std::tuple(std::string("first"), std::optional<std::int64_t>(42), std::int64_t{1}));
  // Rows past the first need no new binds.
  auto st = (*conn)->prepare("SELECT value FROM json_each(?1) WHERE ?2 IS NULL", "statement test");
  ASSERT_TRUE(st.ok());
  st->bind(1, "[1,2,3]");
  int rows = 0;
  for (auto row = st->step(); row.ok() && *row; row = st->step()) ++rows;
  EXPECT_EQ(rows, 3);
}

TEST(SqliteStore, FreshFileGetsEveryMigrationAndWal) {
  TempDb db("fresh");
  auto store = must_open(db.settings());
  ASSERT_NE(store, nullptr);
  store->close();
  store.reset();

  std::vector<std::string> want;
  for (std::size_t v = 1; v <= sqlite::migrations().size(); ++v) want.push_back(std::to_string(v));
  EXPECT_EQ(versions(db.path()), want);
  Raw raw(db.path());
  EXPECT_EQ(raw.rows("PRAGMA journal_mode"), (std::vector<std::string>{"wal"}));
  auto tables = raw.rows("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
  for (const char* table :
       {"applications", "courses", "events", "history", "outbox", "passes", "payments", "schema_version", "sequences"})
    EXPECT_NE(std::find(tables.begin(), tables.end(), table), tables.end()) << table;
}

TEST(SqliteStore, ReopeningAppliesNothingTwice) {
  TempDb db("reopen");
  must_open(db.settings()).reset();
  auto before = Raw(db.path()).rows("SELECT version, applied_at FROM schema_version ORDER BY version");
  must_open(db.settings()).reset();
  must_open(db.settings()).reset();
  EXPECT_EQ(Raw(db.path()).rows("SELECT version, applied_at FROM schema_version ORDER BY version"), before);
}

constexpr std::string_view kM1 = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);";
constexpr std::string_view kM2 =
    "ALTER TABLE notes ADD COLUMN author TEXT NOT NULL DEFAULT 'nobody';"
    "CREATE TABLE tags (name TEXT PRIMARY KEY);";
constexpr std::string_view kBroken = "CREATE TABLE half (x INTEGER); THIS IS NOT SQL;";

TEST(SqliteStore, MissingMigrationsAreAppliedInOrderKeepingData) {
  TempDb db("stepwise");
  const std::array<std::string_view, 1> v1{kM1};
  const std::array<std::string_view, 2> v2{kM1, kM2};
  must_open(db.settings(), v1).reset();
  EXPECT_EQ(versions(db.path()), (std::vector<std::string>{"1"}));
  Raw(db.path()).exec("INSERT INTO notes (body) VALUES ('kept')");

  must_open(db.settings(), v2).reset();
  EXPECT_EQ(versions(db.path()), (std::vector<std::string>{"1", "2"}));
  Raw raw(db.path());
  EXPECT_EQ(raw.rows("SELECT body, author FROM notes"), (std::vector<std::string>{"kept|nobody"}));
  EXPECT_EQ(raw.rows("SELECT name FROM sqlite_schema WHERE name = 'tags'"), (std::vector<std::string>{"tags"}));
}

// Migration 7 takes away the index the per-number cap used to count through (the count now lives
// in the number's session row); a database made before it keeps its inbound record.
TEST(SqliteStore, Migration7DropsTheSenderIndexAndKeepsTheInboundRecord) {
  TempDb db("m7");
  auto all = sqlite::migrations();
  ASSERT_GE(all.size(), 7u);
  must_open(db.settings(), all.first(6)).reset();
  Raw(db.path()).exec(
      "INSERT INTO inbound_messages VALUES ('kannel', 'a1', '+962791234567', '94000', 'HELP', 1795000000, "
      "'processed')");
  const std::string index = "SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'inbound_by_sender'";
  EXPECT_EQ(Raw(db.path()).rows(index), (std::vector<std::string>{"inbound_by_sender"}));

  must_open(db.settings(), all.first(7)).reset();
  EXPECT_EQ(versions(db.path()).back(), "7");
  EXPECT_TRUE(Raw(db.path()).rows(index).empty());
  EXPECT_EQ(Raw(db.path()).rows("SELECT provider_message_id, from_number, outcome FROM inbound_messages"),
            (std::vector<std::string>{"a1|+962791234567|processed"}));
}

// Migration 9: the scheduler's look for expired dialogues (Tx::sessions_between) reads the sessions
// by time through an index, not by scanning every number's session on the writer.
TEST(SqliteStore, ExpiredDialoguesAreFoundThroughAnIndexNotAScan) {
  TempDb db("m9");
  must_open(db.settings()).reset();
  auto plan = Raw(db.path()).rows(
      "EXPLAIN QUERY PLAN SELECT session_key, state, updated_at FROM sessions WHERE session_key LIKE 'sms:%' "
      "AND updated_at >= 1 AND updated_at < 2 ORDER BY updated_at LIMIT 500");
  ASSERT_FALSE(plan.empty());
  bool by_index = false;
  for (const auto& row : plan) by_index = by_index || row.find("sessions_by_updated_at") != std::string::npos;
  EXPECT_TRUE(by_index) << plan.front();
}

// Migration 12: the audit log refuses UPDATE and DELETE in the database itself, not only in code,
// and the console overview's failed SMS are read through the partial index, not an outbox scan.
TEST(SqliteStore, Migration12KeepsTheAuditLogAppendOnly) {
  TempDb db("m12");
  must_open(db.settings()).reset();
  Raw raw(db.path());
  raw.exec(
      "INSERT INTO audit_log (actor, at, action, target, before_json, after_json, client_address) "
      "VALUES ('api', 1, 'course.create', 'course:1', '', '{}', '127.0.0.1')");
  char* message = nullptr;
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.path().c_str(), &handle), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(handle, "UPDATE audit_log SET actor = 'x'", nullptr, nullptr, &message), SQLITE_OK);
  sqlite3_free(message);
  message = nullptr;
  EXPECT_NE(sqlite3_exec(handle, "DELETE FROM audit_log", nullptr, nullptr, &message), SQLITE_OK);
  sqlite3_free(message);
  sqlite3_close(handle);
  EXPECT_EQ(raw.rows("SELECT actor FROM audit_log"), (std::vector<std::string>{"api"}));

  auto plan = raw.rows("EXPLAIN QUERY PLAN SELECT COUNT(*) FROM outbox WHERE status = 'failed' AND done_at >= 5");
  bool by_index = false;
  for (const auto& row : plan) by_index = by_index || row.find("outbox_failed") != std::string::npos;
  EXPECT_TRUE(by_index) << (plan.empty() ? "" : plan.front());
}

// Migration 13: the console's Course page lists a course's applicants in seq order through an index
// (unfiltered: applications_by_course_seq; by state: applications_by_course_state), without sorting
// the course's rows; the Application page finds its SMS and payments by index too. The statements
// checked are the data layer's own (queries.cpp).
TEST(SqliteStore, Migration13ServesTheCoursePageAndTheApplicationPageByIndex) {
  TempDb db("m13");
  must_open(db.settings()).reset();
  Raw raw(db.path());
  const sql::Queries q(sql::sqlite_dialect());
  const std::string unfiltered = raw.plan_of(q.course_applicants[0]);
  EXPECT_NE(unfiltered.find("applications_by_course_seq"), std::string::npos) << unfiltered;
  EXPECT_EQ(unfiltered.find("TEMP B-TREE"), std::string::npos) << "no sort: " << unfiltered;
  const std::string by_state = raw.plan_of(q.course_applicants[1]);
  EXPECT_NE(by_state.find("applications_by_course_state"), std::string::npos) << by_state;
  EXPECT_EQ(by_state.find("TEMP B-TREE"), std::string::npos) << "no sort: " << by_state;
  const std::string sms = raw.plan_of(q.application_outbox_ids);
  EXPECT_NE(sms.find("outbox_by_application"), std::string::npos) << sms;
  const std::string paid = raw.plan_of(q.application_payments);
  EXPECT_NE(paid.find("payments_by_application"), std::string::npos) << paid;
}

// The Payments page's two lists page by key through indexes that exist already: a day's payments
// through payments_by_stmt_date (migration 2), open bills through the partial applications_bills_due.
TEST(SqliteStore, ThePaymentsPageReadsByIndex) {
  TempDb db("pay");
  must_open(db.settings()).reset();
  Raw raw(db.path());
  const sql::Queries q(sql::sqlite_dialect());
  const std::string day = raw.plan_of(q.payments_of_day);
  EXPECT_NE(day.find("payments_by_stmt_date"), std::string::npos) << day;
  const std::string bills = raw.plan_of(q.open_bills_after);
  EXPECT_NE(bills.find("applications_bills_due"), std::string::npos) << bills;
}

// Migration 14: the Messages page's lists read newest first through an index per filter without
// sorting the outbox, the funnel reads the last day's rows by their time, and the dispatcher's
// claim, the overview's failed SMS and the metrics' oldest unsent row keep their partial indexes. The statements
// checked are the data layer's own.
TEST(SqliteStore, Migration14ServesTheMessagesAndOptOutsPagesByIndex) {
  TempDb db("m14");
  must_open(db.settings()).reset();
  Raw raw(db.path());
  const sql::Queries q(sql::sqlite_dialect());
  for (std::size_t k = 0; k < sql::Queries::kOutboxStatuses.size(); ++k) {
    const std::string status(sql::Queries::kOutboxStatuses[k]);
    const std::string by_status = raw.plan_of(q.outbox_page[2 * (k + 1)]);
    EXPECT_NE(by_status.find("outbox_" + status + "_by_id"), std::string::npos) << by_status;
    EXPECT_EQ(by_status.find("TEMP B-TREE"), std::string::npos) << "no sort: " << by_status;
  }
  const std::string by_provider = raw.plan_of(q.outbox_page[1]);
  EXPECT_NE(by_provider.find("outbox_by_provider"), std::string::npos) << by_provider;
  EXPECT_EQ(by_provider.find("TEMP B-TREE"), std::string::npos) << "no sort: " << by_provider;
  const std::string all = raw.plan_of(q.outbox_page[0]);
  EXPECT_EQ(all.find("TEMP B-TREE"), std::string::npos) << "no sort: " << all;
  // Migration 16: the funnel counts rows of the window's first minutes only, then reads the counts.
  const std::string funnel = raw.plan_of(q.outbox_status_since);
  EXPECT_NE(funnel.find("outbox_by_created (created_at>? AND created_at<?)"), std::string::npos) << funnel;
  EXPECT_NE(funnel.find("outbox_counts USING PRIMARY KEY (slot>?)"), std::string::npos) << funnel;
  const std::string opt_outs = raw.plan_of(q.opt_outs_before);
  EXPECT_NE(opt_outs.find("sms_opt_outs_by_at"), std::string::npos) << opt_outs;
  EXPECT_EQ(opt_outs.find("TEMP B-TREE"), std::string::npos) << "no sort: " << opt_outs;
  const std::string claim = raw.plan_of(q.outbox_claim);
  EXPECT_NE(claim.find("outbox_due"), std::string::npos) << claim;
  const std::string failed = raw.plan_of(q.failed_sms_since);
  EXPECT_NE(failed.find("outbox_failed (done_at"), std::string::npos) << failed;
  const std::string oldest = raw.plan_of(q.outbox_oldest_pending);
  EXPECT_NE(oldest.find("outbox_due"), std::string::npos) << oldest;
  // Migration 15: one number's rows after a key, and STOP's withdrawal, by outbox_by_to.
  const std::string to = raw.plan_of(q.outbox_to);
  EXPECT_NE(to.find("outbox_by_to (to_number=? AND id>?)"), std::string::npos) << to;
  EXPECT_EQ(to.find("TEMP B-TREE"), std::string::npos) << "no sort: " << to;
  const std::string withdraw = raw.plan_of(q.opt_out_withdraw);
  EXPECT_EQ(withdraw.find("SCAN"), std::string::npos) << withdraw;
}

// Migration 14 rebuilds sms_opt_outs with an id: every number and its time are kept, in time order,
// and STOP twice still keeps the first time.
TEST(SqliteStore, Migration14KeepsTheOptOuts) {
  TempDb db("m14-opt-outs");
  auto all = sqlite::migrations();
  ASSERT_GE(all.size(), 14u);
  must_open(db.settings(), all.first(13)).reset();
  Raw(db.path()).exec(
      "INSERT INTO sms_opt_outs VALUES ('+962790000002', 1795000000);"
      "INSERT INTO sms_opt_outs VALUES ('+962790000001', 1795000009)");
  auto store = must_open(db.settings());
  Raw raw(db.path());
  EXPECT_EQ(raw.rows("SELECT id, phone, at FROM sms_opt_outs ORDER BY id"),
            (std::vector<std::string>{"1|+962790000002|1795000000", "2|+962790000001|1795000009"}));
  ASSERT_TRUE(store
                  ->write_sync([](store::Tx& tx) {
                    return tx.set_opted_out("+962790000002", true, Instant{std::chrono::seconds{1795000100}});
                  })
                  .ok());
  store->close();
  EXPECT_EQ(raw.rows("SELECT phone, at FROM sms_opt_outs WHERE phone = '+962790000002'"),
            (std::vector<std::string>{"+962790000002|1795000000"}));
}

// Migration 16 counts the outbox rows already there by ten-minute slot and status, and its triggers
// keep the counts from then on.
TEST(SqliteStore, Migration16CountsTheOutboxAlreadyThere) {
  TempDb db("m16");
  auto all = sqlite::migrations();
  ASSERT_GE(all.size(), 16u);
  auto enqueue_at = [](Store& store, std::int64_t at) {
    OutboxMessage m;
    m.to = "+962791234567";
    m.created_at = m.next_attempt_at = Instant{std::chrono::seconds{at}};
    ASSERT_TRUE(store
                    .write_sync([&](Tx& tx) -> Status {
                      auto r = tx.enqueue(m);
                      if (!r) return r.error();
                      return ok_status();
                    })
                    .ok());
  };
  {
    auto old = must_open(db.settings(), all.first(15));
    enqueue_at(*old, 1'795'000'000);  // slot 2991666
    enqueue_at(*old, 1'795'000'001);
    enqueue_at(*old, 1'795'000'600);  // slot 2991667
  }
  auto store = must_open(db.settings());
  const std::string counts = "SELECT slot, status, n FROM outbox_counts WHERE n > 0 ORDER BY slot, status";
  EXPECT_EQ(Raw(db.path()).rows(counts), (std::vector<std::string>{"2991666|pending|2", "2991667|pending|1"}));
  ASSERT_TRUE(
      store->claim_outbox(1, Instant{std::chrono::seconds{1'795'000'000}}, Instant{std::chrono::seconds{1'796'000'000}})
          .ok());
  enqueue_at(*store, 1'795'000'601);
  store->close();
  EXPECT_EQ(Raw(db.path()).rows(counts),
            (std::vector<std::string>{"2991666|pending|1", "2991666|sending|1", "2991667|pending|2"}));
}

// Migration 11: retention deletes the oldest rows of each kind through an index on their age, so a
// batch reads only what it deletes and a run with nothing old is one probe, never a scan of a table
// on the one writer. The statements checked are the data layer's own (queries.cpp).
TEST(SqliteStore, RetentionPurgesFindTheirRowsThroughAnIndexNotAScan) {
  TempDb db("m11");
  must_open(db.settings()).reset();
  const sql::Queries q(sql::sqlite_dialect());
  const std::vector<std::tuple<std::string, std::string, std::string>> purges{
      {q.purge_inbound, "inbound_messages", "inbound_by_received_at"},
      {q.purge_channel_log, "channel_log", "channel_log_by_at"},
      {q.purge_delivery_reports, "delivery_reports", "delivery_reports_by_at"},
      {q.purge_sessions, "sessions", "sessions_by_updated_at"},
      {q.purge_events, "events", "events_by_at"},
      {q.purge_outbox_finished, "outbox", "outbox_done"},
      {q.purge_outbox_reports, "delivery_reports", "delivery_reports_by_outbox"},
      {q.purge_outbox_log, "channel_log", "channel_log_by_outbox"},
  };
  for (const auto& [statement, table, index] : purges) {
    auto plan = Raw(db.path()).rows("EXPLAIN QUERY PLAN " + statement);
    ASSERT_FALSE(plan.empty()) << statement;
    std::string all;
    for (const auto& row : plan) all += row + "\n";
    EXPECT_NE(all.find(index), std::string::npos) << statement << "\n" << all;
    // "SCAN t" alone reads the whole table; "SCAN t USING ... INDEX" in order is not asked for either.
    EXPECT_EQ(all.find("SCAN " + table), std::string::npos) << statement << "\n" << all;
  }
}

// Migration 8 rebuilds inbound_messages and sessions as tables kept in arrival order, with their
// keys in unique indexes: what was there is all there, a provider's retry is still recognised and
// a session is still saved over, not twice.
TEST(SqliteStore, Migration8KeepsTheRowsAndTheirKeys) {
  TempDb db("m8");
  auto all = sqlite::migrations();
  ASSERT_GE(all.size(), 8u);
  must_open(db.settings(), all.first(7)).reset();
  Raw(db.path()).exec(
      "INSERT INTO inbound_messages VALUES ('kannel', 'a1', '+962791234567', '94000', 'HELP', 1795000000, 'processed');"
      "INSERT INTO sessions VALUES ('sms:+962791234567', '{\"lang\":\"en\"}', 1795000000)");

  auto store = must_open(db.settings());
  EXPECT_EQ(versions(db.path()).back(), std::to_string(all.size()));
  Raw raw(db.path());
  EXPECT_EQ(raw.rows("SELECT provider, provider_message_id, from_number, to_number, body, received_at, outcome "
                     "FROM inbound_messages"),
            (std::vector<std::string>{"kannel|a1|+962791234567|94000|HELP|1795000000|processed"}));
  EXPECT_EQ(raw.rows("SELECT COUNT(*) FROM pragma_table_info('sessions') WHERE name = 'id' AND pk = 1"),
            (std::vector<std::string>{"1"}));
  store::InboundMessage again{
      "kannel", "a1", "+962791234567", "94000", "HELP", Instant{std::chrono::seconds{1795000001}}, "processed"};
  store::InboundMessage next = again;
  next.provider_message_id = "a2";
  Status s = store->write_sync([&](store::Tx& tx) -> Status {
    auto dup = tx.record_inbound(again);
    if (!dup) return dup.error();
    EXPECT_FALSE(*dup) << "the retry of a1 is a duplicate";
    auto fresh = tx.record_inbound(next);
    if (!fresh) return fresh.error();
    EXPECT_TRUE(*fresh);
    auto old = tx.session("sms:+962791234567");
    if (!old) return old.error();
    EXPECT_TRUE(old->has_value() && (*old)->state == "{\"lang\":\"en\"}");
    return tx.save_session({"sms:+962791234567", "{\"lang\":\"ar\"}", Instant{std::chrono::seconds{1795000002}}});
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  store->close();
  EXPECT_EQ(raw.rows("SELECT provider_message_id FROM inbound_messages ORDER BY id"),
            (std::vector<std::string>{"a1", "a2"}));
  EXPECT_EQ(raw.rows("SELECT session_key, state, updated_at FROM sessions"),
            (std::vector<std::string>{"sms:+962791234567|{\"lang\":\"ar\"}|1795000002"}));
}

TEST(SqliteStore, AFailingMigrationLeavesTheDatabaseAsItWas) {
  TempDb db("broken");
  const std::array<std::string_view, 1> v1{kM1};
  const std::array<std::string_view, 3> broken{kM1, kM2, kBroken};
  must_open(db.settings(), v1).reset();
  auto opened = sqlite::open(db.settings(), broken);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, "store_error");
  EXPECT_NE(opened.error().message.find("migration 3"), std::string::npos) << opened.error().message;
  // Migrations 2 and 3 went in one transaction: neither is there.
  EXPECT_EQ(versions(db.path()), (std::vector<std::string>{"1"}));
  Raw raw(db.path());
  EXPECT_TRUE(raw.rows("SELECT name FROM sqlite_schema WHERE name IN ('tags', 'half')").empty());
  EXPECT_EQ(raw.rows("SELECT COUNT(*) FROM pragma_table_info('notes') WHERE name = 'author'"),
            (std::vector<std::string>{"0"}));
}

TEST(SqliteStore, ANewerSchemaIsRefused) {
  TempDb db("newer");
  must_open(db.settings()).reset();
  const auto newer = std::to_string(sqlite::migrations().size() + 1);
  Raw(db.path()).exec("INSERT INTO schema_version (version, applied_at) VALUES (" + newer + ", 0)");

  auto opened = open_sqlite(db.settings());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, "schema_too_new");
  EXPECT_NE(opened.error().message.find("version " + newer), std::string::npos) << opened.error().message;
  EXPECT_NE(opened.error().message.find(db.path()), std::string::npos) << opened.error().message;
  EXPECT_EQ(versions(db.path()).back(), newer);

  const std::array<std::string_view, 1> v1{kM1};
  TempDb other("newer-custom");
  const std::array<std::string_view, 2> v2{kM1, kM2};
  must_open(other.settings(), v2).reset();
  auto downgraded = sqlite::open(other.settings(), v1);
  ASSERT_FALSE(downgraded.ok());
  EXPECT_EQ(downgraded.error().code, "schema_too_new");
}

TEST(SqliteStore, BadSettingsAreRefused) {
  for (const char* path : {"", ":memory:", "file::memory:?cache=shared", "file:x?mode=memory"}) {
    auto opened = open_sqlite(SqliteSettings{.path = path});
    ASSERT_FALSE(opened.ok()) << path;
    EXPECT_EQ(opened.error().code, "invalid_store_settings") << path;
  }
  TempDb db("settings");
  auto no_readers = open_sqlite(SqliteSettings{.path = db.path(), .readers = 0});
  ASSERT_FALSE(no_readers.ok());
  EXPECT_EQ(no_readers.error().code, "invalid_store_settings");
  auto no_batch = open_sqlite(SqliteSettings{.path = db.path(), .max_batch = 0});
  ASSERT_FALSE(no_batch.ok());
  EXPECT_EQ(no_batch.error().code, "invalid_store_settings");
}

TEST(SqliteStore, AFileThatIsNotADatabaseIsRefused) {
  TempDb db("garbage");
  std::ofstream(db.path()) << "this is not a SQLite database, just some text that is long enough to have a header";
  auto opened = open_sqlite(db.settings());
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, "store_error");
  EXPECT_NE(opened.error().message.find(db.path()), std::string::npos) << opened.error().message;
}

// Faults of the machine pass (disk full, I/O error, a read-only file system, a lock held too long):
// store_unavailable, answered 503 so callers come back. A broken file or a refused row is not one.
TEST(SqliteStore, FaultsOfTheMachineAreStoreUnavailable) {
  for (int code : {SQLITE_FULL, SQLITE_IOERR, SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, SQLITE_READONLY,
                   SQLITE_READONLY_DBMOVED, SQLITE_BUSY, SQLITE_NOMEM})
    EXPECT_TRUE(is_unavailable(code)) << code;
  for (int code : {SQLITE_ERROR, SQLITE_CONSTRAINT_UNIQUE, SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_CANTOPEN})
    EXPECT_FALSE(is_unavailable(code)) << code;
  // A real refusal: a write to a database that may not be written.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
  sqlite3_extended_result_codes(db, 1);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE t (x); PRAGMA query_only = 1", nullptr, nullptr, nullptr), SQLITE_OK);
  EXPECT_NE(sqlite3_exec(db, "INSERT INTO t VALUES (1)", nullptr, nullptr, nullptr), SQLITE_OK);
  Error e = sqlite_error(db, "inserting");
  EXPECT_EQ(e.code, "store_unavailable") << e.message;
  sqlite3_close(db);
}

TEST(SqliteStore, AMissingDirectoryIsAStoreError) {
  auto opened = open_sqlite(SqliteSettings{.path = "/nonexistent-dir-cg/store.sqlite"});
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.error().code, "store_error");
}

TEST(SqliteStore, SmallBatchesAndNormalSynchronousStillIsolateCommands) {
  TempDb db("small-batch");
  auto store = must_open(SqliteSettings{.path = db.path(), .readers = 1, .max_batch = 2, .synchronous_full = false});
  ASSERT_NE(store, nullptr);
  constexpr int kCommands = 50;
  std::vector<std::promise<Status>> answers(kCommands);
  for (int i = 0; i < kCommands; ++i) {
    store->write(
        [i](Tx& tx) -> Status {
          auto fresh = tx.record_event("test", std::to_string(i), "x", Instant{});
          if (!fresh) return fresh.error();
          if (i % 7 == 0) return Error{"refused", "every seventh"};
          return ok_status();
        },
        [&answers, i](const Status& s) { answers[i].set_value(s); });
  }
  for (int i = 0; i < kCommands; ++i) {
    Status s = answers[i].get_future().get();
    EXPECT_EQ(s.ok(), i % 7 != 0) << i;
  }
  store->close();
  store.reset();
  auto kept = Raw(db.path()).rows("SELECT COUNT(*) FROM events WHERE source = 'test'");
  EXPECT_EQ(kept, (std::vector<std::string>{std::to_string(kCommands - (kCommands + 6) / 7)}));
}

Status recorded(const Result<bool>& r) { return r ? ok_status() : Status(r.error()); }

TEST(SqliteStore, AnswersComeInCommitOrderOffTheWriterAndMayQueueMoreWrites) {
  TempDb db("answers");
  auto store = must_open(db.settings());
  ASSERT_NE(store, nullptr);
  std::thread::id writer;
  ASSERT_TRUE(store
                  ->write_sync([&](Tx&) {
                    writer = std::this_thread::get_id();
                    return ok_status();
                  })
                  .ok());
  constexpr int kCommands = 200;
  std::mutex mu;
  std::vector<int> order;
  std::set<std::thread::id> answered_on;
  std::promise<void> follow_up_done;
  for (int i = 0; i < kCommands; ++i) {
    store->write([i](Tx& tx) -> Status { return recorded(tx.record_event("order", std::to_string(i), "", Instant{})); },
                 [&, i](const Status& s) {
                   EXPECT_TRUE(s.ok()) << s.error().message;
                   std::lock_guard lock(mu);
                   order.push_back(i);
                   answered_on.insert(std::this_thread::get_id());
                   if (i == kCommands - 1)  // an answer may queue another write (not wait for it)
                     store->write([](Tx& tx) { return recorded(tx.record_event("order", "after", "", Instant{})); },
                                  [&](const Status& after) {
                                    EXPECT_TRUE(after.ok());
                                    follow_up_done.set_value();
                                  });
                 });
  }
  ASSERT_EQ(follow_up_done.get_future().wait_for(std::chrono::seconds(30)), std::future_status::ready);
  std::lock_guard lock(mu);
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kCommands));
  for (int i = 0; i < kCommands; ++i) EXPECT_EQ(order[static_cast<std::size_t>(i)], i);
  EXPECT_EQ(answered_on.size(), 1u) << "one completion thread";
  EXPECT_EQ(answered_on.count(writer), 0u) << "answers do not run on the writer";
}

// A batch runs first without a savepoint per command; when one of its commands fails, the batch is
// rolled back and runs again with savepoints. Whatever path a batch took, each command's effect is
// there exactly once, and a failed command's not at all.
TEST(SqliteStore, AFailedCommandRollsBackAloneInABatchThatRanWithoutSavepoints) {
  TempDb db("replay");
  auto store = must_open(db.settings());
  ASSERT_NE(store, nullptr);
  constexpr int kBatch = 40;
  constexpr int kFailing = 17;
  std::array<std::atomic<int>, 3 * kBatch> runs{};
  // Holds the writer inside a command while a whole batch queues up behind it.
  auto queue_batch = [&](int first, bool with_failure, std::vector<std::future<Status>>& answers) {
    std::promise<void> release;
    std::promise<void> holding;
    auto release_future = release.get_future().share();
    store->write(
        [&holding, release_future](Tx&) -> Status {
          holding.set_value();
          release_future.wait();
          return ok_status();
        },
        nullptr);
    holding.get_future().wait();
    for (int i = first; i < first + kBatch; ++i) {
      auto answer = std::make_shared<std::promise<Status>>();
      answers.push_back(answer->get_future());
      store->write(
          [&runs, i, with_failure](Tx& tx) -> Status {
            runs[static_cast<std::size_t>(i)]++;
            auto fresh = tx.record_event("replay", std::to_string(i), "", Instant{});
            if (!fresh) return fresh.error();
            if (!*fresh) return Error{"duplicate", "ran twice in one transaction"};
            if (with_failure && i == kFailing) return Error{"refused", "written, then refused"};
            return ok_status();
          },
          [answer](const Status& s) { answer->set_value(s); });
    }
    release.set_value();
  };
  // Each batch is answered before the next is queued, so the writer holds one batch at a time.
  std::vector<std::future<Status>> answers;
  queue_batch(0, true, answers);  // fails in the middle: rolled back, runs again with savepoints
  for (auto& a : answers) a.wait();
  queue_batch(kBatch, false, answers);
  for (auto& a : answers) a.wait();
  queue_batch(2 * kBatch, false, answers);
  for (int i = 0; i < 3 * kBatch; ++i) {
    Status s = answers[static_cast<std::size_t>(i)].get();
    if (i == kFailing) {
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.error().code, "refused");
    } else {
      EXPECT_TRUE(s.ok()) << i << ": " << s.error().message;
    }
  }
  for (int i = 0; i < 3 * kBatch; ++i) {
    // The first batch ran twice up to the failure and once after it (the rest only in the replay).
    int expected = i < kFailing ? 2 : (i == kFailing ? 2 : 1);
    EXPECT_EQ(runs[static_cast<std::size_t>(i)].load(), expected) << "command " << i;
  }
  store->close();
  store.reset();
  auto kept =
      Raw(db.path()).rows("SELECT COUNT(*), COUNT(DISTINCT key), SUM(key = '17') FROM events WHERE source = 'replay'");
  EXPECT_EQ(kept,
            (std::vector<std::string>{std::to_string(3 * kBatch - 1) + "|" + std::to_string(3 * kBatch - 1) + "|0"}));
}

// Acknowledged means written: a process holding a store under load is killed (SIGKILL: no close,
// no flush at exit) and every write it had acknowledged is in the file, which opens clean. The
// child acknowledges through a pipe from its `done` callbacks, as the gateway answers from them.
TEST(SqliteStore, AProcessKilledUnderLoadKeepsEveryAcknowledgedWrite) {
  TempDb db("killed");
  int acks[2];
  ASSERT_EQ(::pipe(acks), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(acks[0]);
    auto opened = open_sqlite(db.settings());
    if (!opened) ::_exit(2);
    std::unique_ptr<Store> store = std::move(*opened);
    std::counting_semaphore<1024> in_flight(256);
    for (std::uint32_t i = 0;; ++i) {
      in_flight.acquire();
      store->write([i](Tx& tx) { return recorded(tx.record_event("killed", std::to_string(i), "", Instant{})); },
                   [&in_flight, i, fd = acks[1]](const Status& s) {
                     if (s.ok() && ::write(fd, &i, sizeof i) != static_cast<ssize_t>(sizeof i)) ::_exit(3);
                     in_flight.release();
                   });
    }
  }
  ::close(acks[1]);
  std::vector<std::uint32_t> acknowledged;
  auto read_ack = [&] {
    std::uint32_t i = 0;
    if (::read(acks[0], &i, sizeof i) != static_cast<ssize_t>(sizeof i)) return false;
    acknowledged.push_back(i);
    return true;
  };
  while (acknowledged.size() < 5000 && read_ack()) {
  }
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the child ended on its own: status " << status;
  while (read_ack()) {  // what it acknowledged before it died
  }
  ::close(acks[0]);
  ASSERT_GE(acknowledged.size(), 5000u);

  Raw raw(db.path());
  EXPECT_EQ(raw.rows("PRAGMA integrity_check"), (std::vector<std::string>{"ok"}));
  std::set<std::string> stored;
  for (auto& key : raw.rows("SELECT key FROM events WHERE source = 'killed'")) stored.insert(key);
  std::size_t missing = 0;
  for (std::uint32_t i : acknowledged) missing += stored.count(std::to_string(i)) == 0;
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged writes";
  EXPECT_GE(stored.size(), acknowledged.size());
  auto reopened = open_sqlite(db.settings());
  ASSERT_TRUE(reopened) << reopened.error().message;
  (*reopened)->close();
}

TEST(SqliteStore, TheWalStaysBoundedUnderSteadyWrites) {
  // Checkpoints run on a background connection, and the writer finishes them often enough that
  // the WAL file starts over: under writes that never pause it must not grow without end.
  TempDb db("wal-bound");
  auto store = must_open(db.settings());
  ASSERT_NE(store, nullptr);
  const std::string blob(3000, 'x');  // about a page per command
  constexpr int kCommands = 12'000;   // some 47 MB of pages through the WAL
  std::atomic<int> left{kCommands};
  std::promise<void> all;
  std::uintmax_t largest_wal = 0;
  for (int i = 0; i < kCommands; ++i) {
    if (i % 500 == 0) {
      std::error_code ec;
      largest_wal = std::max(largest_wal, std::filesystem::file_size(db.path() + "-wal", ec));
    }
    store->write([i, &blob](Tx& tx) { return recorded(tx.record_event("wal", std::to_string(i), blob, Instant{})); },
                 [&](const Status& s) {
                   EXPECT_TRUE(s.ok());
                   if (--left == 0) all.set_value();
                 });
  }
  all.get_future().get();
  std::error_code ec;
  largest_wal = std::max(largest_wal, std::filesystem::file_size(db.path() + "-wal", ec));
  // The writer finishes a checkpoint past 1000 pages (4 MB); a batch may add up to 512 pages more.
  EXPECT_LT(largest_wal, std::uintmax_t{16} << 20) << "WAL of " << largest_wal << " bytes";
  store->close();
  store.reset();
  EXPECT_EQ(Raw(db.path()).rows("SELECT COUNT(*) FROM events WHERE source = 'wal'"),
            (std::vector<std::string>{std::to_string(kCommands)}));
}

TEST(SqliteStore, StoresTimesAsSecondsMoneyAsFilsAndEnumsByName) {
  TempDb db("encoding");
  auto store = must_open(db.settings());
  ASSERT_NE(store, nullptr);
  core::Course c;
  c.code = "ENC";
  c.start_at = Instant{std::chrono::seconds{1'790'000'000}};
  c.end_at = c.start_at;
  c.decision_at = c.start_at;
  c.fee = core::Fils{25500};
  c.status = core::CourseStatus::postponed;
  Status s = store->write_sync([&](Tx& tx) -> Status {
    auto id = tx.insert_course(c);
    if (!id) return id.error();
    core::Application a;
    a.id = "enc-1";
    a.course_id = *id;
    a.applicant.id_type = core::IdType::passport;
    a.applicant.language = core::Language::en;
    a.state = core::ApplicationState::awaiting_payment;
    a.bill = core::Bill{"5000000", core::Fils{25500}, c.start_at, c.start_at};
    return tx.insert_application(a);
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  store->close();
  store.reset();
  Raw raw(db.path());
  EXPECT_EQ(raw.rows("SELECT start_at, fee_fils, status, capacity FROM courses"),
            (std::vector<std::string>{"1790000000|25500|postponed|NULL"}));
  EXPECT_EQ(raw.rows("SELECT id_type, language, state, bill_amount_fils, exam_token FROM applications"),
            (std::vector<std::string>{"passport|en|awaiting_payment|25500|NULL"}));
}

// Error codes the SQLite store gives beyond the interface's "duplicate_course" on insert.
TEST(SqliteStore, RefusalsHaveCodesNamingTheReason) {
  TempDb db("codes");
  auto store = must_open(db.settings());
  ASSERT_NE(store, nullptr);
  core::Course a, b;
  a.code = "A";
  b.code = "B";
  Status s = store->write_sync([&](Tx& tx) -> Status {
    auto id = tx.insert_course(a);
    if (!id) return id.error();
    auto other = tx.insert_course(b);
    if (!other) return other.error();
    b.id = *other;
    return ok_status();
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  b.code = "A";
  Status renamed = store->write_sync([&](Tx& tx) { return tx.save_course(b); });
  ASSERT_FALSE(renamed.ok());
  EXPECT_EQ(renamed.error().code, "duplicate_course");

  PaymentRecord p;
  p.joebpps_trx = "T-1";
  ASSERT_TRUE(store->write_sync([&](Tx& tx) { return tx.insert_payment(p); }).ok());
  Status twice = store->write_sync([&](Tx& tx) { return tx.insert_payment(p); });
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, "duplicate_payment");

  OutboxMessage m;
  m.to = "+962791234567";
  std::int64_t id = 0;
  ASSERT_TRUE(store
                  ->write_sync([&](Tx& tx) -> Status {
                    auto r = tx.enqueue(m);
                    if (!r) return r.error();
                    id = *r;
                    return ok_status();
                  })
                  .ok());
  ASSERT_TRUE(store->claim_outbox(1, Instant{}, Instant{std::chrono::seconds{60}}).ok());
  SendOutcome sent;
  sent.id = id;
  sent.provider = "file";
  sent.provider_message_id = "f-1";
  ASSERT_TRUE(store->record_send_outcomes(std::span(&sent, 1), {}).ok());
  SendOutcome failed;
  failed.id = id + 1;
  failed.kind = SendOutcome::Kind::failed;
  failed.error = "x";
  Status unknown = store->record_send_outcomes(std::span(&failed, 1), {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "outbox_not_found");
}

TEST(SqliteStore, AnUnreadableRowIsAStoreErrorNotACrash) {
  TempDb db("corrupt");
  auto store = must_open(db.settings());
  ASSERT_NE(store, nullptr);
  core::Course c;
  c.code = "BAD";
  ASSERT_TRUE(
      store->write_sync([&](Tx& tx) -> Status { return tx.insert_course(c).ok() ? ok_status() : Error{}; }).ok());
  Raw(db.path()).exec("UPDATE courses SET status = 'exploded'");
  Status s = store->read([](Tx& tx) -> Status {
    auto got = tx.course_by_code("BAD");
    if (!got) return got.error();
    return ok_status();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "store_error");
  EXPECT_NE(s.error().message.find("exploded"), std::string::npos) << s.error().message;
}

}  // namespace
}  // namespace cg::store::sqlite
