#include "adapters/observe/registry.hpp"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace cg::obs {

std::string escape_label(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

namespace {

// A label set with `le` added last, for a histogram's bucket lines.
std::string with_le(const std::string& labels, const std::string& le) {
  if (labels.empty()) return "{le=\"" + le + "\"}";
  return labels.substr(0, labels.size() - 1) + ",le=\"" + le + "\"}";
}

}  // namespace

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string format_labels(const Labels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first + "=\"" + escape_label(labels[i].second) + "\"";
  }
  return out + "}";
}

std::string render_gauge(std::string_view name, std::string_view help, double value) {
  std::string n(name);
  return "# HELP " + n + " " + std::string(help) + "\n# TYPE " + n + " gauge\n" + n + " " + format_value(value) + "\n";
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<std::uint64_t>[bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double v) {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulative() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

std::vector<double> latency_buckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Registry::Family& Registry::family(std::string_view name, std::string_view help, Type type) {
  auto it = families_.find(name);
  if (it == families_.end())
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}, {}, {}}).first;
  // One name, one type: a second kind under a name is a programming error, caught by any test.
  if (it->second.type != type) throw std::logic_error("metric " + std::string(name) + " registered with two types");
  return it->second;
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = family(name, help, Type::counter).counters[format_labels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = family(name, help, Type::gauge).gauges[format_labels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, const std::vector<double>& bounds,
                               const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& slot = family(name, help, Type::histogram).histograms[format_labels(labels)];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    const char* type = f.type == Type::counter ? "counter" : f.type == Type::gauge ? "gauge" : "histogram";
    out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + type + "\n";
    for (const auto& [labels, c] : f.counters) out += name + labels + " " + format_value(c->value()) + "\n";
    for (const auto& [labels, g] : f.gauges) out += name + labels + " " + format_value(g->value()) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      const auto cumulative = h->cumulative();
      for (std::size_t i = 0; i < h->bounds().size(); ++i)
        out += name + "_bucket" + with_le(labels, format_value(h->bounds()[i])) + " " + std::to_string(cumulative[i]) +
               "\n";
      out += name + "_bucket" + with_le(labels, "+Inf") + " " + std::to_string(cumulative.back()) + "\n";
      out += name + "_sum" + labels + " " + format_value(h->sum()) + "\n";
      out += name + "_count" + labels + " " + std::to_string(h->count()) + "\n";
    }
  }
  return out;
}

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace cg::obs
