// The inbound SMS and USSD endpoints of SPEC §2: each provider's request authenticated and parsed by
// its adapter, handed to the ConversationService, and answered in the provider's own way only after
// the message and its effects are committed (Kannel: an empty 200, so smsbox sends no reply of its
// own; Twilio: TwiML <Response/>; Infobip: 200 JSON; USSD: CON/END text). A store failure is a 5xx so
// the provider retries; the retry is recognised by its message id. Each provider's handler is in
// gateway/sms/providers/<provider>.cpp; the routes come from the table (gateway/sms/providers.hpp).
#pragma once

#include <string_view>

#include "gateway/http/router.hpp"
#include "gateway/sms/providers.hpp"

namespace cg::gateway {

// The inbound route of every provider in the table that has one.
void register_sms_inbound_routes(http::Router& router, const ProviderContext& ctx);

// Replies the providers' inbound handlers share.
inline bool is_form(const http::Request& req) {
  auto ct = req.header("Content-Type");
  return ct && ct->find("application/x-www-form-urlencoded") != std::string_view::npos;
}
inline http::Response forbidden(const Error& e) { return http::json_error(403, e.code, e.message); }
inline http::Response bad_request(const Error& e) { return http::json_error(400, e.code, e.message); }
// Not acknowledged: the provider keeps the message and retries.
inline http::Response not_stored(const Error& e) {
  if (e.code == "store_unavailable" || e.code == "store_error") return http::store_failure(e);
  return http::json_error(500, e.code, e.message);
}

}  // namespace cg::gateway
