// Several gateways, one database: two real `course-gateway` processes share one MariaDB
// database, each with its own store pool, dispatcher and scheduler, and take requests at the same
// time. What one process would do once must still happen once: an application stored once and
// told about quorum once, an exam result applied once, an inbound SMS answered once, a scheduler
// step taken once, and every outbox row sent by exactly one of the two dispatchers.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <latch>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/exam/exam.hpp"
#include "adapters/store/mysql/mysql_store.hpp"
#include "gateway/app/config.hpp"
#include "tests/gateway/app/gateway_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/mariadb.hpp"

namespace cg::gateway::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Rows = std::vector<std::vector<std::string>>;

constexpr const char* kAdminToken = "multi-gateway-admin-token-0123";
constexpr const char* kExamSecret = "multi-gateway-exam-secret";
constexpr const char* kKannelKey = "multi-gateway-kannel-key";
constexpr const char* kWebsiteKey = "multi-gateway-website-key";

std::string iso_utc(std::chrono::system_clock::time_point t) {
  std::time_t s = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  ::gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string enc(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

class TwoGateways : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = test::shared_mariadb();
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = *server;
    database_ = test::database_name(::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(server_->create_database(database_).ok());
    std::string pattern = (fs::temp_directory_path() / "cg-multi-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    for (const char* name : {"gateway-a", "gateway-b"}) {
      auto g = GatewayProcess::start(dir_, name, config_for(name));
      ASSERT_TRUE(g.ok()) << g.error().message;
      gateways_.push_back(std::move(*g));
    }
  }

  void TearDown() override {
    gateways_.clear();
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
    if (server_) (void)server_->drop_database(database_);
  }

  // The example config, made to share this database and to work quickly: dispatchers poll every
  // 50 ms in batches of 20, schedulers tick every 100 ms.
  json config_for(const std::string& name) const {
    std::ifstream in(std::string(CG_SOURCE_DIR) + "/config/gateway.example.json");
    json c = json::parse(in);
    c["listen"]["port"] = 0;
    c["store"]["url"] = server_->url(database_);
    c["store"]["pool"] = 4;
    c["admin_token"] = kAdminToken;
    c["exam_secret"] = kExamSecret;
    c["website"]["api_keys"] = {kWebsiteKey};
    c["outbox"]["file"]["path"] = (dir_ / (name + "-outbox.jsonl")).string();
    c["outbox"]["poll_ms"] = 50;
    c["outbox"]["batch"] = 20;
    c["scheduler"]["tick_ms"] = 100;
    c["inbound"]["kannel"] = json{{"key", kKannelKey}, {"allowed_addresses", {"127.0.0.1"}}};
    c["conversation"]["max_messages_per_minute"] = 1000;
    return c;
  }

  Rows rows(const std::string& sql) {
    auto r = server_->query(database_, sql);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : Rows{};
  }
  long long number(const std::string& sql) {
    auto r = rows(sql);
    return r.empty() || r[0].empty() ? -1 : std::stoll(r[0][0]);
  }

  test::HttpResponse call(test::HttpClient& client, int gateway, const std::string& method, const std::string& path,
                          const std::string& body = "", test::HeaderList headers = {}) {
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    bool keyed = false;
    for (const auto& h : headers) keyed = keyed || h.first == "Authorization";
    if (!keyed) headers.emplace_back("Authorization", std::string("Bearer ") + kWebsiteKey);
    auto r = client.request(method, gateways_[gateway]->base() + path, headers, body);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : test::HttpResponse{};
  }

  std::int64_t create_course(const std::string& code, json overrides = json::object()) {
    auto start = std::chrono::system_clock::now() + 30 * 24h;
    json c{{"code", code},
           {"title_ar", "مهارات الحاسوب الأساسية"},
           {"title_en", "Basic Computer Skills"},
           {"location", "مركز الحسين الثقافي – رأس العين"},
           {"start_at", iso_utc(start)},
           {"end_at", iso_utc(start + 4 * 24h)},
           {"min_participants", 3},
           {"capacity", 200},
           {"fee_jod", "0.000"},
           {"exam_url", "https://exam.amman.jo/placement"},
           {"evaluation_url", "https://amman.jo/eval"}};
    c.update(overrides);
    test::HttpClient client;
    auto r = call(client, 0, "POST", "/v1/admin/courses", c.dump(),
                  {{"Authorization", std::string("Bearer ") + kAdminToken}});
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body, nullptr, false).value("id", std::int64_t{0});
  }

  // 079 numbers: the example config's simulator test range is 078000000xx, whose SMS no provider sees.
  static json person(int n) {
    return json{{"phone", "07" + std::to_string(91000000 + n)},
                {"name", n % 2 ? "سارة أحمد" : "Lina Haddad"},
                {"id_type", "national_id"},
                {"id_number", std::to_string(9800000000LL + n)},
                {"nationality", "JO"},
                {"language", n % 3 ? "ar" : "en"}};
  }

  // Waits (bounded) until both dispatchers have sent everything due.
  void wait_for_outbox_drained() {
    for (int i = 0; i < 3000; ++i) {
      if (number("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')") == 0) return;
      std::this_thread::sleep_for(20ms);
    }
    ADD_FAILURE() << "the outbox was not drained within 60 s";
  }

  // Every outbox row is in exactly one of the two files, once; every row is marked sent.
  void expect_every_row_sent_once() {
    wait_for_outbox_drained();
    std::map<std::int64_t, int> lines_per_id;
    for (const char* name : {"gateway-a", "gateway-b"}) {
      std::ifstream in(dir_ / (std::string(name) + "-outbox.jsonl"));
      std::string line;
      while (std::getline(in, line)) lines_per_id[json::parse(line)["id"].get<std::int64_t>()]++;
    }
    auto sent = rows("SELECT id, status FROM outbox ORDER BY id");
    EXPECT_EQ(lines_per_id.size(), sent.size());
    for (const auto& r : sent) {
      EXPECT_EQ(r[1], "sent") << "outbox row " << r[0];
      EXPECT_EQ(lines_per_id[std::stoll(r[0])], 1)
          << "outbox row " << r[0] << " was sent " << lines_per_id[std::stoll(r[0])] << " times";
    }
  }

  test::MariaDb* server_ = nullptr;
  std::string database_;
  fs::path dir_;
  std::vector<std::unique_ptr<GatewayProcess>> gateways_;
};

