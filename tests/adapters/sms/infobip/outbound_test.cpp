// The Infobip sender against a real HTTP server on 127.0.0.1: the JSON POST with its App key, and how
// rejections and errors are judged.
#include <utility>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/sms/infobip/outbound.hpp"
#include "tests/adapters/sms/outbound_fixture.hpp"

namespace cg::sms {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using namespace test_outbound;

infobip::Settings infobip_settings(const std::string& base) {
  infobip::Settings s;
  s.sender.name = "infobip";
  s.base_url = base;
  s.api_key = "ib-api-key-0123456789";
  s.from = "AmmanCity";
  s.notify_url = "https://gw.example.jo/v1/sms/infobip/status";
  return s;
}

TEST(InfobipOutbound, JsonPostWithAppKey) {
  ProviderServer server(always(test::infobip_sent("4a54f0242f19-b832-1c39-a7e7a2095f351ed2")));
  ASSERT_TRUE(server.start());
  infobip::InfobipSender sender(infobip_settings(server.base_url()));
  auto batch = std::vector{message(77)};
  auto r = sender.send(batch).at(0);
  EXPECT_EQ(r.kind, SendResult::Kind::accepted) << r.error;
  EXPECT_EQ(r.provider_message_id, "4a54f0242f19-b832-1c39-a7e7a2095f351ed2");
  auto q = server.requests().at(0);
  EXPECT_EQ(q.method, "POST");
  EXPECT_EQ(q.path, "/sms/2/text/advanced");
  EXPECT_EQ(q.header("Authorization"), "App ib-api-key-0123456789");
  EXPECT_NE(q.header("Content-Type").find("application/json"), std::string::npos);
  json body = json::parse(q.body);
  const json& m = body.at("messages").at(0);
  EXPECT_EQ(m.at("destinations").at(0).at("to"), "962791234567");
  EXPECT_EQ(m.at("from"), "AmmanCity");
  EXPECT_EQ(m.at("text"), kArabic);
  EXPECT_EQ(m.at("notifyUrl"), "https://gw.example.jo/v1/sms/infobip/status");
  EXPECT_EQ(m.at("notifyContentType"), "application/json");
  EXPECT_EQ(m.at("callbackData"), "77");
}

TEST(InfobipOutbound, RejectedAndErrors) {
  struct Case {
    CannedReply reply;
    SendResult::Kind kind;
    std::string says;
  } cases[] = {
      {{200,
        R"({"bulkId":"b","messages":[{"messageId":"m1","status":{"groupId":5,"groupName":"REJECTED","id":51,"name":"REJECTED_DESTINATION"},"to":"962791234567"}]})",
        "application/json"},
       SendResult::Kind::permanent,
       "REJECTED_DESTINATION"},
      {{400, R"({"requestError":{"serviceException":{"messageId":"BAD_REQUEST","text":"Bad request"}}})",
        "application/json"},
       SendResult::Kind::permanent,
       "BAD_REQUEST"},
      {{401, R"({"requestError":{"serviceException":{"messageId":"UNAUTHORIZED","text":"Invalid login details"}}})",
        "application/json"},
       SendResult::Kind::temporary,
       "UNAUTHORIZED"},
      {{429, R"({"requestError":{"serviceException":{"messageId":"TOO_MANY_REQUESTS","text":"Too many requests"}}})",
        "application/json"},
       SendResult::Kind::temporary,
       "TOO_MANY_REQUESTS"},
      {{500, "oops"}, SendResult::Kind::temporary, "500"},
  };
  for (const auto& c : cases) {
    ProviderServer server(always(c.reply));
    ASSERT_TRUE(server.start());
    infobip::InfobipSender sender(infobip_settings(server.base_url()));
    auto batch = messages(1);
    auto r = sender.send(batch).at(0);
    EXPECT_EQ(r.kind, c.kind) << c.reply.body;
    EXPECT_NE(r.error.find(c.says), std::string::npos) << r.error;
    EXPECT_EQ(r.request_log.find("ib-api-key-0123456789"), std::string::npos);
    EXPECT_NE(r.request_log.find("Authorization: App ****"), std::string::npos);
  }
}

}  // namespace
}  // namespace cg::sms
