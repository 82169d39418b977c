// A real `course-gateway serve` process through a whole scenario (an operator's course, applications
// with document numbers over the website API, SMS out through a Kannel-speaking HTTP peer on
// 127.0.0.1, its delivery reports, an inbound SMS, eFAWATEERcom keys loaded), with its stderr
// captured: no secret and no document number may appear in any log line, every line is one JSON
// object, and one request id finds an application's story from the HTTP request to the provider's
// answer. Its GET /metrics is scraped once, and every metric the Grafana dashboard charts must be in it.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/adapters/payment/efawateercom/test_support.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/provider_server.hpp"

namespace cg::gateway {
namespace {

namespace fs = std::filesystem;
namespace mt = cg::efawateercom::test;
using nlohmann::json;
using namespace std::chrono_literals;

// Every secret of the config: none may be logged.
constexpr const char* kAdminToken = "e2e-admin-token-5f0c2a8e41d7";
constexpr const char* kExamSecret = "e2e-exam-secret-9b3d71c0aa52";
constexpr const char* kWebsiteKey = "e2e-website-key-7d2e90b4c1f3";
constexpr const char* kKannelInKey = "e2e-kannel-inbound-3c8a61f0";
constexpr const char* kKannelPassword = "e2e-kannel-password-8e1f4b7";
constexpr const char* kDlrKey = "e2e-dlr-key-4a9c2e7d10b6";
constexpr const char* kEfawateercomPassword = "e2e-efawateercom-basic-6d1b";

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class GatewayProcess {
 public:
  GatewayProcess(const fs::path& dir, const json& config) : log_(dir / "gateway.log") {
    const fs::path config_path = dir / "gateway.json";
    std::ofstream(config_path) << config.dump(2);
    std::string binary = std::string(CG_BINARY_DIR) + "/gateway/course-gateway";
    std::vector<std::string> argv{binary, "serve", "--config", config_path.string()};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int out = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int err = ::open((dir / "gateway.stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    stderr_ = dir / "gateway.stderr";
    pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::dup2(out, 1);
      ::dup2(err, 2);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(out);
    ::close(err);
    std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    for (int i = 0; i < 1500 && pid_ > 0; ++i) {
      std::string text = read_all(log_);
      std::smatch m;
      if (std::regex_search(text, m, listening)) {
        port_ = std::stoi(m[1]);
        return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) pid_ = -1;
      std::this_thread::sleep_for(20ms);
    }
  }
  ~GatewayProcess() { stop(); }
  // SIGTERM: a clean stop, so every line is written.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return read_all(stderr_); }

 private:
  fs::path log_, stderr_;
  pid_t pid_ = -1;
  int port_ = 0;
};

class ObservedProcess : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("cg-obs-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path dir_;
};

std::string id_number(int n) { return std::to_string(9900000000LL + 7300 + n); }
std::string phone(int n) { return "079" + std::to_string(7000000 + n); }

TEST_F(ObservedProcess, NoSecretOrDocumentNumberIsLoggedAndOneIdTellsAnApplicationsStory) {
  test::ProviderServer kannel([](const test::RecordedRequest&, std::size_t) { return test::kannel_accepted(); });
  ASSERT_TRUE(kannel.start());
  auto biller = mt::generate_rsa(2048);
  auto efawateercom = mt::generate_rsa(2048);
  mt::write_text((dir_ / "biller.key.pem").string(), mt::private_pem(biller.get()));
  mt::write_text((dir_ / "efawateercom.cert.pem").string(), mt::certificate_pem(efawateercom.get()));
  json config{
      {"log", {{"level", "debug"}, {"format", "json"}}},
      {"listen", {{"address", "127.0.0.1"}, {"port", 0}, {"threads", 2}}},
      {"store", {{"url", "sqlite:" + (dir_ / "gateway.db").string()}}},
      {"admin_token", kAdminToken},
      {"exam_secret", kExamSecret},
      {"website", {{"api_keys", {kWebsiteKey}}}},
      {"outbox", {{"poll_ms", 50}}},
      {"scheduler", {{"tick_ms", 100}}},
      {"inbound", {{"kannel", {{"key", kKannelInKey}, {"allowed_addresses", {"127.0.0.1"}}}}}},
      {"efawateercom",
       {{"enabled", true},
        {"signing_key_path", (dir_ / "biller.key.pem").string()},
        {"verifying_cert_path", (dir_ / "efawateercom.cert.pem").string()},
        {"basic_auth_user", "efawateercom"},
        {"basic_auth_password", kEfawateercomPassword}}},
      {"sms",
       {{"providers",
         {{{"name", "kannel"},
           {"kind", "kannel"},
           {"base_url", kannel.base_url()},
           {"from", "AmmanCity"},
           {"username", "gw"},
           {"password", kKannelPassword},
           {"dlr_key", kDlrKey}}}}}},
  };
  GatewayProcess gw(dir_, config);
  ASSERT_GT(gw.port(), 0) << gw.log();
  test::HttpClient client;
  auto call = [&](const std::string& method, const std::string& path, const std::string& body, const char* key,
                  test::HeaderList headers = {}) {
    headers.emplace_back("Authorization", std::string("Bearer ") + key);
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    auto r = client.request(method, gw.base() + path, headers, body);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : test::HttpResponse{};
  };

  // An operator's course for three; three applicants with their documents; quorum: five SMS (the
  // third applicant gets the approval only, card 6.1).
  auto course = call("POST", "/v1/admin/courses",
                     json{{"code", "101"},
                          {"title_ar", "مهارات الحاسوب"},
                          {"title_en", "Computer Skills"},
                          {"location", "رأس العين"},
                          {"start_at", "2031-03-10T16:00:00+03:00"},
                          {"end_at", "2031-03-14T19:00:00+03:00"},
                          {"min_participants", 3},
                          {"fee_jod", "0.000"},
                          {"evaluation_url", "https://amman.jo/eval/101"}}
                         .dump(),
                     kAdminToken);
  ASSERT_EQ(course.status, 201) << course.body;
  const auto course_id = json::parse(course.body)["id"].get<std::int64_t>();
  for (int n = 1; n <= 3; ++n) {
    auto r = call("POST", "/v1/applications",
                  json{{"course_id", course_id},
                       {"phone", phone(n)},
                       {"name", "سارة أحمد"},
                       {"id_type", "national_id"},
                       {"id_number", id_number(n)},
                       {"language", "ar"}}
                      .dump(),
                  kWebsiteKey, {{"X-Request-Id", "e2e-apply-" + std::to_string(n)}});
    ASSERT_EQ(r.status, 201) << r.body;
  }
  for (int i = 0; i < 1500 && kannel.count() < 5; ++i) std::this_thread::sleep_for(20ms);
  ASSERT_EQ(kannel.count(), 5u) << gw.log();

  // smsbox's delivery reports for every message: one failed, the rest delivered.
  std::set<std::string> outbox_ids;
  const std::regex id_in_url("[?&]id=([0-9]+)");
  for (const auto& rq : kannel.requests()) {
    const std::string url = rq.query_param("dlr-url");
    std::smatch m;
    if (std::regex_search(url, m, id_in_url)) outbox_ids.insert(m[1]);
  }
  ASSERT_EQ(outbox_ids.size(), 5u);
  bool first = true;
  for (const auto& id : outbox_ids) {
    auto r = client.get(gw.base() + "/v1/sms/kannel/status?id=" + id + "&type=" + (first ? "16" : "1") +
                        "&reply=ok&key=" + kDlrKey);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, 200) << r->body;
    first = false;
  }
  // An applicant answers by SMS with a document number in the text.
  auto inbound = client.get(gw.base() + "/v1/sms/kannel/inbound?key=" + kKannelInKey + "&from=" + phone(4) +
                            "&to=94123&id=e2e-in-1&text=JOIN+101+" + id_number(4));
  ASSERT_TRUE(inbound.ok());
  EXPECT_EQ(inbound->status, 200) << inbound->body;
  for (int i = 0; i < 1500 && kannel.count() < 6; ++i) std::this_thread::sleep_for(20ms);

  auto metrics = client.get(gw.base() + "/metrics");
  ASSERT_TRUE(metrics.ok());
  ASSERT_EQ(metrics->status, 200);
  const std::string scraped = metrics->body;
  gw.stop();
  const std::string log = gw.log();
  ASSERT_FALSE(log.empty());

  // No secret, no document number, no whole phone number, in any form the log could hold them.
  std::vector<std::string> forbidden{kAdminToken,     kExamSecret, kWebsiteKey,          kKannelInKey,
                                     kKannelPassword, kDlrKey,     kEfawateercomPassword};
  for (int n = 1; n <= 4; ++n) {
    forbidden.push_back(id_number(n));
    forbidden.push_back(phone(n));
    forbidden.push_back("+9627" + phone(n).substr(2));
  }
  for (const auto& secret : forbidden) EXPECT_EQ(log.find(secret), std::string::npos) << secret << " logged:\n" << log;

  // Every line one JSON object; the first application's id on its access line and on the provider
  // exchanges of the SMS it caused.
  std::istringstream lines(log);
  std::string line;
  int exchanges = 0, access = 0;
  while (std::getline(lines, line)) {
    json j = json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << line;
    EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("component") && j.contains("msg")) << line;
    if (j.value("request_id", "") != "e2e-apply-1") continue;
    if (j["msg"] == "request") {
      ++access;
      EXPECT_EQ(j.value("route", ""), "/v1/applications") << line;
      EXPECT_EQ(j.value("status", 0), 201) << line;
    }
    if (j["msg"] == "provider exchange") {
      ++exchanges;
      EXPECT_EQ(j.value("provider", ""), "kannel") << line;
      EXPECT_EQ(j.value("outcome", ""), "accepted") << line;
    }
  }
  EXPECT_EQ(access, 1) << log;
  EXPECT_EQ(exchanges, 1) << log;  // application_received; the approval was caused by the third request

  // The scrape has the figures of what happened.
  for (const char* want :
       {"course_gateway_sms_outbound_total{provider=\"kannel\",outcome=\"accepted\"} ",
        "course_gateway_sms_delivery_reports_total{provider=\"kannel\",status=\"delivered\"} 4\n",
        "course_gateway_sms_delivery_reports_total{provider=\"kannel\",status=\"failed\"} 1\n",
        "course_gateway_sms_inbound_total{provider=\"kannel\",outcome=\"processed\"} 1\n",
        "course_gateway_efawateercom_certificate_expiry_timestamp_seconds{file=\"verifying_cert\"} "})
    EXPECT_NE(scraped.find(want), std::string::npos) << want << "\n" << scraped;

  // Every metric the dashboard charts is in the scrape.
  json dashboard =
      json::parse(read_all(fs::path(CG_SOURCE_DIR) / "deploy/grafana/course-gateway.json"), nullptr, false);
  ASSERT_TRUE(dashboard.is_object());
  ASSERT_TRUE(dashboard["panels"].is_array());
  const std::regex metric("\\b((course_gateway|process)_[a-z_]+)");
  int checked = 0;
  for (const auto& panel : dashboard["panels"]) {
    ASSERT_TRUE(panel["targets"].is_array() && !panel["targets"].empty()) << panel.dump();
    for (const auto& target : panel["targets"]) {
      const std::string expr = target.value("expr", "");
      for (std::sregex_iterator it(expr.begin(), expr.end(), metric), end; it != end; ++it) {
        const std::string name = (*it)[1];
        const bool present = scraped.find("\n" + name + "{") != std::string::npos ||
                             scraped.find("\n" + name + " ") != std::string::npos;
        EXPECT_TRUE(present) << "panel \"" << panel.value("title", "") << "\": " << name << " is not in /metrics";
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 20);
}

}  // namespace
}  // namespace cg::gateway
