#include "gateway/web/routes.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "adapters/crypto/crypto.hpp"
#include "adapters/exam/exam.hpp"
#include "adapters/observe/log.hpp"
#include "adapters/observe/process.hpp"
#include "adapters/observe/registry.hpp"
#include "core/applicant.hpp"
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
      {"idempotency_key_reused", 422},
      {"too_many_applications", 429},
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

Response metrics_response(const Metrics& metrics, const GaugeFigures& figures) {
  return http::text_response(200,
                             metrics.render_requests() + render_gauges(figures) + obs::registry().render() +
                                 obs::render_process(obs::read_process_figures()),
                             "text/plain; version=0.0.4; charset=utf-8");
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
  if (auto outbox = service.store().outbox_figures()) {
    figures.outbox_by_status = std::move(outbox->by_status);
    figures.outbox_oldest_pending_age_seconds =
        outbox->oldest_pending
            ? std::max(0.0, std::chrono::duration<double>(service.clock().now() - *outbox->oldest_pending).count())
            : 0.0;
  }
  figures.store_up = service.store().ping().ok();
  return metrics_response(metrics, figures);
}

Response get_open_courses(Service& service, const Request&) {
  auto courses = service.open_courses();
  if (!courses) return error_response(courses.error());
  return http::json_response(200, encode_courses(*courses, Audience::website).dump());
}

std::optional<std::string> website_caller(const Request& req, const Config& config) {
  auto h = req.header("Authorization");
  if (!h || h->substr(0, 7) != "Bearer " || h->size() == 7) return std::nullopt;
  auto key = h->substr(7);
  std::optional<std::string> caller;
  // Every key is compared, so the time taken does not tell which one came close.
  for (const auto& k : config.website.api_keys)
    if (crypto::constant_time_equal(key, k) && !caller) caller = crypto::to_hex(crypto::sha256(k)).substr(0, 16);
  return caller;
}

void post_application(Service& service, const Config& config, const std::string& caller, const Request& req,
                      const Responder& respond) {
  auto body = parse_json_body(req);
  if (!body) return respond(bad(body.error()));
  auto in = decode_application(*body);
  if (!in) return respond(bad(in.error()));
  req.note_phone(core::mask_phone(in->applicant.phone));
  if (!destination_allowed(in->applicant.phone, config.sms.allowed_country_codes))
    return respond(http::json_error(400, "destination_not_allowed",
                                    "phone: SMS are not sent to this country (sms.allowed_country_codes)"));
  if (auto key = req.header("Idempotency-Key")) {
    if (key->empty() || key->size() > 128)
      return respond(http::json_error(400, "invalid_header", "Idempotency-Key must be 1 to 128 characters"));
    // Scoped to the caller and bound to the request: another caller's key, or this key with
    // another body, never reads back someone else's application id.
    in->idempotency_key = "web:" + caller + ":" + std::string(*key);
    in->request_hash = crypto::to_hex(crypto::sha256(body->dump()));
  }
  in->daily_caps = true;
  auto retry_after = std::make_shared<std::atomic<long long>>(0);
  in->retry_after_s = retry_after;
  service.apply(std::move(*in), [respond, retry_after](Result<ApplyOutput> r) {
    if (!r) {
      Response refusal = error_response(r.error());
      if (*retry_after > 0) refusal.headers.set("Retry-After", std::to_string(retry_after->load()));
      return respond(std::move(refusal));
    }
    respond(json_replacing(r->replayed ? 200 : 201, encode_apply_output(*r)));
  });
}

Response get_application(Service& service, const Request& req) {
  auto view = service.application(std::string(*req.path_param("id")));
  if (!view) return error_response(view.error());
  return json_replacing(200, encode_application_view(*view));
}

void post_application_cancel(Service& service, const Request& req, const Responder& respond) {
  // The 128-bit application id is the applicant's capability (SPEC §8): whoever holds it may cancel.
  service.cancel(std::string(*req.path_param("id")), core::Actor::applicant,
                 [respond](Result<core::ApplicationState> r) {
                   if (!r) return respond(error_response(r.error()));
                   respond(json_replacing(200, encode_state(*r)));
                 });
}

void post_exam_result(Service& service, const Config& config, const Request& req, const Responder& respond) {
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

// The website's routes need one of website.api_keys (Authorization: Bearer, SPEC §2); the handler gets the caller's
// fingerprint, which scopes its Idempotency-Keys.
http::Handler website(const Config& config, std::function<void(const std::string&, Request, Responder)> inner) {
  return [&config, inner = std::move(inner)](Request req, Responder respond) {
    auto caller = website_caller(req, config);
    if (!caller) {
      http::Response r = http::json_error(401, "unauthorized", "a valid website API key is required");
      r.headers.set("WWW-Authenticate", "Bearer");
      return respond(std::move(r));
    }
    inner(*caller, std::move(req), std::move(respond));
  };
}

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

void register_web_routes(http::Router& router, Service& service, const Config& config, const Metrics& metrics,
                         const Offload& offload) {
  // Handlers that read the store run on the reader pool, after the checks that need none (a 401
  // answers at once even while the store is stalled).
  auto pooled = [&readers = offload.readers](http::Handler h) { return http::on_pool(readers, std::move(h)); };
  router.add(Method::get, "/healthz",
             [&health = offload.health](const Request&, const Responder& respond) { health.check(respond); });
  // The request counters need no store: a store that is late (or a full pool) leaves out only the
  // store's gauges, and store_up says 0.
  router.add(Method::get, "/metrics",
             [&service, &metrics, &readers = offload.readers](const Request& req, const Responder& respond) {
               readers.run([&service, &metrics, req](const Responder& r) { r(get_metrics(service, metrics, req)); },
                           respond, [&metrics] { return metrics_response(metrics, GaugeFigures{}); });
             });

  router.add(Method::get, "/v1/courses", pooled(at_once(service, get_open_courses)));
  router.add(
      Method::post, "/v1/applications",
      website(config, [&service, &config](const std::string& caller, const Request& req, const Responder& respond) {
        post_application(service, config, caller, req, respond);
      }));
  router.add(
      Method::get, "/v1/applications/{id}",
      website(config, [&service, read = pooled(at_once(service, get_application))](
                          const std::string&, const Request& req, const Responder& respond) { read(req, respond); }));
  router.add(Method::post, "/v1/applications/{id}/cancel",
             website(config, [&service](const std::string&, const Request& req, const Responder& respond) {
               post_application_cancel(service, req, respond);
             }));
  router.add(Method::post, "/v1/exam/results", [&service, &config](const Request& req, const Responder& respond) {
    post_exam_result(service, config, req, respond);
  });

  router.add(Method::post, "/v1/admin/courses", admin(config, on(service, post_course)));
  router.add(Method::get, "/v1/admin/courses", admin(config, pooled(at_once(service, get_courses))));
  router.add(Method::get, "/v1/admin/courses/{id}", admin(config, pooled(at_once(service, get_course))));
  router.add(Method::patch, "/v1/admin/courses/{id}", admin(config, on(service, patch_course)));
  router.add(Method::get, "/v1/admin/courses/{id}/applications",
             admin(config, pooled(at_once(service, get_course_applications))));
  router.add(Method::post, "/v1/admin/applications/{id}/cancel", admin(config, on(service, post_admin_cancel)));
  router.add(Method::post, "/v1/admin/prerequisites/{applicant}", admin(config, on(service, post_prerequisite)));
  router.add(Method::get, "/v1/admin/outbox", admin(config, pooled(at_once(service, get_outbox_figures))));
}

}  // namespace cg::gateway::web
