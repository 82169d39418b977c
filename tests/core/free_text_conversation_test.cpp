// The conversation acting on free text (core/reader): a cancel and a not-unmistakable stop wait
// for YES/NO and expire like the apply dialogue, replayed from every intermediate state as the
// gateway resumes a saved dialogue; a course by code or title, several or none fitting; unsure
// readings offer meanings; greetings, decoys and names never act.
#include <gtest/gtest.h>

#include "core/conversation.hpp"

namespace cg::core {
namespace {

using namespace std::chrono_literals;

const Instant t0 = Instant{std::chrono::seconds{1'795'000'000}};

Course course(std::int64_t id, std::string code, std::string ar, std::string en) {
  Course c;
  c.id = id;
  c.code = std::move(code);
  c.title = {std::move(ar), std::move(en)};
  c.start_at = t0 + 20 * 24h;
  c.end_at = c.start_at + 5 * 24h;
  c.decision_at = c.start_at;
  return c;
}

Knowledge knowledge() {
  Knowledge k;
  k.phone = "+962791234567";
  k.courses = {course(1, "101", "مهارات الحاسوب الأساسية", "Basic Computer Skills"),
               course(2, "B-12", "الخط العربي", "Arabic Calligraphy"),
               course(3, "412", "الخياطة والتفصيل", "Sewing and Tailoring"),
               course(4, "103", "اللغة الإنجليزية للمبتدئين", "English for Beginners"),
               course(5, "104", "اللغة الإنجليزية المتوسط", "Intermediate English")};
  k.applications = {
      KnownApplication{
          "app-412", ApplicationState::awaiting_quorum, "412", {"الخياطة والتفصيل", "Sewing and Tailoring"}},
      KnownApplication{
          "app-101", ApplicationState::confirmed, "101", {"مهارات الحاسوب الأساسية", "Basic Computer Skills"}},
      KnownApplication{"app-old", ApplicationState::cancelled, "B-12", {"الخط العربي", "Arabic Calligraphy"}}};
  return k;
}

// The first page of the open courses (more than one page here).
const std::vector<TemplateId> kCourseList{TemplateId::sms_courses_more};

std::vector<TemplateId> ids(const Turn& t) {
  std::vector<TemplateId> out;
  for (const auto& m : t.replies) out.push_back(m.template_id);
  return out;
}

// A dialogue as the gateway keeps it: each message's turn starts from the last one's dialogue.
Turn say(const std::vector<std::string>& messages, Dialogue d = {}, Instant at = t0, const Knowledge& k = knowledge()) {
  Turn t{std::move(d), {}, {}};
  for (const auto& m : messages) t = converse(t.dialogue, m, at, k);
  return t;
}

// ---- cancel from free text ---------------------------------------------------------------------

TEST(FreeTextCancel, AsksFirstAndCancelsOnYesReplayedFromEveryState) {
  for (const std::string yes : {"نعم", "اه", "ايوا اكيد", "YES", "yes please", "aywa"}) {
    SCOPED_TRACE(yes);
    const std::vector<std::string> script{"مش رح اقدر احضر دورة 412 الغوها", yes};
    // Every intermediate dialogue, resumed as the gateway would after saving it.
    std::vector<Dialogue> states{Dialogue{}};
    Turn t{Dialogue{}, {}, {}};
    for (const auto& m : script) {
      t = converse(t.dialogue, m, t0, knowledge());
      states.push_back(t.dialogue);
    }
    ASSERT_EQ(t.actions.size(), 1u);
    const auto* cancel = std::get_if<CancelAction>(&t.actions[0]);
    ASSERT_NE(cancel, nullptr);
    EXPECT_EQ(cancel->application_id, "app-412");
    EXPECT_EQ(t.dialogue.step, DialogueStep::idle);
    EXPECT_TRUE(t.replies.empty());  // the card's "cancelled" SMS is the answer
    for (std::size_t from = 0; from < script.size(); ++from) {
      Turn r{states[from], {}, {}};
      for (std::size_t i = from; i < script.size(); ++i) r = converse(r.dialogue, script[i], t0, knowledge());
      EXPECT_EQ(r.dialogue, t.dialogue) << "resumed at " << from;
      EXPECT_EQ(r.actions.size(), 1u) << "resumed at " << from;
    }
    EXPECT_EQ(states[1].step, DialogueStep::confirm_cancel);
    EXPECT_EQ(states[1].application_id, "app-412");
  }
}

TEST(FreeTextCancel, TheQuestionNamesTheCourseAndNoChangesNothing) {
  Turn asked = say({"I can't make it to the sewing course, please cancel"});
  ASSERT_EQ(ids(asked), std::vector<TemplateId>{TemplateId::sms_confirm_cancel});
  EXPECT_TRUE(asked.actions.empty());
  EXPECT_EQ(std::get<std::string>(asked.replies[0].params.at("code")), "412");
  EXPECT_EQ(asked.replies[0].language, Language::en);
  for (const std::string no : {"no", "لا", "لأ شكرا", "nope"}) {
    SCOPED_TRACE(no);
    Turn t = converse(asked.dialogue, no, t0 + 1min, knowledge());
    EXPECT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_not_done});
    EXPECT_TRUE(t.actions.empty());
    EXPECT_EQ(t.dialogue.step, DialogueStep::idle);
  }
  // Something else than YES or NO: asked again; HELP: the help, then the question again.
  EXPECT_EQ(ids(converse(asked.dialogue, "hmm", t0 + 1min, knowledge())),
            std::vector<TemplateId>{TemplateId::sms_confirm_cancel});
  EXPECT_EQ(ids(converse(asked.dialogue, "HELP", t0 + 1min, knowledge())),
            (std::vector<TemplateId>{TemplateId::sms_help, TemplateId::sms_confirm_cancel}));
}

TEST(FreeTextCancel, ExpiresAfterThirtyMinutesLikeTheApplyDialogue) {
  Turn asked = say({"بدي الغي تسجيلي بدورة 412"});
  ASSERT_EQ(asked.dialogue.step, DialogueStep::confirm_cancel);
  Turn late = converse(asked.dialogue, "نعم", t0 + 31min, knowledge());
  EXPECT_EQ(ids(late), std::vector<TemplateId>{TemplateId::sms_dialogue_expired});
  EXPECT_TRUE(late.actions.empty());
  Turn in_time = converse(asked.dialogue, "نعم", t0 + 29min, knowledge());
  EXPECT_EQ(in_time.actions.size(), 1u);
}

TEST(FreeTextCancel, WhichApplicationWhenSeveralAndNothingWhenNone) {
  // Two live applications and no course named: the list, nothing asked.
  Turn t = say({"بدي الغي طلبي"});
  EXPECT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_which_application});
  EXPECT_EQ(t.dialogue.step, DialogueStep::idle);
  const std::string items = std::get<std::string>(t.replies[0].params.at("items"));
  EXPECT_NE(items.find("412"), std::string::npos);
  EXPECT_NE(items.find("101"), std::string::npos);
  EXPECT_EQ(items.find("B-12"), std::string::npos) << "a cancelled one is not offered";
  // One live application: that one is asked about.
  Knowledge one = knowledge();
  one.applications.erase(one.applications.begin() + 1);
  EXPECT_EQ(ids(say({"please cancel my application"}, {}, t0, one)),
            std::vector<TemplateId>{TemplateId::sms_confirm_cancel});
  // None: said so.
  Knowledge none = knowledge();
  none.applications.clear();
  EXPECT_EQ(ids(say({"please cancel my application"}, {}, t0, none)),
            std::vector<TemplateId>{TemplateId::sms_no_applications});
}

