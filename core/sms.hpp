// How many SMS a text costs: its encoding (GSM 03.38 7-bit or UCS-2), its length in the encoding's
// units and the number of segments (parts of a concatenated SMS) the network sends.
//
// Counting rules (3GPP TS 23.038 / 23.040):
// - GSM-7 when every character is in the default alphabet or its extension table; the extension
//   characters ^ { } \ [ ~ ] | € and form feed take an escape septet, so they count 2.
//   National language shift tables are not used (Jordanian operators do not apply them).
// - Otherwise UCS-2, counted in UTF-16 code units: a character outside the BMP (an emoji) counts 2.
// - One SMS holds 160 septets / 70 UCS-2 units. A longer text is split into parts of 153 / 67 (the
//   rest of each part is the concatenation header). A part never splits an escape sequence or a
//   surrogate pair, as phones and SMSCs split them, so such a text can need one part more than a
//   plain division says.
// - The empty text is one (empty) SMS.
// - Invalid UTF-8: each maximal ill-formed subsequence (Unicode's "substitution of maximal subparts")
//   counts as one U+FFFD REPLACEMENT CHARACTER, which is not GSM-7; `valid_utf8` reports it so a
//   caller can refuse such text instead.
#pragma once

#include <string>
#include <string_view>

namespace cg::core {

enum class SmsEncoding { gsm7, ucs2 };
std::string_view to_string(SmsEncoding e);  // "gsm7" / "ucs2"

inline constexpr int kGsm7SingleSeptets = 160;
inline constexpr int kGsm7PartSeptets = 153;
inline constexpr int kUcs2SingleUnits = 70;
inline constexpr int kUcs2PartUnits = 67;

struct SmsLength {
  SmsEncoding encoding = SmsEncoding::gsm7;
  int units = 0;     // GSM-7 septets or UTF-16 code units
  int segments = 1;  // SMS the network sends (and bills)
  bool valid_utf8 = true;
  friend bool operator==(const SmsLength&, const SmsLength&) = default;
};

SmsLength measure_sms(std::string_view utf8);

// True when the text can go as GSM-7 (valid UTF-8, every character in the alphabet or extension).
bool is_gsm7(std::string_view utf8);

bool is_valid_utf8(std::string_view bytes);

// If replacing typographic lookalikes (dashes – —, quotes ‘ ’ “ ” « », ellipsis …, non-breaking and
// thin spaces, zero-width characters) by their plain GSM-7 forms makes the whole text GSM-7, returns
// the replaced text; otherwise returns the text unchanged. An English message with a course title
// typed with "–" then costs 1 SMS per 153 characters instead of per 67; text that needs UCS-2 anyway
// (Arabic) keeps its typography.
std::string fold_for_gsm7(std::string_view utf8);

}  // namespace cg::core
