// Kannel delivery reports (docs/providers.md, wire formats): smsbox calls the dlr-url we gave with sendsms, in which
// we put our own outbox id (`id`) and Kannel substitutes `%d`, the report type (`type`), and `%A`,
// the SMSC's answer (`reply`). Trust: the caller is authenticated by the route (secret key).
#pragma once

#include "adapters/sms/common/params.hpp"
#include "adapters/store/store.hpp"
#include "core/result.hpp"

namespace cg::sms::kannel {

// dlr-mask bits (Kannel's user guide): what each report type means.
inline constexpr int kDlrDelivered = 1;      // delivered to the phone
inline constexpr int kDlrUndelivered = 2;    // not delivered to the phone
inline constexpr int kDlrQueuedOnSmsc = 4;   // queued on the SMSC
inline constexpr int kDlrSmscAccepted = 8;   // delivered to (accepted by) the SMSC
inline constexpr int kDlrSmscRejected = 16;  // not delivered to the SMSC
inline constexpr int kDlrMaskAll = 31;

// Reads `id` (a positive outbox id) and `type` (one of the bits above) from the query or form.
// Kannel's report for a bit we did not ask for, or any other value, is refused with a named error.
// status: 1 delivered, 2 failed, 4 queued, 8 sent, 16 failed; error_code is the type for failures.
Result<store::DeliveryReport> parse_status(const Params& params, std::string_view provider_name);

}  // namespace cg::sms::kannel
