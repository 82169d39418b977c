#include "core/enrollment.hpp"

#include <algorithm>

namespace cg::core {

bool is_closed_course_refusal(std::string_view code) {
  return code == "course_postponed" || code == "course_started" || code == "course_ended" || code == "course_not_open";
}

namespace {

Error refuse(std::string code, std::string message) { return make_error(std::move(code), std::move(message)); }

std::string state_name(ApplicationState s) { return std::string(to_string(s)); }

// Builds one Outcome: every change goes through here so the course tally, the application's
// timestamps and its history line always move together.
class Builder {
 public:
  Builder(const Course& course, Instant now) : now_(now) { out_.course = course; }

  Course& course() { return out_.course; }

  // A new application enters `to`.
  Application& admit(Application app, ApplicationState to, std::string step, std::string event) {
    app.state = to;
    app.updated_at = now_;
    ++out_.course.tally[to];
    out_.history.push_back(HistoryEntry{app.id, now_, std::nullopt, to, std::move(step), std::move(event)});
    out_.applications.push_back(std::move(app));
    return out_.applications.back();
  }

  // An existing application moves from its state to `to`.
  Application& move(const Application& current, ApplicationState to, std::string step, std::string event) {
    Application* app = find(current.id);
    if (!app) {
      out_.applications.push_back(current);
      app = &out_.applications.back();
    }
    ApplicationState from = app->state;
    --out_.course.tally[from];
    ++out_.course.tally[to];
    app->state = to;
    app->updated_at = now_;
    out_.history.push_back(HistoryEntry{app->id, now_, from, to, std::move(step), std::move(event)});
    return *app;
  }

  void notify(const Application& app, TemplateId id, Params params, std::string step) {
    out_.notifications.push_back(Notification{app.id, app.applicant.phone,
                                              Message{id, app.applicant.language, std::move(params)}, std::move(step)});
  }

  void follow_up(FollowUp f) { out_.follow_ups.push_back(f); }
  void pass(PrerequisitePass p) { out_.passes.push_back(std::move(p)); }
  Outcome done() { return std::move(out_); }

 private:
  Application* find(const std::string& id) {
    for (auto& a : out_.applications)
      if (a.id == id) return &a;
    return nullptr;
  }
  Outcome out_;
  Instant now_;
};

Params title_params(const Course& c) { return Params{{"title", c.title}, {"code", c.code}}; }

Params details_params(const Course& c) {
  return Params{
      {"title", c.title}, {"code", c.code}, {"start_at", c.start_at}, {"end_at", c.end_at}, {"location", c.location}};
}

// Frees the seat an active application held: the waitlist may move (SPEC §1).
void seat_released(Builder& b) {
  const Course& c = b.course();
  if (c.tally[ApplicationState::waitlisted] > 0 && c.has_free_seat() && c.status == CourseStatus::open)
    b.follow_up(SeatFreed{c.id});
}

}  // namespace

std::string Enrollment::exam_link(const std::string& exam_url, const std::string& token) {
  std::string_view base = exam_url;
  std::string_view fragment;
  if (auto hash = base.find('#'); hash != std::string_view::npos) {
    fragment = base.substr(hash);
    base = base.substr(0, hash);
  }
  std::string link(base);
  if (link.find('?') == std::string::npos)
    link += '?';
  else if (link.back() != '?' && link.back() != '&')
    link += '&';
  link += "token=";
  // Tokens are base64url and pass unchanged; anything else is percent-encoded so the link stays
  // one well-formed URL.
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char c : token) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '_' || c == '.' || c == '~';
    if (unreserved) {
      link += c;
    } else {
      auto byte = static_cast<unsigned char>(c);
      link += '%';
      link += kHex[byte >> 4];
      link += kHex[byte & 0x0f];
    }
  }
  link += fragment;
  return link;
}

