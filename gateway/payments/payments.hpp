// eFAWATEERcom as the biller (SPEC §4): bill pulls and payment notifications as use cases
// over the store, card 7.4 when a fee arrives, and the operators' reconciliation views. Requests come
// in already verified and parsed (adapters/payment/efawateercom/mfep.hpp); answers go out as the MFEP
// response values the routes sign. No HTTP here; gateway/payments/efawateercom_routes.cpp maps requests.
//
// How each payment (TrxInf) is answered, checked in this order; each one is its own store command,
// so a bad one changes nothing and sinks no other:
//   PmtStatus not PmtNew, PmtUpdated or PmtComplt     101, nothing recorded (reversals are settled by hand)
//   JOEBPPSTrx recorded before, same bill and amount   the first answer again, nothing changes
//   JOEBPPSTrx recorded before for another payment     358, nothing changes
//   billing number unknown                             315, recorded "refund:unknown_billing_number"
//   application confirmed or attended (paid before)    324, recorded "refund:paid_previously"
//   application cancelled                              323, recorded "refund:cancelled"
//   application expired, or ProcessDate at/after due   323, recorded "refund:expired"
//   application in any other state                     323, recorded "refund:not_payable"
//   PaidAmt is not the bill's amount                   325, recorded "refund:wrong_amount"
//   otherwise                                          0, card 7.4: confirmed, SMS queued, recorded "applied"
// The record, the state change and the SMS commit in one transaction before the answer goes out.
// Records whose outcome starts with "refund:" are money eFAWATEERcom collected that the gateway did
// not apply: operators see them in GET /v1/admin/payments and return them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "adapters/payment/efawateercom/mfep.hpp"
#include "adapters/payment/efawateercom/signer.hpp"
#include "adapters/store/store.hpp"
#include "gateway/app/config.hpp"
#include "gateway/service/commands.hpp"
#include "gateway/service/service.hpp"

namespace cg::gateway {

// The answer a stored payment outcome gets ("applied" -> 0, "refund:expired" -> 323, ...).
efawateercom::ErrorCode payment_outcome_code(std::string_view outcome);

struct Reconciliation {
  efawateercom::MfepDate from, to;
  std::vector<store::PaymentRecord> applied;  // outcome "applied"
  std::vector<store::PaymentRecord> refunds;  // every other outcome: collected, not applied
  std::vector<store::PaymentTotal> totals;    // per (STMTDate, outcome), whole range even when truncated
  bool truncated = false;                     // more payments in the range than the list limit
};

struct OpenBills {
  store::OpenBillTotals totals;
  std::vector<core::Application> bills;  // oldest due first
  bool truncated = false;
};

class PaymentService {
 public:
  // Reads the key files when config.efawateercom.enabled (a bad path or key is an error naming it).
  static Result<std::unique_ptr<PaymentService>> create(Service& service, const Config& config);

  bool enabled() const { return signer_.has_value(); }
  const efawateercom::MfepSettings& settings() const { return settings_; }
  // Only when enabled().
  const efawateercom::MfepSigner& signer() const { return *signer_; }

  core::Instant now() const { return service_.clock().now(); }
  // An MFEP timestamp for now, at the configured offset.
  efawateercom::MfepTime timestamp() const;

  // A verified BILPULRQ: the bill, or the error its billing number gets (315, 323, 324, 314, 303).
  efawateercom::BillPullResponse bill_pull(const efawateercom::BillPullRequest& request);

  // A verified BLRPMTNTFRQ: every TrxInf on its own, as the table above says. `done` runs once, after
  // every transaction's command has committed (or failed: 303 for that one, so eFAWATEERcom retries).
  // A GUID seen before with other transactions is refused whole with 7.
  void payment_notification(efawateercom::PaymentNotification notification,
                            std::function<void(efawateercom::PaymentNotificationResponse)> done);

  // Operators: payments by statement day [from, to] (at most `limit` listed), and open bills.
  Result<Reconciliation> reconciliation(const efawateercom::MfepDate& from, const efawateercom::MfepDate& to,
                                        std::size_t limit);
  Result<OpenBills> open_bills(std::size_t limit);

  // Today's date at the configured offset (the default statement day).
  efawateercom::MfepDate today() const;

 private:
  PaymentService(Service& service, const Config& config) : service_(service), config_(config) {}

  Result<efawateercom::PaymentAck> apply(store::Tx& tx, const efawateercom::ReceivedTransaction& received,
                                         const std::string& guid, const std::string& digest);

  Service& service_;
  const Config& config_;
  efawateercom::MfepSettings settings_;
  std::optional<efawateercom::MfepSigner> signer_;
};

}  // namespace cg::gateway
