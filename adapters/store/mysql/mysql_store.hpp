// The MySQL/MariaDB backend's own surface beyond store.hpp's open_mysql(): its schema history, and
// an opener that takes the history as a parameter so the migration machinery itself can be tested.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "adapters/store/store.hpp"

namespace cg::store::mysql {

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

}  // namespace cg::store::mysql
