// The service card, step by step (suites named Card_<step>), and every (state, event) pair.
#include <gtest/gtest.h>

#include "tests/core/card_fixture.hpp"

namespace cg::core {
namespace {

using testing::at;
using testing::CourseBook;
using testing::sample_course;
using S = ApplicationState;

const Instant kNow = at("2026-11-25T09:00:00Z");

// A course reaches its minimum of 3: the first two wait, the third completes it.
struct QuorumFlow {
  CourseBook book;
  std::vector<std::string> ids;
  explicit QuorumFlow(Course c) { book.add_course(std::move(c)); }
  void apply_three(Instant now = kNow) {
    for (int i = 1; i <= 3; ++i) ids.push_back(book.apply(1, CourseBook::person(i), now));
  }
  const Notification& last_to(const std::string& app_id) {
    const Notification* n = nullptr;
    for (const auto& x : book.sent())
      if (x.application_id == app_id) n = &x;
    EXPECT_NE(n, nullptr) << "no SMS for " << app_id;
    return *n;
  }
};

Course free_course() { return sample_course(); }
Course paid_course() {
  Course c = sample_course();
  c.fee = Fils{35000};
  return c;
}
Course with_prereq(Course c) {
  c.prerequisite = "computer-basics";
  return c;
}

TEST(Card_4, ApplicationBeforeQuorumWaitsAndIsToldItWasReceived) {
  QuorumFlow f(free_course());
  auto id = f.book.apply(1, CourseBook::person(1), kNow);
  EXPECT_EQ(f.book.app(id).state, S::awaiting_quorum);
  ASSERT_EQ(f.book.sent().size(), 1u);
  EXPECT_EQ(f.book.sent()[0].message.template_id, TemplateId::application_received);
  EXPECT_EQ(f.book.sent()[0].to, "+962791000001");
  EXPECT_EQ(f.book.course(1).tally[S::awaiting_quorum], 1);
}

TEST(Card_5, DecisionTimeWithoutQuorumPostponesAndTellsEveryActiveApplicant) {
  QuorumFlow f(free_course());
  auto a = f.book.apply(1, CourseBook::person(1), kNow);
  auto b = f.book.apply(1, CourseBook::person(2, Language::en), kNow);
  f.book.take_sent();
  const Course& c = f.book.course(1);
  auto active = f.book.where(1, is_active);
  EXPECT_EQ(f.book.run(f.book.enrollment().on_decision_time(c, active, c.decision_at - std::chrono::seconds(1)), kNow),
            "too_early");
  ASSERT_EQ(f.book.run(f.book.enrollment().on_decision_time(c, active, c.decision_at), c.decision_at), "");
  EXPECT_EQ(f.book.course(1).status, CourseStatus::postponed);
  ASSERT_EQ(f.book.sent().size(), 2u);
  for (const auto& n : f.book.sent()) {
    EXPECT_EQ(n.message.template_id, TemplateId::postponed);
    EXPECT_EQ(n.step, "5");
  }
  EXPECT_EQ(f.book.sent()[1].message.language, Language::en);
  // Applications are kept (SPEC §1) and the course takes no new ones until rescheduled.
  EXPECT_EQ(f.book.app(a).state, S::awaiting_quorum);
  EXPECT_EQ(f.book.app(b).state, S::awaiting_quorum);
  EXPECT_EQ(f.book.apply(1, CourseBook::person(3), c.decision_at), "!course_postponed");
}

TEST(Card_5, RescheduleAfterPostponementReopensAndTellsEveryone) {
  QuorumFlow f(free_course());
  f.book.apply(1, CourseBook::person(1), kNow);
  const Course& c = f.book.course(1);
  ASSERT_EQ(f.book.run(f.book.enrollment().on_decision_time(c, f.book.where(1, is_active), c.decision_at), kNow), "");
  f.book.take_sent();
  Reschedule r{at("2027-01-10T13:00:00Z"), at("2027-01-14T16:00:00Z"), std::nullopt};
  ASSERT_EQ(f.book.run(f.book.enrollment().reschedule(f.book.course(1), r, f.book.where(1, is_live), c.decision_at),
                       c.decision_at),
            "");
  EXPECT_EQ(f.book.course(1).status, CourseStatus::open);
  EXPECT_EQ(f.book.course(1).decision_at, r.start_at);
  ASSERT_EQ(f.book.sent().size(), 1u);
  EXPECT_EQ(f.book.sent()[0].message.template_id, TemplateId::rescheduled);
  EXPECT_EQ(std::get<Instant>(f.book.sent()[0].message.params.at("start_at")), r.start_at);
}

TEST(Card_6_1, FreeCourseWithoutPrerequisiteApprovesEveryoneAtQuorum) {
  QuorumFlow f(free_course());
  f.apply_three();
  for (const auto& id : f.ids) {
    EXPECT_EQ(f.book.app(id).state, S::confirmed);
    const auto& n = f.last_to(id);
    EXPECT_EQ(n.message.template_id, TemplateId::approved);
    EXPECT_EQ(n.step, "6.1");
    for (auto name : template_parameters(TemplateId::approved)) EXPECT_TRUE(n.message.params.count(name)) << name;
  }
  // The third applicant completed the minimum: one approval, no "received" SMS as well.
  int to_third = 0;
  for (const auto& n : f.book.sent()) to_third += n.application_id == f.ids[2];
  EXPECT_EQ(to_third, 1);
  EXPECT_TRUE(f.book.course(1).quorum_reached);
  // After quorum, a new application is evaluated at once.
  auto late = f.book.apply(1, CourseBook::person(4), kNow);
  EXPECT_EQ(f.book.app(late).state, S::confirmed);
  EXPECT_EQ(f.last_to(late).step, "6.1");
}

TEST(Card_6_2, FreeCourseWithPassOnRecordApprovesWithoutExam) {
  QuorumFlow f(with_prereq(free_course()));
  f.book.record_pass(CourseBook::person(1), "computer-basics");
  f.apply_three();
  EXPECT_EQ(f.book.app(f.ids[0]).state, S::confirmed);
  EXPECT_EQ(f.last_to(f.ids[0]).step, "6.2");
  EXPECT_EQ(f.last_to(f.ids[0]).message.template_id, TemplateId::approved);
  EXPECT_EQ(f.book.app(f.ids[1]).state, S::awaiting_exam);
}

TEST(Card_6_2, OperatorProofOfPrerequisiteApprovesAnApplicationAwaitingTheExam) {
  QuorumFlow f(with_prereq(free_course()));
  f.apply_three();
  const auto& app = f.book.app(f.ids[0]);
  ASSERT_EQ(app.state, S::awaiting_exam);
  ASSERT_EQ(f.book.run(f.book.enrollment().on_prerequisite_proof(f.book.course(1), app, kNow, f.book.minter()), kNow),
            "");
  EXPECT_EQ(f.book.app(f.ids[0]).state, S::confirmed);
  EXPECT_EQ(f.last_to(f.ids[0]).step, "6.2");
}

TEST(Card_6_3, FreeCourseWithoutPassSendsTheExamLinkWithAPerApplicationToken) {
  QuorumFlow f(with_prereq(free_course()));
  f.apply_three();
  std::set<std::string> tokens;
  for (const auto& id : f.ids) {
    const auto& a = f.book.app(id);
    EXPECT_EQ(a.state, S::awaiting_exam);
    ASSERT_TRUE(a.exam_token.has_value());
    tokens.insert(*a.exam_token);
    const auto& n = f.last_to(id);
    EXPECT_EQ(n.message.template_id, TemplateId::exam_link);
    EXPECT_EQ(n.step, "6.3");
    EXPECT_EQ(std::get<std::string>(n.message.params.at("exam_link")),
              "https://exam.amman.jo/placement?token=" + *a.exam_token);
  }
  EXPECT_EQ(tokens.size(), 3u);
}

TEST(Card_6_3_1, ExamPassedOnFreeCourseApprovesAndRemembersThePass) {
  QuorumFlow f(with_prereq(free_course()));
  f.apply_three();
  const auto& app = f.book.app(f.ids[0]);
  ASSERT_EQ(f.book.run(f.book.enrollment().on_exam_result(f.book.course(1), app, true, kNow, f.book.minter()), kNow),
            "");
  EXPECT_EQ(f.book.app(f.ids[0]).state, S::confirmed);
  EXPECT_EQ(f.last_to(f.ids[0]).step, "6.3.1");
  EXPECT_EQ(f.last_to(f.ids[0]).message.template_id, TemplateId::approved);
  // The pass counts for a later course with the same prerequisite (card 6.2 / 7.2).
  Course next = with_prereq(paid_course());
  next.id = 2;
  next.min_participants = 1;
  f.book.add_course(next);
  auto later = f.book.apply(2, CourseBook::person(1), kNow);
  EXPECT_EQ(f.book.app(later).state, S::awaiting_payment);
  EXPECT_EQ(f.last_to(later).step, "7.2");
}

TEST(Card_6_3_2, ExamFailedOnFreeCourseCannotAttend) {
  QuorumFlow f(with_prereq(free_course()));
  f.apply_three();
  const auto& app = f.book.app(f.ids[1]);
  ASSERT_EQ(f.book.run(f.book.enrollment().on_exam_result(f.book.course(1), app, false, kNow, f.book.minter()), kNow),
            "");
  EXPECT_EQ(f.book.app(f.ids[1]).state, S::rejected_exam);
  EXPECT_EQ(f.last_to(f.ids[1]).message.template_id, TemplateId::exam_failed);
  EXPECT_EQ(f.last_to(f.ids[1]).step, "6.3.2");
  // The token answers one result only.
  EXPECT_EQ(f.book.run(
                f.book.enrollment().on_exam_result(f.book.course(1), f.book.app(f.ids[1]), true, kNow, f.book.minter()),
                kNow),
            "no_exam_awaited");
}

TEST(Card_7_1, PaidCourseWithoutPrerequisiteSendsTheBillingNumber) {
  QuorumFlow f(paid_course());
  f.apply_three();
  for (const auto& id : f.ids) {
    const auto& a = f.book.app(id);
    EXPECT_EQ(a.state, S::awaiting_payment);
    ASSERT_TRUE(a.bill.has_value());
    EXPECT_EQ(a.bill->amount, Fils{35000});
    EXPECT_EQ(a.bill->due_at, kNow + std::chrono::hours(72));
    const auto& n = f.last_to(id);
    EXPECT_EQ(n.message.template_id, TemplateId::payment_due);
    EXPECT_EQ(n.step, "7.1");
    EXPECT_EQ(std::get<std::string>(n.message.params.at("billing_number")), a.bill->billing_number);
    EXPECT_EQ(std::get<Fils>(n.message.params.at("amount")), Fils{35000});
    EXPECT_EQ(std::get<std::string>(n.message.params.at("biller_code")), "250");
  }
}

TEST(Card_7_1, BillIsNeverDueAfterTheCourseStarts) {
  Course c = paid_course();
  QuorumFlow f(c);
  Instant late = c.start_at - std::chrono::hours(5);
  f.apply_three(late);
  EXPECT_EQ(f.book.app(f.ids[0]).bill->due_at, c.start_at);
}

TEST(Card_7_2, PaidCourseWithPassOnRecordSendsTheBillingNumber) {
  QuorumFlow f(with_prereq(paid_course()));
  f.book.record_pass(CourseBook::person(2), "computer-basics");
  f.apply_three();
  EXPECT_EQ(f.book.app(f.ids[1]).state, S::awaiting_payment);
  EXPECT_EQ(f.last_to(f.ids[1]).step, "7.2");
  EXPECT_EQ(f.book.app(f.ids[0]).state, S::awaiting_exam);
}

TEST(Card_7_3, PaidCourseWithoutPassSendsTheExamLink) {
  QuorumFlow f(with_prereq(paid_course()));
  f.apply_three();
  EXPECT_EQ(f.book.app(f.ids[2]).state, S::awaiting_exam);
  EXPECT_EQ(f.last_to(f.ids[2]).step, "7.3");
  EXPECT_EQ(f.last_to(f.ids[2]).message.template_id, TemplateId::exam_link);
  EXPECT_FALSE(f.book.app(f.ids[2]).bill.has_value());
}

TEST(Card_7_3_1, ExamPassedOnPaidCourseSendsTheBillingNumber) {
  QuorumFlow f(with_prereq(paid_course()));
  f.apply_three();
  ASSERT_EQ(f.book.run(
                f.book.enrollment().on_exam_result(f.book.course(1), f.book.app(f.ids[0]), true, kNow, f.book.minter()),
                kNow),
            "");
  EXPECT_EQ(f.book.app(f.ids[0]).state, S::awaiting_payment);
  EXPECT_TRUE(f.book.app(f.ids[0]).bill.has_value());
  EXPECT_EQ(f.last_to(f.ids[0]).step, "7.3.1");
  EXPECT_EQ(f.last_to(f.ids[0]).message.template_id, TemplateId::payment_due);
  EXPECT_EQ(f.book.history().back().step, "7.3.1");
}

TEST(Card_7_3_2, ExamFailedOnPaidCourseCannotAttendAndIsNotBilled) {
  QuorumFlow f(with_prereq(paid_course()));
  f.apply_three();
  ASSERT_EQ(f.book.run(f.book.enrollment().on_exam_result(f.book.course(1), f.book.app(f.ids[0]), false, kNow,
                                                          f.book.minter()),
                       kNow),
            "");
  EXPECT_EQ(f.book.app(f.ids[0]).state, S::rejected_exam);
  EXPECT_FALSE(f.book.app(f.ids[0]).bill.has_value());
  EXPECT_EQ(f.last_to(f.ids[0]).step, "7.3.2");
  EXPECT_EQ(f.last_to(f.ids[0]).message.template_id, TemplateId::exam_failed);
}

TEST(Card_7_4, FeeReceivedConfirmsTheBookingWithAllDetails) {
  QuorumFlow f(paid_course());
  f.apply_three();
  const auto& app = f.book.app(f.ids[0]);
  EXPECT_EQ(f.book.run(f.book.enrollment().on_fee_received(f.book.course(1), app, Fils{34999}, kNow), kNow),
            "wrong_amount");
  ASSERT_EQ(f.book.run(f.book.enrollment().on_fee_received(f.book.course(1), app, Fils{35000}, kNow), kNow), "");
  EXPECT_EQ(f.book.app(f.ids[0]).state, S::confirmed);
  EXPECT_EQ(f.last_to(f.ids[0]).step, "7.4");
  EXPECT_EQ(f.last_to(f.ids[0]).message.template_id, TemplateId::approved);
  // A second payment for the same bill is not a second confirmation.
  EXPECT_EQ(
      f.book.run(f.book.enrollment().on_fee_received(f.book.course(1), f.book.app(f.ids[0]), Fils{35000}, kNow), kNow),
      "no_fee_due");
}

TEST(Card_8, CourseEndSendsTheEvaluationLinkToEveryConfirmedApplicant) {
  QuorumFlow f(paid_course());
  f.apply_three();
  ASSERT_EQ(
      f.book.run(f.book.enrollment().on_fee_received(f.book.course(1), f.book.app(f.ids[0]), Fils{35000}, kNow), kNow),
      "");
  f.book.take_sent();
  const Course& c = f.book.course(1);
  auto confirmed = f.book.in_state(1, S::confirmed);
  EXPECT_EQ(f.book.run(f.book.enrollment().on_course_ended(c, confirmed, c.end_at - std::chrono::seconds(1)), kNow),
            "too_early");
  ASSERT_EQ(f.book.run(f.book.enrollment().on_course_ended(c, confirmed, c.end_at), c.end_at), "");
  EXPECT_EQ(f.book.app(f.ids[0]).state, S::attended);
  EXPECT_EQ(f.book.course(1).status, CourseStatus::ended);
  ASSERT_EQ(f.book.sent().size(), 1u);
  EXPECT_EQ(f.book.sent()[0].message.template_id, TemplateId::evaluation_link);
  EXPECT_EQ(f.book.sent()[0].step, "8");
  EXPECT_EQ(std::get<std::string>(f.book.sent()[0].message.params.at("evaluation_link")), "https://amman.jo/eval/101");
  // Unpaid applicants did not attend.
  EXPECT_EQ(f.book.app(f.ids[1]).state, S::awaiting_payment);
  // A course is held once.
  EXPECT_EQ(f.book.run(f.book.enrollment().on_course_ended(f.book.course(1), {}, c.end_at), c.end_at),
            "course_not_open");
}

TEST(Capacity, FullCourseWaitlistsAndAFreedSeatGoesToTheFirstInLine) {
  Course c = free_course();
  c.capacity = 3;
  QuorumFlow f(c);
  f.apply_three();
  auto w1 = f.book.apply(1, CourseBook::person(4), kNow);
  auto w2 = f.book.apply(1, CourseBook::person(5), kNow);
  EXPECT_EQ(f.book.app(w1).state, S::waitlisted);
  EXPECT_EQ(f.last_to(w1).message.template_id, TemplateId::waitlisted);
  ASSERT_EQ(
      f.book.run(f.book.enrollment().cancel(f.book.course(1), f.book.app(f.ids[0]), Actor::applicant, kNow), kNow), "");
  EXPECT_EQ(f.book.app(f.ids[0]).state, S::cancelled);
  EXPECT_EQ(f.book.app(w1).state, S::confirmed);
  EXPECT_EQ(f.book.app(w2).state, S::waitlisted);
  // The first in line is told a seat was offered, then gets the card's approval.
  std::vector<TemplateId> to_w1;
  for (const auto& n : f.book.sent())
    if (n.application_id == w1) to_w1.push_back(n.message.template_id);
  EXPECT_EQ(to_w1, (std::vector<TemplateId>{TemplateId::waitlisted, TemplateId::seat_offered, TemplateId::approved}));
  EXPECT_EQ(f.book.course(1).tally[S::confirmed], 3);
  EXPECT_EQ(f.book.course(1).tally[S::waitlisted], 1);
}

TEST(Capacity, ExpiredBillReleasesTheSeat) {
  Course c = paid_course();
  c.capacity = 3;
  QuorumFlow f(c);
  f.apply_three();
  auto w = f.book.apply(1, CourseBook::person(4), kNow);
  const auto& app = f.book.app(f.ids[1]);
  EXPECT_EQ(f.book.run(f.book.enrollment().on_bill_due(f.book.course(1), app, kNow), kNow), "too_early");
  Instant due = app.bill->due_at;
  ASSERT_EQ(f.book.run(f.book.enrollment().on_bill_due(f.book.course(1), app, due), due), "");
  EXPECT_EQ(f.book.app(f.ids[1]).state, S::expired);
  EXPECT_EQ(f.last_to(f.ids[1]).message.template_id, TemplateId::expired);
  EXPECT_EQ(f.book.app(w).state, S::awaiting_payment);
  EXPECT_EQ(f.last_to(w).message.template_id, TemplateId::payment_due);
}

TEST(Quorum, CancelBeforeQuorumLowersTheCount) {
  Course c = free_course();
  c.capacity = 3;
  c.min_participants = 3;
  QuorumFlow f(c);
  auto a = f.book.apply(1, CourseBook::person(1), kNow);
  f.book.apply(1, CourseBook::person(2), kNow);
  // Capacity 3 with 2 active: the third completes the minimum, so nobody waits yet.
  ASSERT_EQ(f.book.run(f.book.enrollment().cancel(f.book.course(1), f.book.app(a), Actor::operator_, kNow), kNow), "");
  EXPECT_EQ(f.book.course(1).tally.active(), 1);
  EXPECT_FALSE(f.book.course(1).quorum_reached);
}

TEST(Capacity, RaisingCapacityServesTheWaitlistInOrderAndLoweringBelowSeatsIsRefused) {
  Course c = free_course();
  c.min_participants = 2;
  c.capacity = 3;
  QuorumFlow f(c);
  f.apply_three();
  auto w1 = f.book.apply(1, CourseBook::person(4), kNow);
  auto w2 = f.book.apply(1, CourseBook::person(5), kNow);
  EXPECT_EQ(f.book.run(f.book.enrollment().change_capacity(f.book.course(1), 1, kNow), kNow), "invalid_course");
  auto w3 = f.book.apply(1, CourseBook::person(6), kNow);
  EXPECT_EQ(f.book.run(f.book.enrollment().change_capacity(f.book.course(1), 2, kNow), kNow),
            "capacity_below_seats_taken");
  EXPECT_EQ(f.book.course(1).capacity, 3);
  ASSERT_EQ(f.book.run(f.book.enrollment().change_capacity(f.book.course(1), 5, kNow), kNow), "");
  EXPECT_EQ(f.book.app(w1).state, S::confirmed);
  EXPECT_EQ(f.book.app(w2).state, S::confirmed);
  EXPECT_EQ(f.book.app(w3).state, S::waitlisted);
  ASSERT_EQ(f.book.run(f.book.enrollment().change_capacity(f.book.course(1), std::nullopt, kNow), kNow), "");
  EXPECT_EQ(f.book.app(w3).state, S::confirmed);
  EXPECT_EQ(f.book.course(1).tally[S::waitlisted], 0);
}

TEST(Reminder, TheDayBeforeOnceToConfirmedApplicants) {
  QuorumFlow f(free_course());
  f.apply_three();
  f.book.take_sent();
  const Course& c = f.book.course(1);
  auto confirmed = f.book.in_state(1, S::confirmed);
  EXPECT_EQ(f.book.run(f.book.enrollment().remind(c, confirmed, c.start_at - std::chrono::hours(25)), kNow),
            "too_early");
  Instant t = c.start_at - std::chrono::hours(23);
  ASSERT_EQ(f.book.run(f.book.enrollment().remind(c, confirmed, t), t), "");
  EXPECT_EQ(f.book.sent().size(), 3u);
  EXPECT_EQ(f.book.run(f.book.enrollment().remind(f.book.course(1), confirmed, t), t), "already_reminded");
}

TEST(Quorum, ASecondQuorumIsRefused) {
  QuorumFlow f(free_course());
  f.apply_three();
  const Course& c = f.book.course(1);
  auto r = f.book.enrollment().on_quorum(c, {}, {}, kNow, f.book.minter());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "quorum_already_reached");
}

TEST(Quorum, CountsOnlyActiveApplications) {
  Course c = free_course();
  c.min_participants = 2;
  QuorumFlow f(c);
  auto a = f.book.apply(1, CourseBook::person(1), kNow);
  ASSERT_EQ(f.book.run(f.book.enrollment().cancel(f.book.course(1), f.book.app(a), Actor::applicant, kNow), kNow), "");
  f.book.apply(1, CourseBook::person(2), kNow);
  EXPECT_FALSE(f.book.course(1).quorum_reached);
  f.book.apply(1, CourseBook::person(3), kNow);
  EXPECT_TRUE(f.book.course(1).quorum_reached);
}

TEST(Apply, RefusedAfterTheCourseStarted) {
  QuorumFlow f(free_course());
  EXPECT_EQ(f.book.apply(1, CourseBook::person(1), f.book.course(1).start_at), "!course_started");
  EXPECT_EQ(f.book.course(1).tally.active(), 0);
}

TEST(Course, ValidationRefusesInconsistentCourses) {
  auto expect_refused = [](Course c, const char* why) {
    auto r = validate_new_course(std::move(c));
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_EQ(r.error().code, "invalid_course") << why;
  };
  Course c = free_course();
  c.end_at = c.start_at;
  expect_refused(c, "end before start");
  c = free_course();
  c.min_participants = 0;
  expect_refused(c, "no minimum");
  c = free_course();
  c.capacity = 2;
  expect_refused(c, "capacity below minimum");
  c = with_prereq(free_course());
  c.exam_url.clear();
  expect_refused(c, "prerequisite without exam");
  c = free_course();
  c.code = "10 1";
  expect_refused(c, "space in code");
  c = free_course();
  c.decision_at = c.start_at + std::chrono::hours(1);
  expect_refused(c, "decision after start");
  c = free_course();
  c.decision_at = Instant{};
  auto ok = validate_new_course(c);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->decision_at, c.start_at);
}

