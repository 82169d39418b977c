// The console's course actions over HTTP on the real gateway: creating a course (each bad field
// refused with its name and nothing stored, a double submit creating one), editing and
// rescheduling after a preview that matches the SMS then sent, broadcasting to chosen card states
// (opted-out numbers and other states skipped, a double click sending once), roles and CSRF, and
// the audit lines with before and after.
#include "gateway/console/course_edit.hpp"

#include <set>

#include "tests/gateway/console/console_fixture.hpp"

namespace cg::gateway::testing {
namespace {

json valid_course(json overrides = json::object()) {
  json c{{"code", "201"},
         {"title_ar", "أساسيات التصوير الفوتوغرافي"},
         {"title_en", "Photography Basics"},
         {"location", "مركز زها الثقافي"},
         {"start_at", "2026-12-12T16:00:00+03:00"},
         {"end_at", "2026-12-16T19:00:00+03:00"},
         {"min_participants", 3},
         {"capacity", 20},
         {"fee_jod", "0.000"},
         {"evaluation_url", "https://amman.jo/eval/201"}};
  c.update(overrides);
  return c;
}

class CourseEditTest : public ConsoleTest {
 protected:
  void SetUp() override {
    ConsoleTest::SetUp();
    add("olga", console::Role::operator_);
    add("victor", console::Role::viewer);
    add("alice", console::Role::admin);
  }
  // A request of the console's forms: the session's cookie and CSRF token, and the form's key.
  test::HttpResponse send(const Session& s, const std::string& method, const std::string& path, const json& body,
                          const std::string& key, bool with_csrf = true) {
    test::HeaderList h{{"Cookie", s.cookie}, {"Content-Type", "application/json"}};
    if (with_csrf) h.emplace_back("X-CSRF-Token", s.csrf);
    if (!key.empty()) h.emplace_back("Idempotency-Key", key);
    return client_.request(method, base_ + path, h, body.dump()).value();
  }
  std::size_t course_count() {
    auto all = app_->service().all_courses();
    EXPECT_TRUE(all.ok());
    return all.ok() ? all->size() : 0;
  }
  std::vector<json> audit_of(const std::string& action) {
    std::vector<json> out;
    for (const auto& l : audit_lines(sign_in("alice")))
      if (l["action"] == action) out.push_back(l);
    return out;
  }
  std::vector<json> outbox_with(const std::string& template_name) {
    std::vector<json> out;
    for (auto& l : outbox())
      if (l["template"] == template_name) out.push_back(l);
    return out;
  }
  void opt_out(int n) {
    auto s = app_->store().write_sync(
        [n, now = clock_.now()](store::Tx& tx) { return tx.set_opted_out(phone_of(n), true, now); });
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  static std::string message_of(const test::HttpResponse& r) {
    return json::parse(r.body, nullptr, false)["error"].value("message", std::string());
  }
};

TEST_F(CourseEditTest, AnOperatorCreatesACourseAndItIsAuditedWithTheirName) {
  auto o = sign_in("olga");
  auto r = send(o, "POST", "/console/api/courses", valid_course(), "create-form-0001");
  ASSERT_EQ(r.status, 201) << r.body;
  auto c = json::parse(r.body);
  EXPECT_EQ(c["code"], "201");
  EXPECT_EQ(c["title_en"], "Photography Basics");
  EXPECT_EQ(c["capacity"], 20);
  EXPECT_EQ(c["status"], "open");
  EXPECT_EQ(c["decision_at"], "2026-12-12T13:00:00Z") << "defaults to the start, as in the admin API";
  auto kept = app_->service().course(c["id"].get<std::int64_t>());
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->location, "مركز زها الثقافي");
  auto lines = audit_of("course.create");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["actor"], "olga");
  EXPECT_EQ(lines[0]["client_address"], "127.0.0.1");
  EXPECT_EQ(lines[0]["target"], "course:" + std::to_string(c["id"].get<std::int64_t>()));
  EXPECT_EQ(lines[0]["after"]["code"], "201");
}

TEST_F(CourseEditTest, EachBadFieldIsRefusedWithItsNameAndNothingIsStored) {
  auto o = sign_in("olga");
  json without_code = valid_course();
  without_code.erase("code");
  json without_title = valid_course();
  without_title.erase("title_ar");
  const std::vector<std::pair<json, std::string>> cases = {
      {without_code, "code"},
      {valid_course({{"code", "2 01"}}), "code"},
      {without_title, "title_ar"},
      {valid_course({{"title_en", ""}}), "title_"},
      {valid_course({{"location", ""}}), "location"},
      {valid_course({{"start_at", "next week"}}), "start_at"},
      {valid_course({{"end_at", "2026-12-01T10:00:00+03:00"}}), "end_at"},
      {valid_course({{"decision_at", "2026-12-13T10:00:00+03:00"}}), "decision_at"},
      {valid_course({{"min_participants", 0}}), "min_participants"},
      {valid_course({{"capacity", 2}}), "capacity"},
      {valid_course({{"fee_jod", "ten"}}), "fee_jod"},
      {valid_course({{"prerequisite", "english-a2"}}), "exam_url"},
      {valid_course({{"evaluation_url", "ftp://amman.jo/x"}}), "evaluation_url"},
      {valid_course({{"colour", "blue"}}), "colour"},
  };
  int n = 0;
  for (const auto& [body, field] : cases) {
    auto r = send(o, "POST", "/console/api/courses", body, "bad-field-" + std::to_string(++n) + "-key");
    EXPECT_EQ(r.status, 400) << field << ": " << r.body;
    EXPECT_EQ(message_of(r).rfind(field, 0), 0u) << field << ": " << r.body;
  }
  // Without the form's key, or with a malformed one.
  EXPECT_EQ(message_of(send(o, "POST", "/console/api/courses", valid_course(), "")).rfind("Idempotency-Key", 0), 0u);
  EXPECT_EQ(send(o, "POST", "/console/api/courses", valid_course(), "short").status, 400);
  EXPECT_EQ(course_count(), 0u);
  EXPECT_TRUE(audit_of("course.create").empty());
  // The same key, corrected, goes through: a refused request does not use the key up.
  EXPECT_EQ(send(o, "POST", "/console/api/courses", valid_course(), "bad-field-1-key").status, 201);
  EXPECT_EQ(course_count(), 1u);
}

TEST_F(CourseEditTest, ADoubleSubmitCreatesOneCourse) {
  auto o = sign_in("olga");
  auto first = send(o, "POST", "/console/api/courses", valid_course(), "double-click-key");
  auto second = send(o, "POST", "/console/api/courses", valid_course(), "double-click-key");
  ASSERT_EQ(first.status, 201) << first.body;
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(json::parse(first.body)["id"], json::parse(second.body)["id"]);
  EXPECT_EQ(course_count(), 1u);
  EXPECT_EQ(audit_of("course.create").size(), 1u);
  // The key with another body is refused; a new form's key with the same code meets the code's uniqueness.
  EXPECT_EQ(send(o, "POST", "/console/api/courses", valid_course({{"code", "202"}}), "double-click-key").status, 422);
  EXPECT_EQ(send(o, "POST", "/console/api/courses", valid_course(), "another-form-key").status, 409);
  EXPECT_EQ(course_count(), 1u);
}

TEST_F(CourseEditTest, ARescheduleSendsThePreviewedSmsToLiveApplicantsOnce) {
  auto course = create_course({{"min_participants", 10}});
  const std::string base = "/console/api/courses/" + std::to_string(course);
  std::string ar = apply_ok(course, 1, "ar");
  std::string en = apply_ok(course, 2, "en");
  std::string gone = apply_ok(course, 3, "ar");
  std::string stopped = apply_ok(course, 4, "en");
  ASSERT_EQ(admin("POST", "/v1/admin/applications/" + gone + "/cancel").status, 200);
  opt_out(4);
  auto o = sign_in("olga");
  const json change{{"start_at", "2026-12-20T16:00:00+03:00"}, {"end_at", "2026-12-24T19:00:00+03:00"}};

  // A date in the past is refused by the preview and the save alike, naming the field.
  json past{{"start_at", "2026-11-01T16:00:00+03:00"}, {"end_at", "2026-11-02T19:00:00+03:00"}};
  auto bad = send(o, "POST", base + "/preview", past, "");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(message_of(bad).rfind("start_at", 0), 0u) << bad.body;
  EXPECT_EQ(message_of(send(o, "PATCH", base, past, "reschedule-past")).rfind("start_at", 0), 0u);
  EXPECT_EQ(message_of(send(o, "PATCH", base, {{"code", "999"}}, "edit-code")).rfind("code", 0), 0u);

  auto preview = send(o, "POST", base + "/preview", change, "");
  ASSERT_EQ(preview.status, 200) << preview.body;
  auto p = json::parse(preview.body);
  EXPECT_EQ(p["changes"]["start_at"]["before"], "2026-12-10T13:00:00Z");
  EXPECT_EQ(p["changes"]["start_at"]["after"], "2026-12-20T13:00:00Z");
  ASSERT_TRUE(p["sms"].is_object()) << p;
  EXPECT_EQ(p["sms"]["template"], "rescheduled");
  EXPECT_EQ(p["sms"]["recipients"]["total"], 2);
  EXPECT_EQ(p["sms"]["recipients"]["ar"], 1);
  EXPECT_EQ(p["sms"]["recipients"]["en"], 1);
  EXPECT_EQ(p["sms"]["skipped_opted_out"], 1);
  EXPECT_EQ(p["sms"]["texts"]["ar"]["encoding"], "ucs2");
  // The fixture's location is Arabic, so the English text needs UCS-2 as well: as core/sms counts it.
  const std::string en_text = p["sms"]["texts"]["en"]["text"];
  EXPECT_EQ(p["sms"]["texts"]["en"]["encoding"], core::to_string(core::measure_sms(en_text).encoding));
  EXPECT_EQ(p["sms"]["texts"]["en"]["segments"], core::measure_sms(en_text).segments);
  // The preview changed nothing.
  EXPECT_TRUE(outbox_with("rescheduled").empty());
  EXPECT_EQ(app_->service().course(course)->start_at, at("2026-12-10T13:00:00Z"));

  auto saved = send(o, "PATCH", base, change, "reschedule-form-1");
  ASSERT_EQ(saved.status, 200) << saved.body;
  EXPECT_EQ(json::parse(saved.body)["start_at"], "2026-12-20T13:00:00Z");
  auto again = send(o, "PATCH", base, change, "reschedule-form-1");
  ASSERT_EQ(again.status, 200) << again.body;

  auto sent = outbox_with("rescheduled");
  ASSERT_EQ(sent.size(), 2u) << "the live applicants, once each; not the cancelled one, not the opted-out one";
  for (const auto& line : sent) {
    const std::string lang = line["language"];
    EXPECT_EQ(line["application_id"], lang == "ar" ? ar : en);
    EXPECT_EQ(line["text"], p["sms"]["texts"][lang]["text"]) << "the preview is what was sent";
    EXPECT_EQ(line["segments"], p["sms"]["texts"][lang]["segments"]);
  }
  EXPECT_TRUE(sms_for(stopped).empty() || sms_for(stopped).back()["template"] != "rescheduled");

  auto lines = audit_of("course.edit");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["actor"], "olga");
  EXPECT_EQ(lines[0]["before"]["start_at"], "2026-12-10T13:00:00Z");
  EXPECT_EQ(lines[0]["after"]["start_at"], "2026-12-20T13:00:00Z");
  EXPECT_TRUE(audit_of("course.update").empty()) << "course.update is the admin API's";

