// MariaDB going away under the gateway: while the database cannot be reached, requests
// that need it answer 503 (so providers and the website retry) and /healthz says so; when it comes
// back, work resumes on new connections and nothing that was acknowledged is missing, even when
// the server was killed (SIGKILL) rather than shut down.
#include <atomic>
#include <mutex>
#include <set>

#include "tests/gateway/gateway_fixture.hpp"

namespace cg::gateway::testing {
namespace {

// The gateway in this process, on a MariaDB of its own (the tests stop and kill it).
class StoreOutage : public GatewayTest {
 protected:
  void SetUp() override {
    auto server = test::MariaDb::start();
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
    database_ = test::database_name("outage");
    ASSERT_TRUE(server_->create_database(database_).ok());
    GatewayTest::SetUp();
  }
  void TearDown() override {
    GatewayTest::TearDown();
    server_.reset();
  }
  void customise(Config& c) const override { c.store.url = server_->url(database_); }

  std::set<std::string> stored_application_ids() {
    auto r = server_->query(database_, "SELECT id FROM applications");
    EXPECT_TRUE(r.ok()) << r.error().message;
    std::set<std::string> out;
    if (r.ok())
      for (const auto& row : *r) out.insert(row[0]);
    return out;
  }

  std::unique_ptr<test::MariaDb> server_;
  std::string database_;
};

TEST_F(StoreOutage, DatabaseDownAnswers503AndWorkResumesWhenItIsBack) {
  auto course = create_course();
  auto a = apply_ok(course, 1);
  auto b = apply_ok(course, 2, "en");
  EXPECT_EQ(call("GET", "/healthz").status, 200);

  ASSERT_TRUE(server_->stop().ok());
  auto refused = apply(course, 3);
  EXPECT_EQ(refused.status, 503) << refused.body;
  json refusal = json::parse(refused.body, nullptr, false);
  EXPECT_EQ(refusal.is_object() ? refusal["error"].value("code", "") : "", "store_unavailable") << refused.body;
  ::testing::internal::CaptureStderr();
  auto health = call("GET", "/healthz");
  std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(health.status, 503) << health.body;
  // Where the database is (host, port, name) is for the log, not for whoever asks.
  EXPECT_EQ(health.body, R"({"status":"unavailable"})");
  EXPECT_NE(logged.find("healthz: store unavailable"), std::string::npos) << logged;
  EXPECT_EQ(call("GET", "/v1/applications/" + a).status, 503);
  auto exam = exam_result("no-such-token", "pass");
  EXPECT_EQ(exam.status, 503) << "the exam system must retry, not be told the token is unknown: " << exam.body;

  ASSERT_TRUE(server_->restart().ok()) << server_->log_tail();
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  // The refused application was not half-stored: applying again is a fresh application, and the
  // third one reaches quorum for everyone (card 6.1).
  auto c = apply_ok(course, 3);
  for (const auto& id : {a, b, c}) EXPECT_EQ(state_of(id), "confirmed");
  EXPECT_EQ(templates_for(a), (std::vector<std::string>{"application_received", "approved"}));
  EXPECT_EQ(templates_for(b), (std::vector<std::string>{"application_received", "approved"}));
  EXPECT_EQ(templates_for(c), (std::vector<std::string>{"approved"}));
  EXPECT_EQ(stored_application_ids(), (std::set<std::string>{a, b, c}));
}

TEST_F(StoreOutage, AServerKilledUnderLoadLosesNothingAcknowledged) {
  // No quorum in sight: every application stays awaiting_quorum with its "received" SMS.
  auto course = create_course({{"min_participants", 5000}, {"capacity", 10000}});
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::vector<std::string> odd_answers;
  std::atomic<int> acks{0}, refusals{0};
  std::atomic<bool> stop{false};
  // Light load: one client applying again and again, as a website would.
  std::thread load([&] {
    test::HttpClient client;
    for (int n = 100; !stop; ++n) {
      json body = person(n);
      body["course_id"] = course;
      auto r = client.request(
          "POST", base_ + "/v1/applications",
          {{"Content-Type", "application/json"}, {"Authorization", std::string("Bearer ") + kWebsiteKey}}, body.dump());
      std::lock_guard lock(mu);
      if (r.ok() && r->status == 201) {
        acknowledged.push_back(json::parse(r->body)["application_id"]);
        acks++;
      } else if (r.ok() && r->status == 503) {
        refusals++;
      } else {
        odd_answers.push_back(r.ok() ? std::to_string(r->status) + " " + r->body : r.error().message);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  auto wait_for = [](const std::atomic<int>& counter, int at_least) {
    for (int i = 0; i < 3000 && counter < at_least; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return counter >= at_least;
  };
  EXPECT_TRUE(wait_for(acks, 30));
  ASSERT_TRUE(server_->crash().ok());
  EXPECT_TRUE(wait_for(refusals, 5)) << "no request was refused while the database was down";
  EXPECT_EQ(call("GET", "/healthz").status, 503);
  ASSERT_TRUE(server_->restart().ok()) << server_->log_tail();
  int acks_before_restart = acks;
  EXPECT_TRUE(wait_for(acks, acks_before_restart + 30)) << "work did not resume after the restart";
  stop = true;
  load.join();

  EXPECT_TRUE(odd_answers.empty()) << ::testing::PrintToString(odd_answers);
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  std::set<std::string> stored = stored_application_ids();
  for (const auto& id : acknowledged) EXPECT_TRUE(stored.count(id)) << "acknowledged application " << id << " was lost";
  // And what each acknowledged one caused: its history and its SMS.
  auto received = server_->query(database_,
                                 "SELECT COUNT(DISTINCT application_id) FROM outbox WHERE template_name = "
                                 "'application_received'");
  ASSERT_TRUE(received.ok());
  EXPECT_GE(std::stoul((*received)[0][0]), acknowledged.size());
  for (std::size_t i = 0; i < acknowledged.size(); i += 7) EXPECT_EQ(state_of(acknowledged[i]), "awaiting_quorum");
}

}  // namespace
}  // namespace cg::gateway::testing