Result<Course> validate_new_course(Course c) {
  if (c.code.empty() || c.code.size() > 16) return refuse("invalid_course", "code must be 1 to 16 characters");
  for (char ch : c.code)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '-'))
      return refuse("invalid_course", "code may hold only letters, digits and '-' (applicants type it in an SMS)");
  if (c.title.ar.empty() || c.title.en.empty()) return refuse("invalid_course", "title_ar and title_en are required");
  if (c.location.empty()) return refuse("invalid_course", "location is required");
  if (c.end_at <= c.start_at) return refuse("invalid_course", "end_at must be after start_at");
  if (c.decision_at == Instant{}) c.decision_at = c.start_at;
  if (c.decision_at > c.start_at) return refuse("invalid_course", "decision_at must not be after start_at");
  if (c.min_participants < 1) return refuse("invalid_course", "min_participants must be at least 1");
  if (c.capacity && *c.capacity < c.min_participants)
    return refuse("invalid_course", "capacity must be at least min_participants");
  if (c.fee.value < 0) return refuse("invalid_course", "fee_jod must not be negative");
  if (c.prerequisite && c.prerequisite->empty()) c.prerequisite.reset();
  if (c.prerequisite && c.exam_url.empty())
    return refuse("invalid_course", "exam_url is required for a course with a prerequisite (card 6.3 / 7.3)");
  if (c.evaluation_url.empty()) return refuse("invalid_course", "evaluation_url is required (card 8)");
  c.status = CourseStatus::open;
  c.quorum_reached = false;
  c.reminder_sent = false;
  c.tally = Tally{};
  return c;
}

// Card steps 6 and 7 for one application of a course that has reached its minimum.
// `step_with_pass` names the step when the pass is on record: 6.2 / 7.2 normally, 7.3.1 when the
// pass is the exam result that just arrived.
static void place(Builder& b, const Policy& policy, const Application& app, bool has_pass, Instant now, Minter& minter,
                  bool is_new, std::string event, const char* step_with_pass = nullptr) {
  const Course& c = b.course();
  const bool needs_prereq = c.prerequisite.has_value();
  auto enter = [&](ApplicationState to, const std::string& step) -> Application& {
    return is_new ? b.admit(app, to, step, event) : b.move(app, to, step, event);
  };
  if (needs_prereq && !has_pass) {
    // card 6.3 (free) / 7.3 (paid): no pass on record, send the placement-exam link.
    std::string step = c.is_free() ? "6.3" : "7.3";
    Application& a = enter(ApplicationState::awaiting_exam, step);
    a.exam_token = minter.exam_token();
    Params p = title_params(c);
    p.emplace("exam_link", Enrollment::exam_link(c.exam_url, *a.exam_token));
    b.notify(a, TemplateId::exam_link, std::move(p), step);
    return;
  }
  if (c.is_free()) {
    // card 6.1 (no prerequisite) / 6.2 (prerequisite, pass on record): approved, all details.
    std::string step = needs_prereq ? (step_with_pass ? step_with_pass : "6.2") : "6.1";
    Application& a = enter(ApplicationState::confirmed, step);
    b.notify(a, TemplateId::approved, details_params(c), step);
    return;
  }
  // card 7.1 (no prerequisite) / 7.2 (prerequisite, pass on record): the eFAWATEERcom number.
  std::string step = needs_prereq ? (step_with_pass ? step_with_pass : "7.2") : "7.1";
  Application& a = enter(ApplicationState::awaiting_payment, step);
  Instant due =
      std::min<Instant>(now + std::chrono::duration_cast<std::chrono::seconds>(policy.payment_window), c.start_at);
  a.bill = Bill{minter.billing_number(), c.fee, now, due};
  Params p = title_params(c);
  p.emplace("biller_name", policy.biller_name);
  p.emplace("biller_code", policy.biller_code);
  p.emplace("service_type", policy.service_type);
  p.emplace("billing_number", a.bill->billing_number);
  p.emplace("amount", a.bill->amount);
  p.emplace("due_at", a.bill->due_at);
  b.notify(a, TemplateId::payment_due, std::move(p), step);
}

Result<Outcome> Enrollment::receive(const Course& course, Application app, bool has_pass, Instant now,
                                    Minter& minter) const {
  if (app.course_id != course.id) return refuse("wrong_course", "the application is for another course");
  if (course.status == CourseStatus::postponed)
    return refuse("course_postponed", "the course is postponed and takes no applications until it is rescheduled");
  if (course.status == CourseStatus::ended) return refuse("course_ended", "the course has already been held");
  if (now >= course.start_at) return refuse("course_started", "the course has already started");
  Builder b(course, now);
  app.created_at = now;
  if (!course.has_free_seat()) {
    const Application& a = b.admit(std::move(app), ApplicationState::waitlisted, "waitlisted", "apply");
    b.notify(a, TemplateId::waitlisted, title_params(course), "waitlisted");
    return b.done();
  }
  if (course.quorum_reached) {
    // SPEC §1: after quorum, an application is evaluated by card 6 / 7 at once.
    place(b, policy_, app, has_pass, now, minter, /*is_new=*/true, "apply");
    return b.done();
  }
  const Application& a = b.admit(std::move(app), ApplicationState::awaiting_quorum, "4", "apply");
  if (b.course().tally.active() >= course.min_participants) {
    // This application completes the minimum: it is placed with all the others by on_quorum,
    // so it gets the step 6 / 7 message and not a "received" one as well.
    b.follow_up(QuorumReached{course.id});
  } else {
    Params p = title_params(course);
    p.emplace("start_at", course.start_at);
    b.notify(a, TemplateId::application_received, std::move(p), "4");
  }
  return b.done();
}

