#include "adapters/sms/twilio/status.hpp"

#include <algorithm>

#include "adapters/crypto/crypto.hpp"
#include "core/text.hpp"

namespace cg::sms::twilio {

std::string status_signature(std::string_view auth_token, std::string_view url, const Params& form) {
  Params sorted = form;
  // Twilio sorts by name (bytewise, case-sensitive) and a repeated name's values among themselves,
  // as its own validators do: the order the values arrived in does not matter.
  std::sort(sorted.begin(), sorted.end());
  std::string data(url);
  for (const auto& [n, v] : sorted) {
    data += n;
    data += v;
  }
  return crypto::base64_encode(crypto::hmac_sha1(auth_token, data));
}

std::optional<std::string> url_other_port_form(std::string_view url) {
  std::string_view port;
  std::size_t authority = 0;
  if (url.substr(0, 8) == "https://") {
    port = ":443";
    authority = 8;
  } else if (url.substr(0, 7) == "http://") {
    port = ":80";
    authority = 7;
  } else {
    return std::nullopt;
  }
  std::size_t end = url.find_first_of("/?#", authority);
  if (end == std::string_view::npos) end = url.size();
  std::string_view host = url.substr(authority, end - authority);
  if (host.empty()) return std::nullopt;
  // The port follows the last ':' unless that is inside an IPv6 literal ("[::1]").
  std::size_t colon = host.rfind(':');
  std::size_t bracket = host.rfind(']');
  bool has_port = colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  std::string out(url.substr(0, authority));
  if (!has_port) {
    out.append(host).append(port);
  } else if (host.substr(colon) == port) {
    out.append(host.substr(0, colon));
  } else {
    return std::nullopt;
  }
  out.append(url.substr(end));
  return out;
}

bool status_signature_valid(std::string_view auth_token, std::string_view url, const Params& form,
                            std::string_view signature) {
  if (crypto::constant_time_equal(status_signature(auth_token, url, form), signature)) return true;
  auto other = url_other_port_form(url);
  return other && crypto::constant_time_equal(status_signature(auth_token, *other, form), signature);
}

Result<store::DeliveryReport> parse_status(const Params& form, std::string_view provider_name) {
  store::DeliveryReport r;
  r.provider = std::string(provider_name);
  auto sid = param(form, "MessageSid");
  if (!sid || sid->empty()) return make_error("invalid_report", "MessageSid: missing");
  if (sid->size() > 64 || !core::text::is_printable(*sid))
    return make_error("invalid_report", "MessageSid: too long or holds a control character");
  r.provider_message_id = std::string(*sid);
  auto status = param(form, "MessageStatus");
  if (!status || status->empty()) return make_error("invalid_report", "MessageStatus: missing");
  const std::string s(*status);
  if (s == "queued" || s == "accepted" || s == "scheduled")
    r.status = "queued";
  else if (s == "sending" || s == "sent")
    r.status = "sent";
  else if (s == "delivered" || s == "read")
    r.status = "delivered";
  else if (s == "undelivered" || s == "failed" || s == "canceled")
    r.status = "failed";
  else
    return make_error("invalid_report", "MessageStatus: unknown value '" +
                                            core::text::escape_for_log(core::text::cut_bytes(s, 40)) + "'");
  if (auto code = param(form, "ErrorCode"); code && !code->empty())
    r.error_code = core::text::escape_for_log(core::text::cut_bytes(*code, 32));
  r.detail = s;
  return r;
}

}  // namespace cg::sms::twilio
