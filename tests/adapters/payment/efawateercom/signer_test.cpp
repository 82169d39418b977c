#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "adapters/payment/efawateercom/signer.hpp"
#include "adapters/payment/efawateercom/xml.hpp"
#include "tests/adapters/payment/efawateercom/test_support.hpp"

namespace cg::efawateercom {
namespace {

using test::vector_path;

MfepSigner vector_signer() {
  auto s = MfepSigner::load({vector_path("mfep-test.key.pem"), vector_path("mfep-test.pub.pem")});
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().message);
  return std::move(s).value();
}

TEST(MfepSignature, ReproducesEveryVector) {
  MfepSigner signer = vector_signer();
  auto cases = test::signature_vectors()["cases"];
  ASSERT_EQ(cases.size(), 3u);
  for (const auto& c : cases) {
    auto signature = signer.sign(c["msgbody"].get<std::string>());
    ASSERT_TRUE(signature.ok()) << c["name"];
    EXPECT_EQ(*signature, c["signature"].get<std::string>()) << c["name"];
  }
}

TEST(MfepSignature, VerifiesEveryVector) {
  MfepSigner signer = vector_signer();
  const nlohmann::json vectors = test::signature_vectors();  // the loop must not outlive it
  for (const auto& c : vectors["cases"])
    EXPECT_TRUE(signer.verify(c["msgbody"].get<std::string>(), c["signature"].get<std::string>())) << c["name"];
}

TEST(MfepSignature, TamperedBodyOrSignatureFails) {
  MfepSigner signer = vector_signer();
  auto c = test::signature_vectors()["cases"][1];
  std::string body = c["msgbody"];
  std::string signature = c["signature"];
  std::string tampered = body;
  tampered.replace(tampered.find("<PaidAmt>25.000"), 15, "<PaidAmt>26.000");
  EXPECT_FALSE(signer.verify(tampered, signature));
  // The same body with other whitespace is other bytes: the signature binds the compact form.
  std::string spaced = body;
  spaced.insert(spaced.find("<Transactions>"), "\n  ");
  EXPECT_FALSE(signer.verify(spaced, signature));
  // A signature of another body does not carry over.
  EXPECT_FALSE(signer.verify(body, test::signature_vectors()["cases"][0]["signature"].get<std::string>()));
  std::string flipped = signature;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(signer.verify(body, flipped));
  EXPECT_FALSE(signer.verify(body, ""));
  EXPECT_FALSE(signer.verify(body, "not base64!"));
  EXPECT_FALSE(signer.verify(body, signature.substr(0, signature.size() - 4)));
  // Line breaks a pretty-printer may put into the Base64 are not part of it.
  std::string wrapped = signature.substr(0, 64) + "\n" + signature.substr(64);
  EXPECT_TRUE(signer.verify(body, "\n  " + wrapped + "\n"));
}

TEST(MfepSignature, KeyGeneratedInTheTestSignsAndVerifies) {
  test::Key key = test::generate_rsa(2048);
  auto signer = MfepSigner::from_pem(test::private_pem(key.get()), test::public_pem(key.get()));
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  std::string body = "<MsgBody><Note>رسوم &amp; كتب</Note><Empty /></MsgBody>";
  auto signature = signer->sign(body);
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(signer->verify(body, *signature));
  EXPECT_EQ(*signer->sign(body), *signature);  // PKCS#1 v1.5 is deterministic
  EXPECT_FALSE(signer->verify("<MsgBody><Note>رسوم &amp; كتب</Note><Empty></Empty></MsgBody>", *signature));
  // Checked against an independent verifier: the test vectors' public key must refuse it.
  EXPECT_FALSE(vector_signer().verify(body, *signature));
}

TEST(MfepSignature, LoadsAnX509CertificateAsTheVerifyingKey) {
  test::Key key = test::generate_rsa(2048);
  std::string dir = std::string(CG_BINARY_DIR) + "/efawateercom_test_keys";
  std::filesystem::create_directories(dir);
  test::write_text(dir + "/peer.key.pem", test::private_pem(key.get()));
  test::write_text(dir + "/peer.crt.pem", test::certificate_pem(key.get()));
  auto peer = MfepSigner::load({dir + "/peer.key.pem", vector_path("mfep-test.pub.pem")});
  auto us = MfepSigner::load({vector_path("mfep-test.key.pem"), dir + "/peer.crt.pem"});
  ASSERT_TRUE(peer.ok()) << peer.error().message;
  ASSERT_TRUE(us.ok()) << us.error().message;
  std::string body = "<MsgBody><RecCount>0</RecCount></MsgBody>";
  EXPECT_TRUE(us->verify(body, *peer->sign(body)));
  EXPECT_FALSE(us->verify(body, *us->sign(body)));
}

TEST(MfepSignature, RefusesBadKeysWithAMessageNamingTheFile) {
  auto missing = MfepSigner::load({"/nonexistent/biller.key.pem", vector_path("mfep-test.pub.pem")});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "mfep_key");
  EXPECT_NE(missing.error().message.find("/nonexistent/biller.key.pem"), std::string::npos);

