// SQLite files for the store tests: a temporary database path, and direct access to a database
// bypassing the store, to look at and tamper with what it wrote.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "adapters/store/sqlite/sqlite_store.hpp"

namespace cg::store::sqlite::testing {

// A database path, removed (with its WAL, shared-memory and journal files) before and after use.
class TempDb {
 public:
  explicit TempDb(const std::string& name)
      : path_("/tmp/cg-sqlite-test-" + std::to_string(::getpid()) + "-" + name + ".sqlite") {
    remove();
  }
  ~TempDb() { remove(); }
  TempDb(const TempDb&) = delete;
  TempDb& operator=(const TempDb&) = delete;
  const std::string& path() const { return path_; }
  SqliteSettings settings() const { return SqliteSettings{.path = path_}; }

 private:
  void remove() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path_ + suffix).c_str());
  }
  std::string path_;
};

// A connection of its own, through the platform's VFS unless `vfs` names another.
class Raw {
 public:
  explicit Raw(const std::string& path, const char* vfs = nullptr) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs), SQLITE_OK) << path;
  }
  ~Raw() { sqlite3_close(db_); }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;

  void exec(const std::string& sql) {
    char* message = nullptr;
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (message ? message : "");
    sqlite3_free(message);
  }
  // Every row of a query, columns joined by '|'.
  std::vector<std::string> rows(const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql << ": " << sqlite3_errmsg(db_);
    while (st && sqlite3_step(st) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        if (i) row += "|";
        const auto* text = sqlite3_column_text(st, i);
        row += text ? reinterpret_cast<const char*>(text) : "NULL";
      }
      out.push_back(row);
    }
    sqlite3_finalize(st);
    return out;
  }
  // The first row, or "<no row>".
  std::string one(const std::string& sql) {
    auto r = rows(sql);
    return r.empty() ? std::string("<no row>") : r.front();
  }
  // EXPLAIN QUERY PLAN of a data-layer statement, every '?' bound to '1', one line per step: what
  // the plan tests look for (an index by name, no "SCAN t", no "TEMP B-TREE").
  std::string plan_of(std::string statement) {
    for (auto at = statement.find('?'); at != std::string::npos; at = statement.find('?', at))
      statement.replace(at, 1, "'1'");
    std::string all;
    for (const auto& row : rows("EXPLAIN QUERY PLAN " + statement)) all += row + "\n";
    return all;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace cg::store::sqlite::testing
