// The reader pool and its deadlines without a server: a full queue and a late answer are 503
// store_unavailable with Retry-After, a late answer from the work is dropped, and work answered by
// its deadline while still queued is not run.
#include "gateway/http/reader_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <memory>

namespace cg::http {
namespace {

// A Responder whose answer lands in a future.
struct Answer {
  std::shared_ptr<std::promise<Response>> promise = std::make_shared<std::promise<Response>>();
  std::future<Response> future = promise->get_future();
  Responder respond{[p = promise](Response r, const std::string&) { p->set_value(std::move(r)); }};
};

void expect_unavailable(const Response& r) {
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("store_unavailable"), std::string::npos) << r.body;
  EXPECT_EQ(r.headers.get("Retry-After").value_or(""), "1");
}

TEST(ReaderPool, AFullQueueAnswers503AtOnceAndTheQueuedWorkStillRuns) {
  Deadlines deadlines;
  ReaderPool pool({.threads = 1, .queue = 1, .deadline = std::chrono::minutes(10)}, deadlines);
  std::latch release(1);
  std::latch running(1);
  Answer busy, queued, refused;
  pool.run(
      [&](const Responder& r) {
        running.count_down();
        release.wait();
        r(json_response(200, "{}"));
      },
      busy.respond, &ReaderPool::unavailable);
  running.wait();  // the one thread is taken
  pool.run([](const Responder& r) { r(json_response(200, "{}")); }, queued.respond, &ReaderPool::unavailable);
  pool.run([](const Responder& r) { r(json_response(200, "{}")); }, refused.respond, &ReaderPool::unavailable);
  expect_unavailable(refused.future.get());
  release.count_down();
  EXPECT_EQ(busy.future.get().status, 200);
  EXPECT_EQ(queued.future.get().status, 200);
}

TEST(ReaderPool, TheDeadlineAnswersAndTheLateAnswerIsDroppedAndQueuedWorkIsNotRun) {
  Deadlines deadlines;
  ReaderPool pool({.threads = 1, .queue = 4, .deadline = std::chrono::milliseconds(20)}, deadlines);
  std::latch release(1);
  std::atomic<bool> late_work_ran{false};
  Answer stuck, waiting;
  pool.run(
      [&](const Responder& r) {
        release.wait();
        r(json_response(200, "{}"));  // dropped: the deadline answered first
      },
      stuck.respond, &ReaderPool::unavailable);
  pool.run([&](const Responder&) { late_work_ran = true; }, waiting.respond, &ReaderPool::unavailable);
  expect_unavailable(stuck.future.get());
  expect_unavailable(waiting.future.get());
  release.count_down();
  pool.stop();
  EXPECT_FALSE(late_work_ran) << "work whose request was answered while it waited ran anyway";
}

TEST(ReaderPool, AHandlerOnThePoolGetsItsRequest) {
  Deadlines deadlines;
  ReaderPool pool({.threads = 2, .queue = 4, .deadline = std::chrono::minutes(10)}, deadlines);
  Handler echo = on_pool(pool, [](Request req, Responder respond) { respond(json_response(200, req.target)); });
  Answer a;
  Request req;
  req.target = "/v1/courses";
  echo(req, a.respond);
  EXPECT_EQ(a.future.get().body, "/v1/courses");
}

TEST(Deadlines, StoppingAnswersWhatStillWaitsWithItsFallback) {
  Answer a;
  {
    Deadlines deadlines;
    deadlines.answer_by(a.respond, std::chrono::steady_clock::now() + std::chrono::hours(1),
                        [] { return json_response(503, "{}"); });
  }
  EXPECT_EQ(a.future.get().status, 503);
}

}  // namespace
}  // namespace cg::http
