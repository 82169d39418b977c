#include "gateway/sms/status_routes.hpp"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "adapters/observe/log.hpp"
#include "adapters/observe/registry.hpp"
#include "core/text.hpp"
#include "gateway/web/admin_auth.hpp"

namespace cg::gateway {
namespace {

using http::Method;
using http::Request;
using http::Responder;
using http::Response;
using nlohmann::json;

}  // namespace

// The delivery-report funnel: reports by provider and the status they report (queued, sent,
// delivered, failed), or "unmatched" for a report of no message we know.
static void count_delivery_report(const store::DeliveryReport& r, bool matched) {
  obs::registry()
      .counter("course_gateway_sms_delivery_reports_total",
               "Delivery reports by provider and reported status (\"unmatched\": no such message).",
               {{"provider", r.provider}, {"status", matched ? r.status : "unmatched"}})
      .inc();
}

Response not_configured(std::string_view kind) {
  return http::json_error(403, "not_configured",
                          "no " + std::string(kind) + " provider is configured in sms.providers");
}

void record_delivery_reports(store::Store& store, std::vector<store::DeliveryReport> reports, Responder respond,
                             Response ok) {
  auto unknown = std::make_shared<std::vector<std::string>>();
  auto matched = std::make_shared<std::vector<bool>>();
  auto shared = std::make_shared<std::vector<store::DeliveryReport>>(std::move(reports));
  store.write(
      [shared, unknown, matched](store::Tx& tx) -> Status {
        unknown->clear();  // a command may be run again after a failed batch
        matched->clear();
        for (const auto& r : *shared) {
          auto found = tx.apply_delivery_report(r);
          if (!found) return found.error();
          matched->push_back(*found);
          if (!*found)
            unknown->push_back(r.provider + " " +
                               (r.provider_message_id.empty() ? "outbox id " + std::to_string(r.outbox_id)
                                                              : "message " + r.provider_message_id));
        }
        return ok_status();
      },
      [respond = std::move(respond), unknown, matched, shared, ok = std::move(ok)](const Status& s) {
        if (!s) {
          if (s.error().code == "invalid_report")
            return respond(http::json_error(400, s.error().code, s.error().message));
          Error e = s.error();
          if (e.code != "store_error") e.code = "store_unavailable";  // the provider retries either way
          return respond(http::store_failure(e));
        }
        for (std::size_t i = 0; i < shared->size() && i < matched->size(); ++i)
          count_delivery_report((*shared)[i], (*matched)[i]);
        for (const auto& u : *unknown)
          log::warn("sms", "delivery report for an unknown message; acknowledged", {{"message", u}});
        respond(ok);
      });
}

namespace {

json outbox_detail_json(const store::OutboxDetail& d) {
  auto time = [](const std::optional<core::Instant>& t) {
    return t ? json(core::format_iso8601_utc(*t)) : json(nullptr);
  };
  const auto& m = d.message;
  json reports = json::array();
  for (const auto& r : d.reports)
    reports.push_back({{"provider", r.provider},
                       {"provider_message_id", r.provider_message_id},
                       {"status", r.status},
                       {"error_code", r.error_code},
                       {"detail", r.detail},
                       {"at", core::format_iso8601_utc(r.at)}});
  json log = json::array();
  for (const auto& e : d.channel_log)
    log.push_back({{"provider", e.provider},
                   {"request", e.request},
                   {"response", e.response},
                   {"http_status", e.http_status},
                   {"outcome", e.outcome},
                   {"elapsed_ms", e.elapsed_ms},
                   {"at", core::format_iso8601_utc(e.at)},
                   {"request_id", e.request_id}});
  return json{
      {"id", m.id},
      {"application_id", m.application_id},
      {"to", m.to},
      {"text", m.text},
      {"template", m.template_name},
      {"language", std::string(core::to_string(m.language))},
      {"step", m.step},
      {"segments", m.segments},
      {"created_at", core::format_iso8601_utc(m.created_at)},
      {"status", m.status},
      {"attempts", m.attempts},
      {"next_attempt_at", core::format_iso8601_utc(m.next_attempt_at)},
      {"provider", m.provider},
      {"provider_message_id", m.provider_message_id},
      {"last_error", m.last_error},
      {"request_id", m.request_id},
      {"done_at", time(d.done_at)},
      {"delivery", {{"status", d.delivery_status}, {"error_code", d.delivery_error}, {"at", time(d.delivery_at)}}},
      {"delivery_reports", reports},
      {"channel_log", log}};
}

}  // namespace

void register_sms_status_routes(http::Router& router, const ProviderContext& ctx, http::ReaderPool& readers) {
  for (const auto& provider : sms_providers())
    if (provider.status) add_provider_route(router, *provider.status, ctx);

  store::Store& store = ctx.store;
  const Config& config = ctx.config;
  router.add(Method::get, "/v1/admin/outbox/{id}",
             admin(config, http::on_pool(readers, [&store](const Request& req, const Responder& respond) {
                     const std::string text(req.path_param("id").value_or(""));
                     std::int64_t id = 0;
                     bool digits = !text.empty() && text.size() <= 18;
                     for (char c : text) digits = digits && c >= '0' && c <= '9';
                     if (digits) id = std::stoll(text);
                     if (id <= 0) return respond(http::json_error(400, "invalid_id", "id: must be a positive integer"));
                     auto d = store.outbox_detail(id);
                     if (!d) return respond(http::json_error(503, d.error().code, d.error().message));
                     if (!*d) return respond(http::json_error(404, "not_found", "no outbox message " + text));
                     respond(http::json_response(200, outbox_detail_json(**d).dump()));
                   })));
}

}  // namespace cg::gateway
