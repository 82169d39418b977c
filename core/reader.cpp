// One file on purpose (~720 lines): tokens, word lookup, course codes and scoring share the token
// form and the vocabulary's internals, and read a message in one pass.
#include "core/reader.hpp"

#include <algorithm>

#include "core/text.hpp"
#include "core/vocabulary.hpp"

namespace cg::core {

namespace {

using vocabulary::Entry;
using vocabulary::Vocabulary;

constexpr std::array<std::string_view, kIntentCount> kIntentNames{
    "none", "courses", "more", "join", "status", "cancel", "help", "stop", "start", "english", "arabic", "yes", "no"};

// A word longer than this is no word of the vocabulary: it is read by its first letters only.
constexpr std::size_t kMaxWordBytes = 24;
using vocabulary::kNoEntry;

struct Token {
  enum Kind : std::uint8_t { arabic, latin, digits } kind = arabic;
  std::string text;            // folded, one byte a letter
  bool glued_next = false;     // the next token follows with nothing between ("ب١٢", "بدوره412")
  bool joinable_next = false;  // only spaces, '-', '.', '#' or ':' before the next token ("b-12")
  char mark_next = 0;          // the last '/', '.', ':' or '-' before the next token ("12/10", "10:30")
};

bool is_arabic_byte(unsigned char b) { return b >= 0x80; }

// The message as tokens: at most kMaxTokens, each at most kMaxWordBytes letters.
std::vector<Token> tokenize(std::string_view s, std::size_t& steps) {
  std::vector<Token> out;
  out.reserve(16);
  Token* cur = nullptr;
  bool seen_separator = false, joinable = true;  // since the last token ended
  char mark = 0;
  for (std::size_t i = 0; i < s.size();) {
    ++steps;
    char32_t c;
    std::size_t n = text::next_utf8(s.substr(i), c);
    if (n == 0) {
      c = 0xFFFD;
      n = 1;
    }
    i += n;
    // "don't", "I'd": one word. A hamza on the line is often left out ("الغا" for "الغاء"): the
    // reader leaves it out always.
    if (c == U'\'' || c == 0x2019 || c == 0x0621) continue;
    const unsigned char b = vocabulary::fold_letter(c);
    if (b == 0) {
      seen_separator = true;
      joinable = joinable && (c == U' ' || c == U'-' || c == U'.' || c == U'#' || c == U':');
      if (c == U'/' || c == U'.' || c == U':' || c == U'-') mark = static_cast<char>(c);
      cur = nullptr;
      continue;
    }
    const Token::Kind kind = is_arabic_byte(b) ? Token::arabic : (b >= '0' && b <= '9') ? Token::digits : Token::latin;
    if (cur) {
      const bool extends = cur->kind == kind || (cur->kind == Token::latin && kind == Token::digits) ||
                           (cur->kind == Token::digits && kind == Token::latin);
      if (extends) {
        if (kind == Token::latin) cur->kind = Token::latin;
        if (cur->text.size() < kMaxWordBytes) cur->text.push_back(static_cast<char>(b));
        continue;
      }
    }
    if (!out.empty()) {
      out.back().glued_next = !seen_separator;
      out.back().joinable_next = joinable;
      out.back().mark_next = mark;
    }
    if (out.size() == kMaxTokens) break;
    out.push_back(Token{kind, std::string(1, static_cast<char>(b)), false, false});
    cur = &out.back();
    seen_separator = false;
    joinable = true;
    mark = 0;
  }
  return out;
}

// Folded letters the rules below look at.
const char kAlef = static_cast<char>(vocabulary::fold_letter(U'ا'));
const char kBa = static_cast<char>(vocabulary::fold_letter(U'ب'));
const char kTa = static_cast<char>(vocabulary::fold_letter(U'ت'));
const char kYa = static_cast<char>(vocabulary::fold_letter(U'ي'));
const char kNun = static_cast<char>(vocabulary::fold_letter(U'ن'));
const char kShin = static_cast<char>(vocabulary::fold_letter(U'ش'));
const char kLam = static_cast<char>(vocabulary::fold_letter(U'ل'));

// Runs of three or more of one letter as one ("الغاااء", "pleeease"); `all` also doubles.
std::string collapse_repeats(const std::string& w, bool all) {
  std::string out;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const bool run3 = i + 2 < w.size() && w[i] == w[i + 1] && w[i] == w[i + 2];
    if (!out.empty() && out.back() == w[i] && (all || run3 || (i >= 2 && w[i - 1] == w[i] && w[i - 2] == w[i])))
      continue;
    out.push_back(w[i]);
  }
  return out;
}

class Reader {
 public:
  Reader(const Vocabulary& v, std::size_t& steps) : v_(v), steps_(steps) {}

