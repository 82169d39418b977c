// MariaDB that stops answering without closing its connections (SIGSTOP: a hung host, a stalled
// disk). Its connections stay open, so the gateway learns nothing until its I/O timeout (30 s).
// Meanwhile requests that need no store answer, /healthz answers 503 within its own deadline, a
// read answers 503 store_unavailable by the read deadline, and after SIGCONT everything works again
// by itself. The clients give up after 10 s, well under the I/O timeout: a request that waited for
// the store on a server thread fails them.
#include <future>

#include "tests/gateway/gateway_fixture.hpp"

namespace cg::gateway::testing {
namespace {

class StoreStall : public GatewayTest {
 protected:
  void SetUp() override {
    auto server = test::MariaDb::start();
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = std::move(*server);
    database_ = test::database_name("stall");
    ASSERT_TRUE(server_->create_database(database_).ok());
    GatewayTest::SetUp();
  }
  void TearDown() override {
    // A failed assertion may leave the server stopped: the gateway's threads wait on it.
    if (paused_) (void)server_->resume();
    GatewayTest::TearDown();
    server_.reset();
  }
  void customise(Config& c) const override {
    c.store.url = server_->url(database_);
    c.store.reader_threads = 2;
    c.store.reader_queue = 4;
    // Generous for a loaded test machine, and still far under the 10 s the clients wait.
    c.store.read_deadline = std::chrono::seconds(2);
    c.health.deadline = std::chrono::seconds(1);
  }

  void pause() {
    ASSERT_TRUE(server_->pause().ok());
    paused_ = true;
  }
  void resume() {
    ASSERT_TRUE(server_->resume().ok());
    paused_ = false;
  }

  // One request on a connection of its own, given up after 10 s.
  test::HttpResponse ask(const std::string& path, test::HeaderList headers = {}) {
    test::HttpClient client;
    client.set_timeout(std::chrono::seconds(10));
    auto r = client.request("GET", base_ + path, headers);
    EXPECT_TRUE(r.ok()) << path << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : test::HttpResponse{};
  }
  test::HeaderList website_key() const { return {{"Authorization", std::string("Bearer ") + kWebsiteKey}}; }

  static std::string error_code(const test::HttpResponse& r) {
    json body = json::parse(r.body, nullptr, false);
    return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
  }

  std::unique_ptr<test::MariaDb> server_;
  std::string database_;
  bool paused_ = false;
};

TEST_F(StoreStall, OnlyRequestsThatNeedTheStoreWaitAndEverythingRecoversAfterIt) {
  auto course = create_course();
  auto a = apply_ok(course, 1);
  ASSERT_EQ(ask("/healthz").status, 200);

  pause();
  // /healthz: its own deadline, not the store's.
  auto health = ask("/healthz");
  EXPECT_EQ(health.status, 503);
  EXPECT_EQ(health.body, R"({"status":"unavailable"})");
  EXPECT_EQ(ask("/healthz").status, 503) << "a second probe while the first still waits";

  // Requests that need no store.
  auto metrics = ask("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("course_gateway_store_up 0"), std::string::npos) << metrics.body;
  EXPECT_NE(metrics.body.find("course_gateway_http_requests_total"), std::string::npos) << metrics.body;
  EXPECT_EQ(ask("/v1/applications/" + a).status, 401);
  EXPECT_EQ(ask("/v1/admin/courses").status, 401);
  EXPECT_EQ(ask("/no/such/path").status, 404);
  EXPECT_EQ(ask("/v1/applications/%zz", website_key()).status, 400);

  // Reads answer 503 with Retry-After: by the deadline, or at once when the pool's queue is full.
  std::vector<std::future<test::HttpResponse>> reads;
  for (int i = 0; i < 10; ++i)
    reads.push_back(std::async(std::launch::async, [&] { return ask("/v1/applications/" + a, website_key()); }));
  reads.push_back(std::async(std::launch::async, [&] { return ask("/v1/courses"); }));
  for (auto& f : reads) {
    auto r = f.get();
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(error_code(r), "store_unavailable") << r.body;
    EXPECT_TRUE(r.header("Retry-After").has_value());
  }
  EXPECT_EQ(ask("/metrics").status, 200) << "the pool's stuck threads must not hold the server's";

  resume();
  // It comes back by itself: the stuck probe and reads finish, and the next ones answer.
  auto recovered = [&](const std::string& path, test::HeaderList headers) {
    int status = 0;
    for (int i = 0; i < 600 && status != 200; ++i) {
      status = ask(path, headers).status;
      if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return status;
  };
  EXPECT_EQ(recovered("/healthz", {}), 200) << "health did not come back after SIGCONT";
  EXPECT_EQ(recovered("/v1/applications/" + a, website_key()), 200) << "reads did not come back after SIGCONT";
  EXPECT_EQ(state_of(a), "awaiting_quorum");
  auto b = apply_ok(course, 2);
  EXPECT_EQ(state_of(b), "awaiting_quorum");
  EXPECT_NE(ask("/metrics").body.find("course_gateway_store_up 1"), std::string::npos);
}

}  // namespace
}  // namespace cg::gateway::testing
