#include "core/message.hpp"

#include <array>

namespace cg::core {

std::string_view to_string(Language l) { return l == Language::ar ? "ar" : "en"; }

bool parse_language(std::string_view text, Language& out) {
  if (text == "ar") {
    out = Language::ar;
    return true;
  }
  if (text == "en") {
    out = Language::en;
    return true;
  }
  return false;
}

namespace {
struct TemplateInfo {
  TemplateId id;
  std::string_view name;
  std::span<const std::string_view> params;
};

// Course details shown wherever the card says "all course details": title, code, dates, time, place.
constexpr std::array<std::string_view, 5> kCourseDetails{"title", "code", "start_at", "end_at", "location"};
constexpr std::array<std::string_view, 3> kTitleStart{"title", "code", "start_at"};
constexpr std::array<std::string_view, 2> kTitle{"title", "code"};
constexpr std::array<std::string_view, 3> kExamLink{"title", "code", "exam_link"};
constexpr std::array<std::string_view, 8> kPaymentDue{"title",          "code",   "biller_name", "biller_code",
                                                      "billing_number", "amount", "due_at",      "service_type"};
constexpr std::array<std::string_view, 3> kEvaluation{"title", "code", "evaluation_link"};
constexpr std::array<std::string_view, 3> kExpired{"title", "code", "billing_number"};
constexpr std::array<std::string_view, 4> kReminder{"title", "code", "start_at", "location"};
// SMS conversation replies.
constexpr std::array<std::string_view, 0> kNone{};
constexpr std::array<std::string_view, 1> kItems{"items"};
constexpr std::array<std::string_view, 2> kItemsCount{"items", "count"};
constexpr std::array<std::string_view, 1> kCode{"code"};
constexpr std::array<std::string_view, 4> kSummary{"title", "code", "name", "id_number"};

// Sized by its initialiser, so adding a template is one line here (static_assert below checks it).
constexpr TemplateInfo kInfo[] = {
    {TemplateId::application_received, "application_received", kTitleStart},
    {TemplateId::postponed, "postponed", kTitle},
    {TemplateId::approved, "approved", kCourseDetails},
    {TemplateId::exam_link, "exam_link", kExamLink},
    {TemplateId::exam_failed, "exam_failed", kTitle},
    {TemplateId::payment_due, "payment_due", kPaymentDue},
    {TemplateId::evaluation_link, "evaluation_link", kEvaluation},
    {TemplateId::waitlisted, "waitlisted", kTitle},
    {TemplateId::seat_offered, "seat_offered", kTitle},
    {TemplateId::expired, "expired", kExpired},
    {TemplateId::cancelled, "cancelled", kTitle},
    {TemplateId::rescheduled, "rescheduled", kCourseDetails},
    {TemplateId::reminder, "reminder", kReminder},
    {TemplateId::sms_help, "sms_help", kNone},
    {TemplateId::sms_not_understood, "sms_not_understood", kNone},
    {TemplateId::sms_courses, "sms_courses", kItems},
    {TemplateId::sms_courses_more, "sms_courses_more", kItems},
    {TemplateId::sms_no_courses, "sms_no_courses", kNone},
    {TemplateId::sms_no_more_courses, "sms_no_more_courses", kNone},
    {TemplateId::sms_unknown_course, "sms_unknown_course", kCode},
    {TemplateId::sms_already_applied, "sms_already_applied", kTitle},
    {TemplateId::sms_course_closed, "sms_course_closed", kTitle},
    {TemplateId::sms_apply_refused, "sms_apply_refused", kTitle},
    {TemplateId::sms_ask_name, "sms_ask_name", kTitle},
    {TemplateId::sms_invalid_name, "sms_invalid_name", kNone},
    {TemplateId::sms_ask_id_type, "sms_ask_id_type", kNone},
    {TemplateId::sms_ask_national_id, "sms_ask_national_id", kNone},
    {TemplateId::sms_ask_passport, "sms_ask_passport", kNone},
    {TemplateId::sms_invalid_national_id, "sms_invalid_national_id", kNone},
    {TemplateId::sms_invalid_passport, "sms_invalid_passport", kNone},
    {TemplateId::sms_confirm_national_id, "sms_confirm_national_id", kSummary},
    {TemplateId::sms_confirm_passport, "sms_confirm_passport", kSummary},
    {TemplateId::sms_dialogue_cancelled, "sms_dialogue_cancelled", kNone},
    {TemplateId::sms_dialogue_expired, "sms_dialogue_expired", kNone},
    {TemplateId::sms_status, "sms_status", kItems},
    {TemplateId::sms_no_applications, "sms_no_applications", kNone},
    {TemplateId::sms_cancel_which, "sms_cancel_which", kNone},
    {TemplateId::sms_nothing_to_cancel, "sms_nothing_to_cancel", kCode},
    {TemplateId::sms_language_set, "sms_language_set", kNone},
    {TemplateId::sms_stopped, "sms_stopped", kNone},
    {TemplateId::sms_started, "sms_started", kNone},
    {TemplateId::sms_status_more, "sms_status_more", kItemsCount},
    {TemplateId::sms_no_more_status, "sms_no_more_status", kNone},
    {TemplateId::sms_confirm_cancel, "sms_confirm_cancel", kTitle},
    {TemplateId::sms_confirm_stop, "sms_confirm_stop", kNone},
    {TemplateId::sms_not_done, "sms_not_done", kNone},
    {TemplateId::sms_which_course, "sms_which_course", kItems},
    {TemplateId::sms_which_application, "sms_which_application", kItems},
    {TemplateId::sms_did_you_mean, "sms_did_you_mean", kItems},
    {TemplateId::sms_greeting, "sms_greeting", kNone},
    {TemplateId::sms_thanks, "sms_thanks", kNone},
};
static_assert(std::size(kInfo) == std::size(kAllTemplates), "every template needs its name and parameters here");
}  // namespace

std::string_view to_string(TemplateId id) {
  for (const auto& i : kInfo)
    if (i.id == id) return i.name;
  return "unknown";
}

bool parse_template_id(std::string_view text, TemplateId& out) {
  for (const auto& i : kInfo)
    if (i.name == text) {
      out = i.id;
      return true;
    }
  return false;
}

std::span<const std::string_view> template_parameters(TemplateId id) {
  for (const auto& i : kInfo)
    if (i.id == id) return i.params;
  return {};
}

}  // namespace cg::core
