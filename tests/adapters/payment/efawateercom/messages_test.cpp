#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/payment/efawateercom/billing_number.hpp"
#include "adapters/payment/efawateercom/mfep.hpp"
#include "adapters/payment/efawateercom/xml.hpp"
#include "core/sms.hpp"
#include "core/text.hpp"
#include "tests/adapters/payment/efawateercom/test_support.hpp"

namespace cg::efawateercom {
namespace {

using test::biller_signer;
using test::efawateercom_signer;
using test::settings;

constexpr const char* kGuid = "7f9c2ba4-e88f-11e8-9f32-f2801f1b9fd1";

// A request as eFAWATEERcom would send it, each header piece replaceable; nullptr leaves it out.
struct Envelope {
  const char* tmstp = "2026-11-25T10:15:00";
  const char* guid = kGuid;
  const char* sdr = "EFAWATEERCOM";
  const char* rcv = "250";
  const char* type = "BILPULRQ";
  std::string body;
};

std::string element(const char* name, const char* value) {
  if (value == nullptr) return {};
  return std::string("<") + name + ">" + value + "</" + name + ">";
}

// Pretty-printed on purpose: the receiver canonicalises from the DOM, so formatting must not matter.
std::string unsigned_xml(const Envelope& e) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<MFEP>\n  <MsgHeader>\n    " + element("TmStp", e.tmstp) +
         "\n    " + element("GUID", e.guid) + "\n    <TrsInf>\n      " + element("SdrCode", e.sdr) + "\n      " +
         element("RcvCode", e.rcv) + "\n      " + element("ReqTyp", e.type) + "\n    </TrsInf>\n  </MsgHeader>\n  " +
         e.body + "\n</MFEP>\n";
}

std::string signed_xml(const Envelope& e) {
  auto signed_text = sign_message(unsigned_xml(e), efawateercom_signer());
  EXPECT_TRUE(signed_text.ok()) << (signed_text.ok() ? "" : signed_text.error().message);
  return signed_text.ok() ? *signed_text : std::string();
}

std::string pull_body(const char* billing_no = "1000000018", const char* biller = "250",
                      const char* service = "CourseFees", const std::string& extra = {}) {
  return "<MsgBody>\n    <AcctInfo>\n      " + element("BillingNo", billing_no) +
         "\n      <BillNo>1000000018</BillNo>\n      " + element("BillerCode", biller) + "\n    </AcctInfo>\n    " +
         element("ServiceType", service) + extra + "\n  </MsgBody>";
}

Inbound<BillPullRequest> pull(const Envelope& e) {
  return read_bill_pull_request(signed_xml(e), settings(), biller_signer());
}

Envelope pull_envelope() {
  Envelope e;
  e.body = pull_body();
  return e;
}

// The vector's TrxInf with one element replaced (or removed when `value` is nullptr).
struct Trx {
  const char* billing_no = "1000000018";
  const char* joebpps = "202611250000123";
  const char* pmt_status = "PmtNew";
  const char* due = "25.000";
  const char* paid = "25.000";
  const char* process = "2026-11-25T10:15:00";
  const char* stmt = "2026-11-25";
  std::string extra;
};

std::string trx_xml(const Trx& t) {
  return "<TrxInf><AcctInfo>" + element("BillingNo", t.billing_no) + "<BillNo>1000000018</BillNo></AcctInfo>" +
         element("JOEBPPSTrx", t.joebpps) + element("PmtStatus", t.pmt_status) + element("DueAmt", t.due) +
         element("PaidAmt", t.paid) + element("ProcessDate", t.process) + element("STMTDate", t.stmt) +
         "<AccessChannel>Mobile</AccessChannel><PaymentMethod>EFT</PaymentMethod>" + t.extra + "</TrxInf>";
}

Inbound<PaymentNotification> notify(const std::vector<Trx>& trxs) {
  Envelope e;
  e.type = "BLRPMTNTFRQ";
  e.body = "<MsgBody><Transactions>";
  for (const Trx& t : trxs) e.body += trx_xml(t);
  e.body += "</Transactions></MsgBody>";
  return read_payment_notification(signed_xml(e), settings(), biller_signer());
}

// The code a single-transaction notification gets for its transaction.
ErrorCode trx_code(const Trx& t) {
  auto in = notify({t});
  EXPECT_TRUE(in.ok()) << in.status.description;
  if (!in.ok() || in.message->transactions.size() != 1) return ErrorCode::kInternalError;
  return in.message->transactions[0].status.code;
}

// ---- The vectors, inside whole messages ---------------------------------------------------------

TEST(MfepRequest, VectorBillPullWithItsSignatureIsAccepted) {
  auto vector = test::signature_vectors()["cases"][0];
  Envelope e = pull_envelope();
  std::string text = unsigned_xml(e);
  text.replace(text.find("</MFEP>"), 7,
               "  <MsgFooter>\n    <Security>\n      <Signature>" + vector["signature"].get<std::string>() +
                   "</Signature>\n    </Security>\n  </MsgFooter>\n</MFEP>");
  MfepSigner vector_keys =
      MfepSigner::load({test::vector_path("mfep-test.key.pem"), test::vector_path("mfep-test.pub.pem")}).value();
  auto in = read_bill_pull_request(text, settings(), vector_keys);
  ASSERT_TRUE(in.ok()) << static_cast<int>(in.status.code) << " " << in.status.description;
  EXPECT_EQ(in.guid, kGuid);
  EXPECT_EQ(in.message->billing_no, "1000000018");
  EXPECT_EQ(in.message->bill_no, "1000000018");
  EXPECT_EQ(in.message->biller_code, "250");
  EXPECT_EQ(in.message->service_type, "CourseFees");
  EXPECT_EQ(in.message->header.sender_code, "EFAWATEERCOM");
  EXPECT_EQ(in.message->header.timestamp, (MfepTime{2026, 11, 25, 10, 15, 0}));
}

TEST(MfepRequest, WritersReproduceTheVectorBodiesAndSignatures) {
  MfepSigner vector_keys =
      MfepSigner::load({test::vector_path("mfep-test.key.pem"), test::vector_path("mfep-test.pub.pem")}).value();
  auto cases = test::signature_vectors()["cases"];
  MsgHeader header{MfepTime{2026, 11, 25, 10, 15, 0}, kGuid, "EFAWATEERCOM", "250"};

  BillPullRequest rq{header, "1000000018", "1000000018", "250", "CourseFees"};
  auto pull_text = write_bill_pull_request(rq, vector_keys);
  ASSERT_TRUE(pull_text.ok());
  EXPECT_NE(pull_text->find(cases[0]["msgbody"].get<std::string>()), std::string::npos) << *pull_text;
  EXPECT_NE(pull_text->find("<Signature>" + cases[0]["signature"].get<std::string>() + "</Signature>"),
            std::string::npos);

  PaymentTransaction t;
  t.billing_no = "1000000018";
  t.bill_no = "1000000018";
  t.joebpps_trx = "202611250000123";
  t.pmt_status = "PmtNew";
  t.due_amount = core::Fils{25000};
  t.paid_amount = core::Fils{25000};
  t.process_date = MfepTime{2026, 11, 25, 10, 15, 0};
  t.stmt_date = MfepDate{2026, 11, 25};
  t.access_channel = "Mobile";
  t.payment_method = "EFT";
  auto notify_text = write_payment_notification(header, {t}, vector_keys);
  ASSERT_TRUE(notify_text.ok());
  EXPECT_NE(notify_text->find(cases[1]["msgbody"].get<std::string>()), std::string::npos) << *notify_text;
  EXPECT_NE(notify_text->find("<Signature>" + cases[1]["signature"].get<std::string>() + "</Signature>"),
            std::string::npos);
}

TEST(MfepRequest, VectorPaymentNotificationParses) {
  auto in = notify({Trx{}});
  ASSERT_TRUE(in.ok()) << in.status.description;
  ASSERT_EQ(in.message->transactions.size(), 1u);
  const ReceivedTransaction& r = in.message->transactions[0];
  ASSERT_TRUE(r.status.ok()) << r.status.description;
  const PaymentTransaction& t = *r.transaction;
  EXPECT_EQ(t.billing_no, "1000000018");
  EXPECT_EQ(t.bill_no, "1000000018");
  EXPECT_EQ(t.joebpps_trx, "202611250000123");
  EXPECT_EQ(t.pmt_status, "PmtNew");
  EXPECT_EQ(t.due_amount, core::Fils{25000});
  EXPECT_EQ(t.paid_amount, core::Fils{25000});
  EXPECT_FALSE(t.fees_amount.has_value());
  EXPECT_EQ(t.process_date, (MfepTime{2026, 11, 25, 10, 15, 0}));
  EXPECT_EQ(t.stmt_date, (MfepDate{2026, 11, 25}));
  EXPECT_EQ(t.access_channel, "Mobile");
  EXPECT_EQ(t.payment_method, "EFT");
  EXPECT_EQ(r.joebpps_trx, "202611250000123");
  EXPECT_EQ(r.process_date, "2026-11-25T10:15:00");
  EXPECT_EQ(r.stmt_date, "2026-11-25");
}

TEST(MfepRequest, AllOptionalTransactionElementsAreRead) {
  Trx t;
  t.paid = "25.5";
  t.extra =
      "<PaymentType>Prepaid</PaymentType><Currency>JOD</Currency><ServiceTypeDetails><ServiceType>CourseFees</"
      "ServiceType>"
      "</ServiceTypeDetails><FeesAmt>0.250</FeesAmt><BankTrxID>B-77</BankTrxID><BankCode>12</BankCode>"
      "<Unknown><Deep>ignored</Deep></Unknown>";
  auto in = notify({t});
  ASSERT_TRUE(in.ok());
  const ReceivedTransaction& r = in.message->transactions[0];
  ASSERT_TRUE(r.status.ok()) << r.status.description;
  EXPECT_EQ(r.transaction->paid_amount, core::Fils{25500});
  EXPECT_EQ(r.transaction->fees_amount, core::Fils{250});
  EXPECT_EQ(r.transaction->bank_trx_id, "B-77");
  EXPECT_EQ(r.transaction->bank_code, "12");
  EXPECT_EQ(r.transaction->currency, "JOD");
  EXPECT_EQ(r.transaction->payment_type, "Prepaid");
  EXPECT_EQ(r.transaction->service_type, "CourseFees");
}

TEST(MfepRequest, RequestWrittenByTheToolIsReadBack) {
  MsgHeader header{MfepTime{2026, 1, 2, 3, 4, 5}, "{ABC-123}", "EFAWATEERCOM", "250"};
  BillPullRequest rq{header, make_billing_number(123456789), "", "250", "CourseFees"};
  auto text = write_bill_pull_request(rq, efawateercom_signer());
  ASSERT_TRUE(text.ok());
  auto in = read_bill_pull_request(*text, settings(), biller_signer());
  ASSERT_TRUE(in.ok()) << in.status.description;
  EXPECT_EQ(in.message->billing_no, rq.billing_no);
  EXPECT_EQ(in.message->bill_no, "");
  EXPECT_EQ(in.message->header.guid, "{ABC-123}");
  EXPECT_EQ(in.message->header.timestamp, header.timestamp);
}

TEST(MfepRequest, UnknownExtraElementsAreIgnored) {
  Envelope e = pull_envelope();
  e.body = pull_body("1000000018", "250", "CourseFees",
                     "<PayerInfo><Name>Lina</Name></PayerInfo><Extra a=\"1\">x</Extra><Empty/>");
  std::string text = signed_xml(e);
  text.replace(text.find("<TrsInf>"), 8, "<Channel>web</Channel><TrsInf>");
  auto in = read_bill_pull_request(text, settings(), biller_signer());
  EXPECT_TRUE(in.ok()) << in.status.description;
}

TEST(MfepRequest, BodySignedWithOpenCloseEmptyElementsIsAccepted) {
  // A .NET sender that loaded its body from bytes signs `<BillNo></BillNo>` as written.
  std::string body =
      "<MsgBody><AcctInfo><BillingNo>1000000018</BillingNo><BillNo></BillNo><BillerCode>250</BillerCode></AcctInfo>"
      "<ServiceType>CourseFees</ServiceType></MsgBody>";
  Envelope e = pull_envelope();
  e.body = body;
  std::string text = unsigned_xml(e);
  std::string signature = *efawateercom_signer().sign(body);
  text.replace(text.find("</MFEP>"), 7,
               "<MsgFooter><Security><Signature>" + signature + "</Signature></Security></MsgFooter></MFEP>");
  auto in = read_bill_pull_request(text, settings(), biller_signer());
  ASSERT_TRUE(in.ok()) << in.status.description;
  EXPECT_EQ(in.message->bill_no, "");
}

// ---- Strictness: each check and its code --------------------------------------------------------

TEST(MfepStrictness, HeaderChecks) {
  auto code_of = [](const Envelope& e) { return pull(e).status.code; };
  Envelope e = pull_envelope();
  EXPECT_EQ(code_of(e), ErrorCode::kSuccess);

  Envelope wrong_type = e;
  wrong_type.type = "BLRPMTNTFRQ";
  EXPECT_EQ(code_of(wrong_type), ErrorCode::kInvalidXmlSchema);
  Envelope no_type = e;
  no_type.type = nullptr;
  EXPECT_EQ(code_of(no_type), ErrorCode::kInvalidXmlSchema);

  Envelope wrong_sender = e;
  wrong_sender.sdr = "SOMEONE";
  EXPECT_EQ(code_of(wrong_sender), ErrorCode::kInvalidSenderCode);
  Envelope wrong_receiver = e;
  wrong_receiver.rcv = "251";
  EXPECT_EQ(code_of(wrong_receiver), ErrorCode::kInvalidBillerCode);

  for (const char* bad : {"2026-11-25 10:15:00", "2026-11-25T10:15", "2026-02-30T10:15:00", "2026-11-25T24:00:00",
                          "2026-11-25T10:15:00+03:00", "", "yesterday"}) {
    Envelope t = e;
    t.tmstp = bad;
    EXPECT_EQ(code_of(t), ErrorCode::kInvalidTimestamp) << bad;
  }
  Envelope no_tmstp = e;
  no_tmstp.tmstp = nullptr;
  EXPECT_EQ(code_of(no_tmstp), ErrorCode::kInvalidXmlSchema);

  for (const char* bad :
       {"", "has space", "a&lt;b", "0123456789012345678901234567890123456789012345678901234567890123456789"}) {
    Envelope g = e;
    g.guid = bad;
    EXPECT_EQ(code_of(g), ErrorCode::kInvalidGuid) << bad;
  }
  Envelope no_guid = e;
  no_guid.guid = nullptr;
  EXPECT_EQ(code_of(no_guid), ErrorCode::kInvalidXmlSchema);
}

TEST(MfepStrictness, RefusalEchoesTheGuid) {
  Envelope e = pull_envelope();
  e.sdr = "SOMEONE";
  auto in = pull(e);
  EXPECT_FALSE(in.ok());
  EXPECT_EQ(in.guid, kGuid);
  EXPECT_NE(in.status.description.find("SOMEONE"), std::string::npos) << in.status.description;
}

// Found by fuzz/mfep_fuzz: a refusal echoed whatever the GUID element held, and the route wrote it
// into the answer's header, so a GUID with bytes that are not UTF-8 gave eFAWATEERcom an answer that
// was not well-formed XML. Only a valid GUID is echoed; an answer without one is still readable.
TEST(MfepStrictness, RefusalEchoesOnlyAValidGuid) {
  for (const char* bad : {"8c5f2b1e-5b6\x98\x98"
                          "e-4c1c",
                          "has space", "a&#x1;b"}) {
    Envelope e = pull_envelope();
    e.guid = bad;
    e.type = "BLRPMTNTFRQ";  // refused before the GUID's own check
    auto in = pull(e);
    ASSERT_FALSE(in.ok()) << bad;
    EXPECT_EQ(in.guid, "") << bad;
    BillPullResponse rs;
    rs.timestamp = MfepTime{2026, 11, 25, 10, 15, 0};
    rs.guid = in.guid;
    rs.result = in.status;
    auto answer = write_bill_pull_response(rs, settings(), biller_signer());
    ASSERT_TRUE(answer.ok());
    EXPECT_TRUE(core::is_valid_utf8(*answer)) << bad;
  }
}

// Found by fuzz/mfep_fuzz: an error description quoted the offending text as it came, and the
// answer carries the description in its header, so a TmStp with bytes that are not UTF-8 (or a
// control) made our answer malformed. Quoted text is escaped as for a log line.
TEST(MfepStrictness, DescriptionsQuoteBadBytesEscaped) {
  for (const char* bad : {"2026-11-25T10:15\xff\xff:00", "2026-11-25T10:15&#x1;:00"}) {
    Envelope e = pull_envelope();
    e.tmstp = bad;
    auto in = pull(e);
    ASSERT_FALSE(in.ok()) << bad;
    EXPECT_EQ(in.status.code, ErrorCode::kInvalidTimestamp) << bad;
    EXPECT_TRUE(core::is_valid_utf8(in.status.description)) << in.status.description;
    EXPECT_FALSE(core::text::find_control(in.status.description, true)) << in.status.description;
    EXPECT_NE(in.status.description.find("\\x"), std::string::npos) << in.status.description;
  }
}

TEST(MfepStrictness, SignatureChecks) {
  Envelope e = pull_envelope();
  std::string unsigned_text = unsigned_xml(e);
  EXPECT_EQ(read_bill_pull_request(unsigned_text, settings(), biller_signer()).status.code,
            ErrorCode::kSignatureMissing);
  for (const char* footer : {"<MsgFooter/>", "<MsgFooter><Security/></MsgFooter>",
                             "<MsgFooter><Security><Signature/></Security></MsgFooter>",
                             "<MsgFooter><Security><Signature>  </Signature></Security></MsgFooter>"}) {
    std::string text = unsigned_text;
    text.replace(text.find("</MFEP>"), 7, std::string(footer) + "</MFEP>");
    EXPECT_EQ(read_bill_pull_request(text, settings(), biller_signer()).status.code, ErrorCode::kSignatureMissing)
        << footer;
  }

  std::string good = signed_xml(e);
  // Body changed after signing.
  std::string tampered = good;
  tampered.replace(tampered.find("CourseFees"), 10, "CourseFeeZ");
  EXPECT_EQ(read_bill_pull_request(tampered, settings(), biller_signer()).status.code, ErrorCode::kInvalidSignature);
  // Signed by someone else's key (here: the biller's own, which eFAWATEERcom's certificate does not match).
  auto forged = sign_message(unsigned_text, biller_signer());
  ASSERT_TRUE(forged.ok());
  EXPECT_EQ(read_bill_pull_request(*forged, settings(), biller_signer()).status.code, ErrorCode::kInvalidSignature);
  // Not Base64 at all.
  std::string garbage = good;
  std::size_t at = garbage.find("<Signature>") + 11;
  garbage.replace(at, garbage.find("</Signature>") - at, "***");
  EXPECT_EQ(read_bill_pull_request(garbage, settings(), biller_signer()).status.code, ErrorCode::kInvalidSignature);
  // The header is not signed: reformatting it or the body keeps the signature valid.
  std::string reformatted = good;
  reformatted.replace(reformatted.find("<MsgBody>"), 9, "<MsgBody>\n\n\t ");
  EXPECT_TRUE(read_bill_pull_request(reformatted, settings(), biller_signer()).ok());
}

TEST(MfepStrictness, BillPullBodyChecks) {
  auto code_of = [](std::string body) {
    Envelope e = pull_envelope();
    e.body = std::move(body);
    return pull(e).status.code;
  };
  EXPECT_EQ(code_of(pull_body()), ErrorCode::kSuccess);
  EXPECT_EQ(code_of(pull_body(nullptr)), ErrorCode::kInvalidXmlSchema);
  EXPECT_EQ(code_of(pull_body("1000000018", nullptr)), ErrorCode::kInvalidXmlSchema);
  EXPECT_EQ(code_of(pull_body("1000000018", "250", nullptr)), ErrorCode::kInvalidXmlSchema);
  EXPECT_EQ(code_of("<MsgBody><ServiceType>CourseFees</ServiceType></MsgBody>"), ErrorCode::kInvalidXmlSchema);
  EXPECT_EQ(code_of(pull_body("1000000018", "999")), ErrorCode::kInvalidBillerCode);
  EXPECT_EQ(code_of(pull_body("1000000018", "250", "WaterBill")), ErrorCode::kUnrecognisedServiceType);
  for (const char* bad : {"1000000019", "0100000018", "100000001", "10000000189", "abcdefghij", ""})
    EXPECT_EQ(code_of(pull_body(bad)), ErrorCode::kBillingNumberNotFound) << bad;
  // A known element twice is ambiguous.
  EXPECT_EQ(code_of(pull_body("1000000018", "250", "CourseFees", "<ServiceType>CourseFees</ServiceType>")),
            ErrorCode::kInvalidXmlSchema);
  // Text expected, elements found.
  EXPECT_EQ(code_of(pull_body("<x>1000000018</x>")), ErrorCode::kInvalidXmlSchema);
}

TEST(MfepStrictness, PaymentTransactionChecks) {
  EXPECT_EQ(trx_code(Trx{}), ErrorCode::kSuccess);
  auto with = [](auto change) {
    Trx t;
    change(t);
    return trx_code(t);
  };
  EXPECT_EQ(with([](Trx& t) { t.joebpps = ""; }), ErrorCode::kInvalidJoebppsTrx);
  EXPECT_EQ(with([](Trx& t) { t.joebpps = "12 34"; }), ErrorCode::kInvalidJoebppsTrx);
  EXPECT_EQ(with([](Trx& t) { t.joebpps = nullptr; }), ErrorCode::kInvalidXmlSchema);
  EXPECT_EQ(with([](Trx& t) { t.billing_no = "1000000081"; }), ErrorCode::kBillingNumberNotFound);
  EXPECT_EQ(with([](Trx& t) { t.billing_no = nullptr; }), ErrorCode::kInvalidXmlSchema);
  EXPECT_EQ(with([](Trx& t) { t.pmt_status = nullptr; }), ErrorCode::kInvalidXmlSchema);
  EXPECT_EQ(with([](Trx& t) { t.pmt_status = ""; }), ErrorCode::kInvalidXmlSchema);
  for (const char* bad : {"25.0000", "-25.000", "25,000", "", "1e3", " 25.000", "25."}) {
    EXPECT_EQ(with([bad](Trx& t) { t.paid = bad; }), ErrorCode::kInvalidPaidAmount) << bad;
    EXPECT_EQ(with([bad](Trx& t) { t.due = bad; }), ErrorCode::kInvalidDueAmount) << bad;
  }
  EXPECT_EQ(with([](Trx& t) { t.paid = "0.000"; }), ErrorCode::kInvalidPaidAmount);
  EXPECT_EQ(with([](Trx& t) { t.due = "0.000"; }), ErrorCode::kSuccess);
  EXPECT_EQ(with([](Trx& t) { t.due = nullptr; }), ErrorCode::kInvalidXmlSchema);
  for (const char* bad : {"2026-11-25", "2026-11-25T10:15", "2026-13-01T00:00:00", "25/11/2026 10:15:00"})
    EXPECT_EQ(with([bad](Trx& t) { t.process = bad; }), ErrorCode::kInvalidProcessDate) << bad;
  for (const char* bad : {"2026-11-25T00:00:00", "25/11/2026", "2026-02-29", "2026-1-5"})
    EXPECT_EQ(with([bad](Trx& t) { t.stmt = bad; }), ErrorCode::kInvalidStmtDate) << bad;
  EXPECT_EQ(with([](Trx& t) { t.stmt = "2028-02-29"; }), ErrorCode::kSuccess);  // leap year
  EXPECT_EQ(with([](Trx& t) { t.stmt = nullptr; }), ErrorCode::kInvalidXmlSchema);
  EXPECT_EQ(with([](Trx& t) { t.extra = "<ServiceTypeDetails><ServiceType>Water</ServiceType></ServiceTypeDetails>"; }),
            ErrorCode::kUnrecognisedServiceType);
  EXPECT_EQ(with([](Trx& t) { t.extra = "<Currency>USD</Currency>"; }), ErrorCode::kInvalidXmlSchema);
  EXPECT_EQ(with([](Trx& t) { t.extra = "<FeesAmt>abc</FeesAmt>"; }), ErrorCode::kInvalidXmlSchema);
  EXPECT_EQ(with([](Trx& t) { t.extra = "<BankTrxID>" + std::string(300, '7') + "</BankTrxID>"; }),
            ErrorCode::kInvalidXmlSchema);
}

TEST(MfepStrictness, ABadTransactionDoesNotSinkTheOthers) {
  Trx good_one;
  Trx bad;
  bad.joebpps = "202611250000124";
  bad.paid = "abc";
  Trx good_two;
  good_two.joebpps = "202611250000125";
  auto in = notify({good_one, bad, good_two});
  ASSERT_TRUE(in.ok());
  ASSERT_EQ(in.message->transactions.size(), 3u);
  EXPECT_TRUE(in.message->transactions[0].status.ok());
  EXPECT_EQ(in.message->transactions[1].status.code, ErrorCode::kInvalidPaidAmount);
  EXPECT_FALSE(in.message->transactions[1].transaction.has_value());
  EXPECT_EQ(in.message->transactions[1].joebpps_trx, "202611250000124");  // echoed even when refused
  EXPECT_NE(in.message->transactions[1].status.description.find("TrxInf[2]/PaidAmt"), std::string::npos)
      << in.message->transactions[1].status.description;
  EXPECT_TRUE(in.message->transactions[2].status.ok());
}

// A value quoted in an ErrorDesc is cut on a character boundary: cut inside a UTF-8 sequence, the
// answer could not be written, and eFAWATEERcom would retry the notification for ever.
TEST(MfepStrictness, AQuotedValueIsCutBetweenCharacters) {
  std::string paid = "25.";
  for (int i = 0; i < 30; ++i) paid += "\xD8\xB9";  // byte 40 falls inside a two-byte letter
  Trx bad;
  bad.paid = paid.c_str();
  auto rq = notify({bad});
  ASSERT_TRUE(rq.ok()) << rq.status.description;
  ASSERT_EQ(rq.message->transactions.size(), 1u);
  const MfepStatus& status = rq.message->transactions[0].status;
  EXPECT_EQ(status.code, ErrorCode::kInvalidPaidAmount);
  EXPECT_TRUE(core::text::decode_utf8(status.description).has_value()) << status.description;
  PaymentNotificationResponse rs;
  rs.timestamp = MfepTime{2026, 11, 25, 10, 15, 2};
  rs.guid = rq.guid;
  rs.transactions.push_back(acknowledge(rq.message->transactions[0]));
  auto text = write_payment_notification_response(rs, settings(), biller_signer());
  ASSERT_TRUE(text.ok()) << text.error().message;
  auto back = read_payment_notification_response(*text, settings(), efawateercom_signer());
  ASSERT_TRUE(back.ok()) << back.status.description;
  EXPECT_EQ(back.message->transactions[0].result.code, ErrorCode::kInvalidPaidAmount);
}

TEST(MfepStrictness, NotificationWithoutTransactionsIsRefused) {
  Envelope e;
  e.type = "BLRPMTNTFRQ";
  e.body = "<MsgBody><Transactions></Transactions></MsgBody>";
  EXPECT_EQ(read_payment_notification(signed_xml(e), settings(), biller_signer()).status.code,
            ErrorCode::kInvalidXmlSchema);
  e.body = "<MsgBody/>";
  EXPECT_EQ(read_payment_notification(signed_xml(e), settings(), biller_signer()).status.code,
            ErrorCode::kInvalidXmlSchema);
}

// ---- Untrusted bytes ----------------------------------------------------------------------------

TEST(MfepUntrusted, MalformedXmlIsInvalidSchema) {
  for (const std::string& bad :
       {std::string(""), std::string("not xml"), std::string("<MFEP>"), std::string("<MFEP><MsgHeader></MFEP>"),
        std::string("<MFEP/><MFEP/>"), std::string("<?xml version=\"1.0\"?>"), std::string("<Other/>"),
        std::string("<MFEP><MsgHeader/></MFEP>"), std::string("\0\0\0", 3)}) {
    auto in = read_bill_pull_request(bad, settings(), biller_signer());
    EXPECT_EQ(in.status.code, ErrorCode::kInvalidXmlSchema) << bad;
    EXPECT_FALSE(in.ok());
    EXPECT_FALSE(in.status.description.empty());
  }
}

TEST(MfepUntrusted, EveryTruncationIsRefusedWithoutThrowing) {
  std::string text = signed_xml(pull_envelope());
  ASSERT_TRUE(read_bill_pull_request(text, settings(), biller_signer()).ok());
  std::size_t end = text.rfind("</MFEP>");
  for (std::size_t n = 0; n < end; ++n)
    ASSERT_EQ(read_bill_pull_request(text.substr(0, n), settings(), biller_signer()).status.code,
              ErrorCode::kInvalidXmlSchema)
        << n;
}

TEST(MfepUntrusted, DoctypeIsRefused) {
  std::string good = signed_xml(pull_envelope());
  std::string xxe = good;
  xxe.replace(xxe.find("<MFEP>"), 6, "<!DOCTYPE MFEP [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<MFEP>");
  auto in = read_bill_pull_request(xxe, settings(), biller_signer());
  EXPECT_EQ(in.status.code, ErrorCode::kInvalidXmlSchema);
  EXPECT_NE(in.status.description.find("DOCTYPE"), std::string::npos) << in.status.description;

  std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>"
      "<MFEP><MsgHeader><GUID>&lol2;</GUID></MsgHeader></MFEP>";
  EXPECT_EQ(read_bill_pull_request(laughs, settings(), biller_signer()).status.code, ErrorCode::kInvalidXmlSchema);
}

TEST(MfepUntrusted, Utf16EncodedRequestIsAccepted) {
  // A .NET sender may post its XmlDocument as UTF-16 with a byte-order mark; the signed body is the same.
  std::string text = signed_xml(pull_envelope());
  text.replace(text.find("utf-8"), 5, "utf-16");
  auto in = read_bill_pull_request("\xFF\xFE" + *xml::utf16le(text), settings(), biller_signer());
  ASSERT_TRUE(in.ok()) << in.status.description;
  EXPECT_EQ(in.message->billing_no, "1000000018");
}

TEST(MfepUntrusted, OversizedInputIsRefusedBeforeParsing) {
  std::string text = signed_xml(pull_envelope());
  MfepSettings small = settings();
  small.max_message_bytes = text.size() - 1;
  auto in = read_bill_pull_request(text, small, biller_signer());
  EXPECT_EQ(in.status.code, ErrorCode::kInvalidXmlSchema);
  EXPECT_NE(in.status.description.find("bytes"), std::string::npos);
  small.max_message_bytes = text.size();
  EXPECT_TRUE(read_bill_pull_request(text, small, biller_signer()).ok());
}

// ---- Responses ----------------------------------------------------------------------------------

BillRecord course_bill() {
  BillRecord b;
  b.billing_no = "1000000018";
  b.bill_no = "1000000018";
  b.status = BillStatus::kBillNew;
  b.due_amount = core::Fils{25000};
  b.issue_date = MfepTime{2026, 11, 20, 9, 0, 0};
  b.due_date = MfepTime{2026, 11, 30, 23, 59, 59};
  b.expiry_date = MfepTime{2026, 12, 1, 0, 0, 0};
  b.service_type = "CourseFees";
  b.bill_type = BillType::kOneOff;
  b.payment_constraint = PaymentConstraint{false, core::Fils{25000}, core::Fils{25000}};
  return b;
}

TEST(MfepResponse, BillPullResponseIsSignedAndReadsBack) {
  auto rq = pull(pull_envelope());
  ASSERT_TRUE(rq.ok());
  BillPullResponse rs;
  rs.timestamp = mfep_time_at(core::Instant{std::chrono::sys_days{std::chrono::year{2026} / 11 / 25}} +
                                  std::chrono::hours{7} + std::chrono::minutes{15},
                              std::chrono::hours{3});
  rs.guid = rq.guid;
  rs.bills.push_back(course_bill());
  auto text = write_bill_pull_response(rs, settings(), biller_signer());
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_EQ(
      text->rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?><MFEP><MsgHeader><TmStp>2026-11-25T10:15:00</TmStp>", 0),
      0u)
      << *text;
  EXPECT_NE(
      text->find("<TrsInf><SdrCode>250</SdrCode><RcvCode>EFAWATEERCOM</RcvCode><ResTyp>BILPULRS</ResTyp></TrsInf>"
                 "<Result><ErrorCode>0</ErrorCode><ErrorDesc>Success</ErrorDesc><Severity>Info</Severity></Result>"),
      std::string::npos)
      << *text;
  EXPECT_NE(text->find("<PmtConst><AllowPart>false</AllowPart><Lower>25.000</Lower><Upper>25.000</Upper></PmtConst>"),
            std::string::npos);

  auto back = read_bill_pull_response(*text, settings(), efawateercom_signer());
  ASSERT_TRUE(back.ok()) << back.status.description;
  EXPECT_EQ(back.message->guid, kGuid);
  EXPECT_TRUE(back.message->result.ok());
  ASSERT_EQ(back.message->bills.size(), 1u);
  const BillRecord& b = back.message->bills[0];
  EXPECT_TRUE(b.result.ok());
  EXPECT_EQ(b.billing_no, "1000000018");
  EXPECT_EQ(b.status, BillStatus::kBillNew);
  EXPECT_EQ(b.due_amount, core::Fils{25000});
  EXPECT_EQ(b.issue_date, course_bill().issue_date);
  EXPECT_EQ(b.due_date, course_bill().due_date);
  EXPECT_EQ(b.expiry_date, course_bill().expiry_date);
  EXPECT_FALSE(b.open_date.has_value());
  EXPECT_EQ(b.bill_type, BillType::kOneOff);
  EXPECT_EQ(b.service_type, "CourseFees");
  EXPECT_FALSE(b.payment_constraint.allow_part);
  EXPECT_EQ(b.payment_constraint.upper, core::Fils{25000});

  // Whoever changes a byte of the body breaks the signature.
  std::string tampered = *text;
  tampered.replace(tampered.find("<DueAmount>25.000"), 17, "<DueAmount>2.500");
  EXPECT_EQ(read_bill_pull_response(tampered, settings(), efawateercom_signer()).status.code,
            ErrorCode::kInvalidSignature);
  // And only the biller's key signs it: eFAWATEERcom's own verifier (the vector key) refuses ours.
  EXPECT_EQ(read_bill_pull_response(*text, settings(), biller_signer()).status.code, ErrorCode::kInvalidSignature);
}

TEST(MfepResponse, RefusedBillPullCarriesTheErrorInTheHeader) {
  BillPullResponse rs;
  rs.timestamp = MfepTime{2026, 11, 25, 10, 15, 1};
  rs.guid = kGuid;
  rs.result = mfep_error(ErrorCode::kBillingNumberNotFound);
  auto text = write_bill_pull_response(rs, settings(), biller_signer());
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("<MsgBody><RecCount>0</RecCount></MsgBody>"), std::string::npos) << *text;
  EXPECT_NE(text->find("<ErrorCode>315</ErrorCode><ErrorDesc>Billing Number Not Found</ErrorDesc><Severity>Error"),
            std::string::npos);
  auto back = read_bill_pull_response(*text, settings(), efawateercom_signer());
  ASSERT_TRUE(back.ok()) << back.status.description;
  EXPECT_EQ(back.message->result.code, ErrorCode::kBillingNumberNotFound);
  EXPECT_TRUE(back.message->bills.empty());
}

