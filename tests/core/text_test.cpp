// Strict UTF-8: one well-formed sequence at a time, and nothing else taken for one.
#include <gtest/gtest.h>

#include "core/text.hpp"

namespace cg::core {
namespace {

TEST(Utf8, ReadsOneWellFormedSequence) {
  const std::pair<std::string, char32_t> good[] = {{"a", U'a'},
                                                   {"\x7f", 0x7F},
                                                   {"\xC2\x80", 0x80},
                                                   {"\xD8\xB9", 0x639},
                                                   {"\xE0\xA0\x80", 0x800},
                                                   {"\xED\x9F\xBF", 0xD7FF},
                                                   {"\xEE\x80\x80", 0xE000},
                                                   {"\xF0\x90\x80\x80", 0x10000},
                                                   {"\xF4\x8F\xBF\xBF", 0x10FFFF}};
  for (const auto& [bytes, want] : good) {
    char32_t cp = 0;
    EXPECT_EQ(text::next_utf8(bytes + "rest", cp), bytes.size()) << bytes;
    EXPECT_EQ(cp, want) << bytes;
  }
}

TEST(Utf8, RefusesWhatIsNotOne) {
  // Empty, a lone continuation byte, overlong forms, surrogates, past U+10FFFF, truncated, a bad
  // continuation, bytes that never begin a sequence.
  for (const char* bad :
       {"", "\x80", "\xBF", "\xC0\xAF", "\xC1\xBF", "\xE0\x9F\xBF", "\xF0\x8F\xBF\xBF", "\xED\xA0\x80", "\xED\xBF\xBF",
        "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xD8", "\xE2\x82", "\xD8\x41", "\xFE", "\xFF"}) {
    char32_t cp = 0;
    EXPECT_EQ(text::next_utf8(bad, cp), 0u) << testing::PrintToString(std::string(bad));
    if (*bad != '\0') {
      EXPECT_FALSE(text::decode_utf8(std::string("ok ") + bad).has_value()) << testing::PrintToString(std::string(bad));
    }
  }
  EXPECT_EQ(text::decode_utf8("ok \xD8\xB9"), std::u32string(U"ok \u0639"));
}

TEST(CutBytes, NeverEndsInsideASequence) {
  const std::string ain = "\xD8\xB9";  // U+0639, two bytes
  std::string s = "25." + ain + ain + ain;
  for (std::size_t max = 0; max <= s.size() + 1; ++max) {
    std::string_view cut = text::cut_bytes(s, max);
    EXPECT_LE(cut.size(), max);
    EXPECT_TRUE(text::decode_utf8(cut).has_value()) << max;
    EXPECT_GE(cut.size() + 1, std::min(max, s.size())) << max;  // at most one byte of a 2-byte sequence left out
  }
  EXPECT_EQ(text::cut_bytes(s, 4), "25.");
  EXPECT_EQ(text::cut_bytes("\xF0\x9F\x98\x80x", 3), "");
  EXPECT_EQ(text::cut_bytes("ab\xFF\xFEzz", 4), "ab\xFF\xFE");  // stray bytes stand for themselves
}

TEST(Controls, FindsControlsAndBidiOverrides) {
  EXPECT_FALSE(text::find_control("مركز الحسين الثقافي – رأس العين", true));
  EXPECT_FALSE(text::find_control("A \xE2\x80\x8F mark (RLM) is fine", true));
  EXPECT_EQ(text::find_control("Room 1\r\nX", true), U'\r');
  EXPECT_EQ(text::find_control(std::string("a\0b", 3), false), U'\0');
  EXPECT_EQ(text::find_control("\xC2\x85", false), char32_t{0x85});               // NEL, a C1 control
  EXPECT_EQ(text::find_control("x\xE2\x80\xAEtxt.exe", true), char32_t{0x202E});  // RLO
  EXPECT_FALSE(text::find_control("x\xE2\x80\xAEtxt.exe", false));
  EXPECT_EQ(text::find_control("\xE2\x81\xA6", true), char32_t{0x2066});  // LRI
}

TEST(Controls, EscapeForLogKeepsOneLine) {
  EXPECT_EQ(text::escape_for_log("SM1\r\nhttp: forged line"), "SM1\\r\\nhttp: forged line");
  EXPECT_EQ(text::escape_for_log(std::string("a\0b\x1b[31m", 8)), "a\\x00b\\x1b[31m");
  EXPECT_EQ(text::escape_for_log("c:\\x00"), "c:\\\\x00");  // a backslash cannot fake an escape
  EXPECT_EQ(text::escape_for_log("\xFF"), "\\xff");
  EXPECT_EQ(text::escape_for_log("x\xE2\x80\xAEy\xE2\x80\xA8"), "x\\u{202e}y\\u{2028}");
  EXPECT_EQ(text::escape_for_log("سارة"), "سارة");
}

std::string json_string(std::string_view s) {
  std::string out;
  text::append_json_string(out, s);
  return out;
}

TEST(Json, AStringLiteralStaysValidJsonWhateverItQuotes) {
  EXPECT_EQ(json_string("سارة \"x\" a\\b"), "\"سارة \\\"x\\\" a\\\\b\"");
  EXPECT_EQ(json_string("1\r\n2\t"), "\"1\\r\\n2\\t\"");
  EXPECT_EQ(json_string(std::string("\0\x1b\x7f", 3)), "\"\\u0000\\u001b\\u007f\"");
  // Not UTF-8 (a lone continuation byte, an overlong '/', a surrogate): each bad byte one U+FFFD.
  EXPECT_EQ(json_string("a\x80"
                        "b"),
            "\"a\\ufffdb\"");
  EXPECT_EQ(json_string("\xC0\xAF"), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(json_string("\xED\xA0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");
  EXPECT_EQ(json_string(""), "\"\"");
}

}  // namespace
}  // namespace cg::core
