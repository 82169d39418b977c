// Kannel (adapters/sms/kannel/): sends through smsbox's sendsms, receives from its get-url/post-url,
// and reports delivery to the dlr-url with our key.
#include <cctype>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/common/redact.hpp"
#include "adapters/sms/kannel/inbound.hpp"
#include "adapters/sms/kannel/outbound.hpp"
#include "adapters/sms/kannel/status.hpp"
#include "core/applicant.hpp"
#include "gateway/sms/inbound_routes.hpp"
#include "gateway/sms/status_routes.hpp"

namespace cg::gateway {
namespace {

using http::Method;
using http::Request;
using http::Responder;

constexpr const char* kStatusPath = "/v1/sms/kannel/status";

// Characters that need no escaping in a URL: the dlr_key travels inside the dlr-url, itself inside
// the sendsms query, so anything else would be encoded twice and compared wrongly.
bool url_safe(const std::string& s) {
  for (unsigned char c : s)
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.' && c != '~') return false;
  return !s.empty();
}

std::optional<SmsConfigFault> check(SmsProviderConfig& p, const std::string& at, const std::string&) {
  std::optional<SmsConfigFault> f;
  if ((f = require(p, at, p.base_url, "base_url")) || (f = require(p, at, p.username, "username")) ||
      (f = require(p, at, p.password, "password")) || (f = require(p, at, p.from, "from")))
    return f;
  if (p.dlr_mask > 0 && !url_safe(p.dlr_key))
    return SmsConfigFault{at + ".dlr_key", "is required when dlr_mask asks for reports: letters, digits, - _ . ~"};
  return std::nullopt;
}

Result<std::unique_ptr<sms::Sender>> make_sender(const SmsProviderConfig& p, const Config& config) {
  sms::kannel::Settings s;
  s.sender = http_sender_settings(p);
  s.base_url = p.base_url;
  s.username = p.username;
  s.password = p.password;
  s.from = p.from;
  s.smsc = p.smsc;
  s.dlr_mask = p.dlr_mask;
  s.dlr_url = config.public_base_url + kStatusPath;
  s.dlr_key = p.dlr_key;
  return std::unique_ptr<sms::Sender>(std::make_unique<sms::kannel::KannelSender>(std::move(s)));
}

// Query parameters and, for a form POST, the form's: Kannel may put the escapes in either. Takes
// them out of `req` (its query, body and headers are not needed afterwards).
Result<sms::Params> inbound_params(Request& req) {
  sms::Params params = std::move(req.query);
  if (req.method != Method::post) return params;
  if (is_form(req)) {
    auto form = http::parse_form(req.body);
    if (!form) return make_error("invalid_request", "the form body is malformed: " + form.error().message);
    params.insert(params.end(), form->begin(), form->end());
  } else if (!sms::param(params, "text")) {
    // smsbox post-url without escapes for the text: the body is the text and X-Kannel-* carry the rest.
    params.emplace_back("text", std::move(req.body));
    for (auto [header, name] : {std::pair{"X-Kannel-From", "from"}, std::pair{"X-Kannel-To", "to"}})
      if (!sms::param(params, name))
        if (auto h = req.header(header)) params.emplace_back(name, std::string(*h));
  }
  return params;
}

http::Handler inbound(const ProviderContext& ctx) {
  return [&conversation = ctx.conversation, &config = ctx.config](Request req, Responder respond) {
    if (auto s = sms::kannel::authenticate_inbound(config.inbound.kannel, req.remote_address, req.query); !s)
      return respond(forbidden(s.error()));
    auto params = inbound_params(req);
    if (!params) return respond(bad_request(params.error()));
    auto in = sms::kannel::parse_inbound(*params);
    if (!in) return respond(bad_request(in.error()));
    req.note_phone(core::mask_phone(in->from));
    conversation.receive(
        InboundSms{"kannel", std::move(in->message_id), std::move(in->from), std::move(in->to), std::move(in->text)},
        [respond = std::move(respond)](const Result<InboundOutcome>& r) {
          if (!r) return respond(not_stored(r.error()));
          // Empty: with max-messages = 0 smsbox sends no reply of its own.
          respond(http::text_response(200, ""));
        });
  };
}

// Query parameters, and the form body of a POST.
Result<http::Params> status_params(const Request& req) {
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

http::Handler status(const ProviderContext& ctx) {
  return [&store = ctx.store, &config = ctx.config, &clock = ctx.clock](const Request& req, Responder respond) {
    auto kannels = providers_of_kind(config.sms, "kannel");
    if (kannels.empty()) return respond(not_configured("kannel"));
    auto params = status_params(req);
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
    record_delivery_reports(store, {std::move(*report)}, std::move(respond), http::text_response(200, "OK\n"));
  };
}

// sendsms without a receiver: smsbox checks the username and password first (403 "Authorization
// failed for sendsms"), then refuses the request for want of a number (400 "Missing receiver
// number, rejected"), so nothing is sent either way.
Result<std::string> probe(const SmsProviderConfig& p) {
  sms::HttpRequest rq;
  rq.url = p.base_url + "/cgi-bin/sendsms?" + sms::form_body({{"username", p.username}, {"password", p.password}});
  auto r = probe_request(p, rq);
  if (r.status == 403) return make_error("provider_credentials", "smsbox refused the username and password (HTTP 403)");
  if (r.status == 400 && r.body.find("receiver") != std::string::npos)
    return "smsbox at " + p.base_url + " accepts the username and password";
  return unexpected_answer(r);
}

}  // namespace

SmsProvider kannel_provider() {
  SmsProvider provider{
      "kannel", check, make_sender,
      // A GET that delivers a message must not be run again for a HEAD.
      ProviderRoute{{Method::get, Method::post}, "/v1/sms/kannel/inbound", http::Router::Head::refused, inbound},
      ProviderRoute{{Method::get, Method::post}, kStatusPath, http::Router::Head::refused, status}};
  provider.probe = probe;
  return provider;
}

}  // namespace cg::gateway