TEST(FreeTextCancel, InTheMiddleOfApplyingItEndsTheDialogueAtOnce) {
  Turn t = say({"JOIN B-12", "خلص بدي الغي"});
  EXPECT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_dialogue_cancelled});
  EXPECT_EQ(t.dialogue.step, DialogueStep::idle);
  EXPECT_TRUE(t.actions.empty());
}

// ---- stop from free text -----------------------------------------------------------------------

TEST(FreeTextStop, UnmistakablePhrasesStopAtOnce) {
  for (const std::string text : {"الغاء الاشتراك", "الغاء اشتراكي بالرسائل", "unsubscribe", "take me off your list"}) {
    SCOPED_TRACE(text);
    Turn t = say({text});
    EXPECT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_stopped});
    ASSERT_EQ(t.actions.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<StopAction>(t.actions[0]));
    EXPECT_TRUE(t.dialogue.opted_out);
    EXPECT_TRUE(is_stop(read_text(text)));
  }
}

TEST(FreeTextStop, OtherwiseAsksFirstReplayedFromEveryState) {
  const std::vector<std::string> script{"لا تبعتولي رسايل بعد اليوم", "اه"};
  std::vector<Dialogue> states{Dialogue{}};
  Turn t{Dialogue{}, {}, {}};
  for (const auto& m : script) {
    t = converse(t.dialogue, m, t0, knowledge());
    states.push_back(t.dialogue);
  }
  EXPECT_EQ(states[1].step, DialogueStep::confirm_stop);
  EXPECT_FALSE(states[1].opted_out);
  EXPECT_FALSE(is_stop(read_text(script[0])));
  EXPECT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_stopped});
  ASSERT_EQ(t.actions.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<StopAction>(t.actions[0]));
  EXPECT_TRUE(t.dialogue.opted_out);
  for (std::size_t from = 0; from < script.size(); ++from) {
    Turn r{states[from], {}, {}};
    for (std::size_t i = from; i < script.size(); ++i) r = converse(r.dialogue, script[i], t0, knowledge());
    EXPECT_EQ(r.dialogue, t.dialogue) << "resumed at " << from;
  }
  Turn kept = converse(states[1], "لا", t0, knowledge());
  EXPECT_EQ(ids(kept), std::vector<TemplateId>{TemplateId::sms_not_done});
  EXPECT_FALSE(kept.dialogue.opted_out);
  EXPECT_TRUE(kept.actions.empty());
  // STOP itself still acts at once in the middle of the question.
  Turn stop = converse(states[1], "STOP", t0, knowledge());
  EXPECT_EQ(stop.actions.size(), 1u);
}

