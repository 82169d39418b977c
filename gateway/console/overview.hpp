// The console's Overview (docs/console.md): every course with its quorum progress, the
// applications per card state, and what needs attention, read in one snapshot with a fixed number
// of queries (no query per course; the outbox is read only through its index of failed rows).
#pragma once

#include <chrono>

#include <nlohmann/json.hpp>

#include "adapters/store/store.hpp"

namespace cg::gateway::console {

struct OverviewSettings {
  std::chrono::hours decision_window{48};  // open courses without quorum deciding this soon
  std::chrono::hours bill_window{48};      // unpaid bills due this soon (or overdue, not yet expired)
  std::chrono::hours failed_sms_window{24};
  std::size_t list_limit = 20;  // rows of each "needs attention" list
};

Result<nlohmann::json> overview(store::Store& store, core::Instant now, const OverviewSettings& s = {});

}  // namespace cg::gateway::console
