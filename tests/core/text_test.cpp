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

}  // namespace
}  // namespace cg::core
