#include "gateway/payments/payments.hpp"

#include <atomic>
#include <utility>

#include "adapters/crypto/crypto.hpp"
#include "adapters/observe/registry.hpp"
#include "adapters/payment/efawateercom/expiry.hpp"

namespace cg::gateway {

using core::Application;
using core::ApplicationState;
using core::Instant;
using efawateercom::ErrorCode;
using efawateercom::mfep_error;
using efawateercom::MfepStatus;

namespace {

constexpr std::string_view kGuidSource = "mfep-guid";

// MFEP times are wall-clock times at the configured offset (mfep_time_at's inverse).
Instant instant_of(const efawateercom::MfepTime& t, std::chrono::minutes utc_offset) {
  using namespace std::chrono;
  sys_days day = year{t.year} / month{static_cast<unsigned>(t.month)} / std::chrono::day{static_cast<unsigned>(t.day)};
  return time_point_cast<seconds>(day + hours{t.hour} + minutes{t.minute} + seconds{t.second} - utc_offset);
}

bool is_payment_status(std::string_view status) {
  return status == "PmtNew" || status == "PmtUpdated" || status == "PmtComplt";
}

// What makes a notification the same message again: its transactions, in order. A retry may carry a
// new TmStp (or be written anew) and still be this.
std::string notification_digest(const efawateercom::PaymentNotification& n) {
  std::string text;
  for (const auto& r : n.transactions) {
    text += r.joebpps_trx;
    text += '|';
    if (r.transaction) text += r.transaction->billing_no + "|" + core::format_jod(r.transaction->paid_amount);
    text += '\n';
  }
  return crypto::to_hex(crypto::sha256(text));
}

struct Refusal {
  std::string outcome;
  MfepStatus status;
};

}  // namespace

ErrorCode payment_outcome_code(std::string_view outcome) {
  if (outcome == "applied") return ErrorCode::kSuccess;
  if (outcome == "refund:unknown_billing_number") return ErrorCode::kBillingNumberNotFound;
  if (outcome == "refund:paid_previously") return ErrorCode::kBillPaidPreviously;
  if (outcome == "refund:wrong_amount") return ErrorCode::kInvalidPaidAmount;
  if (outcome == "refund:expired" || outcome == "refund:cancelled" || outcome == "refund:not_payable")
    return ErrorCode::kBillExpiredOrClosed;
  return ErrorCode::kInternalError;
}

Result<std::unique_ptr<PaymentService>> PaymentService::create(Service& service, const Config& config) {
  std::unique_ptr<PaymentService> p(new PaymentService(service, config));
  p->settings_.biller_code = config.policy.biller_code;
  p->settings_.efawateercom_code = config.efawateercom.efawateercom_code;
  p->settings_.service_types = {config.policy.service_type};
  p->settings_.max_message_bytes = config.limits.body_bytes;
  if (config.efawateercom.enabled) {
    auto signer =
        efawateercom::MfepSigner::load({config.efawateercom.signing_key_path, config.efawateercom.verifying_cert_path});
    if (!signer) return make_error("invalid_config", "efawateercom: " + signer.error().message);
    p->signer_.emplace(std::move(*signer));
    // The end dates of the certificates loaded, so an alert warns weeks before eFAWATEERcom's
    // requests (or our answers) stop verifying. A bare key has none and shows no series.
    for (const auto& [file, path] :
         {std::pair<std::string, std::string>{"verifying_cert", config.efawateercom.verifying_cert_path},
          {"signing_key", config.efawateercom.signing_key_path}})
      if (auto not_after = efawateercom::certificate_file_not_after(path))
        obs::registry()
            .gauge("course_gateway_efawateercom_certificate_expiry_timestamp_seconds",
                   "When a certificate the gateway loaded for eFAWATEERcom expires (notAfter), by file.",
                   {{"file", file}})
            .set(static_cast<double>(*not_after));
  }
  return p;
}

efawateercom::MfepTime PaymentService::timestamp() const {
  return efawateercom::mfep_time_at(service_.clock().now(), config_.utc_offset);
}

efawateercom::MfepDate PaymentService::today() const {
  auto t = timestamp();
  return {t.year, t.month, t.day};
}

// ---- bill pull -----------------------------------------------------------------------------------

efawateercom::BillPullResponse PaymentService::bill_pull(const efawateercom::BillPullRequest& rq) {
  efawateercom::BillPullResponse rs;
  rs.timestamp = timestamp();
  rs.guid = rq.header.guid;
  Instant now = service_.clock().now();
  // One bill per billing number, and its BillNo is the billing number (that is what we answer).
  if (!rq.bill_no.empty() && rq.bill_no != rq.billing_no) {
    rs.result = mfep_error(ErrorCode::kBillingNoMismatchesBillNo,
                           "BillNo " + rq.bill_no + " is not the bill of billing number " + rq.billing_no);
    return rs;
  }
  std::optional<Application> app;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto found = tx.application_by_billing_number(rq.billing_no);
    if (!found) return found.error();
    app = std::move(*found);
    return ok_status();
  });
  if (!s) {
    rs.result = mfep_error(ErrorCode::kInternalError, "the bill could not be read; try again");
    return rs;
  }
  if (!app || !app->bill) {
    rs.result = mfep_error(ErrorCode::kBillingNumberNotFound, "billing number " + rq.billing_no + " is not known");
    return rs;
  }
  const core::Bill& bill = *app->bill;
  std::string due = efawateercom::format_mfep_time(efawateercom::mfep_time_at(bill.due_at, config_.utc_offset));
  switch (app->state) {
    case ApplicationState::awaiting_payment:
      if (now >= bill.due_at) {
        rs.result = mfep_error(ErrorCode::kBillExpiredOrClosed, "the bill expired at " + due);
        return rs;
      }
      break;
    case ApplicationState::confirmed:
    case ApplicationState::attended:
      rs.result = mfep_error(ErrorCode::kBillPaidPreviously, "the bill is paid");
      return rs;
    case ApplicationState::expired:
      rs.result = mfep_error(ErrorCode::kBillExpiredOrClosed, "the bill expired at " + due);
      return rs;
    default:
      rs.result = mfep_error(ErrorCode::kBillExpiredOrClosed,
                             "the bill is closed: the application is " + std::string(core::to_string(app->state)));
      return rs;
  }
  efawateercom::BillRecord rec;
  rec.billing_no = rq.billing_no;
  rec.bill_no = rq.billing_no;
  rec.status = efawateercom::BillStatus::kBillNew;
  rec.due_amount = bill.amount;
  rec.issue_date = efawateercom::mfep_time_at(bill.issued_at, config_.utc_offset);
  rec.due_date = efawateercom::mfep_time_at(bill.due_at, config_.utc_offset);
  // The seat is released at the due date, so the bill cannot be paid after it either.
  rec.expiry_date = rec.due_date;
  rec.service_type = config_.policy.service_type;
  rec.bill_type = efawateercom::BillType::kOneOff;
  rec.payment_constraint = {false, bill.amount, bill.amount};  // the whole fee, no partial payment
  rs.bills.push_back(std::move(rec));
  return rs;
}

