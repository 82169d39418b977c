#include "adapters/exam/exam.hpp"
#include "core/enrollment.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "adapters/crypto/crypto.hpp"

namespace cg::exam {
namespace {

nlohmann::json exam_vector() {
  std::ifstream in(std::string(CG_SOURCE_DIR) + "/tests/data/vectors/exam-hmac.json");
  if (!in) throw std::runtime_error("cannot open tests/data/vectors/exam-hmac.json");
  return nlohmann::json::parse(in);
}

// ---- signature --------------------------------------------------------------------------------

TEST(VerifyExamSignature, AcceptsTheSharedVector) {
  auto v = exam_vector();
  const auto secret = v["secret"].get<std::string>();
  const auto body = v["body"].get<std::string>();
  const auto header = v["header"].get<std::string>();
  auto s = verify_exam_signature(secret, body, header);
  EXPECT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(sign_exam_body(secret, body), header);
}

TEST(VerifyExamSignature, AcceptsUpperCaseHexSchemeCaseAndSurroundingSpace) {
  auto v = exam_vector();
  const auto secret = v["secret"].get<std::string>();
  const auto body = v["body"].get<std::string>();
  std::string hex = v["header"].get<std::string>().substr(7);
  std::string upper = hex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_TRUE(verify_exam_signature(secret, body, "sha256=" + upper).ok());
  EXPECT_TRUE(verify_exam_signature(secret, body, "SHA256=" + hex).ok());
  EXPECT_TRUE(verify_exam_signature(secret, body, "  sha256=" + hex + "\t").ok());
}

TEST(VerifyExamSignature, RefusesWithTheReason) {
  auto v = exam_vector();
  const auto secret = v["secret"].get<std::string>();
  const auto body = v["body"].get<std::string>();
  const auto header = v["header"].get<std::string>();
  const std::string hex = header.substr(7);
  std::string flipped = hex;
  flipped.back() = flipped.back() == '0' ? '1' : '0';

  struct Case {
    std::string secret, body, header, code;
  };
  const std::vector<Case> cases = {
      {secret, body, "", "missing_signature"},
      {secret, body, "   ", "missing_signature"},
      {secret, body, hex, "bad_signature_scheme"},
      {secret, body, "sha1=" + hex, "bad_signature_scheme"},
      {secret, body, "sha256:" + hex, "bad_signature_scheme"},
      {secret, body, "sha25", "bad_signature_scheme"},
      {secret, body, "sha256=", "bad_signature_hex"},
      {secret, body, "sha256=" + hex.substr(1), "bad_signature_hex"},
      {secret, body, "sha256=" + hex.substr(2), "bad_signature_hex"},
      {secret, body, "sha256=" + hex + "00", "bad_signature_hex"},
      {secret, body, "sha256=" + hex.substr(0, 63) + "g", "bad_signature_hex"},
      {secret, body, "sha256=" + crypto::base64_encode(crypto::hmac_sha256(secret, body)), "bad_signature_hex"},
      {secret, body, "sha256=" + flipped, "signature_mismatch"},
      {secret, body + " ", header, "signature_mismatch"},
      {secret, body.substr(1), header, "signature_mismatch"},
      {"exam-test-secreT", body, header, "signature_mismatch"},
      {"", body, header, "no_secret"},
      {"", body, sign_exam_body("", body), "no_secret"},
  };
  for (const auto& c : cases) {
    auto s = verify_exam_signature(c.secret, c.body, c.header);
    ASSERT_FALSE(s.ok()) << c.header;
    EXPECT_EQ(s.error().code, c.code) << c.header;
    EXPECT_FALSE(s.error().message.empty());
  }
}

// ---- parsing ----------------------------------------------------------------------------------

TEST(ParseExamResult, ReadsTheSharedVectorBody) {
  auto r = parse_exam_result(exam_vector()["body"].get<std::string>());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->token, "q7M0f3yJcJx2yW3t0b3m5A");
  EXPECT_EQ(r->outcome, ExamOutcome::pass);
  ASSERT_TRUE(r->score.has_value());
  EXPECT_EQ(*r->score, 82);
  ASSERT_TRUE(r->taken_at.has_value());
  EXPECT_EQ(core::format_iso8601_utc(*r->taken_at), "2026-11-25T09:00:00Z");
}

TEST(ParseExamResult, OptionalFieldsAndUnknownKeys) {
  auto r = parse_exam_result(R"({"result":"fail","token":"abc-DEF_123","extra":{"a":[1,2]},"attempt":2})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->token, "abc-DEF_123");
  EXPECT_EQ(r->outcome, ExamOutcome::fail);
  EXPECT_FALSE(r->score.has_value());
  EXPECT_FALSE(r->taken_at.has_value());

  r = parse_exam_result(R"({"token":"t","result":"pass","score":null,"taken_at":null})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_FALSE(r->score.has_value());
  EXPECT_FALSE(r->taken_at.has_value());

  r = parse_exam_result(R"({"token":"t","result":"pass","score":0,"taken_at":"2026-11-25T12:30:15+03:00"})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r->score, 0);
  EXPECT_EQ(core::format_iso8601_utc(*r->taken_at), "2026-11-25T09:30:15Z");

  r = parse_exam_result(R"({"token":")" + std::string(64, 'x') + R"(","result":"pass","score":100})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r->score, 100);
}

TEST(ParseExamResult, RefusesNamingTheField) {
  struct Case {
    std::string body, code, field;  // field: must appear in the message
  };
  const std::vector<Case> cases = {
      {"", "invalid_json", ""},
      {"{", "invalid_json", ""},
      {"not json", "invalid_json", ""},
      {R"({"token":"t","result":"pass"} trailing)", "invalid_json", ""},
      {R"(["token","pass"])", "invalid_json", ""},
      {R"("pass")", "invalid_json", ""},
      {"{\"token\":\"t\xff\",\"result\":\"pass\"}", "invalid_json", ""},
      {R"({"result":"pass"})", "missing_field", "token"},
      {R"({"token":null,"result":"pass"})", "missing_field", "token"},
      {R"({"token":"t"})", "missing_field", "result"},
      {R"({"token":42,"result":"pass"})", "invalid_field", "token"},
      {R"({"token":"","result":"pass"})", "invalid_field", "token"},
      {R"({"token":")" + std::string(65, 'x') + R"(","result":"pass"})", "invalid_field", "token"},
      {R"({"token":"a b","result":"pass"})", "invalid_field", "token"},
      {R"({"token":"a/b+c=","result":"pass"})", "invalid_field", "token"},
      {R"({"token":"t","result":"PASS"})", "invalid_field", "result"},
      {R"({"token":"t","result":"passed"})", "invalid_field", "result"},
      {R"({"token":"t","result":true})", "invalid_field", "result"},
      {R"({"token":"t","result":"pass","score":101})", "invalid_field", "score"},
      {R"({"token":"t","result":"pass","score":-1})", "invalid_field", "score"},
      {R"({"token":"t","result":"pass","score":82.5})", "invalid_field", "score"},
      {R"({"token":"t","result":"pass","score":82.0})", "invalid_field", "score"},
      {R"({"token":"t","result":"pass","score":"82"})", "invalid_field", "score"},
      {R"({"token":"t","result":"pass","score":18446744073709551615})", "invalid_field", "score"},
      {R"({"token":"t","result":"pass","score":-9223372036854775808})", "invalid_field", "score"},
      {R"({"token":"t","result":"pass","taken_at":"2026-11-25T09:00:00"})", "invalid_field", "taken_at"},
      {R"({"token":"t","result":"pass","taken_at":"2026-11-25"})", "invalid_field", "taken_at"},
      {R"({"token":"t","result":"pass","taken_at":"yesterday"})", "invalid_field", "taken_at"},
      {R"({"token":"t","result":"pass","taken_at":1764061200})", "invalid_field", "taken_at"},
  };
  for (const auto& c : cases) {
    auto r = parse_exam_result(c.body);
    ASSERT_FALSE(r.ok()) << c.body;
    EXPECT_EQ(r.error().code, c.code) << c.body;
    EXPECT_NE(r.error().message.find(c.field), std::string::npos) << c.body << " -> " << r.error().message;
  }
}

// ---- link -------------------------------------------------------------------------------------

TEST(ExamLink, AppendsTheTokenAsAQueryParameter) {
  struct Case {
    std::string base, token, expected;
  };
  const std::vector<Case> cases = {
      {"https://exam.example.jo/start", "q7M0f3yJcJx2yW3t0b3m5A",
       "https://exam.example.jo/start?token=q7M0f3yJcJx2yW3t0b3m5A"},
      {"https://exam.example.jo/start/", "ab-_", "https://exam.example.jo/start/?token=ab-_"},
      {"https://exam.example.jo/start?course=ENG1", "tok", "https://exam.example.jo/start?course=ENG1&token=tok"},
      {"https://exam.example.jo/start?", "tok", "https://exam.example.jo/start?token=tok"},
      {"https://exam.example.jo/start?a=1&", "tok", "https://exam.example.jo/start?a=1&token=tok"},
      {"https://exam.example.jo/start#intro", "tok", "https://exam.example.jo/start?token=tok#intro"},
      {"https://exam.example.jo/s?a=1#x", "tok", "https://exam.example.jo/s?a=1&token=tok#x"},
      {"https://exam.example.jo/s", "a b/c", "https://exam.example.jo/s?token=a%20b%2Fc"},
  };
  for (const auto& c : cases) EXPECT_EQ(core::Enrollment::exam_link(c.base, c.token), c.expected) << c.base;
}

TEST(ExamLink, CarriesARandomTokenUnchanged) {
  const std::string token = crypto::random_token128();
  EXPECT_EQ(core::Enrollment::exam_link("https://exam.example.jo/start", token),
            "https://exam.example.jo/start?token=" + token);
}

}  // namespace
}  // namespace cg::exam
