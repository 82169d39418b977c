// Runs the real gateway (Beast server, SQLite store, file outbox) on 127.0.0.1 port 0 in a
// temporary folder, with a hand-set clock, and talks to it over HTTP. With CG_TEST_STORE=mysql
// the store is MariaDB instead (a database of a throwaway server).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/crypto/crypto.hpp"
#include "adapters/exam/exam.hpp"
#include "gateway/app/app.hpp"
#include "tests/support/http_client.hpp"
#ifndef CG_NO_MYSQL
#include "tests/support/mariadb.hpp"  // link cg_test_mariadb
#endif

namespace cg::gateway::testing {

using nlohmann::json;

inline core::Instant at(const char* iso) { return *core::parse_iso8601(iso); }

constexpr const char* kAdminToken = "test-admin-token-0123456789abcdef";
constexpr const char* kExamSecret = "exam-test-secret";
// The website backend's key (website.api_keys); call() sends it with every request.
constexpr const char* kWebsiteKey = "test-website-key-0123456789abcdef";

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("cg-gw-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    use_mysql_if_asked();
    start();
  }
  void TearDown() override {
    app_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
#ifndef CG_NO_MYSQL
    if (!mysql_database_.empty()) (void)(*test::shared_mariadb())->drop_database(mysql_database_);
#endif
  }

  // CG_TEST_STORE=mysql (set by ctest for the "mysql/" copies of these tests, see CMakeLists.txt):
  // the same tests on MariaDB, one throwaway server per test program and one database per test.
  void use_mysql_if_asked() {
    const char* backend = std::getenv("CG_TEST_STORE");
    if (!backend || std::string_view(backend) != "mysql") return;
#ifdef CG_NO_MYSQL
    FAIL() << "CG_TEST_STORE=mysql, but this build has no MySQL support (CG_WITH_MYSQL=OFF)";
#else
    auto server = test::shared_mariadb();
    ASSERT_TRUE(server.ok()) << server.error().message;
    std::string database = test::database_name(::testing::UnitTest::GetInstance()->current_test_info()->name());
    auto created = (*server)->create_database(database);
    ASSERT_TRUE(created.ok()) << created.error().message;
    mysql_database_ = database;
    mysql_url_ = (*server)->url(database);
#endif
  }

  Config config() const {
    Config c;
    c.listen.address = "127.0.0.1";
    c.listen.port = 0;
    c.listen.threads = 2;
    c.store.url = mysql_url_.empty() ? "sqlite:" + (dir_ / "gateway.db").string() : mysql_url_;
    c.store.pool = 4;
    c.admin_token = kAdminToken;
    c.exam_secret = kExamSecret;
    c.website.api_keys = {kWebsiteKey};
    c.outbox.file.path = (dir_ / "outbox.jsonl").string();
    // Tests drive the dispatcher and the scheduler by hand (run_once, tick) for exact answers.
    c.outbox.poll = std::chrono::hours(1);
    c.scheduler.tick = std::chrono::hours(1);
    customise(c);
    return c;
  }
  // A suite's own settings on top of the above (keys, providers, ...); dir_ exists by then.
  virtual void customise(Config&) const {}

