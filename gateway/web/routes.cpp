#include "gateway/web/routes.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include "adapters/crypto/crypto.hpp"
#include "adapters/exam/exam.hpp"
#include "core/applicant.hpp"
#include "gateway/web/admin_auth.hpp"

namespace cg::gateway {

using core::Instant;
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

namespace {

Response error_response(const Error& e) { return http::json_error(status_for(e), e.code, e.message); }

// Strict JSON field access: every read names the field in its error.
class Fields {
 public:
  explicit Fields(const json& j) : j_(j) {}

  Result<std::string> str(const char* name, bool required = true, std::size_t max = 500) const {
    auto it = j_.find(name);
    if (it == j_.end() || it->is_null()) {
      if (required) return make_error("missing_field", std::string(name) + " is required");
      return std::string();
    }
    if (!it->is_string()) return make_error("invalid_field", std::string(name) + " must be a string");
    std::string v = it->get<std::string>();
    if (v.size() > max) return make_error("invalid_field", std::string(name) + " is too long");
    return v;
  }
  Result<std::optional<std::int64_t>> integer(const char* name, bool required, std::int64_t lo, std::int64_t hi) const {
    auto it = j_.find(name);
    if (it == j_.end() || it->is_null()) {
      if (required) return make_error("missing_field", std::string(name) + " is required");
      return std::optional<std::int64_t>();
    }
    if (!it->is_number_integer()) return make_error("invalid_field", std::string(name) + " must be an integer");
    auto v = it->get<std::int64_t>();
    if (v < lo || v > hi)
      return make_error("invalid_field", std::string(name) + " must be " + std::to_string(lo) + " to " + std::to_string(hi));
    return std::optional<std::int64_t>(v);
  }
  Result<std::optional<Instant>> time(const char* name, bool required) const {
    auto s = str(name, required, 64);
    if (!s) return s.error();
    if (s->empty()) return std::optional<Instant>();
    auto t = core::parse_iso8601(*s);
    if (!t) return make_error("invalid_field", std::string(name) + ": " + t.error().message);
    return std::optional<Instant>(*t);
  }
  bool has(const char* name) const { return j_.contains(name); }

