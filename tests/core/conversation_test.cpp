// The SMS conversation of SPEC §3 as pure logic: keywords in both languages after normalisation,
// the apply dialogue replayed from every intermediate step (as the gateway resumes it from a saved
// dialogue), interrupted at every step (HELP, CANCEL, 30 minutes of silence, a language switch),
// STOP/START, paging, and never silence.
#include "core/conversation.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/sms.hpp"
#include "core/text.hpp"

namespace cg::core {
namespace {

using namespace std::chrono_literals;

const Instant t0 = Instant{std::chrono::seconds{1'795'000'000}};  // 2026-11-18

Course course(std::int64_t id, std::string code, std::string ar, std::string en, std::int64_t fee_fils) {
  Course c;
  c.id = id;
  c.code = std::move(code);
  c.title = {std::move(ar), std::move(en)};
  c.location = "مركز الحسين الثقافي";
  c.start_at = t0 + 20 * 24h;
  c.end_at = c.start_at + 5 * 24h;
  c.decision_at = c.start_at;
  c.fee = Fils{fee_fils};
  return c;
}

Knowledge knowledge() {
  Knowledge k;
  k.phone = "+962791234567";
  k.courses = {
      course(1, "101", "مهارات الحاسوب الأساسية واستخدام الإنترنت", "Basic Computer Skills and Using the Internet", 0),
      course(2, "102", "الرخصة الدولية لقيادة الحاسوب (ICDL) – المستوى المتقدم",
             "International Computer Driving Licence (ICDL) – Advanced", 35000),
      course(3, "ICDL-B", "الرخصة الدولية – المستوى الأساسي", "ICDL Basic", 0)};
  return k;
}

std::vector<TemplateId> ids(const Turn& t) {
  std::vector<TemplateId> out;
  for (const auto& m : t.replies) out.push_back(m.template_id);
  return out;
}

// ---- normalisation -------------------------------------------------------------------------------

TEST(Normalize, DigitsAlefTaMarbutaYaTatweelDiacriticsSpacesAndCase) {
  EXPECT_EQ(normalize_text("  JOIN   ١٠١ "), "join 101");
  EXPECT_EQ(normalize_text("۱۰۲"), "102");                    // Persian digits
  EXPECT_EQ(normalize_text("إلغاء"), "الغاء");                // alef with hamza below
  EXPECT_EQ(normalize_text("أبدأ"), "ابدا");                  // hamza above, twice
  EXPECT_EQ(normalize_text("آ"), "ا");                        // madda
  EXPECT_EQ(normalize_text("حالة"), "حاله");                  // ta marbuta
  EXPECT_EQ(normalize_text("عربى"), "عربي");                  // alef maqsura
  EXPECT_EQ(normalize_text("دوراااات"), "دوراااات");          // letters themselves stay
  EXPECT_EQ(normalize_text("دورـــات"), "دورات");             // tatweel
  EXPECT_EQ(normalize_text("نَعَمْ"), "نعم");                    // harakat
  EXPECT_EQ(normalize_text("\u200Fمساعدة\u200F"), "مساعده");  // direction marks
  EXPECT_EQ(normalize_text("Status\n"), "status");
  EXPECT_EQ(normalize_text("JOIN\xFF 101"), "join\xFF 101");  // not UTF-8: ASCII lowered, the rest kept
}

TEST(Normalize, InvisibleMarksFullWidthLatinAndLigatures) {
  EXPECT_EQ(normalize_text("HE\u2060LP"), "help");                                       // word joiner
  EXPECT_EQ(normalize_text("\u202Bمساعدة\u202C"), "مساعده");                             // embedding and pop
  EXPECT_EQ(normalize_text("\u2067STATUS\u2069"), "status");                             // isolates
  EXPECT_EQ(normalize_text("ST\u00ADOP"), "stop");                                       // soft hyphen
  EXPECT_EQ(normalize_text("JOIN\u2028101"), "join 101");                                // line separator
  EXPECT_EQ(normalize_text("\uFF2A\uFF2F\uFF29\uFF2E \uFF11\uFF10\uFF11"), "join 101");  // full width
  EXPECT_EQ(normalize_text("\uFEFB"), "لا");                                             // lam-alef ligature
  EXPECT_EQ(normalize_text("\uFEF7"), "لا");                                             // lam-alef with hamza above
}

TEST(Normalize, LanguageOfAFirstMessage) {
  EXPECT_EQ(detect_language("دورات"), Language::ar);
  EXPECT_EQ(detect_language("join 101"), Language::en);
  EXPECT_EQ(detect_language("JOIN ١٠١ please شكرا"), Language::ar);
  EXPECT_EQ(detect_language("١٠١"), std::nullopt);
  EXPECT_EQ(detect_language("101"), std::nullopt);
}

// Every keyword in every spelling applicants send, and what it does from an idle dialogue.
TEST(Keywords, EverySpellingInBothLanguages) {
  struct Case {
    const char* text;
    TemplateId reply;
    Language language;
  };
  const Case cases[] = {
      // Three courses fit one English page; in Arabic (UCS-2) they take two.
      {"COURSES", TemplateId::sms_courses, Language::en},
      {"courses.", TemplateId::sms_courses, Language::en},
      {"دورات", TemplateId::sms_courses_more, Language::ar},
      {"الدورات", TemplateId::sms_courses_more, Language::ar},
      {"دورـات", TemplateId::sms_courses_more, Language::ar},
      {"HELP", TemplateId::sms_help, Language::en},
      {"Help!", TemplateId::sms_help, Language::en},
      {"مساعدة", TemplateId::sms_help, Language::ar},
      {"مساعده", TemplateId::sms_help, Language::ar},
      {"مساعدة؟", TemplateId::sms_help, Language::ar},       // Arabic question mark
      {"، مساعدة ؛ ۔", TemplateId::sms_help, Language::ar},  // Arabic comma, semicolon, full stop
      {" ?!Help?! ", TemplateId::sms_help, Language::en},
      {"STATUS", TemplateId::sms_no_applications, Language::en},
      {"حالة", TemplateId::sms_no_applications, Language::ar},
      {"حاله", TemplateId::sms_no_applications, Language::ar},
      {"CANCEL", TemplateId::sms_cancel_which, Language::en},
      {"إلغاء", TemplateId::sms_cancel_which, Language::ar},
      {"الغاء", TemplateId::sms_cancel_which, Language::ar},
      {"CANCEL 101", TemplateId::sms_nothing_to_cancel, Language::en},
      {"الغاء ١٠١", TemplateId::sms_nothing_to_cancel, Language::ar},
      {"JOIN 999", TemplateId::sms_unknown_course, Language::en},
      {"تسجيل ٩٩٩", TemplateId::sms_unknown_course, Language::ar},
      {"JOIN", TemplateId::sms_courses, Language::en},
      {"EN", TemplateId::sms_language_set, Language::en},
      {"انجليزي", TemplateId::sms_language_set, Language::en},
      {"إنجليزي", TemplateId::sms_language_set, Language::en},
      {"AR", TemplateId::sms_language_set, Language::ar},
      {"عربي", TemplateId::sms_language_set, Language::ar},
      {"عربى", TemplateId::sms_language_set, Language::ar},
      {"START", TemplateId::sms_started, Language::en},
      {"ابدأ", TemplateId::sms_started, Language::ar},
      {"ابدا", TemplateId::sms_started, Language::ar},
      {"STOP", TemplateId::sms_stopped, Language::en},
      {"توقف", TemplateId::sms_stopped, Language::ar},
      {"hello", TemplateId::sms_greeting, Language::en},  // a greeting gets one back, with the keywords
      {"مرحبا", TemplateId::sms_greeting, Language::ar},
      {"thanks", TemplateId::sms_thanks, Language::en},
      {"شكرا", TemplateId::sms_thanks, Language::ar},
      {"hello, where is the water office", TemplateId::sms_not_understood, Language::en},
      {"YES", TemplateId::sms_not_understood, Language::en},  // nothing to confirm
      {"الحالة", TemplateId::sms_no_applications, Language::ar},
      {"ابدء", TemplateId::sms_started, Language::ar},
      {"\uFF28\uFF25\uFF2C\uFF30", TemplateId::sms_help, Language::en},  // full-width HELP
      {"CANCEL: 101", TemplateId::sms_nothing_to_cancel, Language::en},
      {"إلغاء، ١٠١", TemplateId::sms_nothing_to_cancel, Language::ar},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    Turn t = converse(Dialogue{}, c.text, t0, knowledge());
    ASSERT_EQ(t.replies.size(), 1u);
    EXPECT_EQ(t.replies[0].template_id, c.reply);
    EXPECT_EQ(t.replies[0].language, c.language);
    EXPECT_EQ(t.dialogue.language, c.language);
  }
}

TEST(Keywords, JoinWithoutASpaceAndCodesInAnyCase) {
  for (const char* text : {"JOIN101", "join١٠١", "تسجيل101", "Join icdl-b", "JOIN ICDL-B", "JOIN, 101", "JOIN: 101",
                           "join #101", "join - 101", "تسجيل: ١٠١", "تسجيل، ١٠١", "JOIN\u2060 101", "join:icdl-b"}) {
    SCOPED_TRACE(text);
    Turn t = converse(Dialogue{}, text, t0, knowledge());
    ASSERT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_ask_name});
    EXPECT_EQ(t.dialogue.step, DialogueStep::ask_name);
  }
  // "joined" is not JOIN "ed", and two words after JOIN are not a code.
  for (const char* text : {"joined", "join: 101 102", "JOIN, please"}) {
    SCOPED_TRACE(text);
    EXPECT_NE(ids(converse(Dialogue{}, text, t0, knowledge())), std::vector<TemplateId>{TemplateId::sms_ask_name});
  }
  EXPECT_EQ(ids(converse(Dialogue{}, "joined", t0, knowledge())),
            std::vector<TemplateId>{TemplateId::sms_not_understood});
}

TEST(Keywords, NeedsNameOnlyWhatEachMessageReads) {
  Dialogue d;
  EXPECT_TRUE(needs(d, "دورات", t0).all_courses);
  EXPECT_TRUE(needs(d, "more", t0).all_courses);
  Needs join = needs(d, "تسجيل ١٠١", t0);
  EXPECT_EQ(join.course, std::optional<std::string>("101"));
  EXPECT_TRUE(join.applications);
  EXPECT_FALSE(join.all_applications);  // a live application is a recent one
  EXPECT_FALSE(join.all_courses);
  Needs status = needs(d, "STATUS", t0);
  EXPECT_TRUE(status.applications);
  EXPECT_TRUE(status.all_applications);  // STATUS pages through every one
  Needs cancel = needs(d, "cancel 101", t0);
  EXPECT_TRUE(cancel.applications);
  EXPECT_FALSE(cancel.all_applications);
  Needs help = needs(d, "HELP", t0);
  EXPECT_FALSE(help.all_courses || help.course || help.applications);
  d.opted_out = true;
  Needs stopped = needs(d, "COURSES", t0);
  EXPECT_FALSE(stopped.all_courses || stopped.course || stopped.applications);
}

// ---- the apply dialogue --------------------------------------------------------------------------

struct ScriptStep {
  std::string text;
  std::vector<TemplateId> replies;
  DialogueStep after;
};

struct Script {
  const char* name;
  std::vector<ScriptStep> steps;
  Applicant applied;  // what the final YES applies with
};

std::vector<Script> scripts() {
  Applicant ar;
  ar.phone = "+962791234567";
  ar.name = "سارة أحمد";
  ar.id_type = IdType::national_id;
  ar.id_number = "9871234567";
  ar.language = Language::ar;
  Applicant en;
  en.phone = "+962791234567";
  en.name = "Lina Haddad";
  en.id_type = IdType::passport;
  en.id_number = "N1234567";
  en.language = Language::en;
  return {
      {"arabic, national id in Arabic-Indic digits, spelling variants",
       {{"تسجيل ١٠١", {TemplateId::sms_ask_name}, DialogueStep::ask_name},
        {"  سارة   أحمد ", {TemplateId::sms_ask_id_type}, DialogueStep::ask_id_type},
        {"١", {TemplateId::sms_ask_national_id}, DialogueStep::ask_id_number},
        {"٩٨٧١٢٣٤٥٦٧", {TemplateId::sms_confirm_national_id}, DialogueStep::confirm},
        {"نَعَم", {}, DialogueStep::idle}},
       ar},
      {"arabic with mistakes corrected on the way",
       {{"تسجيل 101", {TemplateId::sms_ask_name}, DialogueStep::ask_name},
        {"123", {TemplateId::sms_invalid_name}, DialogueStep::ask_name},
        {"سارة أحمد", {TemplateId::sms_ask_id_type}, DialogueStep::ask_id_type},
        {"3", {TemplateId::sms_ask_id_type}, DialogueStep::ask_id_type},
        {"هوية", {TemplateId::sms_ask_national_id}, DialogueStep::ask_id_number},
        {"١٢٣", {TemplateId::sms_invalid_national_id}, DialogueStep::ask_id_number},
        {"۹۸۷۱۲۳۴۵۶۷", {TemplateId::sms_confirm_national_id}, DialogueStep::confirm},  // Persian digits
        {"ربما", {TemplateId::sms_confirm_national_id}, DialogueStep::confirm},
        {"لا", {TemplateId::sms_ask_name}, DialogueStep::ask_name},
        {"سارة أحمد", {TemplateId::sms_ask_id_type}, DialogueStep::ask_id_type},
        {"1", {TemplateId::sms_ask_national_id}, DialogueStep::ask_id_number},
        {"9871234567", {TemplateId::sms_confirm_national_id}, DialogueStep::confirm},
        {"نعم", {}, DialogueStep::idle}},
       ar},
      {"english, passport",
       {{"JOIN 101", {TemplateId::sms_ask_name}, DialogueStep::ask_name},
        {"Lina Haddad", {TemplateId::sms_ask_id_type}, DialogueStep::ask_id_type},
        {"passport", {TemplateId::sms_ask_passport}, DialogueStep::ask_id_number},
        {"n 123", {TemplateId::sms_invalid_passport}, DialogueStep::ask_id_number},
        {"n1234567", {TemplateId::sms_confirm_passport}, DialogueStep::confirm},
        {"Yes", {}, DialogueStep::idle}},
       en},
  };
}

// Runs `steps[from..]` on `d`, checking each step's replies and dialogue step; returns the last turn.
Turn run(Dialogue d, const std::vector<ScriptStep>& steps, std::size_t from, Instant at) {
  Turn t{d, {}, {}};
  for (std::size_t i = from; i < steps.size(); ++i) {
    SCOPED_TRACE("step " + std::to_string(i) + ": " + steps[i].text);
    t = converse(t.dialogue, steps[i].text, at, knowledge());
    EXPECT_EQ(ids(t), steps[i].replies);
    EXPECT_EQ(t.dialogue.step, steps[i].after);
    if (i + 1 < steps.size()) {
      EXPECT_TRUE(t.actions.empty());
    }
  }
  return t;
}

void expect_applied(const Turn& t, const Applicant& a) {
  ASSERT_EQ(t.actions.size(), 1u);
  const auto* apply = std::get_if<ApplyAction>(&t.actions[0]);
  ASSERT_NE(apply, nullptr);
  EXPECT_EQ(apply->course_code, "101");
  EXPECT_EQ(apply->applicant.phone, a.phone);
  EXPECT_EQ(apply->applicant.name, a.name);
  EXPECT_EQ(apply->applicant.id_type, a.id_type);
  EXPECT_EQ(apply->applicant.id_number, a.id_number);
  EXPECT_EQ(apply->applicant.language, a.language);
}

// The question a dialogue at this step asks.
TemplateId question(const Dialogue& d) {
  switch (d.step) {
    case DialogueStep::ask_name:
      return TemplateId::sms_ask_name;
    case DialogueStep::ask_id_type:
      return TemplateId::sms_ask_id_type;
    case DialogueStep::ask_id_number:
      return *d.id_type == IdType::national_id ? TemplateId::sms_ask_national_id : TemplateId::sms_ask_passport;
    case DialogueStep::confirm:
      return *d.id_type == IdType::national_id ? TemplateId::sms_confirm_national_id : TemplateId::sms_confirm_passport;
    case DialogueStep::confirm_cancel:
      return TemplateId::sms_confirm_cancel;
    case DialogueStep::confirm_stop:
      return TemplateId::sms_confirm_stop;
    case DialogueStep::idle:
      break;
  }
  ADD_FAILURE() << "no question when idle";
  return TemplateId::sms_help;
}

// The dialogue as the gateway resumes it: the saved state after each step, then the rest.
TEST(ApplyDialogue, ReplaysFromEveryIntermediateStep) {
  for (const Script& s : scripts()) {
    SCOPED_TRACE(s.name);
    std::vector<Dialogue> states{Dialogue{}};
    Turn t{Dialogue{}, {}, {}};
    for (const auto& step : s.steps) {
      t = converse(t.dialogue, step.text, t0, knowledge());
      states.push_back(t.dialogue);
    }
    expect_applied(t, s.applied);
    for (std::size_t k = 0; k < s.steps.size(); ++k) {
      SCOPED_TRACE("resumed after step " + std::to_string(k));
      Dialogue saved = states[k];
      Turn last = run(saved, s.steps, k, t0 + 60s);
      expect_applied(last, s.applied);
      EXPECT_EQ(last.dialogue.language, s.applied.language);
    }
  }
}

TEST(ApplyDialogue, HelpAtAnyStepRepeatsTheQuestionAndTheDialogueGoesOn) {
  for (const Script& s : scripts()) {
    SCOPED_TRACE(s.name);
    for (std::size_t k = 1; k < s.steps.size(); ++k) {
      SCOPED_TRACE("HELP after step " + std::to_string(k));
      Turn t{Dialogue{}, {}, {}};
      for (std::size_t i = 0; i < k; ++i) t = converse(t.dialogue, s.steps[i].text, t0, knowledge());
      Turn help = converse(t.dialogue, s.applied.language == Language::ar ? "مساعدة" : "HELP", t0, knowledge());
      ASSERT_EQ(help.replies.size(), 2u);
      EXPECT_EQ(help.replies[0].template_id, TemplateId::sms_help);
      EXPECT_EQ(help.replies[1].template_id, question(t.dialogue));
      EXPECT_EQ(help.dialogue.step, t.dialogue.step);
      expect_applied(run(help.dialogue, s.steps, k, t0), s.applied);
    }
  }
}

TEST(ApplyDialogue, CancelAtAnyStepDropsTheDraft) {
  for (const Script& s : scripts()) {
    for (std::size_t k = 1; k < s.steps.size(); ++k) {
      SCOPED_TRACE(std::string(s.name) + ", CANCEL after step " + std::to_string(k));
      Turn t{Dialogue{}, {}, {}};
      for (std::size_t i = 0; i < k; ++i) t = converse(t.dialogue, s.steps[i].text, t0, knowledge());
      Turn c = converse(t.dialogue, s.applied.language == Language::ar ? "إلغاء" : "cancel", t0, knowledge());
      EXPECT_EQ(ids(c), std::vector<TemplateId>{TemplateId::sms_dialogue_cancelled});
      EXPECT_EQ(c.dialogue.step, DialogueStep::idle);
      EXPECT_TRUE(c.dialogue.name.empty());
      EXPECT_TRUE(c.dialogue.id_number.empty());
      EXPECT_TRUE(c.actions.empty());
    }
  }
}

TEST(ApplyDialogue, ThirtyMinutesOfSilenceExpireTheDraftAtEveryStep) {
  for (const Script& s : scripts()) {
    for (std::size_t k = 1; k < s.steps.size(); ++k) {
      SCOPED_TRACE(std::string(s.name) + ", silence after step " + std::to_string(k));
      Turn t{Dialogue{}, {}, {}};
      for (std::size_t i = 0; i < k; ++i) t = converse(t.dialogue, s.steps[i].text, t0, knowledge());
      // Exactly 30 minutes is still within; a second more is not.
      Turn within = converse(t.dialogue, s.steps[k].text, t0 + 30min, knowledge());
      EXPECT_EQ(ids(within), s.steps[k].replies);
      Turn late = converse(t.dialogue, s.steps[k].text, t0 + 30min + 1s, knowledge());
      EXPECT_EQ(ids(late), std::vector<TemplateId>{TemplateId::sms_dialogue_expired});
      EXPECT_EQ(late.replies[0].language, s.applied.language);
      EXPECT_EQ(late.dialogue.step, DialogueStep::idle);
      EXPECT_TRUE(late.actions.empty());
      // A keyword after the silence is simply that keyword.
      Turn keyword = converse(t.dialogue, "JOIN 102", t0 + 2h, knowledge());
      EXPECT_EQ(ids(keyword), std::vector<TemplateId>{TemplateId::sms_ask_name});
      EXPECT_EQ(keyword.dialogue.course_code, "102");
    }
  }
}

TEST(ApplyDialogue, LanguageSwitchMidwayAppliesInTheNewLanguage) {
  Turn t = converse(Dialogue{}, "تسجيل ١٠١", t0, knowledge());
  t = converse(t.dialogue, "سارة أحمد", t0, knowledge());
  Turn en = converse(t.dialogue, "EN", t0, knowledge());
  ASSERT_EQ(ids(en), (std::vector<TemplateId>{TemplateId::sms_language_set, TemplateId::sms_ask_id_type}));
  EXPECT_EQ(en.replies[0].language, Language::en);
  EXPECT_EQ(en.replies[1].language, Language::en);
  t = converse(en.dialogue, "1", t0, knowledge());
  t = converse(t.dialogue, "9871234567", t0, knowledge());
  EXPECT_EQ(t.replies[0].language, Language::en);
  t = converse(t.dialogue, "YES", t0, knowledge());
  ASSERT_EQ(t.actions.size(), 1u);
  EXPECT_EQ(std::get<ApplyAction>(t.actions[0]).applicant.language, Language::en);
}

TEST(ApplyDialogue, SummaryShowsTheMaskedDocumentAndTheCourse) {
  Turn t{Dialogue{}, {}, {}};
  for (const char* text : {"JOIN 102", "Lina Haddad", "2", "N1234567"}) t = converse(t.dialogue, text, t0, knowledge());
  ASSERT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_confirm_passport});
  const Params& p = t.replies[0].params;
  EXPECT_EQ(std::get<std::string>(p.at("id_number")), "*****567");
  EXPECT_EQ(std::get<std::string>(p.at("name")), "Lina Haddad");
  EXPECT_EQ(std::get<std::string>(p.at("code")), "102");
  EXPECT_EQ(std::get<LocalizedText>(p.at("title")).en, "International Computer Driving Licence (ICDL) – Advanced");
}

