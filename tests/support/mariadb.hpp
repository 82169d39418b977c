// A real MariaDB for tests: a throwaway server on a free loopback port, its data in a temporary
// directory, killed (and the directory removed) by the destructor.
//
// Bootstrapping a data directory (mariadb-install-db) takes seconds, starting a server on one takes
// a fraction of one, and ctest runs every test in its own process: so the first start in a build
// directory bootstraps a template there (under a file lock, once) and every server starts on a
// copy of it. The server has two accounts: an administrator, used by this class to create and drop
// databases, and the gateway's own user, allowed only databases named cgt_*, whose password needs
// percent-encoding in a mysql:// URL (so the URL parser is exercised by every test that uses it).
// Test databases get latin1 as their default character set on purpose: the store must declare
// utf8mb4 itself and never rely on server or database defaults.
//
// A missing MariaDB binary makes start() fail with a message naming it (CI installs mariadb-server
// through scripts/setup-deps.sh --with-tests); tests must fail then, not skip.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace cg::test {

class MariaDb {
 public:
  static Result<std::unique_ptr<MariaDb>> start();
  ~MariaDb();
  MariaDb(const MariaDb&) = delete;
  MariaDb& operator=(const MariaDb&) = delete;

  std::uint16_t port() const { return port_; }
  // The gateway user's URL for `database`, password percent-encoded.
  std::string url(std::string_view database) const;

  // A database the gateway user may use (its name must start with "cgt_"; see database_name()).
  Status create_database(std::string_view name);
  Status drop_database(std::string_view name);
  // Runs `sql` as the administrator in `database` (empty: none) and returns every row, each
  // column as text ("NULL" for NULL): for tests that look at what the store left behind.
  Result<std::vector<std::vector<std::string>>> query(std::string_view database, std::string_view sql);
  // Runs a statement without rows (INSERT, UPDATE, ...) as the administrator in `database`.
  Status execute(std::string_view database, std::string_view sql);

  // Clean shutdown (SIGTERM); the data stays for restart().
  Status stop();
  // SIGKILL, as a crash or power cut of the server process would: what was acknowledged must be
  // on disk anyway.
  Status crash();
  // SIGSTOP: a server that stops answering without closing its connections (a hung host, a
  // stalled disk). resume() (SIGCONT) lets it go on; the destructor kills a paused server too.
  Status pause();
  Status resume();
  // Starts again on the same data and port, and waits until it accepts connections.
  Status restart();
  bool running() const { return pid_ > 0; }

  // The last lines of the server's error log, for failure messages.
  std::string log_tail(std::size_t lines = 30) const;

 private:
  MariaDb() = default;
  Status launch();
  Status wait_until_ready();

  std::filesystem::path dir_;
  std::filesystem::path mariadbd_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// The one server of this test program, started on first use and killed at exit. A failure to
// start is kept and returned to every caller, so each test fails with the reason.
Result<MariaDb*> shared_mariadb();

// A fresh database name the gateway user may use: "cgt_" + `hint` (letters and digits kept) +
// this process and a counter, at most 64 characters.
std::string database_name(std::string_view hint);

}  // namespace cg::test
