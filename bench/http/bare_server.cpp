// bench_http_bare [--address A] [--port N] [--threads T]
// Serves 200 "ok" to every request with gateway/http's Server, so a load test of it measures the
// server loop itself. Prints "listening on ADDRESS:PORT" once ready (scripts/bench-http.sh waits
// for that line) and stops gracefully on SIGINT/SIGTERM.
#include <charconv>
#include <cstdio>
#include <string>
#include <string_view>

#include "gateway/http/server.hpp"
#include "gateway/http/signals.hpp"

namespace {

bool parse_number(std::string_view text, unsigned long max, unsigned long& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out <= max;
}

int usage(const char* why) {
  std::fprintf(stderr, "bench_http_bare: %s\nusage: bench_http_bare [--address IP] [--port N] [--threads T]\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  cg::http::Settings settings;
  settings.threads = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) return usage(("missing value after " + std::string(arg)).c_str());
    std::string_view value = argv[++i];
    unsigned long n = 0;
    if (arg == "--address") {
      settings.address = std::string(value);
    } else if (arg == "--port") {
      if (!parse_number(value, 65535, n)) return usage("--port takes a number from 0 to 65535");
      settings.port = static_cast<std::uint16_t>(n);
    } else if (arg == "--threads") {
      if (!parse_number(value, 256, n) || n == 0) return usage("--threads takes a number from 1 to 256");
      settings.threads = static_cast<unsigned>(n);
    } else {
      return usage(("unknown option " + std::string(arg)).c_str());
    }
  }

  // Caught from here on, so a signal that arrives while starting still stops gracefully.
  cg::http::TerminationSignals signals;
  cg::http::Server server(settings, [](const cg::http::Request&, const cg::http::Responder& respond) {
    respond(cg::http::text_response(200, "ok"));
  });
  if (auto started = server.start(); !started) {
    std::fprintf(stderr, "bench_http_bare: %s\n", started.error().message.c_str());
    return 1;
  }
  std::printf("listening on %s:%u\n", settings.address.c_str(), static_cast<unsigned>(server.port()));
  std::fflush(stdout);
  int signal = signals.wait();
  std::fprintf(stderr, "bench_http_bare: signal %d, stopping\n", signal);
  server.stop();
  return 0;
}
