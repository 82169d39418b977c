// Registers MySQL/MariaDB with the store contract: one throwaway MariaDB per test program
// (tests/support/mariadb.hpp), one database per test.
#include <map>
#include <mutex>

#include "adapters/store/mysql/mysql_store.hpp"
#include "tests/adapters/store/contract/contract.hpp"
#include "tests/support/mariadb.hpp"

namespace cg::store::testing {
namespace {

std::mutex databases_mutex;
std::map<std::string, std::string> databases;  // scratch -> database, from first open to remove

Result<std::unique_ptr<Store>> open_mysql_scratch(const std::string& scratch) {
  auto server = test::shared_mariadb();
  if (!server) return server.error();
  std::string database;
  {
    std::lock_guard lock(databases_mutex);
    auto it = databases.find(scratch);
    if (it != databases.end()) {
      database = it->second;
    } else {
      database = test::database_name("contract");
      if (auto s = (*server)->create_database(database); !s) return s.error();
      databases.emplace(scratch, database);
    }
  }
  auto settings = parse_mysql_url((*server)->url(database));
  if (!settings) return settings.error();
  settings->pool = 4;
  settings->readers = 2;
  return open_mysql(*settings);
}

void remove_mysql_scratch(const std::string& scratch) {
  std::string database;
  {
    std::lock_guard lock(databases_mutex);
    auto it = databases.find(scratch);
    if (it == databases.end()) return;
    database = it->second;
    databases.erase(it);
  }
  auto server = test::shared_mariadb();
  if (server) (void)(*server)->drop_database(database);
}

Backend mysql_backend() { return Backend{.name = "Mysql", .open = open_mysql_scratch, .remove = remove_mysql_scratch}; }

}  // namespace

INSTANTIATE_TEST_SUITE_P(Mysql, StoreContract, ::testing::Values(mysql_backend()), BackendName{});

}  // namespace cg::store::testing
