// The SQLite store: one writer thread owning the write connection (group commit), one thread
// running the callbacks of committed commands, a checkpointer, a small pool of read-only
// connections for snapshots, and the schema migrations applied at open. What the commands do in
// a transaction is the SQL data layer's (adapters/store/sql/), in SQLite's dialect.
#include "adapters/store/sqlite/sqlite_store.hpp"

#include <pthread.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <filesystem>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "adapters/observe/log.hpp"
#include "adapters/store/sql/queries.hpp"
#include "adapters/store/sql/tx.hpp"
#include "adapters/store/sqlite/connection.hpp"

namespace cg::store {
namespace sqlite {
namespace {

Error unavailable() { return Error{"store_unavailable", "the store is closed"}; }

// The data layer's queries in SQLite's dialect, built once.
const sql::Queries& queries() {
  static const sql::Queries q(sql::sqlite_dialect());
  return q;
}

Status run_guarded(const Store::Command& command, Tx& tx) {
  if (!command) return Error{"store_error", "empty command"};
  // Commands report failure as values; an exception still must not take the writer down with it.
  try {
    return command(tx);
  } catch (const std::exception& e) {
    return Error{"store_error", std::string("command threw: ") + e.what()};
  } catch (...) {
    return Error{"store_error", "command threw"};
  }
}

Status step_once(Connection& conn, std::string_view statement) {
  auto st = conn.prepare(statement, statement);
  if (!st) return st.error();
  if (auto r = st->run(); !r) return r.error();
  return ok_status();
}

class SqliteStore final : public Store {
 public:
  SqliteStore(const SqliteSettings& settings, std::unique_ptr<Connection> writer,
              std::unique_ptr<Connection> checkpointer, std::vector<std::unique_ptr<Connection>> readers)
      : max_batch_(settings.max_batch),
        writer_conn_(std::move(writer)),
        writer_tx_(*writer_conn_, queries(), true),
        checkpoint_conn_(std::move(checkpointer)),
        readers_(std::move(readers)) {
    for (auto& r : readers_) free_readers_.push_back(r.get());
    sqlite3_wal_hook(writer_conn_->db(), &SqliteStore::on_wal_commit, this);
    checkpointer_ = std::thread([this] { run_checkpointer(); });
    completer_ = std::thread([this] { run_completer(); });
    writer_ = std::thread([this] { run_writer(); });
    // Named here rather than by each thread itself, so the names are there once the store is open
    // (`top -H`, `ps -L`).
    pthread_setname_np(checkpointer_.native_handle(), "cg-checkpoint");
    pthread_setname_np(completer_.native_handle(), "cg-completer");
    pthread_setname_np(writer_.native_handle(), "cg-writer");
  }

  ~SqliteStore() override { close(); }

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
    Connection* conn = acquire_reader();
    if (!conn) return unavailable();
    Status result = [&]() -> Status {
      if (auto s = step_once(*conn, "BEGIN"); !s) return s;
      sql::SqlTx tx(*conn, queries(), false);
      Status r = run_guarded(command, tx);
      if (auto s = step_once(*conn, "COMMIT"); !s) {
        if (!sqlite3_get_autocommit(conn->db())) (void)step_once(*conn, "ROLLBACK");
        if (r.ok()) r = s;
      }
      return r;
    }();
    release_reader(conn);
    return result;
  }

  // A store whose last write failed for the machine's sake (disk full, I/O error, read-only file
  // system) is not alive even if reads work: a load balancer must stop sending work here. While that
  // lasts, each ping tries a one-row write itself, so health comes back without waiting for traffic
  // that the load balancer no longer sends.
  Status ping() override {
    {
      std::lock_guard lock(queue_mutex_);
      if (closing_) return unavailable();
    }
    Connection* conn = acquire_reader();
    if (!conn) return unavailable();
    Status alive = step_once(*conn, "SELECT 1");
    release_reader(conn);
    if (!alive || !writes_failing_.load()) return alive;
    return write_sync([this](Tx&) -> Status {
      return step_once(*writer_conn_,
                       "INSERT INTO sequences (name, value) VALUES ('healthz.write_probe', 1) "
                       "ON CONFLICT (name) DO UPDATE SET value = value + 1");
    });
  }

