// Opening the store a URL names: sqlite:<path> (the embedded default) or
// mysql://user:password@host:port/database. The gateway's config and start go through here only.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "adapters/store/store.hpp"

namespace cg::store {

struct StoreSettings {
  std::string url;
  std::size_t readers = 2;
  std::size_t pool = 8;          // MySQL write connections
  bool synchronous_full = true;  // SQLite: acknowledged means on disk
};

// Whether `url` names a store this build can open, without opening it; the message says what is
// wrong ("must start with sqlite: or mysql://", "names no file", the mysql URL's own complaint, or
// "this build has no MySQL support"). Error code "invalid_store_settings".
Status check_store_url(std::string_view url);

// Opens (and migrates) the store; errors as check_store_url, open_sqlite and open_mysql.
Result<std::unique_ptr<Store>> open_store(const StoreSettings& settings);

// Connects to the store as serve would, but creates, migrates and writes nothing (check-config
// --online), and says what it found: "sqlite var/x.db: schema version 9 of 9". A SQLite file that
// does not exist yet passes when its directory is writable (serve creates it). Errors: the store
// cannot be reached or opened ("store_unavailable"), is not one of ours or is newer than this
// build ("store_error").
Result<std::string> probe_store(const StoreSettings& settings);

// A store URL fit for a log line: a mysql:// password is replaced by "****".
std::string redact_store_url(std::string_view url);

}  // namespace cg::store
