// The HTTP/1.1 server: sockets, timeouts, keep-alive and graceful stop. It reads one request at a
// time per connection, hands it to the Handler and writes whatever the Responder delivers. The
// Beast-based implementation lives in server.cpp alone; this header is Beast- and Asio-free.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "gateway/http/handler.hpp"
#include "gateway/http/message.hpp"

namespace cg::http {

struct Settings {
  std::string address = "127.0.0.1";   // a numeric IPv4 or IPv6 address; no name resolution
  std::uint16_t port = 0;              // 0: the system picks one; Server::port() reports it
  unsigned threads = 1;                // threads running the server's io_context
  std::size_t body_limit = 1 << 20;    // bytes; a larger body gets 413
  std::size_t header_limit = 8 << 10;  // bytes of request line and header fields; beyond it 431
  // From a request's first byte until it is completely read. A client that dribbles bytes slower
  // than this is disconnected without an answer.
  std::chrono::milliseconds read_timeout{10'000};
  // A kept-alive connection with no request started within this time is closed. A new connection
  // must start its first request within read_timeout.
  std::chrono::milliseconds idle_timeout{60'000};
  // Writing one response to a client that does not read.
  std::chrono::milliseconds write_timeout{10'000};
  // Connections beyond this many are accepted, read up to their request header, answered
  // 503 "overloaded" with Retry-After and closed. Accepting keeps the client from hanging in the
  // kernel's backlog with no answer; answering costs one short-lived socket each (bounded by
  // read_timeout, and at most max_connections more at a time; past that they are closed at once).
  std::size_t max_connections = 1024;
  // Connections from one peer address at once (0: no cap); beyond it, answered like the overflow
  // above. Trusted proxies are exempt: everyone behind them shares their address.
  std::size_t max_connections_per_ip = 0;
  // Whether a peer is a reverse proxy whose X-Forwarded-For is believed. For requests through one,
  // Request::remote_address is the client address the proxies report (the rightmost address in
  // X-Forwarded-For that is not itself a trusted proxy); from anyone else the header is ignored.
  std::function<bool(std::string_view address)> trusted_proxy;
  // stop() waits this long for requests in flight, then abandons them.
  std::chrono::milliseconds stop_grace{30'000};
};

// Called after each response has been written, on a server thread (concurrently from several
// threads when threads > 1), so it must be thread-safe and quick.
struct Completed {
  std::string_view route;   // the matched Router pattern; empty when no route matched or the server answered
  std::string_view method;  // "GET", ...; "OTHER" for unsupported methods; empty if the request was unreadable
  int status;
  // From the request being completely read to its response being written: server-side latency,
  // not the client's upload time.
  std::chrono::steady_clock::duration duration;
};
using MetricsHook = std::function<void(const Completed&)>;

class Server {
 public:
  Server(Settings settings, Handler handler, MetricsHook metrics = {});
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. An error names the address and the system's reason.
  Status start();

  // The bound port (after start()).
  std::uint16_t port() const;

  // Stops accepting; closes idle connections; lets requests in flight finish and delivers their
  // responses (with "Connection: close"); waits up to stop_grace for that; then joins the threads.
  // Idempotent. Must not be called from a handler (a server thread): throws std::logic_error.
  void stop();

  std::size_t active_connections() const;      // currently open, not counting overflow ones
  std::uint64_t accepted_connections() const;  // since start, including overflow ones

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cg::http
