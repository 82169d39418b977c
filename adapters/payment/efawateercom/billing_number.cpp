#include "adapters/payment/efawateercom/billing_number.hpp"

#include <stdexcept>

namespace cg::efawateercom {
namespace {

// Damm's totally anti-symmetric quasigroup of order 10 (H. M. Damm, 2004), with a zero diagonal so that
// a number followed by its check digit reduces to 0.
constexpr unsigned char kDamm[10][10] = {{0, 3, 1, 7, 5, 9, 8, 6, 4, 2}, {7, 0, 9, 2, 1, 5, 4, 8, 6, 3},
                                         {4, 2, 0, 6, 8, 7, 1, 3, 5, 9}, {1, 7, 5, 0, 9, 8, 3, 4, 2, 6},
                                         {6, 1, 2, 3, 0, 4, 5, 9, 7, 8}, {3, 6, 7, 4, 2, 0, 9, 5, 8, 1},
                                         {5, 8, 6, 9, 7, 2, 0, 1, 3, 4}, {8, 9, 4, 5, 3, 6, 2, 0, 1, 7},
                                         {9, 4, 3, 8, 6, 1, 7, 2, 0, 5}, {2, 5, 8, 1, 4, 3, 6, 7, 9, 0}};

constexpr std::size_t kBillingNumberLength = 10;

unsigned damm_interim(std::string_view digits) {
  unsigned interim = 0;
  for (char c : digits) interim = kDamm[interim][static_cast<unsigned>(c - '0')];
  return interim;
}

}  // namespace

char damm_check_digit(std::string_view digits) { return static_cast<char>('0' + damm_interim(digits)); }

std::string make_billing_number(std::uint64_t base) {
  if (base > kMaxBillingBase) throw std::out_of_range("billing number base must have at most 9 digits");
  std::string digits = std::to_string(base);
  digits.insert(0, kBillingNumberLength - 1 - digits.size(), '0');
  digits.push_back(damm_check_digit(digits));
  return digits;
}

bool billing_number_valid(std::string_view text) {
  if (text.size() != kBillingNumberLength) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return damm_interim(text) == 0;
}

}  // namespace cg::efawateercom
