// Request ids from the HTTP request to the outbox row, the access log line, and the figures of
// GET /metrics, on the real gateway (SQLite, or MariaDB for the mysql/ copies).
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "adapters/observe/log.hpp"
#include "tests/gateway/gateway_fixture.hpp"

namespace cg::gateway::testing {
namespace {

class Observability : public GatewayTest {
 protected:
  void SetUp() override {
    log::set_sink([this](std::string_view line) {
      std::lock_guard lock(mu_);
      lines_.emplace_back(line);
    });
    GatewayTest::SetUp();
  }
  void TearDown() override {
    GatewayTest::TearDown();
    log::set_sink({});
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }
  // Every outbox row of one application.
  std::vector<store::OutboxMessage> rows_of(const std::string& application_id) {
    std::vector<store::OutboxMessage> out;
    for (std::int64_t id = 1; id <= 40; ++id) {
      auto d = app_->store().outbox_detail(id);
      if (d && *d && (*d)->message.application_id == application_id) out.push_back((*d)->message);
    }
    return out;
  }

  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(Observability, TheRequestIdIsAnsweredLoggedAndKeptWithTheSmsItCaused) {
  const auto course = create_course();
  json body = person(1);
  body["course_id"] = course;
  auto given = call("POST", "/v1/applications", body.dump(), {{"X-Request-Id", "web-7f3a.1"}});
  ASSERT_EQ(given.status, 201) << given.body;
  EXPECT_EQ(given.header("X-Request-Id"), "web-7f3a.1");
  const std::string id = json::parse(given.body)["application_id"];
  auto rows = rows_of(id);
  ASSERT_EQ(rows.size(), 1u);  // application_received
  EXPECT_EQ(rows[0].request_id, "web-7f3a.1");

  // An id with spaces, quotes or too long is replaced by one of the gateway's own.
  for (const std::string& bad : std::vector<std::string>{"has space", "quo\"te", std::string(65, 'x')}) {
    auto r = call("GET", "/v1/courses", "", {{"X-Request-Id", bad}});
    ASSERT_TRUE(r.header("X-Request-Id"));
    EXPECT_NE(*r.header("X-Request-Id"), bad);
    EXPECT_TRUE(log::valid_request_id(*r.header("X-Request-Id")));
  }
  auto none = call("GET", "/healthz");
  ASSERT_TRUE(none.header("X-Request-Id"));
  EXPECT_EQ(none.header("X-Request-Id")->size(), 16u);

  // The access line: route pattern, status, client, masked phone, the id; no document number, no key.
  std::string access;
  for (const auto& l : lines())
    if (l.find("http: request ") != std::string::npos && l.find("request_id=web-7f3a.1") != std::string::npos)
      access = l;
  EXPECT_NE(access.find("method=POST route=/v1/applications status=201 "), std::string::npos) << access;
  EXPECT_NE(access.find(" client=127.0.0.1 phone=+96279*****01 "), std::string::npos) << access;
  for (const auto& l : lines()) {
    EXPECT_EQ(l.find("9900000001"), std::string::npos) << l;
    EXPECT_EQ(l.find("+962790000001"), std::string::npos) << l;
    EXPECT_EQ(l.find(kWebsiteKey), std::string::npos) << l;
    EXPECT_EQ(l.find(kAdminToken), std::string::npos) << l;
  }
}

TEST_F(Observability, TheQueryStringNeverReachesTheLog) {
  call("GET", "/v1/sms/kannel/inbound?key=query-secret-0123456789&from=0790000002&text=9900000002");
  for (const auto& l : lines()) {
    EXPECT_EQ(l.find("query-secret"), std::string::npos) << l;
    EXPECT_EQ(l.find("9900000002"), std::string::npos) << l;
  }
  bool logged = false;
  for (const auto& l : lines()) logged = logged || l.find("route=/v1/sms/kannel/inbound status=") != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST_F(Observability, MetricsShowLatencyHistogramsStoreFiguresAndTheProcess) {
  const auto course = create_course();
  apply_ok(course, 1);
  apply_ok(course, 2);
  auto m = call("GET", "/metrics").body;
  for (const char* want :
       {"course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"+Inf\"} "
        "2\n",
        "# TYPE course_gateway_store_command_seconds histogram\n",
        "course_gateway_store_command_seconds_bucket{outcome=\"ok\",le=\"+Inf\"} ",
        "# TYPE course_gateway_store_commit_seconds histogram\n", "course_gateway_outbox_oldest_pending_age_seconds ",
        "course_gateway_sms_provider_down{provider=\"file\"} 0\n",
        "course_gateway_sms_failovers_total{provider=\"file\"} 0\n",
        "course_gateway_scheduler_last_tick_timestamp_seconds ", "process_resident_memory_bytes ", "process_open_fds ",
        "process_threads "})
    EXPECT_NE(m.find(want), std::string::npos) << want << "\n" << m;
}

}  // namespace
}  // namespace cg::gateway::testing
