// Reading and writing MFEP envelopes and the four bodies (BILPULRQ/RS, BLRPMTNTFRQ/RS).
#include <algorithm>
#include <charconv>
#include <utility>

#include "adapters/payment/efawateercom/billing_number.hpp"
#include "adapters/payment/efawateercom/mfep.hpp"
#include "adapters/payment/efawateercom/xml.hpp"
#include "core/text.hpp"

namespace cg::efawateercom {
namespace {

constexpr std::size_t kMaxFreeText = 256;  // BankTrxID, BillNo, ...: codes and ids, never prose
constexpr std::size_t kMaxQuoted = 40;     // of an offending value quoted in an ErrorDesc
constexpr std::size_t kMaxSignBytes = 16u << 20;

using Problem = std::optional<MfepStatus>;

MfepStatus schema(std::string message) { return mfep_error(ErrorCode::kInvalidXmlSchema, std::move(message)); }

// Escaped as for a log line: the description goes into our answer's header (ErrorDesc), where bytes
// that are not UTF-8, or controls, quoted from the request would make the answer malformed XML.
std::string quoted(std::string_view value) {
  if (value.size() <= kMaxQuoted) return "'" + core::text::escape_for_log(value) + "'";
  return "'" + core::text::escape_for_log(core::text::cut_bytes(value, kMaxQuoted)) + "...'";
}

// An element and its path from the root, for messages that say exactly what is wrong.
struct Found {
  pugi::xml_node node;
  std::string path;
  explicit operator bool() const { return static_cast<bool>(node); }
};

// The child element `name` of `parent`, or an empty Found when there is none; a second one is refused.
Problem find_child(const Found& parent, const char* name, Found& out) {
  out = Found{{}, parent.path + "/" + name};
  for (pugi::xml_node c = parent.node.child(name); c; c = c.next_sibling(name)) {
    if (out.node) return schema(out.path + " is given more than once");
    out.node = c;
  }
  return std::nullopt;
}

Problem require_child(const Found& parent, const char* name, Found& out) {
  if (Problem p = find_child(parent, name, out)) return p;
  if (!out) return schema(out.path + " is missing");
  return std::nullopt;
}

// The text of a leaf element; an element with child elements where text belongs is refused.
Problem text_of(const Found& element, std::string& out) {
  out.clear();
  for (pugi::xml_node c = element.node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) return schema(element.path + " must hold text, not elements");
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return std::nullopt;
}

Problem required_text(const Found& parent, const char* name, std::string& out) {
  Found e;
  if (Problem p = require_child(parent, name, e)) return p;
  return text_of(e, out);
}

Problem optional_text(const Found& parent, const char* name, std::string& out, bool* present = nullptr) {
  Found e;
  if (Problem p = find_child(parent, name, e)) return p;
  if (present != nullptr) *present = static_cast<bool>(e);
  out.clear();
  if (!e) return std::nullopt;
  return text_of(e, out);
}

// Optional codes and ids that the gateway only stores: bounded, nothing more is known of their form.
Problem free_text(const Found& parent, const char* name, std::string& out) {
  if (Problem p = optional_text(parent, name, out)) return p;
  if (out.size() > kMaxFreeText)
    return schema(parent.path + "/" + name + " is longer than " + std::to_string(kMaxFreeText) + " characters");
  return std::nullopt;
}

bool guid_valid(std::string_view g) {
  if (g.empty() || g.size() > 64) return false;
  return std::all_of(g.begin(), g.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '{' || c == '}';
  });
}

bool joebpps_trx_valid(std::string_view t) {
  if (t.empty() || t.size() > 64) return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

bool known_service_type(const MfepSettings& settings, std::string_view type) {
  return std::find(settings.service_types.begin(), settings.service_types.end(), type) != settings.service_types.end();
}

// ---- Envelope ------------------------------------------------------------------------------------

enum class Direction { kRequest, kResponse };

struct Envelope {
  std::unique_ptr<pugi::xml_document> document;
  MsgHeader header;
  Found msg_header;
  Found body;
};

Problem read_envelope(std::string_view bytes, const MfepSettings& settings, const MfepSigner& signer,
                      Direction direction, const char* type, Envelope& env, std::string& guid_echo) {
  auto parsed = xml::parse(bytes, settings.max_message_bytes);
  if (!parsed) return schema(parsed.error().message);
  env.document = std::move(parsed).value();
  Found root{env.document->document_element(), "MFEP"};
  if (std::string_view(root.node.name()) != "MFEP")
    return schema(std::string("the root element is ") + quoted(root.node.name()) + ", not MFEP");

  if (Problem p = require_child(root, "MsgHeader", env.msg_header)) return p;
  // The GUID first, best effort, so that even a refusal names the request it answers. Only a valid
  // one: the answer echoes it in its header, which the signature does not cover and nothing else
  // checks, so bytes that are not UTF-8, or controls, would make our answer malformed XML.
  {
    Found g;
    std::string text;
    if (!find_child(env.msg_header, "GUID", g) && g && !text_of(g, text) && guid_valid(text)) guid_echo = text;
  }
  const bool request = direction == Direction::kRequest;
  const char* type_element = request ? "ReqTyp" : "ResTyp";
  Found trs;
  std::string tmstp, type_text;
  if (Problem p = required_text(env.msg_header, "TmStp", tmstp)) return p;
  if (Problem p = required_text(env.msg_header, "GUID", env.header.guid)) return p;
  if (Problem p = require_child(env.msg_header, "TrsInf", trs)) return p;
  if (Problem p = required_text(trs, "SdrCode", env.header.sender_code)) return p;
  if (Problem p = required_text(trs, "RcvCode", env.header.receiver_code)) return p;
  if (Problem p = required_text(trs, type_element, type_text)) return p;
  if (Problem p = require_child(root, "MsgBody", env.body)) return p;

  if (type_text != type)
    return schema(trs.path + "/" + type_element + " is " + quoted(type_text) + ", expected " + type);
  // Requests come from eFAWATEERcom to us; responses the other way.
  const std::string& biller_field = request ? env.header.receiver_code : env.header.sender_code;
  const std::string& efawateercom_field = request ? env.header.sender_code : env.header.receiver_code;
  const char* biller_name = request ? "RcvCode" : "SdrCode";
  const char* efawateercom_name = request ? "SdrCode" : "RcvCode";
  if (efawateercom_field != settings.efawateercom_code)
    return mfep_error(ErrorCode::kInvalidSenderCode, std::string(efawateercom_name) + " " + quoted(efawateercom_field) +
                                                         " is not eFAWATEERcom's code");
  if (biller_field != settings.biller_code)
    return mfep_error(ErrorCode::kInvalidBillerCode,
                      std::string(biller_name) + " " + quoted(biller_field) + " is not this biller's code");
  auto timestamp = parse_mfep_time(tmstp);
  if (!timestamp)
    return mfep_error(ErrorCode::kInvalidTimestamp,
                      "MsgHeader/TmStp " + quoted(tmstp) + " is not a time like 2026-11-25T10:15:00");
  env.header.timestamp = *timestamp;
  // Our own answers may carry an empty GUID when the request they refuse had none.
  if (!(direction == Direction::kResponse && env.header.guid.empty()) && !guid_valid(env.header.guid))
    return mfep_error(ErrorCode::kInvalidGuid, "MsgHeader/GUID " + quoted(env.header.guid) + " is not a valid GUID");

  Found footer, security, signature;
  std::string signature_text;
  if (Problem p = find_child(root, "MsgFooter", footer)) return p;
  if (footer)
    if (Problem p = find_child(footer, "Security", security)) return p;
  if (security)
    if (Problem p = find_child(security, "Signature", signature)) return p;
  if (signature)
    if (Problem p = text_of(signature, signature_text)) return p;
  if (signature_text.empty())
    return mfep_error(ErrorCode::kSignatureMissing, "MsgFooter/Security/Signature is missing or empty");

  std::string signed_body = xml::compact(env.body.node, xml::EmptyElement::kSelfClosing);
  if (!xml::utf16le(signed_body)) return schema("MsgBody is not valid UTF-8");
  bool verified = signer.verify(signed_body, signature_text);
  // A .NET sender that loaded the body from bytes keeps `<X></X>` as it was; accept that spelling too.
  if (!verified && xml::has_empty_element(env.body.node))
    verified = signer.verify(xml::compact(env.body.node, xml::EmptyElement::kOpenClose), signature_text);
  if (!verified)
    return mfep_error(ErrorCode::kInvalidSignature, "MsgFooter/Security/Signature does not verify over MsgBody");
  return std::nullopt;
}

template <class T>
Inbound<T> refuse(std::string guid, MfepStatus status) {
  return Inbound<T>{std::move(guid), std::move(status), std::nullopt};
}

template <class T>
Inbound<T> accepted(std::string guid, T message) {
  return Inbound<T>{std::move(guid), MfepStatus{}, std::move(message)};
}

// ---- Shared pieces of bodies ---------------------------------------------------------------------

Problem amount(const Found& parent, const char* name, ErrorCode code, core::Fils& out) {
  std::string text;
  if (Problem p = required_text(parent, name, text)) return p;
  auto fils = core::parse_jod(text);
  if (!fils)
    return mfep_error(code, parent.path + "/" + name + " " + quoted(text) +
                                " is not a JOD amount with up to 3 decimals, like 25.000");
  out = *fils;
  return std::nullopt;
}

Problem optional_amount(const Found& parent, const char* name, ErrorCode code, std::optional<core::Fils>& out) {
  std::string text;
  bool present = false;
  if (Problem p = optional_text(parent, name, text, &present)) return p;
  out.reset();
  if (!present) return std::nullopt;
  auto fils = core::parse_jod(text);
  if (!fils)
    return mfep_error(code, parent.path + "/" + name + " " + quoted(text) +
                                " is not a JOD amount with up to 3 decimals, like 25.000");
  out = *fils;
  return std::nullopt;
}

Problem time_field(const Found& parent, const char* name, ErrorCode code, MfepTime& out) {
  std::string text;
  if (Problem p = required_text(parent, name, text)) return p;
  auto t = parse_mfep_time(text);
  if (!t)
    return mfep_error(code, parent.path + "/" + name + " " + quoted(text) + " is not a time like 2026-11-25T10:15:00");
  out = *t;
  return std::nullopt;
}

Problem optional_time(const Found& parent, const char* name, std::optional<MfepTime>& out) {
  std::string text;
  bool present = false;
  if (Problem p = optional_text(parent, name, text, &present)) return p;
  out.reset();
  if (!present) return std::nullopt;
  auto t = parse_mfep_time(text);
  if (!t) return schema(parent.path + "/" + name + " " + quoted(text) + " is not a time like 2026-11-25T10:15:00");
  out = *t;
  return std::nullopt;
}

Problem read_result(const Found& parent, MfepStatus& out) {
  Found result;
  std::string code_text, severity;
  if (Problem p = require_child(parent, "Result", result)) return p;
  if (Problem p = required_text(result, "ErrorCode", code_text)) return p;
  if (Problem p = optional_text(result, "ErrorDesc", out.description)) return p;
  if (Problem p = required_text(result, "Severity", severity)) return p;
  int code = 0;
  auto [end, ec] = std::from_chars(code_text.data(), code_text.data() + code_text.size(), code);
  if (ec != std::errc() || end != code_text.data() + code_text.size() || code < 0)
    return schema(result.path + "/ErrorCode " + quoted(code_text) + " is not a number");
  static constexpr std::string_view kSeverities[] = {"Critical", "Error", "Warning", "Info", "Exception"};
  if (std::find(std::begin(kSeverities), std::end(kSeverities), severity) == std::end(kSeverities))
    return schema(result.path + "/Severity " + quoted(severity) +
                  " is not one of Critical Error Warning Info Exception");
  out.code = static_cast<ErrorCode>(code);
  return std::nullopt;
}

// ---- Writing -------------------------------------------------------------------------------------

pugi::xml_node add(pugi::xml_node parent, const char* name) { return parent.append_child(name); }

pugi::xml_node add(pugi::xml_node parent, const char* name, const std::string& text) {
  pugi::xml_node n = parent.append_child(name);
  if (!text.empty()) n.text().set(text.c_str());
  return n;
}

void add_result(pugi::xml_node parent, const MfepStatus& status) {
  pugi::xml_node r = add(parent, "Result");
  add(r, "ErrorCode", std::to_string(static_cast<int>(status.code)));
  add(r, "ErrorDesc", status.description.empty() ? std::string(describe(status.code)) : status.description);
  add(r, "Severity", std::string(severity_of(status.code)));
}

struct Draft {
  pugi::xml_document document;
  pugi::xml_node header;
  pugi::xml_node body;
};

// MFEP/MsgHeader/{TmStp, GUID, TrsInf/{SdrCode, RcvCode, type_element}} and an empty MsgBody.
void start(Draft& d, const MfepTime& timestamp, const std::string& guid, const std::string& sender,
           const std::string& receiver, const char* type_element, const char* type) {
  pugi::xml_node root = add(d.document, "MFEP");
  d.header = add(root, "MsgHeader");
  add(d.header, "TmStp", format_mfep_time(timestamp));
  add(d.header, "GUID", guid);
  pugi::xml_node trs = add(d.header, "TrsInf");
  add(trs, "SdrCode", sender);
  add(trs, "RcvCode", receiver);
  add(trs, type_element, type);
  d.body = add(root, "MsgBody");
}

Result<std::string> seal(Draft& d, const MfepSigner& signer) {
  auto signature = signer.sign(xml::compact(d.body));
  if (!signature) return signature.error();
  pugi::xml_node security = add(add(d.document.document_element(), "MsgFooter"), "Security");
  add(security, "Signature", *signature);
  return xml::document_bytes(d.document);
}

// ---- Bill pull bodies ----------------------------------------------------------------------------

Problem read_bill_pull_body(const Found& body, const MfepSettings& settings, BillPullRequest& rq) {
  Found acct;
  if (Problem p = require_child(body, "AcctInfo", acct)) return p;
  if (Problem p = required_text(acct, "BillingNo", rq.billing_no)) return p;
  if (Problem p = free_text(acct, "BillNo", rq.bill_no)) return p;
  if (Problem p = required_text(acct, "BillerCode", rq.biller_code)) return p;
  if (Problem p = required_text(body, "ServiceType", rq.service_type)) return p;
  if (rq.biller_code != settings.biller_code)
    return mfep_error(ErrorCode::kInvalidBillerCode,
                      acct.path + "/BillerCode " + quoted(rq.biller_code) + " is not this biller's code");
  if (!known_service_type(settings, rq.service_type))
    return mfep_error(ErrorCode::kUnrecognisedServiceType,
                      body.path + "/ServiceType " + quoted(rq.service_type) + " is not a service of this biller");
  if (!billing_number_valid(rq.billing_no))
    return mfep_error(ErrorCode::kBillingNumberNotFound,
                      acct.path + "/BillingNo " + quoted(rq.billing_no) + " is not a billing number of this biller");
  return std::nullopt;
}

Problem read_bill_record(const Found& rec, const MfepSettings& settings, BillRecord& out) {
  Found acct, constraint;
  std::string biller_code, status, bill_type, allow_part;
  if (Problem p = read_result(rec, out.result)) return p;
  if (Problem p = require_child(rec, "AcctInfo", acct)) return p;
  if (Problem p = required_text(acct, "BillingNo", out.billing_no)) return p;
  if (Problem p = free_text(acct, "BillNo", out.bill_no)) return p;
  if (Problem p = required_text(acct, "BillerCode", biller_code)) return p;
  if (biller_code != settings.biller_code)
    return mfep_error(ErrorCode::kInvalidBillerCode,
                      acct.path + "/BillerCode " + quoted(biller_code) + " is not this biller's code");
  if (Problem p = required_text(rec, "BillStatus", status)) return p;
  auto parsed_status = parse_bill_status(status);
  if (!parsed_status) return schema(rec.path + "/BillStatus " + quoted(status) + " is not a bill status");
  out.status = *parsed_status;
  if (Problem p = amount(rec, "DueAmount", ErrorCode::kInvalidDueAmount, out.due_amount)) return p;
  if (Problem p = optional_amount(rec, "FeesAmt", ErrorCode::kInvalidXmlSchema, out.fees_amount)) return p;
  if (Problem p = time_field(rec, "IssueDate", ErrorCode::kInvalidXmlSchema, out.issue_date)) return p;
  if (Problem p = optional_time(rec, "OpenDate", out.open_date)) return p;
  if (Problem p = time_field(rec, "DueDate", ErrorCode::kInvalidXmlSchema, out.due_date)) return p;
  if (Problem p = optional_time(rec, "ExpiryDate", out.expiry_date)) return p;
  if (Problem p = optional_time(rec, "CloseDate", out.close_date)) return p;
  if (Problem p = required_text(rec, "ServiceType", out.service_type)) return p;
  bool has_bill_type = false;
  if (Problem p = optional_text(rec, "BillType", bill_type, &has_bill_type)) return p;
  if (has_bill_type) {
    out.bill_type = parse_bill_type(bill_type);
    if (!out.bill_type) return schema(rec.path + "/BillType " + quoted(bill_type) + " is not a bill type");
  }
  if (Problem p = require_child(rec, "PmtConst", constraint)) return p;
  if (Problem p = required_text(constraint, "AllowPart", allow_part)) return p;
  if (allow_part == "true" || allow_part == "1") {
    out.payment_constraint.allow_part = true;
  } else if (allow_part == "false" || allow_part == "0") {
    out.payment_constraint.allow_part = false;
  } else {
    return schema(constraint.path + "/AllowPart " + quoted(allow_part) + " is not true or false");
  }
  if (Problem p = amount(constraint, "Lower", ErrorCode::kInvalidXmlSchema, out.payment_constraint.lower)) return p;
  if (Problem p = amount(constraint, "Upper", ErrorCode::kInvalidXmlSchema, out.payment_constraint.upper)) return p;
  return std::nullopt;
}

Problem read_bill_pull_response_body(const Found& body, const MfepSettings& settings, BillPullResponse& rs) {
  std::string count_text;
  if (Problem p = required_text(body, "RecCount", count_text)) return p;
  std::size_t count = 0;
  auto [end, ec] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
  if (ec != std::errc() || end != count_text.data() + count_text.size())
    return schema(body.path + "/RecCount " + quoted(count_text) + " is not a number");
  Found bills;
  if (Problem p = find_child(body, "BillsRec", bills)) return p;
  if (bills) {
    std::size_t i = 0;
    for (pugi::xml_node rec = bills.node.child("BillRec"); rec; rec = rec.next_sibling("BillRec")) {
      Found found{rec, bills.path + "/BillRec[" + std::to_string(++i) + "]"};
      BillRecord record;
      if (Problem p = read_bill_record(found, settings, record)) return p;
      rs.bills.push_back(std::move(record));
    }
  }
  if (rs.bills.size() != count)
    return schema(body.path + "/RecCount is " + count_text + " but " + std::to_string(rs.bills.size()) +
                  " BillRec are given");
  return std::nullopt;
}

// ---- Payment notification bodies -----------------------------------------------------------------

// Checks one TrxInf; the echo fields are filled first so even a refusal names the transaction.
MfepStatus read_transaction(const Found& trx, const MfepSettings& settings, ReceivedTransaction& out) {
  PaymentTransaction t;
  Found acct, details;
  std::string due, paid, process_date, stmt_date;
  (void)optional_text(trx, "JOEBPPSTrx", out.joebpps_trx);
  (void)optional_text(trx, "ProcessDate", out.process_date);
  (void)optional_text(trx, "STMTDate", out.stmt_date);

  if (Problem p = require_child(trx, "AcctInfo", acct)) return *p;
  if (Problem p = required_text(acct, "BillingNo", t.billing_no)) return *p;
  if (Problem p = free_text(acct, "BillNo", t.bill_no)) return *p;
  if (Problem p = required_text(trx, "JOEBPPSTrx", t.joebpps_trx)) return *p;
  if (Problem p = free_text(trx, "BankTrxID", t.bank_trx_id)) return *p;
  if (Problem p = free_text(trx, "BankCode", t.bank_code)) return *p;
  if (Problem p = required_text(trx, "PmtStatus", t.pmt_status)) return *p;
  if (Problem p = required_text(trx, "DueAmt", due)) return *p;
  if (Problem p = required_text(trx, "PaidAmt", paid)) return *p;
  if (Problem p = required_text(trx, "ProcessDate", process_date)) return *p;
  if (Problem p = required_text(trx, "STMTDate", stmt_date)) return *p;
  if (Problem p = free_text(trx, "AccessChannel", t.access_channel)) return *p;
  if (Problem p = free_text(trx, "PaymentMethod", t.payment_method)) return *p;
  if (Problem p = free_text(trx, "PaymentType", t.payment_type)) return *p;
  if (Problem p = free_text(trx, "Currency", t.currency)) return *p;
  if (Problem p = find_child(trx, "ServiceTypeDetails", details)) return *p;
  if (details)
    if (Problem p = required_text(details, "ServiceType", t.service_type)) return *p;

  if (!joebpps_trx_valid(t.joebpps_trx))
    return mfep_error(ErrorCode::kInvalidJoebppsTrx,
                      trx.path + "/JOEBPPSTrx " + quoted(t.joebpps_trx) + " is not 1 to 64 letters, digits or '-'");
  if (!billing_number_valid(t.billing_no))
    return mfep_error(ErrorCode::kBillingNumberNotFound,
                      acct.path + "/BillingNo " + quoted(t.billing_no) + " is not a billing number of this biller");
  if (t.pmt_status.empty() || t.pmt_status.size() > kMaxFreeText)
    return schema(trx.path + "/PmtStatus " + quoted(t.pmt_status) + " is not a payment status");
  if (Problem p = amount(trx, "DueAmt", ErrorCode::kInvalidDueAmount, t.due_amount)) return *p;
  if (Problem p = amount(trx, "PaidAmt", ErrorCode::kInvalidPaidAmount, t.paid_amount)) return *p;
  if (t.paid_amount.value <= 0)
    return mfep_error(ErrorCode::kInvalidPaidAmount, trx.path + "/PaidAmt must be above zero");
  if (Problem p = optional_amount(trx, "FeesAmt", ErrorCode::kInvalidXmlSchema, t.fees_amount)) return *p;
  if (Problem p = time_field(trx, "ProcessDate", ErrorCode::kInvalidProcessDate, t.process_date)) return *p;
  auto stmt = parse_mfep_date(stmt_date);
  if (!stmt)
    return mfep_error(ErrorCode::kInvalidStmtDate,
                      trx.path + "/STMTDate " + quoted(stmt_date) + " is not a date like 2026-11-25");
  t.stmt_date = *stmt;
  if (details && !known_service_type(settings, t.service_type))
    return mfep_error(ErrorCode::kUnrecognisedServiceType,
                      details.path + "/ServiceType " + quoted(t.service_type) + " is not a service of this biller");
  // Amounts are read as JOD; a payment in another currency must not be booked as if it were.
  if (!t.currency.empty() && t.currency != "JOD")
    return schema(trx.path + "/Currency " + quoted(t.currency) + " is not JOD");
  out.transaction = std::move(t);
  return MfepStatus{};
}

Problem read_payment_body(const Found& body, const MfepSettings& settings, PaymentNotification& n) {
  Found transactions;
  if (Problem p = require_child(body, "Transactions", transactions)) return p;
  std::size_t i = 0;
  for (pugi::xml_node trx = transactions.node.child("TrxInf"); trx; trx = trx.next_sibling("TrxInf")) {
    Found found{trx, transactions.path + "/TrxInf[" + std::to_string(++i) + "]"};
    ReceivedTransaction received;
    received.status = read_transaction(found, settings, received);
    n.transactions.push_back(std::move(received));
  }
  if (n.transactions.empty()) return schema(transactions.path + "/TrxInf is missing");
  return std::nullopt;
}

Problem read_payment_response_body(const Found& body, PaymentNotificationResponse& rs) {
  Found transactions;
  if (Problem p = require_child(body, "Transactions", transactions)) return p;
  std::size_t i = 0;
  for (pugi::xml_node trx = transactions.node.child("TrxInf"); trx; trx = trx.next_sibling("TrxInf")) {
    Found found{trx, transactions.path + "/TrxInf[" + std::to_string(++i) + "]"};
    PaymentAck ack;
    if (Problem p = required_text(found, "JOEBPPSTrx", ack.joebpps_trx)) return p;
    if (Problem p = required_text(found, "ProcessDate", ack.process_date)) return p;
    if (Problem p = required_text(found, "STMTDate", ack.stmt_date)) return p;
    if (Problem p = read_result(found, ack.result)) return p;
    rs.transactions.push_back(std::move(ack));
  }
  return std::nullopt;
}

void add_transaction(pugi::xml_node transactions, const PaymentTransaction& t) {
  auto optional = [](pugi::xml_node parent, const char* name, const std::string& text) {
    if (!text.empty()) add(parent, name, text);
  };
  pugi::xml_node trx = add(transactions, "TrxInf");
  pugi::xml_node acct = add(trx, "AcctInfo");
  add(acct, "BillingNo", t.billing_no);
  optional(acct, "BillNo", t.bill_no);
  add(trx, "JOEBPPSTrx", t.joebpps_trx);
  optional(trx, "BankTrxID", t.bank_trx_id);
  optional(trx, "BankCode", t.bank_code);
  add(trx, "PmtStatus", t.pmt_status);
  add(trx, "DueAmt", core::format_jod(t.due_amount));
  add(trx, "PaidAmt", core::format_jod(t.paid_amount));
  if (t.fees_amount) add(trx, "FeesAmt", core::format_jod(*t.fees_amount));
  add(trx, "ProcessDate", format_mfep_time(t.process_date));
  add(trx, "STMTDate", format_mfep_date(t.stmt_date));
  optional(trx, "AccessChannel", t.access_channel);
  optional(trx, "PaymentMethod", t.payment_method);
  optional(trx, "PaymentType", t.payment_type);
  optional(trx, "Currency", t.currency);
  if (!t.service_type.empty()) add(add(trx, "ServiceTypeDetails"), "ServiceType", t.service_type);
}

}  // namespace

// ---- Public: biller side -------------------------------------------------------------------------

Inbound<BillPullRequest> read_bill_pull_request(std::string_view bytes, const MfepSettings& settings,
                                                const MfepSigner& signer) {
  Envelope env;
  std::string guid;
  if (Problem p = read_envelope(bytes, settings, signer, Direction::kRequest, "BILPULRQ", env, guid))
    return refuse<BillPullRequest>(std::move(guid), std::move(*p));
  BillPullRequest rq;
  rq.header = env.header;
  if (Problem p = read_bill_pull_body(env.body, settings, rq)) return refuse<BillPullRequest>(std::move(guid), *p);
  return accepted(std::move(guid), std::move(rq));
}

Inbound<PaymentNotification> read_payment_notification(std::string_view bytes, const MfepSettings& settings,
                                                       const MfepSigner& signer) {
  Envelope env;
  std::string guid;
  if (Problem p = read_envelope(bytes, settings, signer, Direction::kRequest, "BLRPMTNTFRQ", env, guid))
    return refuse<PaymentNotification>(std::move(guid), std::move(*p));
  PaymentNotification n;
  n.header = env.header;
  if (Problem p = read_payment_body(env.body, settings, n)) return refuse<PaymentNotification>(std::move(guid), *p);
  return accepted(std::move(guid), std::move(n));
}

Result<std::string> write_bill_pull_response(const BillPullResponse& rs, const MfepSettings& settings,
                                             const MfepSigner& signer) {
  Draft d;
  start(d, rs.timestamp, rs.guid, settings.biller_code, settings.efawateercom_code, "ResTyp", "BILPULRS");
  add_result(d.header, rs.result);
  add(d.body, "RecCount", std::to_string(rs.bills.size()));
  if (!rs.bills.empty()) {
    pugi::xml_node bills = add(d.body, "BillsRec");
    for (const BillRecord& b : rs.bills) {
      pugi::xml_node rec = add(bills, "BillRec");
      add_result(rec, b.result);
      pugi::xml_node acct = add(rec, "AcctInfo");
      add(acct, "BillingNo", b.billing_no);
      add(acct, "BillNo", b.bill_no);
      add(acct, "BillerCode", settings.biller_code);
      add(rec, "BillStatus", std::string(to_string(b.status)));
      add(rec, "DueAmount", core::format_jod(b.due_amount));
      if (b.fees_amount) add(rec, "FeesAmt", core::format_jod(*b.fees_amount));
      add(rec, "IssueDate", format_mfep_time(b.issue_date));
      if (b.open_date) add(rec, "OpenDate", format_mfep_time(*b.open_date));
      add(rec, "DueDate", format_mfep_time(b.due_date));
      if (b.expiry_date) add(rec, "ExpiryDate", format_mfep_time(*b.expiry_date));
      if (b.close_date) add(rec, "CloseDate", format_mfep_time(*b.close_date));
      add(rec, "ServiceType", b.service_type);
      if (b.bill_type) add(rec, "BillType", std::string(to_string(*b.bill_type)));
      pugi::xml_node constraint = add(rec, "PmtConst");
      add(constraint, "AllowPart", b.payment_constraint.allow_part ? "true" : "false");
      add(constraint, "Lower", core::format_jod(b.payment_constraint.lower));
      add(constraint, "Upper", core::format_jod(b.payment_constraint.upper));
    }
  }
  return seal(d, signer);
}

Result<std::string> write_payment_notification_response(const PaymentNotificationResponse& rs,
                                                        const MfepSettings& settings, const MfepSigner& signer) {
  Draft d;
  start(d, rs.timestamp, rs.guid, settings.biller_code, settings.efawateercom_code, "ResTyp", "BLRPMTNTFRS");
  add_result(d.header, rs.result);
  pugi::xml_node transactions = add(d.body, "Transactions");
  for (const PaymentAck& ack : rs.transactions) {
    pugi::xml_node trx = add(transactions, "TrxInf");
    add(trx, "JOEBPPSTrx", ack.joebpps_trx);
    add(trx, "ProcessDate", ack.process_date);
    add(trx, "STMTDate", ack.stmt_date);
    add_result(trx, ack.result);
  }
  return seal(d, signer);
}

// ---- Public: eFAWATEERcom side -------------------------------------------------------------------

Result<std::string> write_bill_pull_request(const BillPullRequest& rq, const MfepSigner& signer) {
  Draft d;
  start(d, rq.header.timestamp, rq.header.guid, rq.header.sender_code, rq.header.receiver_code, "ReqTyp", "BILPULRQ");
  pugi::xml_node acct = add(d.body, "AcctInfo");
  add(acct, "BillingNo", rq.billing_no);
  add(acct, "BillNo", rq.bill_no);
  add(acct, "BillerCode", rq.biller_code);
  add(d.body, "ServiceType", rq.service_type);
  return seal(d, signer);
}

Result<std::string> write_payment_notification(const MsgHeader& header,
                                               const std::vector<PaymentTransaction>& transactions,
                                               const MfepSigner& signer) {
  Draft d;
  start(d, header.timestamp, header.guid, header.sender_code, header.receiver_code, "ReqTyp", "BLRPMTNTFRQ");
  pugi::xml_node list = add(d.body, "Transactions");
  for (const PaymentTransaction& t : transactions) add_transaction(list, t);
  return seal(d, signer);
}

Inbound<BillPullResponse> read_bill_pull_response(std::string_view bytes, const MfepSettings& settings,
                                                  const MfepSigner& signer) {
  Envelope env;
  std::string guid;
  if (Problem p = read_envelope(bytes, settings, signer, Direction::kResponse, "BILPULRS", env, guid))
    return refuse<BillPullResponse>(std::move(guid), std::move(*p));
  BillPullResponse rs;
  rs.timestamp = env.header.timestamp;
  rs.guid = env.header.guid;
  if (Problem p = read_result(env.msg_header, rs.result)) return refuse<BillPullResponse>(std::move(guid), *p);
  if (Problem p = read_bill_pull_response_body(env.body, settings, rs))
    return refuse<BillPullResponse>(std::move(guid), *p);
  return accepted(std::move(guid), std::move(rs));
}

Inbound<PaymentNotificationResponse> read_payment_notification_response(std::string_view bytes,
                                                                        const MfepSettings& settings,
                                                                        const MfepSigner& signer) {
  Envelope env;
  std::string guid;
  if (Problem p = read_envelope(bytes, settings, signer, Direction::kResponse, "BLRPMTNTFRS", env, guid))
    return refuse<PaymentNotificationResponse>(std::move(guid), std::move(*p));
  PaymentNotificationResponse rs;
  rs.timestamp = env.header.timestamp;
  rs.guid = env.header.guid;
  if (Problem p = read_result(env.msg_header, rs.result))
    return refuse<PaymentNotificationResponse>(std::move(guid), *p);
  if (Problem p = read_payment_response_body(env.body, rs))
    return refuse<PaymentNotificationResponse>(std::move(guid), *p);
  return accepted(std::move(guid), std::move(rs));
}

Result<std::string> sign_message(std::string_view text, const MfepSigner& signer) {
  auto parsed = xml::parse(text, kMaxSignBytes);
  if (!parsed) return parsed.error();
  pugi::xml_document& document = **parsed;
  pugi::xml_node root = document.document_element();
  if (std::string_view(root.name()) != "MFEP") return make_error("invalid_xml", "the root element is not MFEP");
  pugi::xml_node body = root.child("MsgBody");
  if (!body || body.next_sibling("MsgBody")) return make_error("invalid_xml", "MFEP must have exactly one MsgBody");
  auto signature = signer.sign(xml::compact(body));
  if (!signature) return signature.error();
  pugi::xml_node footer = root.child("MsgFooter");
  if (!footer) footer = root.append_child("MsgFooter");
  pugi::xml_node security = footer.child("Security");
  if (!security) security = footer.append_child("Security");
  pugi::xml_node node = security.child("Signature");
  if (!node) node = security.append_child("Signature");
  node.text().set(signature->c_str());
  return xml::document_bytes(document);
}

}  // namespace cg::efawateercom
