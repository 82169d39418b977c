#include "gateway/sms/inbound_routes.hpp"

#include <nlohmann/json.hpp>

#include "adapters/sms/infobip/inbound.hpp"
#include "adapters/sms/kannel/inbound.hpp"
#include "adapters/sms/twilio/inbound.hpp"
#include "adapters/ussd/africastalking/ussd.hpp"

namespace cg::gateway {

using http::Method;
using http::Request;
using http::Responder;
using http::Response;

namespace {

bool is_form(const Request& req) {
  auto ct = req.header("Content-Type");
  return ct && ct->find("application/x-www-form-urlencoded") != std::string_view::npos;
}

Response forbidden(const Error& e) { return http::json_error(403, e.code, e.message); }
Response bad_request(const Error& e) { return http::json_error(400, e.code, e.message); }

// Not acknowledged: the provider keeps the message and retries.
Response not_stored(const Error& e) {
  int status = e.code == "store_unavailable" ? 503 : 500;
  return http::json_error(status, e.code, e.message);
}

// Query parameters and, for a form POST, the form's: Kannel may put the escapes in either. Takes
// them out of `req` (its query, body and headers are not needed afterwards).
Result<sms::Params> kannel_params(Request& req) {
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

}  // namespace

void register_sms_inbound_routes(http::Router& router, ConversationService& conversation, const Config& config) {
  router.add(
      {Method::get, Method::post}, "/v1/sms/kannel/inbound",
      [&conversation, &config](Request req, Responder respond) {
        if (auto s = sms::kannel::authenticate_inbound(config.inbound.kannel, req.remote_address, req.query); !s)
          return respond(forbidden(s.error()));
        auto params = kannel_params(req);
        if (!params) return respond(bad_request(params.error()));
        auto in = sms::kannel::parse_inbound(*params);
        if (!in) return respond(bad_request(in.error()));
        conversation.receive(InboundSms{"kannel", std::move(in->message_id), std::move(in->from), std::move(in->to),
                                        std::move(in->text)},
                             [respond = std::move(respond)](Result<InboundOutcome> r) {
                               if (!r) return respond(not_stored(r.error()));
                               // Empty: with max-messages = 0 smsbox sends no reply of its own.
                               respond(http::text_response(200, ""));
                             });
      },
      http::Router::Head::refused);

  router.add(Method::post, "/v1/sms/twilio/inbound", [&conversation, &config](Request req, Responder respond) {
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
    conversation.receive(
        InboundSms{"twilio", in->message_sid, in->from, in->to, in->text}, [respond](Result<InboundOutcome> r) {
          if (!r) return respond(not_stored(r.error()));
          respond(http::text_response(200, std::string(sms::twilio::kEmptyTwiml), "text/xml; charset=utf-8"));
        });
  });

  router.add(Method::post, "/v1/sms/infobip/inbound", [&conversation, &config](Request req, Responder respond) {
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
  });

  router.add(Method::post, "/v1/ussd/africastalking", [&conversation, &config](Request req, Responder respond) {
    if (auto s = ussd::africastalking::authenticate(config.inbound.africastalking, req.remote_address, req.query); !s)
      return respond(forbidden(s.error()));
    if (!is_form(req))
      return respond(
          http::json_error(415, "unsupported_media_type", "Content-Type must be application/x-www-form-urlencoded"));
    auto form = http::parse_form(req.body);
    if (!form) return respond(bad_request(make_error("invalid_request", "the form body is malformed")));
    auto in = ussd::africastalking::parse_request(*form);
    if (!in) return respond(bad_request(in.error()));
    conversation.ussd(UssdRequest{in->session_id, in->phone_number, in->text}, [respond](Result<std::string> r) {
      if (!r) return respond(not_stored(r.error()));
      respond(http::text_response(200, std::move(*r)));
    });
  });
}

}  // namespace cg::gateway
