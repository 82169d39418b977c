// Money is integer fils inside (1 JOD = 1000 fils); "25.000" style at the edges. No floating point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace cg::core {

struct Fils {
  std::int64_t value = 0;
  friend auto operator<=>(const Fils&, const Fils&) = default;
};

// Parses a JOD amount: digits, optionally '.' and 1 to 3 decimals ("25", "25.5", "25.000").
// Refuses signs, exponents, spaces, more than 3 decimals and amounts above 1,000,000,000 JOD.
Result<Fils> parse_jod(std::string_view text);

// Formats as JOD with exactly 3 decimals: 25000 -> "25.000".
std::string format_jod(Fils amount);

}  // namespace cg::core