Result<Outcome> Enrollment::on_quorum(const Course& course, std::span<const Application> waiting,
                                      const std::vector<bool>& has_pass, Instant now, Minter& minter) const {
  if (course.quorum_reached) return refuse("quorum_already_reached", "the course reached its minimum before");
  if (course.status != CourseStatus::open)
    return refuse("course_not_open", "the course is " + std::string(to_string(course.status)));
  if (course.tally.active() < course.min_participants)
    return refuse("no_quorum", "the course has " + std::to_string(course.tally.active()) + " active applications of " +
                                   std::to_string(course.min_participants) + " needed");
  if (waiting.size() != has_pass.size()) return refuse("bad_call", "one has_pass flag is needed per application");
  if (static_cast<int>(waiting.size()) != course.tally[ApplicationState::awaiting_quorum])
    return refuse("bad_call", "every awaiting_quorum application of the course must be given");
  for (const auto& a : waiting)
    if (a.state != ApplicationState::awaiting_quorum || a.course_id != course.id)
      return refuse("bad_call", "application " + a.id + " is not awaiting quorum on this course");
  Builder b(course, now);
  b.course().quorum_reached = true;
  std::vector<std::size_t> order(waiting.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return waiting[x].seq < waiting[y].seq; });
  for (std::size_t i : order) place(b, policy_, waiting[i], has_pass[i], now, minter, /*is_new=*/false, "quorum");
  return b.done();
}

Result<Outcome> Enrollment::on_decision_time(const Course& course, std::span<const Application> active,
                                             Instant now) const {
  if (course.status != CourseStatus::open)
    return refuse("course_not_open", "the course is " + std::string(to_string(course.status)));
  if (course.quorum_reached) return refuse("quorum_already_reached", "the course reached its minimum; it goes ahead");
  if (now < course.decision_at) return refuse("too_early", "the course's decision time has not come");
  Builder b(course, now);
  // card 5: too few applied by decision time: the course is postponed, applications are kept.
  b.course().status = CourseStatus::postponed;
  for (const auto& a : active) {
    if (!is_active(a.state) || a.course_id != course.id)
      return refuse("bad_call", "application " + a.id + " is not active on this course");
    b.notify(a, TemplateId::postponed, title_params(course), "5");
  }
  return b.done();
}

Result<Outcome> Enrollment::on_exam_result(const Course& course, const Application& app, bool passed, Instant now,
                                           Minter& minter) const {
  if (app.course_id != course.id) return refuse("wrong_course", "the application is for another course");
  if (app.state != ApplicationState::awaiting_exam)
    return refuse("no_exam_awaited",
                  "application " + app.id + " is " + state_name(app.state) + ", not awaiting a placement exam");
  if (!course.prerequisite) return refuse("no_exam_awaited", "the course has no prerequisite");
  Builder b(course, now);
  // The token stays on the application for the audit trail; the state (no longer awaiting the
  // exam) is what makes a second result for it refused.
  const Application& current = app;
  if (passed) {
    b.pass(PrerequisitePass{app.applicant.id_type, app.applicant.id_number, *course.prerequisite, "exam"});
    if (course.is_free()) {
      // card 6.3.1: passed, free course: approved with all course details.
      Application& a = b.move(current, ApplicationState::confirmed, "6.3.1", "exam_result:pass");
      b.notify(a, TemplateId::approved, details_params(course), "6.3.1");
    } else {
      // card 7.3.1: passed, paid course: the e-payment number.
      place(b, policy_, current, /*has_pass=*/true, now, minter, /*is_new=*/false, "exam_result:pass", "7.3.1");
    }
  } else {
    // card 6.3.2 / 7.3.2: pass mark not reached: cannot attend.
    std::string step = course.is_free() ? "6.3.2" : "7.3.2";
    Application& a = b.move(current, ApplicationState::rejected_exam, step, "exam_result:fail");
    b.notify(a, TemplateId::exam_failed, title_params(course), step);
    seat_released(b);
  }
  return b.done();
}

