#include "core/money.hpp"

namespace cg::core {

Result<Fils> parse_jod(std::string_view text) {
  if (text.empty()) return make_error("invalid_amount", "amount is empty");
  std::int64_t whole = 0;
  std::size_t i = 0;
  std::size_t whole_digits = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    char c = text[i];
    if (c < '0' || c > '9')
      return make_error("invalid_amount", "amount must be digits with up to 3 decimals, like 25.000");
    if (++whole_digits > 10) return make_error("invalid_amount", "amount is too large");
    whole = whole * 10 + (c - '0');
  }
  if (whole_digits == 0) return make_error("invalid_amount", "amount must start with a digit, like 25.000");
  std::int64_t fraction = 0;
  if (i < text.size()) {
    ++i;  // the '.'
    std::size_t decimals = text.size() - i;
    if (decimals == 0 || decimals > 3)
      return make_error("invalid_amount", "amount must have 1 to 3 decimals, like 25.000");
    for (std::size_t k = 0; k < 3; ++k) {
      fraction *= 10;
      if (i + k < text.size()) {
        char c = text[i + k];
        if (c < '0' || c > '9')
          return make_error("invalid_amount", "amount must be digits with up to 3 decimals, like 25.000");
        fraction += c - '0';
      }
    }
  }
  if (whole > 1'000'000'000) return make_error("invalid_amount", "amount is too large");
  return Fils{whole * 1000 + fraction};
}

std::string format_jod(Fils amount) {
  std::int64_t v = amount.value;
  std::string sign;
  if (v < 0) {
    sign = "-";
    v = -v;
  }
  std::string frac = std::to_string(v % 1000);
  while (frac.size() < 3) frac.insert(frac.begin(), '0');
  return sign + std::to_string(v / 1000) + "." + frac;
}

}  // namespace cg::core
