// The MySQL/MariaDB store. Several gateways may share one database, so every rule that SQLite gets
// from its single writer is made explicit here with InnoDB row locks:
// - write commands run on a pool of worker threads, each with its own connection, each command
//   its own transaction (MySQL's own group commit batches the log flushes), `done` after COMMIT;
// - Tx::course() and the single-application reads lock their row (SELECT ... FOR UPDATE) in a
//   write, so quorum and every transition are decided by one transaction at a time, across
//   processes; write connections run READ COMMITTED so the reads after a lock see what the
//   previous holder committed;
// - outbox rows are claimed with FOR UPDATE SKIP LOCKED, so two dispatchers never take one row;
// - inbound events are deduplicated by their primary key (a second insert waits for the first
//   transaction and then fails as a duplicate, or succeeds if the first rolled back);
// - a deadlock or lock wait timeout runs the command again on a fresh transaction, and a
//   connection lost before COMMIT (server restarted) does too, on a new connection; a server
//   that cannot be reached fails the command at once with "store_unavailable".
#include "adapters/store/mysql/mysql_store.hpp"

#include <cppconn/exception.h>

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <random>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "adapters/store/mysql/connection.hpp"
#include "adapters/store/sql/queries.hpp"
#include "adapters/store/sql/tx.hpp"

namespace cg::store {
namespace mysql {
namespace {

Error unavailable() { return Error{"store_unavailable", "the store is closed"}; }

// The data layer's queries in MariaDB's dialect, built once.
const cg::store::sql::Queries& queries() {
  static const cg::store::sql::Queries q(cg::store::sql::mysql_dialect());
  return q;
}

Status run_guarded(const Store::Command& command, Tx& tx) {
  if (!command) return Error{"store_error", "empty command"};
  // Commands report failure as values; an exception still must not take a worker down with it.
  try {
    return command(tx);
  } catch (const std::exception& e) {
    return Error{"store_error", std::string("command threw: ") + e.what()};
  } catch (...) {
    return Error{"store_error", "command threw"};
  }
}

// Ends the transaction without keeping anything; a connection that cannot even do that is dropped.
void rollback(Connection& conn) {
  if (conn.broken()) return;
  try {
    conn.exec("ROLLBACK");
  } catch (const ::sql::SQLException&) {
    conn.mark_broken();
  }
}

// A short random pause before running a command again, so two transactions that deadlocked do
// not meet again at once.
void pause_before_attempt(int attempt) {
  thread_local std::minstd_rand rng{std::random_device{}()};
  std::uniform_int_distribution<int> ms(1, 10 * attempt);
  std::this_thread::sleep_for(std::chrono::milliseconds(ms(rng)));
}

class MysqlStore final : public Store {
 public:
  explicit MysqlStore(const MysqlSettings& settings) : settings_(settings), readers_(settings.readers) {
    for (std::size_t i = 0; i < readers_.size(); ++i) free_readers_.push_back(i);
    for (std::size_t i = 0; i < settings_.pool; ++i) {
      workers_.emplace_back([this] { run_worker(); });
      pthread_setname_np(workers_.back().native_handle(), ("cg-mysql-" + std::to_string(i)).c_str());
    }
    for (auto& w : workers_) worker_ids_.push_back(w.get_id());
  }

  ~MysqlStore() override { close(); }

  void write(Command command, Done done) override {
    std::unique_lock lock(queue_mutex_);
    if (closing_) {
      lock.unlock();
      if (done) done(unavailable());
      return;
    }
    auto [traced_command, traced_done] = traced(std::move(command), std::move(done));
    queue_.push_back(Item{std::move(traced_command), std::move(traced_done)});
    lock.unlock();
    queue_cv_.notify_one();
  }

  Status read(const Command& command) override {
    auto slot = acquire_reader();
    if (!slot) return unavailable();
    Status result = read_on(readers_[*slot], command);
    release_reader(*slot);
    return result;
  }

