// Twilio (adapters/sms/twilio/): sends through its Messages API, receives and reports status with
// X-Twilio-Signature over the URL it called.
#include <nlohmann/json.hpp>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/common/redact.hpp"
#include "adapters/sms/twilio/inbound.hpp"
#include "adapters/sms/twilio/outbound.hpp"
#include "adapters/sms/twilio/status.hpp"
#include "core/applicant.hpp"
#include "gateway/sms/inbound_routes.hpp"
#include "gateway/sms/status_routes.hpp"

namespace cg::gateway {
namespace {

using http::Method;
using http::Request;
using http::Responder;

constexpr const char* kStatusPath = "/v1/sms/twilio/status";

std::optional<SmsConfigFault> check(SmsProviderConfig& p, const std::string& at, const std::string&) {
  if (p.base_url.empty()) p.base_url = "https://api.twilio.com";
  std::optional<SmsConfigFault> f;
  if ((f = require(p, at, p.account_sid, "account_sid")) || (f = require(p, at, p.auth_token, "auth_token"))) return f;
  if (p.from.empty() == p.messaging_service_sid.empty())
    return SmsConfigFault{at + ".from", "give exactly one of from and messaging_service_sid"};
  return std::nullopt;
}

Result<std::unique_ptr<sms::Sender>> make_sender(const SmsProviderConfig& p, const Config& config) {
  sms::twilio::Settings s;
  s.sender = http_sender_settings(p);
  s.base_url = p.base_url;
  s.account_sid = p.account_sid;
  s.auth_token = p.auth_token;
  s.from = p.from;
  s.messaging_service_sid = p.messaging_service_sid;
  s.status_callback = config.public_base_url + kStatusPath;
  return std::unique_ptr<sms::Sender>(std::make_unique<sms::twilio::TwilioSender>(std::move(s)));
}

http::Handler inbound(const ProviderContext& ctx) {
  return [&conversation = ctx.conversation, &config = ctx.config](const Request& req, const Responder& respond) {
    if (!is_form(req))
      return respond(
          http::json_error(415, "unsupported_media_type", "Content-Type must be application/x-www-form-urlencoded"));
    auto form = http::parse_form(req.body);
    if (!form) return respond(bad_request(make_error("invalid_request", "the form body is malformed")));
    // Signed over the URL Twilio called: our public base URL and the path and query as received.
    std::string url = config.public_base_url + req.target;
    if (auto s = sms::twilio::authenticate_inbound(config.inbound.twilio, url, *form, req.header("X-Twilio-Signature"));
        !s)
      return respond(forbidden(s.error()));
    auto in = sms::twilio::parse_inbound(*form);
    if (!in) return respond(bad_request(in.error()));
    req.note_phone(core::mask_phone(in->from));
    conversation.receive(
        InboundSms{"twilio", in->message_sid, in->from, in->to, in->text}, [respond](const Result<InboundOutcome>& r) {
          if (!r) return respond(not_stored(r.error()));
          respond(http::text_response(200, std::string(sms::twilio::kEmptyTwiml), "text/xml; charset=utf-8"));
        });
  };
}

http::Handler status(const ProviderContext& ctx) {
  return [&store = ctx.store, &config = ctx.config, &clock = ctx.clock](const Request& req, Responder respond) {
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
    record_delivery_reports(store, {std::move(*report)}, std::move(respond), http::text_response(200, "", ""));
  };
}

// Fetching the account (GET /2010-04-01/Accounts/{AccountSid}.json) proves the SID and auth
// token and says whether the account may send; it costs nothing.
Result<std::string> probe(const SmsProviderConfig& p) {
  sms::HttpRequest rq;
  rq.url = p.base_url + "/2010-04-01/Accounts/" + sms::percent_encode(p.account_sid) + ".json";
  rq.headers = {{"Authorization", "Basic " + crypto::base64_encode(p.account_sid + ":" + p.auth_token)},
                {"Accept", "application/json"}};
  auto r = probe_request(p, rq);
  if (r.status == 401 || r.status == 403)
    return make_error("provider_credentials",
                      "Twilio refused the account_sid and auth_token (HTTP " + std::to_string(r.status) + ")");
  if (r.status != 200) return unexpected_answer(r);
  auto account = nlohmann::json::parse(r.body, nullptr, false);
  std::string status = account.is_object() && account.value("status", nlohmann::json()).is_string()
                           ? account["status"].get<std::string>()
                           : "";
  if (status != "active")
    return make_error("provider_check",
                      "account " + p.account_sid + " is " + (status.empty() ? "of unknown status" : status));
  return "account " + p.account_sid + " is active";
}

}  // namespace

SmsProvider twilio_provider() {
  SmsProvider provider{"twilio", check, make_sender,
                       ProviderRoute{{Method::post}, "/v1/sms/twilio/inbound", http::Router::Head::from_get, inbound},
                       ProviderRoute{{Method::post}, kStatusPath, http::Router::Head::from_get, status}};
  provider.probe = probe;
  return provider;
}

}  // namespace cg::gateway
