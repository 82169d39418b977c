#include "gateway/metrics/metrics.hpp"

#include <cstdio>

#include "adapters/observe/registry.hpp"

namespace cg::gateway {

void Metrics::request(std::string_view route, std::string_view method, int status,
                      std::chrono::steady_clock::duration d) {
  if (route.empty()) route = "unmatched";
  thread_local const Metrics* owner = nullptr;
  thread_local std::size_t shard = 0;
  if (owner != this) {  // this thread's first request for this Metrics
    owner = this;
    shard = next_shard_.fetch_add(1, std::memory_order_relaxed) % kShards;
  }
  Shard& s = shards_[shard];
  std::lock_guard lock(s.mu);
  auto it = s.series.find(KeyView{route, method, status});
  if (it == s.series.end()) it = s.series.emplace(Key{std::string(route), std::string(method), status}, Series{}).first;
  const double seconds = std::chrono::duration<double>(d).count();
  ++it->second.count;
  it->second.seconds += seconds;
  std::size_t b = 0;
  while (b < kBounds.size() && seconds > kBounds[b]) ++b;
  ++it->second.buckets[b];
}

std::string Metrics::render_requests() const {
  SeriesMap all;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mu);
    for (const auto& [key, s] : shard.series) {
      Series& sum = all[key];
      sum.count += s.count;
      sum.seconds += s.seconds;
      for (std::size_t b = 0; b < s.buckets.size(); ++b) sum.buckets[b] += s.buckets[b];
    }
  }
  // The histogram leaves the status out: a route's latency whatever the answer, and a tenth of the
  // series.
  std::map<std::pair<std::string, std::string>, Series> by_route;
  for (const auto& [key, s] : all) {
    Series& r = by_route[{key.route, key.method}];
    r.count += s.count;
    r.seconds += s.seconds;
    for (std::size_t b = 0; b < s.buckets.size(); ++b) r.buckets[b] += s.buckets[b];
  }
  std::string histogram =
      "# HELP course_gateway_http_request_duration_seconds Time from a request read to its answer written, by route "
      "pattern and method.\n"
      "# TYPE course_gateway_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : by_route) {
    const std::string labels =
        "route=\"" + obs::escape_label(key.first) + "\",method=\"" + obs::escape_label(key.second) + "\"";
    std::uint64_t running = 0;
    for (std::size_t b = 0; b <= kBounds.size(); ++b) {
      running += s.buckets[b];
      std::string le = b < kBounds.size() ? obs::format_value(kBounds[b]) : "+Inf";
      histogram += "course_gateway_http_request_duration_seconds_bucket{" + labels + ",le=\"" + le + "\"} " +
                   std::to_string(running) + "\n";
    }
    histogram +=
        "course_gateway_http_request_duration_seconds_sum{" + labels + "} " + obs::format_value(s.seconds) + "\n";
    histogram += "course_gateway_http_request_duration_seconds_count{" + labels + "} " + std::to_string(s.count) + "\n";
  }
  std::string out =
      "# HELP course_gateway_http_requests_total HTTP requests answered, by route pattern, method and status.\n"
      "# TYPE course_gateway_http_requests_total counter\n";
  std::string seconds =
      "# HELP course_gateway_http_request_seconds_total Time spent answering, by route pattern, method and status.\n"
      "# TYPE course_gateway_http_request_seconds_total counter\n";
  for (const auto& [key, s] : all) {
    const auto& [route, method, status] = key;
    std::string labels = "{route=\"" + obs::escape_label(route) + "\",method=\"" + obs::escape_label(method) +
                         "\",status=\"" + std::to_string(status) + "\"}";
    out += "course_gateway_http_requests_total" + labels + " " + std::to_string(s.count) + "\n";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", s.seconds);
    seconds += "course_gateway_http_request_seconds_total" + labels + " " + buf + "\n";
  }
  std::string workers =
      "# HELP course_gateway_worker_failures_total Runs of a background loop that failed (and backed off).\n"
      "# TYPE course_gateway_worker_failures_total counter\n";
  {
    std::lock_guard lock(workers_mu_);
    for (const auto& [worker, n] : worker_failures_)
      workers += "course_gateway_worker_failures_total{worker=\"" + obs::escape_label(worker) + "\"} " +
                 std::to_string(n) + "\n";
  }
  std::string retention =
      "# HELP course_gateway_retention_purged_total Rows deleted by retention, by kind.\n"
      "# TYPE course_gateway_retention_purged_total counter\n";
  for (store::PurgeKind kind : store::kAllPurgeKinds)
    retention += "course_gateway_retention_purged_total{kind=\"" + std::string(store::to_string(kind)) + "\"} " +
                 std::to_string(purged_[static_cast<std::size_t>(kind)].load(std::memory_order_relaxed)) + "\n";
  return out + seconds + histogram + workers + retention;
}

void Metrics::retention_purged(store::PurgeKind kind, std::int64_t rows) {
  if (rows > 0)
    purged_[static_cast<std::size_t>(kind)].fetch_add(static_cast<std::uint64_t>(rows), std::memory_order_relaxed);
}

void Metrics::worker_failure(std::string_view worker) {
  std::lock_guard lock(workers_mu_);
  auto it = worker_failures_.find(worker);
  if (it == worker_failures_.end()) it = worker_failures_.emplace(std::string(worker), 0).first;
  ++it->second;
}

void Metrics::worker_started(std::string_view worker) {
  std::lock_guard lock(workers_mu_);
  if (worker_failures_.find(worker) == worker_failures_.end()) worker_failures_.emplace(std::string(worker), 0);
}

namespace {

void gauge(std::string& out, const char* name, const char* help, const char* label,
           const GaugeFigures::Counts& counts) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
  for (const auto& [value, n] : counts)
    out += std::string(name) + "{" + label + "=\"" + obs::escape_label(value) + "\"} " + std::to_string(n) + "\n";
}

}  // namespace

std::string render_gauges(const GaugeFigures& figures) {
  std::string out;
  if (figures.applications_by_state)
    gauge(out, "course_gateway_applications", "Applications by state.", "state", *figures.applications_by_state);
  if (figures.outbox_by_status)
    gauge(out, "course_gateway_outbox_messages", "Outbox messages by delivery status.", "status",
          *figures.outbox_by_status);
  if (figures.outbox_oldest_pending_age_seconds)
    out += obs::render_gauge("course_gateway_outbox_oldest_pending_age_seconds",
                             "Age of the oldest outbox row not yet sent (pending or sending); 0 when none.",
                             *figures.outbox_oldest_pending_age_seconds);
  out += "# HELP course_gateway_store_up Whether the store answers.\n# TYPE course_gateway_store_up gauge\n";
  out += std::string("course_gateway_store_up ") + (figures.store_up ? "1" : "0") + "\n";
  return out;
}

}  // namespace cg::gateway
