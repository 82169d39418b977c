// Infobip delivery reports (docs/providers.md, wire formats): a JSON POST to the notifyUrl we gave when sending,
// `{"results":[{"messageId","to","status":{"groupName","name","description"},"error":{...},
// "callbackData"}]}`, a batch. Trust: the route checks the configured basic-auth credentials.
#pragma once

#include <string_view>
#include <vector>

#include "adapters/store/store.hpp"
#include "core/result.hpp"

namespace cg::sms::infobip {

// groupName: PENDING -> sent (handed to the operator, no final word yet); DELIVERED -> delivered;
// UNDELIVERABLE, EXPIRED, REJECTED -> failed. error_code is `error.id` (or `error.name`) when the
// error is not Infobip's "NO_ERROR" (id 0). `callbackData` carries our outbox id when present.
// A body that is not such a document, or a result without messageId or status, is refused whole,
// naming the first fault (so a retried batch is not half-applied).
Result<std::vector<store::DeliveryReport>> parse_status(std::string_view body, std::string_view provider_name);

}  // namespace cg::sms::infobip
