#include "gateway/metrics.hpp"

#include <cstdio>

namespace cg::gateway {

std::string prometheus_label(std::string_view v) {
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

void Metrics::request(std::string_view route, std::string_view method, int status,
                      std::chrono::steady_clock::duration d) {
  std::string r = route.empty() ? "unmatched" : std::string(route);
  std::lock_guard lock(mu_);
  auto& s = requests_[{r, std::string(method), status}];
  ++s.count;
  s.seconds += std::chrono::duration<double>(d).count();
}

std::string Metrics::render_requests() const {
  std::string out =
      "# HELP course_gateway_http_requests_total HTTP requests answered, by route pattern, method and status.\n"
      "# TYPE course_gateway_http_requests_total counter\n";
  std::string seconds =
      "# HELP course_gateway_http_request_seconds_total Time spent answering, by route pattern, method and status.\n"
      "# TYPE course_gateway_http_request_seconds_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [key, s] : requests_) {
    const auto& [route, method, status] = key;
    std::string labels = "{route=\"" + prometheus_label(route) + "\",method=\"" + prometheus_label(method) +
                         "\",status=\"" + std::to_string(status) + "\"}";
    out += "course_gateway_http_requests_total" + labels + " " + std::to_string(s.count) + "\n";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6f", s.seconds);
    seconds += "course_gateway_http_request_seconds_total" + labels + " " + buf + "\n";
  }
  return out + seconds;
}

}  // namespace cg::gateway
