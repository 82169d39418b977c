// The outbox at the size of a big course:
// - BM_QuorumOf10000: 9,999 applicants wait for a course's minimum of 10,000; the 10,000th
//   application reaches quorum, and the real Service/CardDriver approves all 10,000 and commits
//   their 10,000 "approved" SMS in that one transaction (SQLite, synchronous=FULL, on a file).
//   Timed: from that last application to its commit.
// - BM_DispatchToLoopbackKannel/rate: 10,000 due rows sent by two dispatcher threads through the
//   Kannel adapter to a Kannel-format HTTP server on 127.0.0.1 (tests/support/provider_server),
//   outcomes and channel log recorded. rate 0: no limit; otherwise the provider's messages/second.
//   Timed: from the first claim to the last outcome committed. items_per_second is SMS/s.
// CG_BENCH_DIR puts the database on the disk to measure (default /tmp).
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

#include "adapters/sms/kannel/outbound.hpp"
#include "bench/common/service_on_sqlite.hpp"
#include "gateway/service/service.hpp"
#include "gateway/sms/dispatcher.hpp"
#include "templates/catalogue.hpp"
#include "tests/support/provider_server.hpp"

namespace cg::gateway {
namespace {

using namespace std::chrono_literals;
constexpr int kApplicants = 10'000;

std::string bench_path(const char* what) {
  const char* dir = std::getenv("CG_BENCH_DIR");
  return std::string(dir ? dir : "/tmp") + "/cg-outbox-bench-" + what + "-" + std::to_string(::getpid()) + ".sqlite";
}

std::unique_ptr<store::Store> open_store(const std::string& path) {
  auto s = bench::open_fresh_sqlite(path);
  if (!s) {
    std::fprintf(stderr, "%s\n", s.error().message.c_str());
    std::abort();
  }
  return std::move(*s);
}

std::int64_t count_status(store::Store& store, const char* status) {
  auto f = store.outbox_figures();
  if (!f) return -1;
  for (const auto& [s, n] : f->by_status)
    if (s == status) return n;
  return 0;
}

core::Applicant applicant(int n) {
  core::Applicant a;
  a.phone = "+9627" + std::to_string(90000000 + n);
  a.name = "مشارك رقم " + std::to_string(n);
  a.id_type = core::IdType::national_id;
  a.id_number = std::to_string(9900000000LL + n);
  a.nationality = "JO";
  a.language = n % 3 ? core::Language::ar : core::Language::en;
  return a;
}

void BM_QuorumOf10000(benchmark::State& state) {
  for (auto _ : state) {
    const std::string path = bench_path("quorum");
    auto store = open_store(path);
    auto catalogue = templates::Catalogue::builtin();
    if (!catalogue) return state.SkipWithError(catalogue.error().message.c_str());
    Config config;
    ManualClock clock(*core::parse_iso8601("2026-11-25T09:00:00Z"));
    Service service(*store, *catalogue, config, clock);

    core::Course draft = bench::course_draft(
        "101", {"مهارات الحاسوب الأساسية واستخدام الإنترنت", "Basic Computer Skills and Using the Internet"},
        "مركز الحسين الثقافي – رأس العين", "2026-12-10T16:00:00+03:00", "2026-12-14T19:00:00+03:00", kApplicants);
    draft.exam_url = "https://exam.amman.jo/placement";
    auto course = bench::create_course_and_wait(service, draft);
    if (!course) return state.SkipWithError(course.error().message.c_str());

    // 9,999 applications, many in flight (group commit), not timed.
    std::atomic<int> left = kApplicants - 1, failed = 0;
    std::promise<void> all;
    for (int n = 1; n < kApplicants; ++n)
      service.apply({course->id, applicant(n), "web", "", "", false, {}}, [&](Result<ApplyOutput> r) {
        if (!r) ++failed;
        if (--left == 0) all.set_value();
      });
    all.get_future().get();
    if (failed) return state.SkipWithError("an application failed");
    const auto before = count_status(*store, "pending");

    std::promise<Result<ApplyOutput>> last;
    auto t0 = std::chrono::steady_clock::now();
    service.apply({course->id, applicant(kApplicants), "web", "", "", false, {}},
                  [&](Result<ApplyOutput> r) { last.set_value(std::move(r)); });
    auto r = last.get_future().get();
    auto t1 = std::chrono::steady_clock::now();
    if (!r) return state.SkipWithError(r.error().message.c_str());
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    const auto committed = count_status(*store, "pending") - before;
    state.counters["outbox_rows_committed"] = static_cast<double>(committed);
    state.counters["state_after"] = r->state == core::ApplicationState::confirmed ? 1 : 0;
    if (committed < kApplicants) state.SkipWithError("fewer outbox rows than applicants");
    store->close();
    store.reset();
    bench::remove_sqlite_files(path);
  }
}
BENCHMARK(BM_QuorumOf10000)->Iterations(1)->Repetitions(3)->UseManualTime()->Unit(benchmark::kMillisecond);

void BM_DispatchToLoopbackKannel(benchmark::State& state) {
  const int rate = static_cast<int>(state.range(0));
  const int total = static_cast<int>(state.range(1));
  for (auto _ : state) {
    const std::string path = bench_path("dispatch");
    auto store = open_store(path);
    SystemClock clock;
    const core::Instant now = clock.now();
    Status s = store->write_sync([&](store::Tx& tx) -> Status {
      for (int n = 0; n < total; ++n) {
        store::OutboxMessage m;
        m.application_id = "bench";
        m.to = "+9627" + std::to_string(90000000 + n);
        m.text = "تمت الموافقة على طلبك لدورة مهارات الحاسوب الأساسية. تبدأ في ١٠/١٢ الساعة ٤ مساء";
        m.template_name = "approved";
        m.step = "6.1";
        m.segments = 2;
        m.created_at = now;
        m.next_attempt_at = now;
        if (auto id = tx.enqueue(m); !id) return id.error();
      }
      return ok_status();
    });
    if (!s) return state.SkipWithError(s.error().message.c_str());

    test::ProviderServer server([](const test::RecordedRequest&, std::size_t) { return test::kannel_accepted(); }, 2,
                                /*record=*/false);
    if (!server.start()) return state.SkipWithError("provider server did not start");
    sms::kannel::Settings ks;
    ks.sender.name = "kannel";
    ks.sender.rate_per_second = rate;
    ks.sender.http.max_in_flight = 32;
    ks.base_url = server.base_url();
    ks.username = "gw";
    ks.password = "bench-password";
    ks.from = "AmmanCity";
    ks.dlr_url = "http://127.0.0.1:8080/v1/sms/kannel/status";
    ks.dlr_key = "bench";
    sms::kannel::KannelSender kannel(ks);
    DispatchSettings ds;
    ds.batch = 500;
    Dispatcher dispatcher(*store, {&kannel}, ds, clock);

    auto t0 = std::chrono::steady_clock::now();
    auto drain = [&] {
      for (;;) {
        auto n = dispatcher.run_once();
        if (!n || *n == 0) return;
      }
    };
    std::thread a(drain), b(drain);
    a.join();
    b.join();
    auto t1 = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    const auto sent = count_status(*store, "sent");
    state.counters["sent"] = static_cast<double>(sent);
    state.counters["provider_requests"] = static_cast<double>(server.count());
    state.SetItemsProcessed(sent);
    if (sent != total || server.count() != static_cast<std::size_t>(total))
      state.SkipWithError("not every row was sent exactly once");
    server.stop();
    store->close();
    store.reset();
    bench::remove_sqlite_files(path);
  }
}
BENCHMARK(BM_DispatchToLoopbackKannel)
    ->ArgNames({"rate", "rows"})
    ->Args({0, kApplicants})
    ->Args({1000, 5'000})
    ->Args({2000, kApplicants})
    ->Iterations(1)
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace cg::gateway
