// Delivery reports from the SMS providers (SPEC §2 `GET|POST /v1/sms/{provider}/status`)
// and an outbox row's full story for operators (`GET /v1/admin/outbox/{id}`).
#pragma once

#include <string_view>
#include <vector>

#include "adapters/store/store.hpp"
#include "gateway/http/reader_pool.hpp"
#include "gateway/http/router.hpp"
#include "gateway/sms/providers.hpp"

namespace cg::gateway {

// - /v1/sms/kannel/status (GET or POST): `key` must be a kannel provider's dlr_key.
// - /v1/sms/twilio/status (POST): X-Twilio-Signature over public_base_url + target and the form,
//   with a twilio provider's auth token.
// - /v1/sms/infobip/status (POST, JSON): basic auth with an infobip provider's report_user/password.
// A report for an unknown message is acknowledged (2xx) and logged, not an error: the provider
// would only retry it. A report that cannot be read gets 400 and changes nothing; a store failure
// gets 503, so the provider tries again.
// Each provider's handler is in gateway/sms/providers/<provider>.cpp; the routes come from the table.
// The admin outbox view reads the store on `readers`.
void register_sms_status_routes(http::Router& router, const ProviderContext& ctx, http::ReaderPool& readers);

// Files the reports in one transaction and answers `ok` once it is committed. Unknown messages are
// logged and acknowledged; a report the store refuses gets 400, a store failure 503.
void record_delivery_reports(store::Store& store, std::vector<store::DeliveryReport> reports, http::Responder respond,
                             http::Response ok);

// The answer when a report comes for a kind no sms.providers entry has.
http::Response not_configured(std::string_view kind);

}  // namespace cg::gateway
