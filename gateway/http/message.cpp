#include "gateway/http/message.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "adapters/observe/log.hpp"
#include "core/text.hpp"

namespace cg::http {

namespace {

constexpr std::array<std::pair<Method, std::string_view>, 7> kMethodNames{{
    {Method::get, "GET"},
    {Method::head, "HEAD"},
    {Method::post, "POST"},
    {Method::put, "PUT"},
    {Method::patch, "PATCH"},
    {Method::delete_, "DELETE"},
    {Method::options, "OPTIONS"},
}};

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A bad escape is shown as the client sent it, made safe to echo in an error message.
std::string printable(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(Method method) {
  for (const auto& [m, name] : kMethodNames) {
    if (m == method) return name;
  }
  return "UNKNOWN";
}

std::optional<Method> parse_method(std::string_view text) {
  for (const auto& [m, name] : kMethodNames) {
    if (name == text) return m;
  }
  return std::nullopt;
}

std::optional<std::string_view> find_param(const Params& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return std::string_view(v);
  }
  return std::nullopt;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

void Headers::add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }

void Headers::set(std::string name, std::string value) {
  erase(name);
  add(std::move(name), std::move(value));
}

void Headers::erase(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return iequals(f.first, name); });
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [n, v] : fields_) {
    if (iequals(n, name)) return std::string_view(v);
  }
  return std::nullopt;
}

Result<std::string> percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
      int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        return make_error("malformed_percent_escape", "malformed percent escape '" + printable(text.substr(i, 3)) +
                                                          "' at offset " + std::to_string(i) +
                                                          " (expected '%' and two hex digits)");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

Result<Params> parse_form(std::string_view body) {
  Params params;
  std::size_t offset = 0;
  while (offset <= body.size()) {
    std::size_t amp = body.find('&', offset);
    if (amp == std::string_view::npos) amp = body.size();
    std::string_view piece = body.substr(offset, amp - offset);
    if (!piece.empty()) {
      std::size_t eq = piece.find('=');
      std::string_view raw_name = piece.substr(0, eq);
      std::string_view raw_value = eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
      auto name = percent_decode(raw_name, true);
      if (!name) {
        return make_error("invalid_form", "parameter name '" + printable(raw_name) + "': " + name.error().message);
      }
      auto value = percent_decode(raw_value, true);
      if (!value) {
        return make_error("invalid_form", "parameter '" + printable(raw_name) + "': " + value.error().message);
      }
      params.emplace_back(std::move(name).value(), std::move(value).value());
    }
    offset = amp + 1;
  }
  return params;
}

Status parse_target(std::string_view target, std::string& path, Params& query) {
  if (target.empty() || target.front() != '/') {
    return make_error("invalid_target", "request target must start with '/'");
  }
  std::size_t q = target.find('?');
  path.assign(target.substr(0, q));
  query.clear();
  if (q != std::string_view::npos) {
    auto parsed = parse_form(target.substr(q + 1));
    if (!parsed) return make_error("invalid_query", "query string: " + parsed.error().message);
    query = std::move(parsed).value();
  }
  return ok_status();
}

std::string json_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  core::text::append_json_string(out, text);
  return out;
}

void RequestNotes::set_phone(std::string_view masked) {
  std::lock_guard lock(mu_);
  phone_.assign(masked);
}

std::string RequestNotes::phone() const {
  std::lock_guard lock(mu_);
  return phone_;
}

Response json_error(int status, std::string_view code, std::string_view message) {
  return json_response(status,
                       "{\"error\":{\"code\":" + json_quote(code) + ",\"message\":" + json_quote(message) + "}}");
}

Response store_failure(const Error& e) {
  const bool unavailable = e.code == "store_unavailable";
  log::error("store", "request failed in the store", {{"code", e.code}, {"error", e.message}});
  return json_error(
      unavailable ? 503 : 500, e.code,
      unavailable ? "the store is unavailable; try again later" : "the store failed; see the gateway's log");
}

Response json_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

Response text_response(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

}  // namespace cg::http