// A name as long as allowed (100 characters): the summary shortens the course title first, then the
// name, to its budget; the dialogue keeps the whole name and the application is made with it.
TEST(ApplyDialogue, ALongNameIsShortenedInTheSummaryOnly) {
  std::string name;
  while (text::count_chars(name) < 95) name += "عبد الرحمن محمد ";
  name = text::truncate(name, 100, "");
  while (text::count_chars(name) < 100) name += "ي";
  ASSERT_EQ(text::count_chars(name), 100u);
  const ConversationSettings settings;
  for (Language l : {Language::ar, Language::en}) {
    SCOPED_TRACE(std::string(to_string(l)));
    Dialogue d;
    d.language = l;
    d.language_known = true;
    Turn t{d, {}, {}};
    for (const std::string& text : {std::string("JOIN 102"), name, std::string("1"), std::string("9871234567")})
      t = converse(t.dialogue, text, t0, knowledge(), settings);
    ASSERT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_confirm_national_id});
    EXPECT_EQ(t.dialogue.name, name);
    const Params& p = t.replies[0].params;
    const std::string shown_name = std::get<std::string>(p.at("name"));
    const std::string shown_title = std::get<LocalizedText>(p.at("title")).in(l);
    const std::string ellipsis = l == Language::ar ? "…" : "..";
    EXPECT_TRUE(shown_title.ends_with(ellipsis)) << shown_title;
    EXPECT_EQ(text::count_chars(shown_title), 20u) << "the title gives way first, to its shortest";
    EXPECT_TRUE(shown_name.ends_with(ellipsis)) << shown_name;
    EXPECT_LT(text::count_chars(shown_name), 100u);
    EXPECT_GT(text::count_chars(shown_name), 60u) << "the name keeps what the budget allows";
    EXPECT_LE(measure_sms(shown_title + shown_name).units, settings.summary_ucs2_budget);
    EXPECT_EQ(std::get<std::string>(p.at("code")), "102");
    Turn yes = converse(t.dialogue, l == Language::ar ? "نعم" : "YES", t0, knowledge(), settings);
    ASSERT_EQ(yes.actions.size(), 1u);
    EXPECT_EQ(std::get<ApplyAction>(yes.actions[0]).applicant.name, name);
  }
  // A usual name with a long title is shown whole.
  Turn t{Dialogue{}, {}, {}};
  for (const char* text : {"تسجيل ١٠٢", "عبد الرحمن محمد عبد الله الخطيب الحسيني", "١", "٩٨٧١٢٣٤٥٦٧"})
    t = converse(t.dialogue, text, t0, knowledge());
  ASSERT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_confirm_national_id});
  EXPECT_EQ(std::get<std::string>(t.replies[0].params.at("name")), "عبد الرحمن محمد عبد الله الخطيب الحسيني");
  EXPECT_EQ(std::get<LocalizedText>(t.replies[0].params.at("title")).ar, knowledge().courses[1].title.ar);
}

