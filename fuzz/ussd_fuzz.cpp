// libFuzzer target for Africa's Talking USSD requests (adapters/ussd/africastalking) and the menus
// that read their text (core/ussd_menu): the bytes are a form POST body, decoded by the gateway's
// form parser. Invariants: an accepted request has printable ids and UTF-8 text; the menus answer
// any text with a screen that fits a USSD screen and is valid UTF-8, and a repeated request (an
// aggregator's retry) gets the same answer.
#include <cstdint>
#include <string>

#include "adapters/ussd/africastalking/ussd.hpp"
#include "core/conversation.hpp"
#include "core/text.hpp"
#include "core/ussd_menu.hpp"
#include "fuzz/fuzz_support.hpp"
#include "gateway/http/message.hpp"

namespace {

cg::core::UssdSession session() {
  using namespace cg::core;
  UssdSession s;
  s.phone = "+962791234567";
  s.courses = {UssdCourse{1, "B-12", {"الخط العربي", "Arabic Calligraphy"}, Fils{25'000}},
               UssdCourse{2, "412", {"الخياطة والتفصيل", "Sewing and Tailoring"}, Fils{0}}};
  s.applications = {KnownApplication{"app", ApplicationState::awaiting_quorum, "412", s.courses[1].title}};
  s.started_at = s.updated_at = Instant{std::chrono::seconds{1'795'000'000}};
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cg;
  auto form = http::parse_form(fuzz::bytes(data, size));
  if (!form) return 0;
  ussd::africastalking::Settings settings;
  settings.key = "fuzz-key";
  (void)ussd::africastalking::authenticate(settings, "127.0.0.1", *form);
  auto request = ussd::africastalking::parse_request(*form);
  if (!request) {
    fuzz::check(request.error().code == "invalid_request", "refusal code");
    return 0;
  }
  fuzz::check(!request->session_id.empty() && core::text::is_printable(request->session_id), "sessionId");
  fuzz::check(!request->phone_number.empty() && core::text::is_printable(request->phone_number), "phoneNumber");
  fuzz::check_utf8(request->text, "text is not UTF-8");

  static const core::UssdSession start = session();
  const core::UssdLimits limits;
  const core::Instant now = start.started_at + std::chrono::seconds(5);
  core::UssdTurn turn = core::ussd_respond(start, request->text, now, limits);
  fuzz::check_utf8(turn.screen.text, "a screen that is not UTF-8");
  fuzz::check(core::ussd_fits(turn.screen.text, limits), "a screen too long for USSD");
  core::UssdTurn again = core::ussd_respond(turn.session, request->text, now, limits);
  fuzz::check(again.screen.answer() == turn.screen.answer(), "a retried request got another answer");
  fuzz::check(again.actions.empty(), "a retried request acted again");
  return 0;
}