Result<Outcome> Enrollment::on_prerequisite_proof(const Course& course, const Application& app, Instant now,
                                                  Minter& minter) const {
  if (app.course_id != course.id) return refuse("wrong_course", "the application is for another course");
  if (app.state != ApplicationState::awaiting_exam)
    return refuse("no_exam_awaited", "application " + app.id + " is " + state_name(app.state));
  Builder b(course, now);
  const Application& current = app;
  // card 6.2 / 7.2: a pass on record counts as if it had been there at quorum.
  place(b, policy_, current, /*has_pass=*/true, now, minter, /*is_new=*/false, "prerequisite_proof");
  return b.done();
}

Result<Outcome> Enrollment::on_fee_received(const Course& course, const Application& app, Fils paid,
                                            Instant now) const {
  if (app.course_id != course.id) return refuse("wrong_course", "the application is for another course");
  if (course.is_free()) return refuse("course_is_free", "the course is free; no fee is due");
  if (app.state != ApplicationState::awaiting_payment || !app.bill)
    return refuse("no_fee_due", "application " + app.id + " is " + state_name(app.state) + ", not awaiting payment");
  if (paid != app.bill->amount)
    return refuse("wrong_amount",
                  "paid " + format_jod(paid) + " JOD but " + format_jod(app.bill->amount) + " JOD is due");
  Builder b(course, now);
  // card 7.4: fee received: booking confirmed with all course details.
  Application& a = b.move(app, ApplicationState::confirmed, "7.4", "fee_received");
  b.notify(a, TemplateId::approved, details_params(course), "7.4");
  return b.done();
}

Result<Outcome> Enrollment::on_bill_due(const Course& course, const Application& app, Instant now) const {
  if (app.course_id != course.id) return refuse("wrong_course", "the application is for another course");
  if (app.state != ApplicationState::awaiting_payment || !app.bill)
    return refuse("no_fee_due", "application " + app.id + " is " + state_name(app.state) + ", not awaiting payment");
  if (now < app.bill->due_at) return refuse("too_early", "the bill is not yet due");
  Builder b(course, now);
  Application& a = b.move(app, ApplicationState::expired, "expired", "bill_due");
  Params p = title_params(course);
  p.emplace("billing_number", app.bill->billing_number);
  b.notify(a, TemplateId::expired, std::move(p), "expired");
  seat_released(b);
  return b.done();
}

Result<Outcome> Enrollment::cancel(const Course& course, const Application& app, Actor by, Instant now) const {
  if (app.course_id != course.id) return refuse("wrong_course", "the application is for another course");
  if (!is_live(app.state))
    return refuse("not_cancellable",
                  "application " + app.id + " is " + state_name(app.state) + " and cannot be cancelled");
  if (app.state == ApplicationState::confirmed && course.status == CourseStatus::ended)
    return refuse("not_cancellable", "the course has been held");
  Builder b(course, now);
  bool held_seat = is_active(app.state);
  Application& a = b.move(app, ApplicationState::cancelled, "cancelled",
                          by == Actor::applicant ? "cancel:applicant" : "cancel:operator");
  b.notify(a, TemplateId::cancelled, title_params(course), "cancelled");
  if (held_seat) seat_released(b);
  return b.done();
}

Result<Outcome> Enrollment::on_seat_freed(const Course& course, const Application& first_waitlisted, bool has_pass,
                                          Instant now, Minter& minter) const {
  if (first_waitlisted.course_id != course.id) return refuse("wrong_course", "the application is for another course");
  if (first_waitlisted.state != ApplicationState::waitlisted)
    return refuse("not_waitlisted", "application " + first_waitlisted.id + " is " + state_name(first_waitlisted.state));
  if (course.status != CourseStatus::open) return refuse("course_not_open", "the course is not open");
  if (!course.has_free_seat()) return refuse("no_free_seat", "the course has no free seat");
  Builder b(course, now);
  b.notify(first_waitlisted, TemplateId::seat_offered, title_params(course), "seat_offered");
  if (course.quorum_reached) {
    place(b, policy_, first_waitlisted, has_pass, now, minter, /*is_new=*/false, "seat_freed");
  } else {
    b.move(first_waitlisted, ApplicationState::awaiting_quorum, "seat_offered", "seat_freed");
    if (b.course().tally.active() >= course.min_participants) b.follow_up(QuorumReached{course.id});
  }
  // Another seat may still be free (several freed at once): serve the next in line too.
  if (b.course().has_free_seat() && b.course().tally[ApplicationState::waitlisted] > 0)
    b.follow_up(SeatFreed{course.id});
  return b.done();
}

