// The USSD journeys (SPEC §3: "USSD offers the same through numbered menus") as a pure function of a
// session and the aggregator's `text`: every input so far joined by '*' (Africa's Talking). Each
// request replays the whole history from the main menu, so the screen always matches what the
// phone shows, "0" goes back one screen wherever it is typed, and a retried request gets the same
// answer. Only inputs the session has not seen before can cause an action (apply, cancel), so a
// replayed history never applies twice.
//
// Screens use a compact USSD text set in both languages (below, in ussd_menu.cpp) rather than the
// SMS templates: a USSD screen is 182 GSM-7 characters, or about 80 when it holds Arabic (UCS-2),
// and every screen is fitted to that limit by shortening titles and names, never by cutting a
// menu line off.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/conversation.hpp"
#include "core/domain.hpp"

namespace cg::core {

struct UssdLimits {
  int gsm7_chars = 182;  // a screen in GSM-7
  int ucs2_chars = 80;   // a screen that holds Arabic (or anything else outside GSM-7)
};

// True when `screen` fits: GSM-7 septets (extension characters count 2) or UTF-16 units.
bool ussd_fits(std::string_view screen, const UssdLimits& limits);

// A course as the menus show it.
struct UssdCourse {
  std::int64_t id = 0;
  std::string code;
  LocalizedText title;
  Fils fee;
};

// What one USSD session knows, kept by the gateway under the aggregator's sessionId. The lists are
// taken when the session starts, so a number chosen on one screen means the same course when the
// next request replays the history.
struct UssdSession {
  std::string phone;  // E.164
  Language start_language = Language::ar;
  std::vector<UssdCourse> courses;             // open courses
  std::vector<KnownApplication> applications;  // the number's applications, newest first
  std::optional<Applicant> applicant;          // known from the number's last application
  std::size_t inputs_seen = 0;                 // inputs in the last request answered
  std::string last_text;                       // that request's text and answer, for a retry
  std::string last_answer;
  bool ended = false;  // an END was sent: the session is over
  Instant started_at{};
  Instant updated_at{};
};

struct UssdScreen {
  bool end = false;
  std::string text;  // without the "CON " / "END " prefix
  // The aggregator's answer: "CON <text>" or "END <text>".
  std::string answer() const { return (end ? "END " : "CON ") + text; }
};

struct UssdTurn {
  UssdSession session;
  UssdScreen screen;
  std::vector<Action> actions;              // ApplyAction / CancelAction, from a new input only
  std::optional<Language> language_chosen;  // the language menu was used (a new input)
  Language language = Language::ar;         // of the screen
};

// One request. The caller has checked the session is live (see ussd_expired()).
UssdTurn ussd_respond(const UssdSession& session, std::string_view text, Instant now, const UssdLimits& limits);

// The END screen when an action the menu asked for was refused by the card (`code` as in
// refusal_reply()). Each refusal the use cases return says why, naming the course when it fits:
// already applied, not taking applications, no free seat, no longer cancellable, nothing to cancel,
// a phone number the service cannot answer ("invalid_phone"). Only a code none of these expects is
// told to try later.
UssdScreen ussd_refusal(Language language, std::string_view code, std::string_view course_code,
                        const UssdLimits& limits);

// The END screen for a request whose session is unknown, over or timed out.
UssdScreen ussd_expired(Language language);

}  // namespace cg::core
