#include "gateway/console/course_edit.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <unordered_set>
#include <utility>

#include "adapters/crypto/crypto.hpp"
#include "core/applicant.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "gateway/web/http_json.hpp"
#include "gateway/web/json_codec.hpp"

namespace cg::gateway::console {

using http::Request;
using http::Responder;
using http::Response;
using nlohmann::json;

namespace {

constexpr std::string_view kBroadcastTemplate = "broadcast";
// Bytes one text may have before it is measured at all (3 UCS-2 SMS hold 201 units).
constexpr std::size_t kBroadcastMaxBytes = 2000;

std::optional<std::int64_t> course_id_of(const Request& req) { return web::parse_id(*req.path_param("id")); }

Response not_found() { return http::json_error(404, "not_found", "course not found"); }

json measure_json(const std::string& text) {
  const core::SmsLength m = core::measure_sms(text);
  return json{{"segments", m.segments}, {"encoding", std::string(core::to_string(m.encoding))}, {"units", m.units}};
}

// Why a broadcast text cannot go out, or nothing. Newlines are allowed; other control characters
// and bidi overrides are not (they would make the SMS read as something else).
std::optional<std::string> text_problem(const char* name, const std::string& text) {
  const std::string field(name);
  std::string trimmed = text;
  trimmed.erase(0, trimmed.find_first_not_of(" \n"));
  if (trimmed.empty()) return field + " is required";
  if (text.size() > kBroadcastMaxBytes || !core::is_valid_utf8(text))
    return field + " must be UTF-8 text of at most " + std::to_string(kBroadcastMaxSegments) + " SMS";
  std::string flat = text;
  std::replace(flat.begin(), flat.end(), '\n', ' ');
  if (core::text::find_control(flat, true)) return field + " holds a control character or a bidirectional override";
  const core::SmsLength m = core::measure_sms(text);
  if (m.segments > kBroadcastMaxSegments)
    return field + " is " + std::to_string(m.segments) + " SMS; at most " + std::to_string(kBroadcastMaxSegments);
  return std::nullopt;
}

// The states and texts of a broadcast body; texts are taken as they are (checked by the caller).
Result<Broadcast> read_broadcast(const json& body, std::int64_t course_id) {
  for (auto it = body.begin(); it != body.end(); ++it)
    if (it.key() != "states" && it.key() != "text_ar" && it.key() != "text_en")
      return make_error("unknown_field", it.key() + " is not a broadcast field");
  Broadcast b;
  b.course_id = course_id;
  auto states = body.find("states");
  if (states == body.end() || !states->is_array())
    return make_error("invalid_request", "states: a list of card states (awaiting_quorum, confirmed, ...)");
  for (const auto& s : *states) {
    core::ApplicationState st{};
    if (!s.is_string() || !core::parse_application_state(s.get<std::string>(), st))
      return make_error("invalid_request",
                        "states: " + (s.is_string() ? s.get<std::string>() : s.dump()) + " is not a card state");
    if (std::find(b.states.begin(), b.states.end(), st) == b.states.end()) b.states.push_back(st);
  }
  for (const char* name : {"text_ar", "text_en"}) {
    auto t = body.find(name);
    if (t == body.end() || !t->is_string()) return make_error("invalid_request", std::string(name) + " is required");
    (std::string_view(name) == "text_ar" ? b.text.ar : b.text.en) = t->get<std::string>();
  }
  return b;
}

json broadcast_after_json(const Broadcast& b, const BroadcastPlan& plan) {
  json states = json::array();
  for (auto s : b.states) states.push_back(std::string(core::to_string(s)));
  return json{{"count", plan.rows.size()},
              {"skipped_opted_out", plan.skipped_opted_out},
              {"states", std::move(states)},
              {"text_ar", b.text.ar},
              {"text_en", b.text.en}};
}

// The course as the page reads it after a change (course_pages.hpp's view).
void answer_course(const Responder& respond, int status, const Result<core::Course>& r) {
  if (!r) return respond(web::error_response(r.error()));
  respond(web::json_replacing(status, course_detail_json(*r)));
}

}  // namespace

Result<Broadcast> decode_broadcast(const json& body, std::int64_t course_id) {
  auto b = read_broadcast(body, course_id);
  if (!b) return b.error();
  if (b->states.empty()) return make_error("invalid_request", "states: choose at least one card state");
  if (auto p = text_problem("text_ar", b->text.ar)) return make_error("invalid_request", *p);
  if (auto p = text_problem("text_en", b->text.en)) return make_error("invalid_request", *p);
  return b;
}

Result<BroadcastPlan> plan_broadcast(store::Tx& tx, const Broadcast& b, core::Instant now) {
  BroadcastPlan plan;
  if (b.states.empty()) return plan;
  auto apps = tx.applications(b.course_id, b.states);
  if (!apps) return apps.error();
  std::unordered_set<std::string> phones;
  for (const auto& a : *apps) {
    const auto& p = a.applicant;
    if (!phones.insert(p.phone).second) continue;
    // SPEC §3: a number that sent STOP gets nothing until START.
    auto stopped = tx.opted_out(p.phone);
    if (!stopped) return stopped.error();
    if (*stopped) {
      ++plan.skipped_opted_out;
      continue;
    }
    store::OutboxMessage m;
    m.application_id = a.id;
    m.to = p.phone;
    m.text = b.text.in(p.language);
    m.template_name = std::string(kBroadcastTemplate);
    m.language = p.language;
    m.step = std::string(kBroadcastTemplate);
    m.segments = core::measure_sms(m.text).segments;
    m.created_at = now;
    m.next_attempt_at = now;
    ++(p.language == core::Language::ar ? plan.to_ar : plan.to_en);
    plan.rows.push_back(std::move(m));
  }
  return plan;
}

void CourseEdit::create(const PageCaller& c, const Request& req, const Responder& respond) {
  auto body = web::parse_json_body(req);
  if (!body) return respond(web::bad(body.error()));
  auto course = web::decode_course(*body);
  if (!course) return respond(web::bad(course.error()));
  auto once = once_key(req, c, "course.create:" + body->dump());
  if (!once) return respond(web::bad(once.error()));
  // The admin API's path: the core's checks, the case-insensitive code check, the audit line.
  service_.create_course(
      std::move(*course), [respond](const Result<core::Course>& r) { answer_course(respond, 201, r); },
      AuditBy{c.username, req.remote_address}, std::move(*once));
}

void CourseEdit::edit(const PageCaller& c, const Request& req, const Responder& respond) {
  auto id = course_id_of(req);
  if (!id) return respond(not_found());
  auto body = web::parse_json_body(req);
  if (!body) return respond(web::bad(body.error()));
  auto patch = web::decode_course_patch(*body);
  if (!patch) return respond(web::bad(patch.error()));
  if (body->empty()) return respond(http::json_error(400, "invalid_request", "fields: nothing to change"));
  auto once = once_key(req, c, "course.edit:" + std::to_string(*id) + ":" + body->dump());
  if (!once) return respond(web::bad(once.error()));
  service_.patch_course(
      *id, std::move(*patch), [respond](const Result<core::Course>& r) { answer_course(respond, 200, r); },
      AuditBy{c.username, req.remote_address}, std::move(*once), "course.edit");
}

void CourseEdit::preview_edit(const PageCaller& c, const Request& req, const Responder& respond) {
  auto id = course_id_of(req);
  if (!id) return respond(not_found());
  auto body = web::parse_json_body(req);
  if (!body) return respond(web::bad(body.error()));
  auto patch = web::decode_course_patch(*body);
  if (!patch) return respond(web::bad(patch.error()));
  const core::Instant now = clock_.now();
  std::optional<core::Course> before;
  std::vector<core::Application> live;
  std::unordered_set<std::string> stopped;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto found = tx.course(*id);
    if (!found) return found.error();
    if (!*found) return ok_status();
    before = std::move(**found);
    auto l = tx.applications(*id, core::kLiveStates);
    if (!l) return l.error();
    live = std::move(*l);
    for (const auto& a : live) {
      auto o = tx.opted_out(a.applicant.phone);
      if (!o) return o.error();
      if (*o) stopped.insert(a.applicant.phone);
    }
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  if (!before) return respond(not_found());

  // The course as Service::patch_course would leave it, by the core's own functions: the texts,
  // then the capacity, then the dates (which also say who is told and what).
  core::Course after = *before;
  if (patch->title_ar) after.title.ar = *patch->title_ar;
  if (patch->title_en) after.title.en = *patch->title_en;
  if (patch->location) after.location = *patch->location;
  if (patch->exam_url) after.exam_url = *patch->exam_url;
  if (patch->evaluation_url) after.evaluation_url = *patch->evaluation_url;
  const auto& enrollment = service_.enrollment();
  if (patch->capacity) {
    auto changed = enrollment.change_capacity(after, *patch->capacity, now);
    if (!changed) return respond(web::error_response(changed.error()));
    after.capacity = changed->course.capacity;
  }
  // More seats on an open course are offered to the waitlist in arrival order (card: a freed
  // seat), each with the seat_offered SMS: who is next in line and who will not be told.
  json seats = nullptr;
  if (patch->capacity && after.status == core::CourseStatus::open) {
    std::vector<const core::Application*> line;
    for (const auto& a : live)
      if (a.state == core::ApplicationState::waitlisted) line.push_back(&a);
    std::sort(line.begin(), line.end(), [](const auto* x, const auto* y) { return x->seq < y->seq; });
    std::size_t offered = line.size();
    if (after.capacity)
      offered = std::min(offered, static_cast<std::size_t>(std::max(0, *after.capacity - after.seats_taken())));
    if (offered > 0) {
      const bool full = allows(c.role, Role::operator_);
      json who = json::array();
      std::int64_t skipped = 0;
      for (std::size_t i = 0; i < offered; ++i) {
        const auto& a = *line[i];
        if (stopped.contains(a.applicant.phone)) ++skipped;
        who.push_back(json{{"id", a.id},
                           {"name", a.applicant.name},
                           {"phone", full ? a.applicant.phone : core::mask_phone(a.applicant.phone)}});
      }
      seats = json{{"offered", offered},
                   {"waitlisted", line.size()},
                   {"template", "seat_offered"},
                   {"applicants", std::move(who)},
                   {"skipped_opted_out", skipped}};
    }
  }
  json sms = nullptr;
  if (patch->start_at || patch->end_at || patch->decision_at) {
    core::Reschedule r{patch->start_at.value_or(after.start_at), patch->end_at.value_or(after.end_at),
                       patch->decision_at};
    auto outcome = enrollment.reschedule(after, r, live, now);
    if (!outcome) return respond(web::error_response(outcome.error()));
    std::int64_t to_ar = 0, to_en = 0, skipped = 0;
    for (const auto& n : outcome->notifications) {
      if (stopped.contains(n.to)) {
        ++skipped;
        continue;
      }
      ++(n.message.language == core::Language::ar ? to_ar : to_en);
    }
    // The text in both languages, rendered as the outbox would (CardDriver::render), from the same
    // core step for one applicant of each language: it depends only on the course.
    std::vector<core::Application> samples(2);
    for (std::size_t i = 0; i < samples.size(); ++i) {
      samples[i].id = "preview-" + std::to_string(i);
      samples[i].course_id = after.id;
      samples[i].state = core::ApplicationState::confirmed;
      samples[i].applicant.language = i == 0 ? core::Language::ar : core::Language::en;
    }
    auto sample = enrollment.reschedule(after, r, samples, now);
    if (!sample) return respond(web::error_response(sample.error()));
    json texts = json::object();
    for (const auto& n : sample->notifications) {
      auto row = service_.driver().render(n, now);
      if (!row) return respond(web::error_response(row.error()));
      json t = measure_json(row->text);
      t["text"] = row->text;
      texts[std::string(core::to_string(n.message.language))] = std::move(t);
    }
    after = outcome->course;
    sms = json{{"template", "rescheduled"},
               {"texts", std::move(texts)},
               {"recipients", json{{"total", to_ar + to_en}, {"ar", to_ar}, {"en", to_en}}},
               {"skipped_opted_out", skipped}};
  }
  // Every field the change touches, as the Course page reads it before and after.
  const json was = course_detail_json(*before);
  const json will = course_detail_json(after);
  json changes = json::object();
  for (auto it = will.begin(); it != will.end(); ++it)
    if (it.key() != "tally" && it.key() != "active" && was.value(it.key(), json()) != it.value())
      changes[it.key()] = json{{"before", was.value(it.key(), json())}, {"after", it.value()}};
  respond(web::json_replacing(
      200, json{{"changes", std::move(changes)}, {"sms", std::move(sms)}, {"seats", std::move(seats)}}));
}

void CourseEdit::preview_broadcast(const PageCaller&, const Request& req, const Responder& respond) {
  auto id = course_id_of(req);
  if (!id) return respond(not_found());
  auto body = web::parse_json_body(req);
  if (!body) return respond(web::bad(body.error()));
  // Lenient on the texts (the page asks while the operator types): each is measured and its
  // problem, if any, reported; the states must be card states.
  auto b = read_broadcast(*body, *id);
  if (!b) return respond(web::bad(b.error()));
  std::optional<BroadcastPlan> plan;
  bool found = false;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto course = tx.course(*id);
    if (!course) return course.error();
    found = course->has_value();
    if (!found) return ok_status();
    auto p = plan_broadcast(tx, *b, clock_.now());
    if (!p) return p.error();
    plan = std::move(*p);
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  if (!found) return respond(not_found());
  json texts = json::object();
  for (const char* name : {"text_ar", "text_en"}) {
    const std::string& text = std::string_view(name) == "text_ar" ? b->text.ar : b->text.en;
    json t = measure_json(text);
    auto problem = text_problem(name, text);
    t["problem"] = problem ? json(*problem) : json(nullptr);
    texts[std::string(name).substr(5)] = std::move(t);
  }
  respond(web::json_replacing(200, json{{"recipients", plan->rows.size()},
                                        {"by_language", json{{"ar", plan->to_ar}, {"en", plan->to_en}}},
                                        {"skipped_opted_out", plan->skipped_opted_out},
                                        {"texts", std::move(texts)},
                                        {"max_segments", kBroadcastMaxSegments}}));
}

void CourseEdit::broadcast(const PageCaller& c, const Request& req, const Responder& respond) {
  auto id = course_id_of(req);
  if (!id) return respond(not_found());
  auto body = web::parse_json_body(req);
  if (!body) return respond(web::bad(body.error()));
  auto b = decode_broadcast(*body, *id);
  if (!b) return respond(web::bad(b.error()));
  auto once = once_key(req, c, "sms.broadcast:" + std::to_string(*id) + ":" + body->dump());
  if (!once) return respond(web::bad(once.error()));
  const AuditBy by{c.username, req.remote_address};
  const core::Instant now = clock_.now();
  struct Answer {
    bool replayed = false;
    std::int64_t sent = 0, skipped = 0;
  };
  // Set, never added to, by each run: the store may run a command again (store.hpp).
  auto answer = std::make_shared<Answer>();
  service_.store().write(
      [b = std::move(*b), once = std::move(*once), by, now, answer](store::Tx& tx) -> Status {
        *answer = Answer{};
        auto course = tx.course(b.course_id);
        if (!course) return course.error();
        if (!*course) return make_error("not_found", "course not found");
        auto fresh = first_use(tx, "sms.broadcast", once, now);
        if (!fresh) return fresh.error();
        if (!*fresh) {
          answer->replayed = true;
          return ok_status();
        }
        auto plan = plan_broadcast(tx, b, now);
        if (!plan) return plan.error();
        for (const auto& m : plan->rows)
          if (auto enqueued = tx.enqueue(m); !enqueued) return enqueued.error();
        // The rows and their audit line commit together.
        if (auto st = audit(tx, by, now, "sms.broadcast", "course:" + std::to_string(b.course_id), "",
                            broadcast_after_json(b, *plan).dump());
            !st)
          return st;
        answer->sent = static_cast<std::int64_t>(plan->rows.size());
        answer->skipped = plan->skipped_opted_out;
        return ok_status();
      },
      [respond, answer](const Status& st) {
        if (!st) return respond(web::error_response(st.error()));
        // A repeat sends nothing and says so; the first answer has the counts.
        if (answer->replayed) return respond(web::json_replacing(200, json{{"replayed", true}}));
        respond(web::json_replacing(
            201, json{{"replayed", false}, {"sent", answer->sent}, {"skipped_opted_out", answer->skipped}}));
      });
}

}  // namespace cg::gateway::console
