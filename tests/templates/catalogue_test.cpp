// Loading the texts (builtin, from strings, from a directory), refusing bad ones with errors that name
// the template, and rendering every message with exact wording.
#include "templates/catalogue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/sms.hpp"

namespace cg::templates {
namespace {

using core::Language;
using core::TemplateId;

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

core::Instant at(std::string_view iso) {
  auto t = core::parse_iso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return t.ok() ? t.value() : core::Instant{};
}

// A complete, valid file in which every template says "<name> {title}" (or just "<name>" when it has
// no title, like the conversation's replies), except the overrides.
std::string texts_with(const std::map<TemplateId, std::string>& overrides = {}) {
  std::string out = "# test texts\n";
  for (TemplateId id : core::kAllTemplates) {
    auto it = overrides.find(id);
    auto params = core::template_parameters(id);
    bool has_title = std::find(params.begin(), params.end(), "title") != params.end();
    out += "[" + std::string(core::to_string(id)) + "]\n";
    out += it != overrides.end() ? it->second : std::string(core::to_string(id)) + (has_title ? " {title}" : "");
    out += "\n\n";
  }
  return out;
}

// The error loading `ar` (with a valid English file), or "" when it loads.
std::string load_error(const std::string& ar) {
  auto c = Catalogue::from_texts(ar, texts_with());
  return c.ok() ? "" : c.error().code + ": " + c.error().message;
}

const Catalogue& builtin() {
  static const Catalogue c = [] {
    auto r = Catalogue::builtin();
    if (!r) ADD_FAILURE() << r.error().message;
    return std::move(r.value());
  }();
  return c;
}

std::string render(const Catalogue& c, TemplateId id, Language l, core::Params params) {
  auto r = c.render(core::Message{id, l, std::move(params)}, RenderSettings{});
  EXPECT_TRUE(r.ok()) << core::to_string(id) << ": " << r.error().message;
  return r.ok() ? r.value() : "";
}

// Course 101 and 105 of tests/data/courses.sample.json.
core::Params course_101() {
  return {{"title", core::LocalizedText{"مهارات الحاسوب الأساسية واستخدام الإنترنت",
                                        "Basic Computer Skills and Using the Internet"}},
          {"code", std::string("101")},
          {"start_at", at("2026-12-01T13:00:00Z")},
          {"end_at", at("2026-12-07T16:00:00Z")},
          {"location", std::string("مركز الحسين الثقافي – رأس العين، الطابق الثاني، قاعة التدريب ٣")}};
}

core::Params payment_105() {
  return {{"title", core::LocalizedText{"التصميم الجرافيكي باستخدام برامج التصميم المفتوحة المصدر",
                                        "Graphic Design with Open-Source Design Tools"}},
          {"code", std::string("105")},
          {"biller_name", core::LocalizedText{"أمانة عمّان الكبرى", "Greater Amman Municipality"}},
          {"biller_code", std::string("307")},
          {"billing_number", std::string("4829301756")},
          {"amount", core::Fils{45500}},
          // 22:30 UTC on the 29th is already the 30th in Amman.
          {"due_at", at("2026-11-29T22:30:00Z")},
          {"service_type", core::LocalizedText{"رسوم الدورات", "Course fees"}}};
}

core::Params title_102() {
  return {{"title", core::LocalizedText{"الرخصة الدولية لقيادة الحاسوب (ICDL) – المستوى المتقدم",
                                        "International Computer Driving Licence (ICDL) – Advanced"}},
          {"code", std::string("102")}};
}

TEST(Catalogue, BuiltinLoadsAndIsTheTextFilesAsWritten) {
  ASSERT_TRUE(Catalogue::builtin().ok()) << Catalogue::builtin().error().message;
  EXPECT_EQ(builtin_text(Language::ar), read(CG_SOURCE_DIR "/templates/text/ar.txt"));
  EXPECT_EQ(builtin_text(Language::en), read(CG_SOURCE_DIR "/templates/text/en.txt"));
}

TEST(Catalogue, ApprovedExactInBothLanguages) {
  EXPECT_EQ(render(builtin(), TemplateId::approved, Language::ar, course_101()),
            "تم تأكيد حجزكم: مهارات الحاسوب الأساسية واستخدام الإنترنت (101)، ١–٧ كانون الأول ٢٠٢٦، يومياً "
            "١٦:٠٠–١٩:٠٠، مركز الحسين الثقافي – رأس العين، الطابق الثاني، قاعة التدريب ٣");
  // The Arabic place makes the English text UCS-2 anyway, so its typography is kept.
  EXPECT_EQ(render(builtin(), TemplateId::approved, Language::en, course_101()),
            "Approved, booking confirmed: Basic Computer Skills and Using the Internet (101), 1-7 Dec 2026, daily "
            "16:00-19:00, مركز الحسين الثقافي – رأس العين، الطابق الثاني، قاعة التدريب ٣");
}

TEST(Catalogue, PaymentDueExactInBothLanguages) {
  EXPECT_EQ(render(builtin(), TemplateId::payment_due, Language::ar, payment_105()),
            "رسوم دورة التصميم الجرافيكي باستخدام برامج التصميم المفتوحة المصدر (105): 45.500 دينار، تُدفع حتى "
            "٣٠ تشرين الثاني ٢٠٢٦ عبر إي فواتيركم:\n"
            "أمانة عمّان الكبرى (307)\n"
            "رسوم الدورات\n"
            "رقم الدفع: 4829301756");
  std::string en = render(builtin(), TemplateId::payment_due, Language::en, payment_105());
  EXPECT_EQ(en,
            "To confirm your seat in Graphic Design with Open-Source Design Tools (105), pay 45.500 JOD by 30 Nov "
            "2026 through eFAWATEERcom:\n"
            "Biller: Greater Amman Municipality (307)\n"
            "Service: Course fees\n"
            "Billing number: 4829301756");
  EXPECT_TRUE(core::is_gsm7(en));
}

TEST(Catalogue, PostponedExactInBothLanguages) {
  EXPECT_EQ(render(builtin(), TemplateId::postponed, Language::ar, title_102()),
            "نعتذر، تم تأجيل دورة الرخصة الدولية لقيادة الحاسوب (ICDL) – المستوى المتقدم (102) نظراً لعدم اكتمال "
            "العدد. طلبكم محفوظ وسنبلغكم بالموعد الجديد.");
  // The title's en dash becomes a hyphen so the English SMS goes as GSM-7.
  std::string en = render(builtin(), TemplateId::postponed, Language::en, title_102());
  EXPECT_EQ(en,
            "Your course International Computer Driving Licence (ICDL) - Advanced (102) is postponed because too "
            "few people applied. Your application is kept; we will text you the new dates.");
  EXPECT_EQ(core::measure_sms(en).encoding, core::SmsEncoding::gsm7);
}

TEST(Catalogue, ReminderExactInBothLanguages) {
  core::Params p = course_101();
  p.erase("end_at");
  EXPECT_EQ(render(builtin(), TemplateId::reminder, Language::ar, p),
            "تذكير: تبدأ دورة مهارات الحاسوب الأساسية واستخدام الإنترنت (101) غداً ١ كانون الأول ٢٠٢٦ الساعة "
            "١٦:٠٠ في مركز الحسين الثقافي – رأس العين، الطابق الثاني، قاعة التدريب ٣.");
  EXPECT_EQ(render(builtin(), TemplateId::reminder, Language::en, p),
            "Reminder: Basic Computer Skills and Using the Internet (101) starts tomorrow, 1 Dec 2026 at 16:00, at "
            "مركز الحسين الثقافي – رأس العين، الطابق الثاني، قاعة التدريب ٣.");
}

TEST(Catalogue, RenderSettingsOffsetIsUsed) {
  core::Params p = course_101();
  auto r =
      builtin().render(core::Message{TemplateId::approved, Language::en, p}, RenderSettings{std::chrono::minutes{0}});
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.value().find("daily 13:00-16:00"), std::string::npos) << r.value();
}

// Every template renders in both languages from exactly the parameters core/ supplies, shows each
// of them the way its type says, and leaves no placeholder behind.
TEST(Catalogue, EveryTemplateRendersItsParameters) {
  core::Params all = course_101();
  for (auto& [k, v] : payment_105())
    if (!all.count(k)) all.emplace(k, v);
  all.emplace("exam_link", std::string("https://exam.amman.jo/t/k3Jx9QvT2mWbZ7pLr4NcYa"));
  all.emplace("evaluation_link", std::string("https://eval.amman.jo/c/Vb8sLq2ZrT5nWx0PcY7mKe"));
  // The conversation's replies.
  all.emplace("items", std::string("101 Basic Computer Skills - free"));
  all.emplace("name", std::string("Lina Haddad"));
  all.emplace("id_number", std::string("*******567"));
  all.emplace("count", std::int64_t{3});
  for (TemplateId id : core::kAllTemplates) {
    core::Params given;
    for (std::string_view name : core::template_parameters(id))
      given.emplace(std::string(name), all.at(std::string(name)));
    for (Language l : {Language::ar, Language::en}) {
      SCOPED_TRACE(std::string(core::to_string(id)) + " " + std::string(core::to_string(l)));
      std::string text = render(builtin(), id, l, given);
      EXPECT_EQ(text.find('{'), std::string::npos) << text;
      EXPECT_EQ(text.find('}'), std::string::npos) << text;
      if (given.count("title")) {
        const std::string& title = std::get<core::LocalizedText>(given.at("title")).in(l);
        EXPECT_NE(text.find(title), std::string::npos) << text;
        EXPECT_NE(text.find("(" + std::get<std::string>(given.at("code")) + ")"), std::string::npos) << text;
      }
      for (const char* id_param :
           {"exam_link", "evaluation_link", "billing_number", "biller_code", "code", "items", "name", "id_number"}) {
        if (given.count(id_param)) {
          EXPECT_NE(text.find(std::get<std::string>(given.at(id_param))), std::string::npos)
              << id_param << ": " << text;
        }
      }
      if (given.count("start_at")) {
        EXPECT_NE(text.find(l == Language::ar ? "كانون الأول ٢٠٢٦" : "Dec 2026"), std::string::npos) << text;
      }
      if (given.count("location")) {
        EXPECT_NE(text.find("قاعة التدريب ٣"), std::string::npos) << text;
      }
      if (given.count("count")) {
        EXPECT_NE(text.find(l == Language::ar ? "(عددها ٣)" : "(3 more)"), std::string::npos) << text;
      }
      if (l == Language::ar) {
        EXPECT_EQ(text.find("2026"), std::string::npos) << "years are in Arabic-Indic digits: " << text;
      }
    }
  }
}

TEST(Catalogue, MissingTemplateInOneLanguageFailsNamingIt) {
  std::string en = texts_with();
  std::size_t from = en.find("[postponed]");
  std::size_t to = en.find("[", from + 1);
  en.erase(from, to - from);
  auto c = Catalogue::from_texts(texts_with(), en);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "invalid_templates");
  EXPECT_NE(c.error().message.find("'postponed' (en) is missing"), std::string::npos) << c.error().message;