// ---- payment notification ------------------------------------------------------------------------

Result<efawateercom::PaymentAck> PaymentService::apply(store::Tx& tx, const efawateercom::ReceivedTransaction& received,
                                                       const std::string& guid, const std::string& digest) {
  const efawateercom::PaymentTransaction& t = *received.transaction;
  efawateercom::PaymentAck ack = efawateercom::acknowledge(received);
  Instant now = service_.clock().now();
  if (auto r = tx.record_event(kGuidSource, guid, digest, now); !r) return r.error();

  auto prior = tx.payment(t.joebpps_trx);
  if (!prior) return prior.error();
  if (*prior) {
    // eFAWATEERcom's retry: the same answer as the first time, nothing again.
    const store::PaymentRecord& p = **prior;
    if (p.billing_number != t.billing_no || p.paid != t.paid_amount) {
      ack.result = mfep_error(ErrorCode::kInvalidJoebppsTrx,
                              "JOEBPPSTrx " + t.joebpps_trx + " is recorded for another payment (billing number " +
                                  p.billing_number + ", " + core::format_jod(p.paid) + " JOD)");
      return ack;
    }
    ErrorCode code = payment_outcome_code(p.outcome);
    ack.result = mfep_error(code, code == ErrorCode::kSuccess ? "" : "recorded before: " + p.outcome);
    return ack;
  }

  store::PaymentRecord rec;
  rec.joebpps_trx = t.joebpps_trx;
  rec.billing_number = t.billing_no;
  rec.paid = t.paid_amount;
  rec.due = t.due_amount;  // the notification's, until the bill is known
  rec.process_date = efawateercom::format_mfep_time(t.process_date);
  rec.stmt_date = efawateercom::format_mfep_date(t.stmt_date);
  rec.received_at = now;

  auto app = tx.application_by_billing_number(t.billing_no);
  if (!app) return app.error();
  std::optional<Refusal> refusal;
  if (!*app || !(*app)->bill) {
    refusal = Refusal{"refund:unknown_billing_number", mfep_error(ErrorCode::kBillingNumberNotFound,
                                                                  "billing number " + t.billing_no + " is not known")};
  } else {
    const Application& a = **app;
    const core::Bill& bill = *a.bill;
    rec.application_id = a.id;
    rec.due = bill.amount;
    std::string due = efawateercom::format_mfep_time(efawateercom::mfep_time_at(bill.due_at, config_.utc_offset));
    auto refund = [&](const char* outcome, ErrorCode code, const std::string& why) {
      refusal = Refusal{outcome, mfep_error(code, why + "; the payment is recorded for refund")};
    };
    switch (a.state) {
      case ApplicationState::confirmed:
      case ApplicationState::attended:
        refund("refund:paid_previously", ErrorCode::kBillPaidPreviously, "the bill was paid before");
        break;
      case ApplicationState::cancelled:
        refund("refund:cancelled", ErrorCode::kBillExpiredOrClosed, "the application was cancelled");
        break;
      case ApplicationState::expired:
        refund("refund:expired", ErrorCode::kBillExpiredOrClosed, "the bill expired at " + due);
        break;
      case ApplicationState::awaiting_payment:
        // When the money was paid decides, not when the notification arrived (a retry may be late);
        // the scheduler may not have expired the application yet.
        if (instant_of(t.process_date, config_.utc_offset) >= bill.due_at)
          refund("refund:expired", ErrorCode::kBillExpiredOrClosed, "paid after the bill expired at " + due);
        else if (t.paid_amount != bill.amount)
          refund("refund:wrong_amount", ErrorCode::kInvalidPaidAmount,
                 "paid " + core::format_jod(t.paid_amount) + " JOD, the bill is " + core::format_jod(bill.amount) +
                     " JOD");
        break;
      default:
        refund("refund:not_payable", ErrorCode::kBillExpiredOrClosed,
               "the application is " + std::string(core::to_string(a.state)));
    }
    if (!refusal) {
      // card 7.4: fee received -> confirmed, approval SMS with all course details.
      auto course = tx.course(a.course_id);
      if (!course) return course.error();
      if (!*course) return make_error("store_error", "the course of application " + a.id + " is missing");
      auto outcome = service_.enrollment().on_fee_received(**course, a, t.paid_amount, now);
      if (!outcome) return make_error("internal_error", "card 7.4 refused: " + outcome.error().message);
      TxMinter minter(tx);
      if (auto s = service_.driver().commit(tx, std::move(*outcome), now, minter); !s) return s.error();
      rec.outcome = "applied";
    }
  }
  if (refusal) {
    rec.outcome = refusal->outcome;
    ack.result = refusal->status;
  }
  if (auto s = tx.insert_payment(rec); !s) return s.error();
  return ack;
}

