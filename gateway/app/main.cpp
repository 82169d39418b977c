// course-gateway: the Greater Amman Municipality's "Request to attend a course" service over
// SMS, USSD and the web.
//
//   course-gateway serve --config FILE     run the gateway
//   course-gateway check-config --config FILE
//   course-gateway backup --config FILE --to PATH [--force]   copy the SQLite store while it runs
//   course-gateway version
//   course-gateway efawateercom-sign|efawateercom-send ...   play eFAWATEERcom by hand
#include <cstdio>
#include <cstring>
#include <string>

#include <iostream>
#include <vector>

#include "adapters/store/open.hpp"
#include "gateway/app/app.hpp"
#include "gateway/app/backup_command.hpp"
#include "gateway/http/signals.hpp"
#include "gateway/payments/efawateercom_tool.hpp"

#ifndef CG_VERSION
#define CG_VERSION "dev"
#endif

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: course-gateway serve --config FILE\n"
               "       course-gateway check-config --config FILE\n"
               "       course-gateway backup --config FILE --to PATH [--force]\n"
               "       course-gateway version\n"
               "       course-gateway efawateercom-sign|efawateercom-send ...   (run without options for help)\n");
  return 2;
}

const char* option(int argc, char** argv, const char* name) {
  for (int i = 2; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  return nullptr;
}

const char* config_arg(int argc, char** argv) { return option(argc, argv, "--config"); }

bool flag(int argc, char** argv, const char* name) {
  for (int i = 2; i < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return true;
  return false;
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
  if (command != "serve" && command != "check-config" && command != "backup") return usage();
  const char* path = config_arg(argc, argv);
  if (!path) return usage();
  auto config = load_config(path);
  if (!config) {
    std::fprintf(stderr, "course-gateway: %s\n", config.error().message.c_str());
    return 1;
  }
  if (command == "check-config") {
    std::printf("%s: ok\n", path);
    return 0;
  }
  if (command == "backup") {  // gateway/app/backup_command.hpp
    const char* to = option(argc, argv, "--to");
    if (!to) return usage();
    return run_backup(*config, to, flag(argc, argv, "--force"), std::cout, std::cerr);
  }
  // Catch SIGINT/SIGTERM before any thread starts, so none of them is killed by the default action.
  cg::http::TerminationSignals signals;
  SystemClock clock;
  auto app = App::create(std::move(*config), clock);
  if (!app) {
    std::fprintf(stderr, "course-gateway: %s\n", app.error().message.c_str());
    return 1;
  }
  if (auto s = (*app)->start(); !s) {
    std::fprintf(stderr, "course-gateway: %s\n", s.error().message.c_str());
    return 1;
  }
  // The machine-readable line scripts wait for (scripts/bench-http.sh), then the human one.
  std::printf("listening on %s:%u\n", (*app)->config().listen.address.c_str(), (*app)->port());
  std::fflush(stdout);
  std::fprintf(stderr, "course-gateway %s listening on %s:%u (store %s, outbox %s)\n", CG_VERSION,
               (*app)->config().listen.address.c_str(), (*app)->port(),
               cg::store::redact_store_url((*app)->config().store.url).c_str(),
               (*app)->config().outbox.adapter.c_str());
  if ((*app)->config().sms.dispatchers == 0)
    std::fprintf(stderr, "course-gateway: sms.dispatchers is 0: outbound SMS are kept in the outbox, none is sent\n");
  int sig = signals.wait();
  std::fprintf(stderr, "course-gateway: signal %d, stopping: finishing requests in flight\n", sig);
  (*app)->stop();
  std::fprintf(stderr, "course-gateway: stopped\n");
  return 0;
}
