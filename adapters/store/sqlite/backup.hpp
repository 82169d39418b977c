// An online copy of the SQLite store, taken while the gateway runs (course-gateway backup).
//
// SQLite's backup API copies the database page by page. The source is read inside one read
// transaction held from the first page to the last: in WAL mode that is a snapshot which never
// blocks the gateway's writer, and the copy is the database as it was when the snapshot began,
// whatever is committed meanwhile. (Without it each step would start a new read, and a write by the
// gateway between two steps would restart the copy from the first page.) The pages go in steps with
// a pause between them, so the copy's disk traffic is spread out. The copy is written under a
// temporary name beside the target, created 0600, checked with PRAGMA integrity_check, synced and
// only then renamed into place: a target never holds half a copy.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.hpp"

namespace cg::store::sqlite {

struct BackupSettings {
  std::string source;    // the store's file
  std::string target;    // where the copy goes
  bool replace = false;  // an existing target is refused unless set
  int pages_per_step = 1024;
  std::chrono::milliseconds pause{5};  // between steps
};

struct BackupReport {
  std::int64_t pages = 0;
  std::int64_t page_size = 0;
};

// Errors: "backup_target_exists", "backup_failed" (with SQLite's message), "integrity_check_failed".
Result<BackupReport> backup(const BackupSettings& settings);

// PRAGMA integrity_check of a database file, opened read-only: ok, or the first problems found.
Status check_integrity(const std::string& path);

}  // namespace cg::store::sqlite
