// The HTTP endpoints of SPEC §2 and §5 as plain functions from request to response, registered
// explicitly on a Router.
#pragma once

#include "gateway/app/config.hpp"
#include "gateway/http/router.hpp"
#include "gateway/metrics/metrics.hpp"
#include "gateway/service/service.hpp"

namespace cg::gateway {

struct RouteContext {
  Service& service;
  const Config& config;
  Metrics& metrics;
};

void register_routes(http::Router& router, RouteContext ctx);

// The HTTP status for an error code from the service or core (unknown codes: 400).
int status_for(const Error& e);

}  // namespace cg::gateway
