// The card's nouns: Course, Applicant, Application, Bill, and the states of SPEC §1.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/applicant.hpp"
#include "core/message.hpp"
#include "core/money.hpp"
#include "core/time.hpp"

namespace cg::core {

// SPEC §1. The names are the contract (API, database, metrics).
enum class ApplicationState {
  awaiting_quorum,   // received; the course has not reached its minimum
  awaiting_exam,     // card 6.3 / 7.3: exam link sent
  awaiting_payment,  // card 7.1 / 7.2 / 7.3.1: billing number sent
  confirmed,         // card 6.1 / 6.2 / 6.3.1 / 7.4
  waitlisted,        // course full; waits for a freed seat
  rejected_exam,     // card 6.3.2 / 7.3.2
  expired,           // fee not paid by the bill's due date
  cancelled,         // by the applicant or an operator
  attended,          // card 8: the course was held
};
inline constexpr std::size_t kApplicationStateCount = 9;
inline constexpr std::array<ApplicationState, kApplicationStateCount> kAllApplicationStates{
    ApplicationState::awaiting_quorum, ApplicationState::awaiting_exam, ApplicationState::awaiting_payment,
    ApplicationState::confirmed,       ApplicationState::waitlisted,    ApplicationState::rejected_exam,
    ApplicationState::expired,         ApplicationState::cancelled,     ApplicationState::attended,
};
std::string_view to_string(ApplicationState s);
bool parse_application_state(std::string_view text, ApplicationState& out);

// Active applications count towards the course's minimum (SPEC §1, "Quorum") and hold a seat.
constexpr bool is_active(ApplicationState s) {
  return s == ApplicationState::awaiting_quorum || s == ApplicationState::awaiting_exam ||
         s == ApplicationState::awaiting_payment || s == ApplicationState::confirmed;
}
inline constexpr std::array<ApplicationState, 4> kActiveStates{
    ApplicationState::awaiting_quorum, ApplicationState::awaiting_exam, ApplicationState::awaiting_payment,
    ApplicationState::confirmed};
inline constexpr std::array<ApplicationState, 5> kLiveStates{
    ApplicationState::awaiting_quorum, ApplicationState::awaiting_exam, ApplicationState::awaiting_payment,
    ApplicationState::confirmed, ApplicationState::waitlisted};

// Live applications may still change because of the applicant, the exam, a payment or a freed seat.
constexpr bool is_live(ApplicationState s) { return is_active(s) || s == ApplicationState::waitlisted; }

enum class CourseStatus {
  open,       // taking applications; quorum may or may not be reached yet
  postponed,  // card 5: decision time passed without quorum; an operator may reschedule
  ended,      // card 8: held; evaluation links sent
};
std::string_view to_string(CourseStatus s);
bool parse_course_status(std::string_view text, CourseStatus& out);

// Applications per state, kept with the course and changed by every transition, so quorum and
// capacity are decided without counting rows.
struct Tally {
  std::array<int, kApplicationStateCount> by_state{};
  int& operator[](ApplicationState s) { return by_state[static_cast<std::size_t>(s)]; }
  int operator[](ApplicationState s) const { return by_state[static_cast<std::size_t>(s)]; }
  int active() const;
  friend bool operator==(const Tally&, const Tally&) = default;
};

struct Course {
  std::int64_t id = 0;
  std::string code;  // what applicants type: "JOIN 101"
  LocalizedText title;
  std::string location;
  Instant start_at{};
  Instant end_at{};
  Instant decision_at{};  // SPEC §1: defaults to start_at
  int min_participants = 1;
  std::optional<int> capacity;              // no capacity: everyone who applies gets a seat
  Fils fee;                                 // 0: a free course (card 6), else a paid one (card 7)
  std::optional<std::string> prerequisite;  // a prerequisite key such as "computer-basics"
  std::string exam_url;                     // placement exam; the per-application token is appended
  std::string evaluation_url;               // card 8
  CourseStatus status = CourseStatus::open;
  bool quorum_reached = false;
  bool reminder_sent = false;
  Tally tally;

  bool is_free() const { return fee.value == 0; }
  int seats_taken() const { return tally.active(); }
  bool has_free_seat() const { return !capacity || seats_taken() < *capacity; }
};

struct Applicant {
  std::string phone;  // E.164
  std::string name;
  IdType id_type = IdType::national_id;
  std::string id_number;
  std::string nationality;  // ISO 3166-1 alpha-2, may be empty
  Language language = Language::ar;
};

// The eFAWATEERcom bill of one application (SPEC §4): one billing number per application.
struct Bill {
  std::string billing_number;
  Fils amount;
  Instant issued_at{};
  Instant due_at{};
};

struct Application {
  std::string id;  // 128 random bits, hex; leaves the gateway
  std::int64_t course_id = 0;
  std::int64_t seq = 0;  // arrival order within the gateway; the waitlist is served in this order
  Applicant applicant;
  std::string channel;  // "web", "sms", "ussd"
  ApplicationState state = ApplicationState::awaiting_quorum;
  Instant created_at{};
  Instant updated_at{};
  std::optional<std::string> exam_token;  // while awaiting_exam (card 6.3 / 7.3)
  std::optional<Bill> bill;               // from awaiting_payment on (card 7.1 / 7.2 / 7.3.1)
};

}  // namespace cg::core
