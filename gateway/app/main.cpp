// course-gateway: the Greater Amman Municipality's "Request to attend a course" service over
// SMS, USSD and the web.
//
//   course-gateway serve --config FILE                 run the gateway
//   course-gateway check-config --config FILE [--online]
//   course-gateway backup --config FILE --to PATH [--force]   copy the SQLite store while it runs
//   course-gateway version
//   course-gateway efawateercom-sign|efawateercom-send ...   play eFAWATEERcom by hand
//   course-gateway operator add|list|disable|reset --config FILE ...   console operators
//
// `course-gateway --help` and `course-gateway COMMAND --help` list the options (exit 0); a usage
// mistake is one line on stderr and exit status 2.
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "adapters/observe/log.hpp"
#include "adapters/store/open.hpp"
#include "gateway/app/app.hpp"
#include "gateway/app/backup_command.hpp"
#include "gateway/app/online_check.hpp"
#include "gateway/console/operator_tool.hpp"
#include "gateway/http/signals.hpp"
#include "gateway/payments/efawateercom_tool.hpp"

#ifndef CG_VERSION
#define CG_VERSION "dev"
#endif

namespace {

struct Option {
  const char* name;
  const char* value;  // the value's placeholder; null for a flag
  const char* help;
};

struct Command {
  const char* name;
  const char* summary;
  std::vector<Option> options;  // --help is every command's too
  bool own_parser = false;      // the command reads its own arguments (and answers --help itself)
};

const std::vector<Command>& commands() {
  static const std::vector<Command> kCommands{
      {"serve",
       "Run the gateway in the foreground until SIGINT or SIGTERM, then finish the requests in flight and stop.",
       {{"--config", "FILE", "the JSON config (docs/configuration.md); required"}}},
      {"check-config",
       "Check a config file as serve would read it, and exit: 0 accepted, 1 refused (the reason on stderr).",
       {{"--config", "FILE", "the JSON config; required"},
        {"--online", nullptr,
         "also connect to the store and ask each SMS provider whether it takes the credentials, sending and "
         "writing nothing; one line per check, exit 1 if any fails"}}},
      {"backup",
       "Copy the SQLite store to PATH while the gateway runs (a consistent snapshot, integrity-checked, 0600; "
       "docs/backup.md).",
       {{"--config", "FILE", "the JSON config; required"},
        {"--to", "PATH", "where the copy goes; required"},
        {"--force", nullptr, "replace PATH if it exists"}}},
      {"version", "Print the version.", {}},
      {"efawateercom-sign", "Build and sign a test eFAWATEERcom bill pull or payment notification.", {}, true},
      {"efawateercom-send", "Sign one and post it to the gateway, and check the signed answer.", {}, true},
      {"operator", "Add, list, disable or reset the console's operators (works before any operator exists).", {}, true},
  };
  return kCommands;
}

const Command* find_command(const std::string& name) {
  for (const auto& c : commands())
    if (name == c.name) return &c;
  return nullptr;
}

void print_overview(std::FILE* to) {
  std::fprintf(to, "usage: course-gateway COMMAND [OPTIONS]\n\ncommands:\n");
  for (const auto& c : commands()) std::fprintf(to, "  %-18s %s\n", c.name, c.summary);
  std::fprintf(to, "\n`course-gateway COMMAND --help` lists a command's options.\n");
}

void print_help(const Command& c) {
  std::string synopsis = std::string("course-gateway ") + c.name;
  for (const auto& o : c.options)
    synopsis += o.value ? std::string(" ") + o.name + " " + o.value : std::string(" [") + o.name + "]";
  std::printf("usage: %s\n\n%s\n\noptions:\n", synopsis.c_str(), c.summary);
  for (const auto& o : c.options) {
    std::string left = std::string(o.name) + (o.value ? std::string(" ") + o.value : "");
    std::printf("  %-16s %s\n", left.c_str(), o.help);
  }
  std::printf("  %-16s %s\n", "--help, -h", "print this help and exit");
}

int usage_error(const std::string& command, const std::string& what) {
  std::fprintf(stderr, "course-gateway %s: %s (see course-gateway %s --help)\n", command.c_str(), what.c_str(),
               command.c_str());
  return 2;
}

struct Parsed {
  std::optional<std::string> config;
  std::optional<std::string> to;
  bool online = false;
  bool force = false;
  bool help = false;
};

// Options as the command lists them; `--name=value` works too. The first mistake is returned.
std::optional<std::string> parse(const Command& c, int argc, char** argv, Parsed& out) {
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      out.help = true;
      continue;
    }
    std::optional<std::string> inline_value;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
      inline_value = arg.substr(eq + 1);
      arg.resize(eq);
    }
    const Option* option = nullptr;
    for (const auto& o : c.options)
      if (arg == o.name) option = &o;
    if (!option) return arg.starts_with("-") ? "unknown option '" + arg + "'" : "unexpected argument '" + arg + "'";
    if (!option->value) {
      if (inline_value) return arg + " takes no value";
      if (arg == "--online") out.online = true;
      if (arg == "--force") out.force = true;
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return arg + " needs a value (" + option->value + ")";
    }
    if (arg == "--config") {
      if (out.config) return "--config is given twice";
      out.config = value;
    }
    if (arg == "--to") {
      if (out.to) return "--to is given twice";
      out.to = value;
    }
  }
  return std::nullopt;
}

