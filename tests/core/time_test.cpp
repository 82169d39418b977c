// Time at the edges: ISO 8601 with offsets to UTC and back to Amman's local fields (SPEC §8).
#include <gtest/gtest.h>

#include "core/time.hpp"

namespace cg::core {
namespace {

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
  for (const char* bad :
       {"2026-12-01T16:00:00", "2026-12-01", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z",
        "2026-12-01T24:00:00Z", "2026-12-01T16:00:00+15:00", "2026-12-01T16:00:00Zjunk", "", "yesterday"}) {
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

}  // namespace
}  // namespace cg::core
