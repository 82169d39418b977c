// The free-text reader of the SMS conversation: what an applicant means when they write in their own
// words (Jordanian Arabic, MSA, Gulf and Egyptian forms, Arabizi, English of any fluency, with
// typos), as an intent, the course codes it may name, the words that may name a course by title, and
// how sure the reading is. Pure and independent of the store and the dialogue: it runs on the HTTP
// thread before the store's writer (see read_text in core/conversation.hpp).
//
// The words it knows are data, not code: core/vocabulary/{ar,en,arabizi}.txt, compiled in (see
// docs/understanding.md for the format). Reading a message:
// 1. Tokens: Arabic words, Latin words (Arabizi keeps its digits: "el8i", "3arabi"), digit runs.
// 2. Each word is looked up as written, then with the clitics and affixes of its language stripped
//    (و ف ب ل ال لل ... / -ني -ي -ها ... / -s -ing ...), then with a length-dependent edit distance
//    (1 from 4 Arabic or 5 Latin letters, 2 from 8; short Arabic words only for keyboard neighbours);
//    Latin words that are not English are looked up by their Arabizi consonant skeleton.
// 3. Phrases ("الغاء الاشتراك" is STOP) are matched on the looked-up words; negation before a verb
//    turns it ("مش رح احضر" is CANCEL, "لا تبعتوا" is STOP); greetings and thanks are set aside;
//    words of other municipal subjects make a message about something else.
// 4. Each intent's cue weights add up; the best one, and its margin, give the certainty.
// Work is linear in the message: at most kMaxTokens words are read, each in bounded steps.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cg::core {

enum class Intent : std::uint8_t {
  none,
  courses,
  more,
  join,
  status,
  cancel,
  help,
  stop,
  start,
  english,
  arabic,
  yes,
  no,
};
inline constexpr std::size_t kIntentCount = 13;
std::string_view to_string(Intent i);
bool parse_intent(std::string_view text, Intent& out);

// How sure a reading is. `sure` and `likely` are acted on (an action that costs the applicant
// something is confirmed first); `unsure` offers the likely meanings.
enum class Certainty : std::uint8_t { none, unsure, likely, sure };

struct Reading {
  Intent intent = Intent::none;
  Certainty certainty = Certainty::none;
  // A phrase that can only mean its intent ("الغاء الاشتراك", "unsubscribe"): STOP acts at once.
  bool unmistakable = false;
  bool greeting = false;  // a greeting or thanks (alone, intent stays none)
  bool thanks = false;    // thanks, and no greeting word ("شكرا", "thx")
  // Nothing but greetings, thanks and words of no meaning here ("مرحبا", "thank you!"): answered
  // in kind, with what can be written.
  bool courtesy = false;
  bool arabizi = false;  // Arabic written in Latin letters: the reply goes in Arabic
  // Worded as a request: a wish, a question, a negation or a phrase ("بدي", "how", "مش"). A name
  // has none of them, so at the name step only such a message is read as anything but the name.
  bool request = false;
  // The runner-up meanings, best first (for "did you mean"); none-terminated.
  std::array<Intent, 3> alternatives{};
  // Course codes the message may name, lower-case letters and digits without separators ("b12",
  // "412"), most specific first: "ب ١٢" gives "b12" and "12". Matched against the codes that exist.
  std::vector<std::string> codes;
  // Words left over that may name a course by its title, in the reader's folded form (see
  // title_words): "بدورة الخط العربي" leaves "خط", "عربي".
  std::vector<std::string> words;
};

// At most this many words of a message are read: a 1,600-character message costs no more than that.
inline constexpr std::size_t kMaxTokens = 64;

// `normalized` is normalize_text()'s output. `steps`, when given, counts the reader's inner steps
// (lookups and edit-distance cells), for tests that show the work is bounded.
Reading read_free_text(std::string_view normalized, std::size_t* steps = nullptr);

// A course title's words as read_free_text folds the words of a message (clitics stripped, the
// reader's one-byte-a-letter form), for matching a title against Reading::words.
std::vector<std::string> title_words(std::string_view normalized_title);

// The edit distance (Damerau: a swap of two neighbours is one edit) between two folded words,
// stopping at `limit` + 1. Exposed for the tests.
int edit_distance(std::string_view a, std::string_view b, int limit);

// A code as read_free_text gives it: ASCII letters lower-cased, digits, nothing else ("B-12" -> "b12").
std::string canonical_code(std::string_view code);

}  // namespace cg::core
