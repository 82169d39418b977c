// The server against real clients on 127.0.0.1: libcurl for well-behaved ones, raw sockets for
// the ones that misbehave (half requests, pipelining, idling). Waits are bounded polls, never
// timing assertions.
#include "gateway/http/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "gateway/http/router.hpp"
#include "gateway/http/signals.hpp"
#include "tests/gateway/http/raw_connection.hpp"
#include "tests/support/http_client.hpp"

namespace cg::http {
namespace {

using namespace std::chrono_literals;
using test::HttpClient;

std::size_t count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string_view::npos; pos = haystack.find(needle, pos + 1)) ++n;
  return n;
}

bool can_connect(std::uint16_t port) {
  try {
    RawConnection probe(port);
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

// Stands in for the store's writer thread: requests are answered from here, later.
class Worker {
 public:
  Worker() : thread_([this] { run(); }) {}
  ~Worker() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  void post(std::function<void()> job) {
    {
      std::lock_guard lock(mu_);
      jobs_.push_back(std::move(job));
    }
    cv_.notify_all();
  }
  std::thread::id id() const { return thread_.get_id(); }

 private:
  void run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return done_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      auto job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool done_ = false;
  std::thread thread_;
};

// Holds the Responder of a request to /slow until the test answers it.
class Parked {
 public:
  void park(Responder r) {
    std::lock_guard lock(mu_);
    responder_ = std::move(r);
    cv_.notify_all();
  }
  bool wait_parked() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return responder_.has_value(); });
  }
  void answer(Response r) {
    std::optional<Responder> taken;
    {
      std::lock_guard lock(mu_);
      taken.swap(responder_);
    }
    if (taken) (*taken)(std::move(r));
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Responder> responder_;
};

struct Seen {
  std::string route, method;
  int status;
  bool operator==(const Seen&) const = default;
};

Settings test_settings() {
  Settings s;
  s.address = "127.0.0.1";
  s.port = 0;
  s.threads = 2;
  s.body_limit = 1024;
  s.header_limit = 1024;
  return s;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerTest() {
    router.add(Method::get, "/hello", sync_handler([](const Request&) { return text_response(200, "hello"); }))
        .add({Method::get, Method::post}, "/v1/applications/{id}", sync_handler([](const Request& r) {
               return json_response(200, "{\"id\":" + json_quote(*r.path_param("id")) + ",\"method\":\"" +
                                             std::string(to_string(r.method)) + "\"}");
             }))
        .add(Method::get, "/echo-query", sync_handler([](const Request& r) {
               std::string out;
               for (const auto& [k, v] : r.query) out.append(k).append("=").append(v).append("\n");
               return text_response(200, out);
             }))
        .add(Method::post, "/echo-body", sync_handler([](const Request& r) {
               Response out = text_response(200, r.body, std::string(r.header("Content-Type").value_or("")));
               out.headers.set("X-Remote-Address", r.remote_address);
               return out;
             }))
        .add(Method::post, "/form", sync_handler([](const Request& r) {
               auto form = parse_form(r.body);
               if (!form) return json_error(400, form.error().code, form.error().message);
               std::string out;
               for (const auto& [k, v] : *form) out.append(k).append("=").append(v).append(";");
               return text_response(200, out);
             }))
        .add(Method::get, "/async",
             [this](Request r, const Responder& respond) {
               auto handler_thread = std::this_thread::get_id();
               worker.post([r = std::move(r), respond, handler_thread] {
                 bool other_thread = std::this_thread::get_id() != handler_thread;
                 respond(text_response(200, "worker " + std::string(*r.query_param("n")) +
                                                (other_thread ? " elsewhere" : " same thread")));
               });
             })
        .add(Method::get, "/slow", [this](const Request&, Responder respond) { parked.park(std::move(respond)); })
        .add(Method::get, "/drop", [](const Request&, const Responder&) {})
        .add(Method::get, "/throw",
             [](const Request&, const Responder&) -> void { throw std::runtime_error("handler bug"); });
  }

  ~ServerTest() override {
    if (server) server->stop();  // before the worker, which may hold Responders
  }

  void start(Settings settings = test_settings()) {
    server = std::make_unique<Server>(std::move(settings), router, [this](const Completed& c) {
      std::lock_guard lock(seen_mu);
      seen.push_back({std::string(c.route), std::string(c.method), c.status});
    });
    auto started = server->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    ASSERT_NE(server->port(), 0);
  }

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(server->port()) + std::string(path);
  }

  bool saw(const Seen& s) {
    return eventually([&] {
      std::lock_guard lock(seen_mu);
      return std::find(seen.begin(), seen.end(), s) != seen.end();
    });
  }

  Worker worker;
  Parked parked;
  Router router;
  std::mutex seen_mu;
  std::vector<Seen> seen;
  std::unique_ptr<Server> server;
  HttpClient client;
};

