// Twilio status callbacks (docs/providers.md, wire formats): a form POST to the StatusCallback URL we gave when
// sending, with MessageSid, MessageStatus and, on failure, ErrorCode. Trust: none until the route
// has checked X-Twilio-Signature with `signature_valid`.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "adapters/sms/common/params.hpp"
#include "adapters/store/store.hpp"
#include "core/result.hpp"

namespace cg::sms::twilio {

// Base64(HMAC-SHA1(auth token, url + for each parameter sorted by name: name + value)).
std::string status_signature(std::string_view auth_token, std::string_view url, const Params& form);
// Compares in constant time. Twilio has signed some requests over the URL with the scheme's default
// port written out (https://host:443/...) and others without it, so both forms are accepted, as
// Twilio's own validators do.
bool status_signature_valid(std::string_view auth_token, std::string_view url, const Params& form,
                            std::string_view signature);
// The same URL with its default port written out when it has none, or left out when it is written
// (":443" for https, ":80" for http); nullopt for another scheme or another port.
std::optional<std::string> url_other_port_form(std::string_view url);

// MessageStatus: queued, accepted, scheduled -> queued; sending, sent -> sent; delivered, read ->
// delivered; undelivered, failed, canceled -> failed. An unknown status is refused, named.
Result<store::DeliveryReport> parse_status(const Params& form, std::string_view provider_name);

}  // namespace cg::sms::twilio