void PaymentService::payment_notification(efawateercom::PaymentNotification n,
                                          std::function<void(efawateercom::PaymentNotificationResponse)> done) {
  struct Pending {
    efawateercom::PaymentNotificationResponse response;
    std::function<void(efawateercom::PaymentNotificationResponse)> done;
    std::atomic<std::size_t> remaining{0};
    void finish_one() {
      if (remaining.fetch_sub(1) == 1) done(std::move(response));
    }
  };
  auto pending = std::make_shared<Pending>();
  pending->done = std::move(done);
  pending->response.timestamp = timestamp();
  pending->response.guid = n.header.guid;

  // A GUID names one message; the same GUID with other transactions is not a retry (code 7).
  const std::string digest = notification_digest(n);
  std::optional<std::string> seen;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto r = tx.event_summary(kGuidSource, n.header.guid);
    if (!r) return r.error();
    seen = std::move(*r);
    return ok_status();
  });
  if (!s) {
    pending->response.result =
        mfep_error(ErrorCode::kInternalError, "the notification could not be checked; try again");
    return pending->done(std::move(pending->response));
  }
  if (seen && *seen != digest) {
    pending->response.result =
        mfep_error(ErrorCode::kDuplicatedGuid, "GUID " + n.header.guid + " was used for another notification");
    return pending->done(std::move(pending->response));
  }

  auto shared = std::make_shared<efawateercom::PaymentNotification>(std::move(n));
  std::vector<std::size_t> to_apply;
  for (std::size_t i = 0; i < shared->transactions.size(); ++i) {
    const auto& r = shared->transactions[i];
    pending->response.transactions.push_back(efawateercom::acknowledge(r));
    if (!r.transaction) continue;  // refused by the reader: its ack says why
    if (!is_payment_status(r.transaction->pmt_status)) {
      pending->response.transactions.back().result =
          mfep_error(ErrorCode::kInvalidXmlSchema,
                     "PmtStatus " + r.transaction->pmt_status + " is not a payment (PmtNew, PmtUpdated, PmtComplt)");
      continue;
    }
    to_apply.push_back(i);
  }
  if (to_apply.empty()) return pending->done(std::move(pending->response));
  // +1 held until every command is queued, so a fast commit cannot finish the answer early.
  pending->remaining = to_apply.size() + 1;
  for (std::size_t i : to_apply) {
    run_command<efawateercom::PaymentAck>(
        service_.store(),
        [this, shared, i, digest](store::Tx& tx) {
          return apply(tx, shared->transactions[i], shared->header.guid, digest);
        },
        [pending, shared, i](Result<efawateercom::PaymentAck> r) {
          if (r) {
            pending->response.transactions[i] = std::move(*r);
          } else {
            // Rolled back: nothing of it is stored, so eFAWATEERcom's retry applies it then.
            pending->response.transactions[i].result =
                mfep_error(ErrorCode::kInternalError, "not recorded (" + r.error().code + "); try again");
          }
          pending->finish_one();
        });
  }
  pending->finish_one();
}