// At the name step, a name that starts with JOIN's or CANCEL's word is a name unless what follows
// is a code the applicant could mean; a real code still switches the dialogue.
TEST(ApplyDialogue, ANameThatStartsWithAKeywordWordIsTheName) {
  struct Case {
    const char* join;  // starts the dialogue
    const char* text;  // at the name step
    const char* name;  // taken as the name
  };
  const Case names[] = {
      {"JOIN 101", "Join Smith", "Join Smith"},  {"JOIN 101", "Cancel Jones", "Cancel Jones"},
      {"JOIN 101", "JOIN  smith", "JOIN smith"}, {"تسجيل ١٠١", "تسجيل محمد", "تسجيل محمد"},
      {"تسجيل ١٠١", "إلغاء أحمد", "إلغاء أحمد"}, {"تسجيل ١٠١", "الغاء  سارة", "الغاء سارة"},
  };
  for (const Case& c : names) {
    SCOPED_TRACE(c.text);
    Turn t = converse(Dialogue{}, c.join, t0, knowledge());
    ASSERT_EQ(t.dialogue.step, DialogueStep::ask_name);
    // The gateway loads what the check needs: the course of that code (JOIN), the applications.
    Needs n = needs(t.dialogue, c.text, t0);
    const bool join = std::string_view(c.text).starts_with("Join") || std::string_view(c.text).starts_with("JOIN") ||
                      std::string_view(c.text).starts_with("تسجيل");
    EXPECT_EQ(n.course.has_value(), join);
    EXPECT_TRUE(n.applications);
    Turn named = converse(t.dialogue, c.text, t0, knowledge());
    EXPECT_EQ(ids(named), std::vector<TemplateId>{TemplateId::sms_ask_id_type});
    EXPECT_EQ(named.dialogue.step, DialogueStep::ask_id_type);
    EXPECT_EQ(named.dialogue.name, c.name);
    EXPECT_EQ(named.dialogue.course_code, "101");
    EXPECT_TRUE(named.actions.empty());
  }

  // A code the applicant could mean switches: an open course for JOIN, a live application for CANCEL.
  Knowledge k = knowledge();
  k.applications.push_back({"live", ApplicationState::awaiting_quorum, "ICDL-B", k.courses[2].title});
  for (const char* join : {"JOIN 101", "تسجيل ١٠١"}) {
    SCOPED_TRACE(join);
    Turn t = converse(Dialogue{}, join, t0, knowledge());
    Turn other = converse(t.dialogue, join[0] == 'J' ? "Join 102" : "تسجيل ١٠٢", t0, knowledge());
    EXPECT_EQ(ids(other), std::vector<TemplateId>{TemplateId::sms_ask_name});
    EXPECT_EQ(other.dialogue.course_code, "102");
    Turn cancel = converse(t.dialogue, join[0] == 'J' ? "cancel icdl-b" : "الغاء icdl-b", t0, k);
    ASSERT_EQ(cancel.actions.size(), 1u);
    EXPECT_EQ(std::get<CancelAction>(cancel.actions[0]).application_id, "live");
    // Not a valid name (a digit): the keyword it looks like.
    Turn digits = converse(t.dialogue, join[0] == 'J' ? "JOIN 999" : "تسجيل ٩٩٩", t0, knowledge());
    EXPECT_EQ(ids(digits), std::vector<TemplateId>{TemplateId::sms_unknown_course});
    // One-word keywords stay keywords.
    EXPECT_EQ(ids(converse(t.dialogue, "HELP", t0, knowledge())),
              (std::vector<TemplateId>{TemplateId::sms_help, TemplateId::sms_ask_name}));
    EXPECT_EQ(ids(converse(t.dialogue, "CANCEL", t0, knowledge())),
              std::vector<TemplateId>{TemplateId::sms_dialogue_cancelled});
    EXPECT_EQ(ids(converse(t.dialogue, "STOP", t0, knowledge())), std::vector<TemplateId>{TemplateId::sms_stopped});
  }
  // Outside the name step, "Join Smith" is JOIN of an unknown course, as before.
  EXPECT_EQ(ids(converse(Dialogue{}, "Join Smith", t0, knowledge())),
            std::vector<TemplateId>{TemplateId::sms_unknown_course});
}