// ---- join from free text -----------------------------------------------------------------------

TEST(FreeTextJoin, ACourseByCodeHoweverTypedOrByTitle) {
  Knowledge k = knowledge();
  k.applications.clear();
  for (const auto& [text, code] : std::vector<std::pair<std::string, std::string>>{
           {"بدي اسجل بدورة ١٠١", "101"},
           {"bdi ashtrek b course 412", "412"},
           {"I'd like to enrol in b 12", "B-12"},
           {"سجلني ب١٢", "B-12"},
           {"تسجيل ب١٢", "B-12"},
           {"بدي اسجل بدورة الخط العربي", "B-12"},
           {"sign me up for the sewing course", "412"},
           {"bdi asajel b dawrat el khayata", "412"},
       }) {
    SCOPED_TRACE(text);
    Turn t = say({text}, {}, t0, k);
    ASSERT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_ask_name});
    EXPECT_EQ(t.dialogue.course_code, code);
    EXPECT_TRUE(t.actions.empty()) << "joining ends with its own confirmation";
    Needs n = needs(Dialogue{}, read_text(text), t0);
    EXPECT_TRUE(n.all_courses);
  }
}

TEST(FreeTextJoin, SeveralOrNoneFittingGetTheClosestNeverARefusal) {
  Turn several = say({"بدي اسجل بدورة الانجليزي"});
  ASSERT_EQ(ids(several), std::vector<TemplateId>{TemplateId::sms_which_course});
  std::string items = std::get<std::string>(several.replies[0].params.at("items"));
  EXPECT_NE(items.find("103"), std::string::npos);
  EXPECT_NE(items.find("104"), std::string::npos);
  EXPECT_EQ(items.find("412"), std::string::npos);
  Turn unknown = say({"I want to join course 777"});
  EXPECT_EQ(ids(unknown), std::vector<TemplateId>{TemplateId::sms_which_course});
  Turn near = say({"سجلني بدورة 102"});  // no 102: 101 and 103/104 are a slip away
  ASSERT_EQ(ids(near), std::vector<TemplateId>{TemplateId::sms_which_course});
  items = std::get<std::string>(near.replies[0].params.at("items"));
  EXPECT_NE(items.find("101"), std::string::npos);
  EXPECT_EQ(items.find("412"), std::string::npos);
}

