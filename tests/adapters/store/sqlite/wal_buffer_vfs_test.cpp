// The VFS that hands a commit's WAL frames to the file in one write (wal_buffer_vfs.hpp): what it
// writes must be exactly what SQLite asked for, at the moment SQLite could need it, and far fewer
// times than SQLite asked.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "adapters/store/sqlite/sqlite_store.hpp"
#include "adapters/store/sqlite/wal_buffer_vfs.hpp"
#include "tests/adapters/store/sqlite/sqlite_files.hpp"

namespace cg::store::sqlite {
namespace {

using testing::Raw;
using testing::TempDb;

// A connection in WAL mode under synchronous=FULL, through the buffering VFS or the platform's own.
std::unique_ptr<Raw> wal_db(const std::string& path, bool buffered) {
  const char* vfs = buffered ? wal_buffer_vfs_name() : nullptr;
  if (buffered && !vfs) ADD_FAILURE() << "the VFS did not register";
  auto db = std::make_unique<Raw>(path, vfs);
  db->exec("PRAGMA journal_mode=WAL");
  db->exec("PRAGMA synchronous=FULL");
  return db;
}

// Rows of `size` bytes each, inserted in one transaction; the checksum query below reads them back.
std::string insert_rows(int first, int count, int size) {
  return "WITH RECURSIVE n(i) AS (SELECT " + std::to_string(first) + " UNION ALL SELECT i + 1 FROM n WHERE i < " +
         std::to_string(first + count - 1) + ") INSERT INTO t (id, body) SELECT i, printf('%0" + std::to_string(size) +
         "d', i) FROM n";
}
const char* kChecksum = "SELECT COUNT(*) || ':' || SUM(LENGTH(body)) || ':' || SUM(CAST(body AS INTEGER)) FROM t";

TEST(WalBufferVfs, ACommitsFramesReachTheFileInAFewWritesAndReadBackExactly) {
  TempDb file("walbuf-few-writes");
  auto db = wal_db(file.path(), true);
  db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  db->exec("CREATE INDEX t_body ON t (body)");
  WalBufferStats before = wal_buffer_stats();
  // About 600 KiB of rows and index: well over the 128 KiB the platform VFS takes in one write.
  db->exec("BEGIN; " + insert_rows(1, 1000, 300) + "; COMMIT");
  WalBufferStats after = wal_buffer_stats();
  unsigned long long asked = after.writes_asked - before.writes_asked;
  unsigned long long made = after.writes_made - before.writes_made;
  // SQLite writes a frame as its header and its page: two requests per page of the transaction.
  EXPECT_GT(asked, 2u * 100u);
  EXPECT_GE(made, 1u);
  EXPECT_LE(made * 20, asked) << "asked " << asked << ", made " << made;
  EXPECT_GT(std::filesystem::file_size(file.path() + "-wal"), 128u * 1024u);

  // A connection through the platform's VFS (its own file handles) reads what was committed.
  auto plain = wal_db(file.path(), false);
  EXPECT_EQ(plain->one(kChecksum), db->one(kChecksum));
  EXPECT_EQ(plain->one("SELECT COUNT(*) FROM t"), "1000");
  EXPECT_EQ(plain->one("PRAGMA integrity_check"), "ok");
}

TEST(WalBufferVfs, TransactionsLargerThanTheBufferAndSpilledPagesStayIntact) {
  TempDb file("walbuf-large");
  auto db = wal_db(file.path(), true);
  // A tiny page cache makes SQLite spill pages into the WAL in the middle of the transaction and read
  // them back (and write some again), which the VFS must serve from what it was given.
  db->exec("PRAGMA cache_size=20");
  db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  db->exec("CREATE INDEX t_body ON t (body)");
  db->exec("BEGIN; " + insert_rows(1, 6000, 1000) +
           "; UPDATE t SET body = printf('%01000d', id * 3) WHERE id % 5 = 0; COMMIT");
  EXPECT_GT(std::filesystem::file_size(file.path() + "-wal"), 5u << 20);  // past the 4 MiB buffer
  auto plain = wal_db(file.path(), false);
  EXPECT_EQ(plain->one("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(plain->one("SELECT COUNT(*) FROM t WHERE CAST(body AS INTEGER) = id * 3"), "1200");
  EXPECT_EQ(plain->one("SELECT COUNT(*) FROM t WHERE CAST(body AS INTEGER) = id"), "4800");

  // A rolled-back transaction (spilled too) leaves nothing, and the next commit is whole.
  std::string committed = db->one(kChecksum);
  db->exec("BEGIN; " + insert_rows(10001, 3000, 1000) + "; DELETE FROM t WHERE id < 100; ROLLBACK");
  EXPECT_EQ(plain->one(kChecksum), committed);
  db->exec(insert_rows(20001, 10, 10));
  EXPECT_EQ(plain->one("SELECT COUNT(*) FROM t"), "6010");
  EXPECT_EQ(plain->one("PRAGMA integrity_check"), "ok");
}

TEST(WalBufferVfs, ACommitIsInTheFileWhenCommitReturnsNotWhenTheConnectionCloses) {
  TempDb file("walbuf-no-close");
  {
    auto db = wal_db(file.path(), true);
    db->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)");
  }
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child commits and ends at once: no close, no destructor, no flush at exit.
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.path().c_str(), &db, SQLITE_OPEN_READWRITE, wal_buffer_vfs_name()) != SQLITE_OK) _exit(2);
    if (sqlite3_exec(db, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr) != SQLITE_OK) _exit(3);
    std::string sql = "BEGIN; " + insert_rows(1, 500, 200) + "; COMMIT";
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) _exit(4);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto plain = wal_db(file.path(), false);
  EXPECT_EQ(plain->one("SELECT COUNT(*) FROM t"), "500");
  EXPECT_EQ(plain->one("PRAGMA integrity_check"), "ok");
}

TEST(WalBufferVfs, TheStoreUsesItUnderFullSynchronousOnly) {
  for (bool full : {true, false}) {
    TempDb file(full ? "walbuf-store-full" : "walbuf-store-normal");
    auto store = open_sqlite(SqliteSettings{.path = file.path(), .readers = 1, .synchronous_full = full});
    ASSERT_TRUE(store) << store.error().message;
    WalBufferStats before = wal_buffer_stats();
    for (int i = 0; i < 20; ++i) {
      Status s = (*store)->write_sync([i](Tx& tx) -> Status {
        auto fresh = tx.record_event("vfs-test", std::to_string(i), "x", Instant{});
        return fresh ? ok_status() : Status(fresh.error());
      });
      ASSERT_TRUE(s.ok()) << s.error().message;
    }
    WalBufferStats after = wal_buffer_stats();
    if (full)
      EXPECT_GE(after.writes_asked - before.writes_asked, 40u) << "synchronous=FULL";
    else
      EXPECT_EQ(after.writes_asked, before.writes_asked) << "synchronous=NORMAL must write frames as they come";
    (*store)->close();
  }
}

}  // namespace
}  // namespace cg::store::sqlite