TEST(ApplyDialogue, AKnownApplicantOnlyConfirms) {
  Knowledge k = knowledge();
  Applicant known;
  known.phone = k.phone;
  known.name = "سارة أحمد";
  known.id_type = IdType::national_id;
  known.id_number = "9871234567";
  k.applicant = known;
  Turn t = converse(Dialogue{}, "تسجيل ١٠٢", t0, k);
  ASSERT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_confirm_national_id});
  EXPECT_EQ(t.dialogue.step, DialogueStep::confirm);
  Turn yes = converse(t.dialogue, "نعم", t0, k);
  ASSERT_EQ(yes.actions.size(), 1u);
  EXPECT_EQ(std::get<ApplyAction>(yes.actions[0]).applicant.id_number, "9871234567");
  // NO: someone else applying from the same phone gives their own details.
  Turn no = converse(t.dialogue, "لا", t0, k);
  EXPECT_EQ(ids(no), std::vector<TemplateId>{TemplateId::sms_ask_name});
  EXPECT_TRUE(no.dialogue.id_number.empty());
}

TEST(ApplyDialogue, AlreadyAppliedIsToldNotAskedAgain) {
  Knowledge k = knowledge();
  k.applications.push_back(KnownApplication{"a1", ApplicationState::awaiting_quorum, "101", k.courses[0].title});
  EXPECT_EQ(ids(converse(Dialogue{}, "JOIN 101", t0, k)), std::vector<TemplateId>{TemplateId::sms_already_applied});
  // A cancelled one does not count.
  k.applications[0].state = ApplicationState::cancelled;
  EXPECT_EQ(ids(converse(Dialogue{}, "JOIN 101", t0, k)), std::vector<TemplateId>{TemplateId::sms_ask_name});
}

