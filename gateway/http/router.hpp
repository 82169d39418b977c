// Method + path pattern → handler. Registration is explicit (in main), never static.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/http/handler.hpp"
#include "gateway/http/message.hpp"

namespace cg::http {

// Patterns are absolute paths whose segments are literals or `{name}` parameters, e.g.
// "/v1/applications/{id}"; a pattern may end in '/' ("/console/"), which then differs from the
// same path without it. A parameter matches one non-empty segment and is percent-decoded into
// Request::path_params. When several patterns match, the one with a literal at the first segment
// where they differ wins ("/v1/sms/kannel/status" before "/v1/sms/{provider}/status").
//
// HEAD is served by the GET route when no HEAD route is registered (the server sends no body),
// unless the GET route was added with Head::refused: a GET that acts (Kannel's get-url delivers a
// message, its dlr-url a report) must not act on a HEAD, which is answered 405.
// Unknown path: 404 JSON. Known path, other method: 405 JSON with an Allow header. A parameter
// with a malformed percent escape: 400 JSON. Each match labels the Responder with its pattern for
// the metrics hook; 404/405/400 leave the label empty.
class Router {
 public:
  // A bad pattern or a second registration of the same method and pattern shape is a programming
  // error caught at start: std::invalid_argument naming it.
  enum class Head { from_get, refused };
  Router& add(Method method, std::string_view pattern, Handler handler, Head head = Head::from_get);
  Router& add(std::initializer_list<Method> methods, std::string_view pattern, const Handler& handler,
              Head head = Head::from_get);

  void dispatch(Request request, Responder respond) const;
  void operator()(Request request, Responder respond) const { dispatch(std::move(request), std::move(respond)); }

  // Every registered pattern once, in registration order (e.g. to pre-declare metric series).
  std::vector<std::string> patterns() const;

 private:
  struct Segment {
    std::string text;  // literal text, or the parameter name
    bool parameter = false;
  };
  struct Route {
    Method method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
    Head head = Head::from_get;  // for a GET route: whether it serves HEAD
  };
  std::vector<Route> routes_;
  // Patterns without parameters by their path: the routes_ index of each method's route. A request
  // for such a path with one of those methods needs no scan (nothing matches it more specifically).
  struct PathHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::vector<std::size_t>, PathHash, std::equal_to<>> literal_;
};

}  // namespace cg::http
