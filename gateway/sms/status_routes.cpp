#include "gateway/sms/status_routes.hpp"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/infobip/status.hpp"
#include "adapters/sms/kannel/status.hpp"
#include "adapters/sms/twilio/status.hpp"
#include "gateway/web/admin_auth.hpp"

namespace cg::gateway {
namespace {

using http::Method;
using http::Request;
using http::Responder;
using http::Response;
using nlohmann::json;

Response not_configured(std::string_view kind) {
  return http::json_error(403, "not_configured",
                          "no " + std::string(kind) + " provider is configured in sms.providers");
}

// Files the reports in one transaction and answers once it is committed. Unknown messages are
// logged and acknowledged.
void record(store::Store& store, std::vector<store::DeliveryReport> reports, Responder respond, Response ok) {
  auto unknown = std::make_shared<std::vector<std::string>>();
  auto shared = std::make_shared<std::vector<store::DeliveryReport>>(std::move(reports));
  store.write(
      [shared, unknown](store::Tx& tx) -> Status {
        unknown->clear();  // a command may be run again after a failed batch
        for (const auto& r : *shared) {
          auto found = tx.apply_delivery_report(r);
          if (!found) return found.error();
          if (!*found)
            unknown->push_back(r.provider + " " +
                               (r.provider_message_id.empty() ? "outbox id " + std::to_string(r.outbox_id)
                                                              : "message " + r.provider_message_id));
        }
        return ok_status();
      },
      [respond, unknown, ok = std::move(ok)](const Status& s) {
        if (!s) {
          int status = s.error().code == "invalid_report" ? 400 : 503;
          return respond(http::json_error(status, s.error().code, s.error().message));
        }
        for (const auto& u : *unknown)
          std::fprintf(stderr, "sms: delivery report for unknown %s; acknowledged\n", u.c_str());
        respond(ok);
      });
}

// Query parameters, and the form body of a POST.
Result<http::Params> kannel_params(const Request& req) {
  http::Params params = req.query;
  if (req.method == Method::post && !req.body.empty()) {
    auto ct = req.header("Content-Type").value_or("");
    if (ct.find("application/x-www-form-urlencoded") == std::string_view::npos)
      return make_error("unsupported_media_type", "a POSTed report must be application/x-www-form-urlencoded");
    auto form = http::parse_form(req.body);
    if (!form) return form.error();
    params.insert(params.end(), form->begin(), form->end());
  }
  return params;
}

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
                   {"at", core::format_iso8601_utc(e.at)}});
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
      {"done_at", time(d.done_at)},
      {"delivery", {{"status", d.delivery_status}, {"error_code", d.delivery_error}, {"at", time(d.delivery_at)}}},
      {"delivery_reports", reports},
      {"channel_log", log}};
}

}  // namespace

void register_sms_status_routes(http::Router& router, store::Store& store, const Config& config, const Clock& clock) {
  router.add(
      {Method::get, Method::post}, "/v1/sms/kannel/status",
      [&store, &config, &clock](Request req, Responder respond) {
        auto kannels = providers_of_kind(config.sms, "kannel");
        if (kannels.empty()) return respond(not_configured("kannel"));
        auto params = kannel_params(req);
        if (!params) {
          int status = params.error().code == "unsupported_media_type" ? 415 : 400;
          return respond(http::json_error(status, params.error().code, params.error().message));
        }
        // The key we put in the dlr-url proves the call comes from our smsbox.
        const std::string key(http::find_param(*params, "key").value_or(""));
        const SmsProviderConfig* from = nullptr;
        for (const auto* p : kannels)
          if (!p->dlr_key.empty() && crypto::constant_time_equal(key, p->dlr_key)) from = p;
        if (!from) return respond(http::json_error(403, "forbidden", "key: missing or wrong"));
        auto report = sms::kannel::parse_status(*params, from->name);
        if (!report) return respond(http::json_error(400, report.error().code, report.error().message));
        report->at = clock.now();
        record(store, {std::move(*report)}, std::move(respond), http::text_response(200, "OK\n"));
      },
      http::Router::Head::refused);

  router.add(Method::post, "/v1/sms/twilio/status", [&store, &config, &clock](Request req, Responder respond) {
    auto twilios = providers_of_kind(config.sms, "twilio");
    if (twilios.empty()) return respond(not_configured("twilio"));
    auto ct = req.header("Content-Type").value_or("");
    if (ct.find("application/x-www-form-urlencoded") == std::string_view::npos)
      return respond(
          http::json_error(415, "unsupported_media_type", "Content-Type must be application/x-www-form-urlencoded"));
    auto form = http::parse_form(req.body);
    if (!form) return respond(http::json_error(400, form.error().code, form.error().message));
    auto signature = req.header("X-Twilio-Signature");
    if (!signature) return respond(http::json_error(403, "forbidden", "X-Twilio-Signature: missing"));
    // Twilio signs the URL it called: ours as the public sees it, with the query as sent.
    const std::string url = config.public_base_url + req.target;
    const SmsProviderConfig* from = nullptr;
    for (const auto* p : twilios)
      if (sms::twilio::status_signature_valid(p->auth_token, url, *form, *signature)) from = p;
    if (!from) return respond(http::json_error(403, "forbidden", "X-Twilio-Signature: does not match"));
    auto report = sms::twilio::parse_status(*form, from->name);
    if (!report) return respond(http::json_error(400, report.error().code, report.error().message));
    report->at = clock.now();
    record(store, {std::move(*report)}, std::move(respond), http::text_response(200, "", ""));
  });

  router.add(Method::post, "/v1/sms/infobip/status", [&store, &config, &clock](Request req, Responder respond) {
    auto infobips = providers_of_kind(config.sms, "infobip");
    if (infobips.empty()) return respond(not_configured("infobip"));
    const std::string auth(req.header("Authorization").value_or(""));
    const SmsProviderConfig* from = nullptr;
    for (const auto* p : infobips)
      if (crypto::constant_time_equal(auth,
                                      "Basic " + crypto::base64_encode(p->report_user + ":" + p->report_password)))
        from = p;
    if (!from) {
      Response r = http::json_error(401, "unauthorized", "basic-auth credentials for delivery reports are required");
      r.headers.set("WWW-Authenticate", "Basic realm=\"delivery reports\"");
      return respond(std::move(r));
    }
    auto ct = req.header("Content-Type").value_or("");
    if (ct.find("application/json") == std::string_view::npos)
      return respond(http::json_error(415, "unsupported_media_type", "Content-Type must be application/json"));
    auto reports = sms::infobip::parse_status(req.body, from->name);
    if (!reports) return respond(http::json_error(400, reports.error().code, reports.error().message));
    for (auto& r : *reports) r.at = clock.now();
    record(store, std::move(*reports), std::move(respond), http::json_response(200, R"({"received":true})"));
  });

  router.add(Method::get, "/v1/admin/outbox/{id}", admin(config, [&store](Request req, Responder respond) {
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
             }));
}

}  // namespace cg::gateway
