// bench_retention_seed --db FILE [--rows 1000000] [--age-days 200]
// Creates (migrates) a SQLite store at FILE and fills it with ROWS rows that every kind's retention
// period has passed, received or finished AGE days ago: half inbound messages, a quarter finished
// outbox rows (each with a channel log entry as old, not counted in ROWS), a quarter SMS sessions. The
// rows are shaped like the gateway's own (a Kannel UUID-like message id, so the unique index on it
// is spread as in real traffic), in one transaction. Prints what it wrote.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "adapters/store/sqlite/sqlite_store.hpp"

namespace {

int fail(const std::string& what) {
  std::fprintf(stderr, "bench_retention_seed: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db;
  long long rows = 1'000'000;
  long long age_days = 200;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--db") == 0)
      db = argv[i + 1];
    else if (std::strcmp(argv[i], "--rows") == 0)
      rows = std::atoll(argv[i + 1]);
    else if (std::strcmp(argv[i], "--age-days") == 0)
      age_days = std::atoll(argv[i + 1]);
    else
      return fail(std::string("unknown option ") + argv[i]);
  }
  if (db.empty() || rows < 4 || age_days < 1) return fail("usage: --db FILE [--rows N>=4] [--age-days D>=1]");
  {
    auto store = cg::store::open_sqlite(cg::store::SqliteSettings{.path = db});
    if (!store) return fail(store.error().message);
    (*store)->close();
  }
  sqlite3* conn = nullptr;
  if (sqlite3_open(db.c_str(), &conn) != SQLITE_OK) return fail("cannot open " + db);
  const long long now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  const long long old = now - age_days * 86400;
  const long long inbound = rows / 2, outbox = rows / 4, sessions = rows - inbound - outbox;
  // A row a second back from `old`, so each kind is deleted oldest first through its index.
  const std::string sql =
      "BEGIN;"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
      std::to_string(inbound) +
      ") "
      "INSERT INTO inbound_messages (provider, provider_message_id, from_number, to_number, body, received_at, "
      "outcome) "
      "SELECT 'kannel', lower(hex(randomblob(16))), '+96277' || printf('%07d', i % 10000000), '94123', 'JOIN 101', " +
      std::to_string(old) +
      " - i, 'processed' FROM n;"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
      std::to_string(outbox) +
      ") "
      "INSERT INTO outbox (application_id, to_number, text, template_name, language, step, segments, created_at, "
      "status, attempts, next_attempt_at, provider, provider_message_id, last_error, done_at) "
      "SELECT '', '+96277' || printf('%07d', i % 10000000), 'شكراً، ما اسمك الكامل؟', 'sms_ask_name', 'ar', "
      "'conversation', 1, " +
      std::to_string(old) + " - i, 'sent', 1, " + std::to_string(old) +
      " - i, 'kannel', lower(hex(randomblob(16))), '', " + std::to_string(old) +
      " - i FROM n;"
      "INSERT INTO channel_log (outbox_id, provider, request, response, http_status, outcome, elapsed_ms, at) "
      "SELECT id, 'kannel', 'GET /cgi-bin/sendsms?username=****&to=' || to_number, '202 Accepted', 202, 'accepted', "
      "3, done_at FROM outbox;"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
      std::to_string(sessions) +
      ") "
      "INSERT INTO sessions (session_key, state, updated_at) "
      "SELECT 'sms:+96278' || printf('%07d', i), '{\"language\":\"ar\"}', " +
      std::to_string(old) +
      " - i FROM n;"
      "COMMIT;"
      "PRAGMA wal_checkpoint(TRUNCATE);";
  char* message = nullptr;
  if (sqlite3_exec(conn, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message ? message : "unknown error";
    sqlite3_free(message);
    sqlite3_close(conn);
    return fail(why);
  }
  sqlite3_close(conn);
  std::printf(
      "seeded %s: %lld inbound messages, %lld finished outbox rows (with %lld channel log entries), "
      "%lld sessions, %lld days old and older\n",
      db.c_str(), inbound, outbox, outbox, sessions, age_days);
  return 0;
}
