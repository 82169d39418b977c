#include "core/domain.hpp"

namespace cg::core {
namespace {
constexpr std::array<std::string_view, kApplicationStateCount> kStateNames{
    "awaiting_quorum", "awaiting_exam", "awaiting_payment", "confirmed", "waitlisted",
    "rejected_exam",   "expired",       "cancelled",        "attended",
};
constexpr std::array<std::string_view, 3> kCourseStatusNames{"open", "postponed", "ended"};
}  // namespace

std::string_view to_string(ApplicationState s) { return kStateNames[static_cast<std::size_t>(s)]; }

bool parse_application_state(std::string_view text, ApplicationState& out) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i)
    if (kStateNames[i] == text) {
      out = static_cast<ApplicationState>(i);
      return true;
    }
  return false;
}

std::string_view to_string(CourseStatus s) { return kCourseStatusNames[static_cast<std::size_t>(s)]; }

bool parse_course_status(std::string_view text, CourseStatus& out) {
  for (std::size_t i = 0; i < kCourseStatusNames.size(); ++i)
    if (kCourseStatusNames[i] == text) {
      out = static_cast<CourseStatus>(i);
      return true;
    }
  return false;
}

int Tally::active() const {
  int n = 0;
  for (auto s : kAllApplicationStates)
    if (is_active(s)) n += (*this)[s];
  return n;
}

}  // namespace cg::core
