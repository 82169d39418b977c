// The real `course-gateway` binary killed with SIGKILL under load, restarted, five times over, on
// SQLite and on MariaDB, with a Kannel-style HTTP provider on loopback (tests/support/provider_server). Whatever was
// answered 2xx survives; no inbound SMS is answered twice; a provider message id sent again changes
// nothing; and the rows a provider got twice stay within what dispatcher.hpp promises: at most
// max_in_flight per dispatcher per crash. Also: a provider answering garbage, end to end; and the
// outbox file reopened on SIGHUP.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "tests/gateway/app/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/provider_server.hpp"
#ifndef CG_NO_MYSQL
#include "tests/support/mariadb.hpp"
#endif

namespace cg::gateway::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Rows = std::vector<std::vector<std::string>>;

constexpr const char* kAdminToken = "crash-test-admin-token-0123456789";
constexpr const char* kWebsiteKey = "crash-test-website-key-0123456789";
constexpr const char* kKannelKey = "crash-test-kannel-key";
constexpr int kMaxInFlight = 4;
constexpr int kDispatchers = 1;

std::string iso_utc(std::chrono::system_clock::time_point t) {
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Read-only, from the test process, while the gateway runs or after (WAL lets both read).
Rows query(const fs::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  Rows out;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot open " << db_path;
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  } else {
    while (sqlite3_step(st) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        auto t = sqlite3_column_text(st, i);
        row.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
      }
      out.push_back(std::move(row));
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

// The outbox id of a Kannel request (in its dlr-url).
std::int64_t outbox_id_of(const test::RecordedRequest& r) {
  const std::string dlr = r.query_param("dlr-url");
  const auto at = dlr.find("id=");
  return at == std::string::npos ? 0 : std::stoll(dlr.substr(at + 3));
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("cg-crash-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(dir_);
    db_ = dir_ / "gateway.db";
  }
  void TearDown() override {
    gateway_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
#ifndef CG_NO_MYSQL
    if (!mysql_database_.empty()) (void)(*test::shared_mariadb())->drop_database(mysql_database_);
#endif
  }

  // The store on a database of the throwaway MariaDB (tests/support/mariadb.hpp) instead of SQLite.
  void use_mariadb() {
#ifdef CG_NO_MYSQL
    FAIL() << "this build has no MySQL support (CG_WITH_MYSQL=OFF)";
#else
    auto server = test::shared_mariadb();
    ASSERT_TRUE(server.ok()) << server.error().message;
    const std::string database = test::database_name(::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto created = (*server)->create_database(database);
    ASSERT_TRUE(created.ok()) << created.error().message;
    mysql_database_ = database;
    store_url_ = (*server)->url(database);
#endif
  }

  // What the gateway left in its store, read from the test process while it runs or after.
  Rows rows(const std::string& sql) const {
#ifndef CG_NO_MYSQL
    if (!mysql_database_.empty()) {
      auto r = (*test::shared_mariadb())->query(mysql_database_, sql);
      if (!r) ADD_FAILURE() << sql << ": " << r.error().message;
      return r ? *r : Rows{};
    }
#endif
    return query(db_, sql);
  }
  long long count(const std::string& sql) const {
    auto r = rows(sql);
    return r.empty() || r[0].empty() ? -1 : std::stoll(r[0][0]);
  }

  json config(const json& providers) const {
    std::ifstream in(std::string(CG_SOURCE_DIR) + "/config/gateway.example.json");
    json c = json::parse(in);
    c["listen"]["port"] = 0;
    c["store"]["url"] = store_url_.empty() ? "sqlite:" + db_.string() : store_url_;
    c["admin_token"] = kAdminToken;
    c["exam_secret"] = "crash-test-exam-secret-0123456789";
    c["website"]["api_keys"] = {kWebsiteKey};
    c["website"]["applications_per_phone_per_day"] = 1000;
    c["website"]["applications_per_document_per_day"] = 1000;
    c["outbox"]["file"]["path"] = (dir_ / "outbox.jsonl").string();
    c["outbox"]["poll_ms"] = 20;
    c["outbox"]["batch"] = 50;
    c["outbox"]["lease_s"] = 5;  // the least allowed: rows a crash left `sending` go out again soon
    c["outbox"]["max_attempts"] = 3;
    c["scheduler"]["tick_ms"] = 200;
    c["inbound"]["kannel"] = json{{"key", kKannelKey}, {"allowed_addresses", {"127.0.0.1"}}};
    c["conversation"]["max_messages_per_minute"] = 1000;
    c["sms"]["providers"] = providers;
    c["sms"]["dispatchers"] = kDispatchers;
    c["sms"]["retry_base_s"] = 1;
    c["sms"]["retry_max_s"] = 1;
    c["sms"]["retry_jitter_percent"] = 0;
    return c;
  }
  static json kannel_provider(const test::ProviderServer& server) {
    return json{{"name", "kannel"},
                {"kind", "kannel"},
                {"base_url", server.base_url()},
                {"from", "AmmanCity"},
                {"username", "gw"},
                {"password", "kannel-password-0123"},
                {"dlr_key", "dlr-key-0123456789"},
                {"timeout_ms", 5000},
                {"max_in_flight", kMaxInFlight}};
  }

  void start(const json& c) {
    gateway_.reset();
    auto g = GatewayProcess::start(dir_, "gateway", c);
    ASSERT_TRUE(g.ok()) << g.error().message;
    gateway_ = std::move(*g);
  }

  test::HttpResponse call(test::HttpClient& client, const std::string& method, const std::string& path,
                          const std::string& body = "", const char* token = kWebsiteKey) {
    test::HeaderList headers{{"Authorization", std::string("Bearer ") + token}};
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    auto r = client.request(method, gateway_->base() + path, headers, body);
    return r.ok() ? *r : test::HttpResponse{};
  }

  std::int64_t create_course(const std::string& code) {
    auto start_at = std::chrono::system_clock::now() + 30 * 24h;
    json c{{"code", code},
           {"title_ar", "مهارات الحاسوب الأساسية"},
           {"title_en", "Basic Computer Skills"},
           {"location", "مركز الحسين الثقافي – رأس العين"},
           {"start_at", iso_utc(start_at)},
           {"end_at", iso_utc(start_at + 4 * 24h)},
           {"min_participants", 3},
           {"capacity", 100000},
           {"fee_jod", "0.000"},
           {"evaluation_url", "https://amman.jo/eval"}};
    test::HttpClient client;
    auto r = call(client, "POST", "/v1/admin/courses", c.dump(), kAdminToken);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body, nullptr, false).value("id", std::int64_t{0});
  }

  bool wait_for_outbox_drained() {
    for (int i = 0; i < 3000; ++i) {
      if (count("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')") == 0) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  fs::path dir_, db_;
  std::string mysql_database_, store_url_;  // empty: SQLite at db_
  std::unique_ptr<GatewayProcess> gateway_;
};

// The kill rounds on each store: SQLite's single writer and MariaDB's pool of connections, with
// its row locks and SKIP LOCKED claims, lose nothing acknowledged in the same way.
class KillRoundTest : public CrashTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    CrashTest::SetUp();
    if (GetParam() == "mariadb") use_mariadb();
  }
};

TEST_P(KillRoundTest, KilledUnderLoadFiveTimesNothingAcknowledgedIsLostAndLittleIsSentTwice) {
  constexpr int kRounds = 5;
  // A provider a little slow, so kills land while requests are out.
  test::ProviderServer provider([](const test::RecordedRequest&, std::size_t) {
    auto r = test::kannel_accepted();
    r.delay = 5ms;
    return r;
  });
  ASSERT_TRUE(provider.start());
  const json c = config(json::array({kannel_provider(provider)}));
  start(c);
  const std::int64_t course = create_course("CRASH-1");
  ASSERT_GT(course, 0);

  std::mutex mu;
  std::set<std::string> applications;  // answered 201
  std::set<std::string> inbound;       // answered 200: Kannel's message ids
  std::atomic<int> next{0};
  for (int round = 0; round < kRounds; ++round) {
    if (round > 0) start(c);
    std::atomic<bool> stop{false};
    std::vector<std::thread> load;
    for (int t = 0; t < 3; ++t)
      load.emplace_back([&, t] {
        test::HttpClient client;
        while (!stop) {
          const int n = next++;
          if (t == 0) {
            // An inbound SMS (HELP) from its own number: one reply each.
            const std::string id = "mo-" + std::to_string(n);
            auto r = call(client, "GET",
                          "/v1/sms/kannel/inbound?key=" + std::string(kKannelKey) + "&from=%2B9627913" +
                              std::to_string(10000 + n) + "&to=94123&text=HELP&id=" + id + "&ts=1795000000");
            std::lock_guard lock(mu);
            if (r.status == 200) inbound.insert(id);
          } else {
            json body{
                {"course_id", course},      {"phone", "07" + std::to_string(90000000 + n)},  {"name", "سارة أحمد"},
                {"id_type", "national_id"}, {"id_number", std::to_string(9900000000LL + n)}, {"language", "ar"}};
            auto r = call(client, "POST", "/v1/applications", body.dump());
            std::lock_guard lock(mu);
            if (r.status == 201) applications.insert(json::parse(r.body)["application_id"].get<std::string>());
          }
        }
      });
    // Let the load and the dispatcher run, then crash in the middle of it.
    const std::size_t seen = provider.count();
    provider.wait_for(seen + 40, 3s);
    gateway_->stop(SIGKILL);
    stop = true;
    for (auto& t : load) t.join();
  }

  // A last start drains what the crashes left; its lease-expired rows go out again.
  start(c);
  ASSERT_TRUE(wait_for_outbox_drained()) << gateway_->log();
  {
    // Kannel delivering MOs again (same message ids) changes nothing.
    test::HttpClient client;
    int again = 0;
    for (const auto& id : inbound) {
      if (again++ == 20) break;
      auto r = call(client, "GET",
                    "/v1/sms/kannel/inbound?key=" + std::string(kKannelKey) + "&from=%2B962791300000&to=94123" +
                        "&text=HELP&id=" + id + "&ts=1795000000");
      EXPECT_EQ(r.status, 200) << r.body;
    }
  }
  ASSERT_TRUE(wait_for_outbox_drained());
  gateway_->stop(SIGTERM);

  EXPECT_GT(applications.size(), 20u) << "the load must have done something";
  EXPECT_GT(inbound.size(), 10u);
  // Nothing acknowledged is lost.
  std::set<std::string> stored_applications;
  for (auto& r : rows("SELECT id FROM applications")) stored_applications.insert(r[0]);
  for (const auto& id : applications) EXPECT_TRUE(stored_applications.contains(id)) << "application " << id;
  std::set<std::string> stored_inbound;
  for (auto& r : rows("SELECT provider_message_id FROM inbound_messages")) stored_inbound.insert(r[0]);
  for (const auto& id : inbound) EXPECT_TRUE(stored_inbound.contains(id)) << "inbound " << id;
  // One reply per inbound message; the ids sent again added no message and no reply.
  EXPECT_EQ(rows("SELECT to_number, COUNT(*) FROM outbox WHERE template_name = 'sms_help' GROUP BY to_number "
                 "HAVING COUNT(*) > 1"),
            Rows{});
  EXPECT_EQ(count("SELECT COUNT(*) FROM inbound_messages WHERE from_number = '+962791300000'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE template_name = 'sms_help'"),
            count("SELECT COUNT(*) FROM inbound_messages"));
  // Every row went out; those the provider got twice are within the promise.
  EXPECT_EQ(count("SELECT COUNT(*) FROM outbox WHERE status <> 'sent'"), 0);
  std::map<std::int64_t, int> sends;
  for (const auto& r : provider.requests()) ++sends[outbox_id_of(r)];
  EXPECT_EQ(static_cast<long long>(sends.size()), count("SELECT COUNT(*) FROM outbox"));
  int twice = 0;
  for (auto [id, n] : sends) twice += n - 1;
  std::printf(
      "crash test (%s): %zu applications and %zu inbound SMS acknowledged, %zu outbox rows, %d sent again "
      "after %d kills (bound %d)\n",
      GetParam().c_str(), applications.size(), inbound.size(), sends.size(), twice, kRounds,
      kRounds * kDispatchers * kMaxInFlight);
  EXPECT_LE(twice, kRounds * kDispatchers * kMaxInFlight);
}

// A provider that answers garbage (a 200 that is not its format, JSON with nulls where ids and
// statuses go, a 5xx with an HTML page): each row is tried outbox.max_attempts times and then
// failed with the reason, the gateway keeps serving, and the outbox worker is not counted as
// failing (it did its work; the provider failed).
class GarbageTest : public CrashTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(GarbageTest, AProviderAnsweringGarbageFailsRowsNotTheGateway) {
  test::ProviderServer provider([](const test::RecordedRequest&, std::size_t n) {
    switch (n % 4) {
      case 0:
        return test::CannedReply{200, "<html>not what a provider says</html>", "text/html"};
      case 1:
        return test::CannedReply{200, "{\"messages\":[{\"messageId\":null,\"status\":null}],\"sid\":null}",
                                 "application/json"};
      case 2:
        return test::CannedReply{200, "null", "application/json"};
      default:
        return test::CannedReply{503, "<html><body>Service Unavailable</body></html>", "text/html"};
    }
  });
  ASSERT_TRUE(provider.start());
  json p = GetParam() == "kannel" ? kannel_provider(provider)
                                  : json{{"name", "infobip"},
                                         {"kind", "infobip"},
                                         {"base_url", provider.base_url()},
                                         {"from", "AmmanCity"},
                                         {"api_key", "infobip-api-key-0123456789"},
                                         {"report_user", "reports"},
                                         {"report_password", "report-password-0123"},
                                         {"max_in_flight", kMaxInFlight}};
  start(config(json::array({p})));
  const std::int64_t course = create_course("GARBAGE-1");
  test::HttpClient client;
  for (int n = 0; n < 4; ++n) {
    json body{{"course_id", course},      {"phone", "07" + std::to_string(91000000 + n)},  {"name", "Lina Haddad"},
              {"id_type", "national_id"}, {"id_number", std::to_string(9910000000LL + n)}, {"language", "en"}};
    ASSERT_EQ(call(client, "POST", "/v1/applications", body.dump()).status, 201);
  }
  ASSERT_TRUE(wait_for_outbox_drained()) << gateway_->log();
  const Rows outbox = rows("SELECT id, status, attempts, last_error FROM outbox ORDER BY id");
  ASSERT_FALSE(outbox.empty());
  for (const auto& r : outbox) {
    EXPECT_EQ(r[1], "failed") << "row " << r[0];
    EXPECT_EQ(r[2], "3") << "row " << r[0] << ": tried max_attempts times";
    EXPECT_EQ(r[3].rfind("gave up after 3 attempts: " + GetParam() + ": ", 0), 0u) << r[3];
  }
  EXPECT_EQ(provider.count(), 3 * outbox.size()) << "each row asked of the provider once per attempt";
  EXPECT_EQ(call(client, "GET", "/healthz").status, 200) << "the gateway still serves";
  auto metrics = call(client, "GET", "/metrics");
  EXPECT_EQ(metrics.status, 200);
  // The series is there from the start, at 0 (a dashboard's rate() sees it before any failure).
  EXPECT_NE(metrics.body.find("course_gateway_worker_failures_total{worker=\"cg-outbox-0\"} 0\n"), std::string::npos)
      << "a provider's garbage is not the worker failing";
  EXPECT_EQ(metrics.body.find("course_gateway_worker_failures_total{worker=\"cg-outbox-0\"} 1"), std::string::npos);
  EXPECT_NE(metrics.body.find("course_gateway_outbox_messages{status=\"failed\"}"), std::string::npos)
      << metrics.body.substr(0, 2000);
}

#ifdef CG_NO_MYSQL
INSTANTIATE_TEST_SUITE_P(Stores, KillRoundTest, ::testing::Values("sqlite"));
#else
INSTANTIATE_TEST_SUITE_P(Stores, KillRoundTest, ::testing::Values("sqlite", "mariadb"));
#endif
INSTANTIATE_TEST_SUITE_P(Providers, GarbageTest, ::testing::Values("kannel", "infobip"));

// logrotate moves the outbox file and sends SIGHUP: the running gateway writes on into a new file
// at the path, and no line is lost or doubled.
TEST_F(CrashTest, SighupReopensTheOutboxFile) {
  start(config(json::array({json{{"name", "file"}, {"kind", "file"}}})));
  const std::int64_t course = create_course("HUP-1");
  test::HttpClient client;
  auto apply = [&](int n) {
    json body{{"course_id", course},      {"phone", "07" + std::to_string(92000000 + n)},  {"name", "Lina Haddad"},
              {"id_type", "national_id"}, {"id_number", std::to_string(9920000000LL + n)}, {"language", "en"}};
    EXPECT_EQ(call(client, "POST", "/v1/applications", body.dump()).status, 201);
  };
  apply(0);
  apply(1);
  ASSERT_TRUE(wait_for_outbox_drained());
  const fs::path path = dir_ / "outbox.jsonl", rotated = dir_ / "outbox.jsonl.1";
  fs::rename(path, rotated);
  ASSERT_EQ(::kill(gateway_->pid(), SIGHUP), 0);
  for (int i = 0; i < 500 && !fs::exists(path); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(fs::exists(path)) << gateway_->log();
  apply(2);
  apply(3);
  ASSERT_TRUE(wait_for_outbox_drained());
  EXPECT_EQ(call(client, "GET", "/healthz").status, 200) << "SIGHUP does not stop the gateway";
  auto ids = [](const fs::path& p) {
    std::multiset<std::int64_t> out;
    std::ifstream in(p);
    for (std::string l; std::getline(in, l);) out.insert(json::parse(l)["id"].get<std::int64_t>());
    return out;
  };
  auto before = ids(rotated), after = ids(path);
  EXPECT_FALSE(before.empty());
  EXPECT_FALSE(after.empty());
  std::multiset<std::int64_t> all = before;
  all.insert(after.begin(), after.end());
  EXPECT_EQ(static_cast<long long>(all.size()), count("SELECT COUNT(*) FROM outbox"));
  EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()).size(), all.size()) << "a line written twice";
}

}  // namespace
}  // namespace cg::gateway::testing
