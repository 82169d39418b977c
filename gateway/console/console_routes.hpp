// The operator console at /console/ (docs/console.md): its files, sign-in and sign-out, and the
// JSON endpoints under /console/api/, each behind a session of the role it needs. Every
// state-changing request needs the session's CSRF token (X-CSRF-Token) and a JSON body.
#pragma once

#include <memory>

#include "adapters/store/store.hpp"
#include "gateway/app/clock.hpp"
#include "gateway/app/config.hpp"
#include "gateway/http/reader_pool.hpp"
#include "gateway/http/router.hpp"
#include "gateway/service/service.hpp"
#include "gateway/sms/conversation.hpp"

namespace cg::gateway {
class Dispatcher;
}

namespace cg::gateway::console {

class Console;

// Owns what the console's handlers share (the sign-in throttle, the password worker); it must
// outlive the server that calls the routes.
class ConsoleRoutes {
 public:
  // The Course and Application pages act through `service` (the card's own paths), the Simulator
  // page through `conversation` (the SMS and USSD conversation of every provider); the Messages page
  // shows the providers' state as `dispatcher` knows it (none when null).
  ConsoleRoutes(Service& service, ConversationService& conversation, const Config& config, const Clock& clock,
                const Dispatcher* dispatcher = nullptr);
  ~ConsoleRoutes();
  void register_routes(http::Router& router, http::ReaderPool& readers);
  // Housekeeping for the scheduler: removes sessions idle past console.idle_timeout_s.
  Status forget_idle_sessions();

 private:
  std::unique_ptr<Console> impl_;
};

}  // namespace cg::gateway::console
