// The only translation unit that includes Beast (compile time; see gateway/http/asio.hpp).
//
// One io_context per server thread, each run by that thread alone: a connection is handed to one
// of them when accepted (round robin) and lives there, so its handlers never need a strand or a
// lock, and the threads share nothing on the request path. (One io_context run by several threads
// made every completion go through a shared queue and its mutex, and handed work between threads:
// with two threads the bare loop served a third fewer requests than with one.)
//
// One coroutine per connection: wait for a request's first byte (idle timeout),
// read it whole (read timeout, with a fresh parser and the size limits), hand it to the Handler,
// wait for the Responder's answer, write it (write timeout), repeat while keep-alive holds. One
// request at a time per connection, so pipelined requests are answered in order and at most one
// response is ever queued.
#define CG_ASIO_WITH_BEAST
#include "gateway/http/asio.hpp"

#include "adapters/observe/log.hpp"
#include "core/text.hpp"
#include "gateway/http/head.hpp"
#include "gateway/http/server.hpp"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <limits>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

namespace cg::http {

namespace {

namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using error_code = boost::system::error_code;

constexpr std::size_t kReadChunk = 4096;
// After an error answer (413, 503, ...) the rest of what the client sends is read and discarded for
// a while before closing: closing with unread input makes the kernel send RST, and the client
// may then lose the answer before reading it.
constexpr std::size_t kLingerDrainLimit = 1 << 20;

// How a coroutine waiting for its answer resumes: the completion handler of the wait, kept until
// the answer arrives (one allocation, no timer, no reactor lock).
struct Waiter {
  virtual ~Waiter() = default;
  virtual void resume() = 0;
};

template <class Handler>
struct HandlerWaiter final : Waiter {
  explicit HandlerWaiter(Handler h) : handler(std::move(h)) {}
  void resume() override { std::move(handler)(); }
  Handler handler;
};

struct Connection;

// Answers from other threads for the connections of one io_context. However many arrive together
// (a store batch commits hundreds), they cost one post: the first one posts a drain, the rest
// join the list it will take.
struct Inbox {
  explicit Inbox(asio::io_context::executor_type e) : executor(std::move(e)) {}
  struct Answer {
    std::shared_ptr<Connection> conn;
    Response response;
    std::string route;
  };
  asio::io_context::executor_type executor;
  std::mutex m;
  std::vector<Answer> answers;
  bool posted = false;  // a drain is on its way
};

// Shared with stop(): the connection's stream lives here so stop() can close it when idle.
struct Connection {
  Connection(tcp::socket socket, Inbox& box, std::string peer)
      : stream(std::move(socket)), peer(std::move(peer)), inbox(&box) {}
  beast::tcp_stream stream;
  std::string peer;   // the peer's address; counted in per_ip unless empty
  Inbox* inbox;       // its io_context's
  bool idle = false;  // waiting for the next request's first byte (its io_context's thread only)
  std::optional<Response> response;
  std::string route;
  std::unique_ptr<Waiter> waiter;  // set while the coroutine waits for an answer (its thread only)
};

// Suspends the calling coroutine until resume() is called on the connection's waiter.
template <class Token>
auto async_wait_for_answer(Connection& c, Token&& token) {
  return asio::async_initiate<Token, void()>(
      [&c](auto handler) { c.waiter = std::make_unique<HandlerWaiter<decltype(handler)>>(std::move(handler)); }, token);
}

void drain(Inbox& inbox);

// Adds answers to the inbox (`add` appends them, under the inbox's lock) and posts a drain to its
// io_context unless one is already on its way.
template <class Add>
void hand_in(Inbox& inbox, Add add) {
  bool post = false;
  {
    std::lock_guard lock(inbox.m);
    add(inbox.answers);
    post = !inbox.answers.empty() && !std::exchange(inbox.posted, true);
  }
  if (post) asio::post(inbox.executor, [&inbox] { drain(inbox); });
}

// On the io_context's thread: every answer that arrived, to its connection, whose coroutine goes on.
void drain(Inbox& inbox) {
  std::vector<Inbox::Answer> answers;
  {
    std::lock_guard lock(inbox.m);
    answers.swap(inbox.answers);
    inbox.posted = false;
  }
  for (std::size_t i = 0; i < answers.size(); ++i) {
    Connection& c = *answers[i].conn;
    c.response = std::move(answers[i].response);
    c.route = std::move(answers[i].route);
    auto w = std::move(c.waiter);
    if (!w) continue;
    try {
      w->resume();
    } catch (...) {
      // What escapes a coroutine leaves through io_context::run, as any handler's would; the
      // answers after this one are not lost with it.
      hand_in(inbox, [&](std::vector<Inbox::Answer>& to) {
        to.insert(to.end(), std::make_move_iterator(answers.begin() + static_cast<std::ptrdiff_t>(i) + 1),
                  std::make_move_iterator(answers.end()));
      });
      throw;
    }
  }
}

// Closed once the server's threads are gone, so that a Responder used later (say, by a store
// writer that outlives the server) never posts into an io_context being destroyed.
struct Gate {
  std::shared_mutex m;
  bool open = true;
};

// Where one request's answer goes. The Responder may run on any thread.
struct Mailbox {
  std::shared_ptr<Gate> gate;
  std::mutex m;
  std::shared_ptr<Connection> conn;  // reset once answered or once the connection stops waiting
  // While the handler runs, an answer given on that same thread is taken directly: no post, no
  // timer (the common case for handlers that answer at once).
  bool inline_ok = false;
  std::thread::id inline_thread;
  std::optional<Response> inline_response;
  std::string inline_route;
};

void deliver(const std::shared_ptr<Mailbox>& mb, Response response, std::string route) {
  std::shared_lock gate_lock(mb->gate->m);
  if (!mb->gate->open) return;
  std::lock_guard lock(mb->m);
  if (!mb->conn) return;
  if (mb->inline_ok && mb->inline_thread == std::this_thread::get_id()) {
    mb->inline_response = std::move(response);
    mb->inline_route = std::move(route);
    mb->conn.reset();
    return;
  }
  Inbox& inbox = *mb->conn->inbox;
  hand_in(inbox, [&](std::vector<Inbox::Answer>& to) {
    to.push_back(Inbox::Answer{std::move(mb->conn), std::move(response), std::move(route)});
  });
}

// If a coroutine frame waiting on a mailbox is abandoned (stop past its grace period), a late answer
// must not keep the connection's socket alive beyond the io_context.
struct Detach {
  explicit Detach(std::shared_ptr<Mailbox> m) : mb(std::move(m)) {}
  std::shared_ptr<Mailbox> mb;
  ~Detach() {
    std::lock_guard lock(mb->m);
    mb->conn.reset();
  }
  Detach(const Detach&) = delete;
  Detach& operator=(const Detach&) = delete;
};

// Beast 1.74 speaks boost::string_view.
std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

// The path of a request for a log line, without its query: a query can carry a provider's secret
// key (Kannel's get-url) and the applicant's message text.
template <class Message>
std::string logged_path(const Message& msg) {
  std::string_view target = sv(msg.target());
  return core::text::escape_for_log(target.substr(0, target.find('?')));
}

// RFC 9110 token characters, for header names.
bool is_token(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
  });
}

