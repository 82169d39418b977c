// The whole gateway wired together explicitly (STYLE.md: userver's main wires components): config
// -> store -> templates -> service -> outbox dispatcher, scheduler, routes -> HTTP server. main()
// and the HTTP tests both run it.
#pragma once

#include <memory>

#include "adapters/sms/sender.hpp"
#include "adapters/store/store.hpp"
#include "gateway/app/clock.hpp"
#include "gateway/app/config.hpp"
#include "gateway/console/console_routes.hpp"
#include "gateway/http/reader_pool.hpp"
#include "gateway/http/router.hpp"
#include "gateway/http/server.hpp"
#include "gateway/metrics/metrics.hpp"
#include "gateway/payments/payments.hpp"
#include "gateway/service/service.hpp"
#include "gateway/sms/conversation.hpp"
#include "gateway/web/health.hpp"
#include "gateway/workers/retention.hpp"
#include "gateway/workers/workers.hpp"
#include "templates/catalogue.hpp"

namespace cg::gateway {

class App {
 public:
  // Opens the store, loads the templates, builds the routes. Nothing listens yet.
  static Result<std::unique_ptr<App>> create(Config config, const Clock& clock);
  ~App();

  // Binds and starts the server, the dispatcher and the scheduler.
  Status start();
  // Stops accepting, finishes requests in flight, stops the workers, closes the store.
  void stop();

  // Opens the SMS adapters' files again (SIGHUP, after logrotate moved them). Each failure is
  // logged; the adapter keeps its old file.
  void reopen_files();

  std::uint16_t port() const { return server_->port(); }
  Service& service() { return *service_; }
  ConversationService& conversation() { return *conversation_; }
  PaymentService& payments() { return *payments_; }
  store::Store& store() { return *store_; }
  Dispatcher& dispatcher() { return *dispatcher_; }
  const Config& config() const { return config_; }
  // Scheduler ticks finished since start (the first runs at once on start).
  std::uint64_t scheduler_runs() const { return scheduler_loop_ ? scheduler_loop_->runs() : 0; }

 private:
  App(Config config, const Clock& clock) : config_(std::move(config)), clock_(clock) {}

  Config config_;
  const Clock& clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<templates::Catalogue> catalogue_;
  std::unique_ptr<Service> service_;
  std::unique_ptr<ConversationService> conversation_;  // SMS/USSD
  std::unique_ptr<PaymentService> payments_;           // eFAWATEERcom
  std::vector<std::unique_ptr<sms::Sender>> senders_;  // sms.providers, in order of preference
  std::unique_ptr<Dispatcher> dispatcher_;
  std::unique_ptr<Periodic> dispatch_loop_;
  std::vector<std::unique_ptr<Periodic>> more_dispatch_loops_;  // sms.dispatchers beyond the first
  std::unique_ptr<Periodic> scheduler_loop_;
  std::unique_ptr<Retention> retention_;  // none when retention keeps everything
  std::unique_ptr<Periodic> retention_loop_;
  Metrics metrics_;
  // Declared before the server: requests still queued on the pool when the server goes are run
  // (or answered by their deadline) before these are destroyed.
  std::unique_ptr<http::Deadlines> deadlines_;
  std::unique_ptr<http::ReaderPool> readers_;
  std::unique_ptr<web::HealthCheck> health_;
  std::unique_ptr<console::ConsoleRoutes> console_;  // console.enabled; before the server, which calls it
  http::Router router_;
  std::unique_ptr<http::Server> server_;
  bool stopped_ = false;
};

// The store named by config.store.url.
Result<std::unique_ptr<store::Store>> open_store(const StoreConfig& config);

}  // namespace cg::gateway
