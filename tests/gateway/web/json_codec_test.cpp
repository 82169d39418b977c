// The website's and the operators' JSON on its own, without HTTP: each decoder refuses every bad
// field with an error that names it, and each encoder writes exactly the JSON the API documents.
#include "gateway/web/json_codec.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cg::gateway::web {
namespace {

using nlohmann::json;

core::Instant at(const char* iso) { return *core::parse_iso8601(iso); }

json valid_course() {
  return json{{"code", "101"},
              {"title_ar", "مهارات الحاسوب"},
              {"title_en", "Computer skills"},
              {"location", "Amman"},
              {"start_at", "2026-11-01T09:00:00+03:00"},
              {"end_at", "2026-11-02T09:00:00+03:00"},
              {"min_participants", 5},
              {"fee_jod", "25"},
              {"evaluation_url", "https://eval.example.jo/101"}};
}

json valid_application() {
  return json{{"course_id", 7},           {"phone", "0791234567"},     {"name", "Lina Haddad"},
              {"id_type", "national_id"}, {"id_number", "9861234567"}, {"nationality", "jo"},
              {"language", "en"}};
}

struct BadField {
  const char* field;
  json value;  // null: the field left out
  const char* code;
};

// `j` with `bad.field` set to `bad.value` (or removed).
json with(json j, const BadField& bad) {
  if (bad.value.is_null())
    j.erase(bad.field);
  else
    j[bad.field] = bad.value;
  return j;
}

template <class T>
void expect_refused_naming_the_field(const Result<T>& r, const BadField& bad) {
  ASSERT_FALSE(r.ok()) << bad.field << " = " << bad.value.dump();
  EXPECT_EQ(r.error().code, bad.code) << bad.field << ": " << r.error().message;
  EXPECT_EQ(r.error().message.rfind(bad.field, 0), 0u) << bad.field << ": " << r.error().message;
}

TEST(DecodeCourse, AValidCourseHasEveryField) {
  json j = valid_course();
  j["capacity"] = 20;
  j["decision_at"] = "2026-10-30T09:00:00Z";
  j["prerequisite"] = "computer-basics";
  j["exam_url"] = "https://exam.example.jo/101";
  auto c = decode_course(j);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->code, "101");
  EXPECT_EQ(c->title.ar, "مهارات الحاسوب");
  EXPECT_EQ(c->title.en, "Computer skills");
  EXPECT_EQ(c->location, "Amman");
  EXPECT_EQ(c->start_at, at("2026-11-01T06:00:00Z"));
  EXPECT_EQ(c->end_at, at("2026-11-02T06:00:00Z"));
  EXPECT_EQ(c->decision_at, at("2026-10-30T09:00:00Z"));
  EXPECT_EQ(c->min_participants, 5);
  EXPECT_EQ(c->capacity, 20);
  EXPECT_EQ(c->fee.value, 25'000);
  EXPECT_EQ(c->prerequisite, "computer-basics");
  EXPECT_EQ(c->exam_url, "https://exam.example.jo/101");
  EXPECT_EQ(c->evaluation_url, "https://eval.example.jo/101");
}

TEST(DecodeCourse, EveryBadFieldIsNamed) {
  const std::vector<BadField> cases{
      {"code", nullptr, "missing_field"},
      {"code", 101, "invalid_field"},
      {"code", "12345678901234567", "invalid_field"},  // over 16
      {"title_ar", nullptr, "missing_field"},
      {"title_ar", true, "invalid_field"},
      {"title_en", nullptr, "missing_field"},
      {"title_en", 1, "invalid_field"},
      {"location", nullptr, "missing_field"},
      {"location", std::string(501, 'a'), "invalid_field"},
      {"start_at", nullptr, "missing_field"},
      {"start_at", "tomorrow", "invalid_field"},
      {"end_at", nullptr, "missing_field"},
      {"end_at", 5, "invalid_field"},
      {"decision_at", "soon", "invalid_field"},
      {"min_participants", nullptr, "missing_field"},
      {"min_participants", "5", "invalid_field"},
      {"min_participants", 0, "invalid_field"},
      {"capacity", 0, "invalid_field"},
      {"capacity", 2.5, "invalid_field"},
      {"fee_jod", nullptr, "missing_field"},
      {"fee_jod", "twenty", "invalid_field"},
      {"fee_jod", 25, "invalid_field"},
      {"prerequisite", 3, "invalid_field"},
      {"exam_url", json::array(), "invalid_field"},
      {"evaluation_url", nullptr, "missing_field"},
      {"evaluation_url", json::object(), "invalid_field"},
      {"colour", "blue", "unknown_field"},
      // What reaches applicants' phones: no controls, no bidi overrides, only http(s) links.
      {"location", "Room 1\r\nSend your PIN to 0790000000", "invalid_field"},
      {"title_ar", "\u202E101 ecruoC", "invalid_field"},
      {"title_en", "Tab\there", "invalid_field"},
      {"code", "10\u20661", "invalid_field"},
      {"prerequisite", "x\xC2\x85", "invalid_field"},
      {"evaluation_url", std::string("\0", 1), "invalid_field"},
      {"evaluation_url", "", "invalid_field"},
      {"evaluation_url", "javascript:alert(1)", "invalid_field"},
      {"evaluation_url", "ftp://amman.jo/eval", "invalid_field"},
      {"evaluation_url", "https://", "invalid_field"},
      {"evaluation_url", "https://amman.jo/eval 101", "invalid_field"},
      {"exam_url", "https://exam.amman.jo/\u202E", "invalid_field"},
      {"exam_url", "file:///etc/passwd", "invalid_field"},
  };
  for (const auto& bad : cases) expect_refused_naming_the_field(decode_course(with(valid_course(), bad)), bad);
}

TEST(DecodeCoursePatch, TakesOnlyTheFieldsGiven) {
  auto p =
      decode_course_patch(json{{"location", "Zarqa"}, {"capacity", nullptr}, {"start_at", "2026-12-01T09:00:00Z"}});
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->location, "Zarqa");
  ASSERT_TRUE(p->capacity.has_value());
  EXPECT_FALSE(p->capacity->has_value());  // null: no capacity any more
  EXPECT_EQ(p->start_at, at("2026-12-01T09:00:00Z"));
  EXPECT_FALSE(p->title_ar || p->title_en || p->exam_url || p->evaluation_url || p->end_at || p->decision_at);
}

