#include "gateway/workers/retention.hpp"

#include <utility>

namespace cg::gateway {

bool RetentionSettings::purges_anything() const {
  for (auto days : keep)
    if (days.count() > 0) return true;
  return false;
}

Retention::Retention(store::Store& store, RetentionSettings settings,
                     std::function<void(store::PurgeKind, std::int64_t)> purged)
    : store_(store), settings_(settings), purged_(std::move(purged)) {}

Result<PurgeCounts> Retention::run_once(core::Instant now) {
  PurgeCounts counts{};
  // kAllPurgeKinds lists the reports and the log before the outbox: what they keep of a row's
  // story goes by their own period first, and the outbox purge takes whatever is left with its row.
  for (store::PurgeKind kind : store::kAllPurgeKinds) {
    const auto period = settings_.period(kind);
    if (period.count() <= 0) continue;
    const core::Instant cutoff = now - period;
    for (;;) {
      std::int64_t n = 0;
      Status s = store_.write_sync([&](store::Tx& tx) -> Status {
        auto r = tx.purge_before(kind, cutoff, settings_.batch);
        if (!r) return r.error();
        n = *r;
        return ok_status();
      });
      if (!s)
        return Error{s.error().code, "retention of " + std::string(store::to_string(kind)) + ": " + s.error().message};
      counts[static_cast<std::size_t>(kind)] += n;
      if (n > 0 && purged_) purged_(kind, n);
      if (n < static_cast<std::int64_t>(settings_.batch)) break;
      if (!pause()) return counts;
    }
  }
  return counts;
}

bool Retention::pause() {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, settings_.pause, [this] { return stopping_; });
  return !stopping_;
}

void Retention::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

}  // namespace cg::gateway
