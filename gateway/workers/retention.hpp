// Retention: the scheduler's deletion of rows past their kind's period (store::PurgeKind), a small
// batch per write so the store's one writer (SQLite) is never held for long and inbound SMS keep
// their latency while a backlog of a million rows goes (bench/retention/). What is kept, and why,
// is docs/configuration.md#retention.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "adapters/store/store.hpp"

namespace cg::gateway {

struct RetentionSettings {
  // How long each kind is kept, indexed by store::PurgeKind; 0 = forever.
  std::array<std::chrono::days, store::kAllPurgeKinds.size()> keep{};
  std::size_t batch = 100;              // rows per DELETE, one write each
  std::chrono::milliseconds pause{20};  // between two batches: the writer serves the queue
  std::chrono::minutes interval{60};    // between passes

  std::chrono::days& period(store::PurgeKind kind) { return keep[static_cast<std::size_t>(kind)]; }
  std::chrono::days period(store::PurgeKind kind) const { return keep[static_cast<std::size_t>(kind)]; }
  bool purges_anything() const;
};

// Rows deleted in one pass, by kind (indexed by store::PurgeKind).
using PurgeCounts = std::array<std::int64_t, store::kAllPurgeKinds.size()>;

class Retention {
 public:
  // `purged` is told each batch's count (a metric), on the calling thread.
  Retention(store::Store& store, RetentionSettings settings,
            std::function<void(store::PurgeKind, std::int64_t)> purged = {});

  // One pass: for every kind with a period, batch after batch of rows older than now - period
  // until a batch comes back short, with the pause between batches. Delivery reports and channel
  // log go before the outbox rows that they name. A failed write ends the pass with its error
  // (what was deleted stays deleted; the next pass goes on from there).
  Result<PurgeCounts> run_once(core::Instant now);
  // Ends a pass at its next pause (App::stop does not wait for a backlog).
  void stop();

 private:
  // False when stop() came during the pause.
  bool pause();

  store::Store& store_;
  const RetentionSettings settings_;
  std::function<void(store::PurgeKind, std::int64_t)> purged_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
};

}  // namespace cg::gateway