TEST(MfepResponse, AnswerToARequestWithoutGuidHasAnEmptyGuid) {
  BillPullResponse rs;
  rs.timestamp = MfepTime{2026, 11, 25, 10, 15, 1};
  rs.result = mfep_error(ErrorCode::kInvalidXmlSchema, "malformed XML at byte 3");
  auto text = write_bill_pull_response(rs, settings(), biller_signer());
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("<GUID />"), std::string::npos);
  auto back = read_bill_pull_response(*text, settings(), efawateercom_signer());
  ASSERT_TRUE(back.ok()) << back.status.description;
  EXPECT_EQ(back.message->result.description, "malformed XML at byte 3");
}

TEST(MfepResponse, PaymentNotificationResponseEchoesEachTransaction) {
  Trx bad;
  bad.joebpps = "202611250000124";
  bad.stmt = "nope";
  auto rq = notify({Trx{}, bad});
  ASSERT_TRUE(rq.ok());
  PaymentNotificationResponse rs;
  rs.timestamp = MfepTime{2026, 11, 25, 10, 15, 2};
  rs.guid = rq.guid;
  for (const ReceivedTransaction& r : rq.message->transactions) rs.transactions.push_back(acknowledge(r));
  auto text = write_payment_notification_response(rs, settings(), biller_signer());
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("<TrxInf><JOEBPPSTrx>202611250000123</JOEBPPSTrx><ProcessDate>2026-11-25T10:15:00</ProcessDate>"
                       "<STMTDate>2026-11-25</STMTDate><Result><ErrorCode>0</ErrorCode>"),
            std::string::npos)
      << *text;
  auto back = read_payment_notification_response(*text, settings(), efawateercom_signer());
  ASSERT_TRUE(back.ok()) << back.status.description;
  ASSERT_EQ(back.message->transactions.size(), 2u);
  EXPECT_TRUE(back.message->transactions[0].result.ok());
  EXPECT_EQ(back.message->transactions[1].joebpps_trx, "202611250000124");
  EXPECT_EQ(back.message->transactions[1].stmt_date, "nope");
  EXPECT_EQ(back.message->transactions[1].result.code, ErrorCode::kInvalidStmtDate);
  EXPECT_NE(back.message->transactions[1].result.description.find("STMTDate"), std::string::npos);
  // A response is not a request: the biller reader refuses it.
  EXPECT_EQ(read_payment_notification(*text, settings(), biller_signer()).status.code, ErrorCode::kInvalidXmlSchema);
}

