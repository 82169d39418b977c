// course-gateway: the Greater Amman Municipality's "Request to attend a course" service over
// SMS, USSD and the web.
//
//   course-gateway serve --config FILE     run the gateway
//   course-gateway check-config --config FILE
//   course-gateway version
//   course-gateway efawateercom-sign|efawateercom-send ...   play eFAWATEERcom by hand
#include <cstdio>
#include <cstring>
#include <string>

#include <iostream>
#include <vector>

#include "adapters/observe/log.hpp"
#include "adapters/store/open.hpp"
#include "gateway/app/app.hpp"
#include "gateway/http/signals.hpp"
#include "gateway/payments/efawateercom_tool.hpp"

#ifndef CG_VERSION
#define CG_VERSION "dev"
#endif

namespace {

// Help for the person at the terminal, not an event of a running gateway: plain text, not a log line.
int usage() {
  std::fputs(
      "usage: course-gateway serve --config FILE\n"
      "       course-gateway check-config --config FILE\n"
      "       course-gateway version\n"
      "       course-gateway efawateercom-sign|efawateercom-send ...   (run without options for help)\n",
      stderr);
  return 2;
}

const char* config_arg(int argc, char** argv) {
  for (int i = 2; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--config") == 0) return argv[i + 1];
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cg::gateway;
  if (argc < 2) return usage();
  std::string command = argv[1];
  if (command == "version" || command == "--version") {
    std::printf("course-gateway %s\n", CG_VERSION);
    return 0;
  }
  if (command == "efawateercom-sign" || command == "efawateercom-send")  // gateway/payments/efawateercom_tool.hpp
    return run_efawateercom_tool(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
  if (command != "serve" && command != "check-config") return usage();
  const char* path = config_arg(argc, argv);
  if (!path) return usage();
  auto config = load_config(path);
  if (!config) {
    cg::log::error("main", "config refused", {{"error", config.error().message}});
    return 1;
  }
  cg::log::configure(*cg::log::parse_level(config->log.level), *cg::log::parse_format(config->log.format));
  if (command == "check-config") {
    std::printf("%s: ok\n", path);
    return 0;
  }
  // Catch SIGINT/SIGTERM before any thread starts, so none of them is killed by the default action.
  cg::http::TerminationSignals signals;
  SystemClock clock;
  auto app = App::create(std::move(*config), clock);
  if (!app) {
    cg::log::error("main", "cannot start", {{"error", app.error().message}});
    return 1;
  }
  if (auto s = (*app)->start(); !s) {
    cg::log::error("main", "cannot start", {{"error", s.error().message}});
    return 1;
  }
  // The machine-readable line scripts wait for (scripts/bench-http.sh), then the human one.
  std::printf("listening on %s:%u\n", (*app)->config().listen.address.c_str(), (*app)->port());
  std::fflush(stdout);
  cg::log::info("main", "listening",
                {{"version", CG_VERSION},
                 {"address", (*app)->config().listen.address},
                 {"port", (*app)->port()},
                 {"store", cg::store::redact_store_url((*app)->config().store.url)},
                 {"outbox", (*app)->config().outbox.adapter}});
  if ((*app)->config().sms.dispatchers == 0)
    cg::log::warn("main", "sms.dispatchers is 0: outbound SMS are kept in the outbox, none is sent");
  int sig = signals.wait();
  cg::log::info("main", "stopping: finishing requests in flight", {{"signal", sig}});
  (*app)->stop();
  cg::log::info("main", "stopped");
  return 0;
}
