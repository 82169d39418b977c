// The online backup of the SQLite store (course-gateway backup): a consistent, private copy taken
// while writers commit, which opens as a store holding every write acknowledged before it began.
#include "adapters/store/sqlite/backup.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/adapters/store/sqlite/sqlite_files.hpp"

namespace cg::store::sqlite {
namespace {

using testing::Raw;
using testing::TempDb;

const Instant t0{std::chrono::seconds{1'790'000'000}};

std::unique_ptr<Store> must_open(const std::string& path) {
  auto opened = open_sqlite(SqliteSettings{.path = path});
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return opened ? std::move(*opened) : nullptr;
}

Status record(Store& store, int n) {
  const std::string key = "request-" + std::to_string(n);
  // A summary of some size, so the database spans many pages and the copy many steps.
  const std::string summary(200, static_cast<char>('a' + n % 26));
  return store.write_sync([&](Tx& tx) -> Status {
    auto r = tx.record_event("apply", key, summary, t0);
    if (!r) return r.error();
    return ok_status();
  });
}

TEST(SqliteBackup, ACopyTakenUnderWritesHoldsEveryWriteAcknowledgedBeforeItBegan) {
  TempDb db("backup-source");
  TempDb copy("backup-copy");
  auto store = must_open(db.path());
  ASSERT_NE(store, nullptr);
  for (int n = 0; n < 2000; ++n) ASSERT_TRUE(record(*store, n).ok());

  // Two writers go on committing during the whole copy.
  std::atomic<bool> done{false};
  std::atomic<int> next{2000};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<int> answered;  // numbers whose write was acknowledged
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w)
    writers.emplace_back([&] {
      while (!done.load()) {
        const int n = next.fetch_add(1);
        if (!record(*store, n).ok()) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        answered.push_back(n);
      }
    });
  // Let them commit some first.
  for (;;) {
    std::lock_guard lock(mu);
    if (answered.size() >= 200) break;
  }
  std::vector<int> acknowledged;
  {
    std::lock_guard lock(mu);
    acknowledged = answered;
  }
  for (int n = 0; n < 2000; ++n) acknowledged.push_back(n);

  // Small steps with pauses: the writers commit between them, which would restart a copy that
  // did not read from one snapshot.
  BackupSettings settings{.source = db.path(), .target = copy.path(), .pages_per_step = 4};
  settings.pause = std::chrono::milliseconds(1);
  auto report = backup(settings);
  std::size_t during = 0;
  {
    std::lock_guard lock(mu);
    during = answered.size();
  }
  done = true;
  for (auto& t : writers) t.join();
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(report->pages, 100);
  EXPECT_GT(during + 2000, acknowledged.size()) << "no write was committed while the copy was taken";

  struct stat st {};
  ASSERT_EQ(::stat(copy.path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  EXPECT_TRUE(check_integrity(copy.path()).ok());
  store->close();
  store.reset();

  // Restored: the copy opens as a store, with every acknowledged write in it.
  auto restored = must_open(copy.path());
  ASSERT_NE(restored, nullptr);
  int missing = 0;
  Status s = restored->read([&](Tx& tx) -> Status {
    for (int n : acknowledged) {
      auto summary = tx.event_summary("apply", "request-" + std::to_string(n));
      if (!summary) return summary.error();
      if (!*summary) ++missing;
    }
    return ok_status();
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(missing, 0);
}

TEST(SqliteBackup, AnExistingTargetIsRefusedUnlessReplacing) {
  TempDb db("backup-exists-source");
  TempDb copy("backup-exists-copy");
  must_open(db.path()).reset();
  { std::ofstream(copy.path()) << "precious"; }
  auto refused = backup({.source = db.path(), .target = copy.path()});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "backup_target_exists");
  std::string kept;
  std::getline(std::ifstream(copy.path()), kept);
  EXPECT_EQ(kept, "precious");

  auto replaced = backup({.source = db.path(), .target = copy.path(), .replace = true});
  ASSERT_TRUE(replaced.ok()) << replaced.error().message;
  EXPECT_TRUE(check_integrity(copy.path()).ok());
  EXPECT_EQ(Raw(copy.path()).rows("SELECT count(*) FROM schema_version").size(), 1u);
}

TEST(SqliteBackup, AMissingSourceIsAnErrorAndLeavesNoCopy) {
  TempDb copy("backup-nosource-copy");
  auto r = backup({.source = "/tmp/cg-no-such-store.sqlite", .target = copy.path()});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "backup_failed");
  EXPECT_NE(::access(copy.path().c_str(), F_OK), 0);
}

TEST(SqliteBackup, IntegrityCheckFindsADamagedFile) {
  TempDb db("backup-damaged");
  {
    auto store = must_open(db.path());
    for (int n = 0; n < 500; ++n) ASSERT_TRUE(record(*store, n).ok());
  }
  Raw(db.path()).exec("PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_TRUE(check_integrity(db.path()).ok());
  const auto root = std::stol(Raw(db.path()).rows("SELECT rootpage FROM sqlite_schema WHERE name = 'events'").at(0));
  const auto page_size = std::stol(Raw(db.path()).rows("PRAGMA page_size").at(0));
  {
    // Scribble over the child page numbers and cell pointers of the events table's root page.
    std::fstream f(db.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp((root - 1) * page_size + 8);
    const std::string junk(static_cast<std::size_t>(page_size / 2), '\x7f');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto s = check_integrity(db.path());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "integrity_check_failed");
}

}  // namespace
}  // namespace cg::store::sqlite
