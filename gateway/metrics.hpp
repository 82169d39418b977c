// Prometheus text-format metrics (GET /metrics): requests by route, method and status, with
// their total latency; gauges read from the store at scrape time.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace cg::gateway {

class Metrics {
 public:
  void request(std::string_view route, std::string_view method, int status, std::chrono::steady_clock::duration d);
  // The request counters in exposition format.
  std::string render_requests() const;

 private:
  struct Series {
    std::uint64_t count = 0;
    double seconds = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, Series> requests_;
};

// A label value escaped for the exposition format.
std::string prometheus_label(std::string_view v);

}  // namespace cg::gateway
