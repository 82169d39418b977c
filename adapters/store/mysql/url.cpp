// mysql://user:password@host:port/database -> MysqlSettings. Strict: anything the URL cannot mean
// is refused with a message naming the part; the password is never echoed.
#include <charconv>
#include <cstdio>

#include "adapters/store/mysql/mysql_store.hpp"

namespace cg::store {
namespace {

Error bad(std::string message) { return Error{"invalid_store_settings", "mysql URL: " + std::move(message)}; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding, as in userinfo: "p%40ss" is "p@ss".
Result<std::string> percent_decode(std::string_view in, std::string_view part) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    int hi = i + 2 < in.size() ? hex_value(in[i + 1]) : -1;
    int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
    if (hi < 0 || lo < 0) return bad(std::string(part) + " has a '%' not followed by two hex digits");
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool database_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' || c == '-';
}

}  // namespace

Result<MysqlSettings> parse_mysql_url(std::string_view url) {
  constexpr std::string_view kScheme = "mysql://";
  if (!url.starts_with(kScheme)) return bad("must start with mysql://");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos)
    return bad("query strings and fragments are not supported (pool size and timeouts are config keys)");
  std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return bad("names no database (mysql://user:password@host:port/database)");
  std::string_view authority = rest.substr(0, slash);
  std::string_view database = rest.substr(slash + 1);

  MysqlSettings s;
  // userinfo ends at the last '@' of the authority; '@' inside the password must be written %40.
  std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return bad("names no user (mysql://user:password@host:port/database)");
  std::string_view userinfo = authority.substr(0, at);
  std::string_view hostport = authority.substr(at + 1);
  std::size_t colon = userinfo.find(':');
  auto user = percent_decode(userinfo.substr(0, colon), "the user");
  if (!user) return user.error();
  if (user->empty()) return bad("the user is empty");
  s.user = std::move(*user);
  if (colon != std::string_view::npos) {
    auto password = percent_decode(userinfo.substr(colon + 1), "the password");
    if (!password) return password.error();
    s.password = std::move(*password);
  }

  std::string_view port_text;
  if (hostport.starts_with('[')) {
    std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) return bad("the IPv6 host has no closing ']'");
    s.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("unexpected text after the IPv6 host");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("the port after ':' is empty");
    }
  } else {
    std::size_t port_colon = hostport.rfind(':');
    s.host = std::string(hostport.substr(0, port_colon));
    if (port_colon != std::string_view::npos) {
      port_text = hostport.substr(port_colon + 1);
      if (port_text.empty()) return bad("the port after ':' is empty");
    }
  }
  if (s.host.empty()) return bad("the host is empty");
  if (s.host.find_first_of(":/@[] ") != std::string::npos && !hostport.starts_with('['))
    return bad("the host '" + s.host + "' is not a host name or address");
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return bad("the port '" + std::string(port_text) + "' is not a number from 1 to 65535");
    s.port = static_cast<std::uint16_t>(port);
  }

  if (database.empty()) return bad("names no database after the host");
  if (database.size() > 64) return bad("the database name is longer than 64 characters");
  for (char c : database)
    if (!database_char(c))
      return bad("the database name '" + std::string(database) + "' may hold only letters, digits, '_', '$' and '-'");
  s.database = std::string(database);
  return s;
}

}  // namespace cg::store
