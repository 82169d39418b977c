// Delivery reports from the SMS providers (issue 5, SPEC §2 `GET|POST /v1/sms/{provider}/status`)
// and an outbox row's full story for operators (`GET /v1/admin/outbox/{id}`).
#pragma once

#include "adapters/store/store.hpp"
#include "gateway/app/clock.hpp"
#include "gateway/app/config.hpp"
#include "gateway/http/router.hpp"

namespace cg::gateway {

// - /v1/sms/kannel/status (GET or POST): `key` must be a kannel provider's dlr_key.
// - /v1/sms/twilio/status (POST): X-Twilio-Signature over public_base_url + target and the form,
//   with a twilio provider's auth token.
// - /v1/sms/infobip/status (POST, JSON): basic auth with an infobip provider's report_user/password.
// A report for an unknown message is acknowledged (2xx) and logged, not an error: the provider
// would only retry it. A report that cannot be read gets 400 and changes nothing; a store failure
// gets 503, so the provider tries again.
void register_sms_status_routes(http::Router& router, store::Store& store, const Config& config, const Clock& clock);

}  // namespace cg::gateway
