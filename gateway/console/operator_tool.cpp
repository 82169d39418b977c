#include "gateway/console/operator_tool.hpp"

#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>

#include "adapters/crypto/password.hpp"
#include "core/time.hpp"
#include "gateway/app/app.hpp"
#include "gateway/console/auth.hpp"
#include "gateway/console/operators.hpp"

namespace cg::gateway::console {
namespace {

constexpr const char* kUsage =
    "usage: course-gateway operator add --config FILE NAME --role viewer|operator|admin [--password-file FILE|-]\n"
    "       course-gateway operator list --config FILE\n"
    "       course-gateway operator disable --config FILE NAME\n"
    "       course-gateway operator reset --config FILE NAME [--password-file FILE|-]\n"
    "       course-gateway operator --help\n"
    "Without --password-file a password is generated and printed once. reset also enables the account;\n"
    "disable and reset end the operator's console sessions.\n";

struct Options {
  std::string command, config, name, role, password_file;
  bool has_password_file = false;
};

std::optional<Options> parse(const std::vector<std::string>& args) {
  if (args.size() < 2) return std::nullopt;
  Options o;
  o.command = args[1];
  for (std::size_t i = 2; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= args.size()) return std::nullopt;
      return args[++i];
    };
    if (a == "--config") {
      auto v = value();
      if (!v) return std::nullopt;
      o.config = *v;
    } else if (a == "--role") {
      auto v = value();
      if (!v) return std::nullopt;
      o.role = *v;
    } else if (a == "--password-file") {
      auto v = value();
      if (!v) return std::nullopt;
      o.password_file = *v;
      o.has_password_file = true;
    } else if (a.starts_with("--") || !o.name.empty()) {
      return std::nullopt;
    } else {
      o.name = a;
    }
  }
  if (o.config.empty()) return std::nullopt;
  bool needs_name = o.command == "add" || o.command == "disable" || o.command == "reset";
  if (needs_name != !o.name.empty()) return std::nullopt;
  if ((o.command == "add") != !o.role.empty()) return std::nullopt;
  if (o.has_password_file && o.command != "add" && o.command != "reset") return std::nullopt;
  if (o.command != "add" && o.command != "list" && o.command != "disable" && o.command != "reset") return std::nullopt;
  return o;
}

// The first line of the file (or of standard input), without its line ending.
Result<std::string> read_password(const Options& o, std::istream& in) {
  std::string line;
  if (o.password_file == "-") {
    if (!std::getline(in, line)) return make_error("invalid_password", "no password on standard input");
  } else {
    std::ifstream f(o.password_file);
    if (!f) return make_error("invalid_password", "cannot read " + o.password_file);
    if (!std::getline(f, line)) return make_error("invalid_password", o.password_file + " is empty");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (auto problem = password_problem(line)) return make_error("invalid_password", *problem);
  return line;
}

core::Instant now() { return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()); }

}  // namespace

int run_operator_tool(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
  for (std::size_t i = 1; i < args.size(); ++i)
    if (args[i] == "--help" || args[i] == "-h") {
      out << kUsage;
      return 0;
    }
  if (args.size() < 2) {  // nothing asked: the whole usage
    err << kUsage;
    return 2;
  }
  for (std::size_t i = 1; i < args.size(); ++i)
    if (args[i].starts_with("-") && args[i] != "-" && args[i] != "--config" && args[i] != "--role" &&
        args[i] != "--password-file") {
      err << "course-gateway operator: unknown option '" << args[i] << "' (see course-gateway operator --help)\n";
      return 2;
    }
  auto o = parse(args);
  if (!o) {
    err << "course-gateway operator: the arguments do not make a command (see course-gateway operator --help)\n";
    return 2;
  }
  std::optional<Role> role;
  if (o->command == "add") {
    role = parse_role(o->role);
    if (!role) {
      err << "course-gateway operator: --role must be viewer, operator or admin\n";
      return 2;
    }
  }
  if (o->command == "add" || o->command == "disable" || o->command == "reset")
    if (!valid_username(o->name)) {
      err << "course-gateway operator: NAME must be 1 to 64 of a-z, 0-9, '.', '_' and '-'\n";
      return 2;
    }
  auto config = load_config(o->config);
  if (!config) {
    err << "course-gateway operator: " << config.error().message << "\n";
    return 1;
  }
  auto store = open_store(config->store);
  if (!store) {
    err << "course-gateway operator: " << store.error().message << "\n";
    return 1;
  }
  auto fail = [&](const Error& e) {
    err << "course-gateway operator: " << e.message << "\n";
    (*store)->close();
    return 1;
  };
  // The audit log names the command line as the actor: no operator is signed in here.
  const AuditBy by{"cli", "local"};
  std::string password;
  bool generated = false;
  if (o->command == "add" || o->command == "reset") {
    if (o->has_password_file) {
      auto p = read_password(*o, in);
      if (!p) return fail(p.error());
      password = std::move(*p);
    } else {
      password = crypto::generate_password();
      generated = true;
    }
  }
  if (o->command == "list") {
    auto all = list_operators(**store);
    if (!all) return fail(all.error());
    for (const auto& op : *all)
      out << op.username << "\t" << op.role << "\t" << (op.disabled ? "disabled" : "enabled") << "\t"
          << core::format_iso8601_utc(op.created_at) << "\n";
  } else if (o->command == "disable") {
    auto done = disable_operator(**store, o->name, by, now());
    if (!done) return fail(done.error());
    out << "disabled " << done->username << "\n";
  } else {
    auto hash = crypto::hash_password(password);
    if (!hash) return fail(hash.error());
    auto done = o->command == "add" ? add_operator(**store, o->name, *role, *hash, by, now())
                                    : reset_operator(**store, o->name, *hash, by, now());
    if (!done) return fail(done.error());
    out << (o->command == "add" ? "added " : "reset ") << done->username << " (" << done->role << ")\n";
    // Printed once: it is stored only as its hash.
    if (generated) out << "password: " << password << "\n";
  }
  (*store)->close();
  return 0;
}

}  // namespace cg::gateway::console