  Status ping() override {
    {
      std::lock_guard lock(queue_mutex_);
      if (closing_) return unavailable();
    }
    // Starting the snapshot is a round trip to the server (a dead pooled connection is replaced).
    Status alive = read([](Tx&) { return ok_status(); });
    if (!alive || !writes_failing_.load()) return alive;
    // Writes failed for a reason of the server's (as SQLite's ping does): while that lasts, each
    // ping tries a one-row write itself, so health comes back without waiting for traffic that the
    // load balancer no longer sends, and does not come back while reads work but writes do not.
    return write_sync([](Tx& tx) -> Status {
      auto n = tx.next_sequence("healthz.write_probe");
      if (!n) return n.error();
      return ok_status();
    });
  }

  void close() override {
    {
      std::lock_guard lock(queue_mutex_);
      closing_ = true;
    }
    queue_cv_.notify_all();
    // From a `done` callback: the workers finish the queue and end; joining is left to the owner.
    if (std::find(worker_ids_.begin(), worker_ids_.end(), std::this_thread::get_id()) != worker_ids_.end()) return;
    std::lock_guard lock(close_mutex_);
    for (auto& w : workers_)
      if (w.joinable()) w.join();
    std::unique_lock pool_lock(pool_mutex_);
    readers_closed_ = true;
    pool_cv_.notify_all();
    // Reads already running finish on their connections first.
    pool_cv_.wait(pool_lock, [&] { return free_readers_.size() == readers_.size(); });
    for (auto& r : readers_) r.reset();
  }

 private:
  struct Item {
    Command command;
    Done done;
  };

  void run_worker() {
    driver().threadInit();
    std::unique_ptr<Connection> conn;  // this worker's own; (re)connected when needed
    for (;;) {
      Item item;
      {
        std::unique_lock lock(queue_mutex_);
        queue_cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
        if (queue_.empty()) break;  // closing, and everything queued is done
        item = std::move(queue_.front());
        queue_.pop_front();
      }
      Status result = run_write(conn, item.command);
      if (result.ok())
        writes_failing_.store(false);
      else if (result.error().code == "store_unavailable")
        writes_failing_.store(true);
      if (!item.done) continue;
      // A throwing callback must not stop the worker for everyone else.
      try {
        item.done(result);
      } catch (...) {
      }
    }
    conn.reset();
    driver().threadEnd();
  }

  // Makes sure `conn` is a live connection; a failure means the server cannot be reached now.
  Status connect(std::unique_ptr<Connection>& conn, Role role) {
    if (conn && !conn->broken()) return ok_status();
    conn.reset();
    auto fresh = Connection::open(settings_, role);
    if (!fresh) return fresh.error();
    conn = std::move(*fresh);
    return ok_status();
  }

  // One command as one transaction, run again after a deadlock, a lock wait timeout or a
  // connection lost before COMMIT (in each case nothing of it was kept).
  Status run_write(std::unique_ptr<Connection>& conn, const Command& command) {
    Error last{"store_error", "no attempt made"};
    for (int attempt = 1; attempt <= settings_.max_attempts; ++attempt) {
      if (attempt > 1) pause_before_attempt(attempt);
      // A server that cannot be reached fails the command now: the caller answers 503 and the
      // sender retries later, rather than waiting here.
      if (auto s = connect(conn, Role::writer); !s) return s;
      try {
        conn->exec("START TRANSACTION");
      } catch (const ::sql::SQLException& e) {
        last = to_error(e, "starting a transaction");
        // Typically a pooled connection to a server that has restarted since: reconnect.
        if (classify(e.getErrorCode()) == Failure::connection) {
          conn->mark_broken();
          continue;
        }
        return last;
      }
      Session session(*conn);
      cg::store::sql::SqlTx tx(session, queries(), true);
      Status result = run_guarded(command, tx);
      if (session.fatal()) {
        rollback(*conn);
        last = *session.fatal();
        continue;
      }
      if (!result) {
        rollback(*conn);
        return result;
      }
      try {
        const auto t0 = std::chrono::steady_clock::now();
        conn->exec("COMMIT");
        observe_commit(std::chrono::steady_clock::now() - t0);
        return ok_status();
      } catch (const ::sql::SQLException& e) {
        Failure kind = classify(e.getErrorCode());
        last = to_error(e, "committing");
        if (kind == Failure::connection) {
          conn->mark_broken();
          // Whether the COMMIT reached the server is unknown, so the command is not run again:
          // the caller reports the failure, and a sender's retry is recognised by its event key.
          return Error{"store_unavailable", last.message + "; the outcome of the commit is unknown"};
        }
        rollback(*conn);
        if (kind == Failure::retry) continue;
        return last;
      }
    }
    return last;
  }

