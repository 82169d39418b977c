// Retention inside the gateway: configured, it runs a pass as the gateway starts, on SQLite or
// MariaDB (CG_TEST_STORE=mysql), and GET /metrics counts what it deleted.
#include "tests/gateway/gateway_fixture.hpp"

namespace cg::gateway::testing {
namespace {

class RetentionInTheGateway : public GatewayTest {
 protected:
  void customise(Config& c) const override {
    c.retention.period(store::PurgeKind::inbound_messages) = std::chrono::days(90);
    c.retention.batch = 10;
    c.retention.pause = std::chrono::milliseconds(0);
  }
  Result<bool> record_inbound(const std::string& id, core::Instant at) {
    bool fresh = false;
    Status s = app_->store().write_sync([&](store::Tx& tx) -> Status {
      auto r = tx.record_inbound({"kannel", id, "+962791234567", "94123", "HELP", at, "processed"});
      if (!r) return r.error();
      fresh = *r;
      return ok_status();
    });
    if (!s) return s.error();
    return fresh;
  }
};

TEST_F(RetentionInTheGateway, OldInboundMessagesGoWhenItStartsAndMetricsCountThem) {
  for (int i = 0; i < 25; ++i)
    ASSERT_TRUE(record_inbound("old-" + std::to_string(i), clock_.now() - std::chrono::days(100)).ok());
  ASSERT_TRUE(record_inbound("recent", clock_.now() - std::chrono::days(1)).ok());
  restart();  // the first pass runs as the gateway starts
  const std::string want = "course_gateway_retention_purged_total{kind=\"inbound_messages\"} 25\n";
  std::string text;
  for (int i = 0; i < 1000 && text.find(want) == std::string::npos; ++i) {
    text = call("GET", "/metrics").body;
    if (text.find(want) == std::string::npos) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(text.find(want), std::string::npos) << text;
  auto recent = record_inbound("recent", clock_.now());
  ASSERT_TRUE(recent.ok());
  EXPECT_FALSE(*recent);  // a retry of the recent one is still recognised
  auto old = record_inbound("old-3", clock_.now());
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(*old);
}

}  // namespace
}  // namespace cg::gateway::testing