  auto builtin_without = std::string(builtin_text(Language::ar));
  from = builtin_without.find("[reminder]");
  builtin_without.erase(from, std::string("[reminder]").size());
  auto b = Catalogue::from_texts(builtin_without, builtin_text(Language::en));
  ASSERT_FALSE(b.ok());
  // Without its header the reminder's text joins the section before it; the reminder is missing.
  EXPECT_NE(b.error().message.find("'reminder' (ar)"), std::string::npos) << b.error().message;
}

TEST(Catalogue, UnknownParameterFailsNamingTemplateAndParameter) {
  std::string e = load_error(texts_with({{TemplateId::approved, "Approved {title}\nFee: {fee}"}}));
  EXPECT_NE(e.find("invalid_templates"), std::string::npos) << e;
  EXPECT_NE(e.find("'approved' (ar)"), std::string::npos) << e;
  EXPECT_NE(e.find("parameter 'fee'"), std::string::npos) << e;
  EXPECT_NE(e.find("it has: title, code, start_at, end_at, location"), std::string::npos) << e;
  // The line of the placeholder: comment, headers and blank lines before it count.
  std::string file = texts_with({{TemplateId::approved, "Approved {title}\nFee: {fee}"}});
  int line = 1;
  for (std::size_t i = 0; i < file.find("{fee}"); ++i) line += file[i] == '\n';
  EXPECT_NE(e.find("line " + std::to_string(line) + ":"), std::string::npos) << e;

  // A parameter of another template is unknown here too.
  e = load_error(texts_with({{TemplateId::exam_link, "{title} {billing_number}"}}));
  EXPECT_NE(e.find("'exam_link' (ar) uses parameter 'billing_number'"), std::string::npos) << e;
  // Both ends of a range are checked.
  e = load_error(texts_with({{TemplateId::reminder, "{start_at..end_at:date}"}}));
  EXPECT_NE(e.find("'reminder' (ar) uses parameter 'end_at'"), std::string::npos) << e;
}

