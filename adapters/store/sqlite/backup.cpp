#include "adapters/store/sqlite/backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <thread>

namespace cg::store::sqlite {
namespace {

Error failed(const std::string& what) { return Error{"backup_failed", what}; }

struct CloseDb {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, CloseDb>;

Result<Db> open_db(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) return failed("cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

Status exec(sqlite3* db, const char* sql, const std::string& what) {
  char* message = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return ok_status();
  std::string text = what + ": " + (message ? message : sqlite3_errstr(rc));
  sqlite3_free(message);
  return failed(text);
}

Status sync_path(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return failed("cannot open " + path + " to sync it: " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return failed("cannot sync " + path + ": " + std::strerror(err));
  return ok_status();
}

// The copy's file, created empty and 0600 before SQLite opens it (SQLite would create it 0644
// less the umask, and its journal files take the main file's mode).
Status create_private(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return failed("cannot create " + path + ": " + std::strerror(errno));
  int rc = ::fchmod(fd, 0600);  // whatever the umask
  int err = errno;
  ::close(fd);
  if (rc != 0) return failed("cannot make " + path + " private: " + std::strerror(err));
  return ok_status();
}

Result<BackupReport> copy(const BackupSettings& s, const std::string& partial) {
  // Read-write without create: a wrong path is an error, not a new empty database, and a reader
  // of a WAL database may need to write its shared-memory index.
  auto source = open_db(s.source, SQLITE_OPEN_READWRITE);
  if (!source) return source.error();
  auto target = open_db(partial, SQLITE_OPEN_READWRITE);
  if (!target) return target.error();
  // The snapshot every step reads from (see backup.hpp).
  if (auto st = exec(source->get(), "BEGIN; SELECT count(*) FROM sqlite_schema;", "reading " + s.source); !st)
    return st.error();
  sqlite3_backup* b = sqlite3_backup_init(target->get(), "main", source->get(), "main");
  if (!b) return failed("cannot start the backup of " + s.source + ": " + sqlite3_errmsg(target->get()));
  int rc = SQLITE_OK;
  for (;;) {
    rc = sqlite3_backup_step(b, s.pages_per_step);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    std::this_thread::sleep_for(s.pause);
  }
  BackupReport report{sqlite3_backup_pagecount(b), 0};
  sqlite3_backup_finish(b);
  (void)exec(source->get(), "COMMIT", "ending the read of " + s.source);
  if (rc != SQLITE_DONE) return failed("copying " + s.source + ": " + sqlite3_errstr(rc));
  // The copy stands alone: a rollback journal, not a WAL beside it.
  if (auto st = exec(target->get(), "PRAGMA journal_mode=DELETE;", "finishing " + partial); !st) return st.error();
  sqlite3_stmt* page_size = nullptr;
  if (sqlite3_prepare_v2(target->get(), "PRAGMA page_size", -1, &page_size, nullptr) == SQLITE_OK &&
      sqlite3_step(page_size) == SQLITE_ROW)
    report.page_size = sqlite3_column_int64(page_size, 0);
  sqlite3_finalize(page_size);
  return report;
}

}  // namespace

Status check_integrity(const std::string& path) {
  auto db = open_db(path, SQLITE_OPEN_READONLY);
  if (!db) return db.error();
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db->get(), "PRAGMA integrity_check(20)", -1, &st, nullptr) != SQLITE_OK)
    return failed("checking " + path + ": " + sqlite3_errmsg(db->get()));
  std::string problems;
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    std::string line = text ? text : "";
    if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return failed("checking " + path + ": " + sqlite3_errmsg(db->get()));
  if (!problems.empty()) return Error{"integrity_check_failed", path + ": " + problems};
  return ok_status();
}

Result<BackupReport> backup(const BackupSettings& s) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(fs::symlink_status(s.target, ec)) && !s.replace)
    return Error{"backup_target_exists", s.target + " exists; pass --force to replace it"};
  if (fs::exists(s.target, ec) && fs::is_directory(s.target, ec))
    return Error{"backup_target_exists", s.target + " is a directory"};
  if (!fs::exists(s.source, ec)) return failed(s.source + " does not exist");
  const std::string partial = s.target + ".partial-" + std::to_string(::getpid());
  auto clean = [&] {
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(partial + suffix, ec);
  };
  clean();
  if (auto st = create_private(partial); !st) return st.error();
  auto report = copy(s, partial);
  if (!report) {
    clean();
    return report.error();
  }
  if (auto st = check_integrity(partial); !st) {
    clean();
    return st.error();
  }
  if (auto st = sync_path(partial, O_RDONLY); !st) {
    clean();
    return st.error();
  }
  if (::rename(partial.c_str(), s.target.c_str()) != 0) {
    std::string why = std::strerror(errno);
    clean();
    return failed("cannot rename " + partial + " to " + s.target + ": " + why);
  }
  const fs::path parent = fs::absolute(s.target, ec).parent_path();
  if (auto st = sync_path(parent.string(), O_RDONLY | O_DIRECTORY); !st) return st.error();
  return report;
}

}  // namespace cg::store::sqlite
