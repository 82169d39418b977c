// libFuzzer target for the HTTP request head: the bytes are what a client sends, read by Beast's
// request parser set up as gateway/http/server.cpp sets it up (the same limits), then through the
// checks the server makes before routing (refused_head, the method, the target, X-Forwarded-For)
// and the form parser every provider callback goes through. Invariants: a refused head is answered
// 400 or 501; a head that passes carries at most one Host; an
// accepted target is a path starting with '/'; the client behind proxies is an IP address; a form
// that parses re-encodes (every byte escaped) to the same pairs; percent-decoding refuses a '%'
// without two hex digits after it.
#define CG_ASIO_WITH_BEAST
#include "gateway/http/asio.hpp"

#include <cctype>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"
#include "gateway/http/head.hpp"
#include "gateway/http/message.hpp"
#include "gateway/http/server.hpp"

namespace {

namespace bhttp = cg::beast::http;

std::string_view sv(cg::beast::string_view s) { return {s.data(), s.size()}; }

bool is_ip(std::string_view s) {
  boost::system::error_code ec;
  (void)cg::asio::ip::make_address(std::string(s), ec);
  return !ec;
}

void check_form(std::string_view text) {
  using namespace cg;
  auto form = http::parse_form(text);
  bool bad_escape = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    auto hex = [&](std::size_t k) { return k < text.size() && std::isxdigit(static_cast<unsigned char>(text[k])); };
    if (!hex(i + 1) || !hex(i + 2)) bad_escape = true;
  }
  fuzz::check(!(form && bad_escape), "a form with a bad %-escape was accepted");
  if (!form) return;
  auto again = http::parse_form(fuzz::form_encode(*form));
  fuzz::check(again.ok(), "a re-encoded form does not parse");
  fuzz::check(*again == *form, "form -> encode -> form changed the pairs");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cg;
  const std::string_view in = fuzz::bytes(data, size);
  check_form(in);

  static const http::Settings defaults;
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(defaults.header_limit));
  parser.body_limit(defaults.body_limit);
  parser.eager(true);
  boost::system::error_code ec;
  std::size_t used = 0;
  while (used < in.size() && !parser.is_done()) {
    std::size_t n = parser.put(asio::buffer(in.data() + used, in.size() - used), ec);
    if (ec == bhttp::error::need_more) {
      ec = {};
      break;
    }
    if (ec) break;
    if (n == 0) break;
    used += n;
  }
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (!parser.is_header_done()) return 0;

  const auto& msg = parser.get();
  std::vector<http::FieldView> fields;
  http::Headers headers;
  std::size_t hosts = 0;
  for (const auto& f : msg) {
    fields.emplace_back(sv(f.name_string()), sv(f.value()));
    headers.add(std::string(sv(f.name_string())), std::string(sv(f.value())));
    hosts += f.name() == bhttp::field::host;
  }
  if (auto refusal = http::refused_head(fields)) {
    fuzz::check(refusal->status == 400 || refusal->status == 501, "a refusal that is not 400 or 501");
  } else {
    fuzz::check(hosts <= 1, "two Host fields passed");
  }

  if (http::parse_method(sv(msg.method_string()))) {
    std::string path;
    http::Params query;
    if (http::parse_target(sv(msg.target()), path, query).ok()) {
      fuzz::check(!path.empty() && path.front() == '/', "an accepted target's path does not start with '/'");
      fuzz::check(path.find('?') == std::string::npos, "a path holding the query");
    }
  }
  auto trusted = [](std::string_view a) { return a == "127.0.0.1" || a == "10.0.0.1" || a == "::1"; };
  if (auto client = http::forwarded_client(headers, "127.0.0.1", trusted)) {
    fuzz::check(is_ip(*client), "the client behind the proxies is not an IP address");
  } else {
    fuzz::check(client.error().code == "invalid_header", "X-Forwarded-For refusal code");
  }
  if (parser.is_done()) check_form(msg.body());
  return 0;
}
