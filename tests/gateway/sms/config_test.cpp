// The "sms" config section: the provider list is read strictly and checked at start,
// each fault named by its key; without it the file adapter is the default.
#include <utility>

#include <gtest/gtest.h>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/infobip/status.hpp"
#include "adapters/sms/kannel/status.hpp"
#include "adapters/sms/twilio/status.hpp"
#include "gateway/app/config.hpp"

namespace cg::gateway {
namespace {

std::string with_sms(const std::string& sms) {
  return R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789","public_base_url":"https://gw.amman.jo/",
             "outbox":{"file":{"path":"var/x.jsonl"}},"sms":)" +
         sms + "}";
}

const char* kThree = R"({"providers":[
  {"name":"kannel-zain","kind":"kannel","base_url":"http://10.0.0.5:13013/","username":"gw","password":"kannel-password-0123",
   "from":"AmmanCity","dlr_key":"dlr-key-0123456789","dlr_mask":3,"smsc":"zain","rate_per_second":50,"burst":5,
   "timeout_ms":4000,"connect_timeout_ms":1000,"max_in_flight":16},
  {"name":"twilio","kind":"twilio","account_sid":"AC1","auth_token":"twilio-token-0123456789","messaging_service_sid":"MG1"},
  {"name":"infobip","kind":"infobip","base_url":"https://x.api.infobip.com","api_key":"infobip-api-key-0123456789","from":"AmmanCity",
   "report_user":"ib","report_password":"report-password-0123"}],
  "failover_after":3,"failback_after_s":120,"retry_base_s":10,"retry_max_s":600,"retry_jitter_percent":10,
  "dispatchers":2})";

TEST(SmsConfig, ProvidersInOrderWithTheirSettings) {
  auto c = parse_config(with_sms(kThree));
  ASSERT_TRUE(c) << c.error().message;
  const auto& s = c->sms;
  ASSERT_EQ(s.providers.size(), 3u);
  EXPECT_EQ(s.providers[0].name, "kannel-zain");
  EXPECT_EQ(s.providers[0].base_url, "http://10.0.0.5:13013");  // trailing '/' dropped
  EXPECT_EQ(s.providers[0].dlr_mask, 3);
  EXPECT_EQ(s.providers[0].smsc, "zain");
  EXPECT_EQ(s.providers[0].rate_per_second, 50);
  EXPECT_EQ(s.providers[0].burst, 5);
  EXPECT_EQ(s.providers[0].timeout, std::chrono::milliseconds(4000));
  EXPECT_EQ(s.providers[0].max_in_flight, 16);
  EXPECT_EQ(s.providers[1].base_url, "https://api.twilio.com");  // Twilio's default
  EXPECT_EQ(s.providers[2].kind, "infobip");
  EXPECT_EQ(s.failover_after, 3);
  EXPECT_EQ(s.failback_after, std::chrono::seconds(120));
  EXPECT_EQ(s.retry_base, std::chrono::seconds(10));
  EXPECT_EQ(s.retry_max, std::chrono::seconds(600));
  EXPECT_EQ(s.retry_jitter_percent, 10);
  EXPECT_EQ(s.dispatchers, 2);
  EXPECT_EQ(providers_of_kind(s, "kannel").size(), 1u);
}

TEST(SmsConfig, WithoutProvidersTheFileAdapterIsTheDefault) {
  auto c = parse_config(
      R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789","outbox":{"file":{"path":"o.jsonl"}}})");
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->sms.providers.size(), 1u);
  EXPECT_EQ(c->sms.providers[0].kind, "file");
  EXPECT_EQ(c->sms.providers[0].name, "file");
  EXPECT_EQ(c->sms.providers[0].path, "o.jsonl");
}

