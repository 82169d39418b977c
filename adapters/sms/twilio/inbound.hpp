// Twilio inbound messages (docs/providers.md, wire formats): a form POST with MessageSid, From, To, Body and more,
// signed in X-Twilio-Signature = Base64(HMAC-SHA1(auth token, URL + each POST parameter sorted by
// name, name + value)). The URL is the public one Twilio called (config public_base_url + path and
// query), since behind a proxy the gateway sees another. We answer TwiML <Response/>: replies go
// through the outbox and the Messages API, never in the webhook's answer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "adapters/sms/common/params.hpp"
#include "core/result.hpp"

namespace cg::sms::twilio {

struct InboundSettings {
  std::string auth_token;  // empty: inbound is off
};

struct Inbound {
  std::string message_sid;
  std::string from;  // E.164 as Twilio sends it
  std::string to;
  std::string text;  // Body
};

// "not_configured" without a token; "forbidden" when the signature is missing or does not match
// (compared in constant time).
Status authenticate_inbound(const InboundSettings& settings, std::string_view public_url, const Params& form,
                            std::optional<std::string_view> signature);

// MessageSid, From and Body are required ("invalid_request" naming the field); Body must be UTF-8.
Result<Inbound> parse_inbound(const Params& form);

// The answer Twilio expects when we send no reply in it (Content-Type text/xml).
inline constexpr std::string_view kEmptyTwiml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>";

}  // namespace cg::sms::twilio