  std::uint32_t exact(const vocabulary::Index& index, std::string_view key) {
    ++steps_;
    auto it = index.find(key);
    return it == index.end() ? kNoEntry : it->second;
  }

  std::uint32_t stripped(const vocabulary::Index& index, std::string_view w, const std::vector<std::string>& prefixes,
                         const std::vector<std::string>& suffixes, std::size_t min_stem) {
    return vocabulary::find_stripped(index, w, prefixes, suffixes, min_stem, steps_);
  }

  // The closest vocabulary word within the edit distance its length allows.
  std::uint32_t fuzzy(std::string_view q, bool latin) {
    if (q.size() < (latin ? 5u : 4u)) return kNoEntry;
    // The article adds letters, not room for mistakes: "الشماليه" is no slip of "التاليه".
    const bool article = !latin && q.size() > 2 && q[0] == kAlef && q[1] == kLam;
    const int max_d = q.size() - (article ? 2 : 0) >= 8 ? 2 : 1;
    std::uint32_t best = kNoEntry;
    int best_d = max_d + 1;
    auto check = [&](std::string_view key) {
      ++steps_;
      auto it = v_.deletes.find(key);
      if (it == v_.deletes.end()) return;
      for (std::uint32_t id : it->second) {
        const std::string& sp = v_.spellings[id];
        const int allowed = std::min(max_d, std::max(q.size(), sp.size()) >= 8 ? 2 : 1);
        const int d = edit_distance(q, sp, allowed);
        steps_ += q.size() * sp.size();
        if (!latin && !arabic_slip(q, sp)) continue;
        if (d <= allowed && d < best_d) {
          best = id;
          best_d = d;
        }
      }
    };
    check(q);
    std::string d1;
    for (std::size_t i = 0; i < q.size(); ++i) {
      d1.assign(q.substr(0, i)).append(q.substr(i + 1));
      check(d1);
      if (max_d > 1)
        for (std::size_t j = i; j < d1.size(); ++j) check(std::string(d1.substr(0, j)) + d1.substr(j + 1));
    }
    return best;
  }

  // An Arabic word of the same length as a vocabulary word differs from it by a swap or by letters
  // on neighbouring keys ("قيادة" is not "زيادة", "ادارة" not "انارة"): other substitutions make
  // other words too easily in Arabic's dense roots.
  static bool arabic_slip(std::string_view q, std::string_view sp) {
    if (q.size() != sp.size()) return true;
    for (std::size_t i = 0; i < q.size(); ++i) {
      if (q[i] == sp[i]) continue;
      if (i + 1 < q.size() && q[i] == sp[i + 1] && q[i + 1] == sp[i]) {
        ++i;
        continue;
      }
      if (!vocabulary::keyboard_neighbours(static_cast<unsigned char>(q[i]), static_cast<unsigned char>(sp[i])))
        return false;
    }
    return true;
  }

  // A short Arabic word with one letter slipped to a neighbouring key ("سجك" for "سجل").
  std::uint32_t neighbour_slip(std::string_view w) {
    std::string t(w);
    for (std::size_t i = 0; i < t.size(); ++i) {
      const char original = t[i];
      for (unsigned b = 0x81; b <= 0xAA; ++b) {
        if (b == static_cast<unsigned char>(original) ||
            !vocabulary::keyboard_neighbours(static_cast<unsigned char>(original), static_cast<unsigned char>(b)))
          continue;
        t[i] = static_cast<char>(b);
        if (auto e = exact(v_.words, t); e != kNoEntry) return e;
      }
      t[i] = original;
    }
    return kNoEntry;
  }

  // A short word with two neighbouring letters swapped ("hlep", "mroe"): too short for an edit
  // distance, but a swap rarely makes another word.
  std::uint32_t swapped(std::string_view w) {
    std::string t(w);
    for (std::size_t i = 0; i + 1 < t.size(); ++i) {
      if (t[i] == t[i + 1]) continue;
      std::swap(t[i], t[i + 1]);
      if (auto e = exact(v_.words, t); e != kNoEntry) return e;
      std::swap(t[i], t[i + 1]);
    }
    return kNoEntry;
  }

  struct Found {
    std::uint32_t entry = kNoEntry;
    bool arabizi = false;
  };

