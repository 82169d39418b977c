// The placement-exam system (card 6.3, 7.3): the link sent to an applicant, and the signed webhook
// `POST /v1/exam/results` that reports the outcome (card 6.3.1/6.3.2, 7.3.1/7.3.2).
// Trust: nothing in the body is believed before verify_exam_signature() accepted the raw bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "core/time.hpp"

namespace cg::exam {

// Checks `X-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body under the shared secret, in
// constant time. Errors: "missing_signature" (header absent/empty), "bad_signature_scheme" (not
// "sha256="), "bad_signature_hex" (not 64 hex digits), "signature_mismatch", and "no_secret" when
// the gateway was given an empty secret (never accept what anyone could sign).
Status verify_exam_signature(std::string_view secret, std::string_view raw_body, std::string_view header_value);

// The header value for `raw_body`: what the exam system sends, and what tests sign with.
std::string sign_exam_body(std::string_view secret, std::string_view raw_body);

enum class ExamOutcome { pass, fail };

struct ExamResult {
  std::string token;                        // the exam token sent in the link (22 base64url characters)
  ExamOutcome outcome = ExamOutcome::fail;  // "pass" | "fail"
  std::optional<int> score;                 // 0..100 when sent
  std::optional<core::Instant> taken_at;    // when sent
};

// Parses `{"token","result":"pass"|"fail","score"?,"taken_at"?}`. Unknown keys are ignored; an
// optional field sent as null counts as absent. Errors: "invalid_json" (not JSON / not an object),
// "missing_field" and "invalid_field", each message naming the field.
Result<ExamResult> parse_exam_result(std::string_view body);

}  // namespace cg::exam
