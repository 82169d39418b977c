// normalize_text and detect_language (declared in core/conversation.hpp): what every message goes
// through before keywords and the free-text reader look at it.
#include "core/conversation.hpp"
#include "core/text.hpp"

namespace cg::core {

namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

std::string normalize_text(std::string_view input) {
  std::string out;
  out.reserve(input.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < input.size();) {
    char32_t c;
    const auto lead = static_cast<unsigned char>(input[i]);
    std::size_t n = 1;
    if (lead < 0x80) {
      c = lead;
    } else if (n = text::next_utf8(input.substr(i), c); n == 0) {
      return lower_ascii(input);  // not UTF-8: only ASCII can match anything anyway
    }
    i += n;
    if (c == U' ' || (c >= 0x09 && c <= 0x0D) || c == 0x00A0 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F ||
        c == 0x3000) {
      pending_space = !out.empty();
      continue;
    }
    if (c == 0x2028 || c == 0x2029) {  // line and paragraph separators
      pending_space = !out.empty();
      continue;
    }
    // Invisible marks Arabic keyboards and interfaces insert: zero-width, direction marks and
    // embeddings, isolates, word joiner, soft hyphen, tatweel.
    if ((c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2060 && c <= 0x2064) ||
        (c >= 0x2066 && c <= 0x2069) || c == 0x00AD || c == 0x061C || c == 0xFEFF || c == 0x0640)
      continue;
    // Full-width Latin letters, digits and punctuation (some phone keyboards) as their ASCII forms.
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
    // The lam-alef ligatures (presentation forms some keyboards send): lam, then alef.
    if (c >= 0xFEF5 && c <= 0xFEFC) {
      if (pending_space) {
        out.push_back(' ');
        pending_space = false;
      }
      text::append_utf8(out, 0x0644);
      c = 0x0627;
    }
    // Diacritics (harakat, shadda, sukun, superscript alef, Quranic marks).
    if ((c >= 0x064B && c <= 0x065F) || c == 0x0670 || (c >= 0x06D6 && c <= 0x06ED)) continue;
    if (c >= 0x0660 && c <= 0x0669)
      c = U'0' + (c - 0x0660);
    else if (c >= 0x06F0 && c <= 0x06F9)
      c = U'0' + (c - 0x06F0);
    else if (c == 0x0623 || c == 0x0625 || c == 0x0622 || c == 0x0671)
      c = 0x0627;  // أ إ آ ٱ -> ا
    else if (c == 0x0629)
      c = 0x0647;  // ة -> ه
    else if (c == 0x0649 || c == 0x06CC)
      c = 0x064A;  // ى ی -> ي
    else if (c == 0x06A9)
      c = 0x0643;  // Persian ک -> ك
    else if (c >= U'A' && c <= U'Z')
      c = c - U'A' + U'a';
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    if (c < 0x80)
      out.push_back(static_cast<char>(c));
    else
      text::append_utf8(out, c);
  }
  return out;
}

std::optional<Language> detect_language(std::string_view input) {
  auto cps = text::decode_utf8(input);
  if (!cps) return std::nullopt;
  bool latin = false;
  for (char32_t c : *cps) {
    if (text::is_arabic_letter(c)) return Language::ar;
    if (text::is_latin_letter(c)) latin = true;
  }
  if (latin) return Language::en;
  return std::nullopt;
}

}  // namespace cg::core
