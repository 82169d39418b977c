// Name/value pairs as the gateway's HTTP layer decodes them (query strings and forms), so adapters
// can parse provider callbacks without depending on gateway/.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cg::sms {

using Params = std::vector<std::pair<std::string, std::string>>;

inline std::optional<std::string_view> param(const Params& params, std::string_view name) {
  for (const auto& [n, v] : params)
    if (n == name) return std::string_view(v);
  return std::nullopt;
}

}  // namespace cg::sms