TEST(SmsConfig, NoDispatchersHoldsOutboundSms) {
  auto c = parse_config(with_sms(R"({"dispatchers":0})"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->sms.dispatchers, 0);
}

TEST(SmsConfig, EveryFaultIsNamedByItsKey) {
  struct Case {
    std::string sms;
    std::string says;
  } cases[] = {
      {R"({"providers":[{"name":"k","kind":"kannel","pasword":"x"}]})", "sms.providers[0].pasword: unknown key"},
      {R"({"providers":[{"name":"k","kind":"pigeon"}]})", "sms.providers[0].kind: 'pigeon' is not a known provider"},
      {R"({"providers":[{"name":"k","kind":"kannel","base_url":"http://k","username":"u","from":"f","dlr_key":"d"}]})",
       "sms.providers[0].password: is required for kind kannel"},
      {R"({"providers":[{"name":"k","kind":"kannel","base_url":"http://k","username":"u","password":"p","from":"f"}]})",
       "sms.providers[0].dlr_key: is required"},
      {R"({"providers":[{"name":"k","kind":"kannel","base_url":"http://k","username":"u","password":"p","from":"f","dlr_key":"a b"}]})",
       "sms.providers[0].dlr_key"},
      {R"({"providers":[{"name":"k","kind":"kannel","base_url":"ftp://k","username":"u","password":"p","from":"f","dlr_key":"d"}]})",
       "sms.providers[0].base_url: must start with http:// or https://"},
      {R"({"providers":[{"name":"t","kind":"twilio","account_sid":"AC1","auth_token":"t"}]})",
       "sms.providers[0].from: give exactly one of from and messaging_service_sid"},
      {R"({"providers":[{"name":"t","kind":"twilio","account_sid":"AC1","from":"+1"}]})",
       "sms.providers[0].auth_token: is required for kind twilio"},
      {R"({"providers":[{"name":"i","kind":"infobip","base_url":"https://i","api_key":"k","from":"f"}]})",
       "sms.providers[0].report_user: is required for kind infobip"},
      {R"({"providers":[{"name":"f","kind":"file"},{"name":"f","kind":"file"}]})",
       "sms.providers[1].name: 'f' is used twice"},
      {R"({"providers":[{"kind":"file"}]})", "sms.providers[0].name: is required"},
      {R"({"providers":[{"name":"f","kind":"file","rate_per_second":-1}]})",
       "sms.providers[0].rate_per_second: must be 0 to 100000"},
      {R"({"providers":{"name":"f"}})", "sms.providers: must be a list of providers"},
      {R"({"failover_after":0})", "sms.failover_after: must be 1 to 1000"},
      {R"({"retry_base_s":100,"retry_max_s":10})", "sms.retry_max_s: must not be less than sms.retry_base_s"},
      {R"({"dispatcher":2})", "sms.dispatcher: unknown key"},
      {R"({"dispatchers":17})", "sms.dispatchers: must be 0 to 16"},
      {R"({"dispatchers":-1})", "sms.dispatchers: must be 0 to 16"},
      {R"([])", "sms: must be an object"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(with_sms(c.sms));
    ASSERT_FALSE(r) << c.sms;
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message << "\n  for " << c.sms;
  }
}

// --- delivery report parsing, without HTTP ----------------------------------------------------

TEST(DeliveryReportParsing, KannelTypesMapToStatuses) {
  struct Case {
    const char* type;
    const char* status;
    const char* code;
  } cases[] = {
      {"1", "delivered", ""}, {"2", "failed", "2"}, {"4", "queued", ""}, {"8", "sent", ""}, {"16", "failed", "16"}};
  for (const auto& c : cases) {
    auto r = sms::kannel::parse_status({{"id", "12"}, {"type", c.type}, {"reply", "NACK/x"}}, "k");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->outbox_id, 12);
    EXPECT_EQ(r->status, c.status);
    EXPECT_EQ(r->error_code, c.code);
    EXPECT_EQ(r->provider, "k");
    EXPECT_EQ(r->detail, std::string("dlr ") + c.type + ": NACK/x");
  }
  for (const sms::Params& bad : std::vector<sms::Params>{{{"type", "1"}},
                                                         {{"id", "0"}, {"type", "1"}},
                                                         {{"id", "-3"}, {"type", "1"}},
                                                         {{"id", "7"}},
                                                         {{"id", "7"}, {"type", "32"}},
                                                         {{"id", "7"}, {"type", "%d"}}})
    EXPECT_FALSE(sms::kannel::parse_status(bad, "k"));
}

TEST(DeliveryReportParsing, TwilioStatusesAndSignature) {
  auto r =
      sms::twilio::parse_status({{"MessageSid", "SM1"}, {"MessageStatus", "undelivered"}, {"ErrorCode", "30005"}}, "t");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, "failed");
  EXPECT_EQ(r->error_code, "30005");
  EXPECT_EQ(r->provider_message_id, "SM1");
  EXPECT_EQ(sms::twilio::parse_status({{"MessageSid", "SM1"}, {"MessageStatus", "sending"}}, "t")->status, "sent");
  EXPECT_EQ(sms::twilio::parse_status({{"MessageSid", "SM1"}, {"MessageStatus", "accepted"}}, "t")->status, "queued");
  EXPECT_EQ(sms::twilio::parse_status({{"MessageSid", "SM1"}, {"MessageStatus", "read"}}, "t")->status, "delivered");
  EXPECT_FALSE(sms::twilio::parse_status({{"MessageSid", "SM1"}, {"MessageStatus", "lost"}}, "t"));
  EXPECT_FALSE(sms::twilio::parse_status({{"MessageStatus", "sent"}}, "t"));
  // The signature: Base64(HMAC-SHA1(token, url + name+value sorted by name)).
  sms::Params form{{"MessageStatus", "sent"}, {"AccountSid", "AC1"}, {"MessageSid", "SM1"}};
  const std::string url = "https://gw.amman.jo/v1/sms/twilio/status";
  const std::string expected =
      crypto::base64_encode(crypto::hmac_sha1("tok", url + "AccountSidAC1" + "MessageSidSM1" + "MessageStatussent"));
  EXPECT_EQ(sms::twilio::status_signature("tok", url, form), expected);
  EXPECT_TRUE(sms::twilio::status_signature_valid("tok", url, form, expected));
  EXPECT_FALSE(sms::twilio::status_signature_valid("tok2", url, form, expected));
  EXPECT_FALSE(sms::twilio::status_signature_valid("tok", url + "?x=1", form, expected));
  // A repeated name (MediaUrl0 style lists, or a form field sent twice): its values are sorted too,
  // so the signature does not depend on the order they arrived in. Uppercase sorts before lowercase.
  const std::string repeated = crypto::base64_encode(crypto::hmac_sha1("tok", url + "Ab" + "Ac" + "Ba" + "aZ"));
  EXPECT_EQ(sms::twilio::status_signature("tok", url, {{"a", "Z"}, {"A", "c"}, {"B", "a"}, {"A", "b"}}), repeated);
  EXPECT_EQ(sms::twilio::status_signature("tok", url, {{"A", "b"}, {"a", "Z"}, {"B", "a"}, {"A", "c"}}), repeated);
}

