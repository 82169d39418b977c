// Running a piece of work as one store command and getting its typed result back.
#pragma once

#include <functional>
#include <memory>
#include <optional>

#include "adapters/store/store.hpp"

namespace cg::gateway {

template <class T>
using Callback = std::function<void(Result<T>)>;

// Runs `body` as one store command and reports its result through `done` after the commit.
template <class T>
inline void run_command(store::Store& store, std::function<Result<T>(store::Tx&)> body, Callback<T> done) {
  auto slot = std::make_shared<std::optional<T>>();
  store.write(
      [body = std::move(body), slot](store::Tx& tx) -> Status {
        Result<T> r = body(tx);
        if (!r) return r.error();
        *slot = std::move(r).value();
        return ok_status();
      },
      [slot, done = std::move(done)](const Status& s) {
        if (!s) return done(s.error());
        done(std::move(**slot));
      });
}

template <class T>
inline Result<T> run_sync(store::Store& store, std::function<Result<T>(store::Tx&)> body) {
  std::optional<T> slot;
  Status s = store.write_sync([&](store::Tx& tx) -> Status {
    Result<T> r = body(tx);
    if (!r) return r.error();
    slot = std::move(r).value();
    return ok_status();
  });
  if (!s) return s.error();
  return std::move(*slot);
}

}  // namespace cg::gateway
