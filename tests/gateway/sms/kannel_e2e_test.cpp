// End to end with a real Kannel: an applicant applies through the API, the gateway sends the
// Arabic confirmation through smsbox's sendsms, Kannel's fakesmsc receives it as UCS-2 with the
// right text, and Kannel's delivery reports come back to /v1/sms/kannel/status and mark it delivered.
#include <utility>

#include <gtest/gtest.h>

#include <thread>

#include "tests/gateway/sms/sms_gateway_fixture.hpp"
#include "tests/support/kannel.hpp"

namespace cg::gateway::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class KannelEndToEnd : public SmsGatewayTest {};

TEST_F(KannelEndToEnd, ArabicSmsReachesThePhoneAsUcs2AndItsDeliveryReportComesBack) {
  auto rig = test::KannelRig::start();
  ASSERT_TRUE(rig) << rig.error().message;
  test::KannelRig& kannel = **rig;
  start([&](Config& c) {
    SmsProviderConfig p;
    p.name = "kannel";
    p.kind = "kannel";
    p.base_url = kannel.sendsms_base_url();
    p.username = kannel.username();
    p.password = kannel.password();
    p.from = "AmmanCity";
    p.dlr_key = "e2e-dlr-key";
    c.sms.providers = {p};
  });

  json course{{"code", "101"},
              {"title_ar", "مهارات الحاسوب الأساسية"},
              {"title_en", "Basic Computer Skills"},
              {"location", "مركز الحسين الثقافي"},
              {"start_at", "2026-12-10T16:00:00+03:00"},
              {"end_at", "2026-12-14T19:00:00+03:00"},
              {"min_participants", 3},
              {"fee_jod", "0.000"},
              {"exam_url", "https://exam.amman.jo/placement"},
              {"evaluation_url", "https://amman.jo/eval/101"}};
  auto c = call("POST", "/v1/admin/courses", course.dump(),
                {{"Content-Type", "application/json"}, {"Authorization", std::string("Bearer ") + kSmsAdminToken}});
  ASSERT_EQ(c.status, 201) << c.body;
  json apply{{"course_id", json::parse(c.body)["id"]},
             {"phone", "0791234567"},
             {"name", "سارة أحمد"},
             {"id_type", "national_id"},
             {"id_number", "9901234567"},
             {"nationality", "JO"},
             {"language", "ar"}};
  auto a = call("POST", "/v1/applications", apply.dump(), {{"Content-Type", "application/json"}});
  ASSERT_EQ(a.status, 201) << a.body;

  dispatch();
  // The row the gateway sent, as the operators see it.
  auto f = admin_get("/v1/admin/outbox/1");
  ASSERT_EQ(f.status, 200) << f.body;
  json row = json::parse(f.body);
  const std::string text = row["text"];
  const int segments = row["segments"];
  ASSERT_FALSE(text.empty());
  ASSERT_GE(segments, 1);

  // The confirmation is longer than one UCS-2 SMS (70 characters), so the network gets it in
  // parts (UDH), which put back together are exactly the text in UTF-16BE: UCS-2.
  auto mts = kannel.wait_for_mt(static_cast<std::size_t>(segments), 15s);
  ASSERT_TRUE(mts) << mts.error().message;
  auto joined = test::join_parts(*mts);
  ASSERT_EQ(joined.size(), 1u) << kannel.log_tails();
  const auto& mt = joined.front();
  EXPECT_EQ(mt.parts, segments);
  EXPECT_EQ(mt.sender, "AmmanCity");
  EXPECT_EQ(mt.receiver, "962791234567");
  EXPECT_EQ(mt.bytes, test::utf8_to_utf16be(text)) << mt.line;
  EXPECT_EQ(test::utf16be_to_utf8(mt.bytes), text);

  // A short Arabic SMS goes in one part, which the fake SMSC marks ucs-2 itself.
  const std::string short_text = "موعد دورتك غدا الساعة ٤ مساء";
  auto short_id = enqueue(short_text);
  dispatch();
  auto more = kannel.wait_for_mt(static_cast<std::size_t>(segments) + 1, 15s);
  ASSERT_TRUE(more) << more.error().message;
  EXPECT_EQ(more->back().type, "ucs-2") << more->back().line;
  EXPECT_EQ(more->back().utf8, short_text);
  EXPECT_EQ(more->back().bytes, test::utf8_to_utf16be(short_text));

  // The fake SMSC reports "delivered to SMSC" (8) and then "delivered" (1) to our dlr-url.
  std::string status;
  for (int i = 0; i < 300 && status != "delivered"; ++i) {
    std::this_thread::sleep_for(50ms);
    status = json::parse(admin_get("/v1/admin/outbox/1").body)["delivery"]["status"];
  }
  row = json::parse(admin_get("/v1/admin/outbox/1").body);
  EXPECT_EQ(status, "delivered") << row.dump(2) << "\n" << kannel.log_tails();
  EXPECT_EQ(row["status"], "delivered");
  // Kannel reports each part of a concatenated message on its own (8 then 1, per part).
  int delivered = 0;
  for (const auto& r : row["delivery_reports"]) delivered += r["status"] == "delivered";
  EXPECT_GE(delivered, 1) << row.dump(2);
  EXPECT_EQ(row["channel_log"].size(), 1u);
  EXPECT_EQ(row["channel_log"][0]["http_status"], 202);
  // And the short one's reports come back too.
  status.clear();
  for (int i = 0; i < 300 && status != "delivered"; ++i) {
    std::this_thread::sleep_for(50ms);
    status = json::parse(admin_get("/v1/admin/outbox/" + std::to_string(short_id)).body)["delivery"]["status"];
  }
  EXPECT_EQ(status, "delivered");
}

// deploy/kannel/kannel.conf lets the gateway's sendsms-user send 3 parts: a reply of 193 Arabic
// characters (three UCS-2 parts of 67) reaches the phone whole, not cut after the first part(s).
TEST_F(KannelEndToEnd, AThreePartArabicMessageArrivesWhole) {
  auto rig = test::KannelRig::start();
  ASSERT_TRUE(rig) << rig.error().message;
  test::KannelRig& kannel = **rig;
  start([&](Config& c) {
    SmsProviderConfig p;
    p.name = "kannel";
    p.kind = "kannel";
    p.base_url = kannel.sendsms_base_url();
    p.username = kannel.username();
    p.password = kannel.password();
    p.from = "AmmanCity";
    p.dlr_mask = 0;
    c.sms.providers = {p};
  });
  const std::string text =
      "شكراً لتسجيلك في دورة الخط العربي لدى أمانة عمّان الكبرى. تبدأ الدورة يوم الأحد في مركز الحسين "
      "الثقافي – رأس العين، الساعة ٤ مساءً. يرجى إحضار الهوية الشخصية وقلم، والحضور قبل الموعد بربع ساعة.";
  ASSERT_EQ(test::utf8_to_utf16be(text).size() / 2, 193u);
  auto id = enqueue(text);
  dispatch();
  EXPECT_EQ(row(id).message.status, "sent");
  auto mts = kannel.wait_for_mt(3, 15s);
  ASSERT_TRUE(mts) << mts.error().message;
  auto joined = test::join_parts(*mts);
  ASSERT_EQ(joined.size(), 1u) << kannel.log_tails();
  EXPECT_EQ(joined.front().parts, 3);
  EXPECT_EQ(test::utf16be_to_utf8(joined.front().bytes), text);
}

}  // namespace
}  // namespace cg::gateway::testing
