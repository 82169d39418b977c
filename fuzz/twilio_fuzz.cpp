// libFuzzer target for Twilio's webhooks (adapters/sms/twilio): the bytes are a form POST body,
// decoded by the gateway's form parser, read as an inbound message and as a status callback, and
// signed. Invariants: an accepted message has a printable MessageSid and From and UTF-8 Body; an
// accepted report is well formed; the signature we compute over the form verifies, in both URL
// port forms, and a changed one does not.
#include <cstdint>
#include <string>

#include "adapters/sms/twilio/inbound.hpp"
#include "adapters/sms/twilio/status.hpp"
#include "core/text.hpp"
#include "fuzz/fuzz_support.hpp"
#include "gateway/http/message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cg;
  auto params = http::parse_form(fuzz::bytes(data, size));
  if (!params) return 0;
  if (auto msg = sms::twilio::parse_inbound(*params)) {
    fuzz::check(!msg->message_sid.empty() && core::text::is_printable(msg->message_sid), "accepted MessageSid");
    fuzz::check(!msg->from.empty() && core::text::is_printable(msg->from), "accepted From");
    fuzz::check_utf8(msg->text, "accepted Body is not UTF-8");
  } else {
    fuzz::check(msg.error().code == "invalid_request", "inbound refusal code");
  }
  if (auto report = sms::twilio::parse_status(*params, "twilio")) fuzz::check_report(*report);

  static constexpr std::string_view kToken = "12345";
  static constexpr std::string_view kUrl = "https://gateway.example.jo/v1/sms/twilio/inbound";
  const std::string signature = sms::twilio::status_signature(kToken, kUrl, *params);
  fuzz::check(sms::twilio::status_signature_valid(kToken, kUrl, *params, signature), "own signature refused");
  fuzz::check(sms::twilio::status_signature_valid(kToken, "https://gateway.example.jo:443/v1/sms/twilio/inbound",
                                                  *params, signature),
              "own signature refused over the URL with its port");
  std::string changed = signature;
  changed[0] = changed[0] == 'A' ? 'B' : 'A';
  fuzz::check(!sms::twilio::status_signature_valid(kToken, kUrl, *params, changed), "a changed signature verified");
  sms::twilio::InboundSettings settings{std::string(kToken)};
  fuzz::check(sms::twilio::authenticate_inbound(settings, kUrl, *params, signature).ok(),
              "authenticate_inbound refused our own signature");
  fuzz::check(!sms::twilio::authenticate_inbound(settings, kUrl, *params, std::nullopt).ok(),
              "authenticate_inbound accepted no signature");
  return 0;
}