  // An edit without dates sends nothing, and the preview says so.
  auto title_only = send(o, "POST", base + "/preview", {{"title_en", "Computer Skills"}}, "");
  ASSERT_EQ(title_only.status, 200);
  EXPECT_TRUE(json::parse(title_only.body)["sms"].is_null());
  ASSERT_EQ(send(o, "PATCH", base, {{"title_en", "Computer Skills"}}, "title-form-1").status, 200);
  EXPECT_EQ(app_->service().course(course)->title.en, "Computer Skills");
  EXPECT_EQ(outbox_with("rescheduled").size(), 2u);
}

TEST_F(CourseEditTest, MoreSeatsArePreviewedAsOffersToTheWaitlistInTheOrderTheyApplied) {
  auto course = create_course({{"min_participants", 2}, {"capacity", 2}});
  const std::string base = "/console/api/courses/" + std::to_string(course);
  apply_ok(course, 1, "ar");
  apply_ok(course, 2, "en");
  std::string three = apply_ok(course, 3, "ar");
  std::string four = apply_ok(course, 4, "en");
  std::string five = apply_ok(course, 5, "ar");
  ASSERT_EQ(state_of(five), "waitlisted");
  opt_out(4);
  auto o = sign_in("olga");

  auto preview = send(o, "POST", base + "/preview", {{"capacity", 4}}, "");
  ASSERT_EQ(preview.status, 200) << preview.body;
  const json seats = json::parse(preview.body)["seats"];
  ASSERT_TRUE(seats.is_object()) << preview.body;
  EXPECT_EQ(seats["offered"], 2);
  EXPECT_EQ(seats["waitlisted"], 3);
  EXPECT_EQ(seats["template"], "seat_offered");
  EXPECT_EQ(seats["skipped_opted_out"], 1) << "number 4 sent STOP";
  ASSERT_EQ(seats["applicants"].size(), 2u);
  EXPECT_EQ(seats["applicants"][0]["id"], three);
  EXPECT_EQ(seats["applicants"][1]["id"], four);
  EXPECT_EQ(seats["applicants"][0]["phone"], phone_of(3)) << "an operator sees the number";
  EXPECT_EQ(state_of(three), "waitlisted") << "a preview changes nothing";
  // No limit offers a seat to everyone waiting; a capacity that frees no seat offers none.
  EXPECT_EQ(json::parse(send(o, "POST", base + "/preview", {{"capacity", nullptr}}, "").body)["seats"]["offered"], 3);
  EXPECT_TRUE(json::parse(send(o, "POST", base + "/preview", {{"capacity", 2}}, "").body)["seats"].is_null());

  // Saved, the previewed applicants are the ones offered a seat; the next one still waits.
  ASSERT_EQ(send(o, "PATCH", base, {{"capacity", 4}}, "capacity-form-1").status, 200);
  EXPECT_NE(state_of(three), "waitlisted");
  EXPECT_NE(state_of(four), "waitlisted");
  EXPECT_EQ(state_of(five), "waitlisted");
  EXPECT_TRUE(json::parse(send(o, "POST", base + "/preview", {{"capacity", 4}}, "").body)["seats"].is_null())
      << "no seat is free any more";
}