 private:
  const json& j_;
};

Result<json> parse_json_body(const Request& req) {
  auto ct = req.header("Content-Type");
  if (!ct || ct->find("application/json") == std::string_view::npos)
    return make_error("unsupported_media_type", "Content-Type must be application/json");
  json j = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error("invalid_json", "the body is not valid JSON");
  if (!j.is_object()) return make_error("invalid_json", "the body must be a JSON object");
  return j;
}

Response bad(const Error& e) {
  int status = e.code == "unsupported_media_type" ? 415 : 400;
  return http::json_error(status, e.code, e.message);
}

json course_json(const core::Course& c, bool admin) {
  json j{{"id", c.id},
         {"code", c.code},
         {"title_ar", c.title.ar},
         {"title_en", c.title.en},
         {"location", c.location},
         {"start_at", core::format_iso8601_utc(c.start_at)},
         {"end_at", core::format_iso8601_utc(c.end_at)},
         {"decision_at", core::format_iso8601_utc(c.decision_at)},
         {"min_participants", c.min_participants},
         {"capacity", c.capacity ? json(*c.capacity) : json(nullptr)},
         {"fee_jod", core::format_jod(c.fee)},
         {"free", c.is_free()},
         {"prerequisite", c.prerequisite ? json(*c.prerequisite) : json(nullptr)},
         {"status", std::string(core::to_string(c.status))},
         {"quorum_reached", c.quorum_reached}};
  if (c.capacity) j["seats_left"] = std::max(0, *c.capacity - c.seats_taken());
  if (admin) {
    j["exam_url"] = c.exam_url;
    j["evaluation_url"] = c.evaluation_url;
    j["reminder_sent"] = c.reminder_sent;
    json counts = json::object();
    for (auto s : core::kAllApplicationStates) counts[std::string(core::to_string(s))] = c.tally[s];
    j["counts"] = counts;
  }
  return j;
}

json application_json(const core::Application& a, bool admin) {
  json j{{"application_id", a.id},
         {"course_id", a.course_id},
         {"state", std::string(core::to_string(a.state))},
         {"channel", a.channel},
         {"created_at", core::format_iso8601_utc(a.created_at)},
         {"updated_at", core::format_iso8601_utc(a.updated_at)},
         {"applicant",
          {{"name", a.applicant.name},
           {"phone", admin ? a.applicant.phone : core::mask_phone(a.applicant.phone)},
           {"id_type", std::string(core::to_string(a.applicant.id_type))},
           // SPEC §8: the identity document number is never shown.
           {"id_number", core::mask_id_number(a.applicant.id_number)},
           {"nationality", a.applicant.nationality},
           {"language", std::string(core::to_string(a.applicant.language))}}}};
  if (a.bill)
    j["bill"] = {{"billing_number", a.bill->billing_number},
                 {"amount_jod", core::format_jod(a.bill->amount)},
                 {"issued_at", core::format_iso8601_utc(a.bill->issued_at)},
                 {"due_at", core::format_iso8601_utc(a.bill->due_at)}};
  return j;
}

Result<core::Course> parse_course(const json& j) {
  static const std::set<std::string> kKnown{"code",     "title_ar",    "title_en", "location",   "start_at",
                                            "end_at",   "decision_at", "min_participants",        "capacity",
                                            "fee_jod",  "prerequisite", "exam_url", "evaluation_url"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!kKnown.count(it.key())) return make_error("unknown_field", it.key() + " is not a course field");
  Fields f(j);
  core::Course c;
  auto code = f.str("code", true, 16);
  if (!code) return code.error();
  c.code = *code;
  auto ta = f.str("title_ar");
  if (!ta) return ta.error();
  auto te = f.str("title_en");
  if (!te) return te.error();
  c.title = {*ta, *te};
  auto loc = f.str("location");
  if (!loc) return loc.error();
  c.location = *loc;
  auto start = f.time("start_at", true);
  if (!start) return start.error();
  c.start_at = **start;
  auto end = f.time("end_at", true);
  if (!end) return end.error();
  c.end_at = **end;
  auto decision = f.time("decision_at", false);
  if (!decision) return decision.error();
  if (*decision) c.decision_at = **decision;
  auto min = f.integer("min_participants", true, 1, 100000);
  if (!min) return min.error();
  c.min_participants = static_cast<int>(**min);
  auto cap = f.integer("capacity", false, 1, 100000);
  if (!cap) return cap.error();
  if (*cap) c.capacity = static_cast<int>(**cap);
  auto fee = f.str("fee_jod", true, 20);
  if (!fee) return fee.error();
  auto fils = core::parse_jod(*fee);
  if (!fils) return make_error("invalid_field", "fee_jod: " + fils.error().message);
  c.fee = *fils;
  auto pre = f.str("prerequisite", false, 64);
  if (!pre) return pre.error();
  if (!pre->empty()) c.prerequisite = *pre;
  auto exam = f.str("exam_url", false);
  if (!exam) return exam.error();
  c.exam_url = *exam;
  auto eval = f.str("evaluation_url");
  if (!eval) return eval.error();
  c.evaluation_url = *eval;
  return c;
}

Result<CoursePatch> parse_patch(const json& j) {
  CoursePatch p;
  Fields f(j);
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    auto text = [&](std::optional<std::string>& out) -> Status {
      auto v = f.str(k.c_str());
      if (!v) return v.error();
      out = *v;
      return ok_status();
    };
    auto when = [&](std::optional<Instant>& out) -> Status {
      auto v = f.time(k.c_str(), true);
      if (!v) return v.error();
      out = **v;
      return ok_status();
    };
    Status s = ok_status();
    if (k == "title_ar") s = text(p.title_ar);
    else if (k == "title_en") s = text(p.title_en);
    else if (k == "location") s = text(p.location);
    else if (k == "exam_url") s = text(p.exam_url);
    else if (k == "evaluation_url") s = text(p.evaluation_url);
    else if (k == "start_at") s = when(p.start_at);
    else if (k == "end_at") s = when(p.end_at);
    else if (k == "decision_at") s = when(p.decision_at);
    else if (k == "capacity") {
      auto v = f.integer("capacity", false, 1, 100000);
      if (!v) return v.error();
      p.capacity = *v ? std::optional<int>(static_cast<int>(**v)) : std::optional<int>();
    } else if (k == "code" || k == "fee_jod" || k == "min_participants" || k == "prerequisite")
      return make_error("not_editable", k + " cannot be changed once the course exists; create a new course");
    else
      return make_error("unknown_field", k + " is not a course field");
    if (!s) return s.error();
  }
  return p;
}

std::optional<std::int64_t> parse_id(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// Checks the applicant's data as the card requires (SPEC §2 POST /v1/applications).
Result<ApplyInput> parse_application(const json& j) {
  Fields f(j);
  ApplyInput in;
  auto course = f.integer("course_id", true, 1, INT64_MAX);
  if (!course) return course.error();
  in.course_id = **course;
  auto phone = f.str("phone", true, 40);
  if (!phone) return phone.error();
  auto e164 = core::normalize_phone(*phone);
  if (!e164) return make_error(e164.error().code, "phone: " + e164.error().message);
  in.applicant.phone = *e164;
  auto name = f.str("name", true, 400);
  if (!name) return name.error();
  auto n = core::normalize_name(*name);
  if (!n) return make_error(n.error().code, "name: " + n.error().message);
  in.applicant.name = *n;
  auto type = f.str("id_type", true, 20);
  if (!type) return type.error();
  auto t = core::parse_id_type(*type);
  if (!t) return make_error(t.error().code, "id_type: " + t.error().message);
  in.applicant.id_type = *t;
  auto number = f.str("id_number", true, 40);
  if (!number) return number.error();
  auto num = core::validate_id_number(*t, *number);
  if (!num) return make_error(num.error().code, "id_number: " + num.error().message);
  in.applicant.id_number = *num;
  auto nat = f.str("nationality", false, 2);
  if (!nat) return nat.error();
  std::string nationality = *nat;
  for (auto& ch : nationality) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (auto s = core::check_id_for_nationality(*t, nationality); !s)
    return make_error(s.error().code, s.error().message);
  in.applicant.nationality = nationality;
  auto lang = f.str("language", false, 2);
  if (!lang) return lang.error();
  in.applicant.language = core::Language::ar;
  if (!lang->empty() && !core::parse_language(*lang, in.applicant.language))
    return make_error("invalid_field", "language must be \"ar\" or \"en\"");
  return in;
}

void respond_json(const Responder& respond, int status, const json& j) {
  respond(http::json_response(status, j.dump(-1, ' ', false, json::error_handler_t::replace)));
}

}  // namespace

void register_routes(http::Router& router, RouteContext ctx) {
  Service& service = ctx.service;
  const Config& config = ctx.config;
  Metrics& metrics = ctx.metrics;

  router.add(Method::get, "/healthz", http::sync_handler([&service](const Request&) {
               Status s = service.store().ping();
               if (!s) return http::json_response(503, json{{"status", "unavailable"}, {"store", s.error().message}}.dump());
               return http::json_response(200, R"({"status":"ok"})");
             }));

  router.add(Method::get, "/metrics", http::sync_handler([&service, &metrics](const Request&) {
               std::string out = metrics.render_requests();
               auto courses = service.all_courses();
               if (courses) {
                 out += "# HELP course_gateway_applications Applications by state.\n"
                        "# TYPE course_gateway_applications gauge\n";
                 for (auto s : core::kAllApplicationStates) {
                   long long n = 0;
                   for (const auto& c : *courses) n += c.tally[s];
                   out += "course_gateway_applications{state=\"" + std::string(core::to_string(s)) + "\"} " +
                          std::to_string(n) + "\n";
                 }
               }
               auto figures = service.store().outbox_figures();
               if (figures) {
                 out += "# HELP course_gateway_outbox_messages Outbox messages by delivery status.\n"
                        "# TYPE course_gateway_outbox_messages gauge\n";
                 for (const auto& [status, n] : figures->by_status)
                   out += "course_gateway_outbox_messages{status=\"" + prometheus_label(status) + "\"} " +
                          std::to_string(n) + "\n";
               }
               out += "# HELP course_gateway_store_up Whether the store answers.\n# TYPE course_gateway_store_up gauge\n";
               out += std::string("course_gateway_store_up ") + (service.store().ping().ok() ? "1" : "0") + "\n";
               return http::text_response(200, out, "text/plain; version=0.0.4; charset=utf-8");
             }));

  router.add(Method::get, "/v1/courses", http::sync_handler([&service](const Request&) {
               auto courses = service.open_courses();
               if (!courses) return error_response(courses.error());
               json list = json::array();
               for (const auto& c : *courses) list.push_back(course_json(c, false));
               return http::json_response(200, json{{"courses", list}}.dump());
             }));

  router.add(Method::post, "/v1/applications", [&service](Request req, Responder respond) {
    auto body = parse_json_body(req);
    if (!body) return respond(bad(body.error()));
    auto in = parse_application(*body);
    if (!in) return respond(bad(in.error()));
    if (auto key = req.header("Idempotency-Key")) {
      if (key->empty() || key->size() > 128)
        return respond(http::json_error(400, "invalid_header", "Idempotency-Key must be 1 to 128 characters"));
      in->idempotency_key = std::string(*key);
    }
    service.apply(std::move(*in), [respond](Result<ApplyOutput> r) {
      if (!r) return respond(error_response(r.error()));
      respond_json(respond, r->replayed ? 200 : 201,
                   json{{"application_id", r->application_id}, {"state", std::string(core::to_string(r->state))}});
    });
  });

  router.add(Method::get, "/v1/applications/{id}", http::sync_handler([&service](const Request& req) {
               auto view = service.application(std::string(*req.path_param("id")));
               if (!view) return error_response(view.error());
               json j = application_json(view->application, false);
               j["course"] = course_json(view->course, false);
               json history = json::array();
               for (const auto& h : view->history)
                 history.push_back({{"at", core::format_iso8601_utc(h.at)},
                                    {"from", h.from ? json(std::string(core::to_string(*h.from))) : json(nullptr)},
                                    {"to", std::string(core::to_string(h.to))},
                                    {"step", h.step},
                                    {"event", h.event}});
               j["history"] = history;
               return http::json_response(200, j.dump(-1, ' ', false, json::error_handler_t::replace));
             }));

  router.add(Method::post, "/v1/applications/{id}/cancel", [&service](Request req, Responder respond) {
    // The 128-bit application id is the applicant's capability (SPEC §8): whoever holds it may cancel.
    service.cancel(std::string(*req.path_param("id")), core::Actor::applicant,
                   [respond](Result<core::ApplicationState> r) {
                     if (!r) return respond(error_response(r.error()));
                     respond_json(respond, 200, json{{"state", std::string(core::to_string(*r))}});
                   });
  });

  router.add(Method::post, "/v1/exam/results", [&service, &config](Request req, Responder respond) {
    auto sig = req.header("X-Signature");
    if (auto s = exam::verify_exam_signature(config.exam_secret, req.body, sig.value_or("")); !s)
      return respond(http::json_error(401, s.error().code, s.error().message));
    auto parsed = exam::parse_exam_result(req.body);
    if (!parsed) return respond(http::json_error(400, parsed.error().code, parsed.error().message));
    ExamInput in{parsed->token, parsed->outcome == exam::ExamOutcome::pass, parsed->score, parsed->taken_at};
    service.exam_result(std::move(in), [respond](Result<ExamOutput> r) {
      if (!r) return respond(error_response(r.error()));
      respond_json(respond, 200,
                   json{{"application_id", r->application_id},
                        {"state", std::string(core::to_string(r->state))},
                        {"duplicate", r->duplicate}});
    });
  });

  // ---- operators (SPEC §5) ----
  router.add(Method::post, "/v1/admin/courses", admin(config, [&service](Request req, Responder respond) {
               auto body = parse_json_body(req);
               if (!body) return respond(bad(body.error()));
               auto course = parse_course(*body);
               if (!course) return respond(bad(course.error()));
               service.create_course(std::move(*course), [respond](Result<core::Course> r) {
                 if (!r) return respond(error_response(r.error()));
                 respond_json(respond, 201, course_json(*r, true));
               });
             }));

  router.add(Method::get, "/v1/admin/courses", admin(config, http::sync_handler([&service](const Request&) {
               auto courses = service.all_courses();
               if (!courses) return error_response(courses.error());
               json list = json::array();
               for (const auto& c : *courses) list.push_back(course_json(c, true));
               return http::json_response(200, json{{"courses", list}}.dump());
             })));

  router.add(Method::get, "/v1/admin/courses/{id}", admin(config, http::sync_handler([&service](const Request& req) {
               auto id = parse_id(*req.path_param("id"));
               if (!id) return http::json_error(404, "not_found", "course not found");
               auto c = service.course(*id);
               if (!c) return error_response(c.error());
               return http::json_response(200, course_json(*c, true).dump());
             })));

  router.add(Method::patch, "/v1/admin/courses/{id}", admin(config, [&service](Request req, Responder respond) {
               auto id = parse_id(*req.path_param("id"));
               if (!id) return respond(http::json_error(404, "not_found", "course not found"));
               auto body = parse_json_body(req);
               if (!body) return respond(bad(body.error()));
               auto patch = parse_patch(*body);
               if (!patch) return respond(bad(patch.error()));
               service.patch_course(*id, std::move(*patch), [respond](Result<core::Course> r) {
                 if (!r) return respond(error_response(r.error()));
                 respond_json(respond, 200, course_json(*r, true));
               });
             }));

  router.add(Method::get, "/v1/admin/courses/{id}/applications",
             admin(config, http::sync_handler([&service](const Request& req) {
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
               json list = json::array();
               for (const auto& a : *apps) list.push_back(application_json(a, true));
               json counts = json::object();
               for (auto s : core::kAllApplicationStates) counts[std::string(core::to_string(s))] = c->tally[s];
               return http::json_response(
                   200, json{{"course_id", *id}, {"counts", counts}, {"applications", list}}.dump(
                            -1, ' ', false, json::error_handler_t::replace));
             })));

  router.add(Method::post, "/v1/admin/applications/{id}/cancel",
             admin(config, [&service](Request req, Responder respond) {
               service.cancel(std::string(*req.path_param("id")), core::Actor::operator_,
                              [respond](Result<core::ApplicationState> r) {
                                if (!r) return respond(error_response(r.error()));
                                respond_json(respond, 200, json{{"state", std::string(core::to_string(*r))}});
                              });
             }));

  router.add(Method::post, "/v1/admin/prerequisites/{applicant}",
             admin(config, [&service](Request req, Responder respond) {
               // {applicant} is the identity document number; the body says its type and the
               // prerequisite proven: {"id_type":"national_id","prerequisite":"computer-basics"}.
               auto body = parse_json_body(req);
               if (!body) return respond(bad(body.error()));
               Fields f(*body);
               auto type = f.str("id_type", true, 20);
               if (!type) return respond(bad(type.error()));
               auto t = core::parse_id_type(*type);
               if (!t) return respond(bad(make_error(t.error().code, "id_type: " + t.error().message)));
               auto number = core::validate_id_number(*t, *req.path_param("applicant"));
               if (!number) return respond(bad(make_error(number.error().code, "applicant: " + number.error().message)));
               auto pre = f.str("prerequisite", true, 64);
               if (!pre) return respond(bad(pre.error()));
               if (pre->empty()) return respond(bad(make_error("invalid_field", "prerequisite must not be empty")));
               service.record_prerequisite(PrerequisiteProof{*t, *number, *pre}, [respond](Result<ProofOutput> r) {
                 if (!r) return respond(error_response(r.error()));
                 respond_json(respond, r->recorded ? 201 : 200,
                              json{{"recorded", r->recorded}, {"applications", r->applications}});
               });
             }));

  router.add(Method::get, "/v1/admin/outbox", admin(config, http::sync_handler([&service](const Request&) {
               auto f = service.store().outbox_figures();
               if (!f) return error_response(f.error());
               json by_status = json::object(), by_provider = json::object();
               for (const auto& [k, v] : f->by_status) by_status[k] = v;
               for (const auto& [k, v] : f->by_provider) by_provider[k] = v;
               json j{{"by_status", by_status}, {"by_provider", by_provider}};
               j["oldest_pending"] = f->oldest_pending ? json(core::format_iso8601_utc(*f->oldest_pending)) : json(nullptr);
               return http::json_response(200, j.dump());
             })));
}

}  // namespace cg::gateway
