// The handler model: a handler gets the request and a Responder and may answer later, from any
// thread. Requests that write to the store are completed by a store thread after its
// group commit, so the answer cannot be the handler's return value.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/http/message.hpp"

namespace cg::http {

// Sends the response of one request. Copyable; all copies share one answer: the first call wins
// and later calls are ignored. Callable from any thread. If every copy is destroyed without an
// answer (a handler bug, or an exception thrown through the handler), the client gets a 500
// "no_response" error instead of a connection that hangs forever.
class Responder {
 public:
  // `deliver` receives the answer and the route label set with set_route(); it is called exactly
  // once, on the thread that answers (or drops the last copy).
  using Deliver = std::function<void(Response response, std::string route)>;
  explicit Responder(Deliver deliver);

  void operator()(Response response) const;

  // The route pattern that matched, for per-route metrics (the Router sets it). Call it before the
  // Responder is handed to another thread.
  void set_route(std::string_view pattern) const;

  bool answered() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Must not block: it runs on a server thread. Slow work goes elsewhere and answers through the
// Responder.
using Handler = std::function<void(Request request, Responder respond)>;

// For handlers that answer at once: wraps `Response f(const Request&)`.
Handler sync_handler(std::function<Response(const Request&)> fn);

}  // namespace cg::http
