#include "core/sms.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

namespace cg::core {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// One decoded character: its code point and how many bytes it took. An ill-formed sequence decodes
// as U+FFFD covering its maximal subpart (the lead byte and the continuation bytes valid so far).
struct Decoded {
  char32_t cp;
  std::size_t length;
  bool valid;
};

Decoded decode(std::string_view s, std::size_t i) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char lead = b(i);
  if (lead < 0x80) return {lead, 1, true};
  int need;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the first continuation byte
  char32_t cp;
  if (lead >= 0xC2 && lead <= 0xDF) {
    need = 1;
    cp = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    need = 2;
    cp = lead & 0x0F;
    if (lead == 0xE0) lo = 0xA0;  // no overlong forms
    if (lead == 0xED) hi = 0x9F;  // no UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    need = 3;
    cp = lead & 0x07;
    if (lead == 0xF0) lo = 0x90;  // no overlong forms
    if (lead == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {kReplacement, 1, false};
  }
  std::size_t k = 1;
  for (; k <= static_cast<std::size_t>(need); ++k) {
    if (i + k >= s.size()) return {kReplacement, k, false};
    unsigned char c = b(i + k);
    unsigned char min = k == 1 ? lo : 0x80, max = k == 1 ? hi : 0xBF;
    if (c < min || c > max) return {kReplacement, k, false};
    cp = (cp << 6) | (c & 0x3F);
  }
  return {cp, k, true};
}

template <class F>
bool for_each_char(std::string_view s, F&& f) {
  bool valid = true;
  for (std::size_t i = 0; i < s.size();) {
    Decoded d = decode(s, i);
    valid = valid && d.valid;
    f(d.cp);
    i += d.length;
  }
  return valid;
}

// GSM 03.38 default alphabet, by septet value 0x00-0x7F. 0x1B is the escape to the extension table,
// not a character (marked 0).
// clang-format off
constexpr std::array<char32_t, 128> kGsmBasic{
    U'@',  U'£',  U'$',  U'¥',  U'è',  U'é',  U'ù',  U'ì',  U'ò',  U'Ç',  U'\n', U'Ø',  U'ø',  U'\r', U'Å',  U'å',
    U'Δ',  U'_',  U'Φ',  U'Γ',  U'Λ',  U'Ω',  U'Π',  U'Ψ',  U'Σ',  U'Θ',  U'Ξ',  0,     U'Æ',  U'æ',  U'ß',  U'É',
    U' ',  U'!',  U'"',  U'#',  U'¤',  U'%',  U'&',  U'\'', U'(',  U')',  U'*',  U'+',  U',',  U'-',  U'.',  U'/',
    U'0',  U'1',  U'2',  U'3',  U'4',  U'5',  U'6',  U'7',  U'8',  U'9',  U':',  U';',  U'<',  U'=',  U'>',  U'?',
    U'¡',  U'A',  U'B',  U'C',  U'D',  U'E',  U'F',  U'G',  U'H',  U'I',  U'J',  U'K',  U'L',  U'M',  U'N',  U'O',
    U'P',  U'Q',  U'R',  U'S',  U'T',  U'U',  U'V',  U'W',  U'X',  U'Y',  U'Z',  U'Ä',  U'Ö',  U'Ñ',  U'Ü',  U'§',
    U'¿',  U'a',  U'b',  U'c',  U'd',  U'e',  U'f',  U'g',  U'h',  U'i',  U'j',  U'k',  U'l',  U'm',  U'n',  U'o',
    U'p',  U'q',  U'r',  U's',  U't',  U'u',  U'v',  U'w',  U'x',  U'y',  U'z',  U'ä',  U'ö',  U'ñ',  U'ü',  U'à',
};
// clang-format on

// The extension table's characters (each sent as ESC + septet).
constexpr std::array<char32_t, 10> kGsmExtension{U'\f', U'^', U'{', U'}', U'\\', U'[', U'~', U']', U'|', U'€'};

// Septets per code point below U+0400, built from the two tables at compile time; every character
// of both tables is below it but the euro sign. Measuring runs once per character of every SMS the
// gateway renders, so it is a lookup rather than a search.
constexpr char32_t kGsmTableEnd = 0x400;
constexpr std::array<std::uint8_t, kGsmTableEnd> kGsmSeptets = [] {
  std::array<std::uint8_t, kGsmTableEnd> t{};
  for (char32_t cp : kGsmBasic)
    if (cp != 0 && cp < kGsmTableEnd) t[cp] = 1;  // 0 marks the escape slot: NUL is not carried
  for (char32_t cp : kGsmExtension)
    if (cp < kGsmTableEnd) t[cp] = 2;
  return t;
}();
static_assert(std::count(kGsmBasic.begin(), kGsmBasic.end(), 0) == 1, "only the escape slot is empty");
static_assert(std::all_of(kGsmBasic.begin(), kGsmBasic.end(), [](char32_t cp) { return cp < kGsmTableEnd; }));
static_assert(std::count_if(kGsmExtension.begin(), kGsmExtension.end(),
                            [](char32_t cp) { return cp >= kGsmTableEnd; }) == 1 &&
              kGsmExtension.back() == U'€');

// Septets a character takes in GSM-7: 1, 2 (extension) or 0 when it is not in the alphabet.
int gsm_septets(char32_t cp) {
  if (cp < kGsmTableEnd) return kGsmSeptets[cp];
  return cp == U'€' ? 2 : 0;
}

// Greedy packing into parts that never split a character: units are 1 or 2 per character.
template <class Cost>
int count_parts(std::string_view s, int part_size, Cost cost) {
  int parts = 1, used = 0;
  for_each_char(s, [&](char32_t cp) {
    int c = cost(cp);
    if (used + c > part_size) {
      ++parts;
      used = 0;
    }
    used += c;
  });
  return parts;
}

int utf16_units(char32_t cp) { return cp > 0xFFFF ? 2 : 1; }

// Typographic characters and their plain GSM-7 forms.
struct Lookalike {
  char32_t from;
  const char* to;
};
// clang-format off
constexpr Lookalike kLookalikes[] = {
    {0x2010, "-"}, {0x2011, "-"}, {0x2012, "-"}, {0x2013, "-"}, {0x2014, "-"}, {0x2015, "-"}, {0x2212, "-"},
    {0x2018, "'"}, {0x2019, "'"}, {0x201A, "'"}, {0x201B, "'"}, {0x2032, "'"},
    {0x201C, "\""}, {0x201D, "\""}, {0x201E, "\""}, {0x201F, "\""}, {0x2033, "\""}, {0x00AB, "\""}, {0x00BB, "\""},
    {0x2026, "..."},
    {0x00A0, " "}, {0x2002, " "}, {0x2003, " "}, {0x2004, " "}, {0x2005, " "}, {0x2006, " "}, {0x2007, " "},
    {0x2008, " "}, {0x2009, " "}, {0x200A, " "}, {0x202F, " "}, {0x205F, " "}, {0x3000, " "},
    // Invisible: zero-width space/joiners, direction marks, word joiner, BOM.
    {0x200B, ""}, {0x200C, ""}, {0x200D, ""}, {0x200E, ""}, {0x200F, ""}, {0x2060, ""}, {0xFEFF, ""},
};
// clang-format on

const char* lookalike(char32_t cp) {
  for (const Lookalike& l : kLookalikes)
    if (l.from == cp) return l.to;
  return nullptr;
}

}  // namespace