// Every application event against every state. Legal events move to the expected state;
// illegal ones are refused with the expected code and produce nothing.
enum class Ev { exam_pass, exam_fail, fee, bill_due, cancel, seat_freed, proof };
const char* name(Ev e) {
  switch (e) {
    case Ev::exam_pass:
      return "exam_pass";
    case Ev::exam_fail:
      return "exam_fail";
    case Ev::fee:
      return "fee";
    case Ev::bill_due:
      return "bill_due";
    case Ev::cancel:
      return "cancel";
    case Ev::seat_freed:
      return "seat_freed";
    case Ev::proof:
      return "proof";
  }
  return "?";
}

struct Expect {
  S state;
  Ev event;
  const char* result;  // a state name, or an error code prefixed by '!'
};

TEST(StateEventTable, EveryPairIsLegalOrRefusedWithoutChange) {
  const Expect table[] = {
      {S::awaiting_quorum, Ev::exam_pass, "!no_exam_awaited"},
      {S::awaiting_quorum, Ev::exam_fail, "!no_exam_awaited"},
      {S::awaiting_quorum, Ev::fee, "!no_fee_due"},
      {S::awaiting_quorum, Ev::bill_due, "!no_fee_due"},
      {S::awaiting_quorum, Ev::cancel, "cancelled"},
      {S::awaiting_quorum, Ev::seat_freed, "!not_waitlisted"},
      {S::awaiting_quorum, Ev::proof, "!no_exam_awaited"},
      {S::awaiting_exam, Ev::exam_pass, "awaiting_payment"},
      {S::awaiting_exam, Ev::exam_fail, "rejected_exam"},
      {S::awaiting_exam, Ev::fee, "!no_fee_due"},
      {S::awaiting_exam, Ev::bill_due, "!no_fee_due"},
      {S::awaiting_exam, Ev::cancel, "cancelled"},
      {S::awaiting_exam, Ev::seat_freed, "!not_waitlisted"},
      {S::awaiting_exam, Ev::proof, "awaiting_payment"},
      {S::awaiting_payment, Ev::exam_pass, "!no_exam_awaited"},
      {S::awaiting_payment, Ev::exam_fail, "!no_exam_awaited"},
      {S::awaiting_payment, Ev::fee, "confirmed"},
      {S::awaiting_payment, Ev::bill_due, "expired"},
      {S::awaiting_payment, Ev::cancel, "cancelled"},
      {S::awaiting_payment, Ev::seat_freed, "!not_waitlisted"},
      {S::awaiting_payment, Ev::proof, "!no_exam_awaited"},
      {S::confirmed, Ev::exam_pass, "!no_exam_awaited"},
      {S::confirmed, Ev::exam_fail, "!no_exam_awaited"},
      {S::confirmed, Ev::fee, "!no_fee_due"},
      {S::confirmed, Ev::bill_due, "!no_fee_due"},
      {S::confirmed, Ev::cancel, "cancelled"},
      {S::confirmed, Ev::seat_freed, "!not_waitlisted"},
      {S::confirmed, Ev::proof, "!no_exam_awaited"},
      {S::waitlisted, Ev::exam_pass, "!no_exam_awaited"},
      {S::waitlisted, Ev::exam_fail, "!no_exam_awaited"},
      {S::waitlisted, Ev::fee, "!no_fee_due"},
      {S::waitlisted, Ev::bill_due, "!no_fee_due"},
      {S::waitlisted, Ev::cancel, "cancelled"},
      {S::waitlisted, Ev::seat_freed, "awaiting_exam"},
      {S::waitlisted, Ev::proof, "!no_exam_awaited"},
  };
  const S terminal[] = {S::rejected_exam, S::expired, S::cancelled, S::attended};
  std::vector<Expect> all(std::begin(table), std::end(table));
  for (S s : terminal) {
    all.push_back({s, Ev::exam_pass, "!no_exam_awaited"});
    all.push_back({s, Ev::exam_fail, "!no_exam_awaited"});
    all.push_back({s, Ev::fee, "!no_fee_due"});
    all.push_back({s, Ev::bill_due, "!no_fee_due"});
    all.push_back({s, Ev::cancel, "!not_cancellable"});
    all.push_back({s, Ev::seat_freed, "!not_waitlisted"});
    all.push_back({s, Ev::proof, "!no_exam_awaited"});
  }
  ASSERT_EQ(all.size(), kApplicationStateCount * 7);

  Enrollment enrollment;
  testing::CountingMinter minter;
  for (const auto& e : all) {
    SCOPED_TRACE(std::string(to_string(e.state)) + " x " + name(e.event));
    // A paid course with a prerequisite and a free seat that has reached its minimum: every
    // event has a chance to be legal, so a refusal is the state's doing.
    Course c = with_prereq(paid_course());
    c.capacity = 10;
    c.quorum_reached = true;
    c.min_participants = 1;
    c.tally[S::confirmed] = 1;
    c.tally[e.state] += 1;
    Application a;
    a.id = "app-x";
    a.course_id = c.id;
    a.applicant = CourseBook::person(1);
    a.state = e.state;
    if (e.state == S::awaiting_exam) a.exam_token = "tok";
    if (e.state == S::awaiting_payment) a.bill = Bill{"1000000018", c.fee, kNow, kNow + std::chrono::hours(72)};
    const Application before = a;
    const Course course_before = c;
    Instant now = kNow + std::chrono::hours(100);
    Result<Outcome> r = [&]() -> Result<Outcome> {
      switch (e.event) {
        case Ev::exam_pass:
          return enrollment.on_exam_result(c, a, true, now, minter);
        case Ev::exam_fail:
          return enrollment.on_exam_result(c, a, false, now, minter);
        case Ev::fee:
          return enrollment.on_fee_received(c, a, c.fee, now);
        case Ev::bill_due:
          return enrollment.on_bill_due(c, a, now);
        case Ev::cancel:
          return enrollment.cancel(c, a, Actor::applicant, now);
        case Ev::seat_freed:
          return enrollment.on_seat_freed(c, a, false, now, minter);
        case Ev::proof:
          return enrollment.on_prerequisite_proof(c, a, now, minter);
      }
      return make_error("?", "?");
    }();
    std::string expected = e.result;
    if (expected[0] == '!') {
      ASSERT_FALSE(r.ok()) << "expected refusal " << expected;
      EXPECT_EQ("!" + r.error().code, expected);
      EXPECT_FALSE(r.error().message.empty());
    } else {
      ASSERT_TRUE(r.ok()) << r.error().code << ": " << r.error().message;
      ASSERT_FALSE(r->applications.empty());
      EXPECT_EQ(to_string(r->applications.back().state), expected);
      EXPECT_FALSE(r->notifications.empty());
      EXPECT_EQ(r->course.tally.active() + r->course.tally[S::waitlisted] + r->course.tally[S::cancelled] +
                    r->course.tally[S::expired] + r->course.tally[S::rejected_exam] + r->course.tally[S::attended],
                course_before.tally.active() + course_before.tally[S::waitlisted] + course_before.tally[S::cancelled] +
                    course_before.tally[S::expired] + course_before.tally[S::rejected_exam] +
                    course_before.tally[S::attended]);
    }
    // The inputs are values: nothing was changed in place.
    EXPECT_EQ(a.state, before.state);
    EXPECT_EQ(c.tally, course_before.tally);
  }
}