  // A read-only snapshot. A pooled connection found dead at the start is replaced once; a read
  // that fails later is not run again (the command may have acted on what it read so far).
  Status read_on(std::unique_ptr<Connection>& conn, const Command& command) {
    for (int attempt = 1;; ++attempt) {
      if (auto s = connect(conn, Role::reader); !s) return s;
      try {
        conn->exec("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
      } catch (const ::sql::SQLException& e) {
        if (classify(e.getErrorCode()) == Failure::connection) {
          conn->mark_broken();
          if (attempt == 1) continue;
        }
        return to_error(e, "starting a read");
      }
      Session session(*conn);
      cg::store::sql::SqlTx tx(session, queries(), false);
      Status result = run_guarded(command, tx);
      rollback(*conn);  // a read-only snapshot has nothing to keep
      if (session.fatal()) return *session.fatal();
      return result;
    }
  }

  std::optional<std::size_t> acquire_reader() {
    std::unique_lock lock(pool_mutex_);
    pool_cv_.wait(lock, [&] { return readers_closed_ || !free_readers_.empty(); });
    if (readers_closed_) return std::nullopt;
    std::size_t slot = free_readers_.back();
    free_readers_.pop_back();
    return slot;
  }

  void release_reader(std::size_t slot) {
    {
      std::lock_guard lock(pool_mutex_);
      free_readers_.push_back(slot);
    }
    pool_cv_.notify_all();
  }

  const MysqlSettings settings_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Item> queue_;
  bool closing_ = false;
  std::vector<std::thread> workers_;
  std::vector<std::thread::id> worker_ids_;
  std::mutex close_mutex_;

  std::vector<std::unique_ptr<Connection>> readers_;  // slots; connected on first use
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::size_t> free_readers_;
  bool readers_closed_ = false;
  std::atomic<bool> writes_failing_{false};  // the last write failed with store_unavailable
};

Status check_settings(const MysqlSettings& s) {
  auto bad = [](std::string message) { return Error{"invalid_store_settings", std::move(message)}; };
  if (s.host.empty()) return bad("mysql host is empty");
  if (s.port == 0) return bad("mysql port must be 1 to 65535");
  if (s.user.empty()) return bad("mysql user is empty");
  if (s.database.empty()) return bad("mysql database is empty");
  if (s.pool == 0 || s.pool > 256) return bad("mysql pool must be 1 to 256");
  if (s.readers == 0 || s.readers > 256) return bad("mysql readers must be 1 to 256");
  if (s.max_attempts < 1) return bad("mysql max_attempts must be at least 1");
  if (s.connect_timeout.count() < 1 || s.io_timeout.count() < 1 || s.lock_wait_timeout.count() < 1)
    return bad("mysql timeouts must be at least one second");
  return ok_status();
}

// "10.11.19-MariaDB-0+deb12u1". SKIP LOCKED needs MariaDB 10.6; the migrations use MariaDB's DDL
// (IF NOT EXISTS on columns and indexes, the NO PAD binary collation), which MySQL 8 lacks.
Status check_server(Connection& conn) {
  auto q = conn.query("SELECT VERSION()");
  std::string version = q.rows->next() ? q.rows->getString(1).asStdString() : "";
  int major = 0, minor = 0;
  if (std::sscanf(version.c_str(), "%d.%d", &major, &minor) != 2)
    return Error{"store_error", "unrecognised server version '" + version + "'"};
  if (version.find("MariaDB") == std::string::npos)
    return Error{"store_error", "server version " + version +
                                    " is not MariaDB: the schema uses MariaDB's DDL; MariaDB 10.6 or newer is needed"};
  if (major < 10 || (major == 10 && minor < 6))
    return Error{"store_error",
                 "server version " + version + " is too old: MariaDB 10.6 or newer is needed (SELECT ... SKIP LOCKED)"};
  return ok_status();
}

// Brings the database to `migrations.size()`. A named lock keeps two gateways starting at once
// from both migrating; the second waits, then finds the work done.
Status migrate(Connection& conn, const MysqlSettings& s, std::span<const Migration> migrations) {
  const std::string lock = ("course_gateway.migrate." + s.database).substr(0, 64);
  std::int64_t current = 0;
  std::int64_t applying = 0;
  try {
    {
      auto& get = conn.prepare("SELECT GET_LOCK(?, 60)");
      Binder(get).add(lock);
      std::unique_ptr<::sql::ResultSet> rs(get.executeQuery());
      if (!rs->next() || rs->isNull(1) || rs->getInt(1) != 1)
        return Error{"store_error", "another process held the migration lock of " + s.database + " for 60 s"};
    }
    auto release = [&] {
      auto& rel = conn.prepare("SELECT RELEASE_LOCK(?)");
      Binder(rel).add(lock);
      std::unique_ptr<::sql::ResultSet> rs(rel.executeQuery());
    };
    conn.exec(
        "CREATE TABLE IF NOT EXISTS schema_version (version INT NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL) "
        "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_nopad_bin");
    {
      auto q = conn.query("SELECT COALESCE(MAX(version), 0) FROM schema_version");
      if (q.rows->next()) current = q.rows->getInt64(1);
    }
    auto known = static_cast<std::int64_t>(migrations.size());
    if (current > known) {
      release();
      return Error{"schema_too_new", s.database + " is at schema version " + std::to_string(current) +
                                         ", newer than this build knows (" + std::to_string(known) +
                                         "); run a newer course-gateway"};
    }
    auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    for (applying = current + 1; applying <= known; ++applying) {
      for (std::string_view statement : migrations[static_cast<std::size_t>(applying - 1)])
        conn.exec(std::string(statement));
      auto& record = conn.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)");
      Binder(record).add(applying).add(std::int64_t{now.time_since_epoch().count()});
      record.executeUpdate();
    }
    release();
  } catch (const ::sql::SQLException& e) {
    // The lock goes with the connection, which the caller closes.
    std::string what = applying > 0 ? "migration " + std::to_string(applying) + " of " + s.database
                                    : "reading the schema version of " + s.database;
    return to_error(e, what);
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<Store>> open(const MysqlSettings& settings, std::span<const Migration> migrations) {
  if (auto s = check_settings(settings); !s) return s.error();
  auto conn = Connection::open(settings, Role::writer);
  if (!conn) return conn.error();
  try {
    if (auto s = check_server(**conn); !s) return s.error();
  } catch (const ::sql::SQLException& e) {
    return to_error(e, "reading the server version");
  }
  if (auto s = migrate(**conn, settings, migrations); !s) return s.error();
  std::unique_ptr<Store> store = std::make_unique<MysqlStore>(settings);
  return Result<std::unique_ptr<Store>>(std::move(store));
}

}  // namespace mysql

Result<std::unique_ptr<Store>> open_mysql(const MysqlSettings& settings) {
  return mysql::open(settings, mysql::migrations());
}

}  // namespace cg::store
