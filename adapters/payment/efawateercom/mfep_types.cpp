// Codes, times and enumerations of MFEP messages.
#include <cstdio>
#include <iterator>
#include <utility>

#include "adapters/payment/efawateercom/mfep.hpp"

namespace cg::efawateercom {
namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  int v = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool calendar_date(int y, int m, int d) {
  using namespace std::chrono;
  return y >= 1 && year_month_day{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}}.ok();
}

constexpr std::string_view kBillStatusNames[] = {"BillNew",           "BillUpdated",  "BillExpired", "BillPaid",
                                                 "BillPartiallyPaid", "BillOverPaid", "BillClosed"};
constexpr std::string_view kBillTypeNames[] = {"Recurring", "OneOff", "Prepaid"};

}  // namespace

std::string_view describe(ErrorCode code) {
  switch (code) {
    case ErrorCode::kSuccess:
      return "Success";
    case ErrorCode::kInvalidToken:
      return "Invalid Token";
    case ErrorCode::kInvalidSignature:
      return "Invalid Signature";
    case ErrorCode::kInvalidSenderCode:
      return "Invalid Sender Code";
    case ErrorCode::kInvalidGuid:
      return "Invalid GUID";
    case ErrorCode::kDuplicatedGuid:
      return "Duplicated GUID";
    case ErrorCode::kInvalidXmlSchema:
      return "Invalid XML Schema";
    case ErrorCode::kInternalError:
      return "Internal Error";
    case ErrorCode::kInvalidTimestamp:
      return "Invalid Time Stamp";
    case ErrorCode::kInactiveBillingAccount:
      return "Inactive Billing Account";
    case ErrorCode::kBillingNoMismatchesBillNo:
      return "Billing Number Does Not Match Bill Number";
    case ErrorCode::kBillingNumberNotFound:
      return "Billing Number Not Found";
    case ErrorCode::kUnrecognisedServiceType:
      return "Unrecognized Service Type";
    case ErrorCode::kBillExpiredOrClosed:
      return "Bill Expired Or Closed";
    case ErrorCode::kBillPaidPreviously:
      return "Bill Paid Previously";
    case ErrorCode::kInvalidPaidAmount:
      return "Invalid Paid Amount";
    case ErrorCode::kInvalidDueAmount:
      return "Invalid Due Amount";
    case ErrorCode::kInvalidProcessDate:
      return "Invalid Process Date";
    case ErrorCode::kDuplicatedPayment:
      return "Duplicated Payment";
    case ErrorCode::kInvalidJoebppsTrx:
      return "Invalid JOEBPPSTrx";
    case ErrorCode::kInvalidStmtDate:
      return "Invalid STMTDate";
    case ErrorCode::kInvalidBillerCode:
      return "Invalid Biller Code";
    case ErrorCode::kSignatureMissing:
      return "Signature Element Missing";
  }
  return "Unknown error";
}

std::string_view severity_of(ErrorCode code) { return code == ErrorCode::kSuccess ? "Info" : "Error"; }

MfepStatus mfep_error(ErrorCode code, std::string description) { return MfepStatus{code, std::move(description)}; }

std::optional<MfepTime> parse_mfep_time(std::string_view s) {
  MfepTime t;
  if (s.size() != 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
      !digits(s, 0, 4, t.year) || !digits(s, 5, 2, t.month) || !digits(s, 8, 2, t.day) || !digits(s, 11, 2, t.hour) ||
      !digits(s, 14, 2, t.minute) || !digits(s, 17, 2, t.second))
    return std::nullopt;
  if (!calendar_date(t.year, t.month, t.day) || t.hour > 23 || t.minute > 59 || t.second > 59) return std::nullopt;
  return t;
}

std::optional<MfepDate> parse_mfep_date(std::string_view s) {
  MfepDate d;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s, 0, 4, d.year) || !digits(s, 5, 2, d.month) ||
      !digits(s, 8, 2, d.day))
    return std::nullopt;
  if (!calendar_date(d.year, d.month, d.day)) return std::nullopt;
  return d;
}

std::string format_mfep_time(const MfepTime& t) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.year, t.month, t.day, t.hour, t.minute, t.second);
  return buf;
}

std::string format_mfep_date(const MfepDate& d) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

MfepTime mfep_time_at(core::Instant instant, std::chrono::minutes utc_offset) {
  core::LocalTime l = core::to_local(instant, utc_offset);
  return MfepTime{l.year, l.month, l.day, l.hour, l.minute, l.second};
}

std::string_view to_string(BillStatus s) { return kBillStatusNames[static_cast<int>(s)]; }
std::string_view to_string(BillType t) { return kBillTypeNames[static_cast<int>(t)]; }

std::optional<BillStatus> parse_bill_status(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kBillStatusNames); ++i)
    if (kBillStatusNames[i] == text) return static_cast<BillStatus>(i);
  return std::nullopt;
}

std::optional<BillType> parse_bill_type(std::string_view text) {
  for (std::size_t i = 0; i < std::size(kBillTypeNames); ++i)
    if (kBillTypeNames[i] == text) return static_cast<BillType>(i);
  return std::nullopt;
}

PaymentAck acknowledge(const ReceivedTransaction& received) {
  return PaymentAck{received.joebpps_trx, received.process_date, received.stmt_date, received.status};
}

}  // namespace cg::efawateercom
