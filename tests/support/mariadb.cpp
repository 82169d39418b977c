#include "tests/support/mariadb.hpp"

#include <arpa/inet.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <cppconn/resultset_metadata.h>
#include <cppconn/statement.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "adapters/store/mysql/connection.hpp"

#ifndef CG_BINARY_DIR
#error "CG_BINARY_DIR must name the build directory (the template data directory lives there)"
#endif

namespace cg::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kAdminUser = "cg_admin";
constexpr const char* kAdminPassword = "admin-0123456789";
constexpr const char* kGatewayUser = "cg_gateway";
// Space, '@', ':', '/', '%', '#' and '?' all need percent-encoding in the URL's userinfo.
constexpr const char* kGatewayPassword = "gw p@ss:w/rd%#?";

// Options that shape the data files: the template and every server started on a copy of it must
// agree on them. Small logs and buffer pool: a test server holds little data.
const std::vector<std::string>& data_options() {
  static const std::vector<std::string> options{
      "--innodb-log-file-size=8M",
      "--innodb-undo-tablespaces=0",
      "--innodb-buffer-pool-size=32M",
  };
  return options;
}

Error harness_error(std::string message) { return Error{"mariadb_harness", std::move(message)}; }

std::string tail_of(const fs::path& file, std::size_t lines) {
  std::ifstream in(file);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += l + "\n";
  return out;
}

// A port the system just gave out and took back; the server binds it a moment later (start()
// tries another if someone else took it in between).
Result<std::uint16_t> free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return harness_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
               ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
  int err = errno;
  ::close(fd);
  if (!bound) return harness_error(std::string("finding a free port: ") + std::strerror(err));
  return ntohs(a.sin_port);
}

// Debian puts mariadbd in /usr/sbin, which is not on every user's PATH.
Result<fs::path> find_binary(std::initializer_list<const char*> names) {
  std::vector<fs::path> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string d;
    while (std::getline(ss, d, ':'))
      if (!d.empty()) dirs.emplace_back(d);
  }
  for (const char* d : {"/usr/sbin", "/usr/local/sbin", "/usr/bin", "/usr/local/bin"}) dirs.emplace_back(d);
  for (const char* name : names)
    for (const auto& d : dirs)
      if (::access((d / name).c_str(), X_OK) == 0) return d / name;
  return harness_error(std::string("MariaDB's `") + *names.begin() +
                       "` was not found (install the Debian package mariadb-server: scripts/setup-deps.sh "
                       "--with-tests)");
}

// mariadbd refuses to run as root unless told to; as anyone else it runs as that user.
std::vector<std::string> user_option() {
  if (::geteuid() == 0) return {"--user=root"};
  return {};
}

// Starts `argv` with stdin from /dev/null and stdout+stderr appended to `log`. The child is
// killed if the test process dies first, so a crashed test leaves no server behind.
Result<pid_t> spawn(const std::vector<std::string>& argv, const fs::path& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) return harness_error("opening " + log.string() + ": " + std::strerror(errno));
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int fork_errno = errno;
  ::close(out);
  if (in >= 0) ::close(in);
  if (pid < 0) return harness_error(std::string("fork: ") + std::strerror(fork_errno));
  return pid;
}

// Waits for `pid` to exit; its exit status, or nothing if `timeout` passed first (then it is killed).
std::optional<int> wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0 && errno != EINTR) return -1;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return std::nullopt;
    }
    std::this_thread::sleep_for(20ms);
  }
}

// Identifies the server build the template was made by; a new mariadbd makes a new template.
std::string template_stamp(const fs::path& mariadbd) {
  struct stat st {};
  ::stat(mariadbd.c_str(), &st);
  std::string stamp = mariadbd.string() + " " + std::to_string(st.st_size) + " " + std::to_string(st.st_mtime);
  for (const auto& o : data_options()) stamp += " " + o;
  return stamp;
}