  Found look_up(const Token& t) {
    if (t.kind == Token::digits) return {};
    if (t.kind == Token::arabic) {
      for (bool all : {false, true}) {
        std::string w = collapse_repeats(t.text, all);
        if (all && w == t.text) break;
        if (auto e = stripped(v_.words, w, v_.ar_prefixes, v_.ar_suffixes, 2); e != kNoEntry) return {e};
      }
      std::string w = collapse_repeats(t.text, false);
      // The imperfect's ب ت ي ن take the place of a verb's first alef ("بستعمل" is ب + "استعمل").
      if (w.size() >= 4 && (w[0] == kBa || w[0] == kTa || w[0] == kYa || w[0] == kNun)) {
        std::string alef = kAlef + w.substr(1);
        if (auto e = exact(v_.words, alef); e != kNoEntry) return {e};
      }
      if (auto e = fuzzy(w, false); e != kNoEntry) return {e};
      for (const auto& p : v_.ar_prefixes)
        if (w.size() > p.size() + 3 && w.compare(0, p.size(), p) == 0)
          if (auto e = fuzzy(std::string_view(w).substr(p.size()), false); e != kNoEntry) return {e};
      if (w.size() == 3) {
        if (auto e = neighbour_slip(w); e != kNoEntry) return {e};
        if (auto e = swapped(w); e != kNoEntry) return {e};
      }
      return {};
    }
    std::string w = collapse_repeats(t.text, false);
    static const std::vector<std::string> kNone;
    if (auto e = stripped(v_.words, w, kNone, v_.en_suffixes, 3); e != kNoEntry) return {e};
    if (w.size() == 4)
      if (auto e = swapped(w); e != kNoEntry) return {e};
    std::string sk = vocabulary::arabizi_key(w);
    if (auto e = stripped(v_.arabizi, sk, sk[0] == '=' ? kNone : v_.arabizi_prefixes,
                          sk[0] == '=' ? kNone : v_.arabizi_suffixes, 2);
        e != kNoEntry)
      return {e, true};
    if (auto e = fuzzy(w, true); e != kNoEntry) return {e};
    if (std::string d = collapse_repeats(w, true); d != w)
      if (auto e = exact(v_.words, d); e != kNoEntry) return {e};
    return {};
  }

