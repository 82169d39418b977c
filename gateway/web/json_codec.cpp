#include "gateway/web/json_codec.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>
#include <string>

#include "core/applicant.hpp"
#include "core/money.hpp"
#include "core/text.hpp"
#include "core/time.hpp"

namespace cg::gateway::web {

using core::Instant;
using nlohmann::json;

namespace {

std::string describe(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return std::string(core::text::is_bidi_control(c) ? "a bidirectional override (" : "a control character (") + buf +
         ")";
}

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
  // A text that reaches applicants (an SMS, a USSD screen): no control character, which would break
  // the message's lines, and no bidi override, which would make it read as something else.
  Result<std::string> text(const char* name, bool required = true, std::size_t max = 500) const {
    auto v = str(name, required, max);
    if (!v) return v.error();
    if (auto c = core::text::find_control(*v, true))
      return make_error("invalid_field", std::string(name) + " holds " + describe(*c));
    return v;
  }
  // A link sent to applicants: http or https, a host, and nothing a phone would show differently.
  Result<std::string> url(const char* name, bool required = true) const {
    auto v = str(name, required);
    if (!v || (v->empty() && !required)) return v;
    if (auto c = core::text::find_control(*v, true))
      return make_error("invalid_field", std::string(name) + " holds " + describe(*c));
    std::string_view u = *v;
    std::size_t scheme = u.find("://");
    std::string lower_scheme(u.substr(0, scheme == std::string_view::npos ? 0 : scheme));
    for (auto& ch : lower_scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string_view rest = scheme == std::string_view::npos ? std::string_view() : u.substr(scheme + 3);
    if ((lower_scheme != "http" && lower_scheme != "https") || rest.empty() || rest.front() == '/' ||
        u.find(' ') != std::string_view::npos)
      return make_error("invalid_field",
                        std::string(name) + " must be an http or https URL, like https://amman.jo/eval/101");
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
      return make_error("invalid_field",
                        std::string(name) + " must be " + std::to_string(lo) + " to " + std::to_string(hi));
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

}  // namespace

json encode_course(const core::Course& c, Audience audience) {
  const bool admin = audience == Audience::operators;
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

json encode_courses(const std::vector<core::Course>& courses, Audience audience) {
  json list = json::array();
  for (const auto& c : courses) list.push_back(encode_course(c, audience));
  return json{{"courses", list}};
}

json encode_application(const core::Application& a, Audience audience) {
  const bool admin = audience == Audience::operators;
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

json encode_application_view(const ApplicationView& view) {
  json j = encode_application(view.application, Audience::website);
  j["course"] = encode_course(view.course, Audience::website);
  json history = json::array();
  for (const auto& h : view.history)
    history.push_back({{"at", core::format_iso8601_utc(h.at)},
                       {"from", h.from ? json(std::string(core::to_string(*h.from))) : json(nullptr)},
                       {"to", std::string(core::to_string(h.to))},
                       {"step", h.step},
                       {"event", h.event}});
  j["history"] = history;
  return j;
}

json encode_course_applications(std::int64_t course_id, const core::Course& course,
                                const std::vector<core::Application>& applications) {
  json list = json::array();
  for (const auto& a : applications) list.push_back(encode_application(a, Audience::operators));
  json counts = json::object();
  for (auto s : core::kAllApplicationStates) counts[std::string(core::to_string(s))] = course.tally[s];
  return json{{"course_id", course_id}, {"counts", counts}, {"applications", list}};
}

json encode_outbox_figures(const store::OutboxFigures& figures) {
  json by_status = json::object(), by_provider = json::object();
  for (const auto& [k, v] : figures.by_status) by_status[k] = v;
  for (const auto& [k, v] : figures.by_provider) by_provider[k] = v;
  json j{{"by_status", by_status}, {"by_provider", by_provider}};
  j["oldest_pending"] =
      figures.oldest_pending ? json(core::format_iso8601_utc(*figures.oldest_pending)) : json(nullptr);
  return j;
}

json encode_apply_output(const ApplyOutput& out) {
  return json{{"application_id", out.application_id}, {"state", std::string(core::to_string(out.state))}};
}

json encode_exam_output(const ExamOutput& out) {
  return json{{"application_id", out.application_id},
              {"state", std::string(core::to_string(out.state))},
              {"duplicate", out.duplicate}};
}

json encode_proof_output(const ProofOutput& out) {
  return json{{"recorded", out.recorded}, {"applications", out.applications}};
}

json encode_state(core::ApplicationState state) { return json{{"state", std::string(core::to_string(state))}}; }

Result<core::Course> decode_course(const json& j) {
  static const std::set<std::string> kKnown{"code",         "title_ar",    "title_en",         "location", "start_at",
                                            "end_at",       "decision_at", "min_participants", "capacity", "fee_jod",
                                            "prerequisite", "exam_url",    "evaluation_url"};
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!kKnown.count(it.key())) return make_error("unknown_field", it.key() + " is not a course field");
  Fields f(j);
  core::Course c;
  auto code = f.text("code", true, 16);
  if (!code) return code.error();
  c.code = *code;
  auto ta = f.text("title_ar");
  if (!ta) return ta.error();
  auto te = f.text("title_en");
  if (!te) return te.error();
  c.title = {*ta, *te};
  auto loc = f.text("location");
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
  auto pre = f.text("prerequisite", false, 64);
  if (!pre) return pre.error();
  if (!pre->empty()) c.prerequisite = *pre;
  auto exam = f.url("exam_url", false);
  if (!exam) return exam.error();
  c.exam_url = *exam;
  auto eval = f.url("evaluation_url");
  if (!eval) return eval.error();
  c.evaluation_url = *eval;
  return c;
}

Result<CoursePatch> decode_course_patch(const json& j) {
  CoursePatch p;
  Fields f(j);
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    auto text = [&](std::optional<std::string>& out) -> Status {
      auto v = f.text(k.c_str());
      if (!v) return v.error();
      out = *v;
      return ok_status();
    };
    auto link = [&](std::optional<std::string>& out) -> Status {
      auto v = f.url(k.c_str());
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
    if (k == "title_ar")
      s = text(p.title_ar);
    else if (k == "title_en")
      s = text(p.title_en);
    else if (k == "location")
      s = text(p.location);
    else if (k == "exam_url")
      s = link(p.exam_url);
    else if (k == "evaluation_url")
      s = link(p.evaluation_url);
    else if (k == "start_at")
      s = when(p.start_at);
    else if (k == "end_at")
      s = when(p.end_at);
    else if (k == "decision_at")
      s = when(p.decision_at);
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

Result<ApplyInput> decode_application(const json& j) {
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

Result<PrerequisiteProof> decode_prerequisite(const json& j, std::string_view applicant) {
  Fields f(j);
  auto type = f.str("id_type", true, 20);
  if (!type) return type.error();
  auto t = core::parse_id_type(*type);
  if (!t) return make_error(t.error().code, "id_type: " + t.error().message);
  auto number = core::validate_id_number(*t, applicant);
  if (!number) return make_error(number.error().code, "applicant: " + number.error().message);
  auto pre = f.str("prerequisite", true, 64);
  if (!pre) return pre.error();
  if (pre->empty()) return make_error("invalid_field", "prerequisite must not be empty");
  return PrerequisiteProof{*t, *number, *pre};
}

}  // namespace cg::gateway::web
