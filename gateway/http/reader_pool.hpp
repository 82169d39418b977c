// Keeping the server's threads free of blocking work. A handler that reads the store waits on the
// database; run on a server thread, a database that stops answering would hold that thread, and
// with it every connection the thread serves, for the database's whole I/O timeout. Such handlers
// run on a ReaderPool instead, and Deadlines answers a request whose work is late with a fallback,
// so a stalled store delays only the requests that need it. Beast-free, like handler.hpp.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/http/handler.hpp"
#include "gateway/http/message.hpp"

namespace cg::http {

// Answers Responders that nobody answered in time. One thread; the first answer wins (Responder),
// so a late answer from the work itself is dropped.
class Deadlines {
 public:
  Deadlines();
  ~Deadlines();  // stop()
  Deadlines(const Deadlines&) = delete;
  Deadlines& operator=(const Deadlines&) = delete;

  // At `when`, unless `respond` was answered by then, answers it with what `fallback` returns.
  void answer_by(const Responder& respond, std::chrono::steady_clock::time_point when,
                 std::function<Response()> fallback);
  // Answers everything still waiting with its fallback at once and ends the thread. Idempotent.
  void stop();

 private:
  struct Entry {
    Responder respond;
    std::function<Response()> fallback;
  };
  void run();

  std::mutex mutex_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, Entry> waiting_;
  bool stopping_ = false;
  std::thread thread_;
};

struct ReaderPoolSettings {
  std::size_t threads = 4;
  // Requests waiting for a thread; beyond it they are answered 503 at once rather than queued.
  std::size_t queue = 256;
  // A request not answered this long after it was queued is answered 503 (its work, if it is
  // running, finishes in the background and its answer is dropped).
  std::chrono::milliseconds deadline{5'000};
};

// A small fixed set of threads for handlers that block on the store.
class ReaderPool {
 public:
  ReaderPool(ReaderPoolSettings settings, Deadlines& deadlines);
  ~ReaderPool();  // stop()
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  // Queues `job` for a pool thread; false (and `job` dropped) when the queue is full or the pool
  // stopped.
  bool post(std::function<void()> job);

  // Runs `work` on a pool thread; it answers `respond` (then or later, from any thread). When the
  // queue is full or the pool stopped, `fallback()` answers at once; when the deadline passes
  // first, it answers then. Work whose request was answered by its deadline while still queued is
  // not run at all.
  void run(std::function<void(const Responder&)> work, const Responder& respond, std::function<Response()> fallback);
  // `handler` for `request`, with unavailable() as the fallback.
  void run(std::shared_ptr<const Handler> handler, Request request, const Responder& respond);

  // Runs what is queued, then joins the threads. Idempotent.
  void stop();

  // The answer to a request the pool cannot take or finish in time.
  static Response unavailable();

 private:
  void work();

  const ReaderPoolSettings settings_;
  Deadlines& deadlines_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// `handler` wrapped to run on `pool` (the pool and the handler must outlive the server).
Handler on_pool(ReaderPool& pool, Handler handler);

// A streamed body (message.hpp) whose every piece is made by `make_piece` on `pool`, one job a
// piece, so a long body holds a pool thread only while a piece is made, never while the client
// reads. `make_piece` returns the next piece, empty at the end, or an error; calls never overlap.
// A full or stopped pool cuts the body short (the pool must outlive the server).
std::shared_ptr<BodyStream> pooled_stream(ReaderPool& pool, std::function<Result<std::string>()> make_piece);

}  // namespace cg::http
