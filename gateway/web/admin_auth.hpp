// The operators' bearer token (SPEC §5), shared by every file that registers /v1/admin routes.
#pragma once

#include <utility>

#include "adapters/crypto/crypto.hpp"
#include "gateway/app/config.hpp"
#include "gateway/http/handler.hpp"

namespace cg::gateway {

inline bool admin_ok(const http::Request& req, const Config& config) {
  auto h = req.header("Authorization");
  if (!h || h->substr(0, 7) != "Bearer ") return false;
  return crypto::constant_time_equal(h->substr(7), config.admin_token);
}

// Wraps an admin handler with the bearer-token check.
inline http::Handler admin(const Config& config, http::Handler inner) {
  return [&config, inner = std::move(inner)](http::Request req, http::Responder respond) {
    if (!admin_ok(req, config)) {
      http::Response r = http::json_error(401, "unauthorized", "a valid admin bearer token is required");
      r.headers.set("WWW-Authenticate", "Bearer");
      return respond(std::move(r));
    }
    inner(std::move(req), std::move(respond));
  };
}

}  // namespace cg::gateway
