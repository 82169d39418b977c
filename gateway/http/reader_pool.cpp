#include "gateway/http/reader_pool.hpp"

#include <pthread.h>

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <utility>

#include "adapters/observe/log.hpp"

namespace cg::http {

Deadlines::Deadlines() {
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "cg-deadlines");
}

Deadlines::~Deadlines() { stop(); }

void Deadlines::answer_by(const Responder& respond, std::chrono::steady_clock::time_point when,
                          std::function<Response()> fallback) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      waiting_.emplace(when, Entry{respond, std::move(fallback)});
      cv_.notify_one();
      return;
    }
  }
  // Stopped: nobody would answer later, so the fallback answers now.
  if (!respond.answered()) respond(fallback());
}

void Deadlines::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Deadlines::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (stopping_ && waiting_.empty()) return;
    if (waiting_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = waiting_.begin();
    if (!stopping_ && std::chrono::steady_clock::now() < first->first) {
      cv_.wait_until(lock, first->first);
      continue;
    }
    Entry e = std::move(first->second);
    waiting_.erase(first);
    lock.unlock();
    // Answered already (the usual case): nothing to do; the Responder copy is dropped here.
    if (!e.respond.answered()) {
      try {
        e.respond(e.fallback());
      } catch (const std::exception& ex) {
        log::error("http", "a deadline's fallback failed", {{"error", ex.what()}});
      }
    }
    lock.lock();
  }
}

ReaderPool::ReaderPool(ReaderPoolSettings settings, Deadlines& deadlines) : settings_(settings), deadlines_(deadlines) {
  if (settings_.threads == 0 || settings_.queue == 0)
    throw std::invalid_argument("a reader pool needs at least one thread and one queue slot");
  for (std::size_t i = 0; i < settings_.threads; ++i) {
    threads_.emplace_back([this] { work(); });
    pthread_setname_np(threads_.back().native_handle(), ("cg-reader-" + std::to_string(i)).c_str());
  }
}

ReaderPool::~ReaderPool() { stop(); }

Response ReaderPool::unavailable() {
  Response r = json_error(503, "store_unavailable", "the store is unavailable; try again later");
  r.headers.set("Retry-After", "1");
  return r;
}

bool ReaderPool::post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= settings_.queue) return false;
    queue_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void ReaderPool::run(std::function<void(const Responder&)> work, const Responder& respond,
                     std::function<Response()> fallback) {
  auto job = [work = std::move(work), respond] {
    // Answered by its deadline while it waited: its client has its answer already.
    if (!respond.answered()) work(respond);
  };
  if (!post(std::move(job))) {
    log::warn("http", "reader pool full; answered without the store", {{"waiting", settings_.queue}});
    return respond(fallback());
  }
  deadlines_.answer_by(respond, std::chrono::steady_clock::now() + settings_.deadline, std::move(fallback));
}

void ReaderPool::run(std::shared_ptr<const Handler> handler, Request request, const Responder& respond) {
  run([handler = std::move(handler), request = std::make_shared<Request>(std::move(request))](
          const Responder& r) { (*handler)(std::move(*request), r); },
      respond, &ReaderPool::unavailable);
}

void ReaderPool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void ReaderPool::work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued has run
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      // A handler's Responder answers 500 "no_response" when its last copy goes; the thread goes on.
      log::error("http", "a pooled job threw", {{"error", e.what()}});
    }
  }
}

Handler on_pool(ReaderPool& pool, Handler handler) {
  auto shared = std::make_shared<const Handler>(std::move(handler));
  return [&pool, shared](Request request, const Responder& respond) { pool.run(shared, std::move(request), respond); };
}

namespace {

class PooledStream final : public BodyStream, public std::enable_shared_from_this<PooledStream> {
 public:
  PooledStream(ReaderPool& pool, std::function<Result<std::string>()> make_piece)
      : pool_(pool), make_piece_(std::move(make_piece)) {}

  void next(std::function<void(Result<std::string>)> done) override {
    // The job holds the stream, so its maker lives as long as a piece is being made.
    auto job = [self = shared_from_this(), done]() {
      Result<std::string> piece = make_error("internal", "the body's maker failed");
      try {
        piece = self->make_piece_();
      } catch (const std::exception& e) {
        // A connection whose piece never comes would wait for it until the server stops.
        piece = make_error("internal", e.what());
      }
      done(std::move(piece));
    };
    if (!pool_.post(std::move(job))) done(make_error("unavailable", "the reader pool is full or stopped"));
  }

 private:
  ReaderPool& pool_;
  std::function<Result<std::string>()> make_piece_;
};

}  // namespace

std::shared_ptr<BodyStream> pooled_stream(ReaderPool& pool, std::function<Result<std::string>()> make_piece) {
  return std::make_shared<PooledStream>(pool, std::move(make_piece));
}

}  // namespace cg::http