 private:
  const Vocabulary& v_;
  std::size_t& steps_;
};

// A single Arabic letter typed for a Latin one in a course code ("ب١٢" for B12).
char latin_for(unsigned char folded) {
  static constexpr std::pair<char32_t, char> kMap[] = {
      {U'ا', 'a'}, {U'ب', 'b'}, {U'ت', 't'}, {U'ج', 'j'}, {U'د', 'd'}, {U'ه', 'h'}, {U'ف', 'f'},
      {U'ك', 'k'}, {U'ل', 'l'}, {U'م', 'm'}, {U'ن', 'n'}, {U'ر', 'r'}, {U'س', 's'}, {U'ق', 'q'},
      {U'ي', 'y'}, {U'ز', 'z'}, {U'و', 'w'}, {U'ح', 'h'}, {U'ص', 's'}, {U'ط', 't'}, {U'ي', 'e'},
  };
  for (auto [a, l] : kMap)
    if (vocabulary::fold_letter(a) == folded) return l;
  return 0;
}

bool is_code_word(const std::string& w) {
  // One to three letters, then one to six digits ("b12", "ar101"); or digits only.
  std::size_t letters = 0;
  while (letters < w.size() && w[letters] >= 'a' && w[letters] <= 'z') ++letters;
  const std::size_t digits = w.size() - letters;
  if (letters > 3 || digits == 0 || digits > 6) return false;
  for (std::size_t i = letters; i < w.size(); ++i)
    if (w[i] < '0' || w[i] > '9') return false;
  return true;
}

void add_code(Reading& r, std::string code) {
  if (std::find(r.codes.begin(), r.codes.end(), code) == r.codes.end() && r.codes.size() < 6)
    r.codes.push_back(std::move(code));
}

// Course codes: a code-shaped word that is no word of the vocabulary ("b12", not "la2"), digits, and
// a letter (Latin, or one Arabic letter for a Latin one) before digits ("B-12", "b 12", "ب١٢").
// Words after a number that make it a quantity, not a code ("عمرها ١٢ سنة", "35 JD", "3 days").
bool is_unit(const std::string& folded) {
  static const std::vector<std::string> kUnits = [] {
    std::vector<std::string> out;
    for (std::string_view w : {"سنه",  "سنين",  "سنوات", "عام",    "اعوام",  "شهر",    "اشهر", "شهور",  "يوم",  "ايام",
                               "ساعه", "ساعات", "دقيقه", "دقايق",  "دينار",  "دنانير", "ليره", "قرش",   "year", "years",
                               "yrs",  "yo",    "month", "months", "day",    "days",   "hour", "hours", "hrs",  "min",
                               "mins", "jd",    "jod",   "dinar",  "dinars", "kg",     "km"})
      out.push_back(vocabulary::fold_word(w));
    return out;
  }();
  return std::find(kUnits.begin(), kUnits.end(), folded) != kUnits.end();
}

// Digit tokens that are part of a phone number, a date or a time ("+962 79 101 2345", "12/10/2026",
// "10:30"): several numbers in a row with seven digits or more, or with '/' or ':' between them.
std::vector<bool> number_runs(const std::vector<Token>& tokens) {
  std::vector<bool> skip(tokens.size(), false);
  for (std::size_t i = 0; i < tokens.size();) {
    if (tokens[i].kind != Token::digits) {
      ++i;
      continue;
    }
    std::size_t k = i, digits = tokens[i].text.size();
    bool marked = false;
    while (k + 1 < tokens.size() && tokens[k + 1].kind == Token::digits && !tokens[k].glued_next) {
      marked = marked || tokens[k].mark_next == '/' || tokens[k].mark_next == ':';
      digits += tokens[++k].text.size();
    }
    const bool dotted = k >= i + 2 && tokens[i].mark_next == '.';
    if (k > i && (digits >= 7 || marked || dotted))
      for (std::size_t j = i; j <= k; ++j) skip[j] = true;
    i = k + 1;
  }
  return skip;
}

void find_codes(const std::vector<Token>& tokens, const std::vector<std::uint32_t>& entries, Reading& r) {
  const std::vector<bool> not_code = number_runs(tokens);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (t.kind == Token::latin && entries[i] == kNoEntry && is_code_word(t.text)) add_code(r, t.text);
    if (t.kind != Token::digits || t.text.size() > 6 || not_code[i]) continue;
    if (i + 1 < tokens.size() && tokens[i + 1].kind != Token::digits && is_unit(tokens[i + 1].text)) continue;
    // Digits typed one by one ("1 0 1"): three or more single digits apart by spaces are one code.
    if (t.text.size() == 1 && (i == 0 || !(tokens[i - 1].kind == Token::digits && tokens[i - 1].joinable_next))) {
      std::string joined = t.text;
      for (std::size_t j = i; j + 1 < tokens.size() && tokens[j].joinable_next && tokens[j + 1].kind == Token::digits &&
                              tokens[j + 1].text.size() == 1 && joined.size() < 6;
           ++j)
        joined += tokens[j + 1].text;
      if (joined.size() >= 3) add_code(r, joined);
    }
    // The letter after the digits, read right to left ("١٢ب" for B12).
    if (t.joinable_next && i + 1 < tokens.size() && tokens[i + 1].kind == Token::arabic &&
        tokens[i + 1].text.size() == 1 && (i + 2 == tokens.size() || !tokens[i + 1].glued_next))
      if (char l = latin_for(static_cast<unsigned char>(tokens[i + 1].text[0])))
        add_code(r, std::string(1, l) + t.text);
    if (i > 0 && tokens[i - 1].joinable_next) {
      const Token& prev = tokens[i - 1];
      if (prev.kind == Token::latin && entries[i - 1] == kNoEntry && prev.text.size() <= 3 &&
          is_code_word(prev.text + t.text))
        add_code(r, prev.text + t.text);
      if (prev.kind == Token::arabic && prev.text.size() == 1)
        if (char l = latin_for(static_cast<unsigned char>(prev.text[0]))) add_code(r, std::string(1, l) + t.text);
    }
    // One digit alone is a menu choice or a count, no course code.
    if (t.text.size() >= 2) add_code(r, t.text);
  }
}

// The article and prepositions a title word may carry ("بالخط", "للاطفال").
std::string strip_article(const std::string& w) {
  static const std::string kArticles[] = {vocabulary::fold_word("وبال"), vocabulary::fold_word("بال"),
                                          vocabulary::fold_word("وال"),  vocabulary::fold_word("فال"),
                                          vocabulary::fold_word("كال"),  vocabulary::fold_word("لل"),
                                          vocabulary::fold_word("ال")};
  for (const auto& a : kArticles)
    if (w.size() >= a.size() + 3 && w.compare(0, a.size(), a) == 0) return w.substr(a.size());
  return w;
}

struct Scores {
  std::array<int, kIntentCount> s{};
  int topic = 0, want = 0, question = 0, other = 0, phrase = 0, messages = 0, thanks = 0, hello = 0;
  bool language_word = false;
};

}  // namespace

std::string_view to_string(Intent i) { return kIntentNames[static_cast<std::size_t>(i)]; }

