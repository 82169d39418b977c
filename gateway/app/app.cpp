#include "gateway/app/app.hpp"

#include <cstdio>
#include <stdexcept>

#include "adapters/observe/log.hpp"
#include "adapters/store/open.hpp"
#include "core/text.hpp"
#include "gateway/http/access.hpp"
#include "gateway/payments/efawateercom_routes.hpp"
#include "gateway/sms/inbound_routes.hpp"
#include "gateway/sms/senders.hpp"
#include "gateway/sms/status_routes.hpp"
#include "gateway/web/routes.hpp"
#include "gateway/workers/tick_metrics.hpp"

namespace cg::gateway {

Result<std::unique_ptr<store::Store>> open_store(const StoreConfig& config) {
  return store::open_store(
      {.url = config.url, .readers = config.readers, .pool = config.pool, .synchronous_full = config.synchronous_full});
}

void App::reopen_files() {
  for (auto& s : senders_)
    if (auto r = s->reopen(); !r)
      log::error("sms", "reopening the provider's file failed",
                 {{"provider", s->name()}, {"error", r.error().message}});
}

Result<std::unique_ptr<App>> App::create(Config config, const Clock& clock) {
  std::unique_ptr<App> app(new App(std::move(config), clock));
  const Config& c = app->config_;
  auto store = open_store(c.store);
  if (!store) return store.error();
  app->store_ = std::move(*store);
  auto catalogue = c.templates_directory.empty() ? templates::Catalogue::builtin()
                                                 : templates::Catalogue::from_directory(c.templates_directory);
  if (!catalogue) return make_error("invalid_templates", catalogue.error().message);
  app->catalogue_ = std::make_unique<templates::Catalogue>(std::move(*catalogue));
  app->service_ = std::make_unique<Service>(*app->store_, *app->catalogue_, c, clock);
  app->conversation_ = std::make_unique<ConversationService>(*app->store_, *app->service_, *app->catalogue_, c, clock);
  auto payments = PaymentService::create(*app->service_, c);  // reads the eFAWATEERcom keys when enabled
  if (!payments) return payments.error();
  app->payments_ = std::move(*payments);
  // The providers of sms.providers in order of preference (the file adapter by default).
  auto senders = make_senders(c);
  if (!senders) return senders.error();
  app->senders_ = std::move(*senders);
  std::vector<sms::Sender*> providers;
  for (auto& s : app->senders_) providers.push_back(s.get());
  app->dispatcher_ = std::make_unique<Dispatcher>(*app->store_, std::move(providers), dispatch_settings(c), clock);
  App* self = app.get();
  auto dispatch = [self] {
    auto n = self->dispatcher_->run_once();
    // A store that fails is a failed run like an exception: logged, counted and backed off by Periodic.
    if (!n) throw std::runtime_error("outbox: " + n.error().message);
    return *n >= self->config_.outbox.batch;  // a full batch: more may be waiting
  };
  // sms.dispatchers = 0 holds outbound SMS: every message is still stored in the outbox with the
  // state change that caused it, and goes out once the gateway runs with a dispatcher again.
  auto count_failure = [self](const std::string& worker) { self->metrics_.worker_failure(worker); };
  if (c.sms.dispatchers > 0)
    app->dispatch_loop_ = std::make_unique<Periodic>("cg-outbox-0", c.outbox.poll, dispatch, count_failure);
  // More dispatcher threads claim their own batches: one sends while another records.
  for (int i = 1; i < c.sms.dispatchers; ++i)
    app->more_dispatch_loops_.push_back(
        std::make_unique<Periodic>("cg-outbox-" + std::to_string(i), c.outbox.poll, dispatch, count_failure));
  app->scheduler_loop_ = std::make_unique<Periodic>(
      "cg-scheduler", c.scheduler.tick,
      [self] {
        ScheduledTick timed(self->config_.scheduler.tick);
        TickReport r = self->service_->tick(self->clock_.now());
        if (r.postponed_courses + r.ended_courses + r.reminded_courses + r.expired_bills > 0)
          log::info("scheduler", "tick changed something",
                    {{"postponed", r.postponed_courses},
                     {"ended", r.ended_courses},
                     {"reminded", r.reminded_courses},
                     {"expired_bills", r.expired_bills}});
        if (r.errors) log::warn("scheduler", "steps failed; they run again next tick", {{"failed", r.errors}});
        if (r.postponed_courses + r.ended_courses + r.reminded_courses + r.expired_bills > 0 && self->dispatch_loop_)
          self->dispatch_loop_->wake();
        if (self->console_)
          if (auto s = self->console_->forget_idle_sessions(); !s)
            throw std::runtime_error("forgetting idle console sessions: " + s.error().message);
        // Half-finished dialogues hold names and document numbers: none is kept past its expiry.
        if (auto forgotten = self->conversation_->forget_expired_dialogues(self->clock_.now()); !forgotten)
          throw std::runtime_error("forgetting expired dialogues: " + forgotten.error().message);
        return false;
      },
      count_failure);
  // Retention on a thread of its own: a pass through a backlog takes minutes of small batches, which
  // must not hold up the scheduler's card steps.
  if (c.retention.purges_anything()) {
    app->retention_ = std::make_unique<Retention>(
        *app->store_, c.retention,
        [self](store::PurgeKind kind, std::int64_t n) { self->metrics_.retention_purged(kind, n); });
    app->retention_loop_ = std::make_unique<Periodic>(
        "cg-retention", c.retention.interval,
        [self] {
          auto purged = self->retention_->run_once(self->clock_.now());
          if (!purged) throw std::runtime_error(purged.error().message);
          return false;
        },
        count_failure);
  }
  app->metrics_.worker_started("cg-scheduler");
  if (app->retention_loop_) app->metrics_.worker_started("cg-retention");
  for (int i = 0; i < c.sms.dispatchers; ++i) app->metrics_.worker_started("cg-outbox-" + std::to_string(i));
  // Store reads for HTTP requests run here, off the server's threads (gateway/http/reader_pool.hpp).
  app->deadlines_ = std::make_unique<http::Deadlines>();
  app->readers_ = std::make_unique<http::ReaderPool>(
      http::ReaderPoolSettings{
          .threads = c.store.reader_threads, .queue = c.store.reader_queue, .deadline = c.store.read_deadline},
      *app->deadlines_);
  app->health_ = std::make_unique<web::HealthCheck>(*app->store_, *app->deadlines_, c.health.deadline);
  web::register_web_routes(app->router_, *app->service_, c, app->metrics_, web::Offload{*app->readers_, *app->health_});
  const ProviderContext provider_context{*app->conversation_, *app->store_, c, clock};
  register_sms_inbound_routes(app->router_, provider_context);
  register_efawateercom_routes(app->router_, *app->payments_, c, *app->readers_);
  register_sms_status_routes(app->router_, provider_context, *app->readers_);
  if (c.console.enabled) {
    app->console_ =
        std::make_unique<console::ConsoleRoutes>(*app->service_, *app->conversation_, c, clock, app->dispatcher_.get());
    app->console_->register_routes(app->router_, *app->readers_);
  }
  http::Settings hs;
  hs.address = c.listen.address;
  hs.port = c.listen.port;
  hs.threads = static_cast<unsigned>(c.listen.threads);
  hs.body_limit = c.limits.body_bytes;
  hs.read_timeout = c.limits.header_timeout;
  hs.idle_timeout = c.limits.idle_timeout;
  hs.max_connections = c.limits.max_connections;
  hs.max_connections_per_ip = c.limits.max_connections_per_ip;
  if (!c.listen.trusted_proxies.empty())
    hs.trusted_proxy = [self](std::string_view address) {
      return self->config_.listen.trusted_proxies.contains(address);
    };
  app->server_ =
      std::make_unique<http::Server>(hs, http::with_access_log([self](http::Request req, http::Responder respond) {
                                       self->router_.dispatch(std::move(req), std::move(respond));
                                     }),
                                     [self](const http::Completed& done) {
                                       self->metrics_.request(done.route, done.method, done.status, done.duration);
                                     });
  return app;
}

App::~App() { stop(); }

Status App::start() {
  if (auto s = server_->start(); !s) return s;
  if (dispatch_loop_) dispatch_loop_->start();
  for (auto& loop : more_dispatch_loops_) loop->start();
  scheduler_loop_->start();
  if (retention_loop_) retention_loop_->start();
  return ok_status();
}

void App::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (server_) server_->stop();
  // Before the store closes: what they still run reads it. The deadlines answer last.
  if (health_) health_->stop();
  if (readers_) readers_->stop();
  if (deadlines_) deadlines_->stop();
  if (scheduler_loop_) scheduler_loop_->stop();
  if (retention_) retention_->stop();  // a pass ends at its next pause
  if (retention_loop_) retention_loop_->stop();
  if (dispatch_loop_) dispatch_loop_->stop();
  for (auto& loop : more_dispatch_loops_) loop->stop();
  if (store_) store_->close();
}

}  // namespace cg::gateway
