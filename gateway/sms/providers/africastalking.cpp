// Africa's Talking USSD (adapters/ussd/africastalking/): receives only; each request is one screen
// of the USSD menu, answered CON/END.
#include "adapters/ussd/africastalking/ussd.hpp"
#include "core/applicant.hpp"
#include "gateway/sms/inbound_routes.hpp"

namespace cg::gateway {
namespace {

using http::Method;
using http::Request;
using http::Responder;

http::Handler inbound(const ProviderContext& ctx) {
  return [&conversation = ctx.conversation, &config = ctx.config](const Request& req, const Responder& respond) {
    if (auto s = ussd::africastalking::authenticate(config.inbound.africastalking, req.remote_address, req.query); !s)
      return respond(forbidden(s.error()));
    if (!is_form(req))
      return respond(
          http::json_error(415, "unsupported_media_type", "Content-Type must be application/x-www-form-urlencoded"));
    auto form = http::parse_form(req.body);
    if (!form) return respond(bad_request(make_error("invalid_request", "the form body is malformed")));
    auto in = ussd::africastalking::parse_request(*form);
    if (!in) return respond(bad_request(in.error()));
    req.note_phone(core::mask_phone(in->phone_number));
    conversation.ussd(UssdRequest{in->session_id, in->phone_number, in->text}, [respond](Result<std::string> r) {
      if (!r) return respond(not_stored(r.error()));
      respond(http::text_response(200, std::move(*r)));
    });
  };
}

}  // namespace

SmsProvider africastalking_provider() {
  return SmsProvider{"africastalking", nullptr, nullptr,
                     ProviderRoute{{Method::post}, "/v1/ussd/africastalking", http::Router::Head::from_get, inbound},
                     std::nullopt};
}

}  // namespace cg::gateway