TEST_F(CourseEditTest, ABroadcastReachesTheChosenStatesSkipsOptedOutNumbersAndSendsOnce) {
  auto course = create_course({{"min_participants", 2}, {"capacity", 2}});
  const std::string base = "/console/api/courses/" + std::to_string(course);
  std::string one = apply_ok(course, 1, "ar");
  std::string two = apply_ok(course, 2, "en");
  ASSERT_EQ(state_of(one), "confirmed");
  std::string three = apply_ok(course, 3, "ar");
  std::string four = apply_ok(course, 4, "en");
  ASSERT_EQ(state_of(three), "waitlisted");
  opt_out(4);
  auto o = sign_in("olga");
  const json message{{"states", {"confirmed", "waitlisted"}},
                     {"text_ar", "تذكير: أحضروا بطاقة الهوية إلى القاعة ٣"},
                     {"text_en", "Reminder: bring your ID card to hall 3"}};

  auto preview = send(o, "POST", base + "/broadcast/preview", message, "");
  ASSERT_EQ(preview.status, 200) << preview.body;
  auto p = json::parse(preview.body);
  EXPECT_EQ(p["recipients"], 3);
  EXPECT_EQ(p["by_language"]["ar"], 2);
  EXPECT_EQ(p["by_language"]["en"], 1);
  EXPECT_EQ(p["skipped_opted_out"], 1);
  EXPECT_EQ(p["texts"]["ar"]["encoding"], "ucs2");
  EXPECT_EQ(p["texts"]["en"]["encoding"], "gsm7");
  EXPECT_EQ(p["texts"]["en"]["segments"], 1);
  EXPECT_TRUE(p["texts"]["en"]["problem"].is_null());
  EXPECT_EQ(p["texts"]["ar"]["units"], core::measure_sms(message["text_ar"].get<std::string>()).units);

  // Bad input: each named, nothing queued.
  json empty_text = message;
  empty_text["text_ar"] = "  ";
  json no_states = message;
  no_states["states"] = json::array();
  json bad_state = message;
  bad_state["states"] = {"confirmed", "sleeping"};
  json too_long = message;
  too_long["text_en"] = std::string(3 * 153 + 1, 'x');
  for (const auto& [body, field] : std::vector<std::pair<json, std::string>>{
           {empty_text, "text_ar"}, {no_states, "states"}, {bad_state, "states"}, {too_long, "text_en"}}) {
    auto r = send(o, "POST", base + "/broadcast", body, "broadcast-bad-input");
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(message_of(r).rfind(field, 0), 0u) << r.body;
  }
  auto long_preview = json::parse(send(o, "POST", base + "/broadcast/preview", too_long, "").body);
  EXPECT_EQ(long_preview["texts"]["en"]["segments"], 4);
  EXPECT_FALSE(long_preview["texts"]["en"]["problem"].is_null());
  EXPECT_TRUE(outbox_with("broadcast").empty());

  auto first = send(o, "POST", base + "/broadcast", message, "broadcast-form-1");
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(json::parse(first.body)["sent"], 3);
  EXPECT_EQ(json::parse(first.body)["skipped_opted_out"], 1);
  auto second = send(o, "POST", base + "/broadcast", message, "broadcast-form-1");
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_TRUE(json::parse(second.body)["replayed"].get<bool>());

  auto sent = outbox_with("broadcast");
  ASSERT_EQ(sent.size(), 3u);
  std::set<std::string> to;
  for (const auto& line : sent) {
    to.insert(line["application_id"]);
    EXPECT_EQ(line["text"], line["language"] == "ar" ? message["text_ar"] : message["text_en"]);
  }
  EXPECT_EQ(to, (std::set<std::string>{one, two, three}));
  for (const auto& t : templates_for(four)) EXPECT_NE(t, "broadcast");

  auto lines = audit_of("sms.broadcast");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["actor"], "olga");
  EXPECT_EQ(lines[0]["target"], "course:" + std::to_string(course));
  EXPECT_EQ(lines[0]["after"]["count"], 3);
  EXPECT_EQ(lines[0]["after"]["skipped_opted_out"], 1);
  EXPECT_EQ(lines[0]["after"]["states"], json({"confirmed", "waitlisted"}));
  EXPECT_EQ(lines[0]["after"]["text_en"], message["text_en"]);
}

