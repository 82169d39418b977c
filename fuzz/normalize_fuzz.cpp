// libFuzzer target for the text normaliser (core/normalize.cpp), which every inbound SMS and USSD
// input goes through before anything reads it. Invariants for valid UTF-8 input: the output is
// valid UTF-8, normalising again changes nothing, no upper-case ASCII, no leading, trailing or
// doubled space, none of the marks it removes; any input: no crash, detect_language agrees with
// UTF-8 validity.
#include <cstdint>
#include <string>

#include "core/conversation.hpp"
#include "core/text.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cg;
  const std::string_view in = fuzz::bytes(data, size);
  const std::string out = core::normalize_text(in);
  const auto language = core::detect_language(in);
  if (!core::is_valid_utf8(in)) {
    fuzz::check(!language, "detect_language named a language for bytes that are not UTF-8");
    return 0;
  }
  fuzz::check_utf8(out, "normalize_text made invalid UTF-8 out of valid UTF-8");
  fuzz::check(core::normalize_text(out) == out, "normalize_text is not idempotent");
  fuzz::check(out.empty() || (out.front() != ' ' && out.back() != ' '), "leading or trailing space");
  fuzz::check(out.find("  ") == std::string::npos, "doubled space");
  auto cps = core::text::decode_utf8(out);
  fuzz::check(cps.has_value(), "decode_utf8 refused what is_valid_utf8 accepted");
  for (char32_t c : *cps) {
    fuzz::check(!(c >= U'A' && c <= U'Z'), "upper-case ASCII left");
    fuzz::check(!(c >= 0x064B && c <= 0x065F) && c != 0x0640 && c != 0x200B && c != 0xFEFF, "a removed mark left");
    fuzz::check(!(c >= 0x0660 && c <= 0x0669) && !(c >= 0x06F0 && c <= 0x06F9), "an Arabic-Indic digit left");
  }
  return 0;
}
