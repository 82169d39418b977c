// Money at the edges: "25.000" JOD as fils, and nothing else taken for an amount (SPEC §8).
#include <gtest/gtest.h>

#include "core/money.hpp"

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

}  // namespace
}  // namespace cg::core
