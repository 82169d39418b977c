// POST /v1/ussd/africastalking on the real gateway: a whole apply journey as the
// aggregator sends it (text grows by '*'-joined inputs), the same journey in English, a retried
// request, an expired or unknown session, my applications and cancel, and refused requests.
#include "tests/gateway/gateway_fixture.hpp"

namespace cg::gateway::testing {
namespace {

constexpr const char* kUssdKey = "ussd-key-0123456789";

std::string enc(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

class Ussd : public GatewayTest {
 protected:
  void customise(Config& c) const override {
    c.inbound.africastalking.key = kUssdKey;
    c.inbound.africastalking.allowed_addresses = {"127.0.0.1"};
    if (c.sms.providers.empty()) {  // the file adapter, as parse_config defaults it
      SmsProviderConfig file;
      file.name = "file";
      file.kind = "file";
      file.path = c.outbox.file.path;
      c.sms.providers.push_back(file);
    }
  }

  test::HttpResponse ussd(const std::string& session, const std::string& text,
                          const std::string& phone = "+962791234567", const std::string& key = kUssdKey) {
    std::string body = "sessionId=" + enc(session) + "&serviceCode=" + enc("*384*123#") + "&phoneNumber=" + enc(phone) +
                       "&networkCode=41601&text=" + enc(text);
    auto r = client_.request("POST", base_ + "/v1/ussd/africastalking?key=" + enc(key),
                             {{"Content-Type", "application/x-www-form-urlencoded"}}, body);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : test::HttpResponse{};
  }

  // The journey input by input; returns the last answer.
  std::string journey(const std::string& session, const std::vector<std::string>& inputs) {
    auto r = ussd(session, "");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.substr(0, 4), "CON ") << r.body;
    std::string text;
    for (const auto& in : inputs) {
      text += (text.empty() ? "" : "*") + in;
      r = ussd(session, text);
      EXPECT_EQ(r.status, 200) << text << ": " << r.body;
      clock_.advance(std::chrono::seconds(5));
    }
    return r.body;
  }
};

TEST_F(Ussd, ApplyJourneyCreatesAnApplicationByUssd) {
  auto course = create_course();
  std::string last = journey("ATUid_1", {"1", "1", "1", "سارة أحمد", "1", "٩٨٧١٢٣٤٥٦٧", "1"});
  EXPECT_EQ(last.substr(0, 4), "END ") << last;
  EXPECT_NE(last.find("101"), std::string::npos) << last;
  auto apps = app_->service().course_applications(course, std::nullopt, 10);
  ASSERT_TRUE(apps.ok());
  ASSERT_EQ(apps->size(), 1u);
  EXPECT_EQ((*apps)[0].channel, "ussd");
  EXPECT_EQ((*apps)[0].applicant.id_number, "9871234567");
  EXPECT_EQ((*apps)[0].applicant.phone, "+962791234567");
  // The card's own SMS follows, in Arabic.
  auto sms = templates_for((*apps)[0].id);
  EXPECT_EQ(sms, std::vector<std::string>{"application_received"});
  // The aggregator retries the last request: the same answer, no second application.
  auto again = ussd("ATUid_1", "1*1*1*سارة أحمد*1*٩٨٧١٢٣٤٥٦٧*1");
  EXPECT_EQ(again.body, last);
  EXPECT_EQ(app_->service().course_applications(course, std::nullopt, 10)->size(), 1u);
  // The session is over: anything more is told so.
  auto after = ussd("ATUid_1", "1*1*1*سارة أحمد*1*٩٨٧١٢٣٤٥٦٧*1*1");
  EXPECT_EQ(after.body.substr(0, 4), "END ");
  // A second application for the same course (new session) is refused on its END screen.
  last = journey("ATUid_2", {"1", "1", "1", "1"});
  EXPECT_EQ(last.substr(0, 4), "END ");
  EXPECT_NE(last.find("لديكم طلب سابق"), std::string::npos) << last;
}

TEST_F(Ussd, EnglishJourneyMyApplicationsAndCancel) {
  auto course = create_course();
  std::string last = journey("s-en", {"4", "1", "1", "1", "Lina Haddad", "2", "N1234567", "1"});
  EXPECT_NE(last.find("was sent"), std::string::npos) << last;
  auto mine = journey("s-en-2", {"2"});
  EXPECT_NE(mine.find("waiting for enough applicants"), std::string::npos) << mine;  // English: chosen before
  auto done = journey("s-en-3", {"3", "1", "1"});
  EXPECT_EQ(done.substr(0, 4), "END ") << done;
  auto apps = app_->service().course_applications(course, std::nullopt, 10);
  ASSERT_EQ(apps->size(), 1u);
  EXPECT_EQ((*apps)[0].state, core::ApplicationState::cancelled);
}

// The application a session offers to cancel was cancelled meanwhile (another session): the card
// refuses, and the END screen says it can no longer be cancelled rather than "try later".
TEST_F(Ussd, CancellingWhatIsNoLongerCancellableSaysSo) {
  auto course = create_course();
  journey("apply", {"1", "1", "1", "سارة أحمد", "1", "٩٨٧١٢٣٤٥٦٧", "1"});
  std::string confirm = journey("first", {"3", "1"});
  ASSERT_EQ(confirm.substr(0, 4), "CON ") << confirm;
  std::string done = journey("second", {"3", "1", "1"});
  ASSERT_EQ(done.substr(0, 4), "END ") << done;
  auto late = ussd("first", "3*1*1");
  EXPECT_EQ(late.body.substr(0, 4), "END ") << late.body;
  EXPECT_NE(late.body.find("لم يعد ممكناً إلغاء طلبكم لدورة 101"), std::string::npos) << late.body;
  EXPECT_EQ(late.body.find("لاحقاً"), std::string::npos) << late.body;
  auto apps = app_->service().course_applications(course, std::nullopt, 10);
  ASSERT_EQ(apps->size(), 1u);
  EXPECT_EQ((*apps)[0].state, core::ApplicationState::cancelled);
  // A number the service cannot answer is told so.
  auto phone = ussd("bad-phone", "", "12");
  EXPECT_EQ(phone.body.substr(0, 4), "END ") << phone.body;
  EXPECT_NE(phone.body.find("لا يمكن استخدام هذه الخدمة"), std::string::npos) << phone.body;
}

TEST_F(Ussd, UnknownOrTimedOutSessionsEnd) {
  auto r = ussd("never-started", "1*1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.substr(0, 4), "END ") << r.body;
  journey("slow", {"1"});
  clock_.advance(std::chrono::minutes(10));
  r = ussd("slow", "1*1");
  EXPECT_EQ(r.body.substr(0, 4), "END ") << r.body;
  // The same session id from another phone is not that session.
  journey("shared", {"1"});
  r = ussd("shared", "1*1", "+962781111111");
  EXPECT_EQ(r.body.substr(0, 4), "END ") << r.body;
}

TEST_F(Ussd, APhoneOutsideTheAllowedCountriesCannotApply) {
  auto course = create_course();
  // sms.allowed_country_codes is ["962"]: an application from here would send SMS abroad. Every
  // step of the journey that applies from Jordan ends at once.
  std::string text;
  for (const char* in : {"", "1", "1", "1", "Lina Haddad", "1", "9871234567", "1"}) {
    text += std::string(text.empty() || !*in ? "" : "*") + in;
    auto r = ussd("abroad", text, "+447911123456");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body.substr(0, 4), "END ") << text << ": " << r.body;
  }
  auto apps = app_->service().course_applications(course, std::nullopt, 10);
  ASSERT_TRUE(apps.ok());
  EXPECT_TRUE(apps->empty());
  EXPECT_TRUE(outbox().empty());
}

TEST_F(Ussd, RefusedRequests) {
  EXPECT_EQ(ussd("s", "", "+962791234567", "wrong-key").status, 403);
  auto r = client_.request("POST", base_ + "/v1/ussd/africastalking?key=" + std::string(kUssdKey),
                           {{"Content-Type", "application/x-www-form-urlencoded"}}, "serviceCode=x&text=");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("sessionId"), std::string::npos);
  r = client_.request("POST", base_ + "/v1/ussd/africastalking?key=" + std::string(kUssdKey),
                      {{"Content-Type", "application/json"}}, "{}");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 415);
  // No text at all is not an aggregator's request (its first request sends text empty).
  r = client_.request("POST", base_ + "/v1/ussd/africastalking?key=" + std::string(kUssdKey),
                      {{"Content-Type", "application/x-www-form-urlencoded"}},
                      "sessionId=s-notext&serviceCode=x&phoneNumber=%2B962791234567");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 400) << r->body;
  EXPECT_NE(r->body.find("text"), std::string::npos) << r->body;
}

