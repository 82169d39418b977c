// The dialogue's stored form (gateway/conversation.cpp): encode_dialogue writes its JSON by hand,
// decode_dialogue reads it with nlohmann::json. Every dialogue must come back as it went in, and the
// text must be the JSON a general encoder would have written for the same fields.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "gateway/conversation.hpp"

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
  d.next_course = 7;
  d.updated_at = core::Instant{std::chrono::seconds{1795000000}};
  return d;
}

// The fields as nlohmann::json builds them (what the encoder wrote before it was hand-written).
json expected_json(const core::Dialogue& d) {
  json j{{"lang", std::string(core::to_string(d.language))},
         {"lang_known", d.language_known},
         {"step", std::string(core::to_string(d.step))},
         {"next_course", d.next_course},
         {"at", d.updated_at.time_since_epoch().count()}};
  if (d.step != core::DialogueStep::idle) {
    j["code"] = d.course_code;
    j["title_ar"] = d.course_title.ar;
    j["title_en"] = d.course_title.en;
    j["name"] = d.name;
    if (d.id_type) j["id_type"] = std::string(core::to_string(*d.id_type));
    j["id_number"] = d.id_number;
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
  idle.next_course = 14;
  idle.updated_at = core::Instant{std::chrono::seconds{1795000123}};
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
  };
  for (const auto& [raw, stored] : cases) {
    d.name = raw;
    std::string text = encode_dialogue(d);
    auto back = decode_dialogue(text);
    ASSERT_TRUE(back.has_value()) << text;
    EXPECT_EQ(back->name, stored) << text;
  }
}

}  // namespace
}  // namespace cg::gateway