// ---- safety: nothing done that the applicant did not ask ---------------------------------------

TEST(FreeTextSafety, ACodeAloneInTheApplyDialogueAnswersTheStep) {
  // "101" where a name is asked: not a name, and no application for course 101.
  Turn name = say({"JOIN B-12", "101"});
  EXPECT_EQ(ids(name), std::vector<TemplateId>{TemplateId::sms_invalid_name});
  EXPECT_EQ(name.dialogue.step, DialogueStep::ask_name);
  EXPECT_EQ(name.dialogue.course_code, "B-12");
  EXPECT_TRUE(name.actions.empty());
  // "101" where the national number is asked: not one, still course B-12.
  Turn number = say({"JOIN B-12", "Ahmad Ali Hassan", "1", "101"});
  EXPECT_EQ(ids(number), std::vector<TemplateId>{TemplateId::sms_invalid_national_id});
  EXPECT_EQ(number.dialogue.step, DialogueStep::ask_id_number);
  EXPECT_EQ(number.dialogue.course_code, "B-12");
  EXPECT_TRUE(number.actions.empty());
}

TEST(FreeTextSafety, RefusalsReportsAndOtherSubjectsNeverAct) {
  for (const std::string text : {"don't cancel 412", "لا تلغي تسجيلي بدورة 412", "مش رح الغي 101",
                                 "I cancelled my other course", "الغيت دورة 101 بالغلط", "الغاء مخالفة 101",
                                 "bus stop 101 is damaged", "call me on +962 79 101 2345", "don't stop the messages"}) {
    SCOPED_TRACE(text);
    Turn t = say({text});
    EXPECT_TRUE(t.actions.empty());
    EXPECT_EQ(t.dialogue.step, DialogueStep::idle);
    EXPECT_FALSE(t.dialogue.opted_out);
    for (TemplateId id : ids(t)) {
      EXPECT_NE(id, TemplateId::sms_confirm_cancel);
      EXPECT_NE(id, TemplateId::sms_confirm_stop);
      EXPECT_NE(id, TemplateId::sms_ask_name);
    }
  }
}

TEST(FreeTextSafety, TwoCoursesNamedAskWhichAndAStopAboutCourseInfoIsAsked) {
  Turn two = say({"please cancel 412 and 101"});
  EXPECT_EQ(ids(two), std::vector<TemplateId>{TemplateId::sms_which_application});
  EXPECT_EQ(two.dialogue.step, DialogueStep::idle);
  Turn join_two = say({"سجلني بدورة 412 و 101"});
  EXPECT_EQ(ids(join_two), std::vector<TemplateId>{TemplateId::sms_which_course});
  EXPECT_EQ(join_two.dialogue.step, DialogueStep::idle);
  Turn info = say({"stop sending the wrong course info"});
  EXPECT_EQ(ids(info), std::vector<TemplateId>{TemplateId::sms_confirm_stop});
  EXPECT_FALSE(info.dialogue.opted_out);
  EXPECT_TRUE(info.actions.empty());
}

// ---- everything else ---------------------------------------------------------------------------