TEST(Catalogue, MalformedPlaceholdersFailNamingTheTemplate) {
  const std::pair<const char*, const char*> cases[] = {
      {"{title", "not closed"},
      {"title}", "'}' without '{'"},
      {"{Title}", "malformed placeholder {Title}"},
      {"{}", "malformed placeholder {}"},
      {"{ title }", "malformed placeholder { title }"},
      {"{title:datum}", "unknown format 'datum'"},
      {"{title:}", "unknown format ''"},
      {"{start_at:date:time}", "unknown format 'date:time'"},
      {"{start_at..end_at}", "without :date or :time"},
      {"{start_at..end_at:num}", "without :date or :time"},
      {"{start_at..:date}", "malformed placeholder"},
      {"{..end_at:date}", "malformed placeholder"},
  };
  for (auto [body, expected] : cases) {
    std::string e = load_error(texts_with({{TemplateId::cancelled, body}}));
    EXPECT_NE(e.find("template 'cancelled' (ar)"), std::string::npos) << body << " -> " << e;
    EXPECT_NE(e.find(expected), std::string::npos) << body << " -> " << e;
  }
}

TEST(Catalogue, BadSectionsFail) {
  std::string e = load_error(texts_with() + "[aproved]\nx\n");
  EXPECT_NE(e.find("unknown template 'aproved'"), std::string::npos) << e;
  e = load_error(texts_with() + "[approved]\nagain\n");
  EXPECT_NE(e.find("template 'approved' appears twice"), std::string::npos) << e;
  e = load_error("Hello\n" + texts_with());
  EXPECT_NE(e.find("line 1: text before the first [template] header"), std::string::npos) << e;
  e = load_error(texts_with({{TemplateId::expired, "  \n# only a comment\n"}}));
  EXPECT_NE(e.find("template 'expired' (ar) has no text"), std::string::npos) << e;
  e = load_error(texts_with({{TemplateId::expired, "bad \xFF byte"}}));
  EXPECT_NE(e.find("not valid UTF-8"), std::string::npos) << e;
}

