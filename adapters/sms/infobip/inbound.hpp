// Infobip forwarded inbound messages (docs/providers.md, wire formats): a JSON POST
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

// A result of the batch that could not be read: its position, its messageId when it had a usable
// one, and why ("invalid_request" naming the field).
struct Rejected {
  std::size_t index = 0;
  std::string message_id;
  Error error;
};

struct Batch {
  std::vector<Inbound> messages;  // the readable results, in the batch's order
  std::vector<Rejected> rejected;
};

// Each result is read on its own: messageId, from and text (or cleanText) are strings, required,
// text valid UTF-8. A result that fails goes to `rejected` and the others are still delivered.
// "invalid_request" only for the envelope: not JSON, no results array, more than 1000 results.
Result<Batch> parse_inbound(std::string_view json_body);

}  // namespace cg::sms::infobip
