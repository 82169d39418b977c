// How many "apply" commands per second the SQLite store makes durable (synchronous=FULL, on a
// real file): each command takes the arrival sequence, inserts the application, its first history
// line and its outbox SMS, as receiving an application does. Compares group commit (max_batch
// 512) with one transaction per command (max_batch 1), for blocking callers on several threads
// and for one caller keeping many commands in flight (how the HTTP front end uses write()).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <semaphore>
#include <string>

#include "adapters/store/sqlite/sqlite_store.hpp"

namespace cg::store {
namespace {

const Instant t0{std::chrono::seconds{1'790'000'000}};

std::string bench_path() {
  const char* dir = std::getenv("CG_BENCH_DIR");  // defaults to /tmp; point it at the disk to measure
  return std::string(dir ? dir : "/tmp") + "/cg-store-bench-" + std::to_string(::getpid()) + ".sqlite";
}

void remove_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

struct Fixture {
  std::string path;
  std::unique_ptr<Store> store;
  std::int64_t course_id = 0;
};

Fixture* open_fixture(std::size_t max_batch, benchmark::State& state) {
  auto* f = new Fixture{bench_path(), nullptr, 0};
  remove_files(f->path);
  auto opened =
      open_sqlite(SqliteSettings{.path = f->path, .readers = 2, .max_batch = max_batch, .synchronous_full = true});
  if (!opened) {
    state.SkipWithError(opened.error().message.c_str());
    delete f;
    return nullptr;
  }
  f->store = std::move(*opened);
  Status s = f->store->write_sync([&](Tx& tx) -> Status {
    core::Course c;
    c.code = "BENCH 1";
    c.title = {"مهارات الحاسوب الأساسية", "Basic Computer Skills"};
    c.start_at = t0 + std::chrono::hours(24 * 30);
    c.end_at = c.start_at;
    c.decision_at = c.start_at;
    auto id = tx.insert_course(c);
    if (!id) return id.error();
    f->course_id = *id;
    return ok_status();
  });
  if (!s) state.SkipWithError(s.error().message.c_str());
  return f;
}

void close_fixture(Fixture* f) {
  f->store->close();
  remove_files(f->path);
  delete f;
}

std::atomic<std::int64_t> g_next_id{0};

Store::Command apply_command(std::int64_t course_id) {
  std::int64_t n = g_next_id.fetch_add(1);
  return [course_id, n](Tx& tx) -> Status {
    auto seq = tx.next_sequence("application");
    if (!seq) return seq.error();
    core::Application a;
    a.id = "bench-" + std::to_string(n);
    a.course_id = course_id;
    a.seq = *seq;
    a.applicant = {"+9627912" + std::to_string(10000 + n % 90000),
                   "محمد أحمد",
                   core::IdType::national_id,
                   std::to_string(9000000000 + n),
                   "JO",
                   core::Language::ar};
    a.channel = "sms";
    a.created_at = t0;
    a.updated_at = t0;
    if (auto s = tx.insert_application(a); !s) return s;
    if (auto s = tx.add_history({a.id, t0, std::nullopt, core::ApplicationState::awaiting_quorum, "4", "received:sms"});
        !s)
      return s;
    OutboxMessage m;
    m.application_id = a.id;
    m.to = a.applicant.phone;
    m.text = "تم استلام طلبك للالتحاق بدورة مهارات الحاسوب الأساسية. سنرسل لك رسالة عند اكتمال العدد.";
    m.template_name = "application_received";
    m.step = "4";
    m.created_at = t0;
    m.next_attempt_at = t0;
    if (auto id = tx.enqueue(m); !id) return id.error();
    return ok_status();
  };
}

Fixture* g_fixture = nullptr;

// Blocking callers: each benchmark thread waits for its command's commit before the next one.
void BM_ApplyBlocking(benchmark::State& state) {
  if (state.thread_index() == 0) g_fixture = open_fixture(static_cast<std::size_t>(state.range(0)), state);
  for (auto _ : state) {
    if (!g_fixture) break;
    Status s = g_fixture->store->write_sync(apply_command(g_fixture->course_id));
    if (!s) {
      state.SkipWithError(s.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0 && g_fixture) {
    close_fixture(g_fixture);
    g_fixture = nullptr;
  }
}
BENCHMARK(BM_ApplyBlocking)
    ->ArgName("max_batch")
    ->Arg(1)
    ->Arg(512)
    ->Threads(1)
    ->Threads(8)
    ->Threads(64)
    ->UseRealTime()
    ->MinTime(1.0);

// One caller, up to `in_flight` commands queued at once (the HTTP front end's pattern).
void BM_ApplyPipelined(benchmark::State& state) {
  Fixture* f = open_fixture(static_cast<std::size_t>(state.range(0)), state);
  if (!f) return;
  const auto in_flight = static_cast<std::ptrdiff_t>(state.range(1));
  std::counting_semaphore<1 << 16> slots(in_flight);
  std::atomic<int> failures{0};
  auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
    slots.acquire();
    f->store->write(apply_command(f->course_id), [&](const Status& s) {
      if (!s) failures++;
      slots.release();
    });
  }
  for (std::ptrdiff_t i = 0; i < in_flight; ++i) slots.acquire();  // every command committed
  // items_per_second stops the clock with the last write() call; this one after the last commit.
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  state.counters["committed_per_s"] = static_cast<double>(state.iterations()) / elapsed.count();
  if (failures > 0) state.SkipWithError("some commands failed");
  state.SetItemsProcessed(state.iterations());
  close_fixture(f);
}
BENCHMARK(BM_ApplyPipelined)
    ->ArgNames({"max_batch", "in_flight"})
    ->Args({1, 64})
    ->Args({512, 64})
    ->Args({512, 1024})
    ->UseRealTime()
    ->MinTime(1.0);

}  // namespace
}  // namespace cg::store