// Only a session's first request builds it: an empty text later (a late or replayed first request)
// neither reopens an ended session nor takes a new snapshot of the course list under the numbers
// already shown.
TEST_F(Ussd, AnEmptyTextDoesNotRebuildASession) {
  auto first = create_course();
  std::string list = journey("snap", {"1"});
  ASSERT_EQ(list.substr(0, 4), "CON ") << list;
  auto again = ussd("snap", "");
  EXPECT_EQ(again.body.substr(0, 4), "CON ") << again.body;
  // A course opened since: the session still shows the list it was built with.
  create_course(json{{"code", "102"}});
  auto same = ussd("snap", "1");
  EXPECT_EQ(same.body, list);
  EXPECT_EQ(same.body.find("102"), std::string::npos) << same.body;
  // A session that ended stays ended.
  std::string done = journey("snap-end", {"1", "1", "1", "سارة أحمد", "1", "٩٨٧١٢٣٤٥٦٧", "1"});
  ASSERT_EQ(done.substr(0, 4), "END ") << done;
  auto reopened = ussd("snap-end", "");
  EXPECT_EQ(reopened.body.substr(0, 4), "END ") << reopened.body;
  EXPECT_EQ(app_->service().course_applications(first, std::nullopt, 10)->size(), 1u);
}

}  // namespace
}  // namespace cg::gateway::testing
