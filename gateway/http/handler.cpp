#include "gateway/http/handler.hpp"

#include <atomic>
#include <cstdio>
#include <exception>

#include "adapters/observe/log.hpp"

namespace cg::http {

struct Responder::State {
  explicit State(Deliver d) : deliver(std::move(d)) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  ~State() {
    if (answered.exchange(true)) return;
    try {
      deliver(json_error(500, "no_response", "the request handler finished without answering"), std::move(route));
    } catch (const std::exception& e) {
      // A destructor must not throw; the connection is then closed by the server's own guard.
      log::error("http", "delivering the fallback response failed", {{"error", e.what()}});
    }
  }

  Deliver deliver;
  std::string route;
  std::atomic<bool> answered{false};
};

Responder::Responder(Deliver deliver) : state_(std::make_shared<State>(std::move(deliver))) {}

void Responder::operator()(Response response) const {
  if (!state_ || state_->answered.exchange(true)) return;
  state_->deliver(std::move(response), state_->route);
}

void Responder::set_route(std::string_view pattern) const {
  if (state_) state_->route.assign(pattern);
}

bool Responder::answered() const { return state_ && state_->answered.load(); }

Handler sync_handler(std::function<Response(const Request&)> fn) {
  return [fn = std::move(fn)](const Request& request, const Responder& respond) { respond(fn(request)); };
}

}  // namespace cg::http
