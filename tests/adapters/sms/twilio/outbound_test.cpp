// The Twilio sender against a real HTTP server on 127.0.0.1: the form POST, its basic auth and status
// callback, how each error code is judged, and redaction of the token.
#include <utility>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/twilio/outbound.hpp"
#include "tests/adapters/sms/outbound_fixture.hpp"

namespace cg::sms {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using namespace test_outbound;

twilio::Settings twilio_settings(const std::string& base) {
  twilio::Settings s;
  s.sender.name = "twilio";
  s.base_url = base;
  s.account_sid = "AC0123456789abcdef0123456789abcdef";
  s.auth_token = "twilio-token-secret";
  s.from = "+15005550006";
  s.status_callback = "https://gw.example.jo/v1/sms/twilio/status";
  return s;
}

TEST(TwilioOutbound, FormPostWithBasicAuthAndCallback) {
  ProviderServer server(always(test::twilio_created("SM0123456789abcdef0123456789abcdef")));
  ASSERT_TRUE(server.start());
  twilio::TwilioSender sender(twilio_settings(server.base_url()));
  auto batch = std::vector{message(5)};
  auto r = sender.send(batch).at(0);
  EXPECT_EQ(r.kind, SendResult::Kind::accepted) << r.error;
  EXPECT_EQ(r.provider_message_id, "SM0123456789abcdef0123456789abcdef");
  auto q = server.requests().at(0);
  EXPECT_EQ(q.method, "POST");
  EXPECT_EQ(q.path, "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json");
  EXPECT_EQ(q.header("Authorization"),
            "Basic " + crypto::base64_encode("AC0123456789abcdef0123456789abcdef:twilio-token-secret"));
  EXPECT_NE(q.header("Content-Type").find("application/x-www-form-urlencoded"), std::string::npos);
  EXPECT_EQ(q.form_param("To"), "+962791234567");  // Twilio's form: E.164 with '+'
  EXPECT_EQ(q.form_param("From"), "+15005550006");
  EXPECT_EQ(q.form_param("Body"), kArabic);
  EXPECT_EQ(q.form_param("StatusCallback"), "https://gw.example.jo/v1/sms/twilio/status");
  EXPECT_EQ(q.form_param("MessagingServiceSid"), "");
}

TEST(TwilioOutbound, MessagingServiceInsteadOfFrom) {
  ProviderServer server(always(test::twilio_created("SM1")));
  ASSERT_TRUE(server.start());
  auto s = twilio_settings(server.base_url());
  s.from.clear();
  s.messaging_service_sid = "MG0123";
  twilio::TwilioSender sender(s);
  auto batch = messages(1);
  EXPECT_EQ(sender.send(batch)[0].kind, SendResult::Kind::accepted);
  auto q = server.requests().at(0);
  EXPECT_EQ(q.form_param("MessagingServiceSid"), "MG0123");
  EXPECT_EQ(q.form_param("From"), "");
}

TEST(TwilioOutbound, ErrorsAreClassifiedByCode) {
  struct Case {
    CannedReply reply;
    SendResult::Kind kind;
    std::string says;
  } cases[] = {
      {{400, R"({"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400})",
        "application/json"},
       SendResult::Kind::permanent,
       "21610"},
      {{400, R"({"code":21211,"message":"The 'To' number is not a valid phone number.","status":400})",
        "application/json"},
       SendResult::Kind::permanent,
       "21211"},
      {{400, R"({"code":21602,"message":"Message body is required.","status":400})", "application/json"},
       SendResult::Kind::permanent,
       "21602"},
      {{429, R"({"code":20429,"message":"Too Many Requests","status":429})", "application/json"},
       SendResult::Kind::temporary,
       "20429"},
      {{401, R"({"code":20003,"message":"Authenticate","status":401})", "application/json"},
       SendResult::Kind::temporary,
       "20003"},
      {{503, "Service Unavailable"}, SendResult::Kind::temporary, "503"},
  };
  for (const auto& c : cases) {
    ProviderServer server(always(c.reply));
    ASSERT_TRUE(server.start());
    twilio::TwilioSender sender(twilio_settings(server.base_url()));
    auto batch = messages(1);
    auto r = sender.send(batch).at(0);
    EXPECT_EQ(r.kind, c.kind) << c.reply.body;
    EXPECT_NE(r.error.find(c.says), std::string::npos) << r.error;
  }
}

// An answer the adapter cannot read is a temporary failure of that message, never an exception out
// of the dispatcher's thread (a null status used to end the process, and every start after it).
TEST(TwilioOutbound, AnUnreadableAnswerIsATemporaryFailure) {
  for (const char* body : {R"({"sid":"SM01","status":null})", R"({"sid":"SM01","status":7})",
                           R"({"sid":"SM\u0000\r\n1","status":"queued"})", R"([1,2])", "\xFF garbage"}) {
    ProviderServer server(always({201, body, "application/json"}));
    ASSERT_TRUE(server.start());
    twilio::TwilioSender sender(twilio_settings(server.base_url()));
    auto batch = messages(1);
    std::vector<SendResult> r;
    ASSERT_NO_THROW(r = sender.send(batch)) << body;
    ASSERT_EQ(r.size(), 1u);
    if (std::string_view(body).find("null") != std::string_view::npos ||
        std::string_view(body).find(":7") != std::string_view::npos) {
      EXPECT_EQ(r[0].kind, SendResult::Kind::accepted) << body;  // the sid is there; the status is only a hint
      EXPECT_EQ(r[0].provider_message_id, "SM01");
    } else {
      EXPECT_EQ(r[0].kind, SendResult::Kind::temporary) << body;
    }
  }
}

TEST(TwilioOutbound, TokenNeverReachesTheLog) {
  ProviderServer server(always(test::twilio_created("SM1")));
  ASSERT_TRUE(server.start());
  twilio::TwilioSender sender(twilio_settings(server.base_url()));
  auto batch = messages(1);
  auto r = sender.send(batch).at(0);
  const std::string basic = crypto::base64_encode("AC0123456789abcdef0123456789abcdef:twilio-token-secret");
  EXPECT_EQ(r.request_log.find("twilio-token-secret"), std::string::npos);
  EXPECT_EQ(r.request_log.find(basic), std::string::npos) << r.request_log;
  EXPECT_NE(r.request_log.find("Authorization: Basic ****"), std::string::npos) << r.request_log;
  EXPECT_NE(r.response_log.find("SM1"), std::string::npos);
}

}  // namespace
}  // namespace cg::sms
