#include "adapters/store/mysql/connection.hpp"

#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/statement.h>
#include <mysql_driver.h>

#include <mutex>

namespace cg::store::mysql {

Failure classify(int code) {
  switch (code) {
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
    case 1213:  // ER_LOCK_DEADLOCK
      return Failure::retry;
    case 1040:  // ER_CON_COUNT_ERROR: too many connections
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1077:  // ER_NORMAL_SHUTDOWN
    case 1152:  // ER_ABORTING_CONNECTION
    case 1158:  // ER_NET_READ_ERROR
    case 1159:  // ER_NET_READ_INTERRUPTED
    case 1160:  // ER_NET_ERROR_ON_WRITE
    case 1161:  // ER_NET_WRITE_INTERRUPTED
    case 1927:  // ER_CONNECTION_KILLED (MariaDB)
    case 4031:  // ER_CLIENT_INTERACTION_TIMEOUT: disconnected for inactivity
      return Failure::connection;
    default:
      break;
  }
  // 2000-2999 are the client library's own errors (CR_*): can't connect (2002, 2003), server gone
  // away (2006), lost connection (2013), commands out of sync (2014), ... after each of them the
  // connection is not to be trusted again. 0 is Connector/C++'s own (e.g. a closed connection).
  if (code == 0 || (code >= 2000 && code < 3000)) return Failure::connection;
  return Failure::statement;
}

Error to_error(const ::sql::SQLException& e, std::string_view what) {
  std::string message = std::string(what) + ": " + e.what() + " (MySQL error " + std::to_string(e.getErrorCode()) + ")";
  if (classify(e.getErrorCode()) == Failure::connection) return Error{"store_unavailable", std::move(message)};
  return Error{"store_error", std::move(message)};
}

::sql::Driver& driver() {
  static std::once_flag once;
  static ::sql::Driver* instance = nullptr;
  std::call_once(once, [] { instance = ::sql::mysql::get_mysql_driver_instance(); });
  return *instance;
}

Result<std::unique_ptr<Connection>> Connection::open(const MysqlSettings& s, Role role) {
  ::sql::ConnectOptionsMap options;
  options["hostName"] = ::sql::SQLString(s.host);
  options["port"] = static_cast<int>(s.port);
  options["userName"] = ::sql::SQLString(s.user);
  options["password"] = ::sql::SQLString(s.password);
  options["schema"] = ::sql::SQLString(s.database);
  options["OPT_CHARSET_NAME"] = ::sql::SQLString("utf8mb4");
  // UPDATE reports the rows it matched, not only those it changed: "no such row" stays visible
  // when a save writes the values already there.
  options["CLIENT_FOUND_ROWS"] = true;
  // Reconnecting silently inside a transaction would lose it; the store reconnects itself.
  options["OPT_RECONNECT"] = false;
  options["OPT_CONNECT_TIMEOUT"] = static_cast<int>(s.connect_timeout.count());
  options["OPT_READ_TIMEOUT"] = static_cast<int>(s.io_timeout.count());
  options["OPT_WRITE_TIMEOUT"] = static_cast<int>(s.io_timeout.count());
  std::unique_ptr<Connection> conn;
  try {
    conn.reset(new Connection(std::unique_ptr<::sql::Connection>(driver().connect(options))));
    // utf8mb4 on the wire. Exact matching comes from the columns' own NO PAD binary collation;
    // the connection keeps the charset's default collation because Connector/C++ 1.1 refuses
    // result metadata naming a collation it does not know (utf8mb4_nopad_bin is 1070). Strict
    // mode: a value too long for its column is an error, never silently cut.
    conn->exec("SET NAMES utf8mb4");
    conn->exec("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION,ERROR_FOR_DIVISION_BY_ZERO'");
    conn->exec("SET SESSION time_zone = '+00:00'");
    if (role == Role::writer) {
      conn->exec("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
      conn->exec("SET SESSION innodb_lock_wait_timeout = " + std::to_string(s.lock_wait_timeout.count()));
    } else {
      conn->exec("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    }
  } catch (const ::sql::SQLException& e) {
    std::string where = "connecting to mysql://" + s.host + ":" + std::to_string(s.port) + "/" + s.database;
    Error err = to_error(e, where);
    // Whatever keeps us from connecting at run time (refused, unreachable, access denied) makes
    // the store unavailable; open_mysql() reports it the same way.
    err.code = "store_unavailable";
    return err;
  }
  return conn;
}

Connection::~Connection() {
  cache_.clear();
  if (!conn_) return;
  try {
    conn_->close();
  } catch (const ::sql::SQLException&) {
    // Closing a connection whose server is gone: nothing to do.
  }
}

Statement& Connection::statement(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it != cache_.end()) return *it->second;
  auto st = std::make_unique<Statement>(std::unique_ptr<::sql::PreparedStatement>(conn_->prepareStatement(sql)));
  return *cache_.emplace(sql, std::move(st)).first->second;
}

void Connection::exec(const std::string& sql) {
  std::unique_ptr<::sql::Statement> st(conn_->createStatement());
  st->execute(sql);
  // Drain anything the statement returned so the connection is ready for the next one.
  do {
    std::unique_ptr<::sql::ResultSet> rs(st->getResultSet());
  } while (st->getMoreResults());
}

Connection::Query Connection::query(const std::string& sql) {
  Query q;
  q.statement.reset(conn_->createStatement());
  q.rows.reset(q.statement->executeQuery(sql));
  return q;
}

std::int64_t Connection::last_insert_id() {
  auto q = query("SELECT LAST_INSERT_ID()");
  return q.rows->next() ? q.rows->getInt64(1) : 0;
}

Binder& Binder::add(std::int64_t value) {
  st_.setInt64(next_++, value);
  return *this;
}

Binder& Binder::add(std::string_view text) {
  st_.setString(next_++, ::sql::SQLString(std::string(text)));
  return *this;
}

Binder& Binder::add(const std::optional<std::string>& text) {
  if (!text) return null();
  return add(std::string_view(*text));
}

Binder& Binder::add(const std::optional<std::int64_t>& value) {
  if (!value) return null();
  return add(*value);
}

Binder& Binder::null() {
  st_.setNull(next_++, ::sql::DataType::VARCHAR);
  return *this;
}

void Statement::lend(Session& session, std::string_view what) {
  session_ = &session;
  what_ = what;
  duplicate_ = false;
  st_->clearParameters();
}

void Statement::release() { rows_.reset(); }

void Statement::bind(int index, std::int64_t value) { st_->setInt64(static_cast<unsigned>(index), value); }

void Statement::bind(int index, std::string_view text) {
  st_->setString(static_cast<unsigned>(index), ::sql::SQLString(std::string(text)));
}

void Statement::bind_null(int index) { st_->setNull(static_cast<unsigned>(index), ::sql::DataType::VARCHAR); }

Error Statement::failed(const std::exception& e) {
  if (const auto* q = dynamic_cast<const ::sql::SQLException*>(&e)) {
    duplicate_ = q->getErrorCode() == kDuplicateKey;
    return session_->failed(*q, what_);
  }
  return Error{"store_error", std::string(what_) + ": " + e.what()};
}

Result<bool> Statement::step() {
  try {
    if (!rows_) rows_.reset(st_->executeQuery());
    return rows_->next();
  } catch (const std::exception& e) {
    return failed(e);
  }
}

Result<std::int64_t> Statement::run() {
  try {
    return std::int64_t{st_->executeUpdate()};
  } catch (const std::exception& e) {
    return failed(e);
  }
}

std::string Statement::text(int column) const {
  return rows_->getString(static_cast<std::uint32_t>(column + 1)).asStdString();
}

Error Session::failed(const ::sql::SQLException& e, std::string_view what) {
  Error err = to_error(e, what);
  switch (classify(e.getErrorCode())) {
    case Failure::statement:
      break;  // MySQL rolled back this statement only; the command decides what follows
    case Failure::retry:
      fatal_ = err;
      break;
    case Failure::connection:
      fatal_ = err;
      conn_.mark_broken();
      break;
  }
  return err;
}

Result<cg::store::sql::Lease> Session::prepare(std::string_view sql, std::string_view what) {
  if (fatal_) return *fatal_;
  try {
    Statement& st = conn_.statement(std::string(sql));
    st.lend(*this, what);
    return cg::store::sql::Lease(st);
  } catch (const ::sql::SQLException& e) {
    return failed(e, what);
  }
}

Status Session::exec(const std::string& sql, std::string_view what) {
  if (fatal_) return *fatal_;
  try {
    conn_.exec(sql);
    return ok_status();
  } catch (const ::sql::SQLException& e) {
    return failed(e, what);
  }
}

Result<std::int64_t> Session::last_insert_id() {
  if (fatal_) return *fatal_;
  try {
    return conn_.last_insert_id();
  } catch (const ::sql::SQLException& e) {
    return failed(e, "last_insert_id");
  }
}

}  // namespace cg::store::mysql
