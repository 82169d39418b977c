#include "core/domain.hpp"

#include "core/names.hpp"

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
  return parse_by_name(kStateNames, text, out);
}

std::string_view to_string(CourseStatus s) { return kCourseStatusNames[static_cast<std::size_t>(s)]; }

bool parse_course_status(std::string_view text, CourseStatus& out) {
  return parse_by_name(kCourseStatusNames, text, out);
}

int Tally::active() const {
  int n = 0;
  for (auto s : kAllApplicationStates)
    if (is_active(s)) n += (*this)[s];
  return n;
}

}  // namespace cg::core