// ---- other journeys --------------------------------------------------------------------------------

TEST(Status, ListsApplicationsWithLocalisedStates) {
  Knowledge k = knowledge();
  k.applications = {{"a2", ApplicationState::awaiting_payment, "102", k.courses[1].title},
                    {"a1", ApplicationState::confirmed, "101", k.courses[0].title}};
  Turn ar = converse(Dialogue{}, "حالة", t0, k);
  ASSERT_EQ(ids(ar), std::vector<TemplateId>{TemplateId::sms_status});
  std::string items = std::get<std::string>(ar.replies[0].params.at("items"));
  EXPECT_NE(items.find("102"), std::string::npos) << items;
  EXPECT_NE(items.find("بانتظار دفع الرسوم"), std::string::npos) << items;
  EXPECT_NE(items.find("مؤكد"), std::string::npos) << items;
  EXPECT_LT(items.find("102"), items.find("101")) << "newest first";
  Turn en = converse(Dialogue{}, "status", t0, k);
  items = std::get<std::string>(en.replies[0].params.at("items"));
  EXPECT_NE(items.find("fee payment pending"), std::string::npos) << items;
}

// As many applications as the gateway loads (kRecentApplications), newest first, long titles.
Knowledge twenty_applications() {
  Knowledge k = knowledge();
  const ApplicationState states[] = {ApplicationState::awaiting_quorum, ApplicationState::confirmed,
                                     ApplicationState::rejected_exam, ApplicationState::cancelled};
  for (int i = 20; i >= 1; --i)
    k.applications.push_back({"app-" + std::to_string(i), states[i % 4], "C" + std::to_string(i),
                              k.courses[static_cast<std::size_t>(i % 3)].title});
  return k;
}