std::string_view to_string(SmsEncoding e) { return e == SmsEncoding::gsm7 ? "gsm7" : "ucs2"; }

bool is_valid_utf8(std::string_view bytes) {
  return for_each_char(bytes, [](char32_t) {});
}

bool is_gsm7(std::string_view utf8) {
  bool all = true;
  bool valid = for_each_char(utf8, [&](char32_t cp) { all = all && gsm_septets(cp) > 0; });
  return valid && all;
}

SmsLength measure_sms(std::string_view utf8) {
  SmsLength r;
  int septets = 0, utf16 = 0;
  bool gsm = true;
  r.valid_utf8 = for_each_char(utf8, [&](char32_t cp) {
    int g = gsm_septets(cp);
    gsm = gsm && g > 0;
    septets += g;
    utf16 += utf16_units(cp);
  });
  if (gsm) {
    r.encoding = SmsEncoding::gsm7;
    r.units = septets;
    r.segments = septets <= kGsm7SingleSeptets ? 1 : count_parts(utf8, kGsm7PartSeptets, gsm_septets);
  } else {
    r.encoding = SmsEncoding::ucs2;
    r.units = utf16;
    r.segments = utf16 <= kUcs2SingleUnits ? 1 : count_parts(utf8, kUcs2PartUnits, utf16_units);
  }
  return r;
}

std::string fold_for_gsm7(std::string_view utf8) {
  std::string out;
  // The first character that cannot be folded, or the first byte that is not UTF-8, settles it:
  // the text goes out as written (an Arabic message stops looking at its first letter). Characters
  // that need no folding are copied in runs, up to the next one that does.
  std::size_t run = 0;
  for (std::size_t i = 0; i < utf8.size();) {
    Decoded d = decode(utf8, i);
    if (!d.valid) return std::string(utf8);
    if (gsm_septets(d.cp) == 0) {
      const char* plain = lookalike(d.cp);
      if (!plain) return std::string(utf8);
      if (out.capacity() == 0) out.reserve(utf8.size());
      out.append(utf8.data() + run, i - run);
      out += plain;
      run = i + d.length;
    }
    i += d.length;
  }
  if (run == 0) return std::string(utf8);  // nothing folded
  out.append(utf8.data() + run, utf8.size() - run);
  return out;
}

}  // namespace cg::core
