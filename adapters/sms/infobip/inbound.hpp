// Infobip forwarded inbound messages (PROVIDERS.md): a JSON POST
// {"results":[{"messageId","from","to","text","cleanText","keyword","receivedAt",...}],
//  "messageCount","pendingMessageCount"}, a batch: each result is processed and deduplicated on its
// own. Trust: Infobip sends the basic-auth credentials or the custom header configured on its side;
// we compare them in constant time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace cg::sms::infobip {

struct InboundSettings {
  std::string username, password;         // HTTP basic auth
  std::string header_name, header_value;  // or a custom header (e.g. X-Infobip-Secret)
  bool configured() const { return !username.empty() || !header_name.empty(); }
};

struct Inbound {
  std::string message_id;
  std::string from;  // international digits without '+', as Infobip sends them
  std::string to;
  std::string text;
};

// "not_configured" without credentials; "forbidden" unless the Authorization header (basic) or the
// custom header matches what is configured.
Status authenticate_inbound(const InboundSettings& settings, std::optional<std::string_view> authorization,
                            std::optional<std::string_view> custom_header);

// The whole batch or an "invalid_request" naming the result and field: messageId, from and text
// (or cleanText) are strings, required; at most 1000 results.
Result<std::vector<Inbound>> parse_inbound(std::string_view json_body);

}  // namespace cg::sms::infobip
