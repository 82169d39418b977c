// Dates, times, ranges, digits and money as each language shows them.
#include "templates/localize.hpp"

#include <gtest/gtest.h>

namespace cg::templates {
namespace {

using core::Language;
using std::chrono::minutes;

constexpr minutes kAmman{180};

core::Instant at(std::string_view iso) {
  auto t = core::parse_iso8601(iso);
  EXPECT_TRUE(t.ok()) << iso;
  return t.ok() ? t.value() : core::Instant{};
}

TEST(Localize, DigitsBecomeArabicIndicOnlyInArabic) {
  EXPECT_EQ(localize_digits("0123456789", Language::ar), "٠١٢٣٤٥٦٧٨٩");
  EXPECT_EQ(localize_digits("16:05 x", Language::ar), "١٦:٠٥ x");
  EXPECT_EQ(localize_digits("0123456789", Language::en), "0123456789");
}

TEST(Localize, EveryLevantineMonthName) {
  const char* ar[] = {"كانون الثاني", "شباط", "آذار",  "نيسان",       "أيار",         "حزيران",
                      "تموز",         "آب",   "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"};
  const char* en[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int m = 1; m <= 12; ++m) {
    char iso[32];
    std::snprintf(iso, sizeof iso, "2027-%02d-15T09:00:00Z", m);
    EXPECT_EQ(format_date(at(iso), kAmman, Language::ar), std::string("١٥ ") + ar[m - 1] + " ٢٠٢٧");
    EXPECT_EQ(format_date(at(iso), kAmman, Language::en), std::string("15 ") + en[m - 1] + " 2027");
  }
}

TEST(Localize, InstantsShowAtTheConfiguredOffset) {
  core::Instant t = at("2026-12-01T13:00:00Z");
  EXPECT_EQ(format_time(t, kAmman, Language::en), "16:00");
  EXPECT_EQ(format_time(t, kAmman, Language::ar), "١٦:٠٠");
  EXPECT_EQ(format_time(t, minutes{0}, Language::en), "13:00");
  // 22:30 UTC on New Year's Eve is already 01:30 on 1 January in Amman.
  core::Instant late = at("2026-12-31T22:30:00Z");
  EXPECT_EQ(format_date(late, kAmman, Language::en), "1 Jan 2027");
  EXPECT_EQ(format_date(late, kAmman, Language::ar), "١ كانون الثاني ٢٠٢٧");
  EXPECT_EQ(format_time(late, kAmman, Language::ar), "٠١:٣٠");
  EXPECT_EQ(format_date(late, minutes{0}, Language::en), "31 Dec 2026");
}

TEST(Localize, DateRangesWriteSharedPartsOnce) {
  auto range = [](std::string_view a, std::string_view b, Language l) {
    return format_date_range(at(a), at(b), kAmman, l);
  };
  // One day.
  EXPECT_EQ(range("2026-12-01T13:00:00Z", "2026-12-01T16:00:00Z", Language::en), "1 Dec 2026");
  // Same month.
  EXPECT_EQ(range("2026-12-01T13:00:00Z", "2026-12-08T16:00:00Z", Language::en), "1-8 Dec 2026");
  EXPECT_EQ(range("2026-12-01T13:00:00Z", "2026-12-08T16:00:00Z", Language::ar), "١–٨ كانون الأول ٢٠٢٦");
  // Across a month.
  EXPECT_EQ(range("2026-11-28T13:00:00Z", "2026-12-10T16:00:00Z", Language::en), "28 Nov - 10 Dec 2026");
  EXPECT_EQ(range("2026-11-28T13:00:00Z", "2026-12-10T16:00:00Z", Language::ar),
            "٢٨ تشرين الثاني – ١٠ كانون الأول ٢٠٢٦");
  // Across New Year: the start's year is the one a reader infers, so it is left out.
  EXPECT_EQ(range("2026-12-28T13:00:00Z", "2027-01-10T16:00:00Z", Language::en), "28 Dec - 10 Jan 2027");
  EXPECT_EQ(range("2026-12-28T13:00:00Z", "2027-01-10T16:00:00Z", Language::ar),
            "٢٨ كانون الأول – ١٠ كانون الثاني ٢٠٢٧");
  // A year or more apart: both years, or the reader would take the start for the end's year.
  EXPECT_EQ(range("2026-01-05T13:00:00Z", "2027-01-10T16:00:00Z", Language::en), "5 Jan 2026 - 10 Jan 2027");
  EXPECT_EQ(range("2026-01-05T13:00:00Z", "2027-03-10T16:00:00Z", Language::en), "5 Jan 2026 - 10 Mar 2027");
  // Days are local days: 21:30 UTC on 30 Nov is 1 Dec in Amman.
  EXPECT_EQ(range("2026-11-30T21:30:00Z", "2026-12-03T16:00:00Z", Language::en), "1-3 Dec 2026");
}

TEST(Localize, TimeRanges) {
  EXPECT_EQ(format_time_range(at("2026-12-01T13:30:00Z"), at("2026-12-08T16:30:00Z"), kAmman, Language::en),
            "16:30-19:30");
  EXPECT_EQ(format_time_range(at("2026-12-01T13:30:00Z"), at("2026-12-08T16:30:00Z"), kAmman, Language::ar),
            "١٦:٣٠–١٩:٣٠");
  EXPECT_EQ(format_time_range(at("2026-12-01T13:30:00Z"), at("2026-12-08T13:30:00Z"), kAmman, Language::en), "16:30");
}

TEST(Localize, MoneyKeepsWesternDigits) {
  EXPECT_EQ(format_money(core::Fils{45500}, Language::en), "45.500 JOD");
  EXPECT_EQ(format_money(core::Fils{45500}, Language::ar), "45.500 دينار");
  EXPECT_EQ(format_money(core::Fils{0}, Language::ar), "0.000 دينار");
}

}  // namespace
}  // namespace cg::templates
