#include "adapters/store/open.hpp"

#include "adapters/store/sqlite/sqlite_store.hpp"
#ifndef CG_NO_MYSQL
#include "adapters/store/mysql/mysql_store.hpp"
#endif

namespace cg::store {
namespace {

constexpr std::string_view kSqlite = "sqlite:";
constexpr std::string_view kMysql = "mysql://";

Error bad(std::string message) { return Error{"invalid_store_settings", std::move(message)}; }

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
