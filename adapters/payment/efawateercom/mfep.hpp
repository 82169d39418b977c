// eFAWATEERcom (MFEP) messages, biller side: what a route needs to answer bill pulls (BILPULRQ ->
// BILPULRS) and payment notifications (BLRPMTNTFRQ -> BLRPMTNTFRS). Pure message layer: bytes in ->
// verified request or an MFEP error code; response structs -> signed XML bytes out. No I/O but the
// key files read by MfepSigner::load, no clock (timestamps are parameters), no storage (duplicated GUIDs
// and repeated JOEBPPSTrx are the store's business). The writers and readers of the other direction
// (requests out, responses in) let tests and a command-line tool play eFAWATEERcom.
//
// How far the input is trusted: not at all. Every reader refuses input above
// MfepSettings::max_message_bytes, any DOCTYPE, malformed XML, and never throws for bad input. Unknown
// extra elements are ignored (no official XSD is public); a known element given twice is refused.
//
// Which check answers with which code, in this order (the first failing check wins):
//   101 malformed XML, DOCTYPE, too large, root not MFEP, MsgHeader/MsgBody missing or given twice, a
//       header element missing (TmStp, GUID, TrsInf/SdrCode, RcvCode, ReqTyp), ReqTyp not the expected type
//   5   SdrCode is not eFAWATEERcom's code          379 RcvCode is not our biller code
//   304 TmStp not yyyy-MM-ddTHH:mm:ss                6   GUID empty or not 1-64 of [A-Za-z0-9-_{}]
//   380 MsgFooter/Security/Signature missing or empty
//   101 MsgBody is not valid UTF-8
//   2   signature does not verify over MsgBody re-serialised from the DOM (xml::compact with `<X />`; when the
//       body has empty elements, `<X></X>` is tried second, as a .NET XmlDocument loaded from bytes keeps it)
//   then the body, see read_bill_pull_request and read_payment_notification.
#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/payment/efawateercom/signer.hpp"
#include "core/money.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace cg::efawateercom {

// eFAWATEERcom's own error table (the codes a biller uses).
enum class ErrorCode : int {
  kSuccess = 0,
  kInvalidToken = 1,
  kInvalidSignature = 2,
  kInvalidSenderCode = 5,
  kInvalidGuid = 6,
  kDuplicatedGuid = 7,
  kInvalidXmlSchema = 101,
  kInternalError = 303,
  kInvalidTimestamp = 304,
  kInactiveBillingAccount = 313,
  kBillingNoMismatchesBillNo = 314,
  kBillingNumberNotFound = 315,
  kUnrecognisedServiceType = 322,
  kBillExpiredOrClosed = 323,
  kBillPaidPreviously = 324,
  kInvalidPaidAmount = 325,
  kInvalidDueAmount = 326,
  kInvalidProcessDate = 327,
  kDuplicatedPayment = 340,
  kInvalidJoebppsTrx = 358,
  kInvalidStmtDate = 359,
  kInvalidBillerCode = 379,
  kSignatureMissing = 380,
};

// eFAWATEERcom's wording for a code ("Invalid Signature"); "Unknown error" for codes not in the table.
std::string_view describe(ErrorCode code);
// Severity written beside a code: "Info" for success, "Error" otherwise.
std::string_view severity_of(ErrorCode code);

// A Result element: ErrorCode and ErrorDesc. An empty description is written as describe(code).
struct MfepStatus {
  ErrorCode code = ErrorCode::kSuccess;
  std::string description;
  bool ok() const { return code == ErrorCode::kSuccess; }
};
MfepStatus mfep_error(ErrorCode code, std::string description = {});

// MFEP times carry no offset: eFAWATEERcom's clock is Amman time. Strictly "yyyy-MM-ddTHH:mm:ss".
struct MfepTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  friend auto operator<=>(const MfepTime&, const MfepTime&) = default;
};
// Strictly "yyyy-MM-dd" (STMTDate).
struct MfepDate {
  int year = 0, month = 0, day = 0;
  friend auto operator<=>(const MfepDate&, const MfepDate&) = default;
};
std::optional<MfepTime> parse_mfep_time(std::string_view text);  // calendar-checked
std::optional<MfepDate> parse_mfep_date(std::string_view text);  // calendar-checked
std::string format_mfep_time(const MfepTime& t);
std::string format_mfep_date(const MfepDate& d);
// The wall-clock time at `utc_offset` (Amman: +3 h) of an instant: for TmStp, IssueDate, DueDate.
MfepTime mfep_time_at(core::Instant instant, std::chrono::minutes utc_offset);

