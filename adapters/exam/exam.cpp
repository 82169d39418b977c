#include "adapters/exam/exam.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>

#include "adapters/crypto/crypto.hpp"

namespace cg::exam {
namespace {

constexpr std::string_view kScheme = "sha256=";
constexpr std::size_t kMaxTokenLength = 64;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Error missing(std::string_view field) {
  return make_error("missing_field", "exam result has no \"" + std::string(field) + "\"");
}
Error invalid(std::string_view field, std::string_view what) {
  return make_error("invalid_field", "exam result \"" + std::string(field) + "\" " + std::string(what));
}

}  // namespace

std::string sign_exam_body(std::string_view secret, std::string_view raw_body) {
  return std::string(kScheme) + crypto::to_hex(crypto::hmac_sha256(secret, raw_body));
}

Status verify_exam_signature(std::string_view secret, std::string_view raw_body, std::string_view header_value) {
  if (secret.empty()) return make_error("no_secret", "no exam webhook secret is configured; nothing can be verified");
  std::string_view value = trim(header_value);
  if (value.empty()) return make_error("missing_signature", "X-Signature header is missing");
  // The scheme name is compared without regard to case; the exam system writes "sha256=".
  if (value.size() < kScheme.size() || !std::equal(kScheme.begin(), kScheme.end(), value.begin(), [](char a, char b) {
        return a == (b >= 'A' && b <= 'Z' ? static_cast<char>(b - 'A' + 'a') : b);
      }))
    return make_error("bad_signature_scheme", "X-Signature must be sha256=<hex HMAC-SHA256 of the body>");
  std::string_view hex = value.substr(kScheme.size());
  auto received = crypto::from_hex(hex);
  if (!received || received->size() != 32)
    return make_error("bad_signature_hex", "X-Signature must carry 64 hexadecimal digits after sha256=");
  if (!crypto::constant_time_equal(*received, crypto::hmac_sha256(secret, raw_body)))
    return make_error("signature_mismatch", "X-Signature does not match the body");
  return ok_status();
}

Result<ExamResult> parse_exam_result(std::string_view body) {
  using nlohmann::json;
  json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return make_error("invalid_json", "exam result is not valid JSON");
  if (!doc.is_object()) return make_error("invalid_json", "exam result must be a JSON object");

  ExamResult out;

  auto token = doc.find("token");
  if (token == doc.end() || token->is_null()) return missing("token");
  if (!token->is_string()) return invalid("token", "must be a string");
  out.token = token->get<std::string>();
  if (out.token.empty()) return invalid("token", "is empty");
  if (out.token.size() > kMaxTokenLength) return invalid("token", "is longer than 64 characters");
  // Tokens are ours (crypto::random_token128, base64url): anything else cannot be one, and
  // refusing it here keeps odd bytes out of logs and queries.
  for (char c : out.token)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return invalid("token", "may contain only A-Z, a-z, 0-9, '-' and '_'");

  auto result = doc.find("result");
  if (result == doc.end() || result->is_null()) return missing("result");
  if (!result->is_string()) return invalid("result", "must be the string \"pass\" or \"fail\"");
  const auto& outcome = result->get_ref<const std::string&>();
  if (outcome == "pass") {
    out.outcome = ExamOutcome::pass;
  } else if (outcome == "fail") {
    out.outcome = ExamOutcome::fail;
  } else {
    return invalid("result", "must be \"pass\" or \"fail\"");
  }

  if (auto score = doc.find("score"); score != doc.end() && !score->is_null()) {
    // Integers only: 82.0 or "82" is a sender bug worth hearing about, not something to guess at.
    bool in_range = false;
    if (score->is_number_unsigned()) {
      in_range = score->get<std::uint64_t>() <= 100;
    } else if (score->is_number_integer()) {
      auto v = score->get<std::int64_t>();
      in_range = v >= 0 && v <= 100;
    }
    if (!in_range) return invalid("score", "must be an integer from 0 to 100");
    out.score = score->get<int>();
  }

  if (auto taken_at = doc.find("taken_at"); taken_at != doc.end() && !taken_at->is_null()) {
    if (!taken_at->is_string()) return invalid("taken_at", "must be an ISO 8601 time string with an offset");
    auto t = core::parse_iso8601(taken_at->get_ref<const std::string&>());
    if (!t) return invalid("taken_at", "must be an ISO 8601 time with an offset, like 2026-11-25T09:00:00Z");
    out.taken_at = *t;
  }
  return out;
}

}  // namespace cg::exam