// The course codes a page lists (COURSES, STATUS or MORE), in order: each line starts with the code.
std::vector<std::string> codes_on(const Turn& t) {
  std::vector<std::string> out;
  if (t.replies.size() != 1 || !t.replies[0].params.contains("items")) return out;
  std::string items = std::get<std::string>(t.replies[0].params.at("items"));
  for (std::size_t at = 0; at < items.size();) {
    std::size_t end = items.find('\n', at);
    if (end == std::string::npos) end = items.size();
    out.push_back(items.substr(at, items.find(' ', at) - at));
    at = end + 1;
  }
  return out;
}

TEST(Status, APageThatLeavesApplicationsOutSaysHowManyAndMoreShowsThem) {
  Knowledge k = twenty_applications();
  for (Language l : {Language::ar, Language::en}) {
    SCOPED_TRACE(std::string(to_string(l)));
    Dialogue d;
    d.language = l;
    d.language_known = true;
    Turn t = converse(d, l == Language::ar ? "حالة" : "STATUS", t0, k);
    std::vector<std::string> seen;
    for (int pages = 1;; ++pages) {
      ASSERT_LT(pages, 21);
      ASSERT_EQ(t.replies.size(), 1u);
      const Message& m = t.replies[0];
      std::vector<std::string> page = codes_on(t);
      ASSERT_FALSE(page.empty());
      seen.insert(seen.end(), page.begin(), page.end());
      if (m.template_id == TemplateId::sms_status) break;
      ASSERT_EQ(m.template_id, TemplateId::sms_status_more);
      EXPECT_EQ(std::get<std::int64_t>(m.params.at("count")), static_cast<std::int64_t>(20 - seen.size()));
      // MORE continues this list, and the gateway is asked for the applications, not the courses.
      Needs n = needs(t.dialogue, "MORE", t0);
      EXPECT_TRUE(n.applications);
      EXPECT_TRUE(n.all_applications);
      EXPECT_FALSE(n.all_courses);
      t = converse(t.dialogue, l == Language::ar ? "المزيد" : "MORE", t0, k);
    }
    std::vector<std::string> all;
    for (const auto& a : k.applications) all.push_back(a.course_code);
    EXPECT_EQ(seen, all) << "every application once, newest first";
    EXPECT_EQ(ids(converse(t.dialogue, "MORE", t0, k)), std::vector<TemplateId>{TemplateId::sms_no_more_status});
    // COURSES then MORE pages the courses again.
    Turn courses = converse(t.dialogue, "COURSES", t0, k);
    EXPECT_TRUE(needs(courses.dialogue, "MORE", t0).all_courses);
  }
}

TEST(Status, AnApplicationMadeBetweenStatusAndMoreMovesNothing) {
  Knowledge k = twenty_applications();
  Turn first = converse(Dialogue{}, "STATUS", t0, k);
  ASSERT_EQ(ids(first), std::vector<TemplateId>{TemplateId::sms_status_more});
  std::vector<std::string> page = codes_on(first);
  const std::string next = k.applications[page.size()].course_code;
  // A new application (newest first: it goes on top, and the oldest drops out of the recent ones).
  k.applications.insert(k.applications.begin(),
                        {"app-new", ApplicationState::awaiting_quorum, "NEW", {"جديدة", "New"}});
  k.applications.pop_back();
  Turn more = converse(first.dialogue, "MORE", t0, k);
  std::vector<std::string> second = codes_on(more);
  ASSERT_FALSE(second.empty());
  EXPECT_EQ(second.front(), next);
}

TEST(Cancel, CancelsTheLiveApplicationOfThatCourse) {
  Knowledge k = knowledge();
  k.applications = {{"old", ApplicationState::cancelled, "101", k.courses[0].title},
                    {"live", ApplicationState::awaiting_quorum, "101", k.courses[0].title}};
  Turn t = converse(Dialogue{}, "الغاء ١٠١", t0, k);
  EXPECT_TRUE(t.replies.empty()) << "the card's own cancelled SMS answers";
  ASSERT_EQ(t.actions.size(), 1u);
  EXPECT_EQ(std::get<CancelAction>(t.actions[0]).application_id, "live");
}

TEST(Courses, PagesFitTheBudgetAndMoreWalksThemAll) {
  Knowledge k;
  k.phone = "+962791234567";
  for (int i = 0; i < 9; ++i)
    k.courses.push_back(course(i + 1, std::to_string(101 + i),
                               "دورة تدريبية رقم " + std::to_string(i + 1) + " في الحاسوب",
                               "Training course number " + std::to_string(i + 1) + " in computing", i % 2 ? 25500 : 0));
  ConversationSettings settings;
  for (Language l : {Language::ar, Language::en}) {
    SCOPED_TRACE(std::string(to_string(l)));
    Dialogue d;
    d.language = l;
    d.language_known = true;
    Turn t = converse(d, "COURSES", t0, k, settings);
    std::string seen;
    int pages = 0;
    while (true) {
      ASSERT_EQ(t.replies.size(), 1u);
      const Message& m = t.replies[0];
      if (m.template_id == TemplateId::sms_no_more_courses) break;
      ++pages;
      std::string items = std::get<std::string>(m.params.at("items"));
      SmsLength len = measure_sms(items);
      EXPECT_LE(len.units,
                len.encoding == SmsEncoding::gsm7 ? settings.course_list_gsm7_budget : settings.course_list_ucs2_budget)
          << items;
      seen += items + "\n";
      if (m.template_id == TemplateId::sms_courses) {
        t = converse(t.dialogue, l == Language::ar ? "المزيد" : "MORE", t0, k, settings);
        EXPECT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_no_more_courses});
        break;
      }
      EXPECT_EQ(m.template_id, TemplateId::sms_courses_more);
      t = converse(t.dialogue, l == Language::ar ? "المزيد" : "more", t0, k, settings);
      ASSERT_LT(pages, 10);
    }
    EXPECT_GT(pages, 1);
    for (const auto& c : k.courses) EXPECT_NE(seen.find(c.code + " "), std::string::npos) << c.code;
    EXPECT_NE(seen.find(l == Language::ar ? "25.500 دينار" : "25.500 JOD"), std::string::npos) << seen;
    // COURSES starts over.
    Turn again = converse(t.dialogue, "COURSES", t0, k, settings);
    EXPECT_NE(std::get<std::string>(again.replies[0].params.at("items")).find("101 "), std::string::npos);
  }
  EXPECT_EQ(ids(converse(Dialogue{}, "COURSES", t0, Knowledge{})), std::vector<TemplateId>{TemplateId::sms_no_courses});
}

