#include "core/free_text.hpp"

#include <algorithm>

#include "core/conversation.hpp"

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
    return std::any_of(hits.begin(), hits.end(),
                       [&](const auto& o) { return o.first->size() > code.size() && o.first->ends_with(code); });
  };
  for (const auto& h : hits)
    if (!shadowed(*h.first) && std::find(m.closest.begin(), m.closest.end(), h.second) == m.closest.end())
      m.closest.push_back(h.second);
  if (!m.closest.empty()) {
    m.named = m.closest.size() == 1;
    return m;
  }
  if (!r.codes.empty()) {
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
  if (r.words.empty()) return m;
  std::vector<int> score(items.size(), 0);
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (!items[i].title) continue;
    std::vector<std::string> title = title_words(normalize_text(items[i].title->ar));
    for (auto& w : title_words(normalize_text(items[i].title->en))) title.push_back(std::move(w));
    for (const std::string& w : r.words)
      if (std::any_of(title.begin(), title.end(), [&](const std::string& t) { return word_fits(w, t); })) ++score[i];
  }
  for (std::size_t i = 0; i < items.size(); ++i)
    if (score[i] > 0) m.closest.push_back(i);
  std::stable_sort(m.closest.begin(), m.closest.end(),
                   [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  m.named = !m.closest.empty() && (m.closest.size() == 1 || score[m.closest[0]] > score[m.closest[1]]);
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
