#include "adapters/store/sqlite/connection.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "adapters/store/sqlite/wal_buffer_vfs.hpp"

namespace cg::store::sqlite {

bool is_unavailable(int code) {
  switch (code & 0xFF) {
    case SQLITE_FULL:      // disk (or quota) full
    case SQLITE_IOERR:     // the disk failed a read, a write or an fsync
    case SQLITE_READONLY:  // the file system was remounted read-only, or the file lost its write permission
    case SQLITE_BUSY:      // another process held the database past the busy timeout
    case SQLITE_NOMEM:
      return true;
    default:
      return false;
  }
}

Error sqlite_error(sqlite3* db, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db ? sqlite3_errmsg(db) : "out of memory";
  const int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
  if (db) message += " (SQLite code " + std::to_string(code) + ")";
  return Error{is_unavailable(code) ? "store_unavailable" : "store_error", std::move(message)};
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

void Statement::release() {
  sqlite3_reset(stmt_);
  // Past 64 parameters the first step cannot tell which are unbound: leave none behind instead.
  if (sqlite3_bind_parameter_count(stmt_) > 64) sqlite3_clear_bindings(stmt_);
  bound_ = 0;
  stepped_ = false;
  bind_rc_ = SQLITE_OK;
  failed_code_ = 0;
}

// A failed bind is remembered and reported by the next step(), so call sites stay linear.
void Statement::bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  mark_bound(index);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::bind(int index, std::string_view text) {
  int rc = sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  mark_bound(index);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::bind_null(int index) {
  int rc = sqlite3_bind_null(stmt_, index);
  mark_bound(index);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Result<bool> Statement::step() {
  if (bind_rc_ != SQLITE_OK) {
    failed_code_ = bind_rc_;
    return Error{is_unavailable(bind_rc_) ? "store_unavailable" : "store_error",
                 std::string(what_) + ": binding a parameter failed: " + sqlite3_errstr(bind_rc_)};
  }
  if (!stepped_) {
    stepped_ = true;
    const int n = std::min(sqlite3_bind_parameter_count(stmt_), 64);
    for (int i = 1; i <= n; ++i)
      if (!(bound_ & (std::uint64_t{1} << (i - 1)))) sqlite3_bind_null(stmt_, i);
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  failed_code_ = sqlite3_extended_errcode(db());
  return sqlite_error(db(), what_);
}

Result<std::int64_t> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) return static_cast<std::int64_t>(sqlite3_changes(db()));
  }
}

std::string Statement::text(int column) const {
  const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (!data) return {};
  return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

namespace {

// Process-wide settings, made before SQLite initialises (sqlite3_config refuses them afterwards, and
// then the defaults stay: slower, not wrong). Every connection is used by one thread at a time,
// so SQLite's per-connection mutexes are overhead (MULTITHREAD); and its memory statistics take a
// global mutex on every allocation, which nothing here reads (MEMSTATUS off).
void configure_sqlite_once() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, const ConnectionOptions& options) {
  configure_sqlite_once();
  // NOMUTEX: each connection is used by one thread at a time, so SQLite's own locking is overhead.
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= options.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  // Under synchronous=FULL every commit syncs the WAL, so its frames can go out in one write just
  // before the sync (wal_buffer_vfs.hpp); under NORMAL they must reach the file as they are written.
  const char* vfs = options.synchronous_full ? wal_buffer_vfs_name() : nullptr;
  // A new database file is created here, owner-only: it holds names and document numbers, and
  // SQLite gives its WAL and shared-memory files the database file's own mode. (An empty file is an
  // empty database to SQLite.) An existing file keeps the mode its operator gave it.
  if (!options.read_only && !path.empty() && path != ":memory:" && !path.starts_with("file:")) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs);
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(db, "opening " + path);
    sqlite3_close_v2(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<Connection> conn(new Connection(db));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  auto in_file = [&](Error e) {
    e.message = path + ": " + e.message;
    return e;
  };

  if (!options.read_only) {
    // WAL: readers never block the writer and the writer never blocks readers. The answer is the
    // mode in force, which stays "delete" on file systems without shared memory.
    std::string answer;
    {
      auto mode = conn->prepare("PRAGMA journal_mode=WAL", "setting journal_mode=WAL");
      if (!mode) return in_file(mode.error());
      auto row = mode->step();
      if (!row) return in_file(row.error());
      if (*row) answer = mode->text(0);
    }
    if (answer != "wal") return in_file(Error{"store_error", "SQLite refused journal_mode=WAL"});
  }
  std::string pragmas = options.synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
  pragmas += "PRAGMA foreign_keys=ON;PRAGMA temp_store=MEMORY;";
  if (options.read_only) pragmas += "PRAGMA query_only=ON;";
  if (auto s = conn->exec(pragmas, "setting pragmas"); !s) return in_file(s.error());
  return conn;
}

Connection::~Connection() {
  cache_.clear();
  sqlite3_close_v2(db_);
}

Result<sql::Lease> Connection::prepare(std::string_view sql, std::string_view what) {
  if (auto r = recent_.find(sql.data()); r != recent_.end() && r->second.sql == sql) {
    r->second.stmt->lend(what);
    return sql::Lease(*r->second.stmt);
  }
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* stmt = nullptr;
    int rc =
        sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(stmt);
      return sqlite_error(db_, std::string(what) + " (preparing)");
    }
    it = cache_.emplace(std::string(sql), std::make_unique<Statement>(stmt)).first;
  }
  // Addresses of SQL built on the fly come and go; past the bound, start the hints over.
  if (recent_.size() >= kMaxRecent) recent_.clear();
  recent_.insert_or_assign(sql.data(), Recent{it->first, it->second.get()});
  it->second->lend(what);
  return sql::Lease(*it->second);
}

Status Connection::exec(const std::string& sql, std::string_view what) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return ok_status();
  std::string text = std::string(what) + ": " + (message ? message : sqlite3_errstr(rc));
  sqlite3_free(message);
  return Error{"store_error", std::move(text)};
}

}  // namespace cg::store::sqlite
