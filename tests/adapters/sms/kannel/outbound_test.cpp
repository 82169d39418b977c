// The Kannel sender against a real HTTP server on 127.0.0.1 (tests/support/provider_server): the
// exact sendsms request, how each answer is judged, redaction of secrets, the concurrency and
// connection reuse of a batch, and the rate limit shared by threads.
#include <utility>

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/sms/kannel/outbound.hpp"
#include "tests/adapters/sms/outbound_fixture.hpp"

namespace cg::sms {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using namespace test_outbound;

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
