// The MySQL/MariaDB backend: a pool of write connections with row locks, so several gateways can
// share one database. Its settings, its URL, its opener, and its schema history (with an opener
// that takes the history as a parameter, so the migration machinery itself can be tested).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "adapters/store/store.hpp"

namespace cg::store {

struct MysqlSettings {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3306;
  std::string user;
  std::string password;
  std::string database;     // must exist; open_mysql() creates the tables in it
  std::size_t pool = 8;     // write connections, each with its own worker thread
  std::size_t readers = 2;  // connections for read snapshots and ping
  std::chrono::seconds connect_timeout{3};
  std::chrono::seconds io_timeout{30};         // a server that stops answering fails the statement
  std::chrono::seconds lock_wait_timeout{10};  // innodb_lock_wait_timeout of write connections
  int max_attempts = 5;  // a command that hits a deadlock or lock wait timeout runs again, up to this
};

// mysql://user:password@host:port/database (user and password percent-decoded; port 3306 when
// left out; host may be [IPv6]). Error "invalid_store_settings" naming what is wrong; the
// password never appears in a message.
Result<MysqlSettings> parse_mysql_url(std::string_view url);

// Connects, checks the server (MariaDB >= 10.6: SKIP LOCKED, and the schema's DDL) and migrates
// to the newest schema version (InnoDB, utf8mb4). Each write command is one transaction on a pooled
// connection; a deadlock or lock wait timeout runs it again, so a command must act only through
// its Tx (the gateway's do). Errors: "invalid_store_settings", "store_unavailable", "store_error",
// "schema_too_new".
Result<std::unique_ptr<Store>> open_mysql(const MysqlSettings& settings);

namespace mysql {

// One migration: statements run in order (MySQL runs one statement per call).
using Migration = std::span<const std::string_view>;

// Schema migrations in order: element i takes the schema from version i to version i + 1, the same
// numbering as SQLite's (adapters/store/sqlite/sqlite_store.hpp). Append only.
std::span<const Migration> migrations();

// open_mysql() with a given migration list. Opening takes a named server lock (GET_LOCK) so two
// gateways starting at once do not both migrate, applies the missing migrations and records each
// in `schema_version`; a database at a version newer than `migrations.size()` is refused with
// "schema_too_new" and left untouched.
Result<std::unique_ptr<Store>> open(const MysqlSettings& settings, std::span<const Migration> migrations);

}  // namespace mysql
}  // namespace cg::store
