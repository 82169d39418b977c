// Enums written by name (in the store, in saved sessions): a table of names in the enum's order,
// read back by position.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace cg::core {

// Sets `out` to the enumerator whose name is `text`; false, leaving `out` as it was, for any other text.
template <typename Enum, std::size_t N>
bool parse_by_name(const std::array<std::string_view, N>& names, std::string_view text, Enum& out) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == text) {
      out = static_cast<Enum>(i);
      return true;
    }
  return false;
}

}  // namespace cg::core