TEST(StateEventTable, CourseEventsRefusedInTheWrongCourseState) {
  Enrollment enrollment;
  testing::CountingMinter minter;
  Course c = free_course();
  c.status = CourseStatus::ended;
  c.quorum_reached = true;
  EXPECT_EQ(enrollment.on_decision_time(c, {}, c.decision_at).error().code, "course_not_open");
  EXPECT_EQ(enrollment.on_course_ended(c, {}, c.end_at).error().code, "course_not_open");
  EXPECT_EQ(enrollment.reschedule(c, {c.start_at, c.end_at, std::nullopt}, {}, kNow).error().code, "course_ended");
  EXPECT_EQ(enrollment.remind(c, {}, c.start_at).error().code, "course_not_open");
  c.status = CourseStatus::open;
  c.quorum_reached = false;
  EXPECT_EQ(enrollment.on_course_ended(c, {}, c.end_at).error().code, "no_quorum");
  EXPECT_EQ(enrollment.on_quorum(c, {}, {}, kNow, minter).error().code, "no_quorum");
  c.quorum_reached = true;
  EXPECT_EQ(enrollment.on_decision_time(c, {}, c.decision_at).error().code, "quorum_already_reached");
  Course free = free_course();
  Application a;
  a.course_id = free.id;
  a.state = S::awaiting_payment;
  a.bill = Bill{"1", Fils{1}, kNow, kNow};
  EXPECT_EQ(enrollment.on_fee_received(free, a, Fils{1}, kNow).error().code, "course_is_free");
}

TEST(ExamLink, AppendsTheTokenAsAQueryParameter) {
  EXPECT_EQ(Enrollment::exam_link("https://e.jo/x", "T"), "https://e.jo/x?token=T");
  EXPECT_EQ(Enrollment::exam_link("https://e.jo/x?lang=ar", "T"), "https://e.jo/x?lang=ar&token=T");
}

}  // namespace
}  // namespace cg::core
