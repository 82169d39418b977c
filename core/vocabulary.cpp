#include "core/vocabulary.hpp"

#include <stdexcept>

#include "core/conversation.hpp"
#include "core/text.hpp"

namespace cg::core::vocabulary {

namespace {

struct Section {
  enum Kind { none, cue, role_word, phrases, prefixes, suffixes } kind = none;
  Intent intent = Intent::none;
  std::uint8_t weight = kStrong;
  bool when_negated = false;
  std::uint16_t role = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_words(std::string_view s) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i < s.size();) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

Section section_named(std::string_view header) {
  Section s;
  std::string_view name = header, modifier;
  if (auto colon = header.find(':'); colon != std::string_view::npos) {
    name = trim(header.substr(0, colon));
    modifier = trim(header.substr(colon + 1));
  }
  static constexpr std::pair<std::string_view, std::uint16_t> kRoles[] = {
      {"topic", kTopic},       {"want", kWant},         {"question", kQuestion},
      {"negation", kNegation}, {"greeting", kGreeting}, {"thanks", kGreeting | kThanks},
      {"filler", kFiller},     {"other", kOther},       {"messages", kMessages},
  };
  for (auto [n, r] : kRoles)
    if (name == n) {
      s.kind = Section::role_word;
      s.role = r;
    }
  if (name == "phrases") s.kind = Section::phrases;
  if (name == "prefixes") s.kind = Section::prefixes;
  if (name == "suffixes") s.kind = Section::suffixes;
  if (s.kind == Section::none && parse_intent(name, s.intent) && s.intent != Intent::none) s.kind = Section::cue;
  if (s.kind == Section::none) return s;
  if (modifier == "weak" && s.kind == Section::cue) {
    s.weight = kWeak;
  } else if (modifier == "when negated" && s.kind == Section::cue) {
    s.when_negated = true;
  } else if (!modifier.empty()) {
    s.kind = Section::none;
  }
  return s;
}

class Builder {
 public:
  explicit Builder(Vocabulary& v) : v_(v) {}