TEST(DecodeCoursePatch, EveryBadFieldIsNamed) {
  const std::vector<BadField> cases{
      {"title_ar", 1, "invalid_field"},
      {"title_en", false, "invalid_field"},
      {"location", 2, "invalid_field"},
      {"exam_url", 3, "invalid_field"},
      {"evaluation_url", 4, "invalid_field"},
      {"start_at", "x", "invalid_field"},
      {"end_at", 6, "invalid_field"},
      {"decision_at", "y", "invalid_field"},
      {"capacity", 0, "invalid_field"},
      {"capacity", "ten", "invalid_field"},
      {"code", "102", "not_editable"},
      {"fee_jod", "1", "not_editable"},
      {"min_participants", 3, "not_editable"},
      {"prerequisite", "x", "not_editable"},
      {"colour", "blue", "unknown_field"},
      {"location", "a\nb", "invalid_field"},
      {"title_en", "\u202Dx", "invalid_field"},
      {"evaluation_url", "mailto:x@amman.jo", "invalid_field"},
      {"exam_url", "exam.amman.jo", "invalid_field"},
  };
  for (const auto& bad : cases) expect_refused_naming_the_field(decode_course_patch(with(json::object(), bad)), bad);
}

TEST(DecodeApplication, NormalisesWhatTheApplicantTyped) {
  auto in = decode_application(valid_application());
  ASSERT_TRUE(in.ok()) << in.error().message;
  EXPECT_EQ(in->course_id, 7);
  EXPECT_EQ(in->applicant.phone, "+962791234567");
  EXPECT_EQ(in->applicant.name, "Lina Haddad");
  EXPECT_EQ(in->applicant.id_type, core::IdType::national_id);
  EXPECT_EQ(in->applicant.id_number, "9861234567");
  EXPECT_EQ(in->applicant.nationality, "JO");
  EXPECT_EQ(in->applicant.language, core::Language::en);
  EXPECT_EQ(in->channel, "web");
  EXPECT_TRUE(in->idempotency_key.empty());
  json j = valid_application();
  j.erase("language");
  EXPECT_EQ(decode_application(j)->applicant.language, core::Language::ar);  // the default
}

TEST(DecodeApplication, EveryBadFieldIsNamed) {
  const std::vector<BadField> cases{
      {"course_id", nullptr, "missing_field"},
      {"course_id", "7", "invalid_field"},
      {"course_id", 0, "invalid_field"},
      {"phone", nullptr, "missing_field"},
      {"phone", 791234567, "invalid_field"},
      {"phone", "12345", "invalid_phone"},
      {"name", nullptr, "missing_field"},
      {"name", "L1na", "invalid_name"},
      {"id_type", nullptr, "missing_field"},
      {"id_type", "driving_licence", "invalid_id_type"},
      {"id_number", nullptr, "missing_field"},
      {"id_number", "12", "invalid_id_number"},
      {"nationality", 962, "invalid_field"},
      {"nationality", "JOR", "invalid_field"},
      {"nationality", "J1", "invalid_nationality"},
      {"language", "fr", "invalid_field"},
  };
  for (const auto& bad : cases)
    expect_refused_naming_the_field(decode_application(with(valid_application(), bad)), bad);
}