bool is_field_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// A handler bug (a bad status, CR/LF in a header) must not become response splitting.
std::optional<std::string> invalid_response(const Response& r) {
  if (r.status < 200 || r.status > 599) return "status " + std::to_string(r.status) + " is out of range";
  if (!is_field_value(r.content_type)) return "Content-Type contains a line break";
  for (const auto& [name, value] : r.headers) {
    if (!is_token(name)) return "header name '" + name + "' is not a token";
    if (!is_field_value(value)) return "header " + name + " contains a line break";
  }
  return std::nullopt;
}

// The server owns framing: handlers cannot set these.
bool reserved_field(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") || iequals(name, "Connection") ||
         iequals(name, "Content-Type");
}

// The head's fields for refused_head, as views into the parser's buffer.
template <class Fields>
std::vector<FieldView> head_fields(const Fields& fields) {
  std::vector<FieldView> out;
  for (const auto& field : fields) out.emplace_back(sv(field.name_string()), sv(field.value()));
  return out;
}

// The Date header (RFC 9110 §6.6.1), formatted at most once a second per thread.
const std::string& http_date() {
  thread_local std::time_t cached_second = -1;
  thread_local std::string cached;
  std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    // Spelled out rather than strftime's %a/%b, which follow the process locale.
    static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[64];
    int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[utc.tm_wday], utc.tm_mday,
                          kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
    cached.assign(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    cached_second = now;
  }
  return cached;
}