TEST_F(TwoGateways, ABurstOfApplicationsOnBothIsStoredOnceAndToldOfQuorumOnce) {
  constexpr int kCourses = 10;
  constexpr int kPerCourse = 9;  // quorum is 3: reached by the third arrival, on either gateway
  constexpr int kThreads = 8;
  std::vector<std::int64_t> courses;
  for (int c = 0; c < kCourses; ++c) courses.push_back(create_course("MG-" + std::to_string(c)));

  // Applicant n applies to course n % kCourses through gateway n % 2, from 8 threads at once.
  std::mutex mu;
  std::map<int, std::string> application_of;
  std::vector<long> unexpected;
  std::atomic<int> next{0};
  std::latch go(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      test::HttpClient client;
      go.arrive_and_wait();
      for (int n; (n = next++) < kCourses * kPerCourse;) {
        json body = person(n);
        body["course_id"] = courses[n % kCourses];
        auto r = call(client, n % 2, "POST", "/v1/applications", body.dump());
        std::lock_guard lock(mu);
        if (r.status == 201)
          application_of[n] = json::parse(r.body)["application_id"];
        else
          unexpected.push_back(r.status);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_TRUE(unexpected.empty()) << ::testing::PrintToString(unexpected);

  // The same request (same Idempotency-Key) on both gateways at the same moment: one application.
  constexpr int kTwins = 12;
  std::vector<std::array<std::string, 2>> twin_ids(kTwins);
  for (int i = 0; i < kTwins; ++i) {
    int n = 1000 + i;
    json body = person(n);
    body["course_id"] = courses[i % kCourses];
    std::latch both(2);
    std::vector<std::thread> pair;
    for (int g = 0; g < 2; ++g)
      pair.emplace_back([&, g] {
        test::HttpClient client;
        both.arrive_and_wait();
        auto r = call(client, g, "POST", "/v1/applications", body.dump(),
                      {{"Idempotency-Key", "twin-" + std::to_string(i)}});
        EXPECT_TRUE(r.status == 201 || r.status == 200) << r.status << " " << r.body;
        twin_ids[i][g] = json::parse(r.body, nullptr, false).value("application_id", std::string());
      });
    for (auto& t : pair) t.join();
    EXPECT_EQ(twin_ids[i][0], twin_ids[i][1]) << "twin " << i << " made two applications";
  }

  const long long total = kCourses * kPerCourse + kTwins;
  EXPECT_EQ(number("SELECT COUNT(*) FROM applications"), total);
  EXPECT_EQ(number("SELECT COUNT(DISTINCT id_number) FROM applications"), total);
  for (const auto& [n, id] : application_of)
    EXPECT_EQ(number("SELECT COUNT(*) FROM applications WHERE id = '" + id + "'"), 1) << "applicant " << n;
  // Quorum reached on every course: everyone confirmed, each told exactly once (card 6.1).
  EXPECT_EQ(number("SELECT COUNT(*) FROM applications WHERE state = 'confirmed'"), total);
  EXPECT_EQ(number("SELECT COUNT(*) FROM courses WHERE quorum_reached = 1"), kCourses);
  EXPECT_EQ(rows("SELECT application_id, COUNT(*) FROM outbox WHERE template_name = 'approved' "
                 "GROUP BY application_id HAVING COUNT(*) <> 1"),
            Rows{});
  EXPECT_EQ(number("SELECT COUNT(DISTINCT application_id) FROM outbox WHERE template_name = 'approved'"), total);
  // Every course's tally matches its rows: no increment lost between the two gateways.
  EXPECT_EQ(rows("SELECT c.id FROM courses c WHERE c.tally_confirmed <> "
                 "(SELECT COUNT(*) FROM applications a WHERE a.course_id = c.id AND a.state = 'confirmed')"),
            Rows{});
  // Exactly two "received" messages per course: the two arrivals before quorum.
  EXPECT_EQ(rows("SELECT a.course_id, COUNT(*) FROM outbox o JOIN applications a ON a.id = o.application_id "
                 "WHERE o.template_name = 'application_received' GROUP BY a.course_id HAVING COUNT(*) <> 2"),
            Rows{});
  expect_every_row_sent_once();
}

TEST_F(TwoGateways, AnExamResultPostedToBothAtOnceIsAppliedOnce) {
  std::int64_t course = create_course("MG-EXAM", {{"prerequisite", "computer-basics"}, {"min_participants", 4}});
  test::HttpClient client;
  for (int n = 0; n < 8; ++n) {
    json body = person(2000 + n);
    body["course_id"] = course;
    ASSERT_EQ(call(client, n % 2, "POST", "/v1/applications", body.dump()).status, 201);
  }
  // Card 6.3: everyone got an exam link with a token.
  auto links = rows("SELECT application_id, text FROM outbox WHERE template_name = 'exam_link'");
  ASSERT_EQ(links.size(), 8u);
  std::regex token_re("token=([A-Za-z0-9_-]+)");
  for (std::size_t i = 0; i < links.size(); ++i) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(links[i][1], m, token_re)) << links[i][1];
    std::string raw = json{{"token", m[1].str()}, {"result", i % 2 ? "fail" : "pass"}, {"score", 70}}.dump();
    std::latch both(2);
    std::vector<long> statuses(2);
    std::vector<std::thread> pair;
    for (int g = 0; g < 2; ++g)
      pair.emplace_back([&, g] {
        test::HttpClient c;
        both.arrive_and_wait();
        statuses[g] =
            call(c, g, "POST", "/v1/exam/results", raw, {{"X-Signature", exam::sign_exam_body(kExamSecret, raw)}})
                .status;
      });
    for (auto& t : pair) t.join();
    EXPECT_EQ(statuses, (std::vector<long>{200, 200})) << "token of " << links[i][0];
  }
  EXPECT_EQ(number("SELECT COUNT(*) FROM applications WHERE state = 'confirmed'"), 4);
  EXPECT_EQ(number("SELECT COUNT(*) FROM applications WHERE state = 'rejected_exam'"), 4);
  EXPECT_EQ(rows("SELECT application_id, COUNT(*) FROM history WHERE event LIKE 'exam_result:%' "
                 "GROUP BY application_id HAVING COUNT(*) <> 1"),
            Rows{});
  EXPECT_EQ(number("SELECT COUNT(*) FROM history WHERE event LIKE 'exam_result:%'"), 8);
  EXPECT_EQ(number("SELECT COUNT(*) FROM outbox WHERE template_name IN ('approved', 'exam_failed')"), 8);
  expect_every_row_sent_once();
}

