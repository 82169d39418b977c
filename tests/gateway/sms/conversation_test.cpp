// The dialogue's stored form (gateway/sms/conversation.cpp): encode_dialogue writes its JSON by hand,
// decode_dialogue reads it with nlohmann::json. Every dialogue must come back as it went in, and the
// text must be the JSON a general encoder would have written for the same fields.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/sms/conversation.hpp"

namespace cg::gateway {
namespace {

using nlohmann::json;

core::Dialogue in_progress(core::DialogueStep step) {
  core::Dialogue d;
  d.language = core::Language::en;
  d.language_known = true;
  d.step = step;
  d.course_code = "101";
  d.course_title = {"مهارات الحاسوب الأساسية واستخدام الإنترنت", "Basic Computer Skills"};
  d.name = "محمد أحمد";
  d.id_type = core::IdType::national_id;
  d.id_number = "9861012345";
  d.more_list = core::PagedList::courses;
  d.more_after = "ICDL-B";
  d.more_after_course_id = 42;
  d.more_after_start = core::Instant{std::chrono::seconds{1796000000}};
  d.updated_at = core::Instant{std::chrono::seconds{1795000000}};
  return d;
}

// The fields as nlohmann::json builds them (what the encoder wrote before it was hand-written).
json expected_json(const core::Dialogue& d) {
  json j{{"lang", std::string(core::to_string(d.language))},
         {"lang_known", d.language_known},
         {"step", std::string(core::to_string(d.step))},
         {"at", d.updated_at.time_since_epoch().count()}};
  if (d.more_list != core::PagedList::none) {
    j["more"] = std::string(core::to_string(d.more_list));
    j["more_after"] = d.more_after;
    j["more_after_id"] = d.more_after_course_id;
    j["more_after_start"] = d.more_after_start.time_since_epoch().count();
  }
  if (d.step != core::DialogueStep::idle) {
    j["code"] = d.course_code;
    j["title_ar"] = d.course_title.ar;
    j["title_en"] = d.course_title.en;
    j["name"] = d.name;
    if (d.id_type) j["id_type"] = std::string(core::to_string(*d.id_type));
    j["id_number"] = d.id_number;
    if (!d.application_id.empty()) j["app_id"] = d.application_id;
  }
  return j;
}

void expect_round_trip(const core::Dialogue& d) {
  std::string text = encode_dialogue(d);
  json parsed = json::parse(text, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << text;
  EXPECT_EQ(parsed, expected_json(d)) << text;
  auto back = decode_dialogue(text);
  ASSERT_TRUE(back.has_value()) << text;
  core::Dialogue want = d;
  want.opted_out = false;  // kept in its own table, not in the dialogue's row
  EXPECT_EQ(*back, want) << text;
}

TEST(DialogueCodec, EveryStepComesBackAsItWent) {
  core::Dialogue idle;
  expect_round_trip(idle);
  idle.language_known = true;
  idle.updated_at = core::Instant{std::chrono::seconds{1795000123}};
  expect_round_trip(idle);
  idle.more_list = core::PagedList::courses;
  idle.more_after = "101";
  idle.more_after_course_id = 3;
  idle.more_after_start = core::Instant{std::chrono::seconds{1796000000}};
  expect_round_trip(idle);
  for (auto step : {core::DialogueStep::ask_name, core::DialogueStep::ask_id_type, core::DialogueStep::ask_id_number,
                    core::DialogueStep::confirm}) {
    core::Dialogue d = in_progress(step);
    if (step == core::DialogueStep::ask_name || step == core::DialogueStep::ask_id_type) {
      d.id_type.reset();
      d.id_number.clear();
    }
    expect_round_trip(d);
  }
  core::Dialogue passport = in_progress(core::DialogueStep::confirm);
  passport.id_type = core::IdType::passport;
  passport.id_number = "N1234567";
  expect_round_trip(passport);
  // The confirmations of free text: a cancel keeps the application it asks about.
  core::Dialogue cancel;
  cancel.language_known = true;
  cancel.step = core::DialogueStep::confirm_cancel;
  cancel.course_code = "B-12";
  cancel.course_title = {"الخط العربي", "Arabic Calligraphy"};
  cancel.application_id = "0123456789abcdef0123456789abcdef";
  cancel.updated_at = core::Instant{std::chrono::seconds{1795000000}};
  expect_round_trip(cancel);
  core::Dialogue stop;
  stop.step = core::DialogueStep::confirm_stop;
  expect_round_trip(stop);
}

// A cancel to confirm without its application is no state core can be in: a fresh dialogue.
TEST(DialogueCodec, AConfirmCancelWithoutItsApplicationStartsAfresh) {
  EXPECT_FALSE(decode_dialogue(R"({"lang":"ar","step":"confirm_cancel","code":"101"})").has_value());
  // Rows written before the free-text steps existed decode as they did.
  auto old = decode_dialogue(R"({"lang":"en","lang_known":true,"step":"ask_name","at":1795000000,"code":"101",)"
                             R"("title_ar":"x","title_en":"y","name":"","id_number":""})");
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->step, core::DialogueStep::ask_name);
  EXPECT_TRUE(old->application_id.empty());
}

// Rows saved when MORE paged by position ("next_course": an index) still decode, draft and all; the
// position is dropped, so MORE starts the list again (a page repeated rather than a course skipped).
TEST(DialogueCodec, ARowWithTheOldNumericPagingFieldStillDecodes) {
  auto old = decode_dialogue(
      R"({"lang":"en","lang_known":true,"step":"confirm","next_course":7,"at":1795000000,"code":"101",)"
      R"("title_ar":"مهارات","title_en":"Skills","name":"Lina Haddad","id_type":"passport","id_number":"N1234567"})");
  ASSERT_TRUE(old.has_value());
  EXPECT_EQ(old->step, core::DialogueStep::confirm);
  EXPECT_EQ(old->course_code, "101");
  EXPECT_EQ(old->name, "Lina Haddad");
  EXPECT_EQ(old->id_number, "N1234567");
  EXPECT_EQ(old->more_list, core::PagedList::none);
  SmsSession s = decode_sms_session(
      R"({"lang":"ar","lang_known":true,"step":"idle","next_course":14,"at":1795000000,"arrivals":[[1795000000,2]]})");
  EXPECT_EQ(s.dialogue.language, core::Language::ar);
  EXPECT_TRUE(s.dialogue.language_known);
  EXPECT_EQ(s.dialogue.more_list, core::PagedList::none);
  EXPECT_EQ(s.arrivals.size(), 1u);
  // A list this build does not know reads as no paging; the rest of the dialogue stays.
  auto unknown = decode_dialogue(R"({"lang":"en","step":"idle","more":"someday","more_after":"x","at":5})");
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->more_list, core::PagedList::none);
  EXPECT_TRUE(unknown->more_after.empty());
  EXPECT_EQ(unknown->language, core::Language::en);
}

TEST(DialogueCodec, QuotesBackslashesAndControlCharactersAreEscaped) {
  core::Dialogue d = in_progress(core::DialogueStep::ask_id_type);
  d.id_type.reset();
  d.id_number.clear();
  d.name = std::string("Ali \"the \\ teacher\"\n\t\r") + '\x01' + '\x1f' + "\x7f end";
  d.course_title.en = "Tab\there, quote\" and slash /";
  expect_round_trip(d);
  std::string text = encode_dialogue(d);
  for (char c : text) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "a raw control character in " << text;
}

TEST(DialogueCodec, BrokenUtf8IsReplacedNotStoredOrRefused) {
  core::Dialogue d = in_progress(core::DialogueStep::ask_id_type);
  d.id_type.reset();
  d.id_number.clear();
  const std::string replacement = "\xEF\xBF\xBD";
  // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate, past U+10FFFF.
  const std::pair<std::string, std::string> cases[] = {
      {"a\x80z", "a" + replacement + "z"},
      {"\xD9", replacement},
      {"x\xE2\x82", "x" + replacement + replacement},
      {"\xC0\xAF", replacement + replacement},
      {"\xED\xA0\x80", replacement + replacement + replacement},
      {"\xF4\x90\x80\x80", replacement + replacement + replacement + replacement},
      {"ok \xF0\x9F\x98\x80 \xD8\xB9", "ok \xF0\x9F\x98\x80 \xD8\xB9"},  // 4-byte emoji and Arabic stay
      // Broken bytes and quotes inside a run of Arabic: only they change.
      {"\xD8\xB9\x80\xD9\x84\"\xD9", "\xD8\xB9" + replacement + "\xD9\x84\"" + replacement},
  };
  for (const auto& [raw, stored] : cases) {
    d.name = raw;
    std::string text = encode_dialogue(d);
    auto back = decode_dialogue(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(back->name, stored) << text;
  }
}

// ---- the SMS session row: the dialogue and the number's recent messages -----------------------

core::Instant at(std::int64_t s) { return core::Instant{std::chrono::seconds{s}}; }

TEST(SmsSessionCodec, TheDialogueAndTheArrivalsComeBack) {
  SmsSession s;
  s.dialogue = in_progress(core::DialogueStep::confirm);
  s.arrivals = {{at(1795000000), 3}, {at(1795000007), 1}, {at(1795000041), 12}};
  std::string text = encode_sms_session(s);
  json parsed = json::parse(text, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << text;
  json want = expected_json(s.dialogue);
  want["arrivals"] =
      json::array({json::array({1795000000, 3}), json::array({1795000007, 1}), json::array({1795000041, 12})});
  EXPECT_EQ(parsed, want) << text;
  SmsSession back = decode_sms_session(text);
  EXPECT_EQ(back.dialogue, s.dialogue);
  EXPECT_EQ(back.arrivals, s.arrivals);
  // The same row read as a plain dialogue (what the USSD menus look at) is the dialogue.
  auto d = decode_dialogue(text);
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(*d, s.dialogue);
  // An empty list is written as one, and a row written before the cap moved here has none.
  SmsSession none;
  EXPECT_EQ(decode_sms_session(encode_sms_session(none)).arrivals, std::vector<SmsArrivals>{});
  EXPECT_EQ(decode_sms_session(encode_dialogue(s.dialogue)).dialogue, s.dialogue);
  EXPECT_TRUE(decode_sms_session(encode_dialogue(s.dialogue)).arrivals.empty());
}

TEST(SmsSessionCodec, WhatDoesNotDecodeStartsAfreshWithoutLosingTheRest) {
  // Arrivals that are not [[second, count>0], ...] read as none; the dialogue is still read.
  for (const char* arrivals : {"\"3\"", "[[1795000000]]", "[[1795000000, 0]]", "[[1795000000, \"2\"]]", "[1, 2]",
                               "{\"a\": 1}", "[[1795000000, 2], 7]"}) {
    std::string text = R"({"lang":"en","lang_known":true,"step":"idle","next_course":0,"at":0,"arrivals":)" +
                       std::string(arrivals) + "}";
    SmsSession s = decode_sms_session(text);
    EXPECT_TRUE(s.arrivals.empty()) << text;
    EXPECT_EQ(s.dialogue.language, core::Language::en) << text;
    EXPECT_TRUE(s.dialogue.language_known) << text;
  }
  // A dialogue that is not one a number can be in starts afresh; its count of messages stays.
  SmsSession s = decode_sms_session(R"({"step":"confirm","lang":"en","arrivals":[[1795000000,4]]})");
  EXPECT_EQ(s.dialogue, core::Dialogue{});
  EXPECT_EQ(s.arrivals, (std::vector<SmsArrivals>{{at(1795000000), 4}}));
  // Not JSON, or not an object: nothing.
  for (const char* text : {"", "not json", "[]", "42"}) {
    SmsSession n = decode_sms_session(text);
    EXPECT_EQ(n.dialogue, core::Dialogue{}) << text;
    EXPECT_TRUE(n.arrivals.empty()) << text;
  }
}

TEST(SmsSession, CountsTheMessagesOfTheWindowBySecond) {
  SmsSession s;
  const auto t0 = at(1795000000);
  auto window = [](core::Instant now) { return now - std::chrono::seconds(59); };
  EXPECT_EQ(s.arrived_since(window(t0)), 0);
  s.arrive(t0, window(t0));
  s.arrive(t0, window(t0));
  s.arrive(t0 + std::chrono::seconds(30), window(t0 + std::chrono::seconds(30)));
  EXPECT_EQ(s.arrivals, (std::vector<SmsArrivals>{{t0, 2}, {t0 + std::chrono::seconds(30), 1}}));
  // A message 59 s later still sees the first two (at or after); one 60 s later does not.
  EXPECT_EQ(s.arrived_since(window(t0 + std::chrono::seconds(59))), 3);
  EXPECT_EQ(s.arrived_since(window(t0 + std::chrono::seconds(60))), 1);
  EXPECT_EQ(s.arrived_since(window(t0 + std::chrono::seconds(90))), 0);
  // Arriving forgets what no later window can see.
  s.arrive(t0 + std::chrono::seconds(60), window(t0 + std::chrono::seconds(60)));
  EXPECT_EQ(s.arrivals,
            (std::vector<SmsArrivals>{{t0 + std::chrono::seconds(30), 1}, {t0 + std::chrono::seconds(60), 1}}));
}

TEST(SmsSession, AFloodKeepsAtMostAMinuteOfSecondsWhateverItsSize) {
  SmsSession s;
  const auto t0 = at(1795000000);
  std::int64_t sent = 0;
  for (int second = 0; second < 600; ++second)
    for (int i = 0; i < 50; ++i) {
      auto now = t0 + std::chrono::seconds(second);
      s.arrive(now, now - std::chrono::seconds(59));
      ++sent;
    }
  EXPECT_EQ(sent, 30000);
  EXPECT_EQ(s.arrivals.size(), 60u);
  EXPECT_EQ(s.arrived_since(t0 + std::chrono::seconds(599 - 59)), 60 * 50);
  EXPECT_LT(encode_sms_session(s).size(), 1500u);
}

}  // namespace
}  // namespace cg::gateway