bhttp::response<bhttp::string_body> to_beast(Response r, unsigned version, bool keep_alive, bool head_request) {
  if (auto why = invalid_response(r))
    r = json_error(500, "invalid_response", "the handler's response is invalid: " + *why);
  bhttp::response<bhttp::string_body> res;
  res.result(static_cast<unsigned>(r.status));
  res.version(version);
  for (const auto& [name, value] : r.headers) {
    if (!reserved_field(name)) res.insert(name, value);
  }
  if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
  if (!res.count(bhttp::field::date)) res.set(bhttp::field::date, http_date());
  res.keep_alive(keep_alive);
  if (r.status == 204 || r.status == 304) return res;  // no body, no Content-Length (RFC 9110 §8.6)
  if (head_request) {
    // What GET would send, without the body; a streamed body's length is not known beforehand.
    if (!r.stream) res.content_length(r.body.size());
  } else {
    res.body() = std::move(r.body);
    res.prepare_payload();
  }
  return res;
}

bool expects_continue(const bhttp::request_parser<bhttp::string_body>& parser) {
  const auto& msg = parser.get();
  auto it = msg.find(bhttp::field::expect);
  return msg.version() >= 11 && it != msg.end() && iequals(sv(it->value()), "100-continue");
}

// Metric labels must stay few: a method the gateway does not serve is "OTHER", whatever it was.
std::string_view method_label(std::string_view received) {
  if (auto m = parse_method(received)) return to_string(*m);
  return received.empty() ? std::string_view() : "OTHER";
}

bool is_http_parse_error(const error_code& ec) {
  return &ec.category() == &bhttp::make_error_code(bhttp::error::bad_target).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

}  // namespace

struct Server::Impl {
  Impl(Settings s, Handler h, MetricsHook m)
      : settings(std::move(s)), handler(std::move(h)), metrics(std::move(m)), gate(std::make_shared<Gate>()) {}

  // Declared before the io_context: the io_context's destructor destroys abandoned coroutine
  // frames, whose guards still use these.
  Settings settings;
  Handler handler;
  MetricsHook metrics;
  std::shared_ptr<Gate> gate;

  std::mutex mu;
  std::condition_variable drained;
  std::unordered_map<Connection*, std::weak_ptr<Connection>> registry;  // sessions, for stop()
  std::size_t sessions = 0;
  std::size_t overflows = 0;
  std::unordered_map<std::string, std::size_t> per_ip;  // open sessions per peer address (capped ones)
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<bool> stopping{false};

  std::mutex lifecycle_mu;  // start() and stop()
  bool started = false;
  bool running = false;
  std::atomic<std::uint16_t> bound_port{0};

  // One per thread (concurrency hint 1: run by one thread; other threads still post safely).
  std::vector<std::unique_ptr<asio::io_context>> contexts = make_contexts(std::max(1u, settings.threads));
  // Keeps an io_context with no connection yet from running out of work and ending its thread.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  // One per io_context, in the same order; declared after them, so destroyed first, while the
  // io_contexts can still take what an answer's connection releases.
  std::vector<std::unique_ptr<Inbox>> inboxes = make_inboxes(contexts);
  std::atomic<std::size_t> next_context{0};
  tcp::acceptor acceptor{contexts.front()->get_executor()};
  std::vector<std::thread> threads;