// Nine courses a day apart (the store lists them by start, then id), more than one page in English.
Knowledge nine_courses() {
  Knowledge k;
  k.phone = "+962791234567";
  for (int i = 0; i < 9; ++i) {
    Course c = course(i + 1, std::to_string(101 + i), "دورة تدريبية رقم " + std::to_string(i + 1) + " في الحاسوب",
                      "Training course number " + std::to_string(i + 1) + " in computing", 0);
    c.start_at = t0 + std::chrono::days{20 + i};
    k.courses.push_back(c);
  }
  return k;
}

Dialogue english() {
  Dialogue d;
  d.language = Language::en;
  d.language_known = true;
  return d;
}

TEST(Courses, MoreGoesOnAfterTheLastCourseShownWhenOneBeforeItCloses) {
  Knowledge k = nine_courses();
  Turn first = converse(english(), "COURSES", t0, k);
  ASSERT_EQ(ids(first), std::vector<TemplateId>{TemplateId::sms_courses_more});
  std::vector<std::string> page = codes_on(first);
  ASSERT_GE(page.size(), 2u);
  ASSERT_LT(page.size(), 8u);
  const std::string next = k.courses[page.size()].code;  // the first course MORE must show
  // Between COURSES and MORE the second course of the page closes (started, postponed...).
  k.courses.erase(k.courses.begin() + 1);
  Turn more = converse(first.dialogue, "MORE", t0 + 1min, k);
  std::vector<std::string> second = codes_on(more);
  ASSERT_FALSE(second.empty()) << "MORE showed nothing";
  EXPECT_EQ(second.front(), next) << "a course was skipped";
}

TEST(Courses, MoreGoesOnAfterTheLastCourseShownWhenOneOpensBeforeIt) {
  Knowledge k = nine_courses();
  Turn first = converse(english(), "COURSES", t0, k);
  std::vector<std::string> page = codes_on(first);
  ASSERT_GE(page.size(), 2u);
  ASSERT_LT(page.size(), 8u);
  const std::string next = k.courses[page.size()].code;
  // A course opens that sorts first: the list grows before the page boundary.
  Course early = course(50, "ART", "رسم", "Drawing", 0);
  early.start_at = t0 + std::chrono::days{10};
  k.courses.insert(k.courses.begin(), early);
  Turn more = converse(first.dialogue, "more", t0 + 1min, k);
  std::vector<std::string> second = codes_on(more);
  ASSERT_FALSE(second.empty());
  EXPECT_EQ(second.front(), next) << "a course was shown twice";
  for (const auto& code : second) EXPECT_TRUE(std::find(page.begin(), page.end(), code) == page.end()) << code;
}

TEST(Courses, WhenTheLastCourseShownHasClosedMoreGoesOnFromWhereItSorted) {
  Knowledge k = nine_courses();
  Turn first = converse(english(), "COURSES", t0, k);
  std::vector<std::string> page = codes_on(first);
  ASSERT_GE(page.size(), 2u);
  ASSERT_LT(page.size(), 8u);
  const std::string next = k.courses[page.size()].code;
  // The last course of the page closes, and a course opens that sorts after the page: both courses
  // after the page are shown, the new one in its place.
  k.courses.erase(k.courses.begin() + static_cast<std::ptrdiff_t>(page.size()) - 1);
  Course late = course(60, "LATE", "متأخرة", "Late one", 0);
  late.start_at = t0 + std::chrono::days{40};
  k.courses.push_back(late);
  Turn more = converse(first.dialogue, "MORE", t0 + 1min, k);
  std::vector<std::string> seen = codes_on(more);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.front(), next);
  // Walk to the end: every course after the first page once, the new one last, then the end.
  Turn t = more;
  while (t.replies[0].template_id == TemplateId::sms_courses_more) {
    t = converse(t.dialogue, "MORE", t0 + 2min, k);
    for (const auto& code : codes_on(t)) seen.push_back(code);
    ASSERT_LT(seen.size(), 20u);
  }
  std::vector<std::string> want;
  for (std::size_t i = page.size() - 1; i < k.courses.size(); ++i) want.push_back(k.courses[i].code);
  EXPECT_EQ(seen, want);
  EXPECT_EQ(ids(converse(t.dialogue, "MORE", t0 + 3min, k)), std::vector<TemplateId>{TemplateId::sms_no_more_courses});
  // A course that opens after the end of the list shows on the next MORE.
  Course later = course(61, "LATER", "لاحقة", "Later one", 0);
  later.start_at = t0 + std::chrono::days{50};
  k.courses.push_back(later);
  EXPECT_EQ(codes_on(converse(t.dialogue, "MORE", t0 + 4min, k)), std::vector<std::string>{"LATER"});
}

// ---- STOP / START --------------------------------------------------------------------------------

TEST(StopStart, AfterStopNothingIsSentUntilStart) {
  Turn stop = converse(Dialogue{}, "توقف", t0, knowledge());
  EXPECT_EQ(ids(stop), std::vector<TemplateId>{TemplateId::sms_stopped});  // the one confirmation
  ASSERT_EQ(stop.actions.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<StopAction>(stop.actions[0]));
  EXPECT_TRUE(stop.dialogue.opted_out);
  for (const char* text : {"STOP", "توقف", "دورات", "JOIN 101", "HELP", "hello", "نعم"}) {
    SCOPED_TRACE(text);
    Turn t = converse(stop.dialogue, text, t0 + 1h, knowledge());
    EXPECT_TRUE(t.replies.empty());
    EXPECT_TRUE(t.actions.empty());
    EXPECT_TRUE(t.dialogue.opted_out);
  }
  Turn start = converse(stop.dialogue, "ابدأ", t0 + 2h, knowledge());
  EXPECT_EQ(ids(start), std::vector<TemplateId>{TemplateId::sms_started});
  ASSERT_EQ(start.actions.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<StartAction>(start.actions[0]));
  EXPECT_FALSE(start.dialogue.opted_out);
  EXPECT_EQ(ids(converse(start.dialogue, "دورات", t0, knowledge())),
            std::vector<TemplateId>{TemplateId::sms_courses_more});
}

