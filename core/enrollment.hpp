// The enrollment state machine of the service card (SPEC §1), as pure functions:
// (course, application(s), event, now) -> Outcome{new values, notifications, follow-ups}.
// Nothing here reads a clock, touches a database or sends anything: the caller persists an
// Outcome in one transaction and hands its notifications to the outbox. An illegal event is
// refused with an Error and the caller changes nothing.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain.hpp"
#include "core/result.hpp"

namespace cg::core {

// Unguessable or unique identifiers the card's steps hand out; the gateway supplies them (random
// tokens, billing numbers from the store's sequence), tests supply predictable ones.
class Minter {
 public:
  virtual ~Minter() = default;
  virtual std::string exam_token() = 0;
  virtual std::string billing_number() = 0;
};

// Whether a refusal's code says the course is not taking applications (postponed, started, ended,
// not open): the SMS and USSD answers tell the applicant so, rather than to try again.
bool is_closed_course_refusal(std::string_view code);

// Rules that are the municipality's choice rather than the card's.
struct Policy {
  // How long an applicant has to pay after the billing number is sent; never past the course start.
  std::chrono::seconds payment_window = std::chrono::hours(72);
  // The reminder goes this long before the course starts.
  std::chrono::seconds reminder_before = std::chrono::hours(24);
  LocalizedText biller_name{"أمانة عمّان الكبرى", "Greater Amman Municipality"};
  std::string biller_code = "250";
  std::string service_type = "CourseFees";
};

// One SMS to send: the outbox row's content before rendering.
struct Notification {
  std::string application_id;
  std::string to;  // E.164
  Message message;
  std::string step;  // the card step that sends it ("6.3.1"), or the gateway event ("waitlisted")
};

// One line of an application's history (GET /v1/applications/{id}).
struct HistoryEntry {
  std::string application_id;
  Instant at{};
  std::optional<ApplicationState> from;  // none when the application was received
  ApplicationState to = ApplicationState::awaiting_quorum;
  std::string step;   // card step or gateway event
  std::string event;  // what happened, e.g. "exam_result:pass"
};

// A prerequisite pass to remember for the applicant (card 6.2 / 7.2 use it on later courses).
struct PrerequisitePass {
  IdType id_type = IdType::national_id;
  std::string id_number;
  std::string prerequisite;
  std::string source;  // "exam" or "operator"
};

// Work the caller must do next, in the same transaction, by loading what it names and calling
// the matching function below. Keeps core/ free of storage reads.
struct QuorumReached {  // call on_quorum() with every awaiting_quorum application of the course
  std::int64_t course_id;
};
struct SeatFreed {  // call on_seat_freed() with the course's first waitlisted application
  std::int64_t course_id;
};
using FollowUp = std::variant<QuorumReached, SeatFreed>;

struct Outcome {
  Course course;                          // the course after the event (tally, status, flags)
  std::vector<Application> applications;  // every application created or changed, as it is now
  std::vector<Notification> notifications;
  std::vector<HistoryEntry> history;
  std::vector<PrerequisitePass> passes;
  std::vector<FollowUp> follow_ups;
};

// Who asked for a cancellation.
enum class Actor { applicant, operator_ };

struct Reschedule {
  Instant start_at{};
  Instant end_at{};
  std::optional<Instant> decision_at;  // defaults to start_at
};

// A new course as an operator describes it (SPEC §5), checked before it is stored.
Result<Course> validate_new_course(Course draft);

class Enrollment {
 public:
  explicit Enrollment(Policy policy = {}) : policy_(std::move(policy)) {}
  const Policy& policy() const { return policy_; }

  // Apply (card step 4, any channel). `app` carries id, course_id, seq, applicant, channel and
  // created_at. `has_pass`: the applicant has a pass on record for the course's prerequisite.
  Result<Outcome> receive(const Course& course, Application app, bool has_pass, Instant now, Minter& minter) const;

  // Quorum: the active applications reached min_participants. `waiting` is every
  // awaiting_quorum application of the course; `has_pass[i]` belongs to waiting[i]. Each is
  // placed by card 6 / 7 in arrival order.
  Result<Outcome> on_quorum(const Course& course, std::span<const Application> waiting,
                            const std::vector<bool>& has_pass, Instant now, Minter& minter) const;

  // Card 5: decision time passed without quorum. `active` is every active application.
  Result<Outcome> on_decision_time(const Course& course, std::span<const Application> active, Instant now) const;

  // Card 6.3.1 / 6.3.2 / 7.3.1 / 7.3.2: the placement exam's result for an awaiting_exam application.
  Result<Outcome> on_exam_result(const Course& course, const Application& app, bool passed, Instant now,
                                 Minter& minter) const;

  // Card 6.2 / 7.2 after the fact: an operator recorded proof of the prerequisite for an
  // applicant whose application still awaits the exam.
  Result<Outcome> on_prerequisite_proof(const Course& course, const Application& app, Instant now,
                                        Minter& minter) const;

  // Card 7.4: the fee was received for this application's bill.
  Result<Outcome> on_fee_received(const Course& course, const Application& app, Fils paid, Instant now) const;

  // The bill's due date passed unpaid: expired, seat released.
  Result<Outcome> on_bill_due(const Course& course, const Application& app, Instant now) const;

  // Cancelled by the applicant or an operator; an active application frees its seat.
  Result<Outcome> cancel(const Course& course, const Application& app, Actor by, Instant now) const;

  // A seat is free and `first_waitlisted` is the course's earliest waitlisted application.
  Result<Outcome> on_seat_freed(const Course& course, const Application& first_waitlisted, bool has_pass, Instant now,
                                Minter& minter) const;

  // Card 8: the course was held. `confirmed` is every confirmed application.
  Result<Outcome> on_course_ended(const Course& course, std::span<const Application> confirmed, Instant now) const;

  // An operator set new dates. `live` is every active or waitlisted application; each is told.
  Result<Outcome> reschedule(const Course& course, const Reschedule& to, std::span<const Application> live,
                             Instant now) const;

  // An operator changed the capacity (none = unlimited). Lowering it below the seats already
  // taken is refused; raising it serves the waitlist.
  Result<Outcome> change_capacity(const Course& course, std::optional<int> capacity, Instant now) const;

  // The day before the course: a reminder to every confirmed applicant, once.
  Result<Outcome> remind(const Course& course, std::span<const Application> confirmed, Instant now) const;

  // The exam link of card 6.3 / 7.3 for a token: the course's exam_url with the token appended
  // as a query parameter.
  static std::string exam_link(const std::string& exam_url, const std::string& token);

 private:
  Policy policy_;
};

}  // namespace cg::core
