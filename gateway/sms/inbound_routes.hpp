// The inbound SMS and USSD endpoints of SPEC §2 (issue 4): each provider's request authenticated
// and parsed by its adapter, handed to the ConversationService, and answered in the provider's own
// way only after the message and its effects are committed (Kannel: an empty 200, so smsbox sends
// no reply of its own; Twilio: TwiML <Response/>; Infobip: 200 JSON; USSD: CON/END text). A store
// failure is a 5xx so the provider retries; the retry is recognised by its message id.
#pragma once

#include "gateway/app/config.hpp"
#include "gateway/sms/conversation.hpp"
#include "gateway/http/router.hpp"

namespace cg::gateway {

void register_sms_inbound_routes(http::Router& router, ConversationService& conversation, const Config& config);

}  // namespace cg::gateway
