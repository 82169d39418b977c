#include "adapters/ussd/africastalking/ussd.hpp"

#include <algorithm>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/common/address.hpp"
#include "core/sms.hpp"
#include "core/text.hpp"

namespace cg::ussd::africastalking {
namespace {

Error bad(std::string message) { return make_error("invalid_request", std::move(message)); }

Result<std::string> field(const Params& form, std::string_view name, bool required, std::size_t max) {
  auto v = sms::param(form, name);
  if (!v) {
    if (required) return bad(std::string(name) + " is required");
    return std::string();
  }
  if (required && v->empty()) return bad(std::string(name) + " must not be empty");
  if (v->size() > max) return bad(std::string(name) + " is too long");
  if (!core::is_valid_utf8(*v)) return bad(std::string(name) + " is not valid UTF-8");
  return std::string(*v);
}

}  // namespace

Status authenticate(const Settings& settings, std::string_view remote_address, const Params& query) {
  if (!settings.configured())
    return make_error("not_configured", "USSD is not configured (inbound.africastalking.key or allowed_addresses)");
  if (!settings.allowed_addresses.empty() && !settings.allowed_addresses.contains(remote_address))
    return make_error("forbidden", "this address may not send USSD requests");
  if (!settings.key.empty()) {
    auto key = sms::param(query, "key");
    if (!key || !crypto::constant_time_equal(*key, settings.key))
      return make_error("forbidden", "missing or wrong key");
  }
  return ok_status();
}

Result<Request> parse_request(const Params& form) {
  Request r;
  auto session = field(form, "sessionId", true, 128);
  if (!session) return session.error();
  if (!core::text::is_printable(*session)) return bad("sessionId holds a control character");
  r.session_id = *session;
  auto service = field(form, "serviceCode", false, 64);
  if (!service) return service.error();
  if (!core::text::is_printable(*service)) return bad("serviceCode holds a control character");
  r.service_code = *service;
  auto phone = field(form, "phoneNumber", true, 64);
  if (!phone) return phone.error();
  if (!core::text::is_printable(*phone)) return bad("phoneNumber holds a control character");
  r.phone_number = *phone;
  auto network = field(form, "networkCode", false, 32);
  if (!network) return network.error();
  if (!core::text::is_printable(*network)) return bad("networkCode holds a control character");
  r.network_code = *network;
  // A session's whole history: a few hundred characters at most in practice. Always sent, empty on
  // a session's first request: a request without it is not from the aggregator.
  if (!sms::param(form, "text")) return bad("text is required (empty on a session's first request)");
  auto text = field(form, "text", false, 2048);
  if (!text) return text.error();
  r.text = *text;
  return r;
}

}  // namespace cg::ussd::africastalking
