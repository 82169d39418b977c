// libFuzzer target for eFAWATEERcom (MFEP) messages (adapters/payment/efawateercom/mfep): the bytes
// are an XML message as eFAWATEERcom posts it. When the first byte is odd, the rest is signed
// first (sign_message, with the committed test key pair playing both sides), so the fuzzer also
// reaches the body checks behind the signature; otherwise the bytes are read as they are.
// Invariants: whatever a reader accepts holds what its contract says (codes, billing number); the
// answer the gateway writes for any message it read, accepted or not, is itself read back by the
// strict reader of answers (so no echoed text can make our signed answer malformed).
#include <cstdint>
#include <string>

#include "adapters/payment/efawateercom/billing_number.hpp"
#include "adapters/payment/efawateercom/mfep.hpp"
#include "core/text.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using namespace cg::efawateercom;

const MfepSigner& signer() {
  static const MfepSigner s = MfepSigner::from_pem(cg::fuzz::source_file("tests/data/vectors/mfep-test.key.pem"),
                                                   cg::fuzz::source_file("tests/data/vectors/mfep-test.pub.pem"))
                                  .value();
  return s;
}

MfepSettings settings() {
  MfepSettings s;
  s.biller_code = "250";
  s.efawateercom_code = "EFAWATEERCOM";
  s.service_types = {"CourseFees"};
  s.max_message_bytes = 64 * 1024;
  return s;
}

void check_status(const MfepStatus& s) { cg::fuzz::check_utf8(s.description, "a status description"); }

const MfepTime kNow{2026, 11, 25, 10, 15, 0};

void answer_bill_pull(const Inbound<BillPullRequest>& in, const MfepSettings& st) {
  BillPullResponse rs;
  rs.timestamp = kNow;
  rs.guid = in.guid;
  rs.result = in.status;
  if (in.ok()) {
    BillRecord b;
    b.billing_no = in.message->billing_no;
    b.bill_no = in.message->bill_no;
    b.due_amount = cg::core::Fils{25000};
    b.issue_date = kNow;
    b.due_date = kNow;
    b.service_type = in.message->service_type;
    rs.bills.push_back(b);
  }
  auto text = write_bill_pull_response(rs, st, signer());
  if (!text) return;  // refused to write (e.g. an echo it cannot hold): nothing malformed was sent
  auto back = read_bill_pull_response(*text, st, signer());
  if (!back.ok()) {
    std::fprintf(stderr, "answer %s\nread back: %d %s\n", text->c_str(), static_cast<int>(back.status.code),
                 back.status.description.c_str());
    cg::fuzz::fail("our bill pull answer is not readable");
  }
  cg::fuzz::check(back.message->bills.size() == rs.bills.size(), "answer's bills");
}

void answer_payments(const Inbound<PaymentNotification>& in, const MfepSettings& st) {
  PaymentNotificationResponse rs;
  rs.timestamp = kNow;
  rs.guid = in.guid;
  rs.result = in.status;
  if (in.ok())
    for (const auto& t : in.message->transactions) rs.transactions.push_back(acknowledge(t));
  auto text = write_payment_notification_response(rs, st, signer());
  if (!text) return;
  auto back = read_payment_notification_response(*text, st, signer());
  if (!back.ok()) {
    std::fprintf(stderr, "answer %s\nread back: %d %s\n", text->c_str(), static_cast<int>(back.status.code),
                 back.status.description.c_str());
    cg::fuzz::fail("our payment notification answer is not readable");
  }
  cg::fuzz::check(back.message->transactions.size() == rs.transactions.size(), "answer's transactions");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const MfepSettings st = settings();
  std::string bytes(cg::fuzz::bytes(data + 1, size - 1));
  if (data[0] & 1) {
    auto signed_bytes = sign_message(bytes, signer());
    if (!signed_bytes) return 0;
    bytes = std::move(*signed_bytes);
  }

  auto pull = read_bill_pull_request(bytes, st, signer());
  check_status(pull.status);
  cg::fuzz::check(pull.ok() == pull.status.ok(), "bill pull: message set exactly when the status is ok");
  if (pull.ok()) {
    const auto& m = *pull.message;
    cg::fuzz::check(m.biller_code == st.biller_code, "bill pull accepted for another biller");
    cg::fuzz::check(m.service_type == "CourseFees", "bill pull accepted for another service");
    cg::fuzz::check(billing_number_valid(m.billing_no), "bill pull accepted an invalid billing number");
  }
  answer_bill_pull(pull, st);

  auto payment = read_payment_notification(bytes, st, signer());
  check_status(payment.status);
  cg::fuzz::check(payment.ok() == payment.status.ok(), "payment: message set exactly when the status is ok");
  if (payment.ok()) {
    cg::fuzz::check(!payment.message->transactions.empty(), "a notification without transactions");
    for (const auto& t : payment.message->transactions) {
      check_status(t.status);
      cg::fuzz::check(t.transaction.has_value() == t.status.ok(), "transaction set exactly when ok");
      if (!t.transaction) continue;
      cg::fuzz::check(billing_number_valid(t.transaction->billing_no), "payment for an invalid billing number");
      cg::fuzz::check(t.transaction->paid_amount.value > 0, "a payment of nothing accepted");
      cg::fuzz::check(!t.transaction->joebpps_trx.empty() && t.transaction->joebpps_trx.size() <= 64,
                      "JOEBPPSTrx length");
    }
  }
  answer_payments(payment, st);

  (void)read_bill_pull_response(bytes, st, signer());
  (void)read_payment_notification_response(bytes, st, signer());
  return 0;
}