TEST_F(TwoGateways, InboundSmsDeliveredToBothIsAnsweredOnce) {
  // Each message reaches both gateways at once, as when a provider retries on another node.
  constexpr int kNumbers = 30;
  constexpr int kThreads = 6;
  std::atomic<int> next{0};
  std::mutex mu;
  std::vector<std::string> unexpected;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      test::HttpClient clients[2];
      for (int n; (n = next++) < kNumbers;) {
        std::string query = "key=" + enc(kKannelKey) + "&from=" + enc("+9627912" + std::to_string(10000 + n)) +
                            "&to=94123&text=HELP&id=mo-" + std::to_string(n) + "&ts=1795000000";
        std::latch both(2);
        long statuses[2] = {0, 0};
        std::thread other([&] {
          both.arrive_and_wait();
          statuses[1] = call(clients[1], 1, "GET", "/v1/sms/kannel/inbound?" + query).status;
        });
        both.arrive_and_wait();
        statuses[0] = call(clients[0], 0, "GET", "/v1/sms/kannel/inbound?" + query).status;
        other.join();
        std::lock_guard lock(mu);
        for (long s : statuses)
          if (s != 200) unexpected.push_back("mo-" + std::to_string(n) + ": " + std::to_string(s));
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_TRUE(unexpected.empty()) << ::testing::PrintToString(unexpected);
  EXPECT_EQ(number("SELECT COUNT(*) FROM inbound_messages"), kNumbers);
  EXPECT_EQ(number("SELECT COUNT(*) FROM outbox WHERE template_name = 'sms_help'"), kNumbers);
  EXPECT_EQ(rows("SELECT to_number, COUNT(*) FROM outbox GROUP BY to_number HAVING COUNT(*) <> 1"), Rows{});
  expect_every_row_sent_once();
}

TEST_F(TwoGateways, BothSchedulersTickingPostponeACourseOnce) {
  // A course whose decision time comes a few seconds from now without quorum (card 5); both
  // schedulers tick every 100 ms and both see it due.
  auto start = std::chrono::system_clock::now() + 4s;
  std::int64_t course = create_course("MG-SOON", {{"start_at", iso_utc(start)}, {"end_at", iso_utc(start + 24h)}});
  test::HttpClient client;
  for (int n = 0; n < 2; ++n) {
    json body = person(3000 + n);
    body["course_id"] = course;
    ASSERT_EQ(call(client, n, "POST", "/v1/applications", body.dump()).status, 201);
  }
  bool postponed = false;
  for (int i = 0; i < 1500 && !postponed; ++i) {
    postponed = rows("SELECT status FROM courses WHERE id = " + std::to_string(course)) == Rows{{"postponed"}};
    if (!postponed) std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(postponed) << "no scheduler postponed the course within 30 s";
  // Let both schedulers tick a few more times: a second postponement would show up now.
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(number("SELECT COUNT(*) FROM outbox WHERE template_name = 'postponed'"), 2);
  EXPECT_EQ(rows("SELECT application_id, COUNT(*) FROM outbox WHERE template_name = 'postponed' "
                 "GROUP BY application_id HAVING COUNT(*) <> 1"),
            Rows{});
  expect_every_row_sent_once();
}

TEST(MysqlConfig, TheExampleParsesAndABadUrlIsRefusedNamingStoreUrl) {
  // As shipped its change-me placeholders stop the start; scripts/local-config.sh replaces them.
  auto shipped = load_config(std::string(CG_SOURCE_DIR) + "/config/gateway.mysql.example.json");
  ASSERT_FALSE(shipped.ok());
  EXPECT_NE(shipped.error().message.find("change-me"), std::string::npos) << shipped.error().message;
  std::ifstream text_in(std::string(CG_SOURCE_DIR) + "/config/gateway.mysql.example.json");
  std::stringstream text;
  text << text_in.rdbuf();
  auto example =
      parse_config(std::regex_replace(text.str(), std::regex("change-me-[A-Za-z0-9-]*"), "fresh-secret-0123456789"));
  ASSERT_TRUE(example.ok()) << example.error().message;
  auto settings = store::parse_mysql_url(example->store.url);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->database, "course_gateway");
  EXPECT_EQ(example->store.pool, 8u);

  std::ifstream in(std::string(CG_SOURCE_DIR) + "/config/gateway.mysql.example.json");
  json c = json::parse(in);
  c["store"]["url"] = "mysql://gw:secret@db.example:99999/course_gateway";
  auto bad = parse_config(c.dump());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "invalid_config");
  EXPECT_EQ(bad.error().message.rfind("store.url: ", 0), 0u) << bad.error().message;
  EXPECT_NE(bad.error().message.find("port"), std::string::npos) << bad.error().message;
  EXPECT_EQ(bad.error().message.find("secret"), std::string::npos) << bad.error().message;
}

}  // namespace
}  // namespace cg::gateway::testing