Result<Outcome> Enrollment::on_course_ended(const Course& course, std::span<const Application> confirmed,
                                            Instant now) const {
  if (course.status != CourseStatus::open)
    return refuse("course_not_open", "the course is " + std::string(to_string(course.status)));
  if (!course.quorum_reached) return refuse("no_quorum", "the course never reached its minimum; it was not held");
  if (now < course.end_at) return refuse("too_early", "the course has not ended");
  if (static_cast<int>(confirmed.size()) != course.tally[ApplicationState::confirmed])
    return refuse("bad_call", "every confirmed application of the course must be given");
  Builder b(course, now);
  b.course().status = CourseStatus::ended;
  for (const auto& app : confirmed) {
    if (app.state != ApplicationState::confirmed || app.course_id != course.id)
      return refuse("bad_call", "application " + app.id + " is not confirmed on this course");
    // card 8: held: the evaluation link.
    Application& a = b.move(app, ApplicationState::attended, "8", "course_ended");
    Params p = title_params(course);
    p.emplace("evaluation_link", course.evaluation_url);
    b.notify(a, TemplateId::evaluation_link, std::move(p), "8");
  }
  return b.done();
}

Result<Outcome> Enrollment::reschedule(const Course& course, const Reschedule& to, std::span<const Application> live,
                                       Instant now) const {
  if (course.status == CourseStatus::ended) return refuse("course_ended", "the course has already been held");
  if (to.end_at <= to.start_at) return refuse("invalid_course", "end_at must be after start_at");
  if (to.start_at <= now) return refuse("invalid_course", "start_at must be in the future");
  Instant decision = to.decision_at.value_or(to.start_at);
  if (decision > to.start_at) return refuse("invalid_course", "decision_at must not be after start_at");
  if (!course.quorum_reached && decision <= now)
    return refuse("invalid_course", "decision_at must be in the future while the minimum is not reached");
  Builder b(course, now);
  Course& c = b.course();
  c.start_at = to.start_at;
  c.end_at = to.end_at;
  c.decision_at = decision;
  c.status = CourseStatus::open;  // a postponed course takes applications again
  c.reminder_sent = false;
  for (const auto& a : live) {
    if (!is_live(a.state) || a.course_id != course.id)
      return refuse("bad_call", "application " + a.id + " is not live on this course");
    b.notify(a, TemplateId::rescheduled, details_params(c), "rescheduled");
  }
  return b.done();
}

Result<Outcome> Enrollment::change_capacity(const Course& course, std::optional<int> capacity, Instant now) const {
  if (course.status == CourseStatus::ended) return refuse("course_ended", "the course has already been held");
  if (capacity && *capacity < course.min_participants)
    return refuse("invalid_course", "capacity must be at least min_participants");
  if (capacity && *capacity < course.seats_taken())
    return refuse("capacity_below_seats_taken",
                  std::to_string(course.seats_taken()) + " seats are taken; capacity cannot be lower");
  Builder b(course, now);
  b.course().capacity = capacity;
  seat_released(b);
  return b.done();
}

Result<Outcome> Enrollment::remind(const Course& course, std::span<const Application> confirmed, Instant now) const {
  if (course.status != CourseStatus::open || !course.quorum_reached)
    return refuse("course_not_open", "only a course that goes ahead gets reminders");
  if (course.reminder_sent) return refuse("already_reminded", "the reminder was sent before");
  if (now < course.start_at - policy_.reminder_before) return refuse("too_early", "the reminder is not due yet");
  if (now >= course.start_at) return refuse("too_late", "the course has started");
  Builder b(course, now);
  b.course().reminder_sent = true;
  for (const auto& a : confirmed) {
    if (a.state != ApplicationState::confirmed || a.course_id != course.id)
      return refuse("bad_call", "application " + a.id + " is not confirmed on this course");
    Params p = title_params(course);
    p.emplace("start_at", course.start_at);
    p.emplace("location", course.location);
    b.notify(a, TemplateId::reminder, std::move(p), "reminder");
  }
  return b.done();
}

}  // namespace cg::core
