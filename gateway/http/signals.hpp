// Waiting for SIGINT/SIGTERM, so main can stop the server gracefully; SIGHUP (logrotate) asks for
// files to be opened again instead of ending the process.
#pragma once

#include <functional>
#include <memory>

namespace cg::http {

// Catches SIGINT, SIGTERM and SIGHUP from construction until destruction; a signal that arrives
// before wait() is kept and handled by it. Construct it before starting threads that must not be killed
// by the default action.
class TerminationSignals {
 public:
  TerminationSignals();
  ~TerminationSignals();
  TerminationSignals(const TerminationSignals&) = delete;
  TerminationSignals& operator=(const TerminationSignals&) = delete;

  // Blocks until SIGINT or SIGTERM arrives; returns its number. Each SIGHUP meanwhile calls
  // `on_hangup` (if any) and the wait goes on.
  int wait(const std::function<void()>& on_hangup = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocks until SIGINT or SIGTERM, then calls on_signal(number), e.g. to call Server::stop().
void wait_for_termination(const std::function<void(int signal)>& on_signal);

}  // namespace cg::http