enum class BillStatus {
  kBillNew,
  kBillUpdated,
  kBillExpired,
  kBillPaid,
  kBillPartiallyPaid,
  kBillOverPaid,
  kBillClosed
};
enum class BillType { kRecurring, kOneOff, kPrepaid };
std::string_view to_string(BillStatus s);  // "BillNew" ...
std::string_view to_string(BillType t);    // "OneOff" ...
std::optional<BillStatus> parse_bill_status(std::string_view text);
std::optional<BillType> parse_bill_type(std::string_view text);

// Set once from config.
struct MfepSettings {
  std::string biller_code;                 // ours: RcvCode of requests, SdrCode of answers, AcctInfo/BillerCode
  std::string efawateercom_code;           // theirs: SdrCode of requests, RcvCode of answers
  std::vector<std::string> service_types;  // the ServiceType values this biller serves
  std::size_t max_message_bytes = 256 * 1024;
};

struct MsgHeader {
  MfepTime timestamp;  // TmStp
  std::string guid;
  std::string sender_code;    // SdrCode
  std::string receiver_code;  // RcvCode
};

// What a reader hands a route. `guid` is set whenever the GUID element could be read (even when the
// message is refused), so the answer can echo it; `message` is set exactly when status.ok().
template <class T>
struct Inbound {
  std::string guid;
  MfepStatus status;
  std::optional<T> message;
  bool ok() const { return message.has_value(); }
};

// ---- Bill pull ------------------------------------------------------------------------------------

struct BillPullRequest {
  MsgHeader header;
  std::string billing_no;   // AcctInfo/BillingNo: 10 digits, Damm-checked
  std::string bill_no;      // AcctInfo/BillNo: optional, "" when absent or empty
  std::string biller_code;  // AcctInfo/BillerCode: equals MfepSettings::biller_code
  std::string service_type;
};

// Body checks after the envelope's: 101 AcctInfo, AcctInfo/BillingNo, AcctInfo/BillerCode or ServiceType
// missing (PayerInfo and anything else optional and ignored), BillNo over 256 characters; 379 BillerCode
// not ours; 322 ServiceType not in MfepSettings::service_types; 315 BillingNo not a valid billing number
// (a mistyped number is "not found"). Whether it exists, is paid or expired is for the route.
Inbound<BillPullRequest> read_bill_pull_request(std::string_view bytes, const MfepSettings& settings,
                                                const MfepSigner& signer);

struct PaymentConstraint {
  bool allow_part = false;
  core::Fils lower;
  core::Fils upper;
};

struct BillRecord {
  MfepStatus result;
  std::string billing_no;
  std::string bill_no;  // AcctInfo/BillerCode is written from MfepSettings::biller_code
  BillStatus status = BillStatus::kBillNew;
  core::Fils due_amount;
  std::optional<core::Fils> fees_amount;
  MfepTime issue_date;
  std::optional<MfepTime> open_date;
  MfepTime due_date;
  std::optional<MfepTime> expiry_date;
  std::optional<MfepTime> close_date;
  std::string service_type;
  std::optional<BillType> bill_type;
  PaymentConstraint payment_constraint;
};

// For a refused pull: header `result` carries the error and `bills` is empty (RecCount 0, no BillsRec).
struct BillPullResponse {
  MfepTime timestamp;
  std::string guid;  // the request's, echoed
  MfepStatus result;
  std::vector<BillRecord> bills;
};

Result<std::string> write_bill_pull_response(const BillPullResponse& response, const MfepSettings& settings,
                                             const MfepSigner& signer);

// ---- Payment notification ------------------------------------------------------------------------

