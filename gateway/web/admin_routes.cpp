// The operators' endpoints (SPEC §5); register_web_routes() puts them behind the admin token. Every
// one that changes something writes an audit line as the actor "api" with the client's address
// (docs/console.md), in the same transaction as the change.
#include "gateway/web/http_json.hpp"
#include "gateway/web/json_codec.hpp"
#include "gateway/web/routes.hpp"

namespace cg::gateway::web {

using http::Request;
using http::Responder;
using http::Response;

namespace {
AuditBy api_caller(const Request& req) { return AuditBy{std::string(kApiActor), req.remote_address}; }
}  // namespace

void post_course(Service& service, const Request& req, const Responder& respond) {
  auto body = parse_json_body(req);
  if (!body) return respond(bad(body.error()));
  auto course = decode_course(*body);
  if (!course) return respond(bad(course.error()));
  service.create_course(
      std::move(*course),
      [respond](Result<core::Course> r) {
        if (!r) return respond(error_response(r.error()));
        respond(json_replacing(201, encode_course(*r, Audience::operators)));
      },
      api_caller(req));
}

Response get_courses(Service& service, const Request&) {
  auto courses = service.all_courses();
  if (!courses) return error_response(courses.error());
  return http::json_response(200, encode_courses(*courses, Audience::operators).dump());
}

Response get_course(Service& service, const Request& req) {
  auto id = parse_id(*req.path_param("id"));
  if (!id) return http::json_error(404, "not_found", "course not found");
  auto c = service.course(*id);
  if (!c) return error_response(c.error());
  return http::json_response(200, encode_course(*c, Audience::operators).dump());
}

void patch_course(Service& service, const Request& req, const Responder& respond) {
  auto id = parse_id(*req.path_param("id"));
  if (!id) return respond(http::json_error(404, "not_found", "course not found"));
  auto body = parse_json_body(req);
  if (!body) return respond(bad(body.error()));
  auto patch = decode_course_patch(*body);
  if (!patch) return respond(bad(patch.error()));
  service.patch_course(
      *id, std::move(*patch),
      [respond](Result<core::Course> r) {
        if (!r) return respond(error_response(r.error()));
        respond(json_replacing(200, encode_course(*r, Audience::operators)));
      },
      api_caller(req));
}

Response get_course_applications(Service& service, const Request& req) {
  auto id = parse_id(*req.path_param("id"));
  if (!id) return http::json_error(404, "not_found", "course not found");
  std::optional<core::ApplicationState> state;
  if (auto s = req.query_param("state")) {
    core::ApplicationState st;
    if (!core::parse_application_state(*s, st))
      return http::json_error(400, "invalid_query", "state: not an application state");
    state = st;
  }
  std::size_t limit = 1000;
  if (auto l = req.query_param("limit")) {
    auto v = parse_id(*l);
    if (!v || *v > 10000) return http::json_error(400, "invalid_query", "limit: 1 to 10000");
    limit = static_cast<std::size_t>(*v);
  }
  auto c = service.course(*id);
  if (!c) return error_response(c.error());
  auto apps = service.course_applications(*id, state, limit);
  if (!apps) return error_response(apps.error());
  return json_replacing(200, encode_course_applications(*id, *c, *apps));
}

void post_admin_cancel(Service& service, const Request& req, const Responder& respond) {
  service.cancel(
      std::string(*req.path_param("id")), core::Actor::operator_,
      [respond](Result<core::ApplicationState> r) {
        if (!r) return respond(error_response(r.error()));
        respond(json_replacing(200, encode_state(*r)));
      },
      api_caller(req));
}

void post_prerequisite(Service& service, const Request& req, const Responder& respond) {
  // {applicant} is the identity document number; the body says its type and the prerequisite
  // proven: {"id_type":"national_id","prerequisite":"computer-basics"}.
  auto body = parse_json_body(req);
  if (!body) return respond(bad(body.error()));
  auto proof = decode_prerequisite(*body, *req.path_param("applicant"));
  if (!proof) return respond(bad(proof.error()));
  service.record_prerequisite(
      std::move(*proof),
      [respond](Result<ProofOutput> r) {
        if (!r) return respond(error_response(r.error()));
        respond(json_replacing(r->recorded ? 201 : 200, encode_proof_output(*r)));
      },
      api_caller(req));
}

Response get_outbox_figures(Service& service, const Request&) {
  auto f = service.store().outbox_figures();
  if (!f) return error_response(f.error());
  return http::json_response(200, encode_outbox_figures(*f).dump());
}

}  // namespace cg::gateway::web
