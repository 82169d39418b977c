#include "adapters/payment/efawateercom/billing_number.hpp"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>

namespace cg::efawateercom {
namespace {

// Luhn, only to document that the eFAWATEERcom test vectors' billing number is a Damm number.
bool luhn_valid(const std::string& digits) {
  int sum = 0;
  bool twice = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (twice) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
    twice = !twice;
  }
  return sum % 10 == 0;
}

TEST(BillingNumber, VectorNumberIsDammNotLuhn) {
  EXPECT_EQ(make_billing_number(100000001), "1000000018");
  EXPECT_TRUE(billing_number_valid("1000000018"));
  EXPECT_FALSE(luhn_valid("1000000018"));
}

TEST(BillingNumber, KnownDammCheckDigit) {
  // The worked example of Damm's algorithm: 572 -> check digit 4.
  EXPECT_EQ(damm_check_digit("572"), '4');
  EXPECT_EQ(make_billing_number(572), "0000005724");
  EXPECT_TRUE(billing_number_valid("0000005724"));
}

TEST(BillingNumber, ShapeIsTenDigits) {
  EXPECT_FALSE(billing_number_valid(""));
  EXPECT_FALSE(billing_number_valid("100000001"));    // 9 digits
  EXPECT_FALSE(billing_number_valid("10000000180"));  // 11 digits
  EXPECT_FALSE(billing_number_valid("10000000l8"));   // a letter
  EXPECT_FALSE(billing_number_valid(" 1000000018"));
  EXPECT_FALSE(billing_number_valid("100000001\xD9"));
  EXPECT_EQ(make_billing_number(0).size(), 10u);
  EXPECT_EQ(make_billing_number(kMaxBillingBase).substr(0, 9), "999999999");
  EXPECT_THROW((void)make_billing_number(kMaxBillingBase + 1), std::out_of_range);
}

TEST(BillingNumber, DetectsEverySingleSubstitutionAndAdjacentTransposition) {
  std::mt19937_64 rng(20261125);
  std::uniform_int_distribution<std::uint64_t> base(0, kMaxBillingBase);
  int checked = 0;
  for (int n = 0; n < 3000; ++n) {
    std::string number = make_billing_number(base(rng));
    ASSERT_TRUE(billing_number_valid(number)) << number;
    for (std::size_t i = 0; i < number.size(); ++i) {
      for (char d = '0'; d <= '9'; ++d) {
        if (d == number[i]) continue;
        std::string typo = number;
        typo[i] = d;
        ASSERT_FALSE(billing_number_valid(typo)) << number << " -> " << typo;
        ++checked;
      }
      if (i + 1 < number.size() && number[i] != number[i + 1]) {
        std::string swapped = number;
        std::swap(swapped[i], swapped[i + 1]);
        ASSERT_FALSE(billing_number_valid(swapped)) << number << " -> " << swapped;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 3000 * 90);
}

TEST(BillingNumber, EveryTwoDigitTranspositionPairIsCaughtInEveryPosition) {
  // Exhaustive over the digit pairs Luhn cannot see (09/90) and all others, at each position.
  for (int a = 0; a <= 9; ++a)
    for (int b = 0; b <= 9; ++b) {
      if (a == b) continue;
      for (std::size_t pos = 0; pos + 1 < 9; ++pos) {
        std::string base(9, '3');
        base[pos] = static_cast<char>('0' + a);
        base[pos + 1] = static_cast<char>('0' + b);
        std::string number = make_billing_number(std::stoull(base));
        std::swap(number[pos], number[pos + 1]);
        ASSERT_FALSE(billing_number_valid(number)) << number;
      }
    }
}

}  // namespace
}  // namespace cg::efawateercom
