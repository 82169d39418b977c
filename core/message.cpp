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

constexpr std::array<TemplateInfo, 13> kInfo{{
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
}};
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
