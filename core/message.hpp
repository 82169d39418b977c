// What the card says to applicants, as values: a template id, a language and named parameters.
// core/ decides *which* message and *with what*; templates/ owns the words in Arabic and English.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "core/money.hpp"
#include "core/time.hpp"

namespace cg::core {

enum class Language { ar, en };
std::string_view to_string(Language l);
// "ar" / "en"; anything else is refused.
bool parse_language(std::string_view text, Language& out);

// Every notification of the card (steps 5-8) and of the gateway around it.
enum class TemplateId {
  application_received,  // apply (any channel): received, waiting for the minimum
  postponed,             // card 5
  approved,              // card 6.1, 6.2, 6.3.1, 7.4: approved, booking confirmed, all course details
  exam_link,             // card 6.3, 7.3: link to the placement exam
  exam_failed,           // card 6.3.2, 7.3.2: cannot attend, pass mark not reached
  payment_due,           // card 7.1, 7.2, 7.3.1: eFAWATEERcom billing number to pay the fee
  evaluation_link,       // card 8: link to evaluate the course
  waitlisted,            // course full: waiting for a freed seat
  seat_offered,          // a freed seat went to this waitlisted applicant
  expired,               // fee not paid by the bill's due date; seat released
  cancelled,             // cancelled by the applicant or an operator
  rescheduled,           // an operator set new dates
  reminder,              // the day before the course starts
  // --- SMS conversation replies (SPEC §3) ---
  sms_help,                 // HELP: the keywords
  sms_not_understood,       // anything not understood: a short hint, never silence
  sms_courses,              // COURSES: the (last) page of open courses
  sms_courses_more,         // COURSES: a page with more after it (MORE)
  sms_no_courses,           // COURSES: none open
  sms_no_more_courses,      // MORE after the last page
  sms_unknown_course,       // JOIN <code>: no open course has that code
  sms_already_applied,      // JOIN <code>: this number already has a live application for it
  sms_course_closed,        // JOIN refused: postponed, started or ended
  sms_apply_refused,        // JOIN refused for another reason
  sms_ask_name,             // apply dialogue: full name
  sms_invalid_name,         // apply dialogue: the name was not accepted
  sms_ask_id_type,          // apply dialogue: national ID (Jordanians) or passport
  sms_ask_national_id,      // apply dialogue: the 10-digit national number
  sms_ask_passport,         // apply dialogue: the passport number
  sms_invalid_national_id,  // apply dialogue: not a national number
  sms_invalid_passport,     // apply dialogue: not a passport number
  sms_confirm_national_id,  // apply dialogue: summary, YES to confirm
  sms_confirm_passport,     // apply dialogue: summary, YES to confirm
  sms_dialogue_cancelled,   // CANCEL in the middle of applying
  sms_dialogue_expired,     // an answer after 30 minutes of silence
  sms_status,               // STATUS: the number's applications (the last or only page)
  sms_status_more,          // STATUS: a page with more after it (MORE), and how many more
  sms_no_more_status,       // MORE after the last page of STATUS
  sms_no_applications,      // STATUS: none
  sms_cancel_which,         // CANCEL without a code
  sms_nothing_to_cancel,    // CANCEL <code>: no live application for it
  sms_language_set,         // EN / AR
  sms_stopped,              // STOP: the one confirmation
  sms_started,              // START
  // --- free text (core/reader): confirmations and questions back ---
  sms_confirm_cancel,     // a cancel read from free text: YES/NO before the card's cancel
  sms_confirm_stop,       // a stop read from free text that is not an unmistakable stop request
  sms_not_done,           // NO to one of those: nothing changed
  sms_which_course,       // a course named by a code or title that fits several or none: the closest
  sms_which_application,  // a cancel that fits several live applications (or none): the list
  sms_did_you_mean,       // a message read with little certainty: the two or three likely meanings
  sms_greeting,           // a greeting on its own: hello back, and what can be written
  sms_thanks,             // thanks on its own: you're welcome, and what can be written
};
inline constexpr TemplateId kAllTemplates[] = {
    TemplateId::application_received,
    TemplateId::postponed,
    TemplateId::approved,
    TemplateId::exam_link,
    TemplateId::exam_failed,
    TemplateId::payment_due,
    TemplateId::evaluation_link,
    TemplateId::waitlisted,
    TemplateId::seat_offered,
    TemplateId::expired,
    TemplateId::cancelled,
    TemplateId::rescheduled,
    TemplateId::reminder,
    // SMS conversation replies
    TemplateId::sms_help,
    TemplateId::sms_not_understood,
    TemplateId::sms_courses,
    TemplateId::sms_courses_more,
    TemplateId::sms_no_courses,
    TemplateId::sms_no_more_courses,
    TemplateId::sms_unknown_course,
    TemplateId::sms_already_applied,
    TemplateId::sms_course_closed,
    TemplateId::sms_apply_refused,
    TemplateId::sms_ask_name,
    TemplateId::sms_invalid_name,
    TemplateId::sms_ask_id_type,
    TemplateId::sms_ask_national_id,
    TemplateId::sms_ask_passport,
    TemplateId::sms_invalid_national_id,
    TemplateId::sms_invalid_passport,
    TemplateId::sms_confirm_national_id,
    TemplateId::sms_confirm_passport,
    TemplateId::sms_dialogue_cancelled,
    TemplateId::sms_dialogue_expired,
    TemplateId::sms_status,
    TemplateId::sms_no_applications,
    TemplateId::sms_cancel_which,
    TemplateId::sms_nothing_to_cancel,
    TemplateId::sms_language_set,
    TemplateId::sms_stopped,
    TemplateId::sms_started,
    TemplateId::sms_status_more,
    TemplateId::sms_no_more_status,
    // free text
    TemplateId::sms_confirm_cancel,
    TemplateId::sms_confirm_stop,
    TemplateId::sms_not_done,
    TemplateId::sms_which_course,
    TemplateId::sms_which_application,
    TemplateId::sms_did_you_mean,
    TemplateId::sms_greeting,
    TemplateId::sms_thanks,
};
std::string_view to_string(TemplateId id);
bool parse_template_id(std::string_view text, TemplateId& out);

// A text that exists in both languages (a course title, the biller's name).
struct LocalizedText {
  std::string ar;
  std::string en;
  const std::string& in(Language l) const { return l == Language::ar ? ar : en; }
  friend bool operator==(const LocalizedText&, const LocalizedText&) = default;
};

// A parameter value. The renderer formats it for the message's language: Money as "25.000"
// JOD, Instant in the configured local zone (as a date, a time or both, by the placeholder's
// format), integers and digit strings with Arabic-Indic digits in Arabic texts where the
// template asks for it.
using Value = std::variant<std::string, LocalizedText, Fils, Instant, std::int64_t>;
using Params = std::map<std::string, Value, std::less<>>;

// The parameters each template is given. core/ always supplies exactly these; templates/
// refuses, at load time, a text that uses any other name.
std::span<const std::string_view> template_parameters(TemplateId id);

struct Message {
  TemplateId template_id;
  Language language;
  Params params;
};

}  // namespace cg::core
