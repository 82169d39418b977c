#include "gateway/console/message_pages.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "core/applicant.hpp"
#include "core/time.hpp"
#include "gateway/console/page_query.hpp"
#include "gateway/service/audit.hpp"
#include "gateway/sms/dispatch_log.hpp"
#include "gateway/sms/dispatcher.hpp"
#include "gateway/web/http_json.hpp"

namespace cg::gateway::console {

using http::Request;
using http::Responder;
using nlohmann::json;

namespace {

constexpr std::chrono::hours kFunnelWindow{24};
// The provider filter's word for rows no provider has taken (as the outbound metrics say it).
constexpr std::string_view kNoProvider = "none";

bool valid_status(std::string_view s) {
  return s == "pending" || s == "sending" || s == "sent" || s == "delivered" || s == "failed";
}

// A provider's name as sms.providers may spell it: printable ASCII, at most 64 bytes.
bool valid_provider(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char ch) { return ch > ' ' && ch < 127; });
}

Result<store::OutboxQuery> outbox_query(const Request& req) {
  store::OutboxQuery q;
  if (auto s = req.query_param("status"); s && !s->empty()) {
    if (!valid_status(*s)) return make_error("invalid_query", "status: pending, sending, sent, delivered or failed");
    q.status = std::string(*s);
  }
  if (auto p = req.query_param("provider"); p && !p->empty()) {
    if (!valid_provider(*p)) return make_error("invalid_query", "provider: a provider's name, or none");
    q.provider = *p == kNoProvider ? std::string() : std::string(*p);
  }
  if (auto a = req.query_param("after")) {
    auto v = web::parse_id(*a);
    if (!v) return make_error("invalid_query", "after: the id of the last message shown");
    q.before_id = *v;
  }
  auto limit = page_limit(req);
  if (!limit) return limit.error();
  q.limit = *limit;
  return q;
}

json message_item(const store::OutboxListItem& item, bool full) {
  const auto& m = item.message;
  return json{{"id", m.id},
              {"application_id", m.application_id.empty() ? json(nullptr) : json(m.application_id)},
              {"to", full ? m.to : core::mask_phone(m.to)},
              {"template", m.template_name},
              {"language", std::string(core::to_string(m.language))},
              {"step", m.step},
              {"segments", m.segments},
              {"status", m.status},
              {"attempts", m.attempts},
              {"provider", m.provider},
              {"last_error", full ? m.last_error : mask_phone_in(m.last_error, m.to)},
              {"created_at", core::format_iso8601_utc(m.created_at)},
              {"done_at", opt_time(item.done_at)},
              {"resent_as", item.resent_as > 0 ? json(item.resent_as) : json(nullptr)},
              {"resendable", m.status == "failed" && item.resent_as == 0}};
}

// What a resend request names: 1 to kMaxResend ids, each a whole number above 0, each once.
Result<std::vector<std::int64_t>> resend_ids(const json& body) {
  const Error bad{"invalid_request",
                  "ids: 1 to " + std::to_string(MessagePages::kMaxResend) + " message ids, whole numbers above 0"};
  auto it = body.find("ids");
  if (it == body.end() || !it->is_array() || it->empty() || it->size() > MessagePages::kMaxResend) return bad;
  std::vector<std::int64_t> ids;
  for (const auto& v : *it) {
    if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) return bad;
    const auto id = v.get<std::int64_t>();
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);  // a repeat is the same request
  }
  return ids;
}

http::Response resend_refusal(const Error& e) {
  if (e.code == "outbox_not_found") return http::json_error(404, "not_found", "ids: " + e.message);
  if (e.code == "not_failed" || e.code == "opted_out") return http::json_error(409, e.code, "ids: " + e.message);
  return web::error_response(e);
}

}  // namespace

void MessagePages::get_messages(const PageCaller& c, const Request& req, const Responder& respond) {
  auto q = outbox_query(req);
  if (!q) return respond(http::json_error(400, "invalid_query", q.error().message));
  std::vector<store::OutboxListItem> rows;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto r = tx.outbox_page(*q);
    if (!r) return r.error();
    rows = std::move(*r);
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  const bool full = allows(c.role, Role::operator_);
  json items = json::array();
  for (const auto& r : rows) items.push_back(message_item(r, full));
  json next = next_after(rows, q->limit, [](const store::OutboxListItem& i) { return i.message.id; });
  respond(web::json_replacing(200, json{{"items", std::move(items)}, {"next_after", next}, {"masked", !full}}));
}

void MessagePages::get_funnel(const PageCaller&, const Request&, const Responder& respond) {
  const core::Instant now = clock_.now();
  const core::Instant since = now - kFunnelWindow;
  std::vector<std::pair<std::string, std::int64_t>> counts;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto r = tx.outbox_status_since(since);
    if (!r) return r.error();
    counts = std::move(*r);
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  std::int64_t queued = 0;
  std::int64_t waiting = 0;
  std::int64_t sent = 0;
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
  for (const auto& [status, n] : counts) {
    queued += n;
    if (status == "pending" || status == "sending") waiting += n;
    if (status == "sent" || status == "delivered") sent += n;  // a provider took it
    if (status == "delivered") delivered += n;
    if (status == "failed") failed += n;
  }
  respond(web::json_replacing(200, json{{"since", core::format_iso8601_utc(since)},
                                        {"until", core::format_iso8601_utc(now)},
                                        {"queued", queued},
                                        {"waiting", waiting},
                                        {"sent", sent},
                                        {"delivered", delivered},
                                        {"failed", failed}}));
}