  void start() { start_with(config()); }
  void start_with(const Config& c) {
    auto app = App::create(c, clock_);
    ASSERT_TRUE(app.ok()) << app.error().message;
    app_ = std::move(*app);
    auto s = app_->start();
    ASSERT_TRUE(s.ok()) << s.error().message;
    // The scheduler ticks once at start on its own thread; a test that moves the clock right after
    // would race it (under load it could postpone a course before the test's own tick). Wait for it.
    for (int i = 0; i < 2000 && app_->scheduler_runs() == 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_GT(app_->scheduler_runs(), 0u) << "the scheduler's first tick did not finish";
    base_ = "http://127.0.0.1:" + std::to_string(app_->port());
  }
  void restart() { restart_with(config()); }
  // Stops the gateway and starts it again, on the same store, with settings of the test's own.
  void restart_with(const Config& c) {
    app_->stop();
    app_.reset();
    start_with(c);
  }

  test::HttpResponse call(const std::string& method, const std::string& path, const std::string& body = "",
                          test::HeaderList headers = {}) {
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    bool keyed = false;
    for (const auto& h : headers) keyed = keyed || h.first == "Authorization";
    if (!keyed) headers.emplace_back("Authorization", std::string("Bearer ") + kWebsiteKey);
    auto r = client_.request(method, base_ + path, headers, body);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : test::HttpResponse{};
  }
  test::HttpResponse admin(const std::string& method, const std::string& path, const std::string& body = "") {
    return call(method, path, body, {{"Authorization", std::string("Bearer ") + kAdminToken}});
  }

  // Creates a course through the admin API; returns its id.
  std::int64_t create_course(json overrides = json::object()) {
    json c{{"code", "101"},
           {"title_ar", "مهارات الحاسوب الأساسية واستخدام الإنترنت"},
           {"title_en", "Basic Computer Skills and Using the Internet"},
           {"location", "مركز الحسين الثقافي – رأس العين، الطابق الثاني، قاعة التدريب ٣"},
           {"start_at", "2026-12-10T16:00:00+03:00"},
           {"end_at", "2026-12-14T19:00:00+03:00"},
           {"min_participants", 3},
           {"fee_jod", "0.000"},
           {"exam_url", "https://exam.amman.jo/placement"},
           {"evaluation_url", "https://amman.jo/eval/101"}};
    c.update(overrides);
    auto r = admin("POST", "/v1/admin/courses", c.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body, nullptr, false).value("id", std::int64_t{0});
  }

  static constexpr const char* kNames[] = {"سارة أحمد",  "محمد العلي",      "Lina Haddad",
                                           "عمر الخطيب", "ليلى عبد الرحمن", "Yousef Nasser"};
  static json person(int n, const char* lang = "ar") {
    return json{{"phone", "07" + std::to_string(90000000 + n)},  // 0790000001 ...
                {"name", kNames[n % 6]},
                {"id_type", "national_id"},
                {"id_number", std::to_string(9900000000LL + n)},
                {"nationality", "JO"},
                {"language", lang}};
  }
  static std::string phone_of(int n) { return "+9627" + std::to_string(90000000 + n); }

  // Applies person n; returns {status, body}.
  test::HttpResponse apply(std::int64_t course_id, int n, const char* lang = "ar") {
    json body = person(n, lang);
    body["course_id"] = course_id;
    return call("POST", "/v1/applications", body.dump());
  }
  std::string apply_ok(std::int64_t course_id, int n, const char* lang = "ar") {
    auto r = apply(course_id, n, lang);
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body, nullptr, false).value("application_id", std::string());
  }
  std::string state_of(const std::string& id) {
    auto r = call("GET", "/v1/applications/" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false).value("state", std::string());
  }

  // Sends what is due and returns every line the file outbox holds so far.
  std::vector<json> outbox() {
    // The app's own dispatcher thread may hold a batch at this moment: wait (bounded) until
    // nothing is pending or being sent, sending what is due ourselves.
    for (int i = 0; i < 2000; ++i) {
      auto n = app_->dispatcher().run_once();
      EXPECT_TRUE(n.ok());
      auto f = app_->store().outbox_figures();
      EXPECT_TRUE(f.ok());
      long long busy = 0;
      for (const auto& [status, count] : f->by_status)
        if (status == "pending" || status == "sending") busy += count;
      if (busy == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::vector<json> lines;
    std::ifstream in(dir_ / "outbox.jsonl");
    std::string line;
    while (std::getline(in, line)) lines.push_back(json::parse(line));
    return lines;
  }
  // The SMS lines for one application, in order.
  std::vector<json> sms_for(const std::string& application_id) {
    std::vector<json> out;
    for (auto& l : outbox())
      if (l["application_id"] == application_id) out.push_back(l);
    return out;
  }
  std::vector<std::string> templates_for(const std::string& application_id) {
    std::vector<std::string> out;
    for (auto& l : sms_for(application_id)) out.push_back(l["template"]);
    return out;
  }

  static std::string token_in(const std::string& text) {
    std::smatch m;
    std::regex re("token=([A-Za-z0-9_-]+)");
    return std::regex_search(text, m, re) ? m[1].str() : "";
  }

  test::HttpResponse exam_result(const std::string& token, const char* result, const char* secret = kExamSecret) {
    json body{{"token", token}, {"result", result}, {"score", 70}};
    std::string raw = body.dump();
    return call("POST", "/v1/exam/results", raw, {{"X-Signature", exam::sign_exam_body(secret, raw)}});
  }

  // Counts rows the way an auditor would: straight from the store.
  struct Counts {
    long long applications = 0, outbox = 0;
    bool operator==(const Counts&) const = default;
  };
  Counts counts() {
    Counts c;
    auto courses = app_->service().all_courses();
    EXPECT_TRUE(courses.ok());
    for (const auto& course : *courses) {
      auto apps = app_->service().course_applications(course.id, std::nullopt, 100000);
      EXPECT_TRUE(apps.ok());
      c.applications += static_cast<long long>(apps->size());
    }
    auto f = app_->store().outbox_figures();
    EXPECT_TRUE(f.ok());
    for (const auto& [status, n] : f->by_status) c.outbox += n;
    return c;
  }

  ManualClock clock_{at("2026-11-25T09:00:00Z")};
  std::string mysql_database_, mysql_url_;  // empty: SQLite in dir_
  std::filesystem::path dir_;
  std::unique_ptr<App> app_;
  std::string base_;
  test::HttpClient client_;
};

}  // namespace cg::gateway::testing
