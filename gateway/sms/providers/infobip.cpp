// Infobip (adapters/sms/infobip/): sends through its SMS API with an App key, receives batches of
// messages, reports delivery with the basic-auth credentials we gave it.
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/infobip/inbound.hpp"
#include "adapters/sms/infobip/outbound.hpp"
#include "adapters/sms/infobip/status.hpp"
#include "gateway/sms/inbound_routes.hpp"
#include "gateway/sms/status_routes.hpp"

namespace cg::gateway {
namespace {

using http::Method;
using http::Request;
using http::Responder;
using http::Response;

constexpr const char* kStatusPath = "/v1/sms/infobip/status";

std::optional<SmsConfigFault> check(SmsProviderConfig& p, const std::string& at, const std::string&) {
  std::optional<SmsConfigFault> f;
  if ((f = require(p, at, p.base_url, "base_url")) || (f = require(p, at, p.api_key, "api_key")) ||
      (f = require(p, at, p.from, "from")) || (f = require(p, at, p.report_user, "report_user")) ||
      (f = require(p, at, p.report_password, "report_password")))
    return f;
  if (p.report_user.find(':') != std::string::npos) return SmsConfigFault{at + ".report_user", "must not contain ':'"};
  return std::nullopt;
}

Result<std::unique_ptr<sms::Sender>> make_sender(const SmsProviderConfig& p, const Config& config) {
  sms::infobip::Settings s;
  s.sender = http_sender_settings(p);
  s.base_url = p.base_url;
  s.api_key = p.api_key;
  s.from = p.from;
  s.notify_url = config.public_base_url + kStatusPath;
  return std::unique_ptr<sms::Sender>(std::make_unique<sms::infobip::InfobipSender>(std::move(s)));
}

http::Handler inbound(const ProviderContext& ctx) {
  return [&conversation = ctx.conversation, &config = ctx.config](const Request& req, const Responder& respond) {
    const auto& settings = config.inbound.infobip;
    std::optional<std::string_view> custom;
    if (!settings.header_name.empty()) custom = req.header(settings.header_name);
    if (auto s = sms::infobip::authenticate_inbound(settings, req.header("Authorization"), custom); !s)
      return respond(forbidden(s.error()));
    auto ct = req.header("Content-Type");
    if (!ct || ct->find("application/json") == std::string_view::npos)
      return respond(http::json_error(415, "unsupported_media_type", "Content-Type must be application/json"));
    auto batch = sms::infobip::parse_inbound(req.body);
    if (!batch) return respond(bad_request(batch.error()));
    // Each result stands on its own: one that cannot be read is named in the answer and the rest
    // are processed. Only a batch with nothing readable in it is refused as a whole.
    nlohmann::json rejected = nlohmann::json::array();
    for (const auto& r : batch->rejected)
      rejected.push_back({{"index", r.index}, {"messageId", r.message_id}, {"error", r.error.message}});
    if (batch->messages.empty() && !batch->rejected.empty()) {
      return respond(http::json_response(400, nlohmann::json{{"error",
                                                              {{"code", batch->rejected.front().error.code},
                                                               {"message", batch->rejected.front().error.message}}},
                                                             {"rejected", rejected}}
                                                  .dump()));
    }
    std::vector<InboundSms> messages;
    for (auto& m : batch->messages)
      messages.push_back(
          InboundSms{"infobip", std::move(m.message_id), std::move(m.from), std::move(m.to), std::move(m.text)});
    conversation.receive_batch(std::move(messages), [respond, rejected = std::move(rejected)](
                                                        Result<std::vector<InboundOutcome>> r) mutable {
      if (!r) return respond(not_stored(r.error()));
      std::size_t duplicates = 0;
      for (const auto& o : *r) duplicates += o.duplicate;
      respond(http::json_response(
          200, nlohmann::json{{"received", r->size()}, {"duplicates", duplicates}, {"rejected", std::move(rejected)}}
                   .dump()));
    });
  };
}

http::Handler status(const ProviderContext& ctx) {
  return [&store = ctx.store, &config = ctx.config, &clock = ctx.clock](const Request& req, Responder respond) {
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
    record_delivery_reports(store, std::move(*reports), std::move(respond),
                            http::json_response(200, R"({"received":true})"));
  };
}

// The account's balance (GET /account/1/balance) proves the API key and costs nothing.
Result<std::string> probe(const SmsProviderConfig& p) {
  sms::HttpRequest rq;
  rq.url = p.base_url + "/account/1/balance";
  rq.headers = {{"Authorization", "App " + p.api_key}, {"Accept", "application/json"}};
  auto r = probe_request(p, rq);
  if (r.status == 401 || r.status == 403)
    return make_error("provider_credentials", "Infobip refused the api_key (HTTP " + std::to_string(r.status) + ")");
  if (r.status != 200) return unexpected_answer(r);
  auto balance = nlohmann::json::parse(r.body, nullptr, false);
  if (!balance.is_object() || !balance.contains("balance") || !balance["balance"].is_number())
    return make_error("provider_check", "the balance answer has no balance: " + r.body.substr(0, 200));
  std::ostringstream out;
  out << "the api_key is accepted; balance " << balance["balance"].get<double>() << " "
      << balance.value("currency", std::string());
  return out.str();
}

}  // namespace

SmsProvider infobip_provider() {
  SmsProvider provider{"infobip", check, make_sender,
                       ProviderRoute{{Method::post}, "/v1/sms/infobip/inbound", http::Router::Head::from_get, inbound},
                       ProviderRoute{{Method::post}, kStatusPath, http::Router::Head::from_get, status}};
  provider.probe = probe;
  return provider;
}

}  // namespace cg::gateway
