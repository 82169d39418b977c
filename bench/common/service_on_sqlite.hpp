// What the store-backed benchmark programs share: a fresh durable SQLite database with the built-in
// message templates and a Service on it, a course created through that Service, and a cap on the
// commands in flight.
#pragma once

#include <condition_variable>
#include <cstdio>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/store/sqlite/sqlite_store.hpp"
#include "gateway/app/clock.hpp"
#include "gateway/app/config.hpp"
#include "gateway/service/service.hpp"
#include "templates/catalogue.hpp"

namespace cg::bench {

inline void remove_sqlite_files(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
}

// Not movable once made: the Service holds references to the members before it.
struct ServiceOnSqlite {
  std::unique_ptr<store::Store> store;
  templates::Catalogue catalogue;
  gateway::Config config;
  gateway::SystemClock clock;
  std::optional<gateway::Service> service;
};

// A new database at `path` (any files of an old one removed first), synchronous=FULL, group commit.
inline Result<std::unique_ptr<store::Store>> open_fresh_sqlite(const std::string& path) {
  remove_sqlite_files(path);
  return store::open_sqlite({.path = path, .readers = 2, .max_batch = 512, .synchronous_full = true});
}

// The same, with the built-in templates and a Service on the system clock.
inline Result<std::unique_ptr<ServiceOnSqlite>> open_service_on_sqlite(const std::string& path) {
  auto opened = open_fresh_sqlite(path);
  if (!opened) return opened.error();
  auto catalogue = templates::Catalogue::builtin();
  if (!catalogue) return catalogue.error();
  auto s = std::unique_ptr<ServiceOnSqlite>(new ServiceOnSqlite{std::move(*opened), std::move(*catalogue), {}, {}, {}});
  s->service.emplace(*s->store, s->catalogue, s->config, s->clock);
  return s;
}

// A free course for a benchmark to fill: times as ISO 8601, decided when it starts.
inline core::Course course_draft(const std::string& code, core::LocalizedText title, std::string location,
                                 std::string_view start_at, std::string_view end_at, int min_participants) {
  core::Course draft;
  draft.code = code;
  draft.title = std::move(title);
  draft.location = std::move(location);
  draft.start_at = *core::parse_iso8601(start_at);
  draft.end_at = *core::parse_iso8601(end_at);
  draft.decision_at = draft.start_at;
  draft.min_participants = min_participants;
  draft.evaluation_url = "https://amman.jo/eval/" + code;
  return draft;
}

// Creates the course and waits for the store to commit it.
inline Result<core::Course> create_course_and_wait(gateway::Service& service, const core::Course& draft) {
  std::promise<Result<core::Course>> created;
  service.create_course(draft, [&](Result<core::Course> c) { created.set_value(std::move(c)); });
  return created.get_future().get();
}

// At most `size` commands in flight, as that many client connections would keep: enter() before
// submitting one (waits for room), leave() from its callback.
class InFlight {
 public:
  explicit InFlight(int size) : size_(size) {}

  void enter() {
    std::unique_lock lock(m_);
    room_.wait(lock, [&] { return in_flight_ < size_; });
    ++in_flight_;
  }
  // Returns how many have failed so far, this one included (1: the first failure, worth printing).
  int leave(bool ok) {
    std::lock_guard lock(m_);
    --in_flight_;
    ++done_;
    if (!ok) ++failed_;
    room_.notify_all();
    return failed_;
  }
  // Waits until `count` have left; returns how many failed.
  int wait_for(int count) {
    std::unique_lock lock(m_);
    room_.wait(lock, [&] { return done_ == count; });
    return failed_;
  }

 private:
  const int size_;
  std::mutex m_;
  std::condition_variable room_;
  int in_flight_ = 0, done_ = 0, failed_ = 0;
};

}  // namespace cg::bench