  void close() override {
    {
      std::lock_guard lock(queue_mutex_);
      closing_ = true;
    }
    queue_cv_.notify_all();
    // From a `done` callback: the writer finishes the queue and ends; joining is left to the owner.
    if (std::this_thread::get_id() == completer_id_ || std::this_thread::get_id() == writer_id_) return;
    std::lock_guard lock(close_mutex_);
    if (writer_.joinable()) writer_.join();
    {
      std::lock_guard done_lock(done_mutex_);
      writer_finished_ = true;
    }
    done_cv_.notify_all();
    if (completer_.joinable()) completer_.join();
    {
      std::lock_guard checkpoint_lock(checkpoint_mutex_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_all();
    if (checkpointer_.joinable()) checkpointer_.join();
    std::unique_lock pool_lock(pool_mutex_);
    readers_closed_ = true;
    pool_cv_.notify_all();
    // Reads already running finish on their connections first.
    pool_cv_.wait(pool_lock, [&] { return free_readers_.size() == readers_.size(); });
  }

 private:
  struct Item {
    Command command;
    Done done;
  };

  // Checkpoints: copying committed pages from the WAL back into the database file (and fsyncing
  // it) is work SQLite does by default on the writer, inside the COMMIT that crosses 1000 WAL
  // pages, while every request of the next batch waits. Here a checkpointer thread with its own
  // connection copies them in the background as soon as the WAL holds kBackgroundCheckpointFrames.
  // The writer still checkpoints past kWriterCheckpointFrames, as SQLite would, because only a
  // checkpoint that reaches the WAL's end lets the next transaction start the WAL file over (a
  // background pass never catches up with a writer that keeps committing); by then the
  // background passes have copied nearly everything, so the writer's pass is short.
  static constexpr int kBackgroundCheckpointFrames = 256;
  static constexpr int kWriterCheckpointFrames = 1000;

  // sqlite3_wal_hook: after each commit of the writer, with the WAL's size in pages.
  static int on_wal_commit(void* self, sqlite3* db, const char* schema, int frames) {
    auto* store = static_cast<SqliteStore*>(self);
    if (frames >= kWriterCheckpointFrames) {
      // PASSIVE never waits: while the background pass runs it is SQLITE_BUSY, and the next
      // commit tries again.
      (void)sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      return SQLITE_OK;
    }
    // Frames not yet copied by a background pass (a WAL started over counts from 0).
    int copied = store->checkpointed_frames_.load(std::memory_order_relaxed);
    if (frames < copied) copied = 0;
    if (frames - copied >= kBackgroundCheckpointFrames && !store->checkpoint_wanted_.exchange(true))
      store->checkpoint_cv_.notify_one();
    return SQLITE_OK;
  }

  void run_checkpointer() {
    for (;;) {
      {
        std::unique_lock lock(checkpoint_mutex_);
        checkpoint_cv_.wait(lock, [&] { return checkpoint_stop_ || checkpoint_wanted_.load(); });
        if (checkpoint_stop_) return;
      }
      int wal_frames = 0, copied = 0;
      int rc =
          sqlite3_wal_checkpoint_v2(checkpoint_conn_->db(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, &copied);
      if (rc == SQLITE_OK) checkpointed_frames_ = copied;
      if (rc != SQLITE_OK && rc != SQLITE_BUSY && rc != SQLITE_LOCKED) {
        // The writer's own checkpoints still keep the WAL bounded; say why this one failed.
        log::warn("sqlite", "background checkpoint failed",
                  {{"error", sqlite_error(checkpoint_conn_->db(), "checkpoint").message}});
      }
      checkpoint_wanted_ = false;  // the next commit past the mark asks again
    }
  }

  // Finished batches: every command with its result, in commit order.
  struct Finished {
    std::vector<Item> items;
    std::vector<Status> results;
  };

  // The `done` callbacks run here, batch after batch in commit order, so the writer goes straight
  // back to SQL: answering a request (building its JSON, handing it to the HTTP thread) and
  // freeing what its command held is not on the one thread every write waits for.
  void run_completer() {
    completer_id_ = std::this_thread::get_id();
    std::deque<Finished> mine;
    for (;;) {
      {
        std::unique_lock lock(done_mutex_);
        done_cv_.wait(lock, [&] { return !finished_.empty() || writer_finished_; });
        if (finished_.empty()) return;  // the writer is gone and everything it finished is answered
        mine.swap(finished_);
      }
      for (auto& f : mine) {
        for (std::size_t i = 0; i < f.items.size(); ++i) {
          if (!f.items[i].done) continue;
          // A throwing callback must not stop the answers of everyone else.
          try {
            f.items[i].done(f.results[i]);
          } catch (...) {
          }
        }
      }
      mine.clear();
    }
  }

  void run_writer() {
    writer_id_ = std::this_thread::get_id();
    std::vector<Item> batch;
    batch.reserve(std::min<std::size_t>(max_batch_, 4096));
    for (;;) {
      {
        std::unique_lock lock(queue_mutex_);
        queue_cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
        if (queue_.empty()) return;  // closing, and everything queued is done
        std::size_t n = std::min(queue_.size(), max_batch_);
        for (std::size_t i = 0; i < n; ++i) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      run_batch(batch);  // hands the batch on to the completer and leaves `batch` empty
      batch.reserve(std::min<std::size_t>(max_batch_, 4096));
    }
  }

  // Group commit: one transaction, one COMMIT, then every `done`. A command that fails is rolled
  // back alone, which a savepoint per command gives; but a savepoint makes SQLite copy every page a
  // command touches before changing it, and most batches have no failing command. So a batch first
  // runs without savepoints; if a command in it fails, the whole transaction is rolled back and the
  // batch runs again with a savepoint per command (commands may run more than once: store.hpp). The
  // batch after one that had a failure starts with savepoints too, so a run of failures (a flood of
  // duplicates, say) costs one extra pass, not one per batch.
  void run_batch(std::vector<Item>& batch) {
    std::vector<Status> results;
    results.reserve(batch.size());
    if (careful_next_ || !run_without_savepoints(batch, results)) {
      results.clear();
      run_with_savepoints(batch, results);
      careful_next_ = std::any_of(results.begin(), results.end(), [](const Status& r) { return !r.ok(); });
    }
    // Something committed: writes work. Nothing did, for the machine's sake: they fail (ping()).
    if (std::any_of(results.begin(), results.end(), [](const Status& r) { return r.ok(); }))
      writes_failing_.store(false);
    else if (std::any_of(results.begin(), results.end(),
                         [](const Status& r) { return r.error().code == "store_unavailable"; }))
      writes_failing_.store(true);
    {
      std::lock_guard lock(done_mutex_);
      finished_.push_back(Finished{std::move(batch), std::move(results)});
    }
    done_cv_.notify_one();
    batch.clear();
  }

  Status timed_commit() {
    const auto t0 = std::chrono::steady_clock::now();
    Status s = step_once(*writer_conn_, "COMMIT");
    observe_commit(std::chrono::steady_clock::now() - t0);
    return s;
  }

  Status begin_writer_transaction() {
    writer_tx_.transaction_begins();
    return step_once(*writer_conn_, "BEGIN IMMEDIATE");
  }

  // True when every command succeeded and `results` says how the COMMIT went; false when one failed
  // and the transaction is rolled back (nothing of the batch remains).
  bool run_without_savepoints(const std::vector<Item>& batch, std::vector<Status>& results) {
    sqlite3* db = writer_conn_->db();
    if (!begin_writer_transaction()) return false;
    for (const Item& item : batch) {
      Status result = run_guarded(item.command, writer_tx_);
      if (!result.ok() || sqlite3_get_autocommit(db)) {
        if (!sqlite3_get_autocommit(db)) (void)step_once(*writer_conn_, "ROLLBACK");
        return false;
      }
    }
    Status committed = timed_commit();
    if (!committed && !sqlite3_get_autocommit(db)) (void)step_once(*writer_conn_, "ROLLBACK");
    results.assign(batch.size(), committed);
    return true;
  }

  void run_with_savepoints(const std::vector<Item>& batch, std::vector<Status>& results) {
    sqlite3* db = writer_conn_->db();
    std::size_t tx_first = 0;  // the first command of the transaction in progress
    Status begun = begin_writer_transaction();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!begun) {
        results.push_back(begun.error());
        continue;
      }
      bool lost = false;
      results.push_back(run_command(batch[i].command, lost));
      if (lost) {
        // SQLite (or a failed ROLLBACK TO) lost the whole transaction: nothing since BEGIN survives,
        // so no command in it may report success. The rest of the batch gets a new transaction.
        Error gone = sqlite_error(db, "transaction rolled back");
        if (!sqlite3_get_autocommit(db)) (void)step_once(*writer_conn_, "ROLLBACK");
        for (std::size_t j = tx_first; j <= i; ++j)
          if (results[j].ok()) results[j] = gone;
        tx_first = i + 1;
        if (i + 1 < batch.size()) begun = begin_writer_transaction();
      }
    }
    if (begun && tx_first < batch.size()) {
      if (Status committed = timed_commit(); !committed) {
        if (!sqlite3_get_autocommit(db)) (void)step_once(*writer_conn_, "ROLLBACK");
        // A command that failed alone keeps its own reason; nothing of the others is on disk.
        for (std::size_t j = tx_first; j < batch.size(); ++j)
          if (results[j].ok()) results[j] = committed.error();
      }
    }
  }

  // One command under its own savepoint. `lost`: the enclosing transaction is gone.
  Status run_command(const Command& command, bool& lost) {
    sqlite3* db = writer_conn_->db();
    if (Status s = step_once(*writer_conn_, "SAVEPOINT c"); !s) {
      lost = sqlite3_get_autocommit(db) != 0;
      return s;
    }
    Status result = run_guarded(command, writer_tx_);
    if (sqlite3_get_autocommit(db)) {
      lost = true;
      return result;
    }
    if (result.ok()) {
      Status released = step_once(*writer_conn_, "RELEASE c");
      if (released) return result;
      result = released;
    }
    if (!step_once(*writer_conn_, "ROLLBACK TO c") || !step_once(*writer_conn_, "RELEASE c")) lost = true;
    if (sqlite3_get_autocommit(db)) lost = true;
    return result;
  }

  Connection* acquire_reader() {
    std::unique_lock lock(pool_mutex_);
    pool_cv_.wait(lock, [&] { return readers_closed_ || !free_readers_.empty(); });
    if (readers_closed_) return nullptr;
    Connection* conn = free_readers_.back();
    free_readers_.pop_back();
    return conn;
  }

  void release_reader(Connection* conn) {
    {
      std::lock_guard lock(pool_mutex_);
      free_readers_.push_back(conn);
    }
    pool_cv_.notify_all();
  }

  const std::size_t max_batch_;
  bool careful_next_ = false;                // the writer's: run the next batch with savepoints (run_batch)
  std::atomic<bool> writes_failing_{false};  // the last batch committed nothing, for an I/O reason
  std::unique_ptr<Connection> writer_conn_;  // used by the writer thread only
  sql::SqlTx writer_tx_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Item> queue_;
  bool closing_ = false;
  std::thread writer_;
  std::atomic<std::thread::id> writer_id_{};
  std::mutex close_mutex_;

  std::unique_ptr<Connection> checkpoint_conn_;  // used by the checkpointer thread only
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_cv_;
  std::atomic<bool> checkpoint_wanted_{false};
  std::atomic<int> checkpointed_frames_{0};  // how far into the WAL the last background pass copied
  bool checkpoint_stop_ = false;
  std::thread checkpointer_;

  std::mutex done_mutex_;
  std::condition_variable done_cv_;
  std::deque<Finished> finished_;
  bool writer_finished_ = false;
  std::thread completer_;
  std::atomic<std::thread::id> completer_id_{};

  std::vector<std::unique_ptr<Connection>> readers_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<Connection*> free_readers_;
  bool readers_closed_ = false;
};

Status check_settings(const SqliteSettings& s) {
  auto bad = [](std::string message) { return Error{"invalid_store_settings", std::move(message)}; };
  if (s.path.empty()) return bad("sqlite path is empty");
  if (s.path == ":memory:" || s.path.starts_with("file::memory:") || s.path.find("mode=memory") != std::string::npos)
    return bad("sqlite path '" + s.path + "' is an in-memory database; readers need a file they can open too");
  if (s.readers == 0) return bad("sqlite readers must be at least 1");
  if (s.max_batch == 0) return bad("sqlite max_batch must be at least 1");
  return ok_status();
}

// Brings the database to `migrations.size()` in one transaction. BEGIN IMMEDIATE also keeps two
// processes opening the same new file from both migrating it.
Status migrate(Connection& conn, const std::string& path, std::span<const std::string_view> migrations) {
  if (auto s = conn.exec("BEGIN IMMEDIATE", "migrating " + path); !s) return s;
  auto fail = [&](Error e) -> Status {
    if (!sqlite3_get_autocommit(conn.db())) (void)conn.exec("ROLLBACK", "rolling back the migration");
    return e;
  };
  if (auto s = conn.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                         "applied_at INTEGER NOT NULL) STRICT",
                         "creating schema_version");
      !s)
    return fail(s.error());
  std::int64_t current = 0;
  {
    auto st = conn.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_version", "reading schema_version");
    if (!st) return fail(st.error());
    auto row = st->step();
    if (!row) return fail(row.error());
    if (*row) current = st->int64(0);
  }
  auto known = static_cast<std::int64_t>(migrations.size());
  if (current > known)
    return fail(Error{"schema_too_new", path + " is at schema version " + std::to_string(current) +
                                            ", newer than this build knows (" + std::to_string(known) +
                                            "); run a newer course-gateway"});
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  for (std::int64_t v = current + 1; v <= known; ++v) {
    std::string what = "migration " + std::to_string(v) + " of " + path;
    if (auto s = conn.exec(std::string(migrations[static_cast<std::size_t>(v - 1)]), what); !s) return fail(s.error());
    auto st = conn.prepare("INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)", "recording migration");
    if (!st) return fail(st.error());
    st->bind(1, v);
    st->bind(2, std::int64_t{now.time_since_epoch().count()});
    if (auto s = st->run(); !s) return fail(s.error());
  }
  if (auto s = conn.exec("COMMIT", "committing the migration of " + path); !s) return fail(s.error());
  return ok_status();
}

}  // namespace

namespace {

// On a file system mounted read-only SQLite says only "unable to open database file" (the WAL needs
// its -shm file): say what it is, and that it is the machine's and passes, like a full disk.
Error explain_open_failure(const std::string& path, Error e) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) == 0 && (st.f_flag & ST_RDONLY) != 0)
    return Error{"store_unavailable", path + ": the file system is read-only (" + e.message + ")"};
  return e;
}

