// The SQLite backend: the embedded default store, one file in WAL mode, one writer thread with
// group commit. Its settings, its opener, and its schema history (with an opener that takes the
// history as a parameter, so the migration machinery itself can be tested).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "adapters/store/store.hpp"

namespace cg::store {

struct SqliteSettings {
  std::string path;  // a file; ":memory:" is refused (readers need the same database)
  std::size_t readers = 2;
  std::size_t max_batch = 512;   // commands per transaction
  bool synchronous_full = true;  // acknowledged means on disk
};

// Opens (creating if needed) and migrates to the newest schema version.
Result<std::unique_ptr<Store>> open_sqlite(const SqliteSettings& settings);

namespace sqlite {

// Schema migrations in order: element i takes the schema from version i to version i + 1
// (migration 1 creates the whole initial schema). Append only: a released migration never changes.
std::span<const std::string_view> migrations();

// open_sqlite() with a given migration list. Opening applies the missing migrations in one
// transaction and records each in `schema_version`; a database already at a version newer than
// `migrations.size()` is refused with "schema_too_new" and left untouched.
// Other errors: "invalid_store_settings", "store_error".
Result<std::unique_ptr<Store>> open(const SqliteSettings& settings, std::span<const std::string_view> migrations);

}  // namespace sqlite
}  // namespace cg::store
