#include "gateway/console/course_pages.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "adapters/crypto/crypto.hpp"
#include "core/applicant.hpp"
#include "core/money.hpp"
#include "core/time.hpp"
#include "gateway/console/page_query.hpp"
#include "gateway/web/http_json.hpp"
#include "gateway/web/json_codec.hpp"

namespace cg::gateway::console {

using http::Request;
using http::Responder;
using http::Response;
using nlohmann::json;

namespace {

// Application ids are the gateway's own hex; anything else is refused before the store is asked.
bool valid_application_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char ch : id)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  return true;
}

Response invalid_query(std::string_view message) { return http::json_error(400, "invalid_query", message); }

// The filter of the applicants list and of its export, read from the query.
Result<store::ApplicantQuery> applicant_query(const Request& req, std::int64_t course_id) {
  store::ApplicantQuery q;
  q.course_id = course_id;
  if (auto s = req.query_param("state"); s && !s->empty()) {
    core::ApplicationState state{};
    if (!core::parse_application_state(*s, state))
      return make_error("invalid_query", "state: not a card state (awaiting_quorum, confirmed, cancelled, ...)");
    q.state = state;
  }
  if (auto text = req.query_param("q")) {
    std::string_view t = *text;
    while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
    while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
    if (t.size() > 100) return make_error("invalid_query", "q: at most 100 characters");
    q.search = std::string(t);
    // A phone is stored in E.164: "0791234567" finds "+962791234567".
    auto phone = core::normalize_phone(t);
    q.search_phone = phone ? *phone : q.search;
  }
  if (auto a = req.query_param("after")) {
    auto v = web::parse_id(*a);
    if (!v) return make_error("invalid_query", "after: the seq of the last row shown");
    q.after_seq = *v;
  }
  auto limit = page_limit(req);
  if (!limit) return limit.error();
  q.limit = *limit;
  return q;
}

std::optional<std::int64_t> course_id_of(const Request& req) { return web::parse_id(*req.path_param("id")); }

json message_json(const store::OutboxDetail& d, bool full) {
  const auto& m = d.message;
  auto shown = [&](const std::string& text) { return full ? text : mask_phone_in(text, m.to); };
  json reports = json::array();
  for (const auto& r : d.reports)
    reports.push_back(json{{"status", r.status},
                           {"provider", r.provider},
                           {"error_code", r.error_code},
                           {"detail", r.detail},
                           {"at", core::format_iso8601_utc(r.at)}});
  json log = json::array();
  for (const auto& e : d.channel_log)
    log.push_back(json{{"provider", e.provider},
                       {"request", shown(e.request)},
                       {"response", shown(e.response)},
                       {"http_status", e.http_status},
                       {"outcome", e.outcome},
                       {"elapsed_ms", e.elapsed_ms},
                       {"at", core::format_iso8601_utc(e.at)}});
  return json{{"id", m.id},
              {"to", full ? m.to : core::mask_phone(m.to)},
              {"template", m.template_name},
              {"step", m.step},
              {"language", std::string(core::to_string(m.language))},
              {"text", m.text},
              {"segments", m.segments},
              {"created_at", core::format_iso8601_utc(m.created_at)},
              {"status", m.status},
              {"attempts", m.attempts},
              {"provider", m.provider},
              {"provider_message_id", m.provider_message_id},
              {"last_error", m.last_error},
              {"delivery_status", d.delivery_status},
              {"delivery_error", d.delivery_error},
              {"delivery_at", opt_time(d.delivery_at)},
              {"done_at", opt_time(d.done_at)},
              {"reports", std::move(reports)},
              {"channel_log", std::move(log)}};
}

json payment_json(const store::PaymentRecord& p) {
  return json{{"joebpps_trx", p.joebpps_trx},
              {"billing_number", p.billing_number},
              {"paid_jod", core::format_jod(p.paid)},
              {"due_jod", core::format_jod(p.due)},
              {"process_date", p.process_date},
              {"stmt_date", p.stmt_date},
              {"outcome", p.outcome},
              {"received_at", core::format_iso8601_utc(p.received_at)}};
}

json history_json(const core::HistoryEntry& h) {
  return json{{"at", core::format_iso8601_utc(h.at)},
              {"from", h.from ? json(std::string(core::to_string(*h.from))) : json(nullptr)},
              {"to", std::string(core::to_string(h.to))},
              {"step", h.step},
              {"event", h.event}};
}

const char* const kCsvHeader[] = {"seq",        "application_id", "name",           "phone",           "id_type",
                                  "id_number",  "nationality",    "language",       "channel",         "state",
                                  "created_at", "updated_at",     "billing_number", "bill_amount_jod", "bill_due_at"};

