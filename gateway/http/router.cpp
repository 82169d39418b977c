#include "gateway/http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace cg::http {

namespace {

// "/" → {}, "/a/b" → {"a","b"}, "/a/" → {"a",""}.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.size() <= 1) return out;
  std::size_t start = 1;
  for (;;) {
    std::size_t slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

bool valid_parameter_name(std::string_view name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    bool digit = c >= '0' && c <= '9';
    if (!(alpha || (digit && i > 0))) return false;
  }
  return true;
}

}  // namespace

Router& Router::add(Method method, std::string_view pattern, Handler handler, Head head) {
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument("route " + std::string(to_string(method)) + " " + std::string(pattern) + ": " + why);
  };
  if (pattern.empty() || pattern.front() != '/') fail("pattern must start with '/'");
  if (!handler) fail("handler is empty");

  Route route{method, std::string(pattern), {}, std::move(handler), head};
  const std::vector<std::string_view> pattern_segments = split_path(pattern);
  for (std::size_t k = 0; k < pattern_segments.size(); ++k) {
    std::string_view seg = pattern_segments[k];
    // Only the last may be empty: "/console/" (a folder's page) is a path of its own.
    if (seg.empty() && k + 1 < pattern_segments.size()) fail("empty path segment");
    if (seg.front() == '{' && seg.back() == '}' && seg.size() >= 2) {
      std::string_view name = seg.substr(1, seg.size() - 2);
      if (!valid_parameter_name(name)) fail("bad parameter name '" + std::string(name) + "'");
      for (const auto& s : route.segments) {
        if (s.parameter && s.text == name) fail("parameter '" + std::string(name) + "' appears twice");
      }
      route.segments.push_back({std::string(name), true});
    } else {
      if (seg.find_first_of("{}") != std::string_view::npos) fail("'{' and '}' must enclose a whole segment");
      route.segments.push_back({std::string(seg), false});
    }
  }

  // "/a/{x}" and "/a/{y}" for the same method can never both be reached.
  auto same_shape = [&](const Route& other) {
    if (other.method != method || other.segments.size() != route.segments.size()) return false;
    for (std::size_t i = 0; i < route.segments.size(); ++i) {
      const auto &a = route.segments[i], &b = other.segments[i];
      if (a.parameter != b.parameter || (!a.parameter && a.text != b.text)) return false;
    }
    return true;
  };
  for (const auto& other : routes_) {
    if (same_shape(other)) fail("already registered as " + other.pattern);
  }
  const bool literal =
      std::none_of(route.segments.begin(), route.segments.end(), [](const Segment& seg) { return seg.parameter; });
  if (literal) literal_[route.pattern].push_back(routes_.size());
  routes_.push_back(std::move(route));
  return *this;
}

Router& Router::add(std::initializer_list<Method> methods, std::string_view pattern, const Handler& handler,
                    Head head) {
  for (Method m : methods) add(m, pattern, handler, head);
  return *this;
}

std::vector<std::string> Router::patterns() const {
  std::vector<std::string> out;
  for (const auto& r : routes_) {
    if (std::find(out.begin(), out.end(), r.pattern) == out.end()) out.push_back(r.pattern);
  }
  return out;
}

void Router::dispatch(Request request, Responder respond) const {
  if (auto it = literal_.find(std::string_view(request.path)); it != literal_.end()) {
    for (std::size_t i : it->second) {
      const Route& r = routes_[i];
      if (r.method != request.method) continue;
      request.path_params.clear();
      respond.set_route(r.pattern);
      r.handler(std::move(request), std::move(respond));
      return;
    }
  }
  const std::vector<std::string_view> segments = split_path(request.path);

  auto matches = [&](const Route& r) {
    if (r.segments.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (r.segments[i].parameter ? segments[i].empty() : r.segments[i].text != segments[i]) return false;
    }
    return true;
  };
  // Literal beats parameter at the first segment where two matching patterns differ.
  auto more_specific = [&](const Route& a, const Route& b) {
    for (std::size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].parameter != b.segments[i].parameter) return !a.segments[i].parameter;
    }
    return false;
  };

  const Route* best = nullptr;
  bool path_known = false;
  std::vector<Method> allowed;
  for (const auto& r : routes_) {
    if (!matches(r)) continue;
    path_known = true;
    if (std::find(allowed.begin(), allowed.end(), r.method) == allowed.end()) allowed.push_back(r.method);
    if (r.method == Method::get && r.head == Head::from_get &&
        std::find(allowed.begin(), allowed.end(), Method::head) == allowed.end()) {
      allowed.push_back(Method::head);
    }
    if (r.method == request.method && (best == nullptr || more_specific(r, *best))) best = &r;
  }
  // HEAD is GET without the body (RFC 9110 §9.3.2); the server drops the body.
  if (best == nullptr && request.method == Method::head) {
    for (const auto& r : routes_) {
      if (r.method == Method::get && r.head == Head::from_get && matches(r) &&
          (best == nullptr || more_specific(r, *best)))
        best = &r;
    }
  }

  if (best == nullptr) {
    if (!path_known) {
      respond(json_error(404, "not_found", "no resource at " + request.path));
      return;
    }
    std::sort(allowed.begin(), allowed.end());
    std::string allow;
    for (Method m : allowed) {
      if (!allow.empty()) allow += ", ";
      allow += to_string(m);
    }
    Response r = json_error(
        405, "method_not_allowed",
        std::string(to_string(request.method)) + " is not allowed on " + request.path + " (allowed: " + allow + ")");
    r.headers.set("Allow", allow);
    respond(std::move(r));
    return;
  }

  request.path_params.clear();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (!best->segments[i].parameter) continue;
    auto value = percent_decode(segments[i], false);  // '+' is literal in a path
    if (!value) {
      respond(
          json_error(400, "invalid_path", "path parameter '" + best->segments[i].text + "': " + value.error().message));
      return;
    }
    request.path_params.emplace_back(best->segments[i].text, std::move(value).value());
  }
  respond.set_route(best->pattern);
  best->handler(std::move(request), std::move(respond));
}

}  // namespace cg::http
