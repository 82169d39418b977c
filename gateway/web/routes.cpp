#include "gateway/web/routes.hpp"

#include <map>
#include <string>

#include "adapters/exam/exam.hpp"
#include "gateway/web/admin_auth.hpp"
#include "gateway/web/http_json.hpp"
#include "gateway/web/json_codec.hpp"

namespace cg::gateway::web {

using http::Method;
using http::Request;
using http::Responder;
using http::Response;
using nlohmann::json;

int status_for(const Error& e) {
  static const std::map<std::string, int, std::less<>> kStatus{
      {"not_found", 404},
      {"unknown_course", 404},
      {"unknown_token", 404},
      {"duplicate_application", 409},
      {"duplicate_course", 409},
      {"course_postponed", 409},
      {"course_started", 409},
      {"course_ended", 409},
      {"course_not_open", 409},
      {"not_cancellable", 409},
      {"no_exam_awaited", 409},
      {"result_conflict", 409},
      {"capacity_below_seats_taken", 409},
      {"unauthorized", 401},
      {"forbidden", 403},
      {"store_unavailable", 503},
      {"store_error", 500},
      {"render_error", 500},
      {"internal_error", 500},
  };
  auto it = kStatus.find(e.code);
  return it == kStatus.end() ? 400 : it->second;
}

Response get_healthz(Service& service, const Request&) {
  Status s = service.store().ping();
  if (!s) return http::json_response(503, json{{"status", "unavailable"}, {"store", s.error().message}}.dump());
  return http::json_response(200, R"({"status":"ok"})");
}

Response get_metrics(Service& service, const Metrics& metrics, const Request&) {
  GaugeFigures figures;
  if (auto courses = service.all_courses()) {
    GaugeFigures::Counts by_state;
    for (auto s : core::kAllApplicationStates) {
      std::int64_t n = 0;
      for (const auto& c : *courses) n += c.tally[s];
      by_state.emplace_back(std::string(core::to_string(s)), n);
    }
    figures.applications_by_state = std::move(by_state);
  }
  if (auto outbox = service.store().outbox_figures()) figures.outbox_by_status = std::move(outbox->by_status);
  figures.store_up = service.store().ping().ok();
  return http::text_response(200, metrics.render_requests() + render_gauges(figures),
                             "text/plain; version=0.0.4; charset=utf-8");
}

Response get_open_courses(Service& service, const Request&) {
  auto courses = service.open_courses();
  if (!courses) return error_response(courses.error());
  return http::json_response(200, encode_courses(*courses, Audience::website).dump());
}

void post_application(Service& service, Request req, Responder respond) {
  auto body = parse_json_body(req);
  if (!body) return respond(bad(body.error()));
  auto in = decode_application(*body);
  if (!in) return respond(bad(in.error()));
  if (auto key = req.header("Idempotency-Key")) {
    if (key->empty() || key->size() > 128)
      return respond(http::json_error(400, "invalid_header", "Idempotency-Key must be 1 to 128 characters"));
    in->idempotency_key = std::string(*key);
  }
  service.apply(std::move(*in), [respond](Result<ApplyOutput> r) {
    if (!r) return respond(error_response(r.error()));
    respond(json_replacing(r->replayed ? 200 : 201, encode_apply_output(*r)));
  });
}

Response get_application(Service& service, const Request& req) {
  auto view = service.application(std::string(*req.path_param("id")));
  if (!view) return error_response(view.error());
  return json_replacing(200, encode_application_view(*view));
}

void post_application_cancel(Service& service, Request req, Responder respond) {
  // The 128-bit application id is the applicant's capability (SPEC §8): whoever holds it may cancel.
  service.cancel(std::string(*req.path_param("id")), core::Actor::applicant,
                 [respond](Result<core::ApplicationState> r) {
                   if (!r) return respond(error_response(r.error()));
                   respond(json_replacing(200, encode_state(*r)));
                 });
}

void post_exam_result(Service& service, const Config& config, Request req, Responder respond) {
  auto sig = req.header("X-Signature");
  if (auto s = exam::verify_exam_signature(config.exam_secret, req.body, sig.value_or("")); !s)
    return respond(http::json_error(401, s.error().code, s.error().message));
  auto parsed = exam::parse_exam_result(req.body);
  if (!parsed) return respond(http::json_error(400, parsed.error().code, parsed.error().message));
  ExamInput in{parsed->token, parsed->outcome == exam::ExamOutcome::pass, parsed->score, parsed->taken_at};
  service.exam_result(std::move(in), [respond](Result<ExamOutput> r) {
    if (!r) return respond(error_response(r.error()));
    respond(json_replacing(200, encode_exam_output(*r)));
  });
}

namespace {

// Binds a named handler to the service it calls.
template <class F>
http::Handler on(Service& service, F f) {
  return [&service, f](Request req, Responder respond) { f(service, std::move(req), std::move(respond)); };
}
template <class F>
http::Handler at_once(Service& service, F f) {
  return http::sync_handler([&service, f](const Request& req) { return f(service, req); });
}

}  // namespace

void register_web_routes(http::Router& router, Service& service, const Config& config, const Metrics& metrics) {
  router.add(Method::get, "/healthz", at_once(service, get_healthz));
  router.add(Method::get, "/metrics", http::sync_handler([&service, &metrics](const Request& req) {
               return get_metrics(service, metrics, req);
             }));

  router.add(Method::get, "/v1/courses", at_once(service, get_open_courses));
  router.add(Method::post, "/v1/applications", on(service, post_application));
  router.add(Method::get, "/v1/applications/{id}", at_once(service, get_application));
  router.add(Method::post, "/v1/applications/{id}/cancel", on(service, post_application_cancel));
  router.add(Method::post, "/v1/exam/results", [&service, &config](Request req, Responder respond) {
    post_exam_result(service, config, std::move(req), std::move(respond));
  });

  router.add(Method::post, "/v1/admin/courses", admin(config, on(service, post_course)));
  router.add(Method::get, "/v1/admin/courses", admin(config, at_once(service, get_courses)));
  router.add(Method::get, "/v1/admin/courses/{id}", admin(config, at_once(service, get_course)));
  router.add(Method::patch, "/v1/admin/courses/{id}", admin(config, on(service, patch_course)));
  router.add(Method::get, "/v1/admin/courses/{id}/applications",
             admin(config, at_once(service, get_course_applications)));
  router.add(Method::post, "/v1/admin/applications/{id}/cancel", admin(config, on(service, post_admin_cancel)));
  router.add(Method::post, "/v1/admin/prerequisites/{applicant}", admin(config, on(service, post_prerequisite)));
  router.add(Method::get, "/v1/admin/outbox", admin(config, at_once(service, get_outbox_figures)));
}

}  // namespace cg::gateway::web