void append_csv(std::string& out, const core::Application& a, bool full) {
  const auto& p = a.applicant;
  const std::string seq = std::to_string(a.seq);
  const std::string phone = full ? p.phone : core::mask_phone(p.phone);
  const std::string number = full ? p.id_number : core::mask_id_number(p.id_number);
  const std::string created = core::format_iso8601_utc(a.created_at);
  const std::string updated = core::format_iso8601_utc(a.updated_at);
  const std::string billing = a.bill ? a.bill->billing_number : "";
  const std::string amount = a.bill ? core::format_jod(a.bill->amount) : "";
  const std::string due = a.bill ? core::format_iso8601_utc(a.bill->due_at) : "";
  out +=
      csv_row({seq, a.id, p.name, phone, core::to_string(p.id_type), number, p.nationality, core::to_string(p.language),
               a.channel, core::to_string(a.state), created, updated, billing, amount, due});
}

}  // namespace

Result<OnceKey> once_key(const http::Request& req, const PageCaller& c, std::string_view request) {
  auto key = req.header("Idempotency-Key");
  if (!key) return make_error("invalid_header", "Idempotency-Key: required (one per form, kept for its resends)");
  if (key->size() < 8 || key->size() > 128 || !std::all_of(key->begin(), key->end(), [](char ch) {
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '-' ||
               ch == '_';
      }))
    return make_error("invalid_header", "Idempotency-Key: 8 to 128 of A-Z, a-z, 0-9, '-' and '_'");
  return OnceKey{"console:" + c.username + ":" + std::string(*key), crypto::to_hex(crypto::sha256(request))};
}

