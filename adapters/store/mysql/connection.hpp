// One MySQL Connector/C++ connection with its cache of server-side prepared statements, and the
// small helpers the store's queries go through. Connector/C++ reports failures by throwing
// ::sql::SQLException; this layer classifies them, and mysql_store.cpp turns them into cg::Error at
// the Tx boundary. One connection is used by one thread at a time.
#pragma once

#include <cppconn/driver.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "adapters/store/mysql/mysql_store.hpp"
#include "adapters/store/sql/engine.hpp"

namespace cg::store::mysql {

// How a failed statement affects what comes after it.
enum class Failure {
  statement,   // only the statement failed (MySQL rolled back just that statement)
  retry,       // deadlock or lock wait timeout: the transaction is lost, running it again may work
  connection,  // the connection is gone (server down, restarted, unreachable): reconnect
};

Failure classify(int mysql_error_code);
// "store_unavailable" for connection failures, else "store_error"; `what` names the operation.
Error to_error(const ::sql::SQLException& e, std::string_view what);

constexpr int kDuplicateKey = 1062;  // ER_DUP_ENTRY

// What a connection is for: the isolation level and timeouts it is set up with.
enum class Role {
  // READ COMMITTED: after a command locks a course row, its later plain reads see everything
  // committed before it got the lock (REPEATABLE READ would keep an older snapshot).
  writer,
  // REPEATABLE READ, each read a consistent snapshot.
  reader,
};

class Session;

// A cached prepared statement as the data layer sees it (sql::Statement). What Connector/C++
// throws is caught here and handed to the Session, which decides what it means for the
// transaction.
class Statement final : public cg::store::sql::Statement {
 public:
  explicit Statement(std::unique_ptr<::sql::PreparedStatement> st) : st_(std::move(st)) {}
  ::sql::PreparedStatement& prepared() { return *st_; }
  // Starts a use within `session`; `what` names the operation in error messages.
  void lend(Session& session, std::string_view what);

  void bind(int index, std::int64_t value) override;
  void bind(int index, std::string_view text) override;  // copied: Connector/C++ keeps its own
  void bind_null(int index) override;
  using cg::store::sql::Statement::bind;
  Result<bool> step() override;
  Result<std::int64_t> run() override;
  bool duplicate_key() const override { return duplicate_; }
  // Columns of the current row; Connector/C++ counts from 1.
  std::int64_t int64(int column) const override { return rows_->getInt64(static_cast<std::uint32_t>(column + 1)); }
  std::string text(int column) const override;
  bool is_null(int column) const override { return rows_->isNull(static_cast<std::uint32_t>(column + 1)); }

 private:
  void release() override;
  Error failed(const std::exception& e);

  std::unique_ptr<::sql::PreparedStatement> st_;
  std::unique_ptr<::sql::ResultSet> rows_;  // of this use's query
  Session* session_ = nullptr;
  std::string_view what_;
  bool duplicate_ = false;
};

class Connection {
 public:
  // Connects and sets the session (utf8mb4 with binary collation, strict SQL mode, isolation).
  static Result<std::unique_ptr<Connection>> open(const MysqlSettings& settings, Role role);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The cached statement for `sql`, prepared on first use. Throws ::sql::SQLException.
  Statement& statement(const std::string& sql);
  ::sql::PreparedStatement& prepare(const std::string& sql) { return statement(sql).prepared(); }
  // Runs a statement without a result (transaction control, DDL). Throws ::sql::SQLException.
  void exec(const std::string& sql);
  // Runs a query without parameters and without caching it. Throws ::sql::SQLException.
  struct Query {
    std::unique_ptr<::sql::Statement> statement;
    std::unique_ptr<::sql::ResultSet> rows;  // declared last: closed before its statement
  };
  Query query(const std::string& sql);
  // The AUTO_INCREMENT value of this connection's last INSERT (0: none). Throws ::sql::SQLException.
  std::int64_t last_insert_id();

  // A connection that saw a connection-level failure is not used again.
  bool broken() const { return broken_; }
  void mark_broken() { broken_ = true; }

 private:
  explicit Connection(std::unique_ptr<::sql::Connection> conn) : conn_(std::move(conn)) {}

  std::unique_ptr<::sql::Connection> conn_;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  bool broken_ = false;
};

// Sets the parameters of a prepared statement left to right, as the '?' appear.
class Binder {
 public:
  explicit Binder(::sql::PreparedStatement& st) : st_(st) { st_.clearParameters(); }
  Binder& add(std::int64_t value);
  Binder& add(std::string_view text);
  Binder& add(const std::string& text) { return add(std::string_view(text)); }
  Binder& add(const char* text) { return add(std::string_view(text)); }
  Binder& add(const std::optional<std::string>& text);
  Binder& add(const std::optional<std::int64_t>& value);
  Binder& null();

 private:
  ::sql::PreparedStatement& st_;
  unsigned next_ = 1;
};

// One connection inside one transaction (sql::Session). A failure that ends the transaction
// (deadlock, lock wait timeout, lost connection) is remembered as fatal(): whatever the command
// returns, it did not happen, and nothing more is sent in this transaction (after a deadlock
// MySQL has rolled back and would run further statements outside any transaction).
class Session final : public cg::store::sql::Session {
 public:
  explicit Session(Connection& conn) : conn_(conn) {}
  Result<cg::store::sql::Lease> prepare(std::string_view sql, std::string_view what) override;
  Status exec(const std::string& sql, std::string_view what) override;
  Result<std::int64_t> last_insert_id() override;

  const std::optional<Error>& fatal() const { return fatal_; }
  // Turns what Connector/C++ threw into an Error, and notes what it means for the transaction.
  Error failed(const ::sql::SQLException& e, std::string_view what);

 private:
  Connection& conn_;
  std::optional<Error> fatal_;
};

// The driver instance, made once (Connector/C++'s get_driver_instance is not thread-safe).
::sql::Driver& driver();

}  // namespace cg::store::mysql
