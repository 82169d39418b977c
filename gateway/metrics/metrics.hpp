// Prometheus text-format metrics (GET /metrics): requests by route, method and status, with
// their total latency and a latency histogram by route and method; gauges read from the store at
// scrape time. Figures counted deeper in the gateway (store, dispatcher, inbound, scheduler) are in
// the process's obs::registry() (adapters/observe/registry.hpp); docs/observability.md lists all.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "adapters/store/store.hpp"

namespace cg::gateway {

class Metrics {
 public:
  void request(std::string_view route, std::string_view method, int status, std::chrono::steady_clock::duration d);
  // A background loop's run that threw (gateway/workers), by the loop's thread name.
  void worker_failure(std::string_view worker);
  // Rows retention deleted (gateway/workers/retention.hpp).
  void retention_purged(store::PurgeKind kind, std::int64_t rows);
  // A loop's failure series at 0 from its start, so dashboards and rate() see it before a failure.
  void worker_started(std::string_view worker);
  // The request counters (the workers' failures and retention's deletions too) in exposition format.
  std::string render_requests() const;

 private:
  // Upper bounds of course_gateway_http_request_duration_seconds, in seconds.
  static constexpr std::array<double, 12> kBounds{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
  struct Series {
    std::uint64_t count = 0;
    double seconds = 0;
    std::array<std::uint64_t, kBounds.size() + 1> buckets{};  // per bound (not cumulative), then +Inf
  };
  struct Key {
    std::string route;
    std::string method;
    int status = 0;
  };
  using KeyView = std::tuple<std::string_view, std::string_view, int>;
  // Compares keys and their views alike, so counting a request that has a series already
  // builds no strings.
  struct KeyLess {
    using is_transparent = void;
    static KeyView view(const Key& k) { return {k.route, k.method, k.status}; }
    static const KeyView& view(const KeyView& k) { return k; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return view(a) < view(b);
    }
  };
  using SeriesMap = std::map<Key, Series, KeyLess>;
  // Each HTTP thread counts in a shard of its own (threads take shards in turn), so requests
  // answered on different threads do not wait on one lock; a scrape adds the shards up.
  static constexpr std::size_t kShards = 8;
  struct alignas(64) Shard {
    mutable std::mutex mu;
    SeriesMap series;
  };
  std::array<Shard, kShards> shards_;
  mutable std::mutex workers_mu_;
  std::map<std::string, std::uint64_t, std::less<>> worker_failures_;
  std::atomic<std::size_t> next_shard_{0};
  std::array<std::atomic<std::uint64_t>, store::kAllPurgeKinds.size()> purged_{};
};

// What GET /metrics reads from the store at scrape time. A figure the store could not give is
// absent, and so is its metric: a scrape never shows a made-up zero.
struct GaugeFigures {
  using Counts = std::vector<std::pair<std::string, std::int64_t>>;  // label value, count
  std::optional<Counts> applications_by_state;
  std::optional<Counts> outbox_by_status;
  // How long the oldest pending (or sending) outbox row has waited; 0 when none is.
  std::optional<double> outbox_oldest_pending_age_seconds;
  bool store_up = false;
};

// The gauges in exposition format, after the request counters of Metrics::render_requests().
std::string render_gauges(const GaugeFigures& figures);

}  // namespace cg::gateway
