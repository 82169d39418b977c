#include "gateway/http/signals.hpp"

#include <csignal>

#include "gateway/http/asio.hpp"

namespace cg::http {

struct TerminationSignals::Impl {
  asio::io_context ioc{1};
  asio::signal_set signals{ioc, SIGINT, SIGTERM, SIGHUP};
};

TerminationSignals::TerminationSignals() : impl_(std::make_unique<Impl>()) {}

TerminationSignals::~TerminationSignals() = default;

int TerminationSignals::wait(const std::function<void()>& on_hangup) {
  for (;;) {
    int received = 0;
    impl_->signals.async_wait([&](const boost::system::error_code& ec, int number) {
      if (!ec) received = number;
    });
    impl_->ioc.restart();
    impl_->ioc.run();
    if (received != SIGHUP) return received;
    if (on_hangup) on_hangup();
  }
}

void wait_for_termination(const std::function<void(int signal)>& on_signal) {
  TerminationSignals signals;
  on_signal(signals.wait());
}

}  // namespace cg::http
