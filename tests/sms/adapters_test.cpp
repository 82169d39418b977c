// The outbound adapters against a real HTTP server on 127.0.0.1 (tests/support/provider_server):
// the exact request each provider gets, how each answer is judged, redaction of secrets, the
// concurrency and connection reuse of a batch, and the rate limit.
#include <utility>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/infobip/outbound.hpp"
#include "adapters/sms/kannel/outbound.hpp"
#include "adapters/sms/twilio/outbound.hpp"
#include "tests/support/provider_server.hpp"

namespace cg::sms {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using test::CannedReply;
using test::ProviderServer;
using test::RecordedRequest;

const std::string kArabic = "تمت الموافقة على طلبك لدورة مهارات الحاسوب";

store::OutboxMessage message(std::int64_t id, std::string text = kArabic, std::string to = "+962791234567") {
  store::OutboxMessage m;
  m.id = id;
  m.to = std::move(to);
  m.text = std::move(text);
  m.template_name = "approved";
  return m;
}

std::vector<store::OutboxMessage> messages(int n, std::int64_t first = 1) {
  std::vector<store::OutboxMessage> out;
  for (int i = 0; i < n; ++i) out.push_back(message(first + i));
  return out;
}

ProviderServer::Script always(CannedReply r) {
  return [r](const RecordedRequest&, std::size_t) { return r; };
}

// --- Kannel -------------------------------------------------------------------------------------

kannel::Settings kannel_settings(const std::string& base) {
  kannel::Settings s;
  s.sender.name = "kannel-main";
  s.base_url = base;
  s.username = "gateway";
  s.password = "p@ss word&more";
  s.from = "AmmanCity";
  s.dlr_url = "https://gw.example.jo/v1/sms/kannel/status";
  s.dlr_key = "dlrkey123";
  s.sender.http.timeout = 2s;
  return s;
}

TEST(KannelOutbound, ArabicGoesAsUcs2WithEveryParameter) {
  ProviderServer server(always(test::kannel_accepted()));
  ASSERT_TRUE(server.start());
  kannel::KannelSender sender(kannel_settings(server.base_url()));
  auto batch = std::vector{message(42)};
  auto results = sender.send(batch);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].kind, SendResult::Kind::accepted) << results[0].error;
  EXPECT_EQ(results[0].http_status, 202);
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& r = reqs[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/cgi-bin/sendsms");
  EXPECT_EQ(r.query_param("username"), "gateway");
  EXPECT_EQ(r.query_param("password"), "p@ss word&more");
  EXPECT_EQ(r.query_param("from"), "AmmanCity");
  EXPECT_EQ(r.query_param("to"), "962791234567");  // Kannel's form: no '+'
  EXPECT_EQ(r.query_param("text"), kArabic);       // UTF-8, converted by smsbox ...
  EXPECT_EQ(r.query_param("charset"), "UTF-8");
  EXPECT_EQ(r.query_param("coding"), "2");  // ... to UCS-2
  EXPECT_EQ(r.query_param("dlr-mask"), "31");
  EXPECT_EQ(r.query_param("dlr-url"),
            "https://gw.example.jo/v1/sms/kannel/status?id=42&type=%d&reply=%A&key=dlrkey123");
  EXPECT_TRUE(r.body.empty());
}

TEST(KannelOutbound, Gsm7TextHasNoCodingAndSmscIsPassed) {
  ProviderServer server(always(test::kannel_accepted()));
  ASSERT_TRUE(server.start());
  auto s = kannel_settings(server.base_url());
  s.smsc = "zain";
  s.dlr_mask = 3;
  kannel::KannelSender sender(s);
  auto batch =
      std::vector{message(7, "Your booking for course 101 is confirmed: 10/12 16:00, Hussein Cultural Centre")};
  auto results = sender.send(batch);
  EXPECT_EQ(results[0].kind, SendResult::Kind::accepted);
  auto r = server.requests().at(0);
  EXPECT_EQ(r.query_param("text"), batch[0].text);
  EXPECT_EQ(r.query_param("coding"), "");
  EXPECT_EQ(r.query_param("smsc"), "zain");
  EXPECT_EQ(r.query_param("dlr-mask"), "3");
}