  // Public key where the private key belongs, and the other way round.
  std::string pub = test::read_text(vector_path("mfep-test.pub.pem"));
  std::string priv = test::read_text(vector_path("mfep-test.key.pem"));
  EXPECT_FALSE(MfepSigner::from_pem(pub, pub).ok());
  EXPECT_FALSE(MfepSigner::from_pem(priv, "garbage").ok());
  EXPECT_FALSE(MfepSigner::from_pem("", pub).ok());

  test::Key small = test::generate_rsa(1024);
  auto weak = MfepSigner::from_pem(test::private_pem(small.get()), pub);
  ASSERT_FALSE(weak.ok());
  EXPECT_NE(weak.error().message.find("2048"), std::string::npos);
  EXPECT_FALSE(MfepSigner::from_pem(priv, test::public_pem(small.get())).ok());
}

TEST(MfepSignature, SafeFromManyThreadsAtOnce) {
  const MfepSigner signer = vector_signer();
  auto c = test::signature_vectors()["cases"][2];
  const std::string body = c["msgbody"];
  const std::string expected = c["signature"];
  std::vector<int> good(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < good.size(); ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        auto s = signer.sign(body);
        if (s.ok() && *s == expected && signer.verify(body, expected)) ++good[t];
      }
    });
  for (auto& t : threads) t.join();
  for (int g : good) EXPECT_EQ(g, 25);
}

// ---- The compact form the signature is computed over -------------------------------------------

std::string compact_of(const std::string& xml_text, xml::EmptyElement empty = xml::EmptyElement::kSelfClosing) {
  auto doc = xml::parse(xml_text, 1 << 20);
  EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().message);
  if (!doc.ok()) return {};
  return xml::compact((*doc)->document_element(), empty);
}

TEST(MfepCompactXml, FormattedInputGivesTheVectorBodies) {
  auto cases = test::signature_vectors()["cases"];
  EXPECT_EQ(
      compact_of("<MsgBody>\n  <AcctInfo>\n    <BillingNo>1000000018</BillingNo>\n    <BillNo>1000000018</BillNo>\n"
                 "    <BillerCode>250</BillerCode>\n  </AcctInfo>\n  <ServiceType>CourseFees</ServiceType>\n"
                 "</MsgBody>\n"),
      cases[0]["msgbody"].get<std::string>());
  // `<BillNo/>`, `<BillNo></BillNo>` and `<BillNo>  </BillNo>` are all the empty element `<BillNo />`.
  for (const char* empty : {"<BillNo/>", "<BillNo></BillNo>", "<BillNo>  </BillNo>"})
    EXPECT_EQ(compact_of(std::string("<MsgBody>\r\n\t<AcctInfo><BillingNo>1000000018</BillingNo>") + empty +
                         "</AcctInfo>\r\n\t<Note>رسوم دورة &amp; كتب</Note></MsgBody>"),
              cases[2]["msgbody"].get<std::string>())
        << empty;
}

TEST(MfepCompactXml, EscapesAsDotNetWritesText) {
  EXPECT_EQ(compact_of("<a>x &lt; y &gt; z &amp; \"q\" 'a' &#x41;</a>"), "<a>x &lt; y &gt; z &amp; \"q\" 'a' A</a>");
  EXPECT_EQ(compact_of("<a><![CDATA[1 < 2 & 3]]></a>"), "<a>1 &lt; 2 &amp; 3</a>");
  EXPECT_EQ(compact_of("<a k=\"v &quot;1&quot; &amp; &lt;\">t</a>"), "<a k=\"v &quot;1&quot; &amp; &lt;\">t</a>");
  EXPECT_EQ(compact_of("<a><!-- note --><b/><?pi x?></a>"), "<a><b /></a>");
  EXPECT_EQ(compact_of("<a><b/><c> </c></a>", xml::EmptyElement::kOpenClose), "<a><b></b><c></c></a>");
  EXPECT_EQ(compact_of("<a/>"), "<a />");
}