  static std::vector<std::unique_ptr<asio::io_context>> make_contexts(unsigned n) {
    std::vector<std::unique_ptr<asio::io_context>> out;
    for (unsigned i = 0; i < n; ++i) out.push_back(std::make_unique<asio::io_context>(1));
    return out;
  }
  static std::vector<std::unique_ptr<Inbox>> make_inboxes(const std::vector<std::unique_ptr<asio::io_context>>& cs) {
    std::vector<std::unique_ptr<Inbox>> out;
    out.reserve(cs.size());
    for (const auto& c : cs) out.push_back(std::make_unique<Inbox>(c->get_executor()));
    return out;
  }
  asio::io_context& pick_context() { return *contexts[next_context++ % contexts.size()]; }
  Inbox& inbox_of(tcp::socket& socket) {
    auto& context = asio::query(socket.get_executor(), asio::execution::context);
    for (std::size_t i = 0; i < contexts.size(); ++i)
      if (contexts[i].get() == &context) return *inboxes[i];
    throw std::logic_error("http: a connection on an io_context of no server thread");
  }

  Status start();
  void stop();
  awaitable<void> accept_loop();
  void admit(tcp::socket socket);
  void take(tcp::socket socket);           // one accepted connection: counted, no_delay, admitted
  static constexpr int kAcceptBurst = 64;  // connections accepted per wake of accept_loop
  awaitable<void> session(std::shared_ptr<Connection> c);
  awaitable<void> serve(std::shared_ptr<Connection> c);
  awaitable<void> overflow(tcp::socket socket);
  awaitable<bool> write(beast::tcp_stream& stream, Response response, unsigned version, bool keep_alive, bool head);
  awaitable<bool> write_stream(const std::shared_ptr<Connection>& c, Response response, unsigned version,
                               bool keep_alive);
  awaitable<void> linger_close(beast::tcp_stream& stream);
  void report(std::string_view route, std::string_view method, int status, std::chrono::steady_clock::time_point t0);
};

Status Server::Impl::start() {
  std::lock_guard lifecycle(lifecycle_mu);
  if (started) return make_error("already_started", "the HTTP server was already started");
  if (settings.threads == 0) return make_error("invalid_settings", "http threads must be at least 1");
  if (settings.max_connections == 0) return make_error("invalid_settings", "http max_connections must be at least 1");
  if (settings.header_limit == 0 || settings.header_limit > std::numeric_limits<std::uint32_t>::max()) {
    return make_error("invalid_settings", "http header_limit must be between 1 and 4294967295 bytes");
  }
  error_code ec;
  auto address = asio::ip::make_address(settings.address, ec);
  if (ec) return make_error("invalid_settings", "http address '" + settings.address + "' is not a numeric IP address");
  tcp::endpoint endpoint(address, settings.port);
  auto where = settings.address + ":" + std::to_string(settings.port);

  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error_code ignored;
    acceptor.close(ignored);
    return make_error("listen_failed", "cannot listen on " + where + ": " + ec.message());
  }
  bound_port = acceptor.local_endpoint(ec).port();
  started = true;
  running = true;

  asio::co_spawn(acceptor.get_executor(), accept_loop(), asio::detached);
  for (auto& context : contexts) {
    keep_running.push_back(asio::make_work_guard(*context));
    threads.emplace_back([this, &ioc = *context] {
      for (;;) {
        try {
          ioc.run();
          return;
        } catch (const std::exception& e) {
          // A connection's failure must not take the server down; that connection is gone.
          log::error("http", "unexpected exception in a server thread", {{"error", e.what()}});
        }
      }
    });
    pthread_setname_np(threads.back().native_handle(), ("cg-http-" + std::to_string(threads.size() - 1)).c_str());
  }
  return ok_status();
}

