// The SMS segment counter: encodings, units and segments at every boundary the networks bill by.
#include "core/sms.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cg::core {
namespace {

std::string repeat(std::string_view piece, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += piece;
  return s;
}

const std::string kBeh = "\xD8\xA8";           // ب U+0628, Arabic: one UTF-16 unit
const std::string kGrin = "\xF0\x9F\x98\x80";  // 😀 U+1F600: a surrogate pair, two units
const std::string kEuro = "\xE2\x82\xAC";      // € U+20AC: GSM-7 extension table

TEST(SmsLength, EmptyTextIsOneEmptyGsmSms) { EXPECT_EQ(measure_sms(""), (SmsLength{SmsEncoding::gsm7, 0, 1, true})); }

TEST(SmsLength, Gsm7SingleBoundary160) {
  EXPECT_EQ(measure_sms(repeat("a", 160)), (SmsLength{SmsEncoding::gsm7, 160, 1, true}));
  EXPECT_EQ(measure_sms(repeat("a", 161)), (SmsLength{SmsEncoding::gsm7, 161, 2, true}));
}

TEST(SmsLength, Gsm7PartsOf153) {
  EXPECT_EQ(measure_sms(repeat("a", 153 * 2)).segments, 2);
  EXPECT_EQ(measure_sms(repeat("a", 153 * 2 + 1)).segments, 3);
  EXPECT_EQ(measure_sms(repeat("a", 153 * 3)).segments, 3);
  EXPECT_EQ(measure_sms(repeat("a", 153 * 3 + 1)).segments, 4);
}

TEST(SmsLength, ExtensionCharactersCountTwo) {
  for (const std::string& c : std::vector<std::string>{"^", "{", "}", "\\", "[", "~", "]", "|", "\f", kEuro}) {
    SmsLength l = measure_sms(c);
    EXPECT_EQ(l.encoding, SmsEncoding::gsm7) << c;
    EXPECT_EQ(l.units, 2) << c;
  }
  EXPECT_EQ(measure_sms(repeat(kEuro, 80)), (SmsLength{SmsEncoding::gsm7, 160, 1, true}));
  EXPECT_EQ(measure_sms(repeat(kEuro, 80) + "a"), (SmsLength{SmsEncoding::gsm7, 161, 2, true}));
  EXPECT_EQ(measure_sms(repeat("a", 159) + "["), (SmsLength{SmsEncoding::gsm7, 161, 2, true}));
}

TEST(SmsLength, EscapeSequenceIsNeverSplitAcrossParts) {
  // 306 septets would fill two parts exactly, but '{' lands on septets 153-154 and moves whole to
  // part 2, pushing the last 'a' into a third part.
  std::string text = repeat("a", 152) + "{" + repeat("a", 152);
  EXPECT_EQ(measure_sms(text), (SmsLength{SmsEncoding::gsm7, 306, 3, true}));
  // Same length with the escape inside part 1: two parts.
  EXPECT_EQ(measure_sms("{" + repeat("a", 304)).segments, 2);
}

TEST(SmsLength, DefaultAlphabetBeyondAscii) {
  // Letters and symbols of GSM 03.38 outside ASCII cost one septet each.
  SmsLength l = measure_sms("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\r\n");
  EXPECT_EQ(l.encoding, SmsEncoding::gsm7);
  EXPECT_EQ(l.units, 44);
  EXPECT_TRUE(is_gsm7("Basic Computer Skills (101), 1 Dec 2026 16:00-19:00"));
}

TEST(SmsLength, OneCharacterOutsideTheAlphabetForcesUcs2) {
  EXPECT_FALSE(is_gsm7("`"));             // the grave accent is not in GSM 03.38
  EXPECT_FALSE(is_gsm7("\xC3\xA7"));      // ç: only capital Ç is
  EXPECT_FALSE(is_gsm7("\xE2\x80\x93"));  // – en dash
  SmsLength l = measure_sms(repeat("a", 100) + "\xC3\xA7");
  EXPECT_EQ(l, (SmsLength{SmsEncoding::ucs2, 101, 2, true}));
}

TEST(SmsLength, Ucs2SingleBoundary70) {
  EXPECT_EQ(measure_sms(repeat(kBeh, 70)), (SmsLength{SmsEncoding::ucs2, 70, 1, true}));
  EXPECT_EQ(measure_sms(repeat(kBeh, 71)), (SmsLength{SmsEncoding::ucs2, 71, 2, true}));
}

TEST(SmsLength, Ucs2PartsOf67) {
  EXPECT_EQ(measure_sms(repeat(kBeh, 67 * 2)).segments, 2);
  EXPECT_EQ(measure_sms(repeat(kBeh, 67 * 2 + 1)).segments, 3);
  EXPECT_EQ(measure_sms(repeat(kBeh, 67 * 3)).segments, 3);
  EXPECT_EQ(measure_sms(repeat(kBeh, 67 * 3 + 1)).segments, 4);
}

TEST(SmsLength, EmojiCountTwoUnits) {
  EXPECT_EQ(measure_sms(kGrin), (SmsLength{SmsEncoding::ucs2, 2, 1, true}));
  EXPECT_EQ(measure_sms(repeat(kGrin, 35)), (SmsLength{SmsEncoding::ucs2, 70, 1, true}));
  EXPECT_EQ(measure_sms(repeat(kGrin, 36)), (SmsLength{SmsEncoding::ucs2, 72, 2, true}));
  // An emoji makes an otherwise GSM-7 text UCS-2.
  EXPECT_EQ(measure_sms("Thanks " + kGrin), (SmsLength{SmsEncoding::ucs2, 9, 1, true}));
}

TEST(SmsLength, SurrogatePairIsNeverSplitAcrossParts) {
  // 134 units would fill two parts, but the pair lands on units 67-68 and moves whole to part 2.
  std::string text = repeat(kBeh, 66) + kGrin + repeat(kBeh, 66);
  EXPECT_EQ(measure_sms(text), (SmsLength{SmsEncoding::ucs2, 134, 3, true}));
  EXPECT_EQ(measure_sms(kGrin + repeat(kBeh, 132)).segments, 2);
}

TEST(SmsLength, ArabicSentenceWithArabicIndicDigits) {
  // "تبدأ الدورة ١ كانون الأول ٢٠٢٦" : 30 characters, all in the BMP.
  SmsLength l = measure_sms("تبدأ الدورة ١ كانون الأول ٢٠٢٦");
  EXPECT_EQ(l, (SmsLength{SmsEncoding::ucs2, 30, 1, true}));
  EXPECT_FALSE(is_gsm7("دورة"));
}

TEST(SmsLength, InvalidUtf8CountsAsReplacementCharacters) {
  EXPECT_EQ(measure_sms("\xFF"), (SmsLength{SmsEncoding::ucs2, 1, 1, false}));
  // A truncated sequence is one maximal subpart: one U+FFFD, then the 'a'.
  EXPECT_EQ(measure_sms("\xE2\x82"
                        "a"),
            (SmsLength{SmsEncoding::ucs2, 2, 1, false}));
  // Overlong '/' : C0 is never a lead byte, so each byte is one U+FFFD.
  EXPECT_EQ(measure_sms("\xC0\xAF").units, 2);
  // An encoded UTF-16 surrogate (U+D800) is ill-formed: three U+FFFD.
  EXPECT_EQ(measure_sms("\xED\xA0\x80").units, 3);
  // Above U+10FFFF.
  EXPECT_EQ(measure_sms("\xF4\x90\x80\x80").units, 4);
  EXPECT_FALSE(is_gsm7("abc\xFF"));
  EXPECT_FALSE(is_valid_utf8("abc\xFF"));
  EXPECT_TRUE(is_valid_utf8("abc " + kBeh + kGrin + kEuro));
}

TEST(FoldForGsm7, ReplacesTypographyWhenThatMakesTheTextGsm7) {
  EXPECT_EQ(fold_for_gsm7("ICDL \xE2\x80\x93 Advanced"), "ICDL - Advanced");
  EXPECT_EQ(fold_for_gsm7("\xE2\x80\x9CHi\xE2\x80\x9D it\xE2\x80\x99s\xE2\x80\xA6"), "\"Hi\" it's...");
  EXPECT_EQ(fold_for_gsm7("a\xC2\xA0"
                          "b\xE2\x80\x8B"
                          "c"),
            "a bc");
  EXPECT_EQ(fold_for_gsm7("Caf\xC3\xA9 \xE2\x82\xAC"
                          "5"),
            "Café €5");  // already GSM-7: unchanged
  EXPECT_TRUE(is_gsm7(fold_for_gsm7("Data Analysis with Spreadsheets \xE2\x80\x93 Advanced")));
}

TEST(FoldForGsm7, LeavesTextThatNeedsUcs2Anyway) {
  std::string arabic = "مركز الحسين الثقافي \xE2\x80\x93 رأس العين";
  EXPECT_EQ(fold_for_gsm7(arabic), arabic);
  EXPECT_EQ(fold_for_gsm7("a \xE2\x80\x93 \xC3\xA7"), "a \xE2\x80\x93 \xC3\xA7");
  EXPECT_EQ(fold_for_gsm7("x \xE2\x80\x93 \xFF"), "x \xE2\x80\x93 \xFF");  // invalid UTF-8 is left alone
}

}  // namespace
}  // namespace cg::core
