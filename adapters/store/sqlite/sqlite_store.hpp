// The SQLite backend's own surface beyond store.hpp's open_sqlite(): its schema history, and an
// opener that takes the history as a parameter so the migration machinery itself can be tested.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "adapters/store/store.hpp"

namespace cg::store::sqlite {

// Schema migrations in order: element i takes the schema from version i to version i + 1
// (migration 1 creates the whole initial schema). Append only: a released migration never changes.
std::span<const std::string_view> migrations();

// open_sqlite() with a given migration list. Opening applies the missing migrations in one
// transaction and records each in `schema_version`; a database already at a version newer than
// `migrations.size()` is refused with "schema_too_new" and left untouched.
// Other errors: "invalid_store_settings", "store_error".
Result<std::unique_ptr<Store>> open(const SqliteSettings& settings, std::span<const std::string_view> migrations);

}  // namespace cg::store::sqlite