void Server::Impl::stop() {
  std::lock_guard lifecycle(lifecycle_mu);
  if (!running) return;
  for (const auto& t : threads) {
    if (t.get_id() == std::this_thread::get_id()) throw std::logic_error("Server::stop called from a server thread");
  }
  stopping = true;
  asio::post(acceptor.get_executor(), [this] {
    error_code ignored;
    acceptor.close(ignored);
  });
  {
    std::unique_lock lock(mu);
    for (auto& [ptr, weak] : registry) {
      if (auto c = weak.lock()) {
        // A session that is mid-request is left alone: it answers with "Connection: close".
        asio::post(c->stream.get_executor(), [c] {
          if (c->idle) c->stream.close();
        });
      }
    }
    drained.wait_for(lock, settings.stop_grace, [&] { return sessions == 0 && overflows == 0; });
  }
  keep_running.clear();
  for (auto& context : contexts) context->stop();  // past the grace period: whatever is still in flight is abandoned
  for (auto& t : threads) t.join();
  threads.clear();
  {
    std::unique_lock gate_lock(gate->m);
    gate->open = false;
  }
  // A coroutine abandoned while waiting for its answer is reachable only through its connection's
  // waiter (which holds the coroutine, which holds the connection): let go of it here, and the
  // io_context's destructor destroys it, as it does every other abandoned coroutine. Answers that
  // arrived too late go too.
  std::vector<std::shared_ptr<Connection>> waiting;
  {
    std::lock_guard lock(mu);
    for (auto& [ptr, weak] : registry)
      if (auto c = weak.lock()) waiting.push_back(std::move(c));
  }
  for (auto& c : waiting) c->waiter.reset();
  waiting.clear();
  for (auto& inbox : inboxes) {
    std::vector<Inbox::Answer> late;
    {
      std::lock_guard lock(inbox->m);
      late.swap(inbox->answers);
      inbox->posted = false;
    }
  }
  running = false;
}