TEST(StopStart, StopInTheMiddleOfApplyingDropsTheDraft) {
  Turn t = converse(Dialogue{}, "JOIN 101", t0, knowledge());
  t = converse(t.dialogue, "STOP", t0, knowledge());
  EXPECT_EQ(t.dialogue.step, DialogueStep::idle);
  EXPECT_TRUE(t.dialogue.name.empty());
}

// ---- never silence -------------------------------------------------------------------------------

TEST(Replies, EveryMessageGetsAnAnswerInTheApplicantsLanguage) {
  const char* texts[] = {"", "   ", "?", "😀", "١٢٣", "JOIN", "YES", "no", "more", "لا", "\xff\xfe"};
  for (const char* text : texts) {
    for (Language l : {Language::ar, Language::en}) {
      SCOPED_TRACE(std::string(text) + " " + std::string(to_string(l)));
      Dialogue d;
      d.language = l;
      d.language_known = true;
      Turn t = converse(d, text, t0, knowledge());
      ASSERT_FALSE(t.replies.empty());
      for (const auto& m : t.replies) EXPECT_EQ(m.language, l);
    }
  }
  // A first message of digits only keeps the default, Arabic.
  EXPECT_EQ(converse(Dialogue{}, "١٢٣", t0, knowledge()).replies[0].language, Language::ar);
}

TEST(Refusals, EachCodeHasItsReply) {
  LocalizedText title{"مهارات الحاسوب", "Computer skills"};
  EXPECT_EQ(refusal_reply(Language::ar, "duplicate_application", "101", title).template_id,
            TemplateId::sms_already_applied);
  EXPECT_EQ(refusal_reply(Language::en, "course_started", "101", title).template_id, TemplateId::sms_course_closed);
  EXPECT_EQ(refusal_reply(Language::en, "course_postponed", "101", title).template_id, TemplateId::sms_course_closed);
  EXPECT_EQ(refusal_reply(Language::en, "not_cancellable", "101", title).template_id,
            TemplateId::sms_nothing_to_cancel);
  EXPECT_EQ(refusal_reply(Language::en, "unknown_course", "101", title).template_id, TemplateId::sms_unknown_course);
  EXPECT_EQ(refusal_reply(Language::ar, "something_new", "101", title).template_id, TemplateId::sms_apply_refused);
}

TEST(Redaction, DocumentNumbersNeverAppearInFull) {
  EXPECT_EQ(redact_for_log("9871234567"), "*******567");
  EXPECT_EQ(redact_for_log("٩٨٧١٢٣٤٥٦٧"), "*******٥٦٧");
  EXPECT_EQ(redact_for_log("my passport N1234567 please"), "my passport *****567 please");
  EXPECT_EQ(redact_for_log("JOIN 101"), "JOIN 101");  // a course code is not a document
  EXPECT_EQ(redact_for_log("سارة أحمد"), "سارة أحمد");
  EXPECT_EQ(redact_for_log("text=9871234567&from=x"), "text=*******567&from=x");
}

TEST(Redaction, NumbersTypedInGroupsAreMaskedAsOne) {
  // Every way the ID step accepts a number is a way it must be masked in the inbound record.
  EXPECT_EQ(redact_for_log("987 123 4567"), "*** *** *567");
  EXPECT_EQ(redact_for_log("98712 34567"), "***** **567");
  EXPECT_EQ(redact_for_log("987 1234567"), "*** ****567");
  EXPECT_EQ(redact_for_log("987-123-4567"), "***-***-*567");
  EXPECT_EQ(redact_for_log("987.123.4567"), "***.***.*567");
  EXPECT_EQ(redact_for_log("N12 34567"), "*** **567");
  EXPECT_EQ(redact_for_log("12345 AB 678"), "***** ** 678");
  EXPECT_EQ(redact_for_log("٩٨٧ ١٢٣ ٤٥٦٧"), "*** *** *٥٦٧");
  EXPECT_EQ(redact_for_log("9\n8\n7\n1\n2\n3\n4\n5\n6\n7"), "*\n*\n*\n*\n*\n*\n*\n5\n6\n7");
  EXPECT_EQ(redact_for_log("987\u200B1234567"), "***\u200B****567");
  EXPECT_EQ(redact_for_log("987\u00A0123\u00A04567"), "***\u00A0***\u00A0*567");
  EXPECT_EQ(redact_for_log("\uFF19\uFF18\uFF17\uFF11\uFF12\uFF13\uFF14567"), "*******567");
  EXPECT_EQ(redact_for_log("رقمي 987 123 4567 شكرا"), "رقمي *** *** *567 شكرا");
  // Words around a number stay readable; a short one between groups is masked with them.
  EXPECT_EQ(redact_for_log("JOIN 101"), "JOIN 101");
  EXPECT_EQ(redact_for_log("join 101 please"), "join 101 please");
  EXPECT_EQ(redact_for_log("101 and 102"), "*** *** 102");
  EXPECT_EQ(redact_for_log("2 people from 3"), "2 people from 3");
}

TEST(Redaction, NoAcceptedNumberSurvivesWhateverItsSpacing) {
  // Every national ID validate_id_number accepts, typed with any mix of the separators it (or the
  // SMS normalisation before it) allows, keeps at most its last 3 digits in the record.
  const std::string number = "9871234567";
  const std::vector<std::string> separators = {"", " ", "  ", "\u00A0", "-", ".", "\n", "\u200F", "\u2066"};
  const std::vector<std::string> zero = {"0", "\u0660", "\u06F0"};
  for (std::size_t variant = 0; variant < 300; ++variant) {
    std::string typed;
    std::size_t seed = variant * 2654435761u;
    for (std::size_t i = 0; i < number.size(); ++i) {
      if (i > 0) typed += separators[(seed >> (i * 3)) % separators.size()];
      const std::string& z = zero[(seed >> i) % zero.size()];
      std::string digit = z;
      // Shift the zero of the chosen script to the digit wanted (the last byte carries the value).
      digit.back() = static_cast<char>(digit.back() + (number[i] - '0'));
      typed += digit;
    }
    const std::string record = redact_for_log("id " + typed);
    const auto cps = text::decode_utf8(record);
    ASSERT_TRUE(cps.has_value()) << record;
    std::string digits;
    for (char32_t c : *cps) {
      if (c >= U'0' && c <= U'9') digits.push_back(static_cast<char>(c));
      if (c >= 0x0660 && c <= 0x0669) digits.push_back(static_cast<char>('0' + (c - 0x0660)));
      if (c >= 0x06F0 && c <= 0x06F9) digits.push_back(static_cast<char>('0' + (c - 0x06F0)));
    }
    EXPECT_EQ(digits, "567") << typed << " -> " << record;
  }
}

}  // namespace
}  // namespace cg::core