TEST_F(ServerTest, RoutesWithPathParameters) {
  start();
  auto get = client.get(url("/v1/applications/a1b2"));
  ASSERT_TRUE(get.ok()) << get.error().message;
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->header("Content-Type"), "application/json");
  EXPECT_EQ(get->body, R"({"id":"a1b2","method":"GET"})");
  ASSERT_TRUE(get->header("Date").has_value());
  EXPECT_TRUE(get->header("Date")->ends_with(" GMT")) << *get->header("Date");

  auto post = client.post(url("/v1/applications/x%20y"), "{}");
  ASSERT_TRUE(post.ok()) << post.error().message;
  EXPECT_EQ(post->body, R"({"id":"x y","method":"POST"})");
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405) {
  start();
  auto missing = client.get(url("/v1/nothing-here"));
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->header("Content-Type"), "application/json");
  EXPECT_EQ(missing->body, R"({"error":{"code":"not_found","message":"no resource at /v1/nothing-here"}})");

  auto wrong = client.request("DELETE", url("/v1/applications/7"));
  ASSERT_TRUE(wrong.ok());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->header("Allow"), "GET, HEAD, POST");
  EXPECT_NE(wrong->body.find(R"("code":"method_not_allowed")"), std::string::npos) << wrong->body;
}

TEST_F(ServerTest, HeadSendsGetHeadersWithoutBody) {
  start();
  auto head = client.request("HEAD", url("/hello"));
  ASSERT_TRUE(head.ok()) << head.error().message;
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->header("Content-Length"), "5");
  EXPECT_EQ(head->body, "");
  // The connection is still in step: the next request on it is answered normally.
  auto get = client.get(url("/hello"));
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->body, "hello");
  EXPECT_EQ(get->new_connections, 0);
}

TEST_F(ServerTest, UnsupportedMethodIs501) {
  start();
  auto trace = client.request("TRACE", url("/hello"));
  ASSERT_TRUE(trace.ok());
  EXPECT_EQ(trace->status, 501);
  EXPECT_NE(trace->body.find("\"method_not_implemented\""), std::string::npos);
  EXPECT_TRUE(saw({"", "OTHER", 501}));
}

TEST_F(ServerTest, QueryParametersAreDecoded) {
  start();
  auto r = client.get(url("/echo-query?a=1&b=x+y%21&a=2&empty="));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "a=1\nb=x y!\na=2\nempty=\n");
}

TEST_F(ServerTest, MalformedQueryIs400AndConnectionStaysUsable) {
  start();
  RawConnection conn(server->port());
  conn.send("GET /echo-query?text=100%zz HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(conn.read_until("\r\n\r\nhello"));
  EXPECT_EQ(conn.received.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << conn.received;
  EXPECT_NE(conn.received.find(R"("code":"invalid_query")"), std::string::npos) << conn.received;
}

TEST_F(ServerTest, FormBodyIsParsedAndMalformedEscapesRefused) {
  start();
  auto ok =
      client.post(url("/form"), "from=%2B962791234567&text=hi+there%2C+%D8%A7", "application/x-www-form-urlencoded");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "from=+962791234567;text=hi there, \xD8\xA7;");

  auto bad = client.post(url("/form"), "from=%2B962&text=50%", "application/x-www-form-urlencoded");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find(R"("code":"invalid_form")"), std::string::npos) << bad->body;
}