// ---- operators -----------------------------------------------------------------------------------

Result<Reconciliation> PaymentService::reconciliation(const efawateercom::MfepDate& from,
                                                      const efawateercom::MfepDate& to, std::size_t limit) {
  Reconciliation out;
  out.from = from;
  out.to = to;
  std::string f = efawateercom::format_mfep_date(from), t = efawateercom::format_mfep_date(to);
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto rows = tx.payments_by_stmt_date(f, t, limit + 1);
    if (!rows) return rows.error();
    if (rows->size() > limit) {
      out.truncated = true;
      rows->resize(limit);
    }
    for (auto& p : *rows) (p.outcome == "applied" ? out.applied : out.refunds).push_back(std::move(p));
    auto totals = tx.payment_totals(f, t);
    if (!totals) return totals.error();
    out.totals = std::move(*totals);
    return ok_status();
  });
  if (!s) return s.error();
  return out;
}

Result<OpenBills> PaymentService::open_bills(std::size_t limit) {
  OpenBills out;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto rows = tx.open_bills(limit + 1);
    if (!rows) return rows.error();
    if (rows->size() > limit) {
      out.truncated = true;
      rows->resize(limit);
    }
    out.bills = std::move(*rows);
    auto totals = tx.open_bill_totals();
    if (!totals) return totals.error();
    out.totals = *totals;
    return ok_status();
  });
  if (!s) return s.error();
  return out;
}

}  // namespace cg::gateway
