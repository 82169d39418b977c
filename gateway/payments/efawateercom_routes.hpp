// eFAWATEERcom's endpoints (SPEC §2, §4) and the operators' payment views.
//
//   POST /v1/efawateercom/bill-pull              BILPULRQ -> BILPULRS
//   POST /v1/efawateercom/payment-notification   BLRPMTNTFRQ -> BLRPMTNTFRS
//   GET  /v1/admin/payments?from=YYYY-MM-DD&to=YYYY-MM-DD[&limit=N]   reconciliation by STMTDate
//   GET  /v1/admin/bills/open[?limit=N]                              bills issued and not paid
//
// The MFEP endpoints exist only when efawateercom.enabled. Every answer a caller gets past the door is
// MFEP XML (text/xml), signed with the biller's key, HTTP 200, with the outcome in Result: malformed
// XML is 101, a bad signature 2, and so on (adapters/payment/efawateercom/mfep.hpp has the order).
// The door itself answers in plain text and signs nothing, so strangers cannot make us spend RSA
// operations: a peer not in efawateercom.allowed_addresses gets 403, missing or wrong basic-auth
// credentials (when configured) 401 with a WWW-Authenticate challenge.
#pragma once

#include "gateway/app/config.hpp"
#include "gateway/http/reader_pool.hpp"
#include "gateway/http/router.hpp"
#include "gateway/payments/payments.hpp"

namespace cg::gateway {

// Handlers that read the store run on `readers`.
void register_efawateercom_routes(http::Router& router, PaymentService& payments, const Config& config,
                                  http::ReaderPool& readers);

}  // namespace cg::gateway
