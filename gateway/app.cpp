#include "gateway/app.hpp"

#include <cstdio>

#include "adapters/sms/file/file_sender.hpp"
#include "gateway/routes.hpp"

namespace cg::gateway {

Result<std::unique_ptr<store::Store>> open_store(const StoreConfig& config) {
  if (config.url.rfind("sqlite:", 0) == 0) {
    store::SqliteSettings s;
    s.path = config.url.substr(7);
    s.readers = config.readers;
    s.synchronous_full = config.synchronous_full;
    return store::open_sqlite(s);
  }
  return make_error("invalid_config", "store.url: the MySQL backend is not built into this binary yet");
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
  auto sender = sms::FileSender::open(c.outbox.file.path);
  if (!sender) return sender.error();
  app->sender_ = std::move(*sender);
  app->dispatcher_ = std::make_unique<Dispatcher>(*app->store_, *app->sender_, c.outbox, clock);
  App* self = app.get();
  app->dispatch_loop_ = std::make_unique<Periodic>(c.outbox.poll, [self] {
    auto n = self->dispatcher_->run_once();
    if (!n) {
      std::fprintf(stderr, "outbox: %s\n", n.error().message.c_str());
      return false;
    }
    return *n >= self->config_.outbox.batch;  // a full batch: more may be waiting
  });
  app->scheduler_loop_ = std::make_unique<Periodic>(c.scheduler.tick, [self] {
    TickReport r = self->service_->tick(self->clock_.now());
    if (r.postponed_courses + r.ended_courses + r.reminded_courses + r.expired_bills > 0)
      std::fprintf(stderr, "scheduler: postponed %d, ended %d, reminded %d, expired bills %d\n", r.postponed_courses,
                   r.ended_courses, r.reminded_courses, r.expired_bills);
    if (r.errors) std::fprintf(stderr, "scheduler: %d steps failed; they run again next tick\n", r.errors);
    if (r.postponed_courses + r.ended_courses + r.reminded_courses + r.expired_bills > 0) self->dispatch_loop_->wake();
    return false;
  });
  register_routes(app->router_, RouteContext{*app->service_, c, app->metrics_});
  http::Settings hs;
  hs.address = c.listen.address;
  hs.port = c.listen.port;
  hs.threads = static_cast<unsigned>(c.listen.threads);
  hs.body_limit = c.limits.body_bytes;
  hs.read_timeout = c.limits.header_timeout;
  hs.idle_timeout = c.limits.idle_timeout;
  hs.max_connections = c.limits.max_connections;
  app->server_ = std::make_unique<http::Server>(
      hs, [self](http::Request req, http::Responder respond) { self->router_.dispatch(std::move(req), std::move(respond)); },
      [self](const http::Completed& done) {
        self->metrics_.request(done.route, done.method, done.status, done.duration);
      });
  return app;
}

App::~App() { stop(); }

Status App::start() {
  if (auto s = server_->start(); !s) return s;
  dispatch_loop_->start();
  scheduler_loop_->start();
  return ok_status();
}

void App::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (server_) server_->stop();
  if (scheduler_loop_) scheduler_loop_->stop();
  if (dispatch_loop_) dispatch_loop_->stop();
  if (store_) store_->close();
}

}  // namespace cg::gateway
