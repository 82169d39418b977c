// bench_inbound_rate --port N [--host 127.0.0.1] --path PATH [--rate 2000] [--duration 20]
//                    [--warmup 2] [--connections 64] [--per-second 0|1] [--first 1]
// Offers GET requests at a fixed rate (open loop) over keep-alive connections and prints latency
// percentiles. Each request's latency runs from the moment it was scheduled, not sent, so when the
// server falls behind the queueing shows (no coordinated omission). Every request gets a unique
// `id` and `from` appended to PATH, as Kannel's get-url calls for distinct inbound SMS would.
// Output (one line each): "offered R/s achieved A/s requests N errors E", then what the errors were
// when there were any, and "latency ms p50 X p90 X p99 X p99.9 X max X". Exits 1 on any error.
// With --per-second 1, a line per second of the measured time follows: "second S requests N p99 X
// max X", S counted from the end of the warm-up and each request in the second it was scheduled in,
// which shows whether a high percentile comes from one stall or from the whole run.
// Request n (counting from --first, default 1) has id "rate-n" and sender +96279 followed by n mod 10^7
// in 7 digits; a later run against the same gateway passes a --first past the earlier run's last
// request, or its messages are duplicates (answered without a conversation step: far cheaper).
// An idle connection the server closes (the gateway closes one that sends no request within its
// header timeout, and with a low latency the later connections of the pool can wait that long for
// their first request) is opened again, as any HTTP client's pool does; that is not an error.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string path;
  double rate = 2000;
  double duration = 20;
  double warmup = 2;
  int connections = 64;
  bool per_second = false;
  long long first = 1;
};

struct Conn {
  int fd = -1;
  bool busy = false;
  Clock::time_point scheduled{};
  bool measured = false;
  std::string in;
};

int connect_to(const Options& o) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(o.port));
  if (::inet_pton(AF_INET, o.host.c_str(), &a.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool send_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

// A complete response in `in`: its status and length, or 0 while incomplete.
std::size_t complete_response(const std::string& in, int& status) {
  std::size_t head = in.find("\r\n\r\n");
  if (head == std::string::npos) return 0;
  status = std::atoi(in.c_str() + 9);
  std::size_t length = 0;
  std::size_t p = 0;
  while ((p = in.find('\n', p)) != std::string::npos && p < head) {
    ++p;
    if (strncasecmp(in.c_str() + p, "content-length:", 15) == 0)
      length = std::strtoul(in.c_str() + p + 15, nullptr, 10);
  }
  if (in.size() < head + 4 + length) return 0;
  return head + 4 + length;
}

// The p-th percentile (0-100) of values sorted ascending; 0 when there are none.
double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0.0;
  return sorted[static_cast<std::size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1))];
}

