// THE FIT TEST: every message, in both languages, with the longest realistic course data, costs at
// most 3 SMS. Courses come from tests/data/courses.sample.json (a copy of shared/data, so CI needs
// nothing outside the repository); each is tried as it is and the longest title is also paired with
// the longest place. Dates are tried within a month, across a month and across New Year, with the
// longest Levantine month names; the other values are worst cases of their kind.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "core/conversation.hpp"
#include "core/sms.hpp"
#include "core/text.hpp"
#include "templates/catalogue.hpp"

namespace cg::templates {
namespace {

using core::Language;
using core::TemplateId;

constexpr int kMaxSegments = 3;

struct Course {
  std::string code, title_ar, title_en, location;
  int start_hour = 0, start_minute = 0, end_hour = 0, end_minute = 0;  // daily, Amman time
};

// "16:30–19:30" (en dash, as the sample writes it) -> 16, 30, 19, 30.
bool parse_daily_hours(const std::string& s, Course& c) {
  return std::sscanf(s.c_str(), "%d:%d\xE2\x80\x93%d:%d", &c.start_hour, &c.start_minute, &c.end_hour, &c.end_minute) ==
         4;
}

std::vector<Course> sample_courses() {
  std::ifstream in(CG_SOURCE_DIR "/tests/data/courses.sample.json");
  EXPECT_TRUE(in) << "tests/data/courses.sample.json is missing";
  nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<Course> out;
  for (const auto& j : doc.at("courses")) {
    Course c{j.at("code"), j.at("title_ar"), j.at("title_en"), j.at("location")};
    EXPECT_TRUE(parse_daily_hours(j.at("daily_hours"), c)) << j.at("daily_hours");
    out.push_back(c);
  }
  return out;
}

std::size_t length(const std::string& s) { return static_cast<std::size_t>(core::measure_sms(s).units); }

core::Instant amman(int y, int mo, int d, int h, int mi) {
  using namespace std::chrono;
  return sys_days{year{y} / mo / d} + hours{h} + minutes{mi} - hours{3};
}

struct Dates {
  const char* name;
  int y1, m1, d1, y2, m2, d2;
};
// Two-digit days and the longest month names (تشرين الثاني، كانون الأول، كانون الثاني).
constexpr Dates kDates[] = {
    {"within a month", 2026, 12, 10, 2026, 12, 22},
    {"across a month", 2026, 11, 28, 2026, 12, 10},
    {"across New Year", 2026, 12, 28, 2027, 1, 10},
};

std::string repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

// A name of the longest length the dialogue accepts (normalize_name: 100 characters), made of the
// words of a long real one.
std::string longest_name(std::string_view words) {
  std::string out;
  while (core::text::count_chars(out) < 100) out += (out.empty() ? "" : " ") + std::string(words);
  out = core::text::truncate(out, 100, "");
  while (out.back() == ' ') out.pop_back();
  while (core::text::count_chars(out) < 100) out += "x";
  return out;
}
const std::string kLongestArabicName = longest_name("عبد الرحمن محمد عبد الله الخطيب الحسيني");
const std::string kLongestLatinName = longest_name("Abdulrahman Mohammad Abdullah Al-Khatib Al-Husseini");

// The parameters as the conversation gives them: the confirmation summary's title and name are
// shortened to their budget by core (summary_params), as the applicant will receive them.
core::Params as_sent(TemplateId id, Language l, core::Params given) {
  if (id != TemplateId::sms_confirm_national_id && id != TemplateId::sms_confirm_passport) return given;
  core::Dialogue d;
  d.language = l;
  d.step = core::DialogueStep::confirm;
  d.course_code = std::get<std::string>(given.at("code"));
  d.course_title = std::get<core::LocalizedText>(given.at("title"));
  d.name = std::get<std::string>(given.at("name"));
  d.id_type = id == TemplateId::sms_confirm_national_id ? core::IdType::national_id : core::IdType::passport;
  // summary_params masks the number itself: an unmasked one of the same length.
  const std::string masked = std::get<std::string>(given.at("id_number"));
  d.id_number = std::string(masked.size() - 3, '9') + masked.substr(masked.size() - 3);
  core::Params out = core::summary_params(d);
  EXPECT_EQ(std::get<std::string>(out.at("id_number")), masked);
  return out;
}

core::Params worst_params(const Course& c, const Dates& d) {
  core::Instant start = amman(d.y1, d.m1, d.d1, c.start_hour, c.start_minute);
  return {
      {"title", core::LocalizedText{c.title_ar, c.title_en}},
      {"code", c.code},
      {"location", c.location},
      {"start_at", start},
      {"end_at", amman(d.y2, d.m2, d.d2, c.end_hour, c.end_minute)},
      {"due_at", start - std::chrono::days{3}},
      // Exam tokens are 128 random bits: 22 base64url characters.
      {"exam_link", std::string("https://exam.amman.jo/t/k3Jx9QvT2mWbZ7pLr4NcYa")},
      {"evaluation_link", std::string("https://eval.amman.jo/c/Vb8sLq2ZrT5nWx0PcY7mKe")},
      {"biller_name", core::LocalizedText{"أمانة عمّان الكبرى", "Greater Amman Municipality"}},
      {"biller_code", std::string("307")},
      {"billing_number", std::string("4829301756")},
      {"amount", core::Fils{45500}},
      {"service_type", core::LocalizedText{"رسوم الدورات", "Course fees"}},
      // Conversation replies. A list is cut by core/conversation.cpp to its budget: 120
      // UCS-2 units or 300 GSM-7 septets (ConversationSettings); these fill it.
      {"items", core::LocalizedText{repeat("ب", 120), std::string(300, 'x')}},
      // How many applications a STATUS page leaves out: at most 19 of the 20 loaded.
      {"count", std::int64_t{19}},
      // The longest name the dialogue accepts (100 characters; real names in Jordan stay under 45)
      // and a masked document number.
      {"name", kLongestArabicName},
      {"id_number", std::string("*******567")},
  };
}

TEST(Fit, EveryTemplateFitsInThreeSmsWithTheLongestCourses) {
  auto catalogue = Catalogue::builtin();
  ASSERT_TRUE(catalogue.ok()) << catalogue.error().message;
  std::vector<Course> courses = sample_courses();
  ASSERT_GE(courses.size(), 5u);

  // The longest title (in each language) with the longest place: longer than any single sample course.
  Course longest = courses.front();
  longest.code = "999";
  for (const Course& c : courses) {
    if (length(c.title_ar) > length(longest.title_ar)) longest.title_ar = c.title_ar;
    if (length(c.title_en) > length(longest.title_en)) longest.title_en = c.title_en;
    if (length(c.location) > length(longest.location)) longest.location = c.location;
  }
  courses.push_back(longest);

  struct Worst {
    core::SmsLength length;
    std::string text;
  };
  std::map<std::pair<TemplateId, Language>, Worst> worst;
  for (const Course& c : courses) {
    for (const Dates& d : kDates) {
      core::Params all = worst_params(c, d);
      for (TemplateId id : core::kAllTemplates) {
        core::Params given;
        for (std::string_view name : core::template_parameters(id)) {
          given.emplace(std::string(name), all.at(std::string(name)));
        }
        for (Language l : {Language::ar, Language::en}) {
          auto text = catalogue->render(core::Message{id, l, as_sent(id, l, given)}, RenderSettings{});
          ASSERT_TRUE(text.ok()) << text.error().message;
          core::SmsLength len = core::measure_sms(text.value());
          EXPECT_LE(len.segments, kMaxSegments)
              << core::to_string(id) << " (" << core::to_string(l) << "), course " << c.code << ", " << d.name << ": "
              << len.units << " " << core::to_string(len.encoding) << " units in " << len.segments << " SMS:\n"
              << text.value();
          Worst& w = worst[{id, l}];
          if (len.units > w.length.units || w.text.empty()) w = {len, text.value()};
        }
      }
    }
  }

  std::printf("\nWorst case per template (segments / units / encoding):\n");
  std::printf("  %-22s %-22s %-22s\n", "template", "ar", "en");
  for (TemplateId id : core::kAllTemplates) {
    auto cell = [&](Language l) {
      const core::SmsLength& len = worst[{id, l}].length;
      char buf[40];
      std::snprintf(buf, sizeof buf, "%d SMS / %3d %s", len.segments, len.units,
                    std::string(core::to_string(len.encoding)).c_str());
      return std::string(buf);
    };
    std::printf("  %-22s %-22s %-22s\n", std::string(core::to_string(id)).c_str(), cell(Language::ar).c_str(),
                cell(Language::en).c_str());
  }
}

// The confirmation summary with the longest of everything it shows: every sample title and the
// longest, names of 100 characters in Arabic and in Latin letters (GSM-7, and with characters that
// take two GSM-7 septets), a 16-character course code (the longest the card allows) and a masked
// 20-character passport number (the longest accepted). A name that fits is not shortened.
TEST(Fit, TheSummaryFitsWithTheLongestNameAllowed) {
  auto catalogue = Catalogue::builtin();
  ASSERT_TRUE(catalogue.ok()) << catalogue.error().message;
  std::vector<Course> courses = sample_courses();
  Course longest = courses.front();
  for (const Course& c : courses) {
    if (length(c.title_ar) > length(longest.title_ar)) longest.title_ar = c.title_ar;
    if (length(c.title_en) > length(longest.title_en)) longest.title_en = c.title_en;
  }
  courses.push_back(longest);
  const std::string names[] = {kLongestArabicName, kLongestLatinName, std::string(100, '['),
                               "Lina " + std::string(95, '|'), "عبد الرحمن محمد عبد الله الخطيب الحسيني"};
  int checked = 0;
  for (const Course& c : courses) {
    for (const std::string& name : names) {
      for (TemplateId id : {TemplateId::sms_confirm_national_id, TemplateId::sms_confirm_passport}) {
        for (Language l : {Language::ar, Language::en}) {
          core::Dialogue d;
          d.language = l;
          d.step = core::DialogueStep::confirm;
          d.course_code = "ICDL-ADV-2026-01";
          d.course_title = {c.title_ar, c.title_en};
          d.name = name;
          d.id_type = id == TemplateId::sms_confirm_national_id ? core::IdType::national_id : core::IdType::passport;
          d.id_number = id == TemplateId::sms_confirm_national_id ? "9871234567" : "N1234567890123456789";
          core::Params p = core::summary_params(d);
          auto text = catalogue->render(core::Message{id, l, p}, RenderSettings{});
          ASSERT_TRUE(text.ok()) << text.error().message;
          core::SmsLength len = core::measure_sms(text.value());
          EXPECT_LE(len.segments, kMaxSegments)
              << core::to_string(id) << " (" << core::to_string(l) << "), course " << c.code << ": " << len.units
              << " units in " << len.segments << " SMS:\n"
              << text.value();
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 100);
  // The usual case is left whole: a 39-character name with the longest Arabic title, in Arabic.
  core::Dialogue usual;
  usual.step = core::DialogueStep::confirm;
  usual.course_code = "102";
  usual.course_title = {longest.title_ar, longest.title_en};
  usual.name = "عبد الرحمن محمد عبد الله الخطيب الحسيني";
  usual.id_type = core::IdType::national_id;
  usual.id_number = "9871234567";
  core::Params p = core::summary_params(usual);
  EXPECT_EQ(std::get<std::string>(p.at("name")), usual.name);
  EXPECT_EQ(std::get<core::LocalizedText>(p.at("title")).ar, longest.title_ar);
}

}  // namespace
}  // namespace cg::templates
