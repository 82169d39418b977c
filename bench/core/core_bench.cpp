// Core transitions: a whole application lifecycle per iteration (apply -> quorum -> exam link ->
// exam pass -> bill -> fee received -> course end), on a paid course with a prerequisite, so
// every step of card 7 runs. Pure code: no I/O, so this is the ceiling the gateway adds to.
#include <benchmark/benchmark.h>

#include "tests/core/card_fixture.hpp"

namespace cg::core {
namespace {

using testing::at;
using testing::CourseBook;

void BM_PaidCourseLifecycle(benchmark::State& state) {
  const int people = static_cast<int>(state.range(0));
  Instant now = at("2026-11-25T09:00:00Z");
  std::int64_t notifications = 0;
  for (auto _ : state) {
    CourseBook book;
    Course c = testing::sample_course();
    c.fee = Fils{35000};
    c.prerequisite = "computer-basics";
    c.min_participants = people;
    book.add_course(c);
    std::vector<std::string> ids;
    ids.reserve(people);
    for (int i = 0; i < people; ++i) ids.push_back(book.apply(1, CourseBook::person(i), now));  // 4, then 7.3
    for (const auto& id : ids)                                                                  // 7.3.1
      book.run(book.enrollment().on_exam_result(book.course(1), book.app(id), true, now, book.minter()), now);
    for (const auto& id : ids)  // 7.4
      book.run(book.enrollment().on_fee_received(book.course(1), book.app(id), Fils{35000}, now), now);
    auto confirmed = book.in_state(1, ApplicationState::confirmed);  // 8
    book.run(book.enrollment().on_course_ended(book.course(1), confirmed, book.course(1).end_at), now);
    notifications += static_cast<std::int64_t>(book.sent().size());
    benchmark::DoNotOptimize(book.course(1).tally);
  }
  state.SetItemsProcessed(state.iterations() * people);  // applications carried through their lifecycle
  state.counters["sms_per_application"] =
      benchmark::Counter(static_cast<double>(notifications) / static_cast<double>(state.iterations() * people));
}
BENCHMARK(BM_PaidCourseLifecycle)->Arg(1)->Arg(20)->Arg(200);

// One application arriving after quorum: the hot path of POST /v1/applications in core.
void BM_ReceiveAfterQuorum(benchmark::State& state) {
  Enrollment e;
  testing::CountingMinter minter;
  Course c = testing::sample_course();
  c.quorum_reached = true;
  c.tally[ApplicationState::confirmed] = 10;
  Application a;
  a.id = "0123456789abcdef0123456789abcdef";
  a.course_id = c.id;
  a.applicant = CourseBook::person(1);
  Instant now = at("2026-11-25T09:00:00Z");
  for (auto _ : state) {
    auto r = e.receive(c, a, false, now, minter);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReceiveAfterQuorum);

}  // namespace
}  // namespace cg::core

BENCHMARK_MAIN();
