// Unit tests of the free-text reader, layer by layer: folding, clitics and affixes, fuzzy
// matching, course codes and titles, scoring and certainty; and bounded work on hostile input.
#include "core/reader.hpp"

#include <gtest/gtest.h>

#include <random>

#include "core/conversation.hpp"
#include "core/free_text.hpp"
#include "core/text.hpp"
#include "core/vocabulary.hpp"

namespace cg::core {
namespace {

Reading read(std::string_view text, std::size_t* steps = nullptr) {
  return read_free_text(normalize_text(text), steps);
}

// ---- folding ---------------------------------------------------------------------------------------

TEST(ReaderFold, OneByteALetterWithTheArabicFormsPeopleMix) {
  using vocabulary::fold_word;
  EXPECT_EQ(fold_word("إلغاء"), fold_word("الغا"));  // hamza forms, and a hamza on the line left out
  EXPECT_EQ(fold_word("دورة"), fold_word("دوره"));
  EXPECT_EQ(fold_word("مسئول"), fold_word("مسيول"));
  EXPECT_EQ(fold_word("پرنامج"), fold_word("برنامج"));  // Persian letters
  EXPECT_EQ(fold_word("Course"), "course");
  EXPECT_EQ(fold_word("دورة").size(), 4u);
}

TEST(ReaderFold, ArabiziSkeletonsIgnoreVowelsDoublingAndFinalHamza) {
  using vocabulary::arabizi_skeleton;
  EXPECT_EQ(arabizi_skeleton("sajelni"), arabizi_skeleton("sajjilni"));
  EXPECT_EQ(arabizi_skeleton("ilgha2"), arabizi_skeleton("el8i"));
  EXPECT_EQ(arabizi_skeleton("mar7aba"), arabizi_skeleton("marhaba"));
  EXPECT_NE(arabizi_skeleton("a2dar"), arabizi_skeleton("dora"));  // a hamza inside a word counts
  EXPECT_EQ(vocabulary::arabizi_key("aywa"), "=aywa");             // next to no consonants: as written
}

TEST(ReaderFold, KeyboardNeighboursOnTheArabicLayout) {
  auto f = [](char32_t c) { return vocabulary::fold_letter(c); };
  EXPECT_TRUE(vocabulary::keyboard_neighbours(f(U'ج'), f(U'ح')));
  EXPECT_TRUE(vocabulary::keyboard_neighbours(f(U'ب'), f(U'ل')));
  EXPECT_TRUE(vocabulary::keyboard_neighbours(f(U'ش'), f(U'ض')));  // the key above
  EXPECT_FALSE(vocabulary::keyboard_neighbours(f(U'ق'), f(U'ز')));
  EXPECT_FALSE(vocabulary::keyboard_neighbours(f(U'د'), f(U'ن')));
}

// ---- clitics and affixes ----------------------------------------------------------------------------

TEST(ReaderClitics, PrefixesAndSuffixesOnAnyWord) {
  for (const char* text : {"والتسجيل", "فسجلني", "بالتسجيل", "للتسجيل", "سجلوني", "بسجل", "نسجل"})
    EXPECT_EQ(read(std::string(text) + " 101").intent, Intent::join) << text;
  for (const char* text : {"الغوها", "الغيلي", "والغي", "الغولي"}) EXPECT_EQ(read(text).intent, Intent::cancel) << text;
  EXPECT_EQ(read("حالتي").intent, Intent::status);       // ة written ت before a suffix
  EXPECT_EQ(read("بستخدمها كيف").intent, Intent::help);  // the stem's alef unwritten after ب
  EXPECT_EQ(read("registrations 101").intent, Intent::join);
}

// ---- fuzzy matching ---------------------------------------------------------------------------------

TEST(ReaderFuzzy, DistanceGrowsWithTheWord) {
  EXPECT_EQ(edit_distance("cancel", "cancle", 2), 1);  // a swap is one edit
  EXPECT_EQ(edit_distance("status", "stauts", 2), 1);
  EXPECT_EQ(edit_distance("abc", "xyz", 1), 2);  // stops past the limit
  EXPECT_EQ(read("cuorses").intent, Intent::courses);
  EXPECT_EQ(read("cancle 101").intent, Intent::cancel);
  EXPECT_EQ(read("unsubscibe").intent, Intent::stop);
  EXPECT_EQ(read("hlep").intent, Intent::help);  // four letters: a swap only
  EXPECT_EQ(read("stopp").intent, Intent::stop);
  EXPECT_EQ(read("الغااااء 101").intent, Intent::cancel);
  EXPECT_EQ(read("تسحيل 101").intent, Intent::join);  // ح for ج: neighbouring keys
  // Short words are not stretched into keywords.
  EXPECT_EQ(read("jon").intent, Intent::none);
  EXPECT_EQ(read("sto").intent, Intent::none);
  // Arabic substitutions only between neighbouring keys: "قيادة" is not "زيادة".
  EXPECT_TRUE(read("لقيادة").words.size() == 1);
}

// ---- codes and titles ----------------------------------------------------------------------------------

TEST(ReaderCodes, HoweverTyped) {
  EXPECT_EQ(read("B-12").codes, (std::vector<std::string>{"b12", "12"}));
  EXPECT_EQ(read("b 12").codes, (std::vector<std::string>{"b12", "12"}));
  EXPECT_EQ(read("ب١٢").codes, (std::vector<std::string>{"b12", "12"}));
  EXPECT_EQ(read("۴۱۲").codes, (std::vector<std::string>{"412"}));
  EXPECT_EQ(read("بدورة412").codes, (std::vector<std::string>{"412"}));
  EXPECT_EQ(read("enrol in 412").codes, (std::vector<std::string>{"412"}));  // "in" is a word, not a prefix
  EXPECT_TRUE(read("0791234567").codes.empty());                             // a phone number is no code
  EXPECT_TRUE(read("la2").codes.empty());                                    // Arabizi, not a code
  EXPECT_EQ(canonical_code("ICDL-B"), "icdlb");
}

TEST(ReaderCodes, MatchedAgainstTheCodesThatExist) {
  const LocalizedText a{"الخط العربي", "Arabic Calligraphy"}, b{"الخياطة", "Sewing"}, c{"الطبخ", "Cooking"};
  const std::vector<Named> items{{"B-12", &a}, {"412", &b}, {"12", &c}};
  auto named = [&](std::string_view text) {
    NamedMatch m = match_named(read(text), items);
    return m.named ? std::string(items[m.closest[0]].code) : std::string("-");
  };
  EXPECT_EQ(named("ب١٢"), "B-12");  // the longer reading wins when both exist
  EXPECT_EQ(named("12"), "12");
  EXPECT_EQ(named("بدي اسجل بدورة الخط العربي"), "B-12");
  EXPECT_EQ(named("sewing please"), "412");
  EXPECT_EQ(named("bdi dawrat el tabkh"), "12");  // Arabizi against the Arabic title, by consonants
  EXPECT_EQ(named("412 and 12"), "-");            // two courses: neither
  EXPECT_EQ(named("cancel 412 and join 12"), "-");
  EXPECT_EQ(named("سجلني بدورة 412 و 12"), "-");
  NamedMatch near = match_named(read("413"), items);
  EXPECT_FALSE(near.named);
  ASSERT_FALSE(near.closest.empty());
  EXPECT_EQ(items[near.closest[0]].code, "412");
}

// ---- scoring ---------------------------------------------------------------------------------------------

TEST(ReaderScoring, NegationTurnsVerbsOnly) {
  EXPECT_EQ(read("مش رح اقدر احضر 412").intent, Intent::cancel);
  EXPECT_EQ(read("لا تبعتولي رسايل").intent, Intent::stop);
  EXPECT_EQ(read("ما بدي رسائل").intent, Intent::stop);    // a wish for none of our messages
  EXPECT_EQ(read("ما حالة طلبي").intent, Intent::status);  // ما as "what": no verb after it
  EXPECT_EQ(read("لا شكرا").intent, Intent::no);
}

// ---- safety: misreadings that would act on what the applicant did not ask ------------------------

// Whether a reading would act: join, cancel or stop at a certainty the conversation acts on.
bool acts(const Reading& r) {
  return r.certainty >= Certainty::likely &&
         (r.intent == Intent::join || r.intent == Intent::cancel || r.intent == Intent::stop);
}

TEST(ReaderSafety, ARefusedActionIsNoAction) {
  for (std::string_view text :
       {"don't cancel 101", "do not cancel my course", "لا تلغي تسجيلي", "لا تلغي اشتراكي بدورة 101",
        "لا تلغوا تسجيلي ب 101", "مش رح الغي 101", "ما بدي الغي", "don't stop the messages", "لا توقفوا الرسائل",
        "never stop", "please don't unsubscribe me"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(acts(read(text)));
  }
  EXPECT_EQ(read("لا ما بدي الغي").intent, Intent::no);
  EXPECT_EQ(read("مش موافق").intent, Intent::no);  // a negated yes
}

TEST(ReaderSafety, WhatWasDoneIsAReportNotARequest) {
  for (std::string_view text : {"I cancelled my other course", "i already cancelled 101 last week",
                                "I didn't cancel 101, why is it cancelled?", "الغيت دورة 101 بالغلط"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(acts(read(text)));
  }
}

TEST(ReaderSafety, AStopAboutCourseInformationIsConfirmedAndCancelsNothing) {
  Reading r = read("stop sending the wrong course info");
  EXPECT_NE(r.intent, Intent::cancel);
  EXPECT_FALSE(r.unmistakable);  // asked first, not opted out at once
  Reading m = read("مرحبا، الرسايل كترت وانا مش مهتم بالدورات هلأ، بدي توقفوا ترسلولي");
  EXPECT_EQ(m.intent, Intent::stop);
  EXPECT_FALSE(m.unmistakable);
}

TEST(ReaderSafety, NumbersThatAreNoCourseCodes) {
  for (std::string_view text : {"call me on +962 79 101 2345", "07 9101 2345", "موعد الدورة 12/10/2026", "الساعة 10:30",
                                "بنتي عمرها ١٢ سنة", "35 JD", "1"}) {
    SCOPED_TRACE(text);
    EXPECT_TRUE(read(text).codes.empty());
  }
  EXPECT_EQ(read("join 1 0 1").codes.front(), "101");  // typed digit by digit
  EXPECT_EQ(read("تسجيل ١٢ب").codes.front(), "b12");   // the letter after the digits
  EXPECT_EQ(read("بنتي عمرها ١٢ سنة بدي اسجلها ب 106").codes, (std::vector<std::string>{"b106", "106"}));
}

TEST(ReaderSafety, AnotherSubjectWithACodeIsNotOurs) {
  for (std::string_view text : {"الغاء مخالفة 101", "bus stop 101 is damaged", "the bus route 108 doesn't stop here",
                                "stop sign broken near my house", "بدي اشتكي على جاري"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(acts(read(text)));
  }
  EXPECT_EQ(read("الغاء تسجيلي بدورة 101").intent, Intent::cancel);  // a course word: ours again
}

TEST(ReaderScoring, PhrasesDecoysGreetingsAndCertainty) {
  Reading unsub = read("الغاء اشتراكي بالرسائل");
  EXPECT_EQ(unsub.intent, Intent::stop);
  EXPECT_TRUE(unsub.unmistakable);
  Reading stop = read("لا تبعتوا رسايل");
  EXPECT_EQ(stop.intent, Intent::stop);
  EXPECT_FALSE(stop.unmistakable);                                    // confirmed first
  EXPECT_EQ(read("الغاء اشتراكي بدورة 412").intent, Intent::cancel);  // a course named: that course
  EXPECT_EQ(read("وين دورات المياه").intent, Intent::none);
  EXPECT_EQ(read("بدي الغي اشتراك المي").intent, Intent::none);
  Reading hi = read("مرحبا");
  EXPECT_EQ(hi.intent, Intent::none);
  EXPECT_TRUE(hi.greeting);
  EXPECT_EQ(read("مرحبا، بدي اسجل 101").intent, Intent::join);
  EXPECT_EQ(read("بدي اسجل بدورة 101").certainty, Certainty::sure);
  Reading tie = read("حالة مساعدة");
  EXPECT_EQ(tie.certainty, Certainty::unsure);
  EXPECT_NE(tie.alternatives[1], Intent::none);
  EXPECT_TRUE(read("bdi ashtrek").arabizi);
}

TEST(ReaderVocabulary, TheBuiltinFilesParseAndMistakesAreNamed) {
  const auto& v = vocabulary::builtin();
  EXPECT_GT(v.entries.size(), 300u);
  EXPECT_GT(v.phrases.size(), 20u);
  EXPECT_THROW(vocabulary::parse({{"ar", "[nonsense]\nكلمة\n"}}), std::runtime_error);
  EXPECT_THROW(vocabulary::parse({{"en", "word before section\n"}}), std::runtime_error);
  EXPECT_THROW(vocabulary::parse({{"en", "[phrases]\ntwo words = dance\n"}}), std::runtime_error);
  auto ok = vocabulary::parse({{"en", "[join]\nenlist\n[phrases]\nput me = join!\n"}});
  EXPECT_EQ(ok.entries.size(), 3u);
}

// ---- bounded work ----------------------------------------------------------------------------------------

// A 1,600-character message of mixed scripts and emoji is read in work linear in its length:
// counted in the reader's steps (lookups, edit-distance cells, characters), never timed.
TEST(ReaderBounds, LongMixedMessagesCostLinearWork) {
  const std::string unit = "بدي اسجل bdi ashtrek 😀 cancle ١٠١ B-12 ";  // 39 characters
  std::string message;
  while (text::count_chars(message) < 1600) message += unit;
  message = text::truncate(message, 1600, "");
  std::size_t steps_long = 0, steps_short = 0;
  read(message, &steps_long);
  read(unit, &steps_short);
  EXPECT_GT(steps_short, 0u);
  // At most kMaxTokens words are looked up however long the message: the characters past them are
  // only scanned once.
  EXPECT_LE(steps_long, steps_short * (kMaxTokens / 6 + 2) + message.size());
  // One long word (no spaces) is cut to a word's length.
  std::size_t steps_word = 0;
  read(std::string(1600, 'a'), &steps_word);
  EXPECT_LE(steps_word, 1600u + 2000u);
}

TEST(ReaderBounds, RandomBytesNeverCrash) {
  std::mt19937 rng(20261207);
  const std::vector<std::string> pieces{
      "ب", "ال",           "١", "2", "a", "-", " ", "\xF0\x9F\x98\x80", "\xD9", "\xFF", "ة", "ء", "لا",
      "z", "\xE2\x80\x8F", "#", "9", "ي"};
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    const int n = static_cast<int>(rng() % 200);
    for (int k = 0; k < n; ++k) s += pieces[rng() % pieces.size()];
    std::size_t steps = 0;
    Reading r = read_free_text(normalize_text(s), &steps);
    EXPECT_LE(r.codes.size(), 6u);
    EXPECT_LE(steps, 40u * s.size() + 5000u);
    (void)read_text(s);
  }
}

}  // namespace
}  // namespace cg::core
