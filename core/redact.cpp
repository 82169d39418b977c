// redact_for_log (declared in core/conversation.hpp): moved out of conversation.cpp, which keeps
// the conversation itself.
#include <utility>
#include <vector>

#include "core/conversation.hpp"
#include "core/text.hpp"

namespace cg::core {

namespace {

// What redact_for_log sees in a character: part of a document number (a digit of any script or a
// Latin letter), something a number may be typed with between its characters (spaces, line
// breaks, dashes, dots, invisible marks), or anything else, which ends a number.
enum class RedactClass { digit, letter, separator, other };

RedactClass redact_class(char32_t c) {
  if (text::is_any_digit(c)) return RedactClass::digit;
  if (text::is_latin_letter(c)) return RedactClass::letter;
  if (c == U' ' || (c >= 0x09 && c <= 0x0D) || c == U'-' || c == U'.' || c == U'/' || c == U'_' || c == 0x00A0 ||
      c == 0x00AD || c == 0x061C || c == 0x0640 || (c >= 0x2000 && c <= 0x2015) || c == 0x2028 || c == 0x2029 ||
      (c >= 0x202A && c <= 0x202F) || (c >= 0x205F && c <= 0x2064) || (c >= 0x2066 && c <= 0x2069) || c == 0x2212 ||
      c == 0x3000 || c == 0xFEFF || c == 0xFF0D || c == 0xFF0E)
    return RedactClass::separator;
  return RedactClass::other;
}

}  // namespace

std::string redact_for_log(std::string_view input) {
  struct Char {
    std::size_t begin, size;
    RedactClass cls;
  };
  std::vector<Char> chars;
  chars.reserve(input.size());
  for (std::size_t i = 0; i < input.size();) {
    char32_t c = 0;
    std::size_t n = text::next_utf8(input.substr(i), c);
    if (n == 0) {  // not UTF-8: the byte is neither a digit nor a letter
      chars.push_back({i, 1, RedactClass::other});
      ++i;
      continue;
    }
    chars.push_back({i, n, redact_class(c)});
    i += n;
  }
  auto alnum = [&](std::size_t k) { return chars[k].cls == RedactClass::digit || chars[k].cls == RedactClass::letter; };

  // A candidate is a run of letters and digits, possibly broken by separators: "987 123 4567",
  // "N12-34567". Words with no digit at either end ("my passport", "JOIN") are not part of it, so a
  // keyword before a course code stays readable; what remains is masked like a document number,
  // all but its last 3 letters or digits, when it holds 6 or more of them.
  std::vector<bool> masked(chars.size(), false);
  std::size_t k = 0;
  while (k < chars.size()) {
    if (!alnum(k)) {
      ++k;
      continue;
    }
    std::size_t end = k;  // one past the last letter or digit of the run
    for (std::size_t m = k; m < chars.size() && chars[m].cls != RedactClass::other; ++m)
      if (alnum(m)) end = m + 1;
    // Words of the run, as [begin, end) character index pairs.
    std::vector<std::pair<std::size_t, std::size_t>> words;
    for (std::size_t m = k; m < end;) {
      if (!alnum(m)) {
        ++m;
        continue;
      }
      std::size_t w = m;
      while (w < end && alnum(w)) ++w;
      words.emplace_back(m, w);
      m = w;
    }
    auto has_digit = [&](std::pair<std::size_t, std::size_t> w) {
      for (std::size_t m = w.first; m < w.second; ++m)
        if (chars[m].cls == RedactClass::digit) return true;
      return false;
    };
    // A digitless word of more than 3 letters is a word of the message, not a group of a passport
    // number, and splits the run ("101 and 102" stays one run; "2 people from 3" does not).
    auto mask_segment = [&](std::size_t first, std::size_t last) {
      while (first < last && !has_digit(words[first])) ++first;
      while (last > first && !has_digit(words[last - 1])) --last;
      if (first == last) return;
      std::vector<std::size_t> kept;
      for (std::size_t m = words[first].first; m < words[last - 1].second; ++m)
        if (alnum(m)) kept.push_back(m);
      if (kept.size() >= 6)
        for (std::size_t q = 0; q + 3 < kept.size(); ++q) masked[kept[q]] = true;
    };
    std::size_t segment = 0;
    for (std::size_t w = 0; w <= words.size(); ++w) {
      if (w == words.size() || (!has_digit(words[w]) && words[w].second - words[w].first > 3)) {
        mask_segment(segment, w);
        segment = w + 1;
      }
    }
    k = end;
  }

  std::string out;
  out.reserve(input.size());
  for (std::size_t q = 0; q < chars.size(); ++q) {
    if (masked[q])
      out.push_back('*');
    else
      out.append(input.substr(chars[q].begin, chars[q].size));
  }
  return out;
}

}  // namespace cg::core
