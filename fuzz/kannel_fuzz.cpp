// libFuzzer target for Kannel's callbacks (adapters/sms/kannel): the bytes are a query string or
// form as smsbox sends it, decoded by the gateway's form parser, then read as an inbound message
// and as a delivery report. Invariants: an accepted message has non-empty printable id and from
// and valid UTF-8 text; an accepted report has a positive outbox id; the charset converters give
// valid UTF-8, and UTF-16 read back encodes to the same bytes.
#include <cstdint>
#include <string>

#include "adapters/sms/kannel/inbound.hpp"
#include "adapters/sms/kannel/status.hpp"
#include "core/text.hpp"
#include "fuzz/fuzz_support.hpp"
#include "gateway/http/message.hpp"

namespace {

std::string utf16(std::string_view utf8, bool big_endian) {
  std::string out;
  auto unit = [&](char32_t u) {
    char hi = static_cast<char>(u >> 8), lo = static_cast<char>(u & 0xFF);
    out.push_back(big_endian ? hi : lo);
    out.push_back(big_endian ? lo : hi);
  };
  const std::u32string cps = cg::core::text::decode_utf8(utf8).value();
  for (char32_t c : cps) {
    if (c >= 0x10000) {
      c -= 0x10000;
      unit(0xD800 + (c >> 10));
      unit(0xDC00 + (c & 0x3FF));
    } else {
      unit(c);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cg;
  const std::string_view in = fuzz::bytes(data, size);

  for (bool big_endian : {true, false}) {
    if (auto text = sms::kannel::utf16_to_utf8(in, big_endian)) {
      fuzz::check_utf8(*text, "utf16_to_utf8 gave invalid UTF-8");
      fuzz::check(utf16(*text, big_endian) == in, "UTF-16 -> UTF-8 -> UTF-16 is not the same bytes");
    }
  }
  for (bool windows : {false, true}) fuzz::check_utf8(sms::kannel::latin1_to_utf8(in, windows), "latin1_to_utf8");

  auto params = http::parse_form(in);
  if (!params) return 0;
  if (auto msg = sms::kannel::parse_inbound(*params)) {
    fuzz::check(!msg->message_id.empty() && core::text::is_printable(msg->message_id), "accepted id");
    fuzz::check(!msg->from.empty() && core::text::is_printable(msg->from), "accepted from");
    fuzz::check(core::text::is_printable(msg->to), "accepted to");
    fuzz::check_utf8(msg->text, "accepted text is not UTF-8");
  } else {
    fuzz::check(msg.error().code == "invalid_request", "inbound refusal code");
  }
  if (auto report = sms::kannel::parse_status(*params, "kannel")) {
    fuzz::check(report->outbox_id > 0, "accepted report without a positive outbox id");
    fuzz::check_report(*report);
  }
  sms::kannel::InboundSettings settings;
  settings.key = "fuzz-key";
  (void)sms::kannel::authenticate_inbound(settings, "127.0.0.1", *params);
  return 0;
}
