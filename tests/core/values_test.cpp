// Money and time at the edges: "25.000" JOD and ISO 8601 with offsets (SPEC §8); strict UTF-8.
#include <gtest/gtest.h>

#include "core/money.hpp"
#include "core/text.hpp"
#include "core/time.hpp"

namespace cg::core {
namespace {

TEST(Money, ParsesJodIntoFils) {
  EXPECT_EQ(parse_jod("25.000")->value, 25000);
  EXPECT_EQ(parse_jod("25")->value, 25000);
  EXPECT_EQ(parse_jod("45.5")->value, 45500);
  EXPECT_EQ(parse_jod("27.75")->value, 27750);
  EXPECT_EQ(parse_jod("0.001")->value, 1);
  EXPECT_EQ(parse_jod("0")->value, 0);
}

TEST(Money, RefusesWhatIsNotAnAmount) {
  for (const char* bad : {"", "-1", "+1", "1.0000", "1.", ".5", "1e3", "1,000", " 1", "1 ", "abc", "12345678901"}) {
    auto r = parse_jod(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "invalid_amount") << bad;
  }
}

TEST(Money, FormatsWithThreeDecimals) {
  EXPECT_EQ(format_jod(Fils{25000}), "25.000");
  EXPECT_EQ(format_jod(Fils{45500}), "45.500");
  EXPECT_EQ(format_jod(Fils{1}), "0.001");
  EXPECT_EQ(format_jod(Fils{-1500}), "-1.500");
}

TEST(Time, ParsesOffsetsToUtc) {
  auto a = parse_iso8601("2026-12-01T16:00:00+03:00");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(format_iso8601_utc(*a), "2026-12-01T13:00:00Z");
  EXPECT_EQ(format_iso8601_utc(*parse_iso8601("2026-12-01T13:00:00Z")), "2026-12-01T13:00:00Z");
  EXPECT_EQ(format_iso8601_utc(*parse_iso8601("2026-12-01T13:00Z")), "2026-12-01T13:00:00Z");
  EXPECT_EQ(format_iso8601_utc(*parse_iso8601("2026-12-01T13:00:00.250Z")), "2026-12-01T13:00:00Z");
  EXPECT_EQ(format_iso8601_utc(*parse_iso8601("2026-12-01T01:00:00-0230")), "2026-12-01T03:30:00Z");
  EXPECT_EQ(format_iso8601_utc(*parse_iso8601("2024-02-29T00:00:00Z")), "2024-02-29T00:00:00Z");
}

TEST(Time, RefusesTimesWithoutOffsetOrOutOfRange) {
  for (const char* bad : {"2026-12-01T16:00:00", "2026-12-01", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2025-02-29T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T16:00:00+15:00",
                          "2026-12-01T16:00:00Zjunk", "", "yesterday"}) {
    auto r = parse_iso8601(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "invalid_time") << bad;
  }
}

TEST(Time, LocalFieldsAtAmmanOffset) {
  LocalTime l = to_local(*parse_iso8601("2026-12-31T22:30:00Z"), std::chrono::minutes(180));
  EXPECT_EQ(l.year, 2027);
  EXPECT_EQ(l.month, 1);
  EXPECT_EQ(l.day, 1);
  EXPECT_EQ(l.hour, 1);
  EXPECT_EQ(l.minute, 30);
  EXPECT_EQ(l.weekday, 5);  // Friday
}

TEST(Utf8, ReadsOneWellFormedSequence) {
  const std::pair<std::string, char32_t> good[] = {
      {"a", U'a'}, {"\x7f", 0x7F}, {"\xC2\x80", 0x80}, {"\xD8\xB9", 0x639}, {"\xE0\xA0\x80", 0x800},
      {"\xED\x9F\xBF", 0xD7FF}, {"\xEE\x80\x80", 0xE000}, {"\xF0\x90\x80\x80", 0x10000},
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
  for (const char* bad : {"", "\x80", "\xBF", "\xC0\xAF", "\xC1\xBF", "\xE0\x9F\xBF", "\xF0\x8F\xBF\xBF",
                          "\xED\xA0\x80", "\xED\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xD8",
                          "\xE2\x82", "\xD8\x41", "\xFE", "\xFF"}) {
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