struct PaymentTransaction {
  std::string billing_no;                 // required, Damm-checked
  std::string bill_no;                    // optional
  std::string joebpps_trx;                // required: eFAWATEERcom's transaction id, the deduplication key
  std::string bank_trx_id;                // optional
  std::string bank_code;                  // optional
  std::string pmt_status;                 // required: PmtNew, PmtUpdated, PmtReversal, ... PmtComplt (kept as text)
  core::Fils due_amount;                  // DueAmt, required
  core::Fils paid_amount;                 // PaidAmt, required, above zero
  std::optional<core::Fils> fees_amount;  // FeesAmt, optional
  MfepTime process_date;                  // required
  MfepDate stmt_date;                     // required
  std::string access_channel;             // optional
  std::string payment_method;             // optional: CASH CCARD EFT ACTDEB
  std::string payment_type;               // optional
  std::string currency;                   // optional; when given it must be JOD
  std::string service_type;               // ServiceTypeDetails/ServiceType, optional; when given one of ours
};

// One TrxInf as received. The echo fields are the raw texts ("" when absent) so the answer can name the
// transaction even when it is refused; `transaction` is set exactly when status.ok().
struct ReceivedTransaction {
  std::string joebpps_trx;
  std::string process_date;
  std::string stmt_date;
  MfepStatus status;
  std::optional<PaymentTransaction> transaction;
};

struct PaymentNotification {
  MsgHeader header;
  std::vector<ReceivedTransaction> transactions;  // at least one
};

// Body checks after the envelope's: 101 Transactions missing or without TrxInf. Then each TrxInf on its
// own (a bad one does not sink the others; the message is still answered with header Result 0):
// 101 a required element missing (AcctInfo/BillingNo, JOEBPPSTrx, PmtStatus, DueAmt, PaidAmt,
// ProcessDate, STMTDate), PmtStatus empty, FeesAmt malformed, Currency not JOD, an optional text over 256
// characters; 358 JOEBPPSTrx not 1-64 of [A-Za-z0-9-]; 315 BillingNo not a valid billing number;
// 326 DueAmt, 325 PaidAmt not a JOD amount with up to 3 decimals (PaidAmt also above zero); 327 ProcessDate,
// 359 STMTDate malformed; 322 ServiceType given and not ours.
Inbound<PaymentNotification> read_payment_notification(std::string_view bytes, const MfepSettings& settings,
                                                       const MfepSigner& signer);

struct PaymentAck {
  std::string joebpps_trx;
  std::string process_date;
  std::string stmt_date;
  MfepStatus result;
};
// The answer for a received transaction as it stands: echo fields and its parse status.
PaymentAck acknowledge(const ReceivedTransaction& received);

struct PaymentNotificationResponse {
  MfepTime timestamp;
  std::string guid;  // the request's, echoed
  MfepStatus result;
  std::vector<PaymentAck> transactions;  // one per TrxInf received; empty when the whole message is refused
};

Result<std::string> write_payment_notification_response(const PaymentNotificationResponse& response,
                                                        const MfepSettings& settings, const MfepSigner& signer);

// ---- The other direction: playing eFAWATEERcom (tests, command-line tool) --------------------------

// Header codes are written as given, so a test can send a wrong one on purpose.
Result<std::string> write_bill_pull_request(const BillPullRequest& request, const MfepSigner& signer);
Result<std::string> write_payment_notification(const MsgHeader& header,
                                               const std::vector<PaymentTransaction>& transactions,
                                               const MfepSigner& signer);

// Responses are checked like requests (envelope, codes, signature with the biller's key) and their bodies
// parsed strictly; the response's own Result is in message->result.
Inbound<BillPullResponse> read_bill_pull_response(std::string_view bytes, const MfepSettings& settings,
                                                  const MfepSigner& signer);
Inbound<PaymentNotificationResponse> read_payment_notification_response(std::string_view bytes,
                                                                        const MfepSettings& settings,
                                                                        const MfepSigner& signer);

// Signs any MFEP document: puts the signature of its MsgBody into MsgFooter/Security/Signature (created
// when missing) and returns the document compact. For hand-written test messages and the tool.
Result<std::string> sign_message(std::string_view xml, const MfepSigner& signer);

}  // namespace cg::efawateercom