TEST(DeliveryReportParsing, InfobipBatches) {
  auto r = sms::infobip::parse_status(
      R"({"results":[{"messageId":"a","status":{"groupName":"PENDING","name":"PENDING_ENROUTE"},"callbackData":"41"},
                     {"messageId":"b","status":{"groupName":"REJECTED","name":"REJECTED_NETWORK"},
                      "error":{"id":6,"name":"EC_ABSENT_SUBSCRIBER"}},
                     {"messageId":"c","status":{"groupName":"DELIVERED"},"error":{"id":0,"name":"NO_ERROR"},"callbackData":"x"}]})",
      "ib");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].status, "sent");
  EXPECT_EQ((*r)[0].outbox_id, 41);
  EXPECT_EQ((*r)[1].status, "failed");
  EXPECT_EQ((*r)[1].error_code, "6");
  EXPECT_EQ((*r)[2].status, "delivered");
  EXPECT_EQ((*r)[2].error_code, "");
  EXPECT_EQ((*r)[2].outbox_id, 0);  // callbackData that is not our id is ignored
  EXPECT_FALSE(sms::infobip::parse_status("nope", "ib"));
  EXPECT_FALSE(sms::infobip::parse_status(R"({"results":{}})", "ib"));
  EXPECT_FALSE(sms::infobip::parse_status(R"({"results":[{"messageId":"a","status":{"groupName":"LOST"}}]})", "ib"));
}

}  // namespace
}  // namespace cg::gateway
