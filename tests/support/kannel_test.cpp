// The Kannel test rig itself against real Kannel running deploy/kannel/kannel.conf: sendsms reaches
// fakesmsc as UCS-2 with the right text, and an MO message injected through fakesmsc reaches the
// gateway's inbound route as UTF-8.
#include <utility>

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "adapters/sms/common/redact.hpp"
#include "gateway/http/server.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/kannel.hpp"

namespace cg {
namespace {

using namespace std::chrono_literals;

TEST(KannelRig, SendsmsReachesFakesmscAsUcs2) {
  auto rig = test::KannelRig::start();
  ASSERT_TRUE(rig) << rig.error().message;
  const std::string text = "مرحبا ثم شكرا";  // ث is 0x062B: its low byte is '+' in the url-encoding
  test::HttpClient client;
  auto r = client.get((*rig)->sendsms_url() + "?username=" + sms::form_encode((*rig)->username()) +
                      "&password=" + sms::form_encode((*rig)->password()) +
                      "&from=GAM&to=962791234567&charset=UTF-8&coding=2&text=" + sms::form_encode(text));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 202) << r->body;
  EXPECT_EQ(r->body, "0: Accepted for delivery");
  auto mts = (*rig)->wait_for_mt(1, 10s);
  ASSERT_TRUE(mts) << mts.error().message;
  const auto& mt = mts->front();
  EXPECT_EQ(mt.sender, "GAM");
  EXPECT_EQ(mt.receiver, "962791234567");
  EXPECT_EQ(mt.type, "ucs-2");
  EXPECT_EQ(mt.bytes, test::utf8_to_utf16be(text));
  EXPECT_EQ(mt.utf8, text);
}

TEST(KannelRig, InjectedMoReachesGetUrlAsUtf8) {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<http::Request> seen;
  http::Server server({}, [&](http::Request req, http::Responder respond) {
    {
      std::lock_guard lock(mu);
      seen.push_back(std::move(req));
    }
    cv.notify_all();
    respond(http::text_response(200, ""));
  });
  ASSERT_TRUE(server.start());
  test::KannelOptions o;
  o.gateway_url = "http://127.0.0.1:" + std::to_string(server.port());
  auto rig = test::KannelRig::start(o);
  ASSERT_TRUE(rig) << rig.error().message;
  const std::string text = "تسجيل ABC12";
  ASSERT_TRUE((*rig)->inject_mo("962791234567", "94444", text));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return !seen.empty(); })) << (*rig)->log_tails();
    // deploy/kannel/kannel.conf's get-url: the gateway's Kannel inbound route with its key.
    EXPECT_EQ(seen[0].path, "/v1/sms/kannel/inbound");
    EXPECT_EQ(seen[0].query_param("key").value_or(""), o.inbound_key);
    EXPECT_FALSE(seen[0].query_param("ts").value_or("").empty());
    EXPECT_EQ(seen[0].query_param("from").value_or(""), "962791234567");
    EXPECT_EQ(seen[0].query_param("to").value_or(""), "94444");
    EXPECT_EQ(seen[0].query_param("text").value_or(""), text);
    EXPECT_FALSE(seen[0].query_param("id").value_or("").empty());
  }
  // A second MO (fakesmsc replaced again), plain ASCII this time, and MT still flows afterwards.
  ASSERT_TRUE((*rig)->inject_mo("962781111111", "94444", "STATUS"));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return seen.size() >= 2; })) << (*rig)->log_tails();
    EXPECT_EQ(seen[1].query_param("text").value_or(""), "STATUS");
  }
  test::HttpClient client;
  auto r = client.get((*rig)->sendsms_url() + "?username=" + sms::form_encode((*rig)->username()) + "&password=" +
                      sms::form_encode((*rig)->password()) + "&from=GAM&to=962781111111&text=Hello+there");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 202);
  auto mts = (*rig)->wait_for_mt(1, 10s);
  ASSERT_TRUE(mts) << mts.error().message;
  EXPECT_EQ(mts->back().type, "text");
  EXPECT_EQ(mts->back().utf8, "Hello there");
  server.stop();
}

}  // namespace
}  // namespace cg