TEST(KannelOutbound, QueuedForLaterIsAccepted) {
  ProviderServer server(always({202, "3: Queued for later delivery"}));
  ASSERT_TRUE(server.start());
  kannel::KannelSender sender(kannel_settings(server.base_url()));
  auto batch = messages(1);
  EXPECT_EQ(sender.send(batch)[0].kind, SendResult::Kind::accepted);
}

TEST(KannelOutbound, AnswersAreClassified) {
  struct Case {
    CannedReply reply;
    SendResult::Kind kind;
  } cases[] = {
      {{400, "Missing receiver number"}, SendResult::Kind::permanent},
      {{404, "Not found"}, SendResult::Kind::permanent},
      {{403, "Authorization failed for sendsms"}, SendResult::Kind::temporary},
      {{401, "Unauthorized"}, SendResult::Kind::temporary},
      {{429, "Too many"}, SendResult::Kind::temporary},
      {{500, "Internal error"}, SendResult::Kind::temporary},
      {{503, "Sending failed."}, SendResult::Kind::temporary},
      {{202, "something else"}, SendResult::Kind::temporary},
  };
  for (const auto& c : cases) {
    ProviderServer server(always(c.reply));
    ASSERT_TRUE(server.start());
    kannel::KannelSender sender(kannel_settings(server.base_url()));
    auto batch = messages(1);
    auto r = sender.send(batch).at(0);
    EXPECT_EQ(r.kind, c.kind) << c.reply.status << " " << c.reply.body;
    EXPECT_EQ(r.http_status, c.reply.status);
    if (c.reply.status != 202) {
      EXPECT_NE(r.error.find(c.reply.body), std::string::npos) << r.error;
    }
  }
}

TEST(KannelOutbound, SlowProviderTimesOutAsTemporary) {
  ProviderServer server(always({202, "0: Accepted for delivery", "text/plain", 1500ms}));
  ASSERT_TRUE(server.start());
  auto s = kannel_settings(server.base_url());
  s.sender.http.timeout = 300ms;
  kannel::KannelSender sender(s);
  auto batch = messages(1);
  auto r = sender.send(batch).at(0);
  EXPECT_EQ(r.kind, SendResult::Kind::temporary);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
}

TEST(KannelOutbound, ConnectionRefusedIsTemporary) {
  std::string base;
  {
    ProviderServer server(always(test::kannel_accepted()));
    ASSERT_TRUE(server.start());
    base = server.base_url();
  }  // stopped: nothing listens on that port now
  kannel::KannelSender sender(kannel_settings(base));
  auto batch = messages(1);
  auto r = sender.send(batch).at(0);
  EXPECT_EQ(r.kind, SendResult::Kind::temporary);
  EXPECT_EQ(r.http_status, 0);
  EXPECT_NE(r.response_log.find("no answer"), std::string::npos);
}

TEST(KannelOutbound, NotE164IsPermanentAndNothingIsSent) {
  ProviderServer server(always(test::kannel_accepted()));
  ASSERT_TRUE(server.start());
  kannel::KannelSender sender(kannel_settings(server.base_url()));
  std::vector batch{message(1, "hi", "0791234567"), message(2, "hi", "+96279x234567"),
                    message(3, "hi", "+962791234567")};
  auto r = sender.send(batch);
  EXPECT_EQ(r[0].kind, SendResult::Kind::permanent);
  EXPECT_NE(r[0].error.find("E.164"), std::string::npos);
  EXPECT_EQ(r[1].kind, SendResult::Kind::permanent);
  EXPECT_EQ(r[2].kind, SendResult::Kind::accepted);
  EXPECT_EQ(server.count(), 1u);
}