std::string mask_phone_in(std::string text, const std::string& phone) {
  const std::string masked = core::mask_phone(phone);
  const bool plus = phone.size() > 1 && phone.front() == '+';
  const std::string from = plus ? phone.substr(1) : phone;
  const std::string to = plus ? masked.substr(1) : masked;
  if (from.empty()) return text;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string csv_field(std::string_view value) {
  std::string v;
  if (!value.empty() && (value.front() == '=' || value.front() == '+' || value.front() == '-' || value.front() == '@' ||
                         value.front() == '\t' || value.front() == '\r'))
    v = "'";
  v += value;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char ch : v) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string csv_row(std::initializer_list<std::string_view> fields) {
  std::string out;
  bool first = true;
  for (auto f : fields) {
    if (!first) out += ',';
    first = false;
    out += csv_field(f);
  }
  return out + "\r\n";
}

json applicant_json(const core::Application& a, bool full) {
  const auto& p = a.applicant;
  return json{{"id", a.id},
              {"seq", a.seq},
              {"name", p.name},
              {"phone", full ? p.phone : core::mask_phone(p.phone)},
              {"id_type", std::string(core::to_string(p.id_type))},
              {"id_number", full ? p.id_number : core::mask_id_number(p.id_number)},
              {"nationality", p.nationality},
              {"language", std::string(core::to_string(p.language))},
              {"channel", a.channel},
              {"state", std::string(core::to_string(a.state))},
              {"created_at", core::format_iso8601_utc(a.created_at)},
              {"updated_at", core::format_iso8601_utc(a.updated_at)},
              {"billing_number", a.bill ? json(a.bill->billing_number) : json(nullptr)}};
}

json course_detail_json(const core::Course& c) {
  // The admin API's view of a course, with the card-state counts named as the page reads them.
  json j = web::encode_course(c, web::Audience::operators);
  j["tally"] = std::move(j["counts"]);
  j.erase("counts");
  j["active"] = c.tally.active();
  return j;
}

void CoursePages::get_course(const PageCaller&, const Request& req, const Responder& respond) {
  auto id = course_id_of(req);
  if (!id) return respond(http::json_error(404, "not_found", "course not found"));
  auto c = service_.course(*id);
  if (!c) return respond(web::error_response(c.error()));
  respond(web::json_replacing(200, course_detail_json(*c)));
}

void CoursePages::get_applicants(const PageCaller& c, const Request& req, const Responder& respond) {
  auto id = course_id_of(req);
  if (!id) return respond(http::json_error(404, "not_found", "course not found"));
  auto q = applicant_query(req, *id);
  if (!q) return respond(invalid_query(q.error().message));
  std::optional<std::vector<core::Application>> rows;
  bool course_found = false;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto course = tx.course(*id);
    if (!course) return course.error();
    course_found = course->has_value();
    if (!course_found) return ok_status();
    auto r = tx.course_applicants(*q);
    if (!r) return r.error();
    rows = std::move(*r);
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  if (!course_found) return respond(http::json_error(404, "not_found", "course not found"));
  const bool full = allows(c.role, Role::operator_);
  json items = json::array();
  for (const auto& a : *rows) items.push_back(applicant_json(a, full));
  // The next page starts after the last seq shown; none when this page was not full.
  json next = next_after(*rows, q->limit, [](const core::Application& a) { return a.seq; });
  respond(web::json_replacing(200, json{{"items", std::move(items)}, {"next_after", next}, {"masked", !full}}));
}

void CoursePages::export_applicants(const PageCaller& c, const Request& req, const Responder& respond,
                                    http::ReaderPool& readers) {
  auto id = course_id_of(req);
  if (!id) return respond(http::json_error(404, "not_found", "course not found"));
  auto q = applicant_query(req, *id);
  if (!q) return respond(invalid_query(q.error().message));
  if (req.query_param("after") || req.query_param("limit"))
    return respond(invalid_query("after, limit: the export takes every row of the filter"));
  auto course = service_.course(*id);
  if (!course) return respond(web::error_response(course.error()));
  const bool full = allows(c.role, Role::operator_);
  std::int64_t rows = 0;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto n = tx.count_course_applicants(*q);
    if (!n) return n.error();
    rows = *n;
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  // Recorded before the first byte goes out, so an export cut short is on record too. `rows` is
  // what the filter matched then; an applicant arriving meanwhile may be in the file as well.
  // The search may be a phone or document number: the audit log keeps it masked, as logs do.
  json after{{"rows", rows},
             {"state", q->state ? json(std::string(core::to_string(*q->state))) : json(nullptr)},
             {"search", q->search.empty() ? json(nullptr) : json(core::mask_id_number(q->search))},
             {"masked", !full}};
  const AuditBy by{c.username, req.remote_address};
  const core::Instant now = clock_.now();
  const std::string target = "course:" + std::to_string(*id);
  // One page of rows a piece: the header first (after a UTF-8 byte order mark, which is how Excel
  // knows the Arabic is UTF-8), then the rows by key until a page comes back short.
  struct Export {
    store::ApplicantQuery q;
    bool full = false;
    bool header_sent = false;
    bool finished = false;
  };
  auto state = std::make_shared<Export>(Export{*q, full});
  state->q.limit = kExportPage;
  store::Store& store = service_.store();
  auto make_piece = [state, &store]() -> Result<std::string> {
    if (!state->header_sent) {
      state->header_sent = true;
      std::string header = "\xEF\xBB\xBF";
      for (std::size_t i = 0; i < std::size(kCsvHeader); ++i)
        header += (i == 0 ? "" : ",") + std::string(kCsvHeader[i]);
      return header + "\r\n";
    }
    if (state->finished) return std::string();
    std::optional<std::vector<core::Application>> page;
    Status read = store.read([&](store::Tx& tx) -> Status {
      auto r = tx.course_applicants(state->q);
      if (!r) return r.error();
      page = std::move(*r);
      return ok_status();
    });
    if (!read) return read.error();
    state->finished = page->size() < state->q.limit;
    if (page->empty()) return std::string();
    state->q.after_seq = page->back().seq;
    std::string piece;
    for (const auto& a : *page) append_csv(piece, a, state->full);
    return piece;
  };
  service_.store().write([by, now, target, after = after.dump()](
                             store::Tx& tx) { return audit(tx, by, now, "applicants.export", target, "", after); },
                         [respond, &readers, make_piece, id = *id](const Status& st) {
                           if (!st) return respond(http::store_failure(st.error()));
                           Response r;
                           r.status = 200;
                           r.content_type = "text/csv; charset=utf-8";
                           r.headers.set("Content-Disposition",
                                         "attachment; filename=\"course-" + std::to_string(id) + "-applicants.csv\"");
                           r.stream = http::pooled_stream(readers, make_piece);
                           respond(std::move(r));
                         });
}

void CoursePages::find_applications(const PageCaller& c, const Request& req, const Responder& respond) {
  auto text = req.query_param("phone");
  if (!text || text->empty()) return respond(invalid_query("phone: required"));
  auto phone = core::normalize_phone(*text);
  if (!phone) return respond(invalid_query("phone: " + phone.error().message));
  std::optional<std::vector<core::Application>> found;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto r = tx.applications_by_phone(*phone, 50);
    if (!r) return r.error();
    found = std::move(*r);
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  const bool full = allows(c.role, Role::operator_);
  json items = json::array();
  for (const auto& a : *found) {
    json j = applicant_json(a, full);
    j["course_id"] = a.course_id;
    items.push_back(std::move(j));
  }
  respond(web::json_replacing(200, json{{"items", std::move(items)}}));
}

void CoursePages::get_application(const PageCaller& c, const Request& req, const Responder& respond) {
  std::string id(*req.path_param("id"));
  if (!valid_application_id(id)) return respond(http::json_error(404, "not_found", "application not found"));
  std::optional<core::Application> app;
  std::optional<core::Course> course;
  std::vector<core::HistoryEntry> history;
  std::vector<store::OutboxDetail> messages;
  std::vector<store::PaymentRecord> payments;
  // One snapshot: the timeline, the SMS and the bill agree with each other.
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto a = tx.application(id);
    if (!a) return a.error();
    if (!*a) return ok_status();
    app = std::move(**a);
    auto co = tx.course(app->course_id);
    if (!co) return co.error();
    if (*co) course = std::move(**co);
    auto h = tx.history(id);
    if (!h) return h.error();
    history = std::move(*h);
    auto m = tx.application_messages(id, 200);
    if (!m) return m.error();
    messages = std::move(*m);
    auto p = tx.application_payments(id);
    if (!p) return p.error();
    payments = std::move(*p);
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  if (!app || !course) return respond(http::json_error(404, "not_found", "application not found"));
  const bool full = allows(c.role, Role::operator_);
  json timeline = json::array();
  for (const auto& h : history) timeline.push_back(history_json(h));
  json sms = json::array();
  for (const auto& m : messages) sms.push_back(message_json(m, full));
  json paid = json::array();
  for (const auto& p : payments) paid.push_back(payment_json(p));
  json bill = app->bill ? json{{"billing_number", app->bill->billing_number},
                               {"amount_jod", core::format_jod(app->bill->amount)},
                               {"issued_at", core::format_iso8601_utc(app->bill->issued_at)},
                               {"due_at", core::format_iso8601_utc(app->bill->due_at)}}
                        : json(nullptr);
  respond(web::json_replacing(200, json{{"application", applicant_json(*app, full)},
                                        {"course", course_detail_json(*course)},
                                        {"history", std::move(timeline)},
                                        {"messages", std::move(sms)},
                                        {"bill", std::move(bill)},
                                        {"payments", std::move(paid)},
                                        {"masked", !full}}));
}

void CoursePages::cancel(const PageCaller& c, const Request& req, const Responder& respond) {
  std::string id(*req.path_param("id"));
  if (!valid_application_id(id)) return respond(http::json_error(404, "not_found", "application not found"));
  auto body = web::parse_json_body(req);
  if (!body) return respond(web::bad(body.error()));
  auto answer = [id](const Responder& r) { r(web::json_replacing(200, json{{"id", id}, {"state", "cancelled"}})); };
  // The applicant's own path (Service::cancel): the card's SMS goes out and the audit line is
  // written in the same transaction.
  service_.cancel(
      id, core::Actor::operator_,
      [this, id, respond, answer](const Result<core::ApplicationState>& r) {
        if (r) return answer(respond);
        // A second click finds it cancelled already: the same answer, nothing done twice.
        if (r.error().code == "not_cancellable") {
          auto now = service_.application(id);
          if (now && now->application.state == core::ApplicationState::cancelled) return answer(respond);
        }
        respond(web::error_response(r.error()));
      },
      AuditBy{c.username, req.remote_address});
}

void CoursePages::record_pass(const PageCaller& c, const Request& req, const Responder& respond) {
  std::string id(*req.path_param("id"));
  if (!valid_application_id(id)) return respond(http::json_error(404, "not_found", "application not found"));
  auto body = web::parse_json_body(req);
  if (!body) return respond(web::bad(body.error()));
  auto view = service_.application(id);
  if (!view) return respond(web::error_response(view.error()));
  if (!view->course.prerequisite)
    return respond(
        http::json_error(409, "no_prerequisite", "course: this course needs no prerequisite, so no pass to record"));
  PrerequisiteProof proof{view->application.applicant.id_type, view->application.applicant.id_number,
                          *view->course.prerequisite};
  service_.record_prerequisite(
      std::move(proof),
      [respond](const Result<ProofOutput>& r) {
        if (!r) return respond(web::error_response(r.error()));
        respond(web::json_replacing(200, json{{"recorded", r->recorded}, {"applications", r->applications}}));
      },
      AuditBy{c.username, req.remote_address});
}

}  // namespace cg::gateway::console