// Found by fuzz/mfep_xml_fuzz: a tab, line feed or carriage return that arrived as a character
// reference was written raw, and read back as a space (in an attribute) or a line feed (a carriage
// return in text): the compact form did not parse back to itself, and a .NET sender, which writes
// them as references, signed other bytes than we verified.
TEST(MfepCompactXml, WhitespaceReferencesStayReferences) {
  const std::string attribute = compact_of("<a k=\"1&#x9;2&#xA;3&#xD;4 5\">t</a>");
  EXPECT_EQ(attribute, "<a k=\"1&#x9;2&#xA;3&#xD;4 5\">t</a>");
  EXPECT_EQ(compact_of(attribute), attribute);
  const std::string text = compact_of("<a>1&#xD;2&#xA;3&#x9;4</a>");
  EXPECT_EQ(text, "<a>1&#xD;2\n3\t4</a>");
  EXPECT_EQ(compact_of(text), text);
}

// Found by fuzz/mfep_xml_fuzz: text that is only white space between markup, when it came as CDATA or
// character references, was written out, and a parser drops such text: `<a><![CDATA[ ]]></a>` was
// written `<a> </a>`, which parses back as the empty element `<a />`. Adjacent text nodes are one
// run; a run of white space only is not written, and one with content is written whole.
TEST(MfepCompactXml, WhiteSpaceOnlyTextIsNotWritten) {
  EXPECT_EQ(compact_of("<a><![CDATA[ ]]></a>"), "<a />");
  EXPECT_EQ(compact_of("<a><![CDATA[]]></a>", xml::EmptyElement::kOpenClose), "<a></a>");
  EXPECT_EQ(compact_of("<a>&#xD;&#x20;</a>"), "<a />");
  EXPECT_EQ(compact_of("<a><![CDATA[ \n]]><b/><![CDATA[\t]]></a>"), "<a><b /></a>");
  // Inside a run with content, white space from CDATA stays.
  EXPECT_EQ(compact_of("<a>x<![CDATA[ ]]>y<b/></a>"), "<a>x y<b /></a>");
  EXPECT_EQ(compact_of("<a><![CDATA[ ]]>&#xD;z</a>"), "<a> &#xD;z</a>");
  for (const char* input : {"<a><![CDATA[ ]]></a>", "<a> <![CDATA[ ]]><b/>x<![CDATA[ ]]></a>", "<a>&#x20;<b/></a>"})
    for (auto form : {xml::EmptyElement::kSelfClosing, xml::EmptyElement::kOpenClose}) {
      const std::string once = compact_of(input, form);
      EXPECT_EQ(compact_of(once, form), once) << input;
    }
}

TEST(MfepCompactXml, DeepNestingDoesNotExhaustTheStack) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<d>";
  deep += "x";
  for (int i = 0; i < 100000; ++i) deep += "</d>";
  std::string out = compact_of(deep);
  EXPECT_TRUE(out == deep) << "compact output of " << out.size() << " bytes differs";
  auto doc = xml::parse(deep, 1 << 20);
  ASSERT_TRUE(doc.ok());
  EXPECT_FALSE(xml::has_empty_element((*doc)->document_element()));
}

TEST(MfepCompactXml, Utf16LittleEndianWithoutByteOrderMark) {
  EXPECT_EQ(*xml::utf16le("A"), std::string("A\0", 2));
  EXPECT_EQ(*xml::utf16le("ر"), std::string("\x31\x06", 2));                         // U+0631
  EXPECT_EQ(*xml::utf16le("\xF0\x9F\x98\x80"), std::string("\x3D\xD8\x00\xDE", 4));  // U+1F600, surrogate pair
  EXPECT_FALSE(xml::utf16le("\xC0\xAF").has_value());                                // overlong '/'
  EXPECT_FALSE(xml::utf16le("\xED\xA0\x80").has_value());                            // a surrogate
  EXPECT_FALSE(xml::utf16le("\xD8").has_value());                                    // truncated
  EXPECT_FALSE(xml::utf16le("\xF4\x90\x80\x80").has_value());                        // above U+10FFFF
}

}  // namespace
}  // namespace cg::efawateercom