TEST(DecodePrerequisite, TheDocumentComesFromThePath) {
  auto p = decode_prerequisite(json{{"id_type", "national_id"}, {"prerequisite", "computer-basics"}}, "9861234567");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->id_type, core::IdType::national_id);
  EXPECT_EQ(p->id_number, "9861234567");
  EXPECT_EQ(p->prerequisite, "computer-basics");
}

TEST(DecodePrerequisite, EveryBadFieldIsNamed) {
  const json valid{{"id_type", "national_id"}, {"prerequisite", "computer-basics"}};
  const std::vector<BadField> cases{
      {"id_type", nullptr, "missing_field"},
      {"id_type", "card", "invalid_id_type"},
      {"prerequisite", nullptr, "missing_field"},
      {"prerequisite", "", "invalid_field"},
      {"prerequisite", std::string(65, 'p'), "invalid_field"},
  };
  for (const auto& bad : cases)
    expect_refused_naming_the_field(decode_prerequisite(with(valid, bad), "9861234567"), bad);
  expect_refused_naming_the_field(decode_prerequisite(valid, "12"), BadField{"applicant", "12", "invalid_id_number"});
}

core::Course course() {
  core::Course c;
  c.id = 7;
  c.code = "101";
  c.title = {"مهارات", "Skills"};
  c.location = "Amman";
  c.start_at = at("2026-11-01T06:00:00Z");
  c.end_at = at("2026-11-02T06:00:00Z");
  c.decision_at = at("2026-10-30T06:00:00Z");
  c.min_participants = 5;
  c.capacity = 20;
  c.fee = core::Fils{25'000};
  c.exam_url = "https://exam.example.jo/101";
  c.evaluation_url = "https://eval.example.jo/101";
  c.tally[core::ApplicationState::awaiting_quorum] = 3;
  c.tally[core::ApplicationState::cancelled] = 1;
  return c;
}

core::Application application() {
  core::Application a;
  a.id = "0123abcd";
  a.course_id = 7;
  a.applicant = {"+962791234567", "Lina Haddad", core::IdType::national_id, "9861234567", "JO", core::Language::en};
  a.channel = "web";
  a.state = core::ApplicationState::awaiting_payment;
  a.created_at = at("2026-10-01T08:00:00Z");
  a.updated_at = at("2026-10-02T08:00:00Z");
  a.bill = core::Bill{"1000017", core::Fils{25'000}, at("2026-10-02T08:00:00Z"), at("2026-10-05T08:00:00Z")};
  return a;
}

TEST(EncodeCourse, TheWebsiteSeesNoOperatorFields) {
  EXPECT_EQ(encode_course(course(), Audience::website).dump(),
            R"({"capacity":20,"code":"101","decision_at":"2026-10-30T06:00:00Z","end_at":"2026-11-02T06:00:00Z",)"
            R"("fee_jod":"25.000","free":false,"id":7,"location":"Amman","min_participants":5,"prerequisite":null,)"
            R"("quorum_reached":false,"seats_left":17,"start_at":"2026-11-01T06:00:00Z","status":"open",)"
            R"("title_ar":"مهارات","title_en":"Skills"})");
}

TEST(EncodeCourse, OperatorsSeeLinksRemindersAndCounts) {
  core::Course c = course();
  c.capacity.reset();  // no capacity: null, and no seats_left
  c.prerequisite = "computer-basics";
  EXPECT_EQ(encode_course(c, Audience::operators).dump(),
            R"({"capacity":null,"code":"101","counts":{"attended":0,"awaiting_exam":0,"awaiting_payment":0,)"
            R"("awaiting_quorum":3,"cancelled":1,"confirmed":0,"expired":0,"rejected_exam":0,"waitlisted":0},)"
            R"("decision_at":"2026-10-30T06:00:00Z","end_at":"2026-11-02T06:00:00Z",)"
            R"("evaluation_url":"https://eval.example.jo/101","exam_url":"https://exam.example.jo/101",)"
            R"("fee_jod":"25.000","free":false,"id":7,"location":"Amman","min_participants":5,)"
            R"("prerequisite":"computer-basics","quorum_reached":false,"reminder_sent":false,)"
            R"("start_at":"2026-11-01T06:00:00Z","status":"open","title_ar":"مهارات","title_en":"Skills"})");
  EXPECT_EQ(encode_courses({}, Audience::operators).dump(), R"({"courses":[]})");
}

TEST(EncodeApplication, TheWebsiteSeesThePhoneMaskedAndNeverTheDocument) {
  EXPECT_EQ(encode_application(application(), Audience::website).dump(),
            R"({"applicant":{"id_number":"*******567","id_type":"national_id","language":"en","name":"Lina Haddad",)"
            R"("nationality":"JO","phone":"+96279*****67"},"application_id":"0123abcd",)"
            R"("bill":{"amount_jod":"25.000","billing_number":"1000017","due_at":"2026-10-05T08:00:00Z",)"
            R"("issued_at":"2026-10-02T08:00:00Z"},"channel":"web","course_id":7,)"
            R"("created_at":"2026-10-01T08:00:00Z","state":"awaiting_payment","updated_at":"2026-10-02T08:00:00Z"})");
  core::Application a = application();
  a.bill.reset();
  json j = encode_application(a, Audience::operators);
  EXPECT_EQ(j["applicant"]["phone"], "+962791234567");
  EXPECT_EQ(j["applicant"]["id_number"], "*******567");  // SPEC §8: operators do not see it either
  EXPECT_FALSE(j.contains("bill"));
}

TEST(EncodeApplication, TheViewCarriesItsCourseAndHistory) {
  ApplicationView v{application(), course(), {}};
  v.history.push_back({"0123abcd", at("2026-10-01T08:00:00Z"), std::nullopt, core::ApplicationState::awaiting_quorum,
                       "received", "apply"});
  v.history.push_back({"0123abcd", at("2026-10-02T08:00:00Z"), core::ApplicationState::awaiting_quorum,
                       core::ApplicationState::awaiting_payment, "7.1", "quorum_reached"});
  json j = encode_application_view(v);
  EXPECT_EQ(j["course"], encode_course(course(), Audience::website));
  EXPECT_EQ(j["history"].dump(),
            R"([{"at":"2026-10-01T08:00:00Z","event":"apply","from":null,"step":"received","to":"awaiting_quorum"},)"
            R"({"at":"2026-10-02T08:00:00Z","event":"quorum_reached","from":"awaiting_quorum","step":"7.1",)"
            R"("to":"awaiting_payment"}])");
  j.erase("course");
  j.erase("history");
  EXPECT_EQ(j, encode_application(application(), Audience::website));
}

TEST(EncodeCourseApplications, ListsWithTheCourseCounts) {
  json j = encode_course_applications(7, course(), {application()});
  EXPECT_EQ(j["course_id"], 7);
  EXPECT_EQ(j["counts"].dump(),
            R"({"attended":0,"awaiting_exam":0,"awaiting_payment":0,"awaiting_quorum":3,"cancelled":1,)"
            R"("confirmed":0,"expired":0,"rejected_exam":0,"waitlisted":0})");
  ASSERT_EQ(j["applications"].size(), 1u);
  EXPECT_EQ(j["applications"][0], encode_application(application(), Audience::operators));
  EXPECT_EQ(j.size(), 3u);
}

TEST(EncodeOutputs, ExactJson) {
  EXPECT_EQ(encode_apply_output({"ab12", core::ApplicationState::confirmed, true}).dump(),
            R"({"application_id":"ab12","state":"confirmed"})");
  EXPECT_EQ(encode_exam_output({"ab12", core::ApplicationState::rejected_exam, true}).dump(),
            R"({"application_id":"ab12","duplicate":true,"state":"rejected_exam"})");
  EXPECT_EQ(encode_proof_output({true, {"a1", "b2"}}).dump(), R"({"applications":["a1","b2"],"recorded":true})");
  EXPECT_EQ(encode_state(core::ApplicationState::cancelled).dump(), R"({"state":"cancelled"})");
  store::OutboxFigures f;
  f.by_status = {{"pending", 2}, {"sent", 5}};
  f.by_provider = {{"kannel", 7}};
  EXPECT_EQ(encode_outbox_figures(f).dump(),
            R"({"by_provider":{"kannel":7},"by_status":{"pending":2,"sent":5},"oldest_pending":null})");
  f.oldest_pending = at("2026-10-01T08:00:00Z");
  EXPECT_EQ(encode_outbox_figures(f)["oldest_pending"], "2026-10-01T08:00:00Z");
}

}  // namespace
}  // namespace cg::gateway::web
