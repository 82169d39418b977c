#include "adapters/sms/twilio/inbound.hpp"

#include "adapters/sms/twilio/status.hpp"
#include "core/sms.hpp"
#include "core/text.hpp"

namespace cg::sms::twilio {
namespace {

Error bad(std::string message) { return make_error("invalid_request", std::move(message)); }

Result<std::string> field(const Params& form, std::string_view name, bool required, std::size_t max) {
  auto v = param(form, name);
  if (!v) {
    if (required) return bad(std::string(name) + " is required");
    return std::string();
  }
  if (v->size() > max) return bad(std::string(name) + " is too long");
  if (!core::is_valid_utf8(*v)) return bad(std::string(name) + " is not valid UTF-8");
  return std::string(*v);
}

}  // namespace

Status authenticate_inbound(const InboundSettings& settings, std::string_view public_url, const Params& form,
                            std::optional<std::string_view> signature) {
  if (settings.auth_token.empty())
    return make_error("not_configured", "Twilio inbound is not configured (inbound.twilio.auth_token)");
  if (!signature || signature->empty()) return make_error("forbidden", "X-Twilio-Signature is missing");
  // The same signature scheme as status callbacks: one implementation in status.cpp.
  if (!status_signature_valid(settings.auth_token, public_url, form, *signature))
    return make_error("forbidden", "X-Twilio-Signature does not match");
  return ok_status();
}

Result<Inbound> parse_inbound(const Params& form) {
  Inbound in;
  auto sid = field(form, "MessageSid", true, 64);
  if (!sid) return sid.error();
  if (sid->empty()) return bad("MessageSid must not be empty");
  if (!core::text::is_printable(*sid)) return bad("MessageSid holds a control character");
  in.message_sid = *sid;
  auto from = field(form, "From", true, 64);
  if (!from) return from.error();
  if (from->empty()) return bad("From must not be empty");
  if (!core::text::is_printable(*from)) return bad("From holds a control character");
  in.from = *from;
  auto to = field(form, "To", false, 64);
  if (!to) return to.error();
  if (!core::text::is_printable(*to)) return bad("To holds a control character");
  in.to = *to;
  auto body = field(form, "Body", true, 4096);
  if (!body) return body.error();
  in.text = *body;
  return in;
}

}  // namespace cg::sms::twilio
