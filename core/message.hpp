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
};
inline constexpr TemplateId kAllTemplates[] = {
    TemplateId::application_received, TemplateId::postponed,       TemplateId::approved,
    TemplateId::exam_link,            TemplateId::exam_failed,     TemplateId::payment_due,
    TemplateId::evaluation_link,      TemplateId::waitlisted,      TemplateId::seat_offered,
    TemplateId::expired,              TemplateId::cancelled,       TemplateId::rescheduled,
    TemplateId::reminder,
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