TEST(KannelOutbound, SecretsNeverReachTheLog) {
  ProviderServer server(always({503, "no: p@ss word&more dlrkey123"}));  // even if echoed back
  ASSERT_TRUE(server.start());
  kannel::KannelSender sender(kannel_settings(server.base_url()));
  auto batch = messages(1);
  auto r = sender.send(batch).at(0);
  for (const std::string& text : {r.request_log, r.response_log, r.error}) {
    EXPECT_EQ(text.find("p@ss word&more"), std::string::npos) << text;
    EXPECT_EQ(text.find("p%40ss+word%26more"), std::string::npos) << text;
    EXPECT_EQ(text.find("dlrkey123"), std::string::npos) << text;
  }
  EXPECT_NE(r.request_log.find("password=****"), std::string::npos) << r.request_log;
  EXPECT_NE(r.request_log.find("/cgi-bin/sendsms?username=gateway"), std::string::npos) << r.request_log;
}

TEST(KannelOutbound, BatchRunsConcurrentlyOverReusedConnections) {
  ProviderServer server(always({202, "0: Accepted for delivery", "text/plain", 100ms}), 8);
  ASSERT_TRUE(server.start());
  auto s = kannel_settings(server.base_url());
  s.sender.http.max_in_flight = 4;
  kannel::KannelSender sender(s);
  auto batch = messages(12);
  for (const auto& r : sender.send(batch)) EXPECT_EQ(r.kind, SendResult::Kind::accepted);
  // Held 100 ms each, the requests could only overlap on several connections, never more than 4.
  auto first = server.connections();
  EXPECT_GE(first, 2u);
  EXPECT_LE(first, 4u);
  auto again = messages(12, 100);
  for (const auto& r : sender.send(again)) EXPECT_EQ(r.kind, SendResult::Kind::accepted);
  EXPECT_EQ(server.connections(), first) << "the second batch must reuse the kept-alive connections";
  EXPECT_EQ(server.count(), 24u);
}

// --- Twilio -------------------------------------------------------------------------------------

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

// --- Infobip ------------------------------------------------------------------------------------

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

// --- Rate limit ---------------------------------------------------------------------------------

TEST(RateLimiter, SpacesMessagesByTheRateAndAllowsTheBurst) {
  RateLimiter limiter(10, 3);  // 100 ms apart, 3 at once after a pause
  auto t0 = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_EQ(limiter.try_acquire(t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0), std::chrono::milliseconds(100));  // the 4th waits one interval
  EXPECT_EQ(limiter.try_acquire(t0 + 50ms), std::chrono::milliseconds(50));
  EXPECT_EQ(limiter.try_acquire(t0 + 100ms), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.try_acquire(t0 + 100ms), std::chrono::milliseconds(100));
  // Over a long run exactly `rate` per second get through, however the calls are spread.
  int granted = 0;
  for (auto t = t0 + 1s; t < t0 + 11s; t += 7ms)
    if (limiter.try_acquire(t) == RateLimiter::Clock::duration::zero()) ++granted;
  EXPECT_GE(granted, 100);
  EXPECT_LE(granted, 100 + 3);
}

TEST(RateLimiter, ZeroMeansNoLimit) {
  RateLimiter limiter(0);
  auto t0 = RateLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(limiter.try_acquire(t0), RateLimiter::Clock::duration::zero());
  EXPECT_FALSE(limiter.limited());
}

TEST(RateLimit, TwoThreadsSendingThroughOneProviderKeepItInTotal) {
  ProviderServer server(always(test::kannel_accepted()), 4);
  ASSERT_TRUE(server.start());
  auto s = kannel_settings(server.base_url());
  s.sender.rate_per_second = 20;  // 50 ms apart
  s.sender.burst = 1;
  kannel::KannelSender sender(s);
  std::thread a([&] {
    auto batch = messages(6, 1);
    sender.send(batch);
  });
  std::thread b([&] {
    auto batch = messages(6, 100);
    sender.send(batch);
  });
  a.join();
  b.join();
  auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 12u);
  std::vector<std::chrono::steady_clock::time_point> at;
  for (const auto& r : reqs) at.push_back(r.at);
  std::sort(at.begin(), at.end());
  // 12 messages at 20/s take at least 11 intervals from the first to the last; one interval of
  // slack for how late the first request may have arrived.
  EXPECT_GE(at.back() - at.front(), 10 * 50ms);
}

}  // namespace
}  // namespace cg::sms