TEST_F(ServerTest, RequestCarriesHeadersBodyAndRemoteAddress) {
  start();
  auto r = client.post(url("/echo-body"), "{\"k\":1}", "application/json; charset=utf-8");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->body, "{\"k\":1}");
  EXPECT_EQ(r->header("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(r->header("X-Remote-Address"), "127.0.0.1");
}

TEST_F(ServerTest, BodyOverTheLimitIs413) {
  start();  // body_limit 1024
  auto at_limit = client.post(url("/echo-body"), std::string(1024, 'a'), "text/plain");
  ASSERT_TRUE(at_limit.ok());
  EXPECT_EQ(at_limit->status, 200);
  EXPECT_EQ(at_limit->body.size(), 1024u);

  auto over = client.post(url("/echo-body"), std::string(1025, 'a'), "text/plain");
  ASSERT_TRUE(over.ok()) << over.error().message;
  EXPECT_EQ(over->status, 413);
  EXPECT_EQ(over->header("Connection"), "close");
  EXPECT_NE(over->body.find(R"("code":"body_too_large")"), std::string::npos) << over->body;
  EXPECT_TRUE(saw({"", "POST", 413}));
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  start();
  RawConnection conn(server->port());
  std::string chunk(800, 'b');
  conn.send("POST /echo-body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" + chunk + "\r\n320\r\n" +
            chunk + "\r\n0\r\n\r\n");
  ASSERT_TRUE(conn.read_until_closed());
  EXPECT_EQ(conn.received.rfind("HTTP/1.1 413 Payload Too Large\r\n", 0), 0u) << conn.received.substr(0, 200);
}

TEST_F(ServerTest, ExpectContinueIsHonoured) {
  start();
  auto small = client.request("POST", url("/echo-body"), {{"Expect", "100-continue"}, {"Content-Type", "text/plain"}},
                              std::string(512, 'c'));
  ASSERT_TRUE(small.ok()) << small.error().message;
  EXPECT_EQ(small->status, 200);
  EXPECT_EQ(small->body, std::string(512, 'c'));

  // Too large: refused on the header alone, before the client sends the body.
  auto large = client.request("POST", url("/echo-body"), {{"Expect", "100-continue"}, {"Content-Type", "text/plain"}},
                              std::string(4096, 'c'));
  ASSERT_TRUE(large.ok()) << large.error().message;
  EXPECT_EQ(large->status, 413);
}

TEST_F(ServerTest, HeaderOverTheLimitIs431) {
  start();  // header_limit 1024
  auto r = client.get(url("/hello"), {{"X-Padding", std::string(2000, 'p')}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 431);
  EXPECT_NE(r->body.find(R"("code":"header_too_large")"), std::string::npos) << r->body;
}

TEST_F(ServerTest, GarbageIs400) {
  start();
  RawConnection conn(server->port());
  conn.send("THIS IS NOT HTTP\r\n\r\n");
  ASSERT_TRUE(conn.read_until_closed());
  EXPECT_EQ(conn.received.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << conn.received;
  EXPECT_NE(conn.received.find(R"("code":"bad_request")"), std::string::npos);
}

TEST_F(ServerTest, TwoHostHeadersAre400) {
  start();
  RawConnection conn(server->port());
  conn.send("GET /hello HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\n\r\n");
  ASSERT_TRUE(conn.read_until_closed());
  EXPECT_EQ(conn.received.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << conn.received;
  EXPECT_NE(conn.received.find("more than one Host"), std::string::npos) << conn.received;
}

// Beast would hand a gzip-coded body over still coded, as if it were the text.
TEST_F(ServerTest, TransferCodingsOtherThanChunkedAre501) {
  start();
  for (const char* coding : {"gzip, chunked", "deflate,chunked", "chunked, chunked", "identity"}) {
    RawConnection conn(server->port());
    conn.send(std::string("POST /echo-body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: ") + coding +
              "\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    ASSERT_TRUE(conn.read_until_closed()) << coding;
    EXPECT_EQ(conn.received.rfind("HTTP/1.1 501 Not Implemented\r\n", 0), 0u) << coding << ": " << conn.received;
    EXPECT_NE(conn.received.find("transfer_coding_not_implemented"), std::string::npos) << conn.received;
  }
  RawConnection conn(server->port());
  conn.send(
      "POST /echo-body HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\nConnection: "
      "close\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  ASSERT_TRUE(conn.read_until_closed());
  EXPECT_EQ(conn.received.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << conn.received;
}

TEST_F(ServerTest, KeepAliveReusesOneConnection) {
  start();
  auto first = client.get(url("/hello"));
  auto second = client.get(url("/v1/applications/2"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(first->new_connections, 1);
  EXPECT_EQ(second->new_connections, 0);
  EXPECT_EQ(second->body, R"({"id":"2","method":"GET"})");
  EXPECT_EQ(server->accepted_connections(), 1u);
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrderWithFreshParsers) {
  start();
  RawConnection conn(server->port());
  conn.send(
      "POST /echo-body HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nfirst"
      "GET /v1/applications/second HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  ASSERT_TRUE(conn.read_until_closed());
  const std::string& got = conn.received;
  EXPECT_EQ(count(got, "HTTP/1.1 200 OK\r\n"), 3u) << got;
  auto first = got.find("\r\n\r\nfirst");
  auto second = got.find(R"({"id":"second")");
  auto third = got.find("\r\n\r\nhello");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  ASSERT_NE(third, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
}

TEST_F(ServerTest, Http10WithoutKeepAliveIsClosedAfterTheAnswer) {
  start();
  RawConnection conn(server->port());
  conn.send("GET /hello HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(conn.read_until_closed());
  EXPECT_EQ(conn.received.rfind("HTTP/1.0 200 OK\r\n", 0), 0u) << conn.received;
  EXPECT_NE(conn.received.find("\r\n\r\nhello"), std::string::npos);
}

TEST_F(ServerTest, SlowClientIsClosedByTheReadTimeout) {
  Settings s = test_settings();
  s.read_timeout = 200ms;
  s.idle_timeout = 60s;  // not the one that fires
  start(s);
  RawConnection conn(server->port());
  ASSERT_TRUE(conn.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: "));
  // Keep the connection busy with a byte every 20 ms: only a deadline for the whole request,
  // not one per read, ends this.
  bool closed = false;
  for (int i = 0; i < 1000 && !closed; ++i) {
    closed = !conn.send("a") || !conn.read_for(20ms);
  }
  EXPECT_TRUE(closed);
  EXPECT_EQ(conn.received, "") << "a timed-out request gets no answer";
  EXPECT_TRUE(eventually([&] { return server->active_connections() == 0; }));
}

TEST_F(ServerTest, SilentNewConnectionIsClosedByTheReadTimeout) {
  Settings s = test_settings();
  s.read_timeout = 200ms;
  s.idle_timeout = 60s;
  start(s);
  RawConnection conn(server->port());
  EXPECT_TRUE(conn.read_until_closed());
  EXPECT_EQ(conn.received, "");
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosed) {
  Settings s = test_settings();
  s.idle_timeout = 200ms;
  start(s);
  RawConnection conn(server->port());
  conn.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(conn.read_until("\r\n\r\nhello"));
  EXPECT_TRUE(conn.read_until_closed());
}

TEST_F(ServerTest, ConnectionsBeyondTheCapGet503) {
  Settings s = test_settings();
  s.max_connections = 1;
  start(s);
  auto holder = std::make_unique<RawConnection>(server->port());
  ASSERT_TRUE(eventually([&] { return server->active_connections() == 1; }));

  auto refused = client.get(url("/hello"));
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->header("Retry-After"), "1");
  EXPECT_NE(refused->body.find(R"("code":"overloaded")"), std::string::npos) << refused->body;
  EXPECT_TRUE(saw({"", "GET", 503}));

  holder.reset();
  ASSERT_TRUE(eventually([&] { return server->active_connections() == 0; }));
  auto admitted = client.get(url("/hello"));
  ASSERT_TRUE(admitted.ok());
  EXPECT_EQ(admitted->status, 200);
}

TEST_F(ServerTest, OneAddressHoldsAtMostItsShareOfConnections) {
  Settings s = test_settings();
  s.max_connections = 10;
  s.max_connections_per_ip = 1;
  start(s);
  auto holder = std::make_unique<RawConnection>(server->port());
  ASSERT_TRUE(eventually([&] { return server->active_connections() == 1; }));
  auto refused = client.get(url("/hello"));
  ASSERT_TRUE(refused.ok()) << refused.error().message;
  EXPECT_EQ(refused->status, 503);
  EXPECT_NE(refused->body.find(R"("code":"overloaded")"), std::string::npos) << refused->body;
  holder.reset();
  ASSERT_TRUE(eventually([&] { return server->active_connections() == 0; }));
  auto admitted = client.get(url("/hello"));
  ASSERT_TRUE(admitted.ok());
  EXPECT_EQ(admitted->status, 200);
}

TEST_F(ServerTest, ATrustedProxyIsNotCappedPerAddress) {
  Settings s = test_settings();
  s.max_connections = 10;
  s.max_connections_per_ip = 1;
  s.trusted_proxy = [](std::string_view a) { return a == "127.0.0.1"; };
  start(s);
  RawConnection holder(server->port());
  ASSERT_TRUE(eventually([&] { return server->active_connections() == 1; }));
  auto r = client.get(url("/hello"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, XForwardedForIsBelievedOnlyFromTrustedProxies) {
  auto remote = [&](test::HeaderList headers) {
    headers.emplace_back("Content-Type", "text/plain");
    auto r = client.request("POST", url("/echo-body"), headers, "x");
    EXPECT_TRUE(r.ok());
    if (!r.ok()) return std::string();
    if (r->status != 200) return std::to_string(r->status);
    return std::string(r->header("X-Remote-Address").value_or(""));
  };
  start();  // no trusted proxy: the header is anyone's to write
  EXPECT_EQ(remote({{"X-Forwarded-For", "10.1.2.3"}}), "127.0.0.1");
  server->stop();

  Settings s = test_settings();
  s.trusted_proxy = [](std::string_view a) { return a == "127.0.0.1" || a == "10.0.0.2"; };
  start(s);
  EXPECT_EQ(remote({}), "127.0.0.1");  // the proxy's own request
  EXPECT_EQ(remote({{"X-Forwarded-For", "10.1.2.3"}}), "10.1.2.3");
  // What the client wrote itself is left of what our proxies added.
  EXPECT_EQ(remote({{"X-Forwarded-For", "6.6.6.6, 10.1.2.3"}}), "10.1.2.3");
  EXPECT_EQ(remote({{"X-Forwarded-For", "6.6.6.6"}, {"X-Forwarded-For", "10.1.2.3, 10.0.0.2"}}), "10.1.2.3");
  EXPECT_EQ(remote({{"X-Forwarded-For", "::ffff:10.1.2.3"}}), "::ffff:10.1.2.3");
  EXPECT_EQ(remote({{"X-Forwarded-For", "not-an-address"}}), "400");
}

TEST_F(ServerTest, AsyncHandlerAnswersFromAnotherThread) {
  start();
  for (int i = 0; i < 3; ++i) {  // on one kept-alive connection
    auto r = client.get(url("/async?n=" + std::to_string(i)));
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "worker " + std::to_string(i) + " elsewhere");
  }
  EXPECT_EQ(server->accepted_connections(), 1u);
}

TEST_F(ServerTest, ConcurrentClientsOnSeveralThreads) {
  Settings s = test_settings();
  s.threads = 4;
  start(s);
  constexpr int kClients = 8, kRequests = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> clients;
  clients.reserve(kClients);
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      HttpClient mine;
      for (int i = 0; i < kRequests; ++i) {
        auto n = std::to_string(c * 1000 + i);
        auto r = (i % 2 == 0) ? mine.get(url("/async?n=" + n)) : mine.get(url("/v1/applications/" + n));
        bool expected =
            r.ok() && r->status == 200 &&
            r->body == ((i % 2 == 0) ? "worker " + n + " elsewhere" : R"({"id":")" + n + R"(","method":"GET"})");
        if (expected) ++good;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(good.load(), kClients * kRequests);
  EXPECT_EQ(server->accepted_connections(), static_cast<std::uint64_t>(kClients));
}

TEST_F(ServerTest, HandlerThatNeverAnswersOrThrowsGets500) {
  start();
  auto dropped = client.get(url("/drop"));
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->status, 500);
  EXPECT_NE(dropped->body.find(R"("code":"no_response")"), std::string::npos);

  auto thrown = client.get(url("/throw"));
  ASSERT_TRUE(thrown.ok());
  EXPECT_EQ(thrown->status, 500);
  EXPECT_EQ(thrown->new_connections, 0) << "the connection survives a handler's failure";
}

TEST_F(ServerTest, MetricsHookSeesRouteMethodAndStatus) {
  start();
  ASSERT_TRUE(client.get(url("/v1/applications/9")).ok());
  ASSERT_TRUE(client.post(url("/v1/applications/9"), "{}").ok());
  ASSERT_TRUE(client.get(url("/missing")).ok());
  ASSERT_TRUE(client.get(url("/drop")).ok());
  EXPECT_TRUE(saw({"/v1/applications/{id}", "GET", 200}));
  EXPECT_TRUE(saw({"/v1/applications/{id}", "POST", 200}));
  EXPECT_TRUE(saw({"", "GET", 404}));
  EXPECT_TRUE(saw({"/drop", "GET", 500}));
}

TEST_F(ServerTest, GracefulStopFinishesTheRequestInFlight) {
  start();
  RawConnection idle(server->port());
  idle.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(idle.read_until("\r\n\r\nhello"));  // answered; now idle on keep-alive

  Result<test::HttpResponse> in_flight = make_error("not_run", "");
  std::thread request([&] { in_flight = client.get(url("/slow")); });
  ASSERT_TRUE(parked.wait_parked());

  std::thread stopper([&] { server->stop(); });
  const auto port = server->port();
  EXPECT_TRUE(eventually([&] { return !can_connect(port); })) << "stop() closes the listener";
  EXPECT_TRUE(idle.read_until_closed()) << "stop() closes idle connections";

  parked.answer(text_response(200, "finished during stop"));
  request.join();
  stopper.join();
  ASSERT_TRUE(in_flight.ok()) << in_flight.error().message;
  EXPECT_EQ(in_flight->status, 200);
  EXPECT_EQ(in_flight->body, "finished during stop");
  EXPECT_EQ(in_flight->header("Connection"), "close");
  EXPECT_EQ(server->active_connections(), 0u);
}

// Past the grace period a request still waiting for its answer is abandoned: stop() returns, an
// answer given afterwards goes nowhere, and once the server is gone the connection is closed
// (nothing of it kept alive by the wait it was in).
TEST_F(ServerTest, StopPastItsGraceAbandonsAWaitingRequest) {
  Settings s = test_settings();
  s.stop_grace = 200ms;
  start(s);
  RawConnection waiting(server->port());
  waiting.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(parked.wait_parked());
  server->stop();
  parked.answer(text_response(200, "too late"));
  server.reset();
  EXPECT_TRUE(waiting.read_until_closed()) << "the abandoned connection is closed";
  EXPECT_EQ(waiting.received, "") << "nothing was answered";
}

TEST_F(ServerTest, StartFailureNamesTheAddress) {
  start();
  Settings taken = test_settings();
  taken.port = server->port();
  Server second(taken, router);
  auto started = second.start();
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, "listen_failed");
  EXPECT_NE(started.error().message.find("127.0.0.1:" + std::to_string(server->port())), std::string::npos)
      << started.error().message;

  Settings named = test_settings();
  named.address = "localhost";
  auto bad = Server(named, router).start();
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "invalid_settings");
}

TEST(TerminationSignals, ReturnsTheSignalThatArrived) {
  TerminationSignals signals;
  ASSERT_EQ(std::raise(SIGTERM), 0);  // caught and kept until wait()
  EXPECT_EQ(signals.wait(), SIGTERM);
  ASSERT_EQ(std::raise(SIGINT), 0);
  EXPECT_EQ(signals.wait(), SIGINT);
}

TEST(TerminationSignals, SighupAsksForAReopenAndDoesNotStop) {
  TerminationSignals signals;
  ASSERT_EQ(std::raise(SIGHUP), 0);  // logrotate's postrotate; by default it would end the process
  int hangups = 0;
  std::thread later([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::raise(SIGTERM);
  });
  EXPECT_EQ(signals.wait([&] { ++hangups; }), SIGTERM);
  later.join();
  EXPECT_EQ(hangups, 1);
}

}  // namespace
}  // namespace cg::http