  std::uint32_t entry(Index& index, const std::string& key) {
    if (auto it = index.find(key); it != index.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(v_.entries.size());
    v_.entries.emplace_back();
    v_.spellings.push_back(key);
    v_.scripts.push_back(&index == &v_.arabizi ? 2 : static_cast<unsigned char>(key[0]) >= 0x80 ? 0 : 1);
    index.emplace(key, id);
    return id;
  }

  void add_word(bool arabizi, std::string_view word, const Section& s, const std::string& where) {
    std::string key = arabizi ? arabizi_key(normalize_text(word)) : fold_word(normalize_text(word));
    if (key.empty()) throw std::runtime_error(where + ": \"" + std::string(word) + "\" has no letters");
    Entry& e = v_.entries[entry(arabizi ? v_.arabizi : v_.words, key)];
    if (s.kind == Section::role_word) e.roles |= s.role;
    if (s.kind == Section::cue && s.when_negated) e.when_negated = s.intent;
    if (s.kind == Section::cue && !s.when_negated && s.weight > e.weight) {
      e.intent = s.intent;
      e.weight = s.weight;
    }
  }

  void add_phrase(bool arabizi, std::string_view line, const std::string& where) {
    auto eq = line.rfind('=');
    if (eq == std::string_view::npos) throw std::runtime_error(where + ": a phrase needs \"= intent\"");
    Pending p;
    p.arabizi = arabizi;
    std::string_view target = trim(line.substr(eq + 1));
    if (!target.empty() && target.back() == '!') {
      p.phrase.unmistakable = true;
      target = trim(target.substr(0, target.size() - 1));
    }
    if (!parse_intent(target, p.phrase.intent) || p.phrase.intent == Intent::none)
      throw std::runtime_error(where + ": unknown intent \"" + std::string(target) + "\"");
    for (std::string_view w : split_words(line.substr(0, eq))) {
      std::string key = arabizi ? arabizi_key(normalize_text(w)) : fold_word(normalize_text(w));
      if (key.empty()) throw std::runtime_error(where + ": \"" + std::string(w) + "\" has no letters");
      p.words.push_back(std::move(key));
    }
    if (p.words.empty()) throw std::runtime_error(where + ": a phrase without words");
    pending_.push_back(std::move(p));
  }

  // Phrase words are found as the words of a message are (affixes stripped), once every file is
  // read, so "لا تبعت" matches "لا تبعتوا" whichever form the lookup lands on.
  void resolve_phrases() {
    std::size_t steps = 0;
    for (auto& p : pending_) {
      for (const std::string& key : p.words) {
        auto& index = p.arabizi ? v_.arabizi : v_.words;
        const bool latin = !p.arabizi && static_cast<unsigned char>(key[0]) < 0x80;
        static const std::vector<std::string> kNone;
        std::uint32_t id = p.arabizi ? find_stripped(index, key, v_.arabizi_prefixes, v_.arabizi_suffixes, 2, steps)
                           : latin   ? find_stripped(index, key, kNone, v_.en_suffixes, 3, steps)
                                     : find_stripped(index, key, v_.ar_prefixes, v_.ar_suffixes, 2, steps);
        p.phrase.words.push_back(id != kNoEntry ? id : entry(index, key));
      }
      v_.phrases.push_back(std::move(p.phrase));
    }
  }

  void add_affix(const std::string& file, bool prefix, std::string_view word) {
    const bool arabizi = file == "arabizi";
    std::string key = arabizi ? arabizi_skeleton(normalize_text(word)) : fold_word(normalize_text(word));
    if (key.empty() || key.front() == '=') return;
    auto& list = arabizi                                      ? (prefix ? v_.arabizi_prefixes : v_.arabizi_suffixes)
                 : static_cast<unsigned char>(key[0]) >= 0x80 ? (prefix ? v_.ar_prefixes : v_.ar_suffixes)
                                                              : v_.en_suffixes;
    list.push_back(std::move(key));
  }

 private:
  struct Pending {
    Phrase phrase;
    std::vector<std::string> words;
    bool arabizi = false;
  };
  Vocabulary& v_;
  std::vector<Pending> pending_;
};

void add_deletes(MultiIndex& deletes, const std::string& word, std::uint32_t id, int depth) {
  auto add = [&](std::string key) {
    auto& ids = deletes[std::move(key)];
    if (ids.empty() || ids.back() != id) ids.push_back(id);
  };
  add(word);
  for (std::size_t i = 0; depth > 0 && i < word.size(); ++i) {
    std::string d = word.substr(0, i) + word.substr(i + 1);
    if (depth > 1)
      for (std::size_t j = i; j < d.size(); ++j) add(d.substr(0, j) + d.substr(j + 1));
    add(std::move(d));
  }
}

}  // namespace

unsigned char fold_letter(char32_t c) noexcept {
  if (c >= U'a' && c <= U'z') return static_cast<unsigned char>(c);
  if (c >= U'A' && c <= U'Z') return static_cast<unsigned char>(c - U'A' + U'a');
  if (c >= U'0' && c <= U'9') return static_cast<unsigned char>(c);
  switch (c) {
    case 0x0626:  // ئ
      c = 0x064A;
      break;
    case 0x0624:  // ؤ
      c = 0x0648;
      break;
    case 0x067E:  // پ
      c = 0x0628;
      break;
    case 0x0686:  // چ
      c = 0x062C;
      break;
    case 0x06AF:  // گ
    case 0x06A9:  // ک
      c = 0x0643;
      break;
    case 0x0698:  // ژ
      c = 0x0632;
      break;
    case 0x0629:  // ة
      c = 0x0647;
      break;
    case 0x0649:  // ى
    case 0x06CC:  // ی
      c = 0x064A;
      break;
    case 0x0623:
    case 0x0625:
    case 0x0622:
    case 0x0671:
      c = 0x0627;
      break;
    default:
      break;
  }
  if (c == 0x0621) return 0;  // a hamza on the line: left out (see read_free_text's tokens)
  if (c >= 0x0621 && c <= 0x064A) return static_cast<unsigned char>(0x80 + (c - 0x0620));
  return 0;
}

std::string fold_word(std::string_view normalized) {
  std::string out;
  for (std::size_t i = 0; i < normalized.size();) {
    char32_t c;
    std::size_t n = text::next_utf8(normalized.substr(i), c);
    if (n == 0) {
      ++i;
      continue;
    }
    i += n;
    if (unsigned char b = fold_letter(c)) out.push_back(static_cast<char>(b));
  }
  return out;
}

std::string arabizi_skeleton(std::string_view w) {
  std::string out;
  auto put = [&](char c) {
    if (out.empty() || out.back() != c) out.push_back(c);
  };
  for (std::size_t i = 0; i < w.size(); ++i) {
    char c = w[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const char next = i + 1 < w.size() ? w[i + 1] : '\0';
    if (next == 'h' && (c == 's' || c == 'c' || c == 'k' || c == 'g' || c == 't' || c == 'd')) {
      put(c == 's' || c == 'c' ? '$' : c == 'k' ? '5' : c == 'g' ? '8' : c);
      ++i;
      continue;
    }
    switch (c) {
      case 'a':
      case 'e':
      case 'i':
      case 'o':
      case 'u':
        continue;
      case '2':  // a hamza: kept inside a word ("a2dar" is not "dora"), dropped at its end ("ilgha2")
        if (i + 1 < w.size()) put('2');
        continue;
      case 'y':
      case 'w':
        if (i == 0) put(c);
        continue;
      case 'q':
      case 'c':
      case 'k':
        put('k');
        continue;
      case '9':
        put('s');
        continue;
      case '6':
        put('t');
        continue;
      case 'g':
        put('j');
        continue;
      case 'p':
        put('b');
        continue;
      case 'v':
        put('f');
        continue;
      case 'h':
        put('7');
        continue;
      default:
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) put(c);
    }
  }
  return out;
}

std::string arabizi_key(std::string_view word) {
  std::string k = arabizi_skeleton(word);
  if (k.size() >= 2) return k;
  return "=" + std::string(word);
}

std::uint32_t find_stripped(const Index& index, std::string_view w, const std::vector<std::string>& prefixes,
                            const std::vector<std::string>& suffixes, std::size_t min_stem, std::size_t& steps) {
  auto exact = [&](std::string_view key) {
    ++steps;
    auto it = index.find(key);
    return it == index.end() ? kNoEntry : it->second;
  };
  if (auto e = exact(w); e != kNoEntry) return e;
  std::uint32_t best = kNoEntry;
  std::size_t best_removed = 0;
  auto consider = [&](std::string_view stem) {
    if (stem.size() < min_stem) return;
    const std::size_t removed = w.size() - stem.size();
    if (best != kNoEntry && removed >= best_removed) return;
    if (auto e = exact(stem); e != kNoEntry) {
      best = e;
      best_removed = removed;
    }
  };
  // After a verb prefix the alef of the stem is not written ("بستخدم" is ب + استخدم).
  const char alef = static_cast<char>(fold_letter(0x0627));
  std::string with_alef;
  auto after_prefix = [&](std::string_view word, const std::string& p) {
    consider(word.substr(p.size()));
    if (p.size() == 1 && static_cast<unsigned char>(p[0]) >= 0x80 && p[0] != alef && best == kNoEntry) {
      with_alef.assign(1, alef).append(word.substr(p.size()));
      if (with_alef.size() >= min_stem + 2)
        if (auto e = exact(with_alef); e != kNoEntry) best = e, best_removed = w.size() - word.size() + p.size();
    }
  };
  for (const auto& p : prefixes)
    if (w.size() > p.size() && w.substr(0, p.size()) == p) after_prefix(w, p);
  // Before a suffix ة is written ت ("حالتي" is حالة + ي): the stem is tried with ه (ة folded) too.
  const char ta = static_cast<char>(fold_letter(0x062A)), ha = static_cast<char>(fold_letter(0x0647));
  std::string with_ha;
  for (const auto& s : suffixes)
    if (w.size() > s.size() && w.substr(w.size() - s.size()) == s) {
      std::string_view no_suffix = w.substr(0, w.size() - s.size());
      for (int form = 0; form < 2; ++form) {
        if (form == 1) {
          if (no_suffix.back() != ta) break;
          with_ha.assign(no_suffix.substr(0, no_suffix.size() - 1)).push_back(ha);
          no_suffix = with_ha;
        }
        consider(no_suffix);
        for (const auto& p : prefixes)
          if (no_suffix.size() > p.size() && no_suffix.substr(0, p.size()) == p) after_prefix(no_suffix, p);
      }
    }
  return best;
}

bool same_meaning(const Vocabulary& v, std::uint32_t a, std::uint32_t b) {
  if (a == b) return true;
  const Entry& x = v.entries[a];
  const Entry& y = v.entries[b];
  // Only words that say something stand for each other: a filler or a question word is itself.
  const bool meaningful =
      x.intent != Intent::none || x.when_negated != Intent::none || (x.roles & (kTopic | kMessages | kWant)) != 0;
  if (!meaningful) return false;
  // Within one language: "اشتراك" (also a subscription) is not "registration".
  if (v.scripts[a] != v.scripts[b]) return false;
  return x.intent == y.intent && x.weight == y.weight && x.roles == y.roles && x.when_negated == y.when_negated;
}

bool keyboard_neighbours(unsigned char a, unsigned char b) {
  // The Arabic (101) layout, unshifted, by rows; ى ة ئ ؤ as fold_letter leaves them.
  static constexpr std::u32string_view kRows[] = {
      U"ضصثقفغعهخحجد",
      U"شسيبلاتنمكط",
      U"يءورلاىهوزظ",
  };
  struct Pos {
    int row, col;
  };
  auto positions = [](unsigned char x, Pos* out) {
    int n = 0;
    for (int r = 0; r < 3; ++r)
      for (std::size_t c = 0; c < kRows[r].size(); ++c)
        if (fold_letter(kRows[r][c]) == x && n < 4) out[n++] = Pos{r, static_cast<int>(c)};
    return n;
  };
  Pos pa[4], pb[4];
  const int na = positions(a, pa), nb = positions(b, pb);
  for (int i = 0; i < na; ++i)
    for (int j = 0; j < nb; ++j) {
      const Pos& x = pa[i];
      const Pos& y = pb[j];
      if (x.row == y.row && (x.col - y.col == 1 || y.col - x.col == 1)) return true;
      // A key touches the two keys above it: same column and the one to its right.
      if (y.row == x.row + 1 && (y.col == x.col || y.col + 1 == x.col)) return true;
      if (x.row == y.row + 1 && (x.col == y.col || x.col + 1 == y.col)) return true;
    }
  return false;
}

Vocabulary parse(const std::vector<std::pair<std::string, std::string_view>>& files) {
  Vocabulary v;
  Builder b(v);
  for (const auto& [file, text] : files) {
    const bool arabizi = file == "arabizi";
    Section section;
    std::size_t line_no = 0;
    for (std::size_t i = 0; i <= text.size();) {
      std::size_t end = text.find('\n', i);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = trim(text.substr(i, end - i));
      i = end + 1;
      ++line_no;
      if (line.empty() || line.front() == '#') continue;
      const std::string where = file + ".txt:" + std::to_string(line_no);
      if (line.front() == '[') {
        if (line.back() != ']') throw std::runtime_error(where + ": a section name ends with ]");
        section = section_named(line.substr(1, line.size() - 2));
        if (section.kind == Section::none) throw std::runtime_error(where + ": unknown section " + std::string(line));
        continue;
      }
      switch (section.kind) {
        case Section::none:
          throw std::runtime_error(where + ": words before the first [section]");
        case Section::phrases:
          b.add_phrase(arabizi, line, where);
          break;
        case Section::prefixes:
        case Section::suffixes:
          for (std::string_view w : split_words(line)) b.add_affix(file, section.kind == Section::prefixes, w);
          break;
        default:
          for (std::string_view w : split_words(line)) b.add_word(arabizi, w, section, where);
      }
    }
  }
  b.resolve_phrases();
  v.phrases_starting.resize(v.entries.size());
  for (std::uint32_t e = 0; e < v.entries.size(); ++e)
    for (std::size_t p = 0; p < v.phrases.size(); ++p)
      if (same_meaning(v, e, v.phrases[p].words.front()))
        v.phrases_starting[e].push_back(static_cast<std::uint32_t>(p));
  // Words long enough for a typo to be safe, with their deletes; one letter shorter, as they are,
  // so a longer typo finds them ("joinn", "helpp").
  for (const auto& [key, id] : v.words) {
    const bool latin = static_cast<unsigned char>(key[0]) < 0x80;
    if (key.size() >= (latin ? 5u : 4u)) {
      add_deletes(v.deletes, key, id, key.size() >= 8 ? 2 : 1);
    } else if (key.size() + 1 == (latin ? 5u : 4u)) {
      add_deletes(v.deletes, key, id, 0);
    }
  }
  return v;
}

const Vocabulary& builtin() {
  static const Vocabulary v =
      parse({{"ar", builtin_text("ar")}, {"en", builtin_text("en")}, {"arabizi", builtin_text("arabizi")}});
  return v;
}

}  // namespace cg::core::vocabulary
