// Delivery reports of each provider through the real gateway (/v1/sms/{kannel,twilio,infobip}/status),
// the outbox admin view (/v1/admin/outbox/{id}), and the send-once guard across a gateway restart.
#include <utility>

#include <gtest/gtest.h>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/common/redact.hpp"
#include "adapters/sms/twilio/status.hpp"
#include "tests/gateway/sms/sms_gateway_fixture.hpp"
#include "tests/support/provider_server.hpp"

namespace cg::gateway::testing {
namespace {

using nlohmann::json;
using test::CannedReply;
using test::ProviderServer;
using test::RecordedRequest;

ProviderServer::Script always(CannedReply r) {
  return [r](const RecordedRequest&, std::size_t) { return r; };
}

SmsProviderConfig kannel_provider(const ProviderServer& server) {
  SmsProviderConfig p;
  p.name = "kannel";
  p.kind = "kannel";
  p.base_url = server.base_url();
  p.username = "gw";
  p.password = "kannel-password-1";
  p.from = "AmmanCity";
  p.dlr_key = "dlr-key-0123";
  return p;
}
SmsProviderConfig twilio_provider(const ProviderServer& server) {
  SmsProviderConfig p;
  p.name = "twilio";
  p.kind = "twilio";
  p.base_url = server.base_url();
  p.account_sid = "AC00000000000000000000000000000001";
  p.auth_token = "twilio-auth-token-1";
  p.from = "+15005550006";
  return p;
}
SmsProviderConfig infobip_provider(const ProviderServer& server) {
  SmsProviderConfig p;
  p.name = "infobip";
  p.kind = "infobip";
  p.base_url = server.base_url();
  p.api_key = "infobip-key-1";
  p.from = "AmmanCity";
  p.report_user = "infobip";
  p.report_password = "reports-pw-1";
  return p;
}

class StatusRoutesTest : public SmsGatewayTest {};

TEST_F(StatusRoutesTest, KannelReportsMoveTheRowForwardByOutboxId) {
  ProviderServer kannel(always(test::kannel_accepted()));
  ASSERT_TRUE(kannel.start());
  start([&](Config& c) { c.sms.providers = {kannel_provider(kannel)}; });
  auto id = enqueue();
  dispatch();
  // The dlr-url the gateway gave Kannel points back here, with Kannel's escapes left for Kannel.
  const std::string dlr = kannel.requests().at(0).query_param("dlr-url");
  EXPECT_EQ(dlr, base_ + "/v1/sms/kannel/status?id=" + std::to_string(id) + "&type=%d&reply=%A&key=dlr-key-0123");
  auto as_kannel_would = [&](int type, const std::string& reply) {
    std::string url = dlr;
    url.replace(url.find("%d"), 2, std::to_string(type));
    url.replace(url.find("%A"), 2, sms::form_encode(reply));
    return call("GET", url.substr(base_.size()));
  };
  auto r = as_kannel_would(8, "ACK/");
  EXPECT_EQ(r.status, 200) << r.body;
  auto d = row(id);
  EXPECT_EQ(d.message.status, "sent");
  EXPECT_EQ(d.delivery_status, "sent");
  r = as_kannel_would(1, "");
  EXPECT_EQ(r.status, 200);
  d = row(id);
  EXPECT_EQ(d.message.status, "delivered");
  EXPECT_EQ(d.delivery_status, "delivered");
  ASSERT_EQ(d.reports.size(), 2u);
  EXPECT_EQ(d.reports[0].status, "sent");
  EXPECT_EQ(d.reports[0].detail, "dlr 8: ACK/");
  EXPECT_EQ(d.reports[1].status, "delivered");
  // A late "queued" does not take the row back.
  EXPECT_EQ(as_kannel_would(4, "").status, 200);
  EXPECT_EQ(row(id).delivery_status, "delivered");
  EXPECT_EQ(row(id).message.status, "delivered");

  // POSTed as a form too.
  auto id2 = enqueue();
  dispatch();
  r = call("POST", "/v1/sms/kannel/status",
           "id=" + std::to_string(id2) + "&type=16&reply=NACK%2F0x0000000b&key=dlr-key-0123",
           {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 200) << r.body;
  d = row(id2);
  EXPECT_EQ(d.message.status, "failed");
  EXPECT_EQ(d.delivery_status, "failed");
  EXPECT_EQ(d.delivery_error, "16");
  EXPECT_NE(d.message.last_error.find("NACK/0x0000000b"), std::string::npos) << d.message.last_error;
}

TEST_F(StatusRoutesTest, KannelReportsAreAuthenticatedAndCheckedAndUnknownIdsAcknowledged) {
  ProviderServer kannel(always(test::kannel_accepted()));
  ASSERT_TRUE(kannel.start());
  start([&](Config& c) { c.sms.providers = {kannel_provider(kannel)}; });
  auto id = enqueue();
  dispatch();
  const std::string sid = std::to_string(id);
  EXPECT_EQ(call("GET", "/v1/sms/kannel/status?id=" + sid + "&type=1").status, 403);
  EXPECT_EQ(call("GET", "/v1/sms/kannel/status?id=" + sid + "&type=1&key=wrong").status, 403);
  auto bad = call("GET", "/v1/sms/kannel/status?id=" + sid + "&type=3&key=dlr-key-0123");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("type"), std::string::npos) << bad.body;
  EXPECT_EQ(call("GET", "/v1/sms/kannel/status?id=x&type=1&key=dlr-key-0123").status, 400);
  EXPECT_EQ(row(id).reports.size(), 0u);
  EXPECT_EQ(row(id).message.status, "sent");
  // A report for a message we do not have: acknowledged (Kannel would only retry), nothing written.
  EXPECT_EQ(call("GET", "/v1/sms/kannel/status?id=999999&type=1&key=dlr-key-0123").status, 200);
  // Not configured: the route says so.
  EXPECT_EQ(call("POST", "/v1/sms/twilio/status", "MessageSid=SM1&MessageStatus=sent",
                 {{"Content-Type", "application/x-www-form-urlencoded"}})
                .status,
            403);
}

TEST_F(StatusRoutesTest, TwilioCallbacksAreVerifiedAndRecorded) {
  ProviderServer twilio(always(test::twilio_created("SM11111111111111111111111111111111")));
  ASSERT_TRUE(twilio.start());
  start([&](Config& c) { c.sms.providers = {twilio_provider(twilio)}; });
  auto id = enqueue();
  dispatch();
  EXPECT_EQ(twilio.requests().at(0).form_param("StatusCallback"), base_ + "/v1/sms/twilio/status");
  EXPECT_EQ(row(id).message.provider_message_id, "SM11111111111111111111111111111111");
  auto post = [&](const sms::Params& form, const std::string& token) {
    std::string body = sms::form_body(form);
    std::string sig = sms::twilio::status_signature(token, base_ + "/v1/sms/twilio/status", form);
    return call("POST", "/v1/sms/twilio/status", body,
                {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Twilio-Signature", sig}});
  };
  sms::Params sent{{"MessageSid", "SM11111111111111111111111111111111"},
                   {"MessageStatus", "sent"},
                   {"AccountSid", "AC00000000000000000000000000000001"},
                   {"To", "+962791234567"},
                   {"From", "+15005550006"}};
  EXPECT_EQ(post(sent, "not-the-token").status, 403);
  EXPECT_EQ(row(id).reports.size(), 0u);
  auto r = post(sent, "twilio-auth-token-1");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(row(id).delivery_status, "sent");
  sms::Params failed{{"MessageSid", "SM11111111111111111111111111111111"},
                     {"MessageStatus", "undelivered"},
                     {"ErrorCode", "30003"},
                     {"AccountSid", "AC00000000000000000000000000000001"}};
  EXPECT_EQ(post(failed, "twilio-auth-token-1").status, 200);
  auto d = row(id);
  EXPECT_EQ(d.message.status, "failed");
  EXPECT_EQ(d.delivery_status, "failed");
  EXPECT_EQ(d.delivery_error, "30003");
  ASSERT_EQ(d.reports.size(), 2u);
  EXPECT_EQ(d.reports[1].error_code, "30003");
  // Unknown sid: acknowledged.
  sms::Params other{{"MessageSid", "SM99"}, {"MessageStatus", "delivered"}};
  EXPECT_EQ(post(other, "twilio-auth-token-1").status, 200);
  // A body changed after signing is refused.
  std::string sig = sms::twilio::status_signature("twilio-auth-token-1", base_ + "/v1/sms/twilio/status", sent);
  EXPECT_EQ(call("POST", "/v1/sms/twilio/status", sms::form_body(failed),
                 {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Twilio-Signature", sig}})
                .status,
            403);
}

TEST_F(StatusRoutesTest, InfobipReportsNeedTheBasicAuthAndMayComeInBatches) {
  int n = 0;
  ProviderServer infobip(
      [&n](const RecordedRequest&, std::size_t) { return test::infobip_sent("ib-" + std::to_string(++n)); });
  ASSERT_TRUE(infobip.start());
  start([&](Config& c) { c.sms.providers = {infobip_provider(infobip)}; });
  auto a = enqueue();
  auto b = enqueue();
  dispatch();
  EXPECT_EQ(json::parse(infobip.requests().at(0).body)["messages"][0]["notifyUrl"], base_ + "/v1/sms/infobip/status");
  std::string ida = row(a).message.provider_message_id, idb = row(b).message.provider_message_id;
  ASSERT_FALSE(ida.empty());
  json body{{"results",
             {{{"messageId", ida},
               {"to", "962791234567"},
               {"status", {{"groupId", 3}, {"groupName", "DELIVERED"}, {"name", "DELIVERED_TO_HANDSET"}}},
               {"error", {{"id", 0}, {"name", "NO_ERROR"}}},
               {"callbackData", std::to_string(a)}},
              {{"messageId", idb},
               {"to", "962791234567"},
               {"status", {{"groupId", 4}, {"groupName", "EXPIRED"}, {"name", "EXPIRED_EXPIRED"}}},
               {"error", {{"id", 1}, {"name", "EC_UNKNOWN_SUBSCRIBER"}, {"groupName", "HANDSET_ERRORS"}}}},
              {{"messageId", "not-ours"}, {"status", {{"groupName", "DELIVERED"}}}}}}};
  const std::string auth = "Basic " + crypto::base64_encode("infobip:reports-pw-1");
  EXPECT_EQ(call("POST", "/v1/sms/infobip/status", body.dump(), {{"Content-Type", "application/json"}}).status, 401);
  EXPECT_EQ(
      call("POST", "/v1/sms/infobip/status", body.dump(),
           {{"Content-Type", "application/json"}, {"Authorization", "Basic " + crypto::base64_encode("infobip:x")}})
          .status,
      401);
  auto r = call("POST", "/v1/sms/infobip/status", body.dump(),
                {{"Content-Type", "application/json"}, {"Authorization", auth}});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(row(a).message.status, "delivered");
  EXPECT_EQ(row(a).delivery_error, "");
  EXPECT_EQ(row(b).message.status, "failed");
  EXPECT_EQ(row(b).delivery_error, "1");
  EXPECT_NE(row(b).reports.at(0).detail.find("EC_UNKNOWN_SUBSCRIBER"), std::string::npos);
  // Malformed: refused whole, nothing applied.
  auto bad = call("POST", "/v1/sms/infobip/status", R"({"results":[{"messageId":"x"}]})",
                  {{"Content-Type", "application/json"}, {"Authorization", auth}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("results[0].status"), std::string::npos) << bad.body;
}

TEST_F(StatusRoutesTest, AdminSeesTheMessageItsReportsAndItsRedactedChannelLog) {
  int n = 0;
  ProviderServer kannel([&n](const RecordedRequest&, std::size_t) {
    return ++n == 1 ? CannedReply{503, "Sending failed."} : test::kannel_accepted();
  });
  ASSERT_TRUE(kannel.start());
  start([&](Config& c) { c.sms.providers = {kannel_provider(kannel)}; });
  auto id = enqueue();
  dispatch();
  clock_.advance(std::chrono::seconds(5));
  dispatch();
  EXPECT_EQ(call("GET", "/v1/sms/kannel/status?id=" + std::to_string(id) + "&type=1&key=dlr-key-0123").status, 200);
  EXPECT_EQ(call("GET", "/v1/admin/outbox/" + std::to_string(id)).status, 401);
  auto r = admin_get("/v1/admin/outbox/" + std::to_string(id));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("kannel-password-1"), std::string::npos);
  EXPECT_EQ(r.body.find("dlr-key-0123"), std::string::npos);
  json j = json::parse(r.body);
  EXPECT_EQ(j["id"], id);
  EXPECT_EQ(j["status"], "delivered");
  EXPECT_EQ(j["attempts"], 2);
  EXPECT_EQ(j["provider"], "kannel");
  EXPECT_EQ(j["text"], "تم استلام طلبك لدورة مهارات الحاسوب");
  EXPECT_EQ(j["delivery"]["status"], "delivered");
  ASSERT_EQ(j["delivery_reports"].size(), 1u);
  EXPECT_EQ(j["delivery_reports"][0]["status"], "delivered");
  ASSERT_EQ(j["channel_log"].size(), 2u);
  EXPECT_EQ(j["channel_log"][0]["outcome"], "temporary");
  EXPECT_EQ(j["channel_log"][0]["http_status"], 503);
  EXPECT_EQ(j["channel_log"][1]["outcome"], "accepted");
  EXPECT_NE(j["channel_log"][1]["request"].get<std::string>().find("password=****"), std::string::npos);
  EXPECT_EQ(admin_get("/v1/admin/outbox/123456").status, 404);
  EXPECT_EQ(admin_get("/v1/admin/outbox/abc").status, 400);
}

TEST_F(StatusRoutesTest, AcceptedMessagesAreNotSentAgainAfterAGatewayRestart) {
  ProviderServer kannel(always(test::kannel_accepted()));
  ASSERT_TRUE(kannel.start());
  start([&](Config& c) { c.sms.providers = {kannel_provider(kannel)}; });
  enqueue();
  enqueue("Course 101 starts tomorrow at 16:00");
  dispatch();
  EXPECT_EQ(kannel.count(), 2u);
  restart();
  clock_.advance(std::chrono::hours(2));  // every lease long gone
  dispatch();
  EXPECT_EQ(kannel.count(), 2u);
}

}  // namespace
}  // namespace cg::gateway::testing