int usage(const char* why) {
  std::fprintf(stderr,
               "bench_inbound_rate: %s\nusage: bench_inbound_rate --port N --path PATH [--host IP] [--rate R] "
               "[--duration S] [--warmup S] [--connections C] [--per-second 0|1] [--first N]\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--host")
      o.host = v;
    else if (a == "--port")
      o.port = std::atoi(v.c_str());
    else if (a == "--path")
      o.path = v;
    else if (a == "--rate")
      o.rate = std::atof(v.c_str());
    else if (a == "--duration")
      o.duration = std::atof(v.c_str());
    else if (a == "--warmup")
      o.warmup = std::atof(v.c_str());
    else if (a == "--connections")
      o.connections = std::atoi(v.c_str());
    else if (a == "--per-second") {
      if (v != "0" && v != "1") return usage("--per-second wants 0 or 1");
      o.per_second = v == "1";
    } else if (a == "--first") {
      o.first = std::atoll(v.c_str());
      if (o.first < 1) return usage("--first wants a positive number");
    } else
      return usage(("unknown option " + a).c_str());
  }
  if (o.port <= 0 || o.path.empty() || o.rate <= 0 || o.duration <= 0 || o.connections <= 0)
    return usage("--port, --path, and positive --rate, --duration, --connections are required");

  std::vector<Conn> conns(static_cast<std::size_t>(o.connections));
  for (auto& c : conns) {
    c.fd = connect_to(o);
    if (c.fd < 0) return usage("cannot connect");
  }
  const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(1.0 / o.rate));
  const auto start = Clock::now();
  const auto measure_from =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup));
  const auto stop_at =
      measure_from + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration));
  auto next = start;
  std::deque<Clock::time_point> waiting;  // scheduled, not yet sent (every connection busy)
  std::vector<double> latencies_ms;
  latencies_ms.reserve(static_cast<std::size_t>(o.rate * o.duration * 1.1));
  std::vector<std::vector<double>> by_second(static_cast<std::size_t>(o.duration) + 1);
  long long sequence = o.first - 1, errors = 0, completed = 0;
  long long send_failures = 0, closed_busy = 0, unasked = 0, reopened = 0;
  std::map<int, long long> statuses;  // non-2xx answers by status
  std::vector<pollfd> fds(conns.size());
  char buf[16384];

  for (;;) {
    auto now = Clock::now();
    while (next <= now && next < stop_at) {
      waiting.push_back(next);
      next += interval;
    }
    for (auto& c : conns) {
      if (waiting.empty()) break;
      if (c.busy) continue;
      ++sequence;
      char extra[96];
      std::snprintf(extra, sizeof extra, "&id=rate-%lld&from=%%2B96279%07lld", sequence, sequence % 10000000);
      std::string req = "GET " + o.path + extra + " HTTP/1.1\r\nHost: " + o.host + "\r\n\r\n";
      c.scheduled = waiting.front();
      c.measured = c.scheduled >= measure_from;
      waiting.pop_front();
      if (!send_all(c.fd, req)) {
        ++errors;
        ++send_failures;
        ::close(c.fd);
        c.fd = connect_to(o);
        if (c.fd < 0) return usage("lost the connection and cannot reconnect");
        continue;
      }
      c.busy = true;
    }
    bool any_busy = false;
    for (std::size_t i = 0; i < conns.size(); ++i) {
      fds[i] = pollfd{conns[i].fd, POLLIN, 0};  // idle ones too: to see the server close them
      any_busy |= conns[i].busy;
    }
    if (!any_busy && waiting.empty() && next >= stop_at) break;
    auto wait = next < stop_at ? next - Clock::now() : std::chrono::milliseconds(50);
    timespec ts{
        0, std::max<long>(0, static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count()))};
    int n = ::ppoll(fds.data(), fds.size(), &ts, nullptr);
    if (n <= 0) continue;
    for (std::size_t i = 0; i < conns.size(); ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      Conn& c = conns[i];
      ssize_t got = ::recv(c.fd, buf, sizeof buf, 0);
      if (!c.busy) {
        if (got > 0) {  // an answer nobody asked for
          ++errors;
          ++unasked;
        }
        ::close(c.fd);
        c.fd = connect_to(o);
        if (c.fd < 0) return usage("the server closed an idle connection and a new one cannot be opened");
        ++reopened;
        continue;
      }
      if (got <= 0) {
        ++errors;
        ++closed_busy;
        ::close(c.fd);
        c.fd = connect_to(o);
        c.busy = false;
        c.in.clear();
        if (c.fd < 0) return usage("lost the connection and cannot reconnect");
        continue;
      }
      c.in.append(buf, static_cast<std::size_t>(got));
      int status = 0;
      std::size_t used = complete_response(c.in, status);
      if (used == 0) continue;
      auto done = Clock::now();
      c.in.erase(0, used);
      c.busy = false;
      ++completed;
      if (status < 200 || status >= 300) {
        ++errors;
        ++statuses[status];
      }
      if (c.measured) {
        double ms = std::chrono::duration<double, std::milli>(done - c.scheduled).count();
        latencies_ms.push_back(ms);
        auto second = static_cast<std::size_t>(std::chrono::duration<double>(c.scheduled - measure_from).count());
        by_second[std::min(second, by_second.size() - 1)].push_back(ms);
      }
    }
  }
  auto end = Clock::now();
  std::sort(latencies_ms.begin(), latencies_ms.end());
  auto pct = [&](double p) { return percentile(latencies_ms, p); };
  double seconds = std::chrono::duration<double>(end - start).count();
  std::printf("offered %.0f/s achieved %.0f/s requests %lld errors %lld\n", o.rate,
              static_cast<double>(completed) / seconds, completed, errors);
  if (errors != 0) {
    std::printf("errors: %lld sends failed, %lld connections closed with a request in flight, %lld unasked answers",
                send_failures, closed_busy, unasked);
    for (auto [status, n] : statuses) std::printf(", %lld answered %d", n, status);
    std::printf("\n");
  }
  std::printf("latency ms p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f (%zu measured after %.0f s warm-up)\n",
              pct(50), pct(90), pct(99), pct(99.9), latencies_ms.empty() ? 0.0 : latencies_ms.back(),
              latencies_ms.size(), o.warmup);
  if (o.per_second) {
    for (std::size_t s = 0; s < by_second.size(); ++s) {
      auto& v = by_second[s];
      if (v.empty()) continue;
      std::sort(v.begin(), v.end());
      std::printf("second %zu requests %zu p99 %.2f max %.2f\n", s, v.size(), percentile(v, 99), v.back());
    }
  }
  if (reopened != 0) std::printf("idle connections closed by the server and opened again: %lld\n", reopened);
  for (auto& c : conns) ::close(c.fd);
  return errors == 0 ? 0 : 1;
}
