// One real `course-gateway serve` process for the tests that run the binary (several gateways on
// one database, kill -9 and restart): started with a config written to a directory, stopped with
// SIGTERM when destroyed or with any signal by stop().
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"

namespace cg::gateway::testing {

// One `course-gateway serve` process; SIGTERM (a clean stop) when destroyed.
class GatewayProcess {
 public:
  static Result<std::unique_ptr<GatewayProcess>> start(const std::filesystem::path& dir, const std::string& name,
                                                       const nlohmann::json& config) {
    std::unique_ptr<GatewayProcess> p(new GatewayProcess());
    p->log_ = dir / (name + ".log");
    std::filesystem::path config_path = dir / (name + ".json");
    std::ofstream(config_path) << config.dump(2);
    std::string binary = std::string(CG_BINARY_DIR) + "/gateway/course-gateway";
    if (::access(binary.c_str(), X_OK) != 0) return Error{"missing", binary + " is not built"};
    std::vector<std::string> argv{binary, "serve", "--config", config_path.string()};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int out = ::open(p->log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) return Error{"log", "cannot open " + p->log_.string()};
    pid_t parent = ::getpid();
    p->pid_ = ::fork();
    if (p->pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      ::dup2(out, 1);
      ::dup2(out, 2);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    ::close(out);
    if (p->pid_ < 0) return Error{"fork", "fork failed"};
    // main() prints "listening on ADDRESS:PORT" once the server is up.
    std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    for (int i = 0; i < 1500; ++i) {
      std::ifstream in(p->log_);
      std::stringstream ss;
      ss << in.rdbuf();
      std::smatch m;
      std::string text = ss.str();
      if (std::regex_search(text, m, listening)) {
        p->port_ = std::stoi(m[1]);
        return p;
      }
      int status = 0;
      if (::waitpid(p->pid_, &status, WNOHANG) == p->pid_) {
        p->pid_ = -1;
        return Error{"exited", name + " exited while starting:\n" + text};
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return Error{"timeout", name + " did not start listening within 30 s:\n" + p->log()};
  }

  ~GatewayProcess() { stop(SIGTERM); }

  // Sends `signal` and waits for the process to end: SIGTERM is a clean stop, SIGKILL a crash.
  void stop(int signal) {
    if (pid_ <= 0) return;
    ::kill(pid_, signal);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  pid_t pid() const { return pid_; }

  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  GatewayProcess() = default;
  std::filesystem::path log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace cg::gateway::testing
