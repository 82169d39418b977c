// libFuzzer target for the exam system's signed webhook (adapters/exam): the bytes are the raw
// body, then after a NUL the X-Signature header. Invariants: the body's own signature verifies, a
// changed one does not, the fuzzed header verifies only if it is the body's signature; an accepted
// result has a token, a score within 0..100 when given.
#include <cstdint>
#include <string>

#include "adapters/exam/exam.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cg;
  auto [body, header] = fuzz::split_at_nul(fuzz::bytes(data, size));
  static constexpr std::string_view kSecret = "exam-test-secret";
  const std::string own = exam::sign_exam_body(kSecret, body);
  fuzz::check(exam::verify_exam_signature(kSecret, body, own).ok(), "the body's own signature refused");
  std::string changed = own;
  changed.back() = changed.back() == '0' ? '1' : '0';
  fuzz::check(!exam::verify_exam_signature(kSecret, body, changed).ok(), "a changed signature verified");
  fuzz::check(!exam::verify_exam_signature("", body, own).ok(), "an empty secret accepted");
  if (exam::verify_exam_signature(kSecret, body, header).ok()) {
    // Blanks around it, the scheme's case and the hex digits' case aside, it is the body's signature.
    std::string_view h = header;
    while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.remove_prefix(1);
    while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.remove_suffix(1);
    std::string lowered(h);
    for (char& c : lowered)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    fuzz::check(lowered == own, "a header that is not the body's signature verified");
  }
  if (auto result = exam::parse_exam_result(body)) {
    fuzz::check(!result->token.empty(), "accepted without a token");
    for (char c : result->token)
      fuzz::check((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_',
                  "accepted token outside base64url");
    if (result->score) fuzz::check(*result->score >= 0 && *result->score <= 100, "score out of 0..100");
  } else {
    const std::string& code = result.error().code;
    fuzz::check(code == "invalid_json" || code == "missing_field" || code == "invalid_field", "refusal code");
  }
  return 0;
}
