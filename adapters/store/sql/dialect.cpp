#include "adapters/store/sql/dialect.hpp"

#include <limits>

namespace cg::store::sql {

std::string Dialect::upsert(std::string_view key, std::initializer_list<std::string_view> columns) const {
  std::string out =
      on_duplicate_key_update ? " ON DUPLICATE KEY UPDATE " : " ON CONFLICT (" + std::string(key) + ") DO UPDATE SET ";
  bool first = true;
  for (auto c : columns) {
    if (!first) out += ", ";
    first = false;
    out += std::string(c) +
           (on_duplicate_key_update ? " = VALUES(" + std::string(c) + ")" : " = excluded." + std::string(c));
  }
  return out;
}

std::string Dialect::sum(std::string_view expression) const {
  std::string s = "SUM(" + std::string(expression) + ")";
  return sum_is_decimal ? "CAST(" + s + " AS SIGNED)" : s;
}

std::string Dialect::prefix_match(std::string_view column) const {
  if (prefix_by_like) return std::string(column) + " LIKE ? ESCAPE '!'";
  return "substr(" + std::string(column) + ", 1, length(?1)) = ?1";
}

std::string Dialect::prefix_parameter(std::string_view prefix) const {
  if (!prefix_by_like) return std::string(prefix);
  std::string out;
  for (char c : prefix) {
    if (c == '!' || c == '%' || c == '_') out += '!';
    out += c;
  }
  return out + "%";
}

std::int64_t Dialect::limit(std::size_t limit) const {
  if (limit == 0 || limit > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max())) return no_limit;
  return static_cast<std::int64_t>(limit);
}

std::string Dialect::delete_oldest(std::string_view table, std::string_view key, std::string_view age) const {
  const std::string t(table), a(age);
  const std::string oldest = " WHERE " + a + " < ? ORDER BY " + a + " LIMIT ?";
  if (delete_with_limit) return "DELETE FROM " + t + oldest;
  std::string k(key);
  std::string columns = k.front() == '(' ? k.substr(1, k.size() - 2) : k;
  return "DELETE FROM " + t + " WHERE " + k + " IN (SELECT " + columns + " FROM " + t + oldest + ")";
}

const Dialect& sqlite_dialect() {
  static const Dialect d{
      .name = "sqlite",
      .for_update = "",
      .claim_with_returning = true,
      .insert_unless_present = " ON CONFLICT DO NOTHING",
      .sequence_by_upsert = false,
      .on_duplicate_key_update = false,
      .prefix_by_like = false,
      .sum_is_decimal = false,
      .delete_with_limit = false,
      .course_code_key = "courses.code",
      .no_limit = -1,  // SQLite reads LIMIT -1 as "no limit"
  };
  return d;
}

const Dialect& mysql_dialect() {
  static const Dialect d{
      .name = "mysql",
      .for_update = " FOR UPDATE",
      .claim_with_returning = false,
      .insert_unless_present = "",
      .sequence_by_upsert = true,
      .on_duplicate_key_update = true,
      .prefix_by_like = true,
      .sum_is_decimal = true,
      .delete_with_limit = true,
      .course_code_key = "courses_code",
      .no_limit = std::numeric_limits<std::int64_t>::max(),
  };
  return d;
}

}  // namespace cg::store::sql