awaitable<void> Server::Impl::accept_loop() {
  error_code ec;
  // For the burst below; async_accept works the same on a non-blocking acceptor.
  acceptor.non_blocking(true, ec);
  for (;;) {
    tcp::socket socket(pick_context().get_executor());
    co_await acceptor.async_accept(socket, asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (stopping || !acceptor.is_open() || ec == asio::error::operation_aborted) co_return;
      // Out of file descriptors and the like: pause instead of spinning on an error that repeats.
      asio::steady_timer pause(acceptor.get_executor());
      pause.expires_after(std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
      continue;
    }
    take(std::move(socket));
    // Connections that arrived together are taken together. One accept per turn of a busy
    // io_context, whose turn grows with every connection it serves, made a thousand clients that
    // connect at once wait seconds for the last of them to be accepted, each with its first request
    // already sent (wrk at 1024 connections: requests timing out after 2 s).
    for (int i = 1; i < kAcceptBurst && !stopping; ++i) {
      tcp::socket more(pick_context().get_executor());
      acceptor.accept(more, ec);
      if (ec) break;  // would_block: nobody else waiting (a real error comes back to async_accept)
      take(std::move(more));
    }
  }
}

void Server::Impl::take(tcp::socket socket) {
  ++accepted;
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  admit(std::move(socket));
}

void Server::Impl::admit(tcp::socket socket) {
  // The per-address cap counts by peer; a trusted proxy speaks for many clients and is not capped.
  std::string peer;
  if (settings.max_connections_per_ip > 0) {
    error_code ec;
    auto endpoint = socket.remote_endpoint(ec);
    if (!ec) peer = endpoint.address().to_string();
    if (!peer.empty() && settings.trusted_proxy && settings.trusted_proxy(peer)) peer.clear();
  }
  std::unique_lock lock(mu);
  const bool peer_full = !peer.empty() && per_ip[peer] >= settings.max_connections_per_ip;
  if (!peer.empty() && per_ip[peer] == 0 && peer_full) per_ip.erase(peer);
  if (sessions < settings.max_connections && !peer_full) {
    Inbox& inbox = inbox_of(socket);
    auto c = std::make_shared<Connection>(std::move(socket), inbox, peer);
    registry.emplace(c.get(), c);
    ++sessions;
    if (!peer.empty()) ++per_ip[peer];
    lock.unlock();
    auto executor = c->stream.get_executor();
    asio::co_spawn(executor, session(std::move(c)), asio::detached);
  } else if (overflows < settings.max_connections) {
    ++overflows;
    lock.unlock();
    auto executor = socket.get_executor();
    asio::co_spawn(executor, overflow(std::move(socket)), asio::detached);
  } else {
    error_code ignored;
    socket.close(ignored);  // far past the cap, even a 503 costs too much
  }
}

awaitable<void> Server::Impl::session(std::shared_ptr<Connection> c) {
  struct Guard {
    Impl* impl;
    Connection* c;
    ~Guard() {
      std::lock_guard lock(impl->mu);
      impl->registry.erase(c);
      --impl->sessions;
      if (!c->peer.empty()) {
        auto it = impl->per_ip.find(c->peer);
        if (it != impl->per_ip.end() && --it->second == 0) impl->per_ip.erase(it);
      }
      impl->drained.notify_all();
    }
  } guard{this, c.get()};
  try {
    co_await serve(c);
  } catch (const std::exception& e) {
    log::warn("http", "connection failed", {{"error", e.what()}});
  }
  error_code ignored;
  c->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  c->stream.close();
}

awaitable<void> Server::Impl::serve(std::shared_ptr<Connection> c) {
  error_code ec;
  std::string remote_address;
  {
    auto endpoint = c->stream.socket().remote_endpoint(ec);
    if (!ec) remote_address = endpoint.address().to_string();
  }
  beast::flat_buffer buffer;
  for (bool first = true;; first = false) {
    // Between requests: wait for the next one's first byte under the idle timeout (the read
    // timeout for a new connection, which has no reason to be silent). stop() closes connections
    // found waiting here.
    if (buffer.size() == 0) {
      c->idle = true;
      if (stopping) co_return;
      c->stream.expires_after(first ? settings.read_timeout : settings.idle_timeout);
      std::size_t n =
          co_await c->stream.async_read_some(buffer.prepare(kReadChunk), asio::redirect_error(use_awaitable, ec));
      c->idle = false;
      if (ec) co_return;
      buffer.commit(n);
    }

    // One deadline for the whole message, so a client that dribbles bytes cannot hold it open.
    c->stream.expires_after(settings.read_timeout);
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(settings.header_limit));
    parser.body_limit(settings.body_limit);
    co_await bhttp::async_read_header(c->stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (!ec) {
      if (auto refusal = refused_head(head_fields(parser.get()))) {
        // The body is left unread, so the connection cannot carry another request.
        const int status = refusal->status;
        if (co_await write(c->stream, std::move(*refusal), parser.get().version() == 10 ? 10 : 11, false, false)) {
          report("", method_label(sv(parser.get().method_string())), status, std::chrono::steady_clock::now());
          co_await linger_close(c->stream);
        }
        co_return;
      }
    }
    if (!ec && !parser.is_done() && expects_continue(parser)) {
      bhttp::response<bhttp::empty_body> go_on{bhttp::status::continue_, parser.get().version()};
      co_await bhttp::async_write(c->stream, go_on, asio::redirect_error(use_awaitable, ec));
    }
    if (!ec && !parser.is_done()) {
      co_await bhttp::async_read(c->stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    }
    const auto t0 = std::chrono::steady_clock::now();
    if (ec) {
      Response answer;
      if (ec == bhttp::error::body_limit) {
        answer = json_error(413, "body_too_large",
                            "request body exceeds the limit of " + std::to_string(settings.body_limit) + " bytes");
      } else if (ec == bhttp::error::header_limit) {
        answer = json_error(431, "header_too_large",
                            "request header exceeds the limit of " + std::to_string(settings.header_limit) + " bytes");
      } else if (is_http_parse_error(ec)) {
        answer = json_error(400, "bad_request", "malformed HTTP request: " + ec.message());
      } else {
        co_return;  // timeout, reset, or the client went away: nobody to answer
      }
      // The start line may have been read even when the header as a whole was refused.
      const unsigned version = parser.get().version() == 10 ? 10 : 11;
      const std::string_view method = method_label(sv(parser.get().method_string()));
      const int status = answer.status;
      if (co_await write(c->stream, std::move(answer), version, false, false)) {
        report("", method, status, t0);
        co_await linger_close(c->stream);
      }
      co_return;
    }

    auto& msg = parser.get();
    const unsigned version = msg.version();
    const std::string method_text(sv(msg.method_string()));
    const std::optional<Method> method = parse_method(method_text);
    const bool head = method == Method::head;

    Request request;
    Response immediate;  // an answer given by the server itself
    bool answered = false;
    if (!method) {
      immediate = json_error(501, "method_not_implemented", "method " + method_text + " is not supported");
      answered = true;
    } else {
      request.method = *method;
      request.target.assign(sv(msg.target()));
      if (auto parsed = parse_target(request.target, request.path, request.query); !parsed) {
        immediate = json_error(400, parsed.error().code, parsed.error().message);
        answered = true;
      }
    }

    c->response.reset();
    c->route.clear();
    if (!answered) {
      for (const auto& field : msg)
        request.headers.add(std::string(sv(field.name_string())), std::string(sv(field.value())));
      request.body = std::move(msg.body());
      request.remote_address = remote_address;
      if (settings.trusted_proxy && settings.trusted_proxy(remote_address)) {
        auto client = forwarded_client(request.headers, request.remote_address, settings.trusted_proxy);
        if (client) {
          request.remote_address = std::move(*client);
        } else {
          immediate = json_error(400, client.error().code, client.error().message);
          answered = true;
        }
      }
    }
    if (answered) {
      c->response = std::move(immediate);
    } else {
      auto mb = std::make_shared<Mailbox>();
      mb->gate = gate;
      mb->conn = c;
      mb->inline_ok = true;
      mb->inline_thread = std::this_thread::get_id();
      const Detach detach{mb};

      try {
        handler(std::move(request),
                Responder([mb](Response r, std::string route) { deliver(mb, std::move(r), std::move(route)); }));
      } catch (const std::exception& e) {
        // The Responder copies died with the exception, which already answered 500.
        log::error("http", "handler threw", {{"method", method_text}, {"path", logged_path(msg)}, {"error", e.what()}});
      } catch (...) {
        log::error("http", "handler threw a non-standard exception",
                   {{"method", method_text}, {"path", logged_path(msg)}});
      }
      {
        std::lock_guard lock(mb->m);
        mb->inline_ok = false;
        if (mb->inline_response) {
          c->response = std::move(mb->inline_response);
          c->route = std::move(mb->inline_route);
        }
      }
      if (!c->response) {
        // Answered later from another thread: deliver() hands the answer to this io_context's
        // inbox, whose drain resumes this coroutine.
        co_await async_wait_for_answer(*c, use_awaitable);
        if (!c->response) co_return;
      }
    }

    const int status = c->response->status;
    const bool streamed = c->response->stream && !head && status != 204 && status != 304;
    // HTTP/1.0 has no chunks: a streamed body ends where the connection does.
    const bool keep_alive = msg.keep_alive() && !stopping && !(streamed && version < 11);
    const std::string route = std::move(c->route);
    bool written = streamed ? co_await write_stream(c, std::move(*c->response), version, keep_alive)
                            : co_await write(c->stream, std::move(*c->response), version, keep_alive, head);
    c->response.reset();
    if (!written) co_return;
    report(route, method_label(method_text), status, t0);
    if (!keep_alive) co_return;
  }
}

awaitable<void> Server::Impl::overflow(tcp::socket socket) {
  struct Guard {
    Impl* impl;
    ~Guard() {
      std::lock_guard lock(impl->mu);
      --impl->overflows;
      impl->drained.notify_all();
    }
  } guard{this};
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(settings.header_limit));
  error_code ec;
  // Read the request header first so the 503 answers a request, as HTTP clients expect.
  stream.expires_after(settings.read_timeout);
  co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  const auto t0 = std::chrono::steady_clock::now();
  Response answer = json_error(503, "overloaded", "too many connections; retry shortly");
  answer.headers.set("Retry-After", "1");
  const std::string_view method = method_label(sv(parser.get().method_string()));
  if (co_await write(stream, std::move(answer), parser.get().version(), false, false)) {
    report("", method, 503, t0);
    co_await linger_close(stream);
  }
}

awaitable<bool> Server::Impl::write(beast::tcp_stream& stream, Response response, unsigned version, bool keep_alive,
                                    bool head) {
  auto res = to_beast(std::move(response), version, keep_alive, head);
  error_code ec;
  stream.expires_after(settings.write_timeout);
  co_await bhttp::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
  co_return !ec;
}

// The head, then each piece the stream makes as one chunk (HTTP/1.1) or bare (HTTP/1.0), asking for
// the next only once the last is written; the pieces come back through a mailbox, as answers do.
awaitable<bool> Server::Impl::write_stream(const std::shared_ptr<Connection>& c, Response response, unsigned version,
                                           bool keep_alive) {
  if (invalid_response(response)) co_return co_await write(c->stream, std::move(response), version, keep_alive, false);
  std::shared_ptr<BodyStream> body = std::move(response.stream);
  response.body.clear();
  bhttp::response<bhttp::empty_body> head(to_beast(std::move(response), version, keep_alive, false).base());
  head.erase(bhttp::field::content_length);
  const bool chunked = version >= 11;
  if (chunked) head.chunked(true);
  error_code ec;
  bhttp::response_serializer<bhttp::empty_body> serializer(head);
  c->stream.expires_after(settings.write_timeout);
  co_await bhttp::async_write_header(c->stream, serializer, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return false;
  for (;;) {
    auto mb = std::make_shared<Mailbox>();
    mb->gate = gate;
    mb->conn = c;
    const Detach detach{mb};
    c->response.reset();
    body->next([mb](Result<std::string> piece) {
      Response r;
      if (piece) {
        r.body = std::move(*piece);
      } else {
        log::error("http", "a streamed answer was cut short", {{"error", piece.error().message}});
        r.status = 500;
      }
      deliver(mb, std::move(r), "");
    });
    // next() may answer at once; its answer still comes through the inbox, after this wait begins.
    co_await async_wait_for_answer(*c, use_awaitable);
    if (!c->response || c->response->status != 200) co_return false;
    const std::string piece = std::move(c->response->body);
    c->response.reset();
    c->stream.expires_after(settings.write_timeout);
    if (piece.empty()) {
      if (chunked)
        co_await asio::async_write(c->stream, bhttp::make_chunk_last(), asio::redirect_error(use_awaitable, ec));
      co_return !ec;
    }
    if (chunked) {
      co_await asio::async_write(c->stream, bhttp::make_chunk(asio::buffer(piece)),
                                 asio::redirect_error(use_awaitable, ec));
    } else {
      co_await asio::async_write(c->stream, asio::buffer(piece), asio::redirect_error(use_awaitable, ec));
    }
    if (ec) co_return false;
  }
}

awaitable<void> Server::Impl::linger_close(beast::tcp_stream& stream) {
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(settings.read_timeout);
  std::array<char, 8192> sink{};
  std::size_t drained_bytes = 0;
  while (!ec && drained_bytes < kLingerDrainLimit) {
    drained_bytes += co_await stream.async_read_some(asio::buffer(sink), asio::redirect_error(use_awaitable, ec));
  }
  stream.close();
}

void Server::Impl::report(std::string_view route, std::string_view method, int status,
                          std::chrono::steady_clock::time_point t0) {
  if (!metrics) return;
  try {
    metrics(Completed{route, method, status, std::chrono::steady_clock::now() - t0});
  } catch (const std::exception& e) {
    log::error("http", "metrics hook threw", {{"error", e.what()}});
  }
}

Server::Server(Settings settings, Handler handler, MetricsHook metrics)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(handler), std::move(metrics))) {}

Server::~Server() { stop(); }

Status Server::start() { return impl_->start(); }

std::uint16_t Server::port() const { return impl_->bound_port.load(); }

void Server::stop() { impl_->stop(); }

std::size_t Server::active_connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->sessions;
}

std::uint64_t Server::accepted_connections() const { return impl_->accepted.load(); }

}  // namespace cg::http
