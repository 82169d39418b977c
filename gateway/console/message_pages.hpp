// The console's Messages and Opt-outs pages (docs/console.md): the outbox newest first, filtered by
// status and provider and paged by key, failed messages with their reason; resending failed SMS
// (operator, audited as sms.resend, idempotent); the delivery funnel of the last 24 hours; the
// providers' state as the dispatcher knows it (read-only); and the numbers that sent STOP, newest
// first. Phones are masked for a viewer, as on the Course page.
#pragma once

#include "gateway/app/config.hpp"
#include "gateway/console/course_pages.hpp"

namespace cg::gateway {
class Dispatcher;
}

namespace cg::gateway::console {

class MessagePages {
 public:
  // `dispatcher` (may be null: no providers' state to show) must outlive the pages.
  MessagePages(Service& service, const Clock& clock, const Config& config, const Dispatcher* dispatcher)
      : service_(service), clock_(clock), config_(config), dispatcher_(dispatcher) {}

  // GET /console/api/messages?status=S&provider=P&after=ID&limit=N
  void get_messages(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // GET /console/api/messages/funnel
  void get_funnel(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // GET /console/api/messages/providers
  void get_providers(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // POST /console/api/messages/resend {"ids": [ID, ...]}
  void resend(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // GET /console/api/opt-outs?after=KEY&limit=N
  void get_opt_outs(const PageCaller& c, const http::Request& req, const http::Responder& respond);

  // At most this many messages per resend request.
  static constexpr std::size_t kMaxResend = 100;

 private:
  Service& service_;
  const Clock& clock_;
  const Config& config_;
  const Dispatcher* dispatcher_;
};

}  // namespace cg::gateway::console
