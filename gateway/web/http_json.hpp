// What the web handlers share: reading a JSON body, answering JSON, and mapping errors to
// statuses.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "gateway/http/handler.hpp"

namespace cg::gateway::web {

// The HTTP status for an error code from the service or core (unknown codes: 400).
int status_for(const Error& e);

inline http::Response error_response(const Error& e) {
  if (e.code == "store_unavailable" || e.code == "store_error") return http::store_failure(e);
  return http::json_error(status_for(e), e.code, e.message);
}

// A request that cannot be read: 415 for a wrong media type, else 400.
inline http::Response bad(const Error& e) {
  int status = e.code == "unsupported_media_type" ? 415 : 400;
  return http::json_error(status, e.code, e.message);
}

// The body as a JSON object; the Content-Type must say JSON.
inline Result<nlohmann::json> parse_json_body(const http::Request& req) {
  auto ct = req.header("Content-Type");
  if (!ct || ct->find("application/json") == std::string_view::npos)
    return make_error("unsupported_media_type", "Content-Type must be application/json");
  nlohmann::json j = nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error("invalid_json", "the body is not valid JSON");
  if (!j.is_object()) return make_error("invalid_json", "the body must be a JSON object");
  return j;
}

// A positive decimal id from a path or query.
inline std::optional<std::int64_t> parse_id(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// Text from the store may hold bytes that are not UTF-8: those are replaced, not thrown on.
inline http::Response json_replacing(int status, const nlohmann::json& j) {
  return http::json_response(status, j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace cg::gateway::web