TEST_F(CourseEditTest, AViewerIsRefusedAndEveryChangeNeedsTheCsrfToken) {
  auto course = create_course({{"min_participants", 10}});
  apply_ok(course, 1);
  const std::string base = "/console/api/courses/" + std::to_string(course);
  const json broadcast{{"states", {"awaiting_quorum"}}, {"text_ar", "مرحبا"}, {"text_en", "Hello"}};
  const json reschedule{{"start_at", "2026-12-20T16:00:00+03:00"}, {"end_at", "2026-12-24T19:00:00+03:00"}};
  struct Call {
    const char* method;
    std::string path;
    json body;
  };
  const std::vector<Call> calls = {{"POST", "/console/api/courses", valid_course()},
                                   {"PATCH", base, reschedule},
                                   {"POST", base + "/preview", reschedule},
                                   {"POST", base + "/broadcast/preview", broadcast},
                                   {"POST", base + "/broadcast", broadcast}};
  auto v = sign_in("victor");
  auto o = sign_in("olga");
  for (const auto& c : calls) {
    EXPECT_EQ(send(v, c.method, c.path, c.body, "viewer-form-key").status, 403) << c.path;
    auto no_csrf = send(o, c.method, c.path, c.body, "operator-form-key", /*with_csrf=*/false);
    EXPECT_EQ(no_csrf.status, 403) << c.path;
    EXPECT_EQ(json::parse(no_csrf.body)["error"]["code"], "csrf");
  }
  EXPECT_EQ(course_count(), 1u);
  EXPECT_EQ(app_->service().course(course)->start_at, at("2026-12-10T13:00:00Z"));
  EXPECT_TRUE(outbox_with("broadcast").empty());
  EXPECT_TRUE(outbox_with("rescheduled").empty());
  EXPECT_EQ(send(o, "POST", "/console/api/courses/999/broadcast", broadcast, "missing-course").status, 404);
}

}  // namespace
}  // namespace cg::gateway::testing
