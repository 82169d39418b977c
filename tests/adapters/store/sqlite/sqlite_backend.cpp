// Registers SQLite with the store contract: a temporary file under /tmp per test.
#include <unistd.h>

#include <cstdio>

#include "adapters/store/sqlite/sqlite_store.hpp"
#include "tests/adapters/store/contract/contract.hpp"

namespace cg::store::testing {
namespace {

std::string path_of(const std::string& scratch) { return "/tmp/cg-store-test-" + scratch + ".sqlite"; }

Backend sqlite_backend() {
  return Backend{
      .name = "Sqlite",
      .open = [](const std::string& scratch) { return open_sqlite(SqliteSettings{.path = path_of(scratch)}); },
      .remove =
          [](const std::string& scratch) {
            for (const char* suffix : {"", "-wal", "-shm", "-journal"})
              std::remove((path_of(scratch) + suffix).c_str());
          },
  };
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract, ::testing::Values(sqlite_backend()), BackendName{});

}  // namespace cg::store::testing