int check_config(const std::string& path, const cg::gateway::Config& config, bool online) {
  std::printf("%s: ok\n", path.c_str());
  if (!online) return 0;
  int failed = 0;
  auto checks = cg::gateway::check_online(config);
  for (const auto& c : checks) {
    std::printf("%-5s %s: %s\n", c.ok ? "ok" : "FAIL", c.subject.c_str(), c.detail.c_str());
    failed += c.ok ? 0 : 1;
  }
  std::fflush(stdout);
  if (failed > 0) {
    std::fprintf(stderr, "course-gateway: %d of %zu online checks failed\n", failed, checks.size());
    return 1;
  }
  return 0;
}

int serve(cg::gateway::Config config) {
  using namespace cg::gateway;
  // Catch SIGINT/SIGTERM/SIGHUP before any thread starts, so none of them is killed by the default action.
  cg::http::TerminationSignals signals;
  SystemClock clock;
  auto app = App::create(std::move(config), clock);
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
  // SIGHUP: logrotate moved the outbox file away; the file adapter opens its path again.
  int sig = signals.wait([&] {
    cg::log::info("main", "SIGHUP: reopening the outbox files");
    (*app)->reopen_files();
  });
  cg::log::info("main", "stopping: finishing requests in flight", {{"signal", sig}});
  (*app)->stop();
  cg::log::info("main", "stopped");
  return 0;
}

// The commands that read their own arguments: gateway/payments/efawateercom_tool.hpp and
// gateway/console/operator_tool.hpp.
int run_own_parser(const Command& c, const std::vector<std::string>& args) {
  if (std::string_view(c.name) == "operator")
    return cg::gateway::console::run_operator_tool(args, std::cin, std::cout, std::cerr);
  return cg::gateway::run_efawateercom_tool(args, std::cout, std::cerr);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace cg::gateway;
  if (argc < 2) {
    print_overview(stderr);
    return 2;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    if (argc > 2) {
      const Command* c = find_command(argv[2]);
      if (!c) return usage_error("help", std::string("unknown command '") + argv[2] + "'");
      if (c->own_parser) return run_own_parser(*c, {c->name, "--help"});
      print_help(*c);
      return 0;
    }
    print_overview(stdout);
    return 0;
  }
  const Command* command = find_command(name == "--version" ? "version" : name);
  if (!command) {
    std::fprintf(stderr, "course-gateway: unknown command '%s' (see course-gateway --help)\n", name.c_str());
    return 2;
  }
  if (command->own_parser) return run_own_parser(*command, std::vector<std::string>(argv + 1, argv + argc));
  Parsed parsed;
  if (auto mistake = parse(*command, argc, argv, parsed)) return usage_error(command->name, *mistake);
  if (parsed.help) {
    print_help(*command);
    return 0;
  }
  if (name == "version" || name == "--version") {
    std::printf("course-gateway %s\n", CG_VERSION);
    return 0;
  }
  if (!parsed.config) return usage_error(command->name, "--config FILE is required");
  auto config = load_config(*parsed.config);
  if (!config) {
    cg::log::error("main", "config refused", {{"error", config.error().message}});
    return 1;
  }
  cg::log::configure(*cg::log::parse_level(config->log.level), *cg::log::parse_format(config->log.format));
  if (name == "check-config") return check_config(*parsed.config, *config, parsed.online);
  if (name == "backup") {  // gateway/app/backup_command.hpp
    if (!parsed.to) return usage_error(command->name, "--to PATH is required");
    return run_backup(*config, *parsed.to, parsed.force, std::cout, std::cerr);
  }
  return serve(std::move(*config));
}