TEST(FreeText, GreetingsDecoysAndUnsureReadingsNeverAct) {
  for (const std::string text :
       {"وين دورات المياه", "بدي الغي مخالفة السير", "cancel my parking fine", "👍", "مرحبا، وين دورات المياه"}) {
    SCOPED_TRACE(text);
    Turn t = say({text});
    EXPECT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_not_understood});
    EXPECT_TRUE(t.actions.empty());
    EXPECT_EQ(t.dialogue.step, DialogueStep::idle);
  }
  // A greeting or thanks on its own is answered in kind, with what can be written; nothing done.
  for (const auto& [text, id] :
       std::vector<std::pair<std::string, TemplateId>>{{"مرحبا", TemplateId::sms_greeting},
                                                       {"السلام عليكم ورحمة الله", TemplateId::sms_greeting},
                                                       {"hello there", TemplateId::sms_greeting},
                                                       {"marhaba", TemplateId::sms_greeting},
                                                       {"شكرا كتير", TemplateId::sms_thanks},
                                                       {"يعطيكم العافية", TemplateId::sms_thanks},
                                                       {"thank you!", TemplateId::sms_thanks}}) {
    SCOPED_TRACE(text);
    Turn t = say({text});
    EXPECT_EQ(ids(t), std::vector<TemplateId>{id});
    EXPECT_TRUE(t.actions.empty());
    EXPECT_EQ(t.dialogue.step, DialogueStep::idle);
  }
  // In the apply dialogue a greeting is no answer to a step the gateway takes as done.
  Turn mid = say({"JOIN B-12", "مرحبا"});
  EXPECT_EQ(mid.dialogue.course_code, "B-12");
  EXPECT_TRUE(mid.actions.empty());
  // A greeting in front of a request does not hide it.
  EXPECT_EQ(ids(say({"السلام عليكم، شو الدورات اللي عندكم؟"})), kCourseList);
  // Two meanings as likely as each other: both offered, nothing done.
  Turn unsure = say({"حالة مساعدة"});
  ASSERT_EQ(ids(unsure), std::vector<TemplateId>{TemplateId::sms_did_you_mean});
  EXPECT_TRUE(unsure.actions.empty());
  const std::string items = std::get<std::string>(unsure.replies[0].params.at("items"));
  EXPECT_NE(items.find("مساعدة"), std::string::npos) << items;
  EXPECT_NE(items.find("حالة"), std::string::npos) << items;
}

TEST(FreeText, StatusCoursesHelpAndLanguageInTheApplicantsWords) {
  EXPECT_EQ(ids(say({"شو صار بطلبي"})), std::vector<TemplateId>{TemplateId::sms_status});
  EXPECT_EQ(ids(say({"did my application go through?"})), std::vector<TemplateId>{TemplateId::sms_status});
  EXPECT_EQ(ids(say({"ايش الكورسات اللي عندكم"})), kCourseList);
  EXPECT_EQ(ids(say({"مش فاهم شو لازم ابعت"})), std::vector<TemplateId>{TemplateId::sms_help});
  Turn en = say({"ممكن تبعتولي بالانجليزي"});
  EXPECT_EQ(ids(en), std::vector<TemplateId>{TemplateId::sms_language_set});
  EXPECT_EQ(en.dialogue.language, Language::en);
  ASSERT_EQ(en.actions.size(), 1u);
  EXPECT_EQ(std::get<LanguageAction>(en.actions[0]).language, Language::en);
  // The keywords too: the card's notifications follow the language chosen.
  Turn ar = say({"AR"});
  ASSERT_EQ(ar.actions.size(), 1u);
  EXPECT_EQ(std::get<LanguageAction>(ar.actions[0]).language, Language::ar);
}

TEST(FreeText, ArabiziIsAnsweredInArabic) {
  Turn t = say({"shu el dawrat elli 3ndkom"});
  EXPECT_EQ(ids(t), kCourseList);
  EXPECT_EQ(t.replies[0].language, Language::ar);
  EXPECT_EQ(say({"what courses do you have"}).replies[0].language, Language::en);
}

TEST(FreeText, AtTheNameStepANameIsTheName) {
  // "أمل" is hope and "سلام" a greeting; "Hope Walker" has a word of wish: names all the same.
  for (const std::string name : {"أمل سلام", "Hope Walker", "نعمة الله حداد"}) {
    SCOPED_TRACE(name);
    Turn t = say({"JOIN B-12", name});
    EXPECT_EQ(ids(t), std::vector<TemplateId>{TemplateId::sms_ask_id_type});
    EXPECT_EQ(t.dialogue.step, DialogueStep::ask_id_type);
  }
}

TEST(FreeText, WhileOptedOutOnlyAStartActs) {
  Dialogue d;
  d.opted_out = true;
  EXPECT_TRUE(say({"شو الدورات"}, d).replies.empty());
  Turn back = say({"start sending me messages again"}, d);
  EXPECT_EQ(ids(back), std::vector<TemplateId>{TemplateId::sms_started});
  EXPECT_FALSE(back.dialogue.opted_out);
}

}  // namespace
}  // namespace cg::core
