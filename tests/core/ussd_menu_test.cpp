// The USSD menus (core/ussd_menu): full journeys in both languages from the aggregator's '*'-joined
// history, going back with 0 at every screen, pages of courses, replays that never act twice, and
// every reachable screen within the limit (182 GSM-7 characters; 80 when it holds Arabic).
#include "core/ussd_menu.hpp"

#include <gtest/gtest.h>

#include <set>

#include "core/sms.hpp"

namespace cg::core {
namespace {

using namespace std::chrono_literals;

const Instant t0 = Instant{std::chrono::seconds{1'795'000'000}};
const UssdLimits kLimits{};

UssdCourse course(std::int64_t id, std::string code, std::string ar, std::string en, std::int64_t fee) {
  return UssdCourse{id, std::move(code), {std::move(ar), std::move(en)}, Fils{fee}};
}

// The sample catalogue's longest titles (tests/data/courses.sample.json), and more of them than a
// page holds.
std::vector<UssdCourse> courses() {
  return {
      course(1, "101", "مهارات الحاسوب الأساسية واستخدام الإنترنت", "Basic Computer Skills and Using the Internet", 0),
      course(2, "102", "الرخصة الدولية لقيادة الحاسوب (ICDL) – المستوى المتقدم",
             "International Computer Driving Licence (ICDL) – Advanced", 35000),
      course(3, "103", "اللغة الإنجليزية للمبتدئين", "English for Beginners", 0),
      course(4, "104", "اللغة الإنجليزية – المستوى المتوسط (محادثة وكتابة)",
             "Intermediate English (Conversation and Writing)", 20000),
      course(5, "105", "التصميم الجرافيكي باستخدام برامج التصميم المفتوحة المصدر",
             "Graphic Design with Open-Source Design Tools", 45500),
      course(6, "106", "البرمجة للأطفال واليافعين (١٠–١٥ سنة)", "Coding for Children and Teens (10–15 years)", 0),
      course(7, "107", "إدارة المشاريع الصغيرة والتسويق الإلكتروني", "Running a Small Business and Online Marketing",
             15000),
      course(8, "108", "الإسعافات الأولية والسلامة المنزلية", "First Aid and Home Safety", 0),
      course(9, "109", "تحليل البيانات باستخدام جداول البيانات – المستوى المتقدم",
             "Data Analysis with Spreadsheets – Advanced", 27750)};
}

UssdSession session(Language l = Language::ar) {
  UssdSession s;
  s.phone = "+962791234567";
  s.start_language = l;
  s.courses = courses();
  s.started_at = t0;
  s.updated_at = t0;
  return s;
}

// One request as the aggregator makes it, on the session as the gateway keeps it.
UssdTurn request(UssdSession& s, const std::string& text) {
  UssdTurn t = ussd_respond(s, text, t0, kLimits);
  EXPECT_TRUE(ussd_fits(t.screen.text, kLimits)) << text << ":\n" << t.screen.text;
  s = t.session;
  return t;
}

// Drives a journey input by input, as the phone sends it: text grows by one '*'-joined input.
UssdTurn journey(UssdSession& s, const std::vector<std::string>& inputs) {
  std::string text;
  UssdTurn t = request(s, "");
  for (const auto& in : inputs) {
    text += (text.empty() ? "" : "*") + in;
    t = request(s, text);
  }
  return t;
}

bool has(const UssdScreen& s, std::string_view what) { return s.text.find(what) != std::string::npos; }

TEST(UssdMenu, MainMenuInEachLanguage) {
  UssdSession ar = session(Language::ar);
  UssdTurn t = request(ar, "");
  EXPECT_FALSE(t.screen.end);
  EXPECT_EQ(t.screen.answer().substr(0, 4), "CON ");
  EXPECT_TRUE(has(t.screen, "1 الدورات")) << t.screen.text;
  EXPECT_TRUE(has(t.screen, "4 English")) << t.screen.text;
  UssdSession en = session(Language::en);
  t = request(en, "");
  EXPECT_TRUE(has(t.screen, "1 Courses")) << t.screen.text;
  EXPECT_TRUE(has(t.screen, "2 My applications")) << t.screen.text;
}

TEST(UssdMenu, ApplyJourneyInArabicWithArabicIndicDigits) {
  UssdSession s = session(Language::ar);
  UssdTurn t = journey(s, {"1", "1", "1", "سارة أحمد", "1", "٩٨٧١٢٣٤٥٦٧"});
  EXPECT_FALSE(t.screen.end);
  EXPECT_TRUE(has(t.screen, "*******567")) << t.screen.text;
  EXPECT_FALSE(has(t.screen, "9871234567"));
  EXPECT_TRUE(t.actions.empty());
  t = request(s, "1*1*1*سارة أحمد*1*٩٨٧١٢٣٤٥٦٧*1");
  EXPECT_TRUE(t.screen.end);
  EXPECT_EQ(t.screen.answer().substr(0, 4), "END ");
  EXPECT_TRUE(has(t.screen, "101")) << t.screen.text;
  ASSERT_EQ(t.actions.size(), 1u);
  const auto& a = std::get<ApplyAction>(t.actions[0]);
  EXPECT_EQ(a.course_id, 1);
  EXPECT_EQ(a.course_code, "101");
  EXPECT_EQ(a.applicant.name, "سارة أحمد");
  EXPECT_EQ(a.applicant.id_type, IdType::national_id);
  EXPECT_EQ(a.applicant.id_number, "9871234567");
  EXPECT_EQ(a.applicant.phone, "+962791234567");
  EXPECT_EQ(a.applicant.language, Language::ar);
  EXPECT_TRUE(s.ended);
}

TEST(UssdMenu, ApplyJourneyInEnglishWithAPassportOnTheSecondPage) {
  UssdSession s = session(Language::en);
  UssdTurn list = journey(s, {"1"});
  EXPECT_TRUE(has(list.screen, "9 More")) << list.screen.text;
  UssdTurn page2 = request(s, "1*9");
  EXPECT_TRUE(has(page2.screen, "0 Back")) << page2.screen.text;
  // The second page's first course is the one after the first page's last.
  std::size_t shown = 0;
  for (const auto& c : s.courses)
    if (has(list.screen, " " + c.code + " ")) ++shown;
  ASSERT_GT(shown, 0u);
  ASSERT_LT(shown, s.courses.size());
  const UssdCourse& chosen = s.courses[shown];
  EXPECT_TRUE(has(page2.screen, "1 " + chosen.code)) << page2.screen.text;
  UssdTurn t = journey(s, {"1", "9", "1", "1", "Lina Haddad", "2", "n1234567", "1"});
  EXPECT_TRUE(t.screen.end);
  ASSERT_EQ(t.actions.size(), 1u);
  const auto& a = std::get<ApplyAction>(t.actions[0]);
  EXPECT_EQ(a.course_code, chosen.code);
  EXPECT_EQ(a.applicant.id_type, IdType::passport);
  EXPECT_EQ(a.applicant.id_number, "N1234567");
  EXPECT_EQ(a.applicant.language, Language::en);
}

TEST(UssdMenu, ZeroGoesBackOneScreenEverywhere) {
  // Each prefix, then 0, shows the screen the prefix's parent showed.
  const std::vector<std::string> path{"1", "1", "1", "Lina Haddad", "1", "9871234567"};
  for (Language l : {Language::ar, Language::en}) {
    std::vector<std::string> screens;
    {
      UssdSession s = session(l);
      screens.push_back(request(s, "").screen.text);
      std::string text;
      for (const auto& in : path) {
        text += (text.empty() ? "" : "*") + in;
        screens.push_back(request(s, text).screen.text);
      }
    }
    std::string text;
    for (std::size_t i = 0; i < path.size(); ++i) {
      text += (text.empty() ? "" : "*") + path[i];
      SCOPED_TRACE(text + "*0");
      UssdSession s = session(l);
      EXPECT_EQ(request(s, text + "*0").screen.text, screens[i]);
      // And going forward again from there reaches the same screen.
      EXPECT_EQ(request(s, text + "*0*" + path[i]).screen.text, screens[i + 1]);
    }
    // Back at the main menu, 0 stays there.
    UssdSession s = session(l);
    EXPECT_EQ(request(s, "1*0*0").screen.text, screens[0]);
  }
}

TEST(UssdMenu, InvalidInputsAreToldAndTheScreenStays) {
  UssdSession s = session(Language::en);
  UssdTurn t = journey(s, {"7"});
  EXPECT_TRUE(has(t.screen, "Invalid choice.")) << t.screen.text;
  EXPECT_TRUE(has(t.screen, "1 Courses"));
  t = journey(s, {"1", "1", "1", "12345"});
  EXPECT_TRUE(has(t.screen, "Invalid name.")) << t.screen.text;
  t = journey(s, {"1", "1", "1", "Lina Haddad", "1", "12345"});
  EXPECT_TRUE(has(t.screen, "Invalid number.")) << t.screen.text;
  EXPECT_TRUE(t.actions.empty());
  UssdSession a = session(Language::ar);
  t = journey(a, {"1", "88"});
  EXPECT_TRUE(has(t.screen, "خيار غير صحيح.")) << t.screen.text;
}

TEST(UssdMenu, AKnownApplicantConfirmsAtOnceAndMayChangeTheDetails) {
  UssdSession s = session(Language::ar);
  Applicant a;
  a.name = "سارة أحمد";
  a.id_type = IdType::national_id;
  a.id_number = "9871234567";
  s.applicant = a;
  UssdTurn t = journey(s, {"1", "2", "1"});
  EXPECT_TRUE(has(t.screen, "*******567")) << t.screen.text;
  UssdSession other = s;
  UssdTurn change = request(other, "1*2*1*2");
  EXPECT_TRUE(has(change.screen, "اكتب اسمك الكامل")) << change.screen.text;
  t = request(s, "1*2*1*1");
  ASSERT_EQ(t.actions.size(), 1u);
  EXPECT_EQ(std::get<ApplyAction>(t.actions[0]).course_code, "102");
}

TEST(UssdMenu, MyApplicationsAndCancel) {
  UssdSession s = session(Language::en);
  s.applications = {{"a1", ApplicationState::awaiting_payment, "102", s.courses[1].title},
                    {"a0", ApplicationState::cancelled, "101", s.courses[0].title}};
  UssdTurn mine = journey(s, {"2"});
  EXPECT_TRUE(has(mine.screen, "fee payment pending")) << mine.screen.text;
  EXPECT_TRUE(has(mine.screen, "cancelled")) << mine.screen.text;
  UssdSession c = s;
  UssdTurn list = journey(c, {"3"});
  EXPECT_TRUE(has(list.screen, "1 102")) << list.screen.text;
  EXPECT_FALSE(has(list.screen, "101")) << "a cancelled application cannot be cancelled";
  UssdTurn confirm = request(c, "3*1");
  EXPECT_TRUE(has(confirm.screen, "1 Yes")) << confirm.screen.text;
  UssdTurn done = request(c, "3*1*1");
  EXPECT_TRUE(done.screen.end);
  ASSERT_EQ(done.actions.size(), 1u);
  EXPECT_EQ(std::get<CancelAction>(done.actions[0]).application_id, "a1");
  UssdSession none = session(Language::ar);
  EXPECT_TRUE(has(journey(none, {"3"}).screen, "لا يوجد طلب للإلغاء"));
  EXPECT_TRUE(has(journey(none, {"2"}).screen, "لا توجد لديكم طلبات"));
}

// More live applications than one screen holds: the cancel list pages with 9 like the course list,
// each page numbers its own applications from 1, and every application can be reached and
// cancelled, in both languages and at the lowest limits the configuration allows.
TEST(UssdMenu, TheCancelListHasPagesAndReachesEveryApplication) {
  for (const UssdLimits& limits : {UssdLimits{}, UssdLimits{40, 20}}) {
    for (Language l : {Language::ar, Language::en}) {
      SCOPED_TRACE(std::to_string(limits.gsm7_chars) + (l == Language::ar ? " ar" : " en"));
      UssdSession s0 = session(l);
      constexpr int kApplications = 12;
      for (int i = 0; i < kApplications; ++i) {
        const std::string n = (i < 10 ? "0" : "") + std::to_string(i);
        s0.applications.push_back({"a" + n, ApplicationState::awaiting_quorum, "APP-" + n,
                                   s0.courses[static_cast<std::size_t>(i % 9)].title});
      }
      s0.applications.push_back({"gone", ApplicationState::cancelled, "APP-XX", s0.courses[0].title});
      std::vector<std::string> cancelled;
      std::string page = "3";
      for (int pages = 0; pages < kApplications; ++pages) {
        const std::string screen = ussd_respond(s0, page, t0, limits).screen.text;
        ASSERT_TRUE(ussd_fits(screen, limits)) << page << ":\n" << screen;
        EXPECT_EQ(screen.find("APP-XX"), std::string::npos) << "a cancelled application is not listed";
        int on_page = 0;
        for (int k = 1; k <= 7; ++k) {
          UssdTurn confirm = ussd_respond(s0, page + "*" + std::to_string(k), t0, limits);
          UssdTurn done = ussd_respond(s0, page + "*" + std::to_string(k) + "*1", t0, limits);
          if (done.actions.empty()) break;  // beyond the page: refused, the list stays
          ++on_page;
          ASSERT_EQ(done.actions.size(), 1u);
          const auto& action = std::get<CancelAction>(done.actions[0]);
          if (limits.gsm7_chars == UssdLimits{}.gsm7_chars) {  // the confirmation names what it cancels
            EXPECT_NE(confirm.screen.text.find(action.course_code), std::string::npos) << confirm.screen.text;
          }
          cancelled.push_back(action.application_id);
        }
        ASSERT_GE(on_page, 1) << page << ":\n" << screen;
        if (cancelled.size() == static_cast<std::size_t>(kApplications)) {
          // The last page offers no "more": 9 there is refused and the page stays, so 1 still
          // means the page's first application.
          EXPECT_FALSE(ussd_respond(s0, page + "*9", t0, limits).screen.end);
          UssdTurn again = ussd_respond(s0, page + "*9*1*1", t0, limits);
          ASSERT_EQ(again.actions.size(), 1u);
          EXPECT_EQ(std::get<CancelAction>(again.actions[0]).application_id,
                    cancelled[cancelled.size() - static_cast<std::size_t>(on_page)]);
          break;
        }
        page += "*9";
      }
      std::vector<std::string> expected;
      for (int i = 0; i < kApplications; ++i)
        expected.push_back("a" + std::string(i < 10 ? "0" : "") + std::to_string(i));
      EXPECT_EQ(cancelled, expected) << "every live application once, newest first";
    }
  }
}

TEST(UssdMenu, LanguageSwitchIsReportedOnceAndReplayed) {
  UssdSession s = session(Language::ar);
  UssdTurn t = journey(s, {"4"});
  EXPECT_TRUE(has(t.screen, "1 Courses")) << t.screen.text;
  EXPECT_EQ(t.language_chosen, std::optional<Language>(Language::en));
  EXPECT_EQ(t.language, Language::en);
  t = request(s, "4*1");
  EXPECT_TRUE(has(t.screen, "Choose a course:")) << t.screen.text;
  EXPECT_FALSE(t.language_chosen.has_value()) << "the switch was an earlier input";
}

TEST(UssdMenu, ARetriedOrReplayedRequestNeverActsTwice) {
  UssdSession s = session(Language::en);
  journey(s, {"1", "1", "1", "Lina Haddad", "1", "9871234567"});
  UssdTurn first = request(s, "1*1*1*Lina Haddad*1*9871234567*1");
  ASSERT_EQ(first.actions.size(), 1u);
  UssdTurn retry = request(s, "1*1*1*Lina Haddad*1*9871234567*1");
  EXPECT_TRUE(retry.actions.empty());
  EXPECT_EQ(retry.screen.answer(), first.screen.answer());
  // A session that saw the whole history already does not act on it again.
  UssdSession seen = session(Language::en);
  seen.inputs_seen = 7;
  EXPECT_TRUE(ussd_respond(seen, "1*1*1*Lina Haddad*1*9871234567*1", t0, kLimits).actions.empty());
}

TEST(UssdMenu, ExpiredAndRefusedScreensEndTheSession) {
  for (Language l : {Language::ar, Language::en}) {
    UssdScreen e = ussd_expired(l);
    EXPECT_TRUE(e.end);
    EXPECT_TRUE(ussd_fits(e.text, kLimits)) << e.text;
    for (const char* code : {"duplicate_application", "course_started", "store_whatever"}) {
      UssdScreen r = ussd_refusal(l, code, "101", kLimits);
      EXPECT_TRUE(r.end);
      EXPECT_TRUE(ussd_fits(r.text, kLimits)) << r.text;
    }
  }
  EXPECT_NE(ussd_refusal(Language::en, "duplicate_application", "101", kLimits).text.find("already applied"),
            std::string::npos);
}

// Refusals that trying later will not fix say why, in both languages, naming the course when it fits
// (also a 16-character code), and within the limits however small.
TEST(UssdMenu, RefusalsTryingLaterWillNotFixSayWhy) {
  struct Case {
    const char* code;
    const char* en;
    const char* ar;
  };
  const Case cases[] = {
      {"not_cancellable", "can no longer be cancelled", "لم يعد ممكناً إلغاء"},
      {"no_free_seat", "no free seat", "لا توجد مقاعد شاغرة"},
      {"not_found", "no application", "لا يوجد لديكم طلب قابل للإلغاء"},
      {"invalid_phone", "cannot be used from this phone number", "لا يمكن استخدام هذه الخدمة"},
      {"duplicate_application", "already applied", "لديكم طلب سابق"},
      {"course_started", "not taking applications", "لا تستقبل طلبات"},
  };
  for (Language l : {Language::ar, Language::en}) {
    const std::string try_later = ussd_refusal(l, "store_whatever", "101", kLimits).text;
    EXPECT_NE(try_later.find(l == Language::ar ? "لاحقاً" : "try later"), std::string::npos) << try_later;
    std::set<std::string> texts;
    for (const Case& c : cases) {
      for (const std::string& course : {std::string("101"), std::string("ICDL-ADV-2026-01")}) {
        SCOPED_TRACE(std::string(c.code) + " " + course + (l == Language::ar ? " ar" : " en"));
        UssdScreen r = ussd_refusal(l, c.code, course, kLimits);
        EXPECT_TRUE(r.end);
        EXPECT_TRUE(ussd_fits(r.text, kLimits)) << r.text;
        EXPECT_NE(r.text, try_later);
        EXPECT_NE(r.text.find(l == Language::ar ? c.ar : c.en), std::string::npos) << r.text;
        if (std::string(c.code) != "invalid_phone") {
          EXPECT_NE(r.text.find(course), std::string::npos) << r.text;
        }
        texts.insert(r.text);
        // A screen too small for the code says the same without it; smaller still, it is cut.
        for (const UssdLimits& tight : {UssdLimits{60, 30}, UssdLimits{20, 10}}) {
          UssdScreen small = ussd_refusal(l, c.code, course, tight);
          EXPECT_TRUE(small.end);
          EXPECT_TRUE(ussd_fits(small.text, tight)) << small.text;
          EXPECT_FALSE(small.text.empty());
          EXPECT_NE(small.text, try_later);
        }
      }
    }
    // Each refusal and course its own screen; the phone's does not name a course.
    EXPECT_EQ(texts.size(), std::size(cases) * 2 - 1);
  }
}

TEST(UssdMenu, LimitsCountGsm7AndArabicDifferently) {
  EXPECT_TRUE(ussd_fits(std::string(182, 'a'), kLimits));
  EXPECT_FALSE(ussd_fits(std::string(183, 'a'), kLimits));
  EXPECT_FALSE(ussd_fits(std::string(92, '['), kLimits));  // escapes count twice
  std::string ar;
  for (int i = 0; i < 80; ++i) ar += "ب";
  EXPECT_TRUE(ussd_fits(ar, kLimits));
  EXPECT_FALSE(ussd_fits(ar + "ب", kLimits));
  EXPECT_FALSE(ussd_fits("a\xff", kLimits));
}

// Every screen reachable from the main menu, in both languages, with the longest titles, a long
// name and both document types, fits: explored breadth-first, each new screen's subtree once.
TEST(UssdMenu, EveryReachableScreenFitsTheLimit) {
  const std::vector<std::string> alphabet{"0",
                                          "1",
                                          "2",
                                          "3",
                                          "4",
                                          "9",
                                          "عبد الرحمن محمد عبد الله الخطيب الحسيني",
                                          "Abdulrahman Mohammad Abdullah Al-Khatib",
                                          "9871234567",
                                          "N1234567",
                                          "x"};
  for (Language l : {Language::ar, Language::en}) {
    UssdSession base = session(l);
    Applicant known;
    known.name = "عبد الرحمن محمد عبد الله الخطيب الحسيني";
    known.id_number = "9871234567";
    for (bool with_known : {false, true}) {
      UssdSession s0 = base;
      if (with_known) s0.applicant = known;
      s0.applications = {{"a1", ApplicationState::awaiting_payment, "102", s0.courses[1].title},
                         {"a2", ApplicationState::rejected_exam, "105", s0.courses[4].title},
                         {"a3", ApplicationState::waitlisted, "109", s0.courses[8].title}};
      std::set<std::string> seen;
      std::vector<std::string> frontier{""};
      std::size_t screens = 0;
      for (int depth = 0; depth <= 9 && !frontier.empty(); ++depth) {
        std::vector<std::string> next;
        for (const auto& text : frontier) {
          UssdTurn t = ussd_respond(s0, text, t0, kLimits);
          ++screens;
          ASSERT_TRUE(ussd_fits(t.screen.text, kLimits)) << "'" << text << "':\n" << t.screen.text;
          if (t.screen.end || !seen.insert(t.screen.text).second) continue;
          for (const auto& in : alphabet) next.push_back(text.empty() ? in : text + "*" + in);
        }
        frontier = std::move(next);
      }
      EXPECT_GT(seen.size(), 20u) << "the exploration should reach every kind of screen";
      EXPECT_GT(screens, 100u);
    }
  }
}

// Course codes as long as the card allows (16 characters), seven applications to cancel, long
// titles, and limits as low as the configuration allows: every screen still fits, the cancel list
// shows only what fits, and each number on it opens the application it names.
TEST(UssdMenu, LongCodesAndManyApplicationsStillFit) {
  for (const UssdLimits& limits : {UssdLimits{}, UssdLimits{40, 20}}) {
    for (Language l : {Language::ar, Language::en}) {
      UssdSession s0 = session(l);
      for (int i = 0; i < 7; ++i) {
        std::string code = "ICDL-ADV-2026-0" + std::to_string(i);  // 16 characters
        s0.applications.push_back({"a" + std::to_string(i), ApplicationState::awaiting_quorum, code,
                                   s0.courses[static_cast<std::size_t>(i)].title});
      }
      SCOPED_TRACE(std::to_string(limits.gsm7_chars) + (l == Language::ar ? " ar" : " en"));
      std::vector<std::string> frontier{""};
      std::set<std::string> seen;
      for (int depth = 0; depth <= 4 && !frontier.empty(); ++depth) {
        std::vector<std::string> next;
        for (const auto& text : frontier) {
          UssdTurn t = ussd_respond(s0, text, t0, limits);
          ASSERT_TRUE(ussd_fits(t.screen.text, limits)) << "'" << text << "':\n" << t.screen.text;
          EXPECT_FALSE(t.screen.text.empty()) << text;
          if (t.screen.end || !seen.insert(t.screen.text).second) continue;
          for (const char* in : {"0", "1", "2", "3", "7", "9", "x"})
            next.push_back(text.empty() ? in : text + "*" + in);
        }
        frontier = std::move(next);
      }
      if (limits.gsm7_chars != UssdLimits{}.gsm7_chars) continue;
      // At the default limits the cancel list shows some applications, and each number shown opens
      // the confirmation for that very application.
      std::string list = ussd_respond(s0, "3", t0, limits).screen.text;
      int shown = 0;
      for (int k = 1; k <= 7; ++k) {
        std::string code = "ICDL-ADV-2026-0" + std::to_string(k - 1);
        if (list.find(code) == std::string::npos) break;
        ++shown;
        std::string confirm = ussd_respond(s0, "3*" + std::to_string(k), t0, limits).screen.text;
        EXPECT_NE(confirm.find(code), std::string::npos) << k << ":\n" << confirm;
      }
      EXPECT_GE(shown, 1) << list;
      EXPECT_LT(shown, 7) << "seven 16-character codes cannot all fit:\n" << list;
      // A number beyond what is shown is refused, not taken for an application the applicant never saw.
      std::string beyond = ussd_respond(s0, "3*" + std::to_string(shown + 1), t0, limits).screen.text;
      EXPECT_EQ(beyond.find("ICDL-ADV-2026-0" + std::to_string(shown)), std::string::npos) << beyond;
    }
  }
}

}  // namespace
}  // namespace cg::core
