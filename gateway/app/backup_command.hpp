// course-gateway backup --config FILE --to PATH [--force]: a consistent copy of the SQLite store
// while the gateway runs (adapters/store/sqlite/backup.hpp), checked with PRAGMA integrity_check.
// A MySQL/MariaDB store is backed up with that server's own tools: the command says which
// (docs/backup.md). Restoring is docs/backup.md#restore.
#pragma once

#include <ostream>
#include <string>

#include "gateway/app/config.hpp"

namespace cg::gateway {

// The process's exit status: 0 done, 1 failed (the message on `err`), 2 not for this store.
int run_backup(const Config& config, const std::string& to, bool force, std::ostream& out, std::ostream& err);

}  // namespace cg::gateway
