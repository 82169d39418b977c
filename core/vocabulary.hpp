// The reader's words (core/vocabulary/*.txt, compiled in), parsed once into lookup tables. Internal
// to core/reader.cpp and its tests; the file format is described in docs/understanding.md.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/reader.hpp"

namespace cg::core::vocabulary {

// The builtin files (generated from core/vocabulary/*.txt): "ar", "en", "arabizi".
std::string_view builtin_text(std::string_view name);

// What a word does in a message besides naming an intent.
enum Role : std::uint16_t {
  kTopic = 1 << 0,     // "course", "دورة": the thing the service is about
  kWant = 1 << 1,      // "بدي", "I want": a request
  kQuestion = 1 << 2,  // "شو", "what"
  kNegation = 1 << 3,  // "مش", "don't": turns the next verb
  kGreeting = 1 << 4,  // "مرحبا", "hi", and thanks
  kFiller = 1 << 5,    // "please", "لو سمحت": no meaning here
  kOther = 1 << 6,     // a word of another municipal subject: the message is about something else
  kMessages = 1 << 7,  // "رسائل", "texts": our SMS themselves ("ما بدي رسائل" is a STOP)
  kThanks = 1 << 8,    // "شكرا", "thanks": "thanks for your help" asks for nothing
};
inline constexpr std::uint32_t kNoEntry = 0xFFFFFFFF;

inline constexpr std::uint8_t kStrong = 3;
inline constexpr std::uint8_t kWeak = 1;
inline constexpr std::uint8_t kPhraseWeight = 5;

struct Entry {
  std::uint16_t roles = 0;
  Intent intent = Intent::none;
  std::uint8_t weight = 0;
  Intent when_negated = Intent::none;  // the intent this word means after a negation
};

struct Phrase {
  std::vector<std::uint32_t> words;  // entry ids, in order
  Intent intent = Intent::none;
  bool unmistakable = false;
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using Index = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;
using MultiIndex = std::unordered_map<std::string, std::vector<std::uint32_t>, StringHash, std::equal_to<>>;

struct Vocabulary {
  std::vector<Entry> entries;
  std::vector<std::string> spellings;  // per entry, its folded form (for fuzzy checks)
  std::vector<std::uint8_t> scripts;   // per entry: 0 Arabic, 1 English, 2 Arabizi
  Index words;                         // Arabic and English words, folded
  Index arabizi;                       // Arabizi words by consonant skeleton
  MultiIndex deletes;                  // folded words with 1 (and, long ones, 2) letters deleted -> entries
  std::vector<Phrase> phrases;
  // Per entry id, the phrases whose first word means the same (see same_meaning).
  std::vector<std::vector<std::uint32_t>> phrases_starting;
  std::vector<std::string> ar_prefixes, ar_suffixes, en_suffixes, arabizi_prefixes, arabizi_suffixes;
};

// The builtin vocabulary, parsed on first use (thread-safe static).
const Vocabulary& builtin();
// Parses files given as (name, text): name "arabizi" holds Arabizi words, others Arabic or English.
// A line it cannot read stops with its file and line in the message (std::runtime_error): the
// files are compiled in, so a mistake shows in the tests, never at an applicant.
Vocabulary parse(const std::vector<std::pair<std::string, std::string_view>>& files);

// One byte a letter: ASCII letters and digits as they are, Arabic letters U+0621..U+064A as
// 0x80 + (c - 0x0620), with ئ ؤ folded to ي و and Persian پ چ گ ژ to ب ج ك ز. 0: not a letter.
unsigned char fold_letter(char32_t c) noexcept;
// `normalized` (normalize_text output) as one folded word, skipping what is not a letter.
std::string fold_word(std::string_view normalized);
// The Arabizi consonant skeleton of a Latin word: vowels, y, w (after the first letter) and the
// hamza digit 2 dropped, sh ch kh gh th dh as one letter each, doubled letters once.
std::string arabizi_skeleton(std::string_view word);
// The key of a Latin word in the Arabizi index: its skeleton, or "=" and the word itself when the
// skeleton is shorter than 2 ("aywa", "la", "sho" have next to no consonants).
std::string arabizi_key(std::string_view word);
// `w` as written, or with one of `prefixes` and/or one of `suffixes` stripped (a stem of at least
// `min_stem` letters left): the entry found with the fewest letters removed, or kNoEntry.
std::uint32_t find_stripped(const Index& index, std::string_view w, const std::vector<std::string>& prefixes,
                            const std::vector<std::string>& suffixes, std::size_t min_stem, std::size_t& steps);
// Two words of the same meaning (same intent, weight and roles: "الغي" and "الغاء", "اشتراكي" and
// "الاشتراك") stand for each other in a phrase; fillers, questions and greetings only for themselves.
bool same_meaning(const Vocabulary& v, std::uint32_t a, std::uint32_t b);
// Whether two folded Arabic letters are neighbours on the Arabic keyboard.
bool keyboard_neighbours(unsigned char a, unsigned char b);

}  // namespace cg::core::vocabulary
