#include "core/free_text.hpp"

#include <algorithm>

#include "core/conversation.hpp"
#include "core/vocabulary.hpp"

namespace cg::core {

namespace {

bool word_fits(const std::string& a, const std::string& b) {
  if (a == b) return true;
  const std::size_t shorter = std::min(a.size(), b.size());
  // "انجليزي" and "انجليزيه", "english" and "englsh"; a stem and its longer form ("برمج", "برمجه").
  if (shorter >= 5 && edit_distance(a, b, 1) <= 1) return true;
  if (shorter >= 4 && (a.compare(0, shorter, b, 0, shorter) == 0)) return true;
  return false;
}

// The Arabizi skeleton of a folded Arabic word ("خياطه" -> "5t", "طبخ" -> "tb5"), to compare
// with the skeleton of the same word written in Latin letters ("khayata", "tabkh").
std::string arabic_skeleton(const std::string& folded) {
  static constexpr std::pair<char32_t, char> kSounds[] = {
      {U'ب', 'b'}, {U'ت', 't'}, {U'ث', 't'}, {U'ج', 'j'}, {U'ح', '7'}, {U'خ', '5'}, {U'د', 'd'},
      {U'ذ', 'd'}, {U'ر', 'r'}, {U'ز', 'z'}, {U'س', 's'}, {U'ش', '$'}, {U'ص', 's'}, {U'ض', 'd'},
      {U'ط', 't'}, {U'ظ', 'z'}, {U'ع', '3'}, {U'غ', '8'}, {U'ف', 'f'}, {U'ق', 'k'}, {U'ك', 'k'},
      {U'ل', 'l'}, {U'م', 'm'}, {U'ن', 'n'}, {U'ه', '7'}, {U'ء', '2'}, {U'و', 'w'}, {U'ي', 'y'},
  };
  std::string out;
  for (std::size_t i = 0; i < folded.size(); ++i) {
    const auto b = static_cast<unsigned char>(folded[i]);
    char c = 0;
    for (auto [letter, sound] : kSounds)
      if (vocabulary::fold_letter(letter) == b) c = sound;
    if ((c == 'w' || c == 'y') && i > 0) c = 0;              // long vowels, as the Latin skeleton drops them
    if (c == '7' && i + 1 == folded.size() && i > 0) c = 0;  // ة at the end is not written in Latin
    if (c == '2' && i + 1 == folded.size()) c = 0;
    if (c && (out.empty() || out.back() != c)) out.push_back(c);
  }
  return out;
}

int title_score(const std::vector<std::string>& words, const LocalizedText& title) {
  std::vector<std::string> t = title_words(normalize_text(title.ar));
  std::vector<std::string> skeletons;
  skeletons.reserve(t.size());
  for (const auto& w : t) skeletons.push_back(arabic_skeleton(w));
  for (auto& w : title_words(normalize_text(title.en))) t.push_back(std::move(w));
  int score = 0;
  for (const std::string& w : words) {
    bool fits = std::any_of(t.begin(), t.end(), [&](const std::string& x) { return word_fits(w, x); });
    if (!fits && static_cast<unsigned char>(w[0]) < 0x80) {
      // A Latin word may be Arabic in Latin letters: compared by its consonants.
      const std::string sk = vocabulary::arabizi_skeleton(w);
      fits = sk.size() >= 2 && std::find(skeletons.begin(), skeletons.end(), sk) != skeletons.end();
    }
    if (fits) ++score;
  }
  return score;
}

}  // namespace

NamedMatch match_named(const Reading& r, std::span<const Named> items) {
  NamedMatch m;
  // Every code the message holds; two codes naming two courses ("101 102") name neither. Read from
  // one token ("ب ١٢": "b12" or "12"), the longer reading wins when both exist.
  std::vector<std::pair<const std::string*, std::size_t>> hits;
  for (const std::string& code : r.codes)
    for (std::size_t i = 0; i < items.size(); ++i)
      if (canonical_code(items[i].code) == code) hits.emplace_back(&code, i);
  auto shadowed = [&](const std::string& code) {
    return std::any_of(hits.begin(), hits.end(), [&](const auto& o) {
      const std::string& longer = *o.first;
      if (longer.size() <= code.size() || !longer.ends_with(code)) return false;
      // Only a letter put before the same digits ("b12" over "12"), not another number ("412").
      return std::all_of(longer.begin(), longer.end() - static_cast<std::ptrdiff_t>(code.size()),
                         [](char c) { return c >= 'a' && c <= 'z'; });
    });
  };
  for (const auto& h : hits)
    if (!shadowed(*h.first) && std::find(m.closest.begin(), m.closest.end(), h.second) == m.closest.end())
      m.closest.push_back(h.second);
  if (!m.closest.empty()) {
    m.named = m.closest.size() == 1;
    return m;
  }
  if (!r.words.empty()) {
    std::vector<int> score(items.size(), 0);
    for (std::size_t i = 0; i < items.size(); ++i)
      if (items[i].title) score[i] = title_score(r.words, *items[i].title);
    std::vector<std::size_t> by_title;
    for (std::size_t i = 0; i < items.size(); ++i)
      if (score[i] > 0) by_title.push_back(i);
    std::stable_sort(by_title.begin(), by_title.end(),
                     [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
    if (!by_title.empty()) {
      m.closest = std::move(by_title);
      m.named = m.closest.size() == 1 || score[m.closest[0]] > score[m.closest[1]];
      return m;
    }
  }
  // A code that is not one: the codes a slip away ("1O1" for "101", "412" for "421").
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string c = canonical_code(items[i].code);
    for (const std::string& code : r.codes)
      if (edit_distance(c, code, 1) <= 1) {
        m.closest.push_back(i);
        break;
      }
  }
  return m;
}

std::string_view intent_hint(Intent intent, Language l) {
  const bool ar = l == Language::ar;
  switch (intent) {
    case Intent::courses:
      return ar ? "دورات: الدورات المتاحة" : "COURSES: the open courses";
    case Intent::more:
      return ar ? "المزيد: بقية القائمة" : "MORE: the rest of the list";
    case Intent::join:
      return ar ? "تسجيل ورمز الدورة: للتسجيل" : "JOIN and a course code: apply";
    case Intent::status:
      return ar ? "حالة: طلباتك" : "STATUS: your applications";
    case Intent::cancel:
      return ar ? "الغاء ورمز الدورة: إلغاء طلب" : "CANCEL and a course code: cancel one";
    case Intent::help:
      return ar ? "مساعدة: ما يمكنك إرساله" : "HELP: what you can send";
    case Intent::stop:
      return ar ? "توقف: إيقاف رسائلنا" : "STOP: no more SMS from us";
    case Intent::start:
      return ar ? "ابدأ: استقبال رسائلنا مجدداً" : "START: our SMS again";
    case Intent::english:
      return ar ? "EN: الرسائل بالإنجليزية" : "EN: messages in English";
    case Intent::arabic:
      return ar ? "AR: الرسائل بالعربية" : "AR: messages in Arabic";
    case Intent::none:
    case Intent::yes:
    case Intent::no:
      break;
  }
  return {};
}

}  // namespace cg::core
