// The website's and the operators' endpoints (SPEC §2, §5) and the operations endpoints, each a
// named, thin handler: decode the request (gateway/web/json_codec.hpp), call the Service, encode
// the answer. register_web_routes() puts them on a Router, explicitly.
#pragma once

#include <optional>
#include <string>

#include "gateway/app/config.hpp"
#include "gateway/http/reader_pool.hpp"
#include "gateway/http/router.hpp"
#include "gateway/metrics/metrics.hpp"
#include "gateway/service/service.hpp"
#include "gateway/web/health.hpp"

namespace cg::gateway::web {

// What keeps handlers that wait on the store off the server's threads; the App owns them.
struct Offload {
  http::ReaderPool& readers;
  HealthCheck& health;
};

// ---- operations ----
// Everything /metrics shows; blocks on the store (run it on the reader pool).
http::Response get_metrics(Service& service, const Metrics& metrics, const http::Request& req);
// The request counters with the given gauges.
http::Response metrics_response(const Metrics& metrics, const GaugeFigures& figures);

// ---- the website (SPEC §2) ----
http::Response get_open_courses(Service& service, const http::Request& req);
// The caller's fingerprint when the request carries one of website.api_keys
// (Authorization: Bearer).
std::optional<std::string> website_caller(const http::Request& req, const Config& config);
void post_application(Service& service, const Config& config, const std::string& caller, const http::Request& req,
                      const http::Responder& respond);
http::Response get_application(Service& service, const http::Request& req);
void post_application_cancel(Service& service, const http::Request& req, const http::Responder& respond);
void post_exam_result(Service& service, const Config& config, const http::Request& req, const http::Responder& respond);

// ---- operators (SPEC §5), behind the admin bearer token ----
void post_course(Service& service, const http::Request& req, const http::Responder& respond);
http::Response get_courses(Service& service, const http::Request& req);
http::Response get_course(Service& service, const http::Request& req);
void patch_course(Service& service, const http::Request& req, const http::Responder& respond);
http::Response get_course_applications(Service& service, const http::Request& req);
void post_admin_cancel(Service& service, const http::Request& req, const http::Responder& respond);
void post_prerequisite(Service& service, const http::Request& req, const http::Responder& respond);
http::Response get_outbox_figures(Service& service, const http::Request& req);

void register_web_routes(http::Router& router, Service& service, const Config& config, const Metrics& metrics,
                         const Offload& offload);

}  // namespace cg::gateway::web