TEST(Catalogue, FileFormatDetails) {
  // BOM, CRLF, indentation, comments inside a text, blank lines around it, a line break and a blank
  // line inside it, literal braces.
  std::string ar =
      "\xEF\xBB\xBF" +
      texts_with({{TemplateId::cancelled, "\r\n  \r\n  {{literal}} {title}  \r\n# note\r\n\r\nsecond line\r\n\r\n"}});
  auto c = Catalogue::from_texts(ar, texts_with());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(render(c.value(), TemplateId::cancelled, Language::ar, title_102()),
            "{literal} الرخصة الدولية لقيادة الحاسوب (ICDL) – المستوى المتقدم\n\nsecond line");
  // A text need not use every parameter it is given.
  EXPECT_EQ(render(c.value(), TemplateId::approved, Language::en, course_101()),
            "approved Basic Computer Skills and Using the Internet");
}

TEST(Catalogue, RenderFailsOnMissingOrMistypedParameters) {
  core::Params p = course_101();
  p.erase("location");
  auto r = builtin().render(core::Message{TemplateId::approved, Language::ar, p}, RenderSettings{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "missing_parameter");
  EXPECT_NE(r.error().message.find("'approved' (ar) needs parameter 'location'"), std::string::npos)
      << r.error().message;

  p = course_101();
  p["end_at"] = std::string("2026-12-07");
  r = builtin().render(core::Message{TemplateId::approved, Language::en, p}, RenderSettings{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "wrong_parameter_type");
  EXPECT_NE(r.error().message.find("needs a time, but parameter 'end_at' is text"), std::string::npos)
      << r.error().message;

  p = course_101();
  p["title"] = at("2026-12-01T13:00:00Z");
  r = builtin().render(core::Message{TemplateId::approved, Language::en, p}, RenderSettings{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("{title} needs text"), std::string::npos) << r.error().message;

  // :num takes integers and digit strings only.
  auto c = Catalogue::from_texts(texts_with({{TemplateId::expired, "{billing_number:num} {code:num}"}}), texts_with());
  ASSERT_TRUE(c.ok()) << c.error().message;
  core::Params q{
      {"title", std::string("t")}, {"code", std::int64_t{105}}, {"billing_number", std::string("4829301756")}};
  EXPECT_EQ(render(c.value(), TemplateId::expired, Language::ar, q), "٤٨٢٩٣٠١٧٥٦ ١٠٥");
  q["billing_number"] = std::string("48-29");
  r = c.value().render(core::Message{TemplateId::expired, Language::ar, q}, RenderSettings{});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("needs a number or a string of digits"), std::string::npos) << r.error().message;
}

TEST(Catalogue, IntegersUseTheLanguagesDigitsByDefault) {
  auto c = Catalogue::from_texts(texts_with({{TemplateId::cancelled, "{code} / {title}"}}), texts_with());
  ASSERT_TRUE(c.ok()) << c.error().message;
  core::Params p{{"title", core::Fils{25000}}, {"code", std::int64_t{12}}};
  EXPECT_EQ(render(c.value(), TemplateId::cancelled, Language::ar, p), "١٢ / 25.000 دينار");
}

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(CG_BINARY_DIR) / "templates_test_dir" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void write(const std::string& name, std::string_view content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
  }
  std::filesystem::path dir_;
};

TEST_F(DirectoryTest, OperatorOverrideReplacesTheTexts) {
  std::string en(builtin_text(Language::en));
  std::string old_line = "Your application for {title} ({code}) has been cancelled.";
  ASSERT_NE(en.find(old_line), std::string::npos);
  en.replace(en.find(old_line), old_line.size(), "Cancelled: {title} ({code}).");
  write("ar.txt", builtin_text(Language::ar));
  write("en.txt", en);
  auto c = Catalogue::from_directory(dir_.string());
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(render(c.value(), TemplateId::cancelled, Language::en, title_102()),
            "Cancelled: International Computer Driving Licence (ICDL) - Advanced (102).");
}

TEST_F(DirectoryTest, ErrorsNameTheFile) {
  write("ar.txt", builtin_text(Language::ar));
  auto c = Catalogue::from_directory(dir_.string());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "templates_unreadable");
  EXPECT_NE(c.error().message.find((dir_ / "en.txt").string()), std::string::npos) << c.error().message;

  write("en.txt", texts_with({{TemplateId::seat_offered, "{seat}"}}));
  c = Catalogue::from_directory(dir_.string() + "/");
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find((dir_ / "en.txt").string() + ", line"), std::string::npos) << c.error().message;
  EXPECT_NE(c.error().message.find("'seat_offered' (en) uses parameter 'seat'"), std::string::npos)
      << c.error().message;
}

}  // namespace
}  // namespace cg::templates
