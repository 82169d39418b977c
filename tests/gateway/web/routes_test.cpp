// The gateway over HTTP on the embedded default: every card path that starts on the website,
// checked down to the SMS lines the file outbox writes.
#include "tests/gateway/gateway_fixture.hpp"

#include <set>

namespace cg::gateway::testing {
namespace {

// This process's threads by name, as `top -H` and `ps -L` show them.
std::multiset<std::string> thread_names() {
  std::multiset<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    names.insert(name);
  }
  return names;
}

class Card : public GatewayTest {};

TEST_F(Card, Card_6_1_FreeCourseApprovedAtQuorumOverHttp) {
  auto course = create_course();
  auto a = apply_ok(course, 1);
  auto b = apply_ok(course, 2, "en");
  EXPECT_EQ(state_of(a), "awaiting_quorum");
  auto c = apply_ok(course, 3);
  for (const auto& id : {a, b, c}) EXPECT_EQ(state_of(id), "confirmed");
  EXPECT_EQ(templates_for(a), (std::vector<std::string>{"application_received", "approved"}));
  EXPECT_EQ(templates_for(c), (std::vector<std::string>{"approved"}));
  auto to_b = sms_for(b);
  ASSERT_EQ(to_b.size(), 2u);
  EXPECT_EQ(to_b[1]["to"], phone_of(2));
  EXPECT_EQ(to_b[1]["language"], "en");
  EXPECT_EQ(to_b[1]["step"], "6.1");
  std::string text = to_b[1]["text"];
  EXPECT_NE(text.find("Basic Computer Skills"), std::string::npos) << text;
  auto to_a = sms_for(a);
  EXPECT_EQ(to_a[1]["language"], "ar");
  EXPECT_NE(std::string(to_a[1]["text"]).find("مركز الحسين الثقافي"), std::string::npos);
}

TEST_F(Card, Card_6_2_PassOnRecordByOperatorSkipsTheExam) {
  auto course = create_course({{"prerequisite", "computer-basics"}});
  auto r = admin("POST", "/v1/admin/prerequisites/9900000001",
                 json{{"id_type", "national_id"}, {"prerequisite", "computer-basics"}}.dump());
  EXPECT_EQ(r.status, 201) << r.body;
  auto a = apply_ok(course, 1);
  auto b = apply_ok(course, 2);
  apply_ok(course, 3);
  EXPECT_EQ(state_of(a), "confirmed");
  EXPECT_EQ(sms_for(a).back()["step"], "6.2");
  EXPECT_EQ(state_of(b), "awaiting_exam");
}

TEST_F(Card, Card_6_3_ExamLinkThen_6_3_1_PassAnd_6_3_2_Fail) {
  auto course = create_course({{"prerequisite", "computer-basics"}});
  auto a = apply_ok(course, 1);
  auto b = apply_ok(course, 2);
  apply_ok(course, 3);
  auto link_a = sms_for(a).back();
  EXPECT_EQ(link_a["template"], "exam_link");
  EXPECT_EQ(link_a["step"], "6.3");
  std::string token_a = token_in(link_a["text"]);
  std::string token_b = token_in(sms_for(b).back()["text"]);
  ASSERT_EQ(token_a.size(), 22u) << link_a["text"];
  ASSERT_NE(token_a, token_b);

  auto pass = exam_result(token_a, "pass");
  ASSERT_EQ(pass.status, 200) << pass.body;
  EXPECT_EQ(state_of(a), "confirmed");
  EXPECT_EQ(sms_for(a).back()["template"], "approved");
  EXPECT_EQ(sms_for(a).back()["step"], "6.3.1");
  // The exam system's retry of the same result is acknowledged and changes nothing.
  auto before = counts();
  auto again = exam_result(token_a, "pass");
  EXPECT_EQ(again.status, 200);
  EXPECT_TRUE(json::parse(again.body)["duplicate"].get<bool>());
  EXPECT_EQ(counts(), before);
  // A different result for a used token is refused.
  EXPECT_EQ(exam_result(token_a, "fail").status, 409);

  ASSERT_EQ(exam_result(token_b, "fail").status, 200);
  EXPECT_EQ(state_of(b), "rejected_exam");
  EXPECT_EQ(sms_for(b).back()["template"], "exam_failed");
  EXPECT_EQ(sms_for(b).back()["step"], "6.3.2");
}

TEST_F(Card, Card_7_1_PaidCourseSendsTheBillingNumber) {
  auto course = create_course({{"fee_jod", "35.000"}});
  auto a = apply_ok(course, 1);
  apply_ok(course, 2);
  apply_ok(course, 3);
  EXPECT_EQ(state_of(a), "awaiting_payment");
  auto sms = sms_for(a).back();
  EXPECT_EQ(sms["template"], "payment_due");
  EXPECT_EQ(sms["step"], "7.1");
  auto view = json::parse(call("GET", "/v1/applications/" + a).body);
  std::string billing = view["bill"]["billing_number"];
  EXPECT_EQ(billing.size(), 10u);
  EXPECT_EQ(view["bill"]["amount_jod"], "35.000");
  std::string text = sms["text"];
  EXPECT_NE(text.find(billing), std::string::npos) << text;
  EXPECT_NE(text.find("35.000"), std::string::npos) << text;
  EXPECT_NE(text.find("250"), std::string::npos) << text;  // biller code
}

TEST_F(Card, Card_7_2_PassOnRecordGoesStraightToPayment) {
  auto course = create_course({{"fee_jod", "20.000"}, {"prerequisite", "english-a2"}});
  admin("POST", "/v1/admin/prerequisites/9900000002",
        json{{"id_type", "national_id"}, {"prerequisite", "english-a2"}}.dump());
  apply_ok(course, 1);
  auto b = apply_ok(course, 2);
  apply_ok(course, 3);
  EXPECT_EQ(state_of(b), "awaiting_payment");
  EXPECT_EQ(sms_for(b).back()["step"], "7.2");
}

TEST_F(Card, Card_7_3_ExamLinkThen_7_3_1_PassSendsTheBillingNumber) {
  auto course = create_course({{"fee_jod", "45.500"}, {"prerequisite", "computer-basics"}});
  auto a = apply_ok(course, 1);
  apply_ok(course, 2);
  apply_ok(course, 3);
  EXPECT_EQ(state_of(a), "awaiting_exam");
  auto link = sms_for(a).back();
  EXPECT_EQ(link["step"], "7.3");
  ASSERT_EQ(exam_result(token_in(link["text"]), "pass").status, 200);
  EXPECT_EQ(state_of(a), "awaiting_payment");
  auto sms = sms_for(a).back();
  EXPECT_EQ(sms["template"], "payment_due");
  EXPECT_EQ(sms["step"], "7.3.1");
  EXPECT_NE(std::string(sms["text"]).find("45.500"), std::string::npos);
}

TEST_F(Card, Card_7_3_2_ExamFailOnPaidCourse) {
  auto course = create_course({{"fee_jod", "45.500"}, {"prerequisite", "computer-basics"}});
  auto a = apply_ok(course, 1);
  apply_ok(course, 2);
  apply_ok(course, 3);
  ASSERT_EQ(exam_result(token_in(sms_for(a).back()["text"]), "fail").status, 200);
  EXPECT_EQ(state_of(a), "rejected_exam");
  EXPECT_EQ(sms_for(a).back()["step"], "7.3.2");
}

TEST_F(Card, Card_5_DecisionTimePassesAndTheSchedulerPostponesOnce) {
  auto course = create_course();
  auto a = apply_ok(course, 1);
  auto b = apply_ok(course, 2, "en");
  clock_.set(at("2026-12-10T13:00:00Z"));  // start_at, the default decision time
  auto report = app_->service().tick(clock_.now());
  EXPECT_EQ(report.postponed_courses, 1);
  // A second tick (or a second process) sends nothing again.
  EXPECT_EQ(app_->service().tick(clock_.now()).postponed_courses, 0);
  EXPECT_EQ(templates_for(a), (std::vector<std::string>{"application_received", "postponed"}));
  EXPECT_EQ(sms_for(b).back()["language"], "en");
  EXPECT_EQ(sms_for(b).back()["step"], "5");
  auto c = json::parse(admin("GET", "/v1/admin/courses/" + std::to_string(course)).body);
  EXPECT_EQ(c["status"], "postponed");
  EXPECT_EQ(state_of(a), "awaiting_quorum");
  // An operator reschedules: everyone still active hears the new dates; the course opens again.
  auto r = admin("PATCH", "/v1/admin/courses/" + std::to_string(course),
                 json{{"start_at", "2027-01-10T16:00:00+03:00"}, {"end_at", "2027-01-14T19:00:00+03:00"}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body)["status"], "open");
  EXPECT_EQ(sms_for(a).back()["template"], "rescheduled");
}

TEST_F(Card, Card_8_CourseEndsAndConfirmedApplicantsGetTheEvaluationLink) {
  auto course = create_course();
  auto a = apply_ok(course, 1);
  apply_ok(course, 2);
  apply_ok(course, 3);
  clock_.set(at("2026-12-09T14:00:00Z"));  // the day before: reminder
  EXPECT_EQ(app_->service().tick(clock_.now()).reminded_courses, 1);
  EXPECT_EQ(sms_for(a).back()["template"], "reminder");
  clock_.set(at("2026-12-14T16:00:00Z"));
  EXPECT_EQ(app_->service().tick(clock_.now()).ended_courses, 1);
  EXPECT_EQ(app_->service().tick(clock_.now()).ended_courses, 0);
  EXPECT_EQ(state_of(a), "attended");
  auto last = sms_for(a).back();
  EXPECT_EQ(last["template"], "evaluation_link");
  EXPECT_EQ(last["step"], "8");
  EXPECT_NE(std::string(last["text"]).find("https://amman.jo/eval/101"), std::string::npos);
}

TEST_F(Card, BillDueDateExpiresTheApplicationAndFreesTheSeat) {
  auto course = create_course({{"fee_jod", "15.000"}, {"capacity", 3}});
  auto a = apply_ok(course, 1);
  apply_ok(course, 2);
  apply_ok(course, 3);
  auto w = apply_ok(course, 4);
  EXPECT_EQ(state_of(w), "waitlisted");
  clock_.set(at("2026-11-28T09:00:00Z"));  // 72 h later
  EXPECT_EQ(app_->service().tick(clock_.now()).expired_bills, 3);
  EXPECT_EQ(state_of(a), "expired");
  EXPECT_EQ(sms_for(a).back()["template"], "expired");
  EXPECT_EQ(state_of(w), "awaiting_payment");
  EXPECT_EQ(templates_for(w), (std::vector<std::string>{"waitlisted", "seat_offered", "payment_due"}));
}

TEST_F(Card, WaitlistAndCancellation) {
  auto course = create_course({{"capacity", 3}});
  auto a = apply_ok(course, 1);
  apply_ok(course, 2);
  apply_ok(course, 3);
  auto w = apply_ok(course, 4);
  EXPECT_EQ(state_of(w), "waitlisted");
  auto r = call("POST", "/v1/applications/" + a + "/cancel");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(state_of(a), "cancelled");
  EXPECT_EQ(state_of(w), "confirmed");
  EXPECT_EQ(sms_for(a).back()["template"], "cancelled");
  EXPECT_EQ(templates_for(w), (std::vector<std::string>{"waitlisted", "seat_offered", "approved"}));
  // Cancelling twice is refused and changes nothing.
  auto before = counts();
  EXPECT_EQ(call("POST", "/v1/applications/" + a + "/cancel").status, 409);
  EXPECT_EQ(counts(), before);
  // The operator's view counts per state.
  auto list = json::parse(admin("GET", "/v1/admin/courses/" + std::to_string(course) + "/applications").body);
  EXPECT_EQ(list["counts"]["confirmed"], 3);
  EXPECT_EQ(list["counts"]["cancelled"], 1);
  EXPECT_EQ(list["applications"].size(), 4u);
}

TEST_F(Card, RestartMidFlowKeepsEveryState) {
  auto course = create_course({{"fee_jod", "45.500"}, {"prerequisite", "computer-basics"}});
  auto a = apply_ok(course, 1);
  apply_ok(course, 2);
  apply_ok(course, 3);
  std::string token = token_in(sms_for(a).back()["text"]);
  auto before = counts();
  restart();
  EXPECT_EQ(counts(), before);
  EXPECT_EQ(state_of(a), "awaiting_exam");
  ASSERT_EQ(exam_result(token, "pass").status, 200);
  EXPECT_EQ(state_of(a), "awaiting_payment");
  restart();
  EXPECT_EQ(state_of(a), "awaiting_payment");
  EXPECT_EQ(sms_for(a).back()["step"], "7.3.1");
}

class BadInput : public GatewayTest {
 protected:
  void expect_refused(const test::HttpResponse& r, int status, const std::string& code) {
    EXPECT_EQ(r.status, status) << r.body;
    auto j = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << r.body;
    EXPECT_EQ(j["error"]["code"], code) << r.body;
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
  }
};

TEST_F(BadInput, ApplicationsAreRefusedWithClearErrorsAndChangeNothing) {
  auto course = create_course();
  auto ok = apply_ok(course, 1);
  auto before = counts();
  auto post = [&](const std::string& body) { return call("POST", "/v1/applications", body); };
  json good = person(2);
  good["course_id"] = course;
  expect_refused(post("{not json"), 400, "invalid_json");
  expect_refused(post("[1,2]"), 400, "invalid_json");
  auto missing = good;
  missing.erase("phone");
  expect_refused(post(missing.dump()), 400, "missing_field");
  auto wrong_type = good;
  wrong_type["course_id"] = "1";
  expect_refused(post(wrong_type.dump()), 400, "invalid_field");
  auto bad_phone = good;
  bad_phone["phone"] = "12345";
  expect_refused(post(bad_phone.dump()), 400, "invalid_phone");
  auto bad_id = good;
  bad_id["id_number"] = "12345";
  EXPECT_EQ(post(bad_id.dump()).status, 400);
  auto passport_for_jordanian = good;
  passport_for_jordanian["id_type"] = "passport";
  passport_for_jordanian["id_number"] = "N1234567";
  EXPECT_EQ(post(passport_for_jordanian.dump()).status, 400);
  auto unknown = good;
  unknown["course_id"] = 999;
  expect_refused(post(unknown.dump()), 404, "unknown_course");
  json dup = person(1);
  dup["course_id"] = course;
  expect_refused(post(dup.dump()), 409, "duplicate_application");
  auto r = client_.request("POST", base_ + "/v1/applications",
                           {{"Content-Type", "text/plain"}, {"Authorization", std::string("Bearer ") + kWebsiteKey}},
                           good.dump());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(counts(), before);
  EXPECT_EQ(state_of(ok), "awaiting_quorum");
}

TEST_F(BadInput, AdminNeedsTheBearerToken) {
  auto before = counts();
  expect_refused(call("GET", "/v1/admin/courses"), 401, "unauthorized");
  expect_refused(call("GET", "/v1/admin/courses", "", {{"Authorization", "Bearer wrong-token-wrong-token-xx"}}), 401,
                 "unauthorized");
  expect_refused(call("POST", "/v1/admin/courses", R"({"code":"1"})", {{"Authorization", "Basic abc"}}), 401,
                 "unauthorized");
  EXPECT_EQ(counts(), before);
  EXPECT_EQ(json::parse(admin("GET", "/v1/admin/courses").body)["courses"].size(), 0u);
}

TEST_F(BadInput, CoursesAreValidated) {
  expect_refused(admin("POST", "/v1/admin/courses", R"({"code":"1"})"), 400, "missing_field");
  expect_refused(admin("POST", "/v1/admin/courses",
                       json{{"code", "1"},
                            {"title_ar", "a"},
                            {"title_en", "b"},
                            {"location", "x"},
                            {"start_at", "2026-12-10T16:00:00"},
                            {"end_at", "2026-12-14T19:00:00+03:00"},
                            {"min_participants", 3},
                            {"fee_jod", "0"},
                            {"evaluation_url", "https://e"}}
                           .dump()),
                 400, "invalid_field");
  expect_refused(admin("POST", "/v1/admin/courses", json{{"code", "1"}, {"colour", "red"}}.dump()), 400,
                 "unknown_field");
  auto id = create_course();
  auto dup = admin("POST", "/v1/admin/courses",
                   json{{"code", "101"},
                        {"title_ar", "a"},
                        {"title_en", "b"},
                        {"location", "x"},
                        {"start_at", "2026-12-10T16:00:00+03:00"},
                        {"end_at", "2026-12-14T19:00:00+03:00"},
                        {"min_participants", 3},
                        {"fee_jod", "0"},
                        {"evaluation_url", "https://e"}}
                       .dump());
  expect_refused(dup, 409, "duplicate_course");
  expect_refused(admin("PATCH", "/v1/admin/courses/" + std::to_string(id), R"({"fee_jod":"5.000"})"), 400,
                 "not_editable");
  expect_refused(admin("GET", "/v1/admin/courses/77"), 404, "not_found");
}

// What the admin API stores reaches applicants' SMS: a control character, a bidi override or a
// link that is not http(s) is refused naming the field, and nothing is stored.
TEST_F(BadInput, CourseTextsAndLinksAreRefusedWithTheField) {
  auto refused = [&](json course, const char* field) {
    json c{{"code", "101"},
           {"title_ar", "a"},
           {"title_en", "b"},
           {"location", "x"},
           {"start_at", "2026-12-10T16:00:00+03:00"},
           {"end_at", "2026-12-14T19:00:00+03:00"},
           {"min_participants", 3},
           {"fee_jod", "0"},
           {"evaluation_url", "https://amman.jo/eval/101"}};
    c.update(course);
    auto r = admin("POST", "/v1/admin/courses", c.dump());
    expect_refused(r, 400, "invalid_field");
    EXPECT_NE(r.body.find(field), std::string::npos) << r.body;
  };
  refused({{"location", "Room 1\r\nReply with your PIN"}}, "location");
  refused({{"title_ar", "\u202E101"}}, "title_ar");
  refused({{"evaluation_url", std::string("\0", 1)}}, "evaluation_url");
  refused({{"evaluation_url", "javascript:alert(1)"}}, "evaluation_url");
  EXPECT_EQ(json::parse(admin("GET", "/v1/admin/courses").body)["courses"].size(), 0u);
  auto id = create_course();
  expect_refused(admin("PATCH", "/v1/admin/courses/" + std::to_string(id), R"({"location":"a\nb"})"), 400,
                 "invalid_field");
  EXPECT_EQ(json::parse(admin("GET", "/v1/admin/courses/" + std::to_string(id)).body)["location"],
            "مركز الحسين الثقافي – رأس العين، الطابق الثاني، قاعة التدريب ٣");
}

TEST_F(BadInput, ExamResultsNeedTheRightSignature) {
  auto course = create_course({{"prerequisite", "computer-basics"}, {"min_participants", 1}});
  auto a = apply_ok(course, 1);
  std::string token = token_in(sms_for(a).back()["text"]);
  auto before = counts();
  expect_refused(exam_result(token, "pass", "wrong-secret"), 401, "signature_mismatch");
  json body{{"token", token}, {"result", "pass"}};
  expect_refused(call("POST", "/v1/exam/results", body.dump()), 401, "missing_signature");
  std::string raw = R"({"token":")" + token + R"(","result":"maybe"})";
  expect_refused(call("POST", "/v1/exam/results", raw, {{"X-Signature", exam::sign_exam_body(kExamSecret, raw)}}), 400,
                 "invalid_field");
  expect_refused(exam_result("no-such-token-0000000000", "pass"), 404, "unknown_token");
  EXPECT_EQ(counts(), before);
  EXPECT_EQ(state_of(a), "awaiting_exam");
}

TEST_F(BadInput, UnknownPathsAndMethods) {
  expect_refused(call("GET", "/v1/nothing"), 404, "not_found");
  auto r = call("DELETE", "/v1/courses");
  EXPECT_EQ(r.status, 405);
  expect_refused(call("GET", "/v1/applications/0123456789abcdef0123456789abcdef"), 404, "not_found");
}

class Api : public GatewayTest {};

TEST_F(Api, IdempotencyKeyReplaysTheFirstAnswer) {
  auto course = create_course();
  json body = person(1);
  body["course_id"] = course;
  auto first = call("POST", "/v1/applications", body.dump(), {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(first.status, 201);
  auto before = counts();
  auto again = call("POST", "/v1/applications", body.dump(), {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(json::parse(again.body)["application_id"], json::parse(first.body)["application_id"]);
  EXPECT_EQ(counts(), before);
}

TEST_F(Api, ApplicationViewNeverShowsTheDocumentNumber) {
  auto course = create_course();
  auto a = apply_ok(course, 1);
  auto r = call("GET", "/v1/applications/" + a);
  EXPECT_EQ(r.body.find("9900000001"), std::string::npos) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["applicant"]["id_number"], "*******001");
  EXPECT_EQ(j["history"].size(), 1u);
  EXPECT_EQ(j["history"][0]["to"], "awaiting_quorum");
  EXPECT_EQ(a.size(), 44u);  // crypto::ordered_id128_hex
}

TEST_F(Api, OpenCoursesHealthAndMetrics) {
  create_course();
  create_course({{"code", "102"}, {"start_at", "2026-11-20T16:00:00+03:00"}, {"end_at", "2026-11-21T16:00:00+03:00"}});
  auto list = json::parse(call("GET", "/v1/courses").body);
  ASSERT_EQ(list["courses"].size(), 1u);  // the started one is not open
  EXPECT_EQ(list["courses"][0]["code"], "101");
  EXPECT_FALSE(list["courses"][0].contains("evaluation_url"));
  EXPECT_EQ(call("GET", "/healthz").status, 200);
  auto m = call("GET", "/metrics").body;
  EXPECT_NE(m.find("course_gateway_http_requests_total{route=\"/v1/courses\",method=\"GET\",status=\"200\"} 1"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("course_gateway_applications{state=\"confirmed\"} 0"), std::string::npos);
  auto outbox = json::parse(admin("GET", "/v1/admin/outbox").body);
  EXPECT_TRUE(outbox.contains("by_status"));
}

TEST_F(Api, TheSchedulerLoopRunsOnItsOwn) {
  // With a short tick, the scheduler thread postpones the course without a hand-made tick.
  Config c = config();
  c.scheduler.tick = std::chrono::milliseconds(20);
  c.outbox.poll = std::chrono::milliseconds(20);
  restart_with(c);
  auto course = create_course();
  auto a = apply_ok(course, 1);
  clock_.set(at("2026-12-10T13:00:00Z"));
  std::string state;
  for (int i = 0; i < 500; ++i) {  // bounded wait, not a timing assertion
    auto j = json::parse(admin("GET", "/v1/admin/courses/" + std::to_string(course)).body);
    state = j["status"];
    if (state == "postponed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(state, "postponed");
  (void)a;
}

// sms.dispatchers = 0 holds outbound SMS (an operator's switch while a provider account is sorted
// out, say): the applicant's SMS waits in the outbox, none is sent, and it goes out once the gateway
// runs with a dispatcher again.
TEST_F(Api, WithoutDispatchersEverySmsWaitsInTheOutbox) {
  auto run_with = [&](int dispatchers) {
    Config c = config();
    c.sms.dispatchers = dispatchers;
    c.outbox.poll = std::chrono::milliseconds(20);
    restart_with(c);
  };
  auto rows = [&](const std::string& wanted) {
    auto f = app_->store().outbox_figures();
    EXPECT_TRUE(f.ok());
    long long n = 0;
    for (const auto& [status, count] : f->by_status)
      if (status == wanted) n += count;
    return n;
  };
  auto pending = [&] { return rows("pending"); };
  run_with(0);
  auto id = apply_ok(create_course(), 1);
  ASSERT_FALSE(id.empty());
  // Ten polls' worth: a dispatcher polling every 20 ms would have sent it by now.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(pending(), 1);
  std::error_code ec;  // the file adapter creates the file at start; nothing may be written to it
  EXPECT_EQ(std::filesystem::file_size(dir_ / "outbox.jsonl", ec), 0u) << ec.message();
  EXPECT_EQ(thread_names().count("cg-outbox-0"), 0u);

  run_with(1);
  // Until the row is sent: a claimed row is no longer pending but may not be written out yet.
  for (int i = 0; i < 500 && rows("sent") != 1; ++i)  // bounded wait, not a timing assertion
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(rows("sent"), 1);
  EXPECT_EQ(pending(), 0);
  std::vector<json> lines;
  std::ifstream in(dir_ / "outbox.jsonl");
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["application_id"], id);
}

// Operators tell the gateway's threads apart in `top -H` and `ps -L` by name.
TEST_F(GatewayTest, ThreadsCarryNamesOperatorsCanRead) {
  std::multiset<std::string> names = thread_names();
  std::vector<std::string> expected{"cg-http-0", "cg-http-1", "cg-outbox-0", "cg-scheduler"};
  if (config().store.url.rfind("sqlite:", 0) == 0) {
    expected.insert(expected.end(), {"cg-writer", "cg-completer", "cg-checkpoint"});
  } else {
    for (std::size_t i = 0; i < config().store.pool; ++i) expected.push_back("cg-mysql-" + std::to_string(i));
  }
  for (const auto& name : expected) EXPECT_EQ(names.count(name), 1u) << name;
}

}  // namespace
}  // namespace cg::gateway::testing
