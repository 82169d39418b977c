// What the console's pages share in reading a request and writing an answer: the `limit` and the
// keys of a list paged by key, and a time that may be absent.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

// A list's key "SECONDS:REST": a time and what settles ties within its second (a transaction id,
// a seq, an id). It is the page's own token, so only its own form is accepted.
struct TimeKey {
  core::Instant at{};
  std::string rest;
};
inline std::optional<TimeKey> parse_time_key(std::string_view s) {
  auto colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::int64_t secs = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + colon, secs);
  if (ec != std::errc() || p != s.data() + colon || secs < 0) return std::nullopt;
  return TimeKey{core::Instant{std::chrono::seconds{secs}}, std::string(s.substr(colon + 1))};
}
inline std::string time_key(core::Instant at, std::string_view rest) {
  return std::to_string(at.time_since_epoch().count()) + ":" + std::string(rest);
}
// The `after` parameter of a list keyed so: the start when absent, else "invalid_query" naming it.
inline Result<TimeKey> after_time_key(const http::Request& req) {
  auto a = req.query_param("after");
  if (!a) return TimeKey{};
  auto k = parse_time_key(*a);
  if (!k) return make_error("invalid_query", "after: the next_after of the previous page");
  return std::move(*k);
}
// The same where the tie is settled by a whole number (a seq, an id): the REST must be one.
struct TimeIdKey {
  core::Instant at{};
  std::int64_t id = 0;
};
inline Result<TimeIdKey> after_time_id_key(const http::Request& req) {
  if (!req.query_param("after")) return TimeIdKey{};
  auto k = after_time_key(req);
  std::optional<std::int64_t> id = k ? web::parse_id(k->rest) : std::nullopt;
  if (!id) return make_error("invalid_query", "after: the next_after of the previous page");
  return TimeIdKey{k->at, *id};
}

// The key a list's next page starts after: the last row's (`key_of`) when this page came back
// full, so there may be more; null otherwise.
template <class Row, class KeyOf>
nlohmann::json next_after(const std::vector<Row>& rows, std::size_t limit, KeyOf key_of) {
  if (rows.empty() || rows.size() != limit) return nullptr;
  return key_of(rows.back());
}

// An instant as UTC ISO 8601, or null.
inline nlohmann::json opt_time(const std::optional<core::Instant>& t) {
  return t ? nlohmann::json(core::format_iso8601_utc(*t)) : nlohmann::json(nullptr);
}

}  // namespace cg::gateway::console
