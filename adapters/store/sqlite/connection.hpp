// A SQLite connection with its own cache of prepared statements, and the borrowed statement
// handle the store's queries go through. One connection is used by one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapters/store/sql/engine.hpp"
#include "core/result.hpp"

namespace cg::store::sqlite {

// SQLite's own message, prefixed by what was being done: "store_unavailable" when the fault is the
// machine's and passes (disk full, I/O error, read-only file system, busy, out of memory), so the
// caller answers 503 and is asked to come back; "store_error" for everything else.
Error sqlite_error(sqlite3* db, std::string_view what);
bool is_unavailable(int sqlite_code);

// A cached statement (sql::Statement), lent out for one use by Connection::prepare and reset when
// the lease ends, so readers never keep a snapshot open by accident. A parameter this use does not
// bind is NULL, as if the statement were fresh: the first step() binds NULL to each one left
// unbound. (sqlite3_clear_bindings after every use did the same by freeing every bound text, which
// the next use then allocated again: 4% of the writer's time, perf.)
class Statement final : public sql::Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Text is not copied (SQLITE_STATIC): what is bound must stay as it is until this use's last
  // step() (engine.hpp). (Copying every text took 3% of the writer's time, perf.)
  void bind(int index, std::int64_t value) override;
  void bind(int index, std::string_view text) override;
  void bind_null(int index) override;
  using sql::Statement::bind;

  Result<bool> step() override;
  Result<std::int64_t> run() override;
  bool duplicate_key() const override {
    return failed_code_ == SQLITE_CONSTRAINT_UNIQUE || failed_code_ == SQLITE_CONSTRAINT_PRIMARYKEY;
  }

  std::int64_t int64(int column) const override { return sqlite3_column_int64(stmt_, column); }
  std::string text(int column) const override;
  bool is_null(int column) const override { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

  sqlite3* db() const { return sqlite3_db_handle(stmt_); }
  sqlite3_stmt* handle() const { return stmt_; }
  // Starts a use; `what` names the operation in error messages and must outlive the use.
  void lend(std::string_view what) { what_ = what; }

 private:
  void release() override;
  void mark_bound(int index) {
    if (index >= 1 && index <= 64) bound_ |= std::uint64_t{1} << (index - 1);
  }

  sqlite3_stmt* stmt_;
  std::string_view what_;
  std::uint64_t bound_ = 0;  // parameters 1-64 bound by this use
  bool stepped_ = false;
  int bind_rc_ = SQLITE_OK;
  int failed_code_ = 0;
};

struct ConnectionOptions {
  bool read_only = false;
  bool synchronous_full = true;
  int busy_timeout_ms = 5000;
};

// One connection; as an sql::Session it serves the data layer inside the transaction its owner
// (the store) began.
class Connection final : public sql::Session {
 public:
  // Opens `path` (the writer creates it) and sets the connection's pragmas.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* db() const { return db_; }

  // The cached statement for `sql`, prepared on first use (SQLITE_PREPARE_PERSISTENT). `what`
  // names the operation in error messages and must outlive the lease.
  Result<sql::Lease> prepare(std::string_view sql, std::string_view what) override;
  // Runs one or more statements without caching them (pragmas, migration scripts).
  Status exec(const std::string& sql, std::string_view what) override;
  Result<std::int64_t> last_insert_id() override { return static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_)); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // A statement found by the address of its SQL text. The store's SQL lives in strings that stay
  // put, so the same address comes back for every use; hashing the text (a few hundred bytes) on
  // every prepare was 3% of the writer's time (perf). An address is only a hint: the text it showed
  // last is compared before the statement is used, so SQL built on the fly at a reused address
  // still finds its own statement.
  struct Recent {
    std::string_view sql;  // the key in cache_ (stable: node-based map)
    Statement* stmt = nullptr;
  };
  static constexpr std::size_t kMaxRecent = 512;

  sqlite3* db_;
  std::unordered_map<std::string, std::unique_ptr<Statement>, Hash, std::equal_to<>> cache_;
  std::unordered_map<const char*, Recent> recent_;
};

}  // namespace cg::store::sqlite
