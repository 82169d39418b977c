#include "gateway/http/head.hpp"

#include "gateway/http/asio.hpp"  // the Asio half only: ip::make_address

namespace cg::http {

namespace {

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `each` for every element of a comma-separated field value, trimmed (empty ones included).
template <class Each>
void for_each_element(std::string_view value, Each each) {
  while (!value.empty()) {
    std::size_t comma = value.find(',');
    each(trim_ows(value.substr(0, comma)));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
  }
}

}  // namespace

std::optional<Response> refused_head(const std::vector<FieldView>& fields) {
  std::size_t hosts = 0;
  for (const auto& [name, value] : fields) hosts += iequals(name, "Host");
  if (hosts > 1) return json_error(400, "bad_request", "the request has more than one Host header");
  std::vector<std::string_view> codings;
  for (const auto& [name, value] : fields) {
    if (!iequals(name, "Transfer-Encoding")) continue;
    for_each_element(value, [&](std::string_view coding) {
      if (!coding.empty()) codings.push_back(coding);
    });
  }
  if (!codings.empty() && (codings.size() != 1 || !iequals(codings.front(), "chunked")))
    return json_error(501, "transfer_coding_not_implemented", "only the chunked transfer coding is supported");
  return std::nullopt;
}

Result<std::string> forwarded_client(const Headers& headers, std::string_view remote_address,
                                     const std::function<bool(std::string_view)>& trusted) {
  std::vector<std::string> hops;
  for (const auto& [name, value] : headers) {
    if (!iequals(name, "X-Forwarded-For")) continue;
    for_each_element(value, [&](std::string_view item) { hops.emplace_back(item); });
  }
  std::string client(remote_address);
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(*it, ec);
    if (ec) return make_error("invalid_header", "X-Forwarded-For holds something that is not an IP address");
    client = address.to_string();
    if (!trusted(client)) break;
  }
  return client;
}

}  // namespace cg::http
