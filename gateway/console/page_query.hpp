// What the console's pages share in reading a request and writing an answer: the `limit` of a list
// paged by key, and a time that may be absent.
#pragma once

#include <cstddef>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "core/time.hpp"
#include "gateway/http/message.hpp"
#include "gateway/web/http_json.hpp"

namespace cg::gateway::console {

// Every list page: `limit` 1 to 200, 50 when absent; otherwise "invalid_query" naming it.
inline constexpr std::size_t kDefaultPageLimit = 50;
inline constexpr std::size_t kMaxPageLimit = 200;
inline Result<std::size_t> page_limit(const http::Request& req) {
  auto l = req.query_param("limit");
  if (!l) return kDefaultPageLimit;
  auto v = web::parse_id(*l);
  if (!v || static_cast<std::size_t>(*v) > kMaxPageLimit) return make_error("invalid_query", "limit: 1 to 200");
  return static_cast<std::size_t>(*v);
}

// An instant as UTC ISO 8601, or null.
inline nlohmann::json opt_time(const std::optional<core::Instant>& t) {
  return t ? nlohmann::json(core::format_iso8601_utc(*t)) : nlohmann::json(nullptr);
}

}  // namespace cg::gateway::console