// The bootstrapped data directory every test server starts from, made once per build directory.
Result<fs::path> template_data(const fs::path& mariadbd) {
  fs::path base = fs::path(CG_BINARY_DIR) / "mariadb-template";
  std::error_code ec;
  fs::create_directories(base.parent_path(), ec);
  // Test programs run in parallel: one bootstraps, the others wait for it.
  int lock = ::open((base.string() + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock < 0) return harness_error("opening the template lock: " + std::string(std::strerror(errno)));
  while (::flock(lock, LOCK_EX) != 0 && errno == EINTR) {
  }
  auto done = [&](Result<fs::path> r) {
    ::close(lock);  // releases the flock
    return r;
  };
  std::string stamp = template_stamp(mariadbd);
  {
    std::ifstream in(base / "stamp");
    std::string existing;
    std::getline(in, existing);
    if (existing == stamp && fs::exists(base / "data" / "mysql")) return done(base / "data");
  }
  fs::remove_all(base, ec);
  fs::create_directories(base, ec);
  if (ec) return done(harness_error("creating " + base.string() + ": " + ec.message()));
  auto install = find_binary({"mariadb-install-db", "mysql_install_db"});
  if (!install) return done(install.error());
  std::vector<std::string> argv{install->string(), "--no-defaults", "--datadir=" + (base / "data").string(),
                                "--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve",
                                // The server only ever listens on 127.0.0.1 with name resolution off, so the
                                // script's hostname check is moot; it fails where /etc/hosts is missing
                                // (a minimal chroot or container).
                                "--force"};
  for (const auto& o : user_option()) argv.push_back(o);
  for (const auto& o : data_options()) argv.push_back(o);
  fs::path log = base / "install.log";
  auto pid = spawn(argv, log);
  if (!pid) return done(pid.error());
  auto status = wait_exit(*pid, 300s);
  if (!status || *status != 0)
    return done(harness_error("mariadb-install-db failed (" + (status ? "exit " + std::to_string(*status) : "timeout") +
                              "):\n" + tail_of(log, 30)));
  std::ofstream(base / "stamp") << stamp << "\n";
  return done(base / "data");
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

bool plain_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

Result<std::unique_ptr<sql::Connection>> admin_connection(std::uint16_t port, std::string_view database) {
  sql::ConnectOptionsMap options;
  options["hostName"] = sql::SQLString("127.0.0.1");
  options["port"] = static_cast<int>(port);
  options["userName"] = sql::SQLString(kAdminUser);
  options["password"] = sql::SQLString(kAdminPassword);
  if (!database.empty()) options["schema"] = sql::SQLString(std::string(database));
  options["OPT_CHARSET_NAME"] = sql::SQLString("utf8mb4");
  options["OPT_CONNECT_TIMEOUT"] = 2;
  options["OPT_READ_TIMEOUT"] = 60;
  try {
    return std::unique_ptr<sql::Connection>(store::mysql::driver().connect(options));
  } catch (const sql::SQLException& e) {
    return Error{"mariadb_connect", std::string(e.what()) + " (error " + std::to_string(e.getErrorCode()) + ")"};
  }
}

}  // namespace

Result<std::unique_ptr<MariaDb>> MariaDb::start() {
  auto mariadbd = find_binary({"mariadbd", "mysqld"});
  if (!mariadbd) return mariadbd.error();
  auto data = template_data(*mariadbd);
  if (!data) return data.error();

  std::unique_ptr<MariaDb> db(new MariaDb());
  db->mariadbd_ = *mariadbd;
  std::string pattern = (fs::temp_directory_path() / "cg-mariadb-XXXXXX").string();
  if (!::mkdtemp(pattern.data())) return harness_error("mkdtemp: " + std::string(std::strerror(errno)));
  db->dir_ = pattern;
  std::error_code ec;
  fs::copy(*data, db->dir_ / "data", fs::copy_options::recursive, ec);
  if (ec) return harness_error("copying the template data directory: " + ec.message());
  // Run at every start, so the accounts exist however the data directory came about.
  std::ofstream(db->dir_ / "init.sql") << "CREATE USER IF NOT EXISTS '" << kAdminUser << "'@'127.0.0.1' IDENTIFIED BY '"
                                       << kAdminPassword << "';\n"
                                       << "GRANT ALL PRIVILEGES ON *.* TO '" << kAdminUser
                                       << "'@'127.0.0.1' WITH GRANT OPTION;\n"
                                       << "CREATE USER IF NOT EXISTS '" << kGatewayUser
                                       << "'@'127.0.0.1' IDENTIFIED BY '" << kGatewayPassword << "';\n"
                                       << "GRANT ALL PRIVILEGES ON `cgt\\_%`.* TO '" << kGatewayUser
                                       << "'@'127.0.0.1';\n";
  Error last = harness_error("no attempt made");
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto port = free_port();
    if (!port) return port.error();
    db->port_ = *port;
    if (auto s = db->launch(); !s) return s.error();
    auto ready = db->wait_until_ready();
    if (ready) return db;
    last = ready.error();
    // Someone took the port in between: try another.
    if (db->log_tail(50).find("Address already in use") == std::string::npos) break;
  }
  return last;
}

MariaDb::~MariaDb() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  std::error_code ec;
  if (!dir_.empty()) fs::remove_all(dir_, ec);
}

Status MariaDb::launch() {
  std::vector<std::string> argv{mariadbd_.string(),
                                "--no-defaults",
                                "--datadir=" + (dir_ / "data").string(),
                                "--port=" + std::to_string(port_),
                                "--bind-address=127.0.0.1",
                                "--socket=" + (dir_ / "mariadbd.sock").string(),
                                "--pid-file=" + (dir_ / "mariadbd.pid").string(),
                                "--log-error=" + (dir_ / "mariadbd.err").string(),
                                "--init-file=" + (dir_ / "init.sql").string(),
                                "--skip-name-resolve",
                                "--skip-log-bin",
                                "--max-connections=500"};
  for (const auto& o : user_option()) argv.push_back(o);
  for (const auto& o : data_options()) argv.push_back(o);
  auto pid = spawn(argv, dir_ / "mariadbd.out");
  if (!pid) return pid.error();
  pid_ = *pid;
  return ok_status();
}

