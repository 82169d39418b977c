// What the store-backed benchmark programs share: a fresh durable SQLite database with the built-in
// message templates and a Service on it, and a course created through that Service.
#pragma once

#include <cstdio>
#include <future>
#include <memory>
#include <optional>
#include <string>

#include "adapters/store/store.hpp"
#include "gateway/clock.hpp"
#include "gateway/config.hpp"
#include "gateway/service.hpp"
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
inline Result<std::unique_ptr<ServiceOnSqlite>> open_service_on_sqlite(const std::string& path) {
  remove_sqlite_files(path);
  auto opened = store::open_sqlite({.path = path, .readers = 2, .max_batch = 512, .synchronous_full = true});
  if (!opened) return opened.error();
  auto catalogue = templates::Catalogue::builtin();
  if (!catalogue) return catalogue.error();
  auto s = std::unique_ptr<ServiceOnSqlite>(new ServiceOnSqlite{std::move(*opened), std::move(*catalogue), {}, {}, {}});
  s->service.emplace(*s->store, s->catalogue, s->config, s->clock);
  return s;
}

// Creates the course and waits for the store to commit it.
inline Result<core::Course> create_course_and_wait(gateway::Service& service, const core::Course& draft) {
  std::promise<Result<core::Course>> created;
  service.create_course(draft, [&](Result<core::Course> c) { created.set_value(std::move(c)); });
  return created.get_future().get();
}

}  // namespace cg::bench
