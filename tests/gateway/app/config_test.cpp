// The config file is checked whole at start: an unknown key or a bad value names itself.
#include <gtest/gtest.h>

#include "gateway/app/config.hpp"

namespace cg::gateway {
namespace {

const char* kMinimal = R"({"admin_token":"0123456789abcdef0123","exam_secret":"s"})";

TEST(Config, TheExampleConfigLoads) {
  auto c = load_config(std::string(CG_SOURCE_DIR) + "/config/gateway.example.json");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->listen.port, 8080);
  EXPECT_EQ(c->store.url, "sqlite:var/course-gateway.db");
  EXPECT_EQ(c->policy.biller_code, "250");
  EXPECT_EQ(c->policy.payment_window, std::chrono::hours(72));
  EXPECT_EQ(c->utc_offset, std::chrono::minutes(180));
}

TEST(Config, DefaultsFillWhatIsNotSaid) {
  auto c = parse_config(kMinimal);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->outbox.adapter, "file");
  EXPECT_EQ(c->scheduler.tick, std::chrono::milliseconds(5000));
}

TEST(Config, ErrorsNameTheKey) {
  struct Case {
    const char* json;
    const char* says;
  } cases[] = {
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","colour":1})", "colour: unknown key"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","listen":{"port":70000}})",
       "listen.port: must be 0 to 65535"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","listen":{"prot":1}})", "listen.prot: unknown key"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","store":{"readers":"2"}})",
       "store.readers: must be an integer"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","store":{"url":"postgres://x"}})", "store.url"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","outbox":{"adapter":"pigeon"}})", "outbox.adapter"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","outbox":{"file":{"paht":"x"}}})",
       "outbox.file.paht: unknown key"},
      {R"({"admin_token":"short","exam_secret":"s"})", "admin_token: must be at least 16"},
      {R"({"admin_token":"0123456789abcdef0123"})", "exam_secret: is required"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","biller":{"code":"A1"}})",
       "biller.code: must be digits"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","policy":{"payment_window_hours":0}})",
       "policy.payment_window_hours"},
      {R"([1])", "must be an object"},
      {R"({oops)", "not valid JSON"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error().code, "invalid_config");
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message << " / wanted: " << c.says;
  }
}

TEST(Config, AMissingFileIsNamed) {
  auto r = load_config("/nonexistent/gateway.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent/gateway.json"), std::string::npos);
}

}  // namespace
}  // namespace cg::gateway