bool parse_intent(std::string_view text, Intent& out) {
  for (std::size_t i = 0; i < kIntentNames.size(); ++i)
    if (kIntentNames[i] == text) {
      out = static_cast<Intent>(i);
      return true;
    }
  return false;
}

int edit_distance(std::string_view a, std::string_view b, int limit) {
  const std::size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > static_cast<std::size_t>(limit)) return limit + 1;
  if (n > kMaxWordBytes * 2 || m > kMaxWordBytes * 2) return limit + 1;
  std::array<std::array<int, kMaxWordBytes * 2 + 1>, 3> row{};
  for (std::size_t j = 0; j <= m; ++j) row[1][j] = static_cast<int>(j);
  std::array<int, kMaxWordBytes* 2 + 1>*prev2 = &row[0], *prev = &row[1], *cur = &row[2];
  for (std::size_t i = 1; i <= n; ++i) {
    (*cur)[0] = static_cast<int>(i);
    int row_min = (*cur)[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int v = std::min({(*prev)[j] + 1, (*cur)[j - 1] + 1, (*prev)[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, (*prev2)[j - 2] + 1);
      (*cur)[j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min((*prev)[m], limit + 1);
}

std::string canonical_code(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
  }
  return out;
}

std::vector<std::string> title_words(std::string_view normalized_title) {
  std::size_t steps = 0;
  const Vocabulary& v = vocabulary::builtin();
  std::vector<std::string> out;
  for (const Token& t : tokenize(normalized_title, steps)) {
    if (t.kind == Token::digits) continue;
    std::string w = t.kind == Token::arabic ? strip_article(t.text) : t.text;
    if (w.size() < 3) continue;
    // Words that carry no subject ("and", "for", "باستخدام") match any title: left out.
    if (auto it = v.words.find(w); it != v.words.end() && (v.entries[it->second].roles & vocabulary::kFiller)) continue;
    out.push_back(std::move(w));
  }
  return out;
}

Reading read_free_text(std::string_view normalized, std::size_t* step_count) {
  std::size_t local = 0;
  std::size_t& steps = step_count ? *step_count : local;
  const Vocabulary& v = vocabulary::builtin();
  Reading r;
  std::vector<Token> tokens = tokenize(normalized, steps);
  Reader reader(v, steps);
  std::vector<std::uint32_t> entries(tokens.size(), kNoEntry);
  int arabizi_words = 0, english_words = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    auto f = reader.look_up(tokens[i]);
    entries[i] = f.entry;
    if (f.entry != kNoEntry && tokens[i].kind == Token::latin) ++(f.arabizi ? arabizi_words : english_words);
  }
  // Arabizi when more Latin words read as Arabic than as English ("I registered last week" has a
  // word or two that look like Arabizi, and is English).
  r.arabizi = arabizi_words > english_words;
  find_codes(tokens, entries, r);

  Scores sc;
  // Phrases first: their words are not counted again on their own. A word of the phrase may be
  // followed by up to two words that are not ("الغاء اشتراكي بالرسائل", "stop sending me messages").
  std::vector<bool> used(tokens.size(), false);
  bool unmistakable_stop = false;
  bool phrase_refused = false, stop_phrase = false;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (entries[i] == kNoEntry || used[i]) continue;
    for (std::uint32_t pid : v.phrases_starting[entries[i]]) {
      const auto& p = v.phrases[pid];
      std::size_t at = i + 1, k = 1;
      std::vector<std::size_t> hits{i};
      while (k < p.words.size() && at < tokens.size() && at <= hits.back() + 3) {
        ++steps;
        if (entries[at] != kNoEntry && vocabulary::same_meaning(v, entries[at], p.words[k])) {
          hits.push_back(at);
          ++k;
        }
        ++at;
      }
      if (k < p.words.size()) continue;
      for (std::size_t h : hits) used[h] = true;
      // A negation just before the phrase refuses it ("لا تلغي اشتراكي", "don't stop the messages").
      // The negation is spent on it: it turns nothing after ("don't stop the messages").
      std::size_t negation_at = tokens.size();
      for (std::size_t back = 1; back <= 2 && back <= i; ++back)
        if (entries[i - back] != kNoEntry && (v.entries[entries[i - back]].roles & vocabulary::kNegation))
          negation_at = i - back;
      if (negation_at < tokens.size() && (p.intent == Intent::stop || p.intent == Intent::cancel)) {
        phrase_refused = true;
        used[negation_at] = true;
        for (std::size_t j = hits.back() + 1; j < tokens.size() && j <= hits.back() + 2; ++j)
          if (entries[j] != kNoEntry && v.entries[entries[j]].intent == Intent::none) used[j] = true;
        break;
      }
      sc.s[static_cast<std::size_t>(p.intent)] += vocabulary::kPhraseWeight;
      sc.phrase += 1;
      r.request = true;
      if (p.unmistakable && p.intent == Intent::stop) unmistakable_stop = true;
      if (p.intent == Intent::stop) stop_phrase = true;
      break;
    }
  }

  bool negated_action = phrase_refused;  // "don't cancel", "لا تلغي": an action refused, none to take
  int negation_left = 0;                 // words a negation still reaches
  Intent negation_own = Intent::none;    // what the negation word means alone ("لا": no)
  bool negation_spent = true;
  int cue_words = 0;  // words that say something (not filler, greetings or phrases' words)
  std::vector<std::size_t> language_tokens;
  auto add = [&](Intent i, int w) { sc.s[static_cast<std::size_t>(i)] += w; };
  // What a refused cancel would have acted on is no request either: "لا تلغي تسجيلي" asks no join.
  auto refuse_object = [&](std::size_t verb) {
    for (std::size_t j = verb + 1; j < tokens.size() && j <= verb + 2; ++j)
      if (entries[j] != kNoEntry && v.entries[entries[j]].intent == Intent::join) used[j] = true;
  };
  // A weak leaving word with "from" after it leaves something ("remove me from", "طلعوني من").
  static const std::array<std::string, 4> kFrom{vocabulary::fold_word("من"), "from", "mn", "min"};
  auto from_follows = [&](std::size_t at) {
    for (std::size_t j = at + 1; j < tokens.size() && j <= at + 2; ++j)
      if (std::find(kFrom.begin(), kFrom.end(), tokens[j].text) != kFrom.end()) return true;
    return false;
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& t = tokens[i];
    if (entries[i] == kNoEntry) {
      if (t.kind != Token::digits && !(t.kind == Token::latin && is_code_word(t.text)) && t.text.size() >= 3)
        r.words.push_back(t.kind == Token::arabic ? strip_article(t.text) : t.text);
      if (negation_left > 0) --negation_left;
      continue;
    }
    if (used[i]) continue;
    const Entry& e = v.entries[entries[i]];
    // The Levantine negation's closing ش on the word itself ("بديش", "ما بتبعتوش").
    if (t.kind == Token::arabic && t.text.size() >= 3 && t.text.back() == kShin && !(e.roles & vocabulary::kNegation) &&
        v.words.find(t.text) == v.words.end())
      negation_left = std::max(negation_left, 1);
    if (e.roles & vocabulary::kGreeting) r.greeting = true;
    if (e.roles & vocabulary::kThanks) ++sc.thanks;
    if ((e.roles & vocabulary::kGreeting) && !(e.roles & vocabulary::kThanks)) ++sc.hello;
    if (e.roles & vocabulary::kOther) ++sc.other;
    if (e.roles & vocabulary::kQuestion) ++sc.question;
    if (e.roles & vocabulary::kMessages) ++sc.messages;
    if (e.roles & (vocabulary::kQuestion | vocabulary::kWant | vocabulary::kNegation)) r.request = true;
    // "no." before a number is the number's abbreviation ("course no. 108").
    if (e.intent == Intent::no && t.kind == Token::latin && i + 1 < tokens.size() &&
        tokens[i + 1].kind == Token::digits)
      continue;
    if (e.roles & vocabulary::kNegation) {
      if (!negation_spent && negation_own != Intent::none) add(negation_own, vocabulary::kStrong);
      negation_left = 3;
      negation_own = e.intent;
      negation_spent = false;
      ++cue_words;
      continue;
    }
    // A negated verb or wish: its meaning turned ("مش رح احضر", "لا تبعتوا", "ما بدي") or dropped.
    // A negated wish with no turn of its own is a cancel ("لا أرغب", "مش حابب").
    // A negated cancel or stop is a refusal: nothing to do ("don't cancel", "لا تلغي"); a negated
    // yes is a no ("مش موافق").
    if (negation_left > 0 && e.when_negated == Intent::none &&
        (e.intent == Intent::cancel || e.intent == Intent::stop || e.intent == Intent::yes)) {
      if (e.intent == Intent::yes) {
        add(Intent::no, vocabulary::kStrong);
      } else {
        negated_action = true;
        refuse_object(i);
      }
      negation_left = 0;
      negation_spent = true;
      ++cue_words;
      continue;
    }
    const bool verb = e.when_negated != Intent::none || (e.roles & vocabulary::kWant);
    if (negation_left > 0 && verb) {
      Intent turned = e.when_negated != Intent::none ? e.when_negated : Intent::cancel;
      // A negated wish about our sending ("ما بدي اياكم تبعتولي"): what is not wanted is the SMS;
      // a negated wish to cancel or stop ("ما بدي الغي") is a refusal of that action.
      bool refused = false;
      for (std::size_t j = i + 1; j < tokens.size() && j <= i + 3 && turned == Intent::cancel && !refused; ++j) {
        if (entries[j] == kNoEntry) continue;
        const Entry& next = v.entries[entries[j]];
        if (next.when_negated == Intent::stop) turned = Intent::stop;
        // "مش عايز اتسجل": not joining is nothing to do either.
        if ((e.roles & vocabulary::kWant) && j <= i + 2 && next.when_negated == Intent::none &&
            (next.intent == Intent::cancel || next.intent == Intent::stop ||
             (next.intent == Intent::join && next.weight >= vocabulary::kStrong)) &&
            !used[j]) {
          refused = true;
          used[j] = true;
        }
      }
      negation_left = 0;
      negation_spent = true;
      ++cue_words;
      if (refused) {
        negated_action = true;
        refuse_object(i + 1);
        continue;
      }
      add(turned, vocabulary::kStrong + 1);
      continue;
    }
    if (negation_left > 0) --negation_left;
    if (e.roles & vocabulary::kTopic) ++sc.topic;
    if (e.roles & vocabulary::kWant) ++sc.want;
    if (e.intent == Intent::english || e.intent == Intent::arabic) {
      language_tokens.push_back(i);
      sc.language_word = true;
    }
    if (e.intent == Intent::cancel && e.weight < vocabulary::kStrong && from_follows(i)) {
      add(Intent::cancel, vocabulary::kStrong);
      ++cue_words;
    } else if (e.intent != Intent::none) {
      add(e.intent, e.weight);
      ++cue_words;
    } else if (e.roles & (vocabulary::kTopic | vocabulary::kMessages | vocabulary::kQuestion)) {
      ++cue_words;
    }
  }
  if (!negation_spent && negation_own != Intent::none) add(negation_own, vocabulary::kStrong);

  auto& s = sc.s;
  auto at = [&](Intent i) -> int& { return s[static_cast<std::size_t>(i)]; };
  const bool has_code = !r.codes.empty();
  // "دورة الخط العربي", "english course": a language word beside a course is part of its title.
  if (sc.language_word && (sc.topic > 0 || at(Intent::join) > 0 || at(Intent::cancel) > 0) && sc.phrase == 0) {
    for (std::size_t i : language_tokens) {
      const Entry& e = v.entries[entries[i]];
      at(e.intent) -= e.weight;
      r.words.push_back(tokens[i].kind == Token::arabic ? strip_article(tokens[i].text) : tokens[i].text);
    }
  }
  // Our own messages as the object: cancelling them or wanting none is a STOP, subscribing to them
  // or having them back a START ("ما بدي رسائل", "رجعولي الرسايل").
  if (sc.messages > 0 && sc.topic == 0 && !has_code) {
    at(Intent::stop) += at(Intent::cancel);
    at(Intent::cancel) = 0;
    if (at(Intent::start) > 0 || at(Intent::join) > 0) at(Intent::start) += at(Intent::join) + 2;
    at(Intent::join) = 0;
  }
  // A stop naming a course is about that course: "شيلوني من دورة 412" cancels it.
  // Unless our messages are what is to stop ("مش مهتم بالدورات، وقفوا الرسايل").
  const bool about_messages = sc.messages > 0 && !has_code;
  if (at(Intent::stop) > 0 && (has_code || sc.topic > 0) && !unmistakable_stop && !about_messages &&
      !(stop_phrase && !has_code)) {
    at(Intent::cancel) += at(Intent::stop);
    at(Intent::stop) = 0;
  }
  // A course word beside an unmistakable stop phrase without a code ("stop sending the wrong course
  // info"): a stop still, but one to confirm.
  if (unmistakable_stop && sc.topic > 0 && !has_code) unmistakable_stop = false;
  if (unmistakable_stop && has_code && !about_messages) {
    at(Intent::cancel) += at(Intent::stop);
    at(Intent::stop) = 0;
    unmistakable_stop = false;
  }
  // The registration as the object of another verb: "الغي تسجيلي" cancels, "شو صار بالتسجيل" asks
  // the status, "بدي مساعدة بالتسجيل" asks for help.
  if (at(Intent::join) > 0 && (at(Intent::cancel) >= vocabulary::kStrong || at(Intent::status) >= vocabulary::kStrong ||
                               at(Intent::help) >= vocabulary::kStrong))
    at(Intent::join) = 0;
  // "بدي اشوف كمان": seeing more, of the list already sent.
  if (at(Intent::more) > 0 && at(Intent::courses) > 0 && sc.topic == 0) at(Intent::more) += 1;
  const bool action = at(Intent::join) > 0 || at(Intent::cancel) > 0 || at(Intent::status) > 0;
  if (at(Intent::more) > 0 && sc.topic > 0) {
    at(Intent::more) += 2;  // "بدي كمان دورات": more of them
  } else if (sc.topic > 0 && at(Intent::cancel) == 0 && at(Intent::status) == 0) {
    // A course by its code or subject with a wish or a joining word is a join ("بدي دورة خياطة",
    // "course #101"); a course word alone or with a question, the list.
    if (negated_action) {
      // "do not cancel my course": refused, not a join
    } else if ((has_code && (at(Intent::join) > 0 || sc.question == 0)) ||
               (sc.want > 0 && !r.words.empty() && sc.question == 0))
      // A question about a course by its code is no request to join it ("وين مكان دورة 101").
      at(Intent::join) += vocabulary::kStrong;
    else if (!action)
      at(Intent::courses) += 2;
  } else if (has_code && !action && !negated_action && at(Intent::courses) == 0 && at(Intent::stop) == 0 &&
             at(Intent::help) == 0) {
    // A code alone, or with a wish: that course; asked about ("how much is 105"): the list.
    at(sc.question > 0 ? Intent::courses : Intent::join) += 2;
  }
  // About something else ("دورات المياه", "الغاء اشتراك المي"): unless a course code says otherwise.
  // A code alone does not make it ours ("الغاء مخالفة 101", "bus stop 101"): a code with a course word does.
  if (sc.other > 0 && !(has_code && sc.topic > 0)) {
    for (int& x : s) x = std::max(0, x - 5 * sc.other);
    unmistakable_stop = false;
  }
  if (sc.want > 0 && !r.words.empty() && sc.question == 0 && sc.other == 0 && !negated_action &&
      std::all_of(s.begin(), s.end(), [](int x) { return x == 0; }))
    at(Intent::join) += 2;
  // Asking what there is and how to join, with no course named: the list comes first, to choose from.
  if (!has_code && sc.question > 0 && sc.topic > 0 && at(Intent::courses) > 0 && at(Intent::join) > 0 &&
      at(Intent::cancel) == 0) {
    at(Intent::courses) += at(Intent::join);
    at(Intent::join) = 0;
  }
  // A question about using the service asks for help ("what can i write?").
  if (at(Intent::help) > 0 && sc.question > 0) at(Intent::help) += 1;
  // "thanks for your help", "شكرا على المساعدة": thanks, not a request for help.
  if (sc.thanks > 0 && !r.request && at(Intent::help) > 0) at(Intent::help) = 0;
  // YES and NO are answers: beside a request they are only words ("اي دورات عندكم", "wla la2").
  int request = 0;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (static_cast<Intent>(i) != Intent::yes && static_cast<Intent>(i) != Intent::no)
      request = std::max(request, s[i]);
  if (request >= vocabulary::kStrong) at(Intent::yes) = at(Intent::no) = 0;

  std::array<std::size_t, kIntentCount> order{};
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin() + 1, order.end(), [&](std::size_t a, std::size_t b) { return s[a] > s[b]; });
  const int best = s[order[1]], second = s[order[2]];
  for (std::size_t k = 0; k < r.alternatives.size(); ++k)
    r.alternatives[k] = s[order[k + 1]] > 0 ? static_cast<Intent>(order[k + 1]) : Intent::none;
  // Thanks, unless a greeting came with it ("السلام عليكم ورحمة الله" greets).
  r.thanks = sc.thanks > 0 && sc.hello == 0;
  r.courtesy = r.greeting && best <= 0 && cue_words == 0 && sc.other == 0 && r.words.empty() && r.codes.empty();
  if (best <= 0) return r;
  r.intent = static_cast<Intent>(order[1]);
  const int margin = best - second;
  if (best >= 3 && margin >= 2)
    r.certainty = Certainty::sure;
  else if ((best >= 2 && margin >= 1) || (cue_words == 1 && second == 0))
    r.certainty = Certainty::likely;  // one word that says one thing ("كمان") is clear enough
  else
    r.certainty = Certainty::unsure;
  r.unmistakable = unmistakable_stop && r.intent == Intent::stop;
  return r;
}

}  // namespace cg::core