Result<std::unique_ptr<Store>> open_files(const SqliteSettings& settings,
                                          std::span<const std::string_view> migrations) {
  auto writer = Connection::open(settings.path,
                                 ConnectionOptions{.read_only = false, .synchronous_full = settings.synchronous_full});
  if (!writer) return writer.error();
  if (auto s = migrate(**writer, settings.path, migrations); !s) return s.error();
  auto checkpointer = Connection::open(
      settings.path, ConnectionOptions{.read_only = false, .synchronous_full = settings.synchronous_full});
  if (!checkpointer) return checkpointer.error();
  std::vector<std::unique_ptr<Connection>> readers;
  for (std::size_t i = 0; i < settings.readers; ++i) {
    auto reader = Connection::open(settings.path,
                                   ConnectionOptions{.read_only = true, .synchronous_full = settings.synchronous_full});
    if (!reader) return reader.error();
    readers.push_back(std::move(*reader));
  }
  std::unique_ptr<Store> store =
      std::make_unique<SqliteStore>(settings, std::move(*writer), std::move(*checkpointer), std::move(readers));
  return Result<std::unique_ptr<Store>>(std::move(store));
}

}  // namespace

Result<std::unique_ptr<Store>> open(const SqliteSettings& settings, std::span<const std::string_view> migrations) {
  if (auto s = check_settings(settings); !s) return s.error();
  auto store = open_files(settings, migrations);
  if (!store) return explain_open_failure(settings.path, store.error());
  return store;
}

}  // namespace sqlite

Result<std::unique_ptr<Store>> open_sqlite(const SqliteSettings& settings) {
  return sqlite::open(settings, sqlite::migrations());
}

}  // namespace cg::store
