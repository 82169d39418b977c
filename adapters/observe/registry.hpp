// Counters, gauges and histograms in the Prometheus text format, for the figures that parts deep
// in the gateway count (store commands, the dispatcher's outcomes, inbound messages, the
// scheduler). A series is created on first use and lives as long as its registry, so a caller may
// keep the reference. Updates are lock-free; finding a series takes a short lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cg::obs {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double by) { value_.fetch_add(by, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);  // upper bounds, ascending; +Inf is implied
  void observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  std::vector<std::uint64_t> cumulative() const;  // per bound, then +Inf
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  std::uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
  std::atomic<std::uint64_t> count_{0};
};

// Latency buckets in seconds: 1 ms to 10 s.
std::vector<double> latency_buckets();

class Registry {
 public:
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                       const Labels& labels = {});
  // Every family by name, its series by labels. A family with no series yet is left out.
  std::string render() const;

 private:
  enum class Type { counter, gauge, histogram };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(std::string_view name, std::string_view help, Type type);
  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

// The process's registry: what /metrics shows.
Registry& registry();

// A sample value as the text format writes it: integers without a fraction, else up to 9
// significant digits.
std::string format_value(double v);
// A label value escaped for the text format: backslash, double quote and newline.
std::string escape_label(std::string_view v);
// `{a="1",b="2"}` with the values escaped, "" for no labels.
std::string format_labels(const Labels& labels);
// A whole single-series gauge family: HELP, TYPE and the sample.
std::string render_gauge(std::string_view name, std::string_view help, double value);

}  // namespace cg::obs
