// What the server checks in a request head beyond Beast's own parsing, as functions of the fields
// alone: no socket and no Beast, so the checks can be tested and fuzzed on their own
// (fuzz/http_head_fuzz.cpp); gateway/http/server.cpp calls them on every request.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "gateway/http/message.hpp"

namespace cg::http {

// A header field as received: name and value, views into the parser's buffer.
using FieldView = std::pair<std::string_view, std::string_view>;

// The refusal for a head the server will not read a body after: two Host fields (which one a proxy
// routed by is unknown, RFC 9112 §3.2 says 400), and a transfer coding other than plain chunked,
// which Beast would hand over still coded, e.g. a gzip body read as text (RFC 9112 §6.1: 501).
// nullopt when the head is acceptable.
std::optional<Response> refused_head(const std::vector<FieldView>& fields);

// The client behind trusted proxies: X-Forwarded-For lists the addresses each proxy saw, the
// nearest last. Walking from the right past our own proxies gives the first address no trusted
// party vouches for beyond; everything left of it may be written by the client and is ignored.
// Without the header the request came from `remote_address` itself. "invalid_header" when an
// address that is looked at is not an IP address.
Result<std::string> forwarded_client(const Headers& headers, std::string_view remote_address,
                                     const std::function<bool(std::string_view)>& trusted);

}  // namespace cg::http
