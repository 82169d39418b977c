// Where SQLite and MariaDB speak differently, and the data layer's choices that follow from their
// engines. Both take '?' placeholders, bound left to right, and backquoted names.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace cg::store::sql {

struct Dialect {
  std::string_view name;
  // Appended to a SELECT in a write to lock its rows until the transaction ends. SQLite has one
  // writer, which holds the whole database: nothing to add.
  std::string_view for_update;
  // Claiming due outbox rows: one UPDATE ... RETURNING (SQLite), or SELECT ... FOR UPDATE SKIP
  // LOCKED then an UPDATE of what was found (MariaDB: two dispatchers never take one row).
  bool claim_with_returning = false;
  // Inserting a row unless its key is on record: SQLite's ON CONFLICT DO NOTHING counts 0 rows; on
  // MariaDB the plain INSERT fails as a duplicate (only that statement fails), after waiting for a
  // transaction inserting the same key. (ON DUPLICATE KEY UPDATE would not tell the two apart.)
  std::string_view insert_unless_present;
  // The next value of a sequence: UPDATE, and INSERT when the row is not there (SQLite's single
  // writer makes that safe and it is the cheaper path), or one upsert that locks the row (MariaDB).
  bool sequence_by_upsert = false;
  // Insert-or-update: ON CONFLICT (key) DO UPDATE (SQLite) or ON DUPLICATE KEY UPDATE (MariaDB).
  bool on_duplicate_key_update = false;
  // Keys that start with a prefix: substr(key, 1, length(?)) = ? on SQLite (so '_' and '%' mean
  // nothing), LIKE ? ESCAPE '!' on MariaDB (its index serves a LIKE prefix).
  bool prefix_by_like = false;
  // SUM of integers is a DECIMAL on MariaDB: cast back to a number of fils.
  bool sum_is_decimal = false;
  // Deleting the oldest rows in batches: DELETE ... ORDER BY ... LIMIT (MariaDB), or the keys a
  // subquery chose (SQLite's library is built without SQLITE_ENABLE_UPDATE_DELETE_LIMIT).
  bool delete_with_limit = false;
  // What the engine's duplicate-key message names for the unique course code.
  std::string_view course_code_key;
  // LIMIT that means "all" (the interface's limit 0).
  std::int64_t no_limit = 0;

  // " ON CONFLICT (key) DO UPDATE SET c = excluded.c, ..." or " ON DUPLICATE KEY UPDATE c = VALUES(c), ...".
  std::string upsert(std::string_view key, std::initializer_list<std::string_view> columns) const;
  std::string sum(std::string_view expression) const;
  std::string prefix_match(std::string_view column) const;
  // The one parameter prefix_match takes for `prefix`.
  std::string prefix_parameter(std::string_view prefix) const;
  std::int64_t limit(std::size_t limit) const;
  // Deletes up to `?2` rows of `table` whose `age` column is under `?1`, oldest first; `key` names
  // the row (a column, or "(a, b)").
  std::string delete_oldest(std::string_view table, std::string_view key, std::string_view age) const;
};

const Dialect& sqlite_dialect();
const Dialect& mysql_dialect();

}  // namespace cg::store::sql