TEST(MfepResponse, ResponseFromAnotherBillerIsRefused) {
  BillPullResponse rs;
  rs.timestamp = MfepTime{2026, 11, 25, 10, 15, 1};
  rs.guid = kGuid;
  MfepSettings other = settings();
  other.biller_code = "999";
  auto text = write_bill_pull_response(rs, other, biller_signer());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(read_bill_pull_response(*text, settings(), efawateercom_signer()).status.code,
            ErrorCode::kInvalidBillerCode);
}

// ---- Small parts --------------------------------------------------------------------------------

TEST(MfepTimes, ParseAndFormat) {
  EXPECT_EQ(parse_mfep_time("2026-11-25T10:15:00"), (MfepTime{2026, 11, 25, 10, 15, 0}));
  EXPECT_EQ(format_mfep_time(MfepTime{2026, 1, 2, 3, 4, 5}), "2026-01-02T03:04:05");
  EXPECT_EQ(parse_mfep_date("2028-02-29"), (MfepDate{2028, 2, 29}));
  EXPECT_EQ(format_mfep_date(MfepDate{2026, 3, 9}), "2026-03-09");
  EXPECT_FALSE(parse_mfep_time("2026-11-25T10:15:60"));
  EXPECT_FALSE(parse_mfep_time("2026-11-25T10:15:00.123"));
  EXPECT_FALSE(parse_mfep_date("2027-02-29"));
  EXPECT_FALSE(parse_mfep_date("0000-01-01"));
  // 21:30 UTC is 00:30 the next day in Amman.
  auto t = core::Instant{std::chrono::sys_days{std::chrono::year{2026} / 12 / 31}} + std::chrono::hours{21} +
           std::chrono::minutes{30};
  EXPECT_EQ(mfep_time_at(t, std::chrono::hours{3}), (MfepTime{2027, 1, 1, 0, 30, 0}));
}

TEST(MfepCodes, DescriptionsAndEnumerations) {
  EXPECT_EQ(describe(ErrorCode::kSignatureMissing), "Signature Element Missing");
  EXPECT_EQ(describe(static_cast<ErrorCode>(9999)), "Unknown error");
  EXPECT_EQ(severity_of(ErrorCode::kSuccess), "Info");
  EXPECT_EQ(severity_of(ErrorCode::kInternalError), "Error");
  EXPECT_EQ(to_string(BillStatus::kBillPartiallyPaid), "BillPartiallyPaid");
  EXPECT_EQ(parse_bill_status("BillClosed"), BillStatus::kBillClosed);
  EXPECT_FALSE(parse_bill_status("billclosed"));
  EXPECT_EQ(parse_bill_type("Prepaid"), BillType::kPrepaid);
}

}  // namespace
}  // namespace cg::efawateercom
