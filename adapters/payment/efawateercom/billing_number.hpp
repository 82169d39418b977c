// Billing numbers: what an applicant types at a bank or in an e-banking app to pay through
// eFAWATEERcom. Ten digits: a 9-digit base issued by the gateway (one per application) followed by a
// Damm check digit, so a mistyped number is refused at bill pull instead of paying someone else's bill.
// Damm (not Luhn) because it catches every single-digit substitution AND every adjacent transposition;
// Luhn misses 09 <-> 90.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cg::efawateercom {

inline constexpr std::uint64_t kMaxBillingBase = 999'999'999;

// The Damm check digit ('0'..'9') of a string of ASCII digits. Precondition: digits only.
char damm_check_digit(std::string_view digits);

// `base` (0 .. 999'999'999, zero-padded to 9 digits) followed by its check digit: 100000001 -> "1000000018".
// Bases come from the store's own sequence, so a base out of range is a programming error and throws
// std::out_of_range; start the sequence at 100'000'000 so no number begins with 0 (bank forms drop it).
std::string make_billing_number(std::uint64_t base);

// Exactly 10 ASCII digits whose Damm check passes.
bool billing_number_valid(std::string_view text);

}  // namespace cg::efawateercom
