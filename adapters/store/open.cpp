#include "adapters/store/open.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "adapters/store/sqlite/sqlite_store.hpp"
#ifndef CG_NO_MYSQL
#include "adapters/store/mysql/connection.hpp"
#include "adapters/store/mysql/mysql_store.hpp"
#endif

namespace cg::store {
namespace {

constexpr std::string_view kSqlite = "sqlite:";
constexpr std::string_view kMysql = "mysql://";

Error bad(std::string message) { return Error{"invalid_store_settings", std::move(message)}; }

std::string versions(std::int64_t found, std::size_t known) {
  std::string out = "schema version " + std::to_string(found) + " of " + std::to_string(known);
  if (found < static_cast<std::int64_t>(known)) out += " (serve migrates it)";
  return out;
}

Result<std::string> probe_sqlite(const std::string& path) {
  namespace fs = std::filesystem;
  const std::string what = "sqlite " + path;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    fs::path dir = fs::path(path).parent_path();
    if (dir.empty()) dir = ".";
    if (!fs::is_directory(dir, ec))
      return Error{"store_unavailable", what + ": directory " + dir.string() + " does not exist"};
    if (::access(dir.c_str(), W_OK) != 0)
      return Error{"store_unavailable",
                   what + ": directory " + dir.string() + " is not writable: " + std::strerror(errno)};
    return what + ": no database yet; serve creates it";
  }
  if (::access(path.c_str(), R_OK | W_OK) != 0)
    return Error{"store_unavailable", what + ": not readable and writable: " + std::strerror(errno)};
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  auto fail = [&](const std::string& code, const std::string& message) {
    sqlite3_close_v2(db);
    return Error{code, what + ": " + message};
  };
  if (rc != SQLITE_OK) return fail("store_unavailable", sqlite3_errstr(rc));
  sqlite3_busy_timeout(db, 2000);
  auto scalar = [db](const char* sql, std::int64_t& out) -> std::string {
    sqlite3_stmt* st = nullptr;
    int r = sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
    if (r == SQLITE_OK) r = sqlite3_step(st);
    if (r == SQLITE_ROW) out = sqlite3_column_int64(st, 0);
    std::string err = (r == SQLITE_ROW || r == SQLITE_DONE) ? "" : sqlite3_errmsg(db);
    sqlite3_finalize(st);
    return err;
  };
  std::int64_t tables = 0, version = 0;
  if (auto err = scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table'", tables); !err.empty())
    return fail("store_unavailable", err);
  if (tables > 0) {
    if (auto err = scalar("SELECT COALESCE(MAX(version), 0) FROM schema_version", version); !err.empty())
      return fail("store_error", "not a course-gateway database (" + err + ")");
  }
  sqlite3_close_v2(db);
  const std::size_t known = sqlite::migrations().size();
  if (version > static_cast<std::int64_t>(known))
    return Error{"store_error", what + ": schema version " + std::to_string(version) +
                                    " is newer than this build knows (" + std::to_string(known) + ")"};
  return what + ": " + versions(version, known);
}

#ifndef CG_NO_MYSQL
Result<std::string> probe_mysql(std::string_view url) {
  auto m = parse_mysql_url(url);
  if (!m) return m.error();
  const std::string what = "mysql " + m->host + ":" + std::to_string(m->port) + "/" + m->database;
  auto conn = mysql::Connection::open(*m, mysql::Role::reader);
  if (!conn) return Error{conn.error().code, what + ": " + conn.error().message};
  std::string server;
  std::int64_t version = 0;
  try {
    auto q = (*conn)->query("SELECT VERSION()");
    if (q.rows->next()) server = q.rows->getString(1);
  } catch (const ::sql::SQLException& e) {
    auto err = mysql::to_error(e, "asking the server's version");
    return Error{err.code, what + ": " + err.message};
  }
  try {
    auto q = (*conn)->query("SELECT COALESCE(MAX(version), 0) FROM schema_version");
    if (q.rows->next()) version = q.rows->getInt64(1);
  } catch (const ::sql::SQLException&) {
    version = 0;  // no schema_version yet: a database serve has not opened
  }
  const std::size_t known = mysql::migrations().size();
  if (version > static_cast<std::int64_t>(known))
    return Error{"store_error", what + ": schema version " + std::to_string(version) +
                                    " is newer than this build knows (" + std::to_string(known) + ")"};
  return what + " (server " + server + "): " + versions(version, known);
}
#endif

}  // namespace

Status check_store_url(std::string_view url) {
  if (url.starts_with(kSqlite)) {
    if (url.size() == kSqlite.size()) return bad("names no file");
    return ok_status();
  }
  if (!url.starts_with(kMysql)) return bad("must start with sqlite: or mysql://");
#ifndef CG_NO_MYSQL
  if (auto m = parse_mysql_url(url); !m) return m.error();
  return ok_status();
#else
  return bad("this build has no MySQL support (built with -DCG_WITH_MYSQL=OFF); use a sqlite: store");
#endif
}

Result<std::unique_ptr<Store>> open_store(const StoreSettings& settings) {
  if (auto s = check_store_url(settings.url); !s) return s.error();
  if (settings.url.starts_with(kSqlite)) {
    return open_sqlite(SqliteSettings{.path = settings.url.substr(kSqlite.size()),
                                      .readers = settings.readers,
                                      .synchronous_full = settings.synchronous_full});
  }
#ifndef CG_NO_MYSQL
  // Several gateways may share one MySQL/MariaDB database.
  auto m = parse_mysql_url(settings.url);
  if (!m) return m.error();
  m->pool = settings.pool;
  m->readers = settings.readers;
  return open_mysql(*m);
#else
  return bad("unreachable: check_store_url accepts only sqlite: here");
#endif
}

Result<std::string> probe_store(const StoreSettings& settings) {
  if (auto s = check_store_url(settings.url); !s) return s.error();
  if (settings.url.starts_with(kSqlite)) return probe_sqlite(settings.url.substr(kSqlite.size()));
#ifndef CG_NO_MYSQL
  return probe_mysql(settings.url);
#else
  return bad("unreachable: check_store_url accepts only sqlite: here");
#endif
}

std::string redact_store_url(std::string_view url) {
  if (!url.starts_with(kMysql)) return std::string(url);
  std::string_view rest = url.substr(kMysql.size());
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  std::size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(url);
  return std::string(kMysql) + std::string(authority.substr(0, colon)) + ":****" + std::string(rest.substr(at));
}

}  // namespace cg::store
