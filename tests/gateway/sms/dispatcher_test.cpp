// The dispatcher over a real SQLite store and real HTTP providers on 127.0.0.1, with a hand-set
// clock: retry and backoff schedule, permanent failure, failover after N failures and back, the
// send-once guard across a restart, and the channel log.
#include <utility>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "adapters/observe/log.hpp"
#include "adapters/observe/registry.hpp"
#include "adapters/sms/kannel/outbound.hpp"
#include "adapters/store/sqlite/sqlite_store.hpp"
#include "gateway/sms/dispatcher.hpp"
#include "tests/support/provider_server.hpp"

namespace cg::gateway {
namespace {

using namespace std::chrono_literals;
using test::CannedReply;
using test::ProviderServer;
using test::RecordedRequest;

core::Instant at(const char* iso) { return *core::parse_iso8601(iso); }

ProviderServer::Script always(CannedReply r) {
  return [r](const RecordedRequest&, std::size_t) { return r; };
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("cg-disp-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    open_store();
    settings_.batch = 10;
    settings_.lease = 60s;
    settings_.max_attempts = 4;
    settings_.failover_after = 3;
    settings_.failback_after = 60s;
    settings_.retry_base = 5s;
    settings_.retry_max = 3600s;
    settings_.retry_jitter_percent = 0;
  }
  void TearDown() override {
    dispatcher_.reset();
    if (store_) store_->close();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void open_store() {
    store::SqliteSettings s;
    s.path = (dir_ / "gw.db").string();
    auto st = store::open_sqlite(s);
    ASSERT_TRUE(st) << st.error().message;
    store_ = std::move(*st);
  }
  std::unique_ptr<sms::kannel::KannelSender> kannel(const std::string& name, const ProviderServer& server,
                                                    std::size_t max_in_flight = 32, std::chrono::seconds timeout = 2s) {
    sms::kannel::Settings s;
    s.sender.name = name;
    s.sender.http.timeout = timeout;
    s.sender.http.max_in_flight = max_in_flight;
    s.base_url = server.base_url();
    s.username = "gw";
    s.password = "kannel-secret-pw";
    s.from = "AmmanCity";
    s.dlr_url = "http://gw.test/v1/sms/kannel/status";
    s.dlr_key = "k";
    return std::make_unique<sms::kannel::KannelSender>(s);
  }
  void make_dispatcher(std::vector<sms::Sender*> providers, Dispatcher::Random random = {}) {
    dispatcher_ = std::make_unique<Dispatcher>(*store_, std::move(providers), settings_, clock_, std::move(random));
  }
  std::int64_t enqueue(std::string to = "+962791234567", std::string text = "موعد الدورة غدا") {
    store::OutboxMessage m;
    m.application_id = "app";
    m.to = std::move(to);
    m.text = std::move(text);
    m.template_name = "reminder";
    m.step = "reminder";
    m.created_at = clock_.now();
    m.next_attempt_at = clock_.now();
    std::int64_t id = 0;
    auto s = store_->write_sync([&](store::Tx& tx) -> Status {
      auto r = tx.enqueue(m);
      if (!r) return r.error();
      id = *r;
      return ok_status();
    });
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return id;
  }
  store::OutboxDetail row(std::int64_t id) {
    auto d = store_->outbox_detail(id);
    EXPECT_TRUE(d && *d);
    return d && *d ? **d : store::OutboxDetail{};
  }
  std::size_t run() {
    auto n = dispatcher_->run_once();
    EXPECT_TRUE(n) << (n ? "" : n.error().message);
    return n ? *n : 0;
  }

  ManualClock clock_{at("2026-11-25T09:00:00Z")};
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  DispatchSettings settings_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

TEST_F(DispatcherTest, ARowToACountryNotAllowedNeverReachesAProvider) {
  ProviderServer a(always({200, "0: Accepted for delivery"}));
  ASSERT_TRUE(a.start());
  auto ka = kannel("kannel-a", a);
  make_dispatcher({ka.get()});  // sms.allowed_country_codes: ["962"]
  auto abroad = enqueue("+447911123456");
  auto home = enqueue("+962791234567");
  EXPECT_EQ(run(), 2u);
  auto r = row(abroad);
  EXPECT_EQ(r.message.status, "failed");
  EXPECT_EQ(r.message.last_error, "destination_not_allowed");
  EXPECT_EQ(row(home).message.status, "sent");
  ASSERT_EQ(a.count(), 1u);
  EXPECT_EQ(a.requests()[0].target.find("447911123456"), std::string::npos);
}

TEST_F(DispatcherTest, TemporaryFailuresRetryWithExponentialBackoffThenFail) {
  ProviderServer a(always({503, "Sending failed."}));
  ASSERT_TRUE(a.start());
  auto ka = kannel("kannel-a", a);
  make_dispatcher({ka.get()});
  const core::Instant t0 = clock_.now();
  auto id = enqueue();
  EXPECT_EQ(run(), 1u);
  auto r = row(id);
  EXPECT_EQ(r.message.status, "pending");
  EXPECT_EQ(r.message.attempts, 1);
  EXPECT_EQ(r.message.next_attempt_at, t0 + 5s);
  EXPECT_NE(r.message.last_error.find("kannel-a: HTTP 503: Sending failed."), std::string::npos)
      << r.message.last_error;
  EXPECT_EQ(run(), 0u) << "not due before its backoff";
  // 5 s, then 10 s, then 20 s; the 4th attempt is the last (max_attempts 4).
  clock_.advance(5s);
  EXPECT_EQ(run(), 1u);
  EXPECT_EQ(row(id).message.next_attempt_at, t0 + 5s + 10s);
  clock_.advance(9s);
  EXPECT_EQ(run(), 0u);
  clock_.advance(1s);
  EXPECT_EQ(run(), 1u);
  EXPECT_EQ(row(id).message.next_attempt_at, t0 + 15s + 20s);
  clock_.advance(20s);
  EXPECT_EQ(run(), 1u);
  r = row(id);
  EXPECT_EQ(r.message.status, "failed");
  EXPECT_EQ(r.message.attempts, 4);
  EXPECT_NE(r.message.last_error.find("gave up after 4 attempts"), std::string::npos) << r.message.last_error;
  EXPECT_EQ(a.count(), 4u);
  ASSERT_EQ(r.channel_log.size(), 4u);
  for (const auto& e : r.channel_log) {
    EXPECT_EQ(e.outcome, "temporary");
    EXPECT_EQ(e.http_status, 503);
    EXPECT_EQ(e.provider, "kannel-a");
  }
  clock_.advance(1h);
  EXPECT_EQ(run(), 0u);
  EXPECT_EQ(a.count(), 4u);
}

TEST_F(DispatcherTest, BackoffIsCappedAndJitterStaysWithinItsShare) {
  settings_.retry_base = 40s;
  settings_.retry_max = 100s;
  settings_.retry_jitter_percent = 25;
  settings_.max_attempts = 10;
  ProviderServer a(always({500, "down"}));
  ASSERT_TRUE(a.start());
  auto ka = kannel("a", a);
  std::vector<std::uint64_t> bounds;
  // The largest jitter the source can give: the schedule's upper edge.
  make_dispatcher({ka.get()}, [&](std::uint64_t bound) {
    bounds.push_back(bound);
    return bound - 1;
  });
  EXPECT_EQ(dispatcher_->backoff(1), 40s);
  EXPECT_EQ(dispatcher_->backoff(2), 80s);
  EXPECT_EQ(dispatcher_->backoff(3), 100s);
  EXPECT_EQ(dispatcher_->backoff(30), 100s);
  const core::Instant t0 = clock_.now();
  auto id = enqueue();
  run();
  EXPECT_EQ(row(id).message.next_attempt_at, t0 + 40s + 10s);  // 25 % of 40 s
  ASSERT_EQ(bounds.size(), 1u);
  EXPECT_EQ(bounds[0], 11u);  // 0..10 s
}

TEST_F(DispatcherTest, PermanentFailureFailsAtOnceWithTheReason) {
  ProviderServer a(always({400, "Missing receiver number"}));
  ASSERT_TRUE(a.start());
  auto ka = kannel("a", a);
  make_dispatcher({ka.get()});
  auto id = enqueue();
  auto bad = enqueue("0791234567");  // not E.164: never sent
  EXPECT_EQ(run(), 2u);
  auto r = row(id);
  EXPECT_EQ(r.message.status, "failed");
  EXPECT_EQ(r.message.attempts, 1);
  EXPECT_EQ(r.message.last_error, "a: HTTP 400: Missing receiver number");
  auto b = row(bad);
  EXPECT_EQ(b.message.status, "failed");
  EXPECT_NE(b.message.last_error.find("E.164"), std::string::npos);
  ASSERT_EQ(b.channel_log.size(), 1u);
  EXPECT_EQ(b.channel_log[0].request, "");
  EXPECT_NE(b.channel_log[0].response.find("not sent"), std::string::npos);
  EXPECT_EQ(a.count(), 1u);
  // A provider that refuses a message answers: it is not counted as failing.
  EXPECT_FALSE(dispatcher_->provider_states()[0].down);
}

TEST_F(DispatcherTest, FailsOverAfterNFailuresInARowAndBackWhenThePreferredAnswersAgain) {
  settings_.batch = 1;
  ProviderServer a(always({503, "busy"}));
  ProviderServer b(always(test::kannel_accepted()));
  ASSERT_TRUE(a.start());
  ASSERT_TRUE(b.start());
  auto ka = kannel("a", a);
  auto kb = kannel("b", b);
  make_dispatcher({ka.get(), kb.get()});
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(enqueue());
  // Failures 1 and 2 stay with a (and back off); the 3rd takes a out, and that row goes to b at once.
  run();
  run();
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(b.count(), 0u);
  EXPECT_EQ(row(ids[0]).message.status, "pending");
  run();
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(b.count(), 1u);
  auto third = row(ids[2]);
  EXPECT_EQ(third.message.status, "sent");
  EXPECT_EQ(third.message.provider, "b");
  EXPECT_EQ(third.message.attempts, 1);
  ASSERT_EQ(third.channel_log.size(), 2u);
  EXPECT_EQ(third.channel_log[0].provider, "a");
  EXPECT_EQ(third.channel_log[0].outcome, "temporary");
  EXPECT_EQ(third.channel_log[1].provider, "b");
  EXPECT_EQ(third.channel_log[1].outcome, "accepted");
  auto states = dispatcher_->provider_states();
  EXPECT_TRUE(states[0].down);
  EXPECT_FALSE(states[1].down);

  // While a is out, new rows and the earlier failures (when due) go straight to b.
  clock_.advance(10s);
  auto later = enqueue();
  while (run() > 0) {
  }
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(row(later).message.provider, "b");
  EXPECT_EQ(row(ids[0]).message.provider, "b");
  EXPECT_EQ(row(ids[1]).message.provider, "b");

  // a recovers; after failback_after one row tries it, is accepted, and a is preferred again.
  a.set_script(always(test::kannel_accepted()));
  clock_.advance(30s);
  auto early = enqueue();
  run();
  EXPECT_EQ(a.count(), 3u) << "too early to try a again";
  EXPECT_EQ(row(early).message.provider, "b");
  clock_.advance(30s);
  auto probe = enqueue();
  run();
  EXPECT_EQ(a.count(), 4u);
  EXPECT_EQ(row(probe).message.provider, "a");
  EXPECT_FALSE(dispatcher_->provider_states()[0].down);
  auto next = enqueue();
  run();
  EXPECT_EQ(row(next).message.provider, "a");
  EXPECT_EQ(a.count(), 5u);
}

TEST_F(DispatcherTest, AFailedProbeKeepsTheProviderOutForAnotherPeriod) {
  ProviderServer a(always({503, "busy"}));
  ProviderServer b(always(test::kannel_accepted()));
  ASSERT_TRUE(a.start());
  ASSERT_TRUE(b.start());
  auto ka = kannel("a", a);
  auto kb = kannel("b", b);
  make_dispatcher({ka.get(), kb.get()});
  for (int i = 0; i < 3; ++i) enqueue();
  run();  // a batch of 3: 3 failures, a is out, all 3 re-sent through b
  EXPECT_EQ(a.count(), 3u);
  EXPECT_EQ(b.count(), 3u);
  clock_.advance(60s);
  auto probe = enqueue();
  auto other = enqueue();
  run();
  EXPECT_EQ(a.count(), 4u) << "exactly one row probes a";
  EXPECT_TRUE(dispatcher_->provider_states()[0].down);
  EXPECT_EQ(row(probe).message.provider, "b") << "the failed probe is re-sent through b at once";
  EXPECT_EQ(row(other).message.provider, "b");
  clock_.advance(30s);
  enqueue();
  run();
  EXPECT_EQ(a.count(), 4u) << "the period starts again from the failed probe";
}

TEST_F(DispatcherTest, AcceptedRowsAreNeverSentAgainAlsoAfterARestart) {
  ProviderServer a(always(test::kannel_accepted()));
  ASSERT_TRUE(a.start());
  {
    auto ka = kannel("a", a);
    make_dispatcher({ka.get()});
    enqueue();
    enqueue();
    EXPECT_EQ(run(), 2u);
    dispatcher_.reset();
  }
  EXPECT_EQ(a.count(), 2u);
  // Restart: a new store on the same file, a new dispatcher, long after every lease.
  store_->close();
  store_.reset();
  open_store();
  auto ka = kannel("a", a);
  make_dispatcher({ka.get()});
  clock_.advance(24h);
  EXPECT_EQ(run(), 0u);
  EXPECT_EQ(a.count(), 2u);
}

TEST_F(DispatcherTest, ARowLeftSendingByACrashIsNotResentWhenADeliveryReportProvedItWasAccepted) {
  ProviderServer a(always(test::kannel_accepted()));
  ASSERT_TRUE(a.start());
  auto proven = enqueue();
  auto unknown = enqueue();
  // A dispatcher claimed both and died before recording anything.
  auto claimed = store_->claim_outbox(10, clock_.now(), clock_.now() + 60s);
  ASSERT_TRUE(claimed);
  ASSERT_EQ(claimed->size(), 2u);
  // Kannel's report for the first one arrives (by the outbox id in its dlr-url).
  store::DeliveryReport dlr;
  dlr.provider = "a";
  dlr.outbox_id = proven;
  dlr.status = "sent";
  dlr.detail = "dlr 8";
  dlr.at = clock_.now();
  auto found = store_->record_delivery(dlr);
  ASSERT_TRUE(found);
  EXPECT_TRUE(*found);
  EXPECT_EQ(row(proven).message.status, "sent");
  // After the lease, only the row nobody has heard of is sent (again: at least once).
  clock_.advance(61s);
  auto ka = kannel("a", a);
  make_dispatcher({ka.get()});
  EXPECT_EQ(run(), 1u);
  EXPECT_EQ(a.count(), 1u);
  EXPECT_NE(a.requests()[0].query_param("dlr-url").find("id=" + std::to_string(unknown) + "&"), std::string::npos);
  EXPECT_EQ(row(unknown).message.status, "sent");
}

TEST_F(DispatcherTest, ChannelLogKeepsEachExchangeWithSecretsRedacted) {
  ProviderServer a(always(test::kannel_accepted()));
  ASSERT_TRUE(a.start());
  auto ka = kannel("a", a);
  make_dispatcher({ka.get()});
  auto id = enqueue();
  run();
  auto r = row(id);
  ASSERT_EQ(r.channel_log.size(), 1u);
  const auto& e = r.channel_log[0];
  EXPECT_EQ(e.outbox_id, id);
  EXPECT_EQ(e.provider, "a");
  EXPECT_EQ(e.outcome, "accepted");
  EXPECT_EQ(e.http_status, 202);
  EXPECT_EQ(e.request.find("kannel-secret-pw"), std::string::npos);
  EXPECT_NE(e.request.find("password=****"), std::string::npos) << e.request;
  EXPECT_NE(e.request.find("GET " + a.base_url() + "/cgi-bin/sendsms?"), std::string::npos) << e.request;
  EXPECT_EQ(e.response, "HTTP 202\n0: Accepted for delivery");
  EXPECT_EQ(r.message.status, "sent");
  EXPECT_EQ(r.message.provider, "a");
}

// The outbox id a Kannel request carries (in its dlr-url).
std::int64_t outbox_id_of(const RecordedRequest& r) {
  const std::string dlr = r.query_param("dlr-url");
  const auto at = dlr.find("id=");
  return at == std::string::npos ? 0 : std::stoll(dlr.substr(at + 3));
}

std::map<std::int64_t, int> sends_per_row(const ProviderServer& server) {
  std::map<std::int64_t, int> n;
  for (const auto& r : server.requests()) ++n[outbox_id_of(r)];
  return n;
}

CannedReply held() {
  CannedReply r = test::kannel_accepted();
  r.hold = true;
  return r;
}

// A kill -9 while a batch is out loses what was answered but not yet recorded. Answers are
// recorded as they arrive and no request starts before the answers ahead of it are recorded, so
// what a provider took without the row saying so is at most the requests in flight.
TEST_F(DispatcherTest, AnswersAreRecordedAsTheyArriveSoACrashLeavesAtMostTheRequestsInFlight) {
  constexpr std::size_t kInFlight = 4;
  // Ten answered at once, then a slow provider: the batch is half out for a while.
  ProviderServer a([](const RecordedRequest&, std::size_t n) {
    CannedReply r = test::kannel_accepted();
    if (n >= 10) r.delay = 300ms;
    return r;
  });
  ASSERT_TRUE(a.start());
  auto ka = kannel("a", a, kInFlight, 20s);
  settings_.batch = 20;
  make_dispatcher({ka.get()});
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(enqueue());
  std::thread sending([&] { run(); });
  ASSERT_TRUE(a.wait_for(10 + kInFlight, 10s));
  // What the store says now is what a kill -9 would leave: of the rows the provider has (counted
  // first), those not recorded as sent would be sent again after their lease.
  const std::size_t taken = a.count();
  std::size_t recorded = 0;
  for (auto id : ids) recorded += row(id).message.status == "sent";
  EXPECT_GE(recorded, 10u);
  EXPECT_LE(taken - std::min(taken, recorded), kInFlight) << taken << " taken, " << recorded << " recorded";
  sending.join();
  for (auto id : ids) EXPECT_EQ(row(id).message.status, "sent") << id << " " << row(id).message.last_error;
  for (auto [id, n] : sends_per_row(a)) EXPECT_EQ(n, 1) << "row " << id;
  EXPECT_EQ(a.count(), 20u);
}

// A batch slower than the lease keeps its rows: the lease is renewed while they are out, so a
// second dispatcher finds nothing to claim and every row goes out once.
TEST_F(DispatcherTest, ASlowBatchKeepsItsLeaseAndASecondDispatcherSendsNoneOfIt) {
  ProviderServer a(always(held()));
  ProviderServer b(always(test::kannel_accepted()));
  ASSERT_TRUE(a.start());
  ASSERT_TRUE(b.start());
  auto ka = kannel("a", a, 1);
  auto kb = kannel("b", b);
  settings_.batch = 5;
  make_dispatcher({ka.get()});
  Dispatcher second(*store_, {kb.get()}, settings_, clock_);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(enqueue());
  std::thread sending([&] { run(); });
  ASSERT_TRUE(a.wait_for(1, 10s));
  // 75 s pass in steps while the first request is out (the lease is 60 s); after each the rows
  // hold a lease that reaches 60 s past the clock.
  for (int step = 0; step < 3; ++step) {
    clock_.advance(25s);
    bool renewed = false;
    for (int i = 0; i < 500 && !renewed; ++i) {
      renewed = row(ids.back()).message.next_attempt_at == clock_.now() + 60s;
      if (!renewed) std::this_thread::sleep_for(10ms);
    }
    EXPECT_TRUE(renewed) << "step " << step;
  }
  auto n = second.run_once();
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 0u) << "the rows are still the first dispatcher's";
  a.set_script(always(test::kannel_accepted()));
  a.release();
  sending.join();
  EXPECT_EQ(b.count(), 0u);
  EXPECT_EQ(a.count(), 5u);
  for (auto [id, k] : sends_per_row(a)) EXPECT_EQ(k, 1) << "row " << id;
  for (auto id : ids) EXPECT_EQ(row(id).message.status, "sent");
}

// A dispatcher that stalled past its lease (here: its clock stood still while another's moved
// on) finds on waking that the rows were claimed by another, and hands none of them over; only
// the request it had in flight when it stalled reached its provider.
TEST_F(DispatcherTest, ARowWhoseLeaseWasLostIsNeverSentByTheOldHolder) {
  ProviderServer a(always(held()));
  ProviderServer b(always(test::kannel_accepted()));
  ASSERT_TRUE(a.start());
  ASSERT_TRUE(b.start());
  auto ka = kannel("a", a, 1);
  auto kb = kannel("b", b);
  settings_.batch = 5;
  make_dispatcher({ka.get()});
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(enqueue());
  std::thread sending([&] { run(); });
  ASSERT_TRUE(a.wait_for(1, 10s));
  ManualClock later{clock_.now() + 61s};
  Dispatcher second(*store_, {kb.get()}, settings_, later);
  auto n = second.run_once();
  ASSERT_TRUE(n) << n.error().message;
  EXPECT_EQ(*n, 5u) << "the lease ran out: the second dispatcher claims the batch";
  clock_.set(later.now());  // the first one wakes up
  a.set_script(always(test::kannel_accepted()));
  a.release();
  sending.join();
  EXPECT_EQ(a.count(), 1u) << "only the request already out when it stalled";
  EXPECT_EQ(b.count(), 5u);
  for (auto id : ids) EXPECT_EQ(row(id).message.status, "sent");
}

TEST_F(DispatcherTest, TheRequestIdOfARowsCauseFollowsItToTheProviderExchange) {
  ProviderServer a(always({503, "Sending failed."}));
  ASSERT_TRUE(a.start());
  auto ka = kannel("kannel-a", a);
  make_dispatcher({ka.get()});
  std::int64_t id = 0;
  {
    log::RequestScope scope("req-42");  // as an HTTP handler queues its store command
    id = enqueue();
  }
  const std::int64_t other = enqueue();  // the scheduler's own: no request
  std::vector<std::string> lines;
  std::mutex mu;
  log::set_sink([&](std::string_view l) {
    std::lock_guard lock(mu);
    lines.emplace_back(l);
  });
  const double before =
      obs::registry()
          .counter("course_gateway_sms_outbound_total", "", {{"provider", "kannel-a"}, {"outcome", "temporary"}})
          .value();
  EXPECT_EQ(run(), 2u);
  log::set_sink({});
  auto r = row(id);
  EXPECT_EQ(r.message.request_id, "req-42");
  ASSERT_EQ(r.channel_log.size(), 1u);
  EXPECT_EQ(r.channel_log[0].request_id, "req-42");
  EXPECT_EQ(row(other).message.request_id, "");
  EXPECT_EQ(obs::registry()
                .counter("course_gateway_sms_outbound_total", "", {{"provider", "kannel-a"}, {"outcome", "temporary"}})
                .value(),
            before + 2);
  std::string exchange;
  for (const auto& l : lines)
    if (l.find("provider exchange") != std::string::npos && l.find("request_id=req-42") != std::string::npos)
      exchange = l;
  EXPECT_NE(exchange.find("outbox_id=" + std::to_string(id) + " provider=kannel-a outcome=temporary http_status=503"),
            std::string::npos)
      << exchange;
  EXPECT_NE(exchange.find("to=+96279*****67"), std::string::npos) << exchange;
  for (const auto& l : lines) {
    EXPECT_EQ(l.find("kannel-secret-pw"), std::string::npos) << l;
    EXPECT_EQ(l.find("+962791234567"), std::string::npos) << l;
  }
}

}  // namespace
}  // namespace cg::gateway