Status MariaDb::wait_until_ready() {
  auto deadline = std::chrono::steady_clock::now() + 60s;
  std::string last;
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return harness_error("mariadbd exited while starting:\n" + log_tail());
    }
    auto conn = admin_connection(port_, "");
    if (conn) return ok_status();
    last = conn.error().message;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      pid_ = -1;
      return harness_error("mariadbd did not accept connections within 60 s (" + last + "):\n" + log_tail());
    }
    std::this_thread::sleep_for(25ms);
  }
}

std::string MariaDb::url(std::string_view database) const {
  return "mysql://" + url_encode(kGatewayUser) + ":" + url_encode(kGatewayPassword) +
         "@127.0.0.1:" + std::to_string(port_) + "/" + std::string(database);
}

Status MariaDb::create_database(std::string_view name) {
  if (!plain_name(name)) return harness_error("database name '" + std::string(name) + "' is not plain");
  return execute("", "CREATE DATABASE `" + std::string(name) + "` CHARACTER SET latin1");
}

Status MariaDb::drop_database(std::string_view name) {
  if (!plain_name(name)) return harness_error("database name '" + std::string(name) + "' is not plain");
  return execute("", "DROP DATABASE IF EXISTS `" + std::string(name) + "`");
}

Result<std::vector<std::vector<std::string>>> MariaDb::query(std::string_view database, std::string_view sql) {
  auto conn = admin_connection(port_, database);
  if (!conn) return conn.error();
  std::vector<std::vector<std::string>> rows;
  try {
    std::unique_ptr<sql::Statement> st((*conn)->createStatement());
    std::unique_ptr<sql::ResultSet> rs(st->executeQuery(std::string(sql)));
    unsigned columns = rs->getMetaData()->getColumnCount();
    while (rs->next()) {
      std::vector<std::string> row;
      for (unsigned c = 1; c <= columns; ++c) row.push_back(rs->isNull(c) ? "NULL" : rs->getString(c).asStdString());
      rows.push_back(std::move(row));
    }
  } catch (const sql::SQLException& e) {
    return harness_error(std::string(sql) + ": " + e.what());
  }
  return rows;
}

Status MariaDb::execute(std::string_view database, std::string_view sql) {
  auto conn = admin_connection(port_, database);
  if (!conn) return conn.error();
  try {
    std::unique_ptr<sql::Statement> st((*conn)->createStatement());
    st->execute(std::string(sql));
  } catch (const sql::SQLException& e) {
    return harness_error(std::string(sql) + ": " + e.what());
  }
  return ok_status();
}

Status MariaDb::stop() {
  if (pid_ <= 0) return ok_status();
  ::kill(pid_, SIGTERM);
  auto status = wait_exit(pid_, 60s);
  pid_ = -1;
  if (!status) return harness_error("mariadbd did not shut down within 60 s; killed:\n" + log_tail());
  return ok_status();
}

Status MariaDb::pause() {
  if (pid_ <= 0) return harness_error("mariadbd is not running");
  if (::kill(pid_, SIGSTOP) != 0) return harness_error(std::string("SIGSTOP: ") + std::strerror(errno));
  return ok_status();
}

Status MariaDb::resume() {
  if (pid_ <= 0) return harness_error("mariadbd is not running");
  if (::kill(pid_, SIGCONT) != 0) return harness_error(std::string("SIGCONT: ") + std::strerror(errno));
  return ok_status();
}

Status MariaDb::crash() {
  if (pid_ <= 0) return ok_status();
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return ok_status();
}

Status MariaDb::restart() {
  if (auto s = stop(); !s) return s;
  if (auto s = launch(); !s) return s;
  return wait_until_ready();
}

std::string MariaDb::log_tail(std::size_t lines) const {
  return tail_of(dir_ / "mariadbd.err", lines) + tail_of(dir_ / "mariadbd.out", lines);
}

Result<MariaDb*> shared_mariadb() {
  static std::mutex mutex;
  static std::unique_ptr<MariaDb> server;
  static std::optional<Error> failure;
  std::lock_guard lock(mutex);
  if (server) return server.get();
  if (failure) return *failure;
  auto started = MariaDb::start();
  if (!started) {
    failure = started.error();
    return *failure;
  }
  server = std::move(*started);
  return server.get();
}

std::string database_name(std::string_view hint) {
  static std::atomic<int> counter{0};
  std::string suffix = "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::string name = "cgt_";
  for (char c : hint)
    if (std::isalnum(static_cast<unsigned char>(c)))
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (name.size() + suffix.size() > 64) name.resize(64 - suffix.size());
  return name + suffix;
}

}  // namespace cg::test
