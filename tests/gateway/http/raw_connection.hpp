// For the server's tests: a blocking TCP client on 127.0.0.1 that sends and reads bytes as they
// are (half requests, pipelining, HTTP/1.0, a reader that stops reading), and bounded polls.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>

namespace cg::http {

// Polls until `done` holds; the bound only keeps a broken server from hanging the suite.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds bound = std::chrono::seconds{10}) {
  auto until = std::chrono::steady_clock::now() + bound;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return true;
}

// A plain blocking TCP client, for requests libcurl would not send.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed: " + std::strerror(errno));
    }
  }
  ~RawConnection() { close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads what arrives within `wait`. Returns false once the peer has closed (EOF or reset).
  bool read_for(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return true;
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    received.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  // Reads until the peer closes; false if it is still open after `bound`.
  bool read_until_closed(std::chrono::milliseconds bound = std::chrono::seconds{10}) {
    return eventually([&] { return !read_for(std::chrono::milliseconds{10}); }, bound);
  }

  // Reads until `marker` has arrived; false if the peer closed or `bound` passed first.
  bool read_until(std::string_view marker, std::chrono::milliseconds bound = std::chrono::seconds{10}) {
    bool open = true;
    eventually(
        [&] { return received.find(marker) != std::string::npos || !(open = read_for(std::chrono::milliseconds{10})); },
        bound);
    return received.find(marker) != std::string::npos;
  }

  std::string received;

 private:
  int fd_;
};

}  // namespace cg::http