void MessagePages::get_providers(const PageCaller&, const Request&, const Responder& respond) {
  json list = json::array();
  json active = nullptr;
  bool failed_over = false;
  if (dispatcher_) {
    auto states = dispatcher_->provider_states();
    for (std::size_t i = 0; i < states.size(); ++i) {
      const auto& st = states[i];
      const SmsProviderConfig* cfg = nullptr;
      for (const auto& p : config_.sms.providers)
        if (p.name == st.name) cfg = &p;
      const ProviderCounts counts = provider_counts(st.name);
      if (active.is_null() && !st.down) active = st.name;
      if (i == 0) failed_over = st.down;
      list.push_back(json{{"name", st.name},
                          {"kind", cfg ? cfg->kind : std::string("file")},
                          {"order", i + 1},
                          {"preferred", i == 0},
                          {"down", st.down},
                          {"consecutive_failures", st.consecutive_failures},
                          {"last_failure", opt_time(st.last_failure)},
                          {"rate_per_second", cfg ? cfg->rate_per_second : 0},
                          {"burst", cfg ? cfg->burst : 0},
                          {"accepted", counts.accepted},
                          {"temporary_failures", counts.temporary},
                          {"permanent_failures", counts.permanent},
                          {"failovers", counts.failovers},
                          {"rate_limit_waits", counts.rate_limit_waits}});
    }
  }
  respond(web::json_replacing(200, json{{"providers", std::move(list)},
                                        {"active", active},
                                        {"failed_over", failed_over},
                                        {"dispatchers", config_.sms.dispatchers},
                                        {"failover_after", config_.sms.failover_after},
                                        {"failback_after_s", config_.sms.failback_after.count()}}));
}

void MessagePages::resend(const PageCaller& c, const Request& req, const Responder& respond) {
  auto body = web::parse_json_body(req);
  if (!body) return respond(web::bad(body.error()));
  auto ids = resend_ids(*body);
  if (!ids) return respond(http::json_error(400, ids.error().code, ids.error().message));
  const AuditBy by{c.username, req.remote_address};
  const core::Instant now = clock_.now();
  // Filled by the command, which may run again (a retried transaction): it starts afresh each time.
  auto done = std::make_shared<std::vector<store::ResentSms>>();
  auto refused = std::make_shared<std::optional<Error>>();
  service_.store().write(
      [ids = *ids, by, now, done, refused](store::Tx& tx) -> Status {
        done->clear();
        refused->reset();
        // All or nothing: one refusal (not failed, STOP, unknown) leaves every row as it was.
        for (std::int64_t id : ids) {
          auto r = tx.resend_failed_sms(id, now);
          if (!r) {
            if (r.error().code != "store_error" && r.error().code != "store_unavailable") *refused = r.error();
            return r.error();
          }
          if (!r->already) {
            const json before{{"status", "failed"},
                              {"to", core::mask_phone(r->failed.to)},
                              {"template", r->failed.template_name},
                              {"last_error", mask_phone_in(r->failed.last_error, r->failed.to)},
                              {"resent_as", nullptr}};
            const json after{{"status", "failed"}, {"resent_as", r->resent_as}, {"resent_status", "pending"}};
            if (auto st = audit(tx, by, now, "sms.resend", "outbox:" + std::to_string(id), before.dump(), after.dump());
                !st)
              return st;
          }
          done->push_back(std::move(*r));
        }
        return ok_status();
      },
      [respond, done, refused](const Status& st) {
        if (!st) return respond(*refused ? resend_refusal(**refused) : web::error_response(st.error()));
        json list = json::array();
        for (const auto& r : *done)
          list.push_back(json{{"id", r.failed.id}, {"resent_as", r.resent_as}, {"already", r.already}});
        respond(web::json_replacing(200, json{{"resent", std::move(list)}}));
      });
}

void MessagePages::get_opt_outs(const PageCaller& c, const Request& req, const Responder& respond) {
  auto after = after_time_id_key(req);
  if (!after) return respond(http::json_error(400, "invalid_query", after.error().message));
  auto limit = page_limit(req);
  if (!limit) return respond(http::json_error(400, "invalid_query", limit.error().message));
  std::vector<store::OptOut> rows;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto r = tx.opt_outs_page(after->at, after->id, *limit);
    if (!r) return r.error();
    rows = std::move(*r);
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  const bool full = allows(c.role, Role::operator_);
  json items = json::array();
  for (const auto& o : rows)
    items.push_back(
        json{{"phone", full ? o.phone : core::mask_phone(o.phone)}, {"at", core::format_iso8601_utc(o.at)}});
  // The key is "SECONDS:ID" of the last row shown: no phone in the URL.
  json next = next_after(rows, *limit, [](const store::OptOut& o) { return time_key(o.at, std::to_string(o.id)); });
  respond(web::json_replacing(200, json{{"items", std::move(items)}, {"next_after", next}, {"masked", !full}}));
}

}  // namespace cg::gateway::console
