// HTTP requests and responses as plain project types, so that routes and the rest of the gateway
// never include Beast; gateway/http/server.cpp converts to and from the wire.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace cg::http {

// The methods the gateway serves; any other method gets 501 from the server before routing.
enum class Method { get, head, post, put, patch, delete_, options };

std::string_view to_string(Method method);                  // "GET", "DELETE", ...
std::optional<Method> parse_method(std::string_view text);  // exact, upper case

// Decoded name/value pairs in the order they arrived. A vector, not a map: order matters to some
// signatures and repeated names are legal.
using Params = std::vector<std::pair<std::string, std::string>>;

// The first value named `name`, or nullopt.
std::optional<std::string_view> find_param(const Params& params, std::string_view name);

// Header fields in arrival order; names compare case-insensitively (RFC 9110 §5.1).
class Headers {
 public:
  void add(std::string name, std::string value);
  void set(std::string name, std::string value);  // replaces every field of that name
  void erase(std::string_view name);
  std::optional<std::string_view> get(std::string_view name) const;  // the first field of that name
  bool contains(std::string_view name) const { return get(name).has_value(); }

  using Field = std::pair<std::string, std::string>;
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }
  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

bool iequals(std::string_view a, std::string_view b);  // ASCII case-insensitive

// What a handler learns about a request that its access log line should say (gateway/http/access.hpp):
// shared by every copy of the request, written from whichever thread the handler runs on.
class RequestNotes {
 public:
  void set_phone(std::string_view masked);  // already masked (core::mask_phone): logs never hold a whole number
  std::string phone() const;

 private:
  mutable std::mutex mu_;
  std::string phone_;
};

struct Request {
  Method method = Method::get;
  std::string target;  // as received: path and query
  std::string path;    // target before '?', still percent-encoded
  Params query;        // decoded query parameters
  Params path_params;  // decoded `{name}` segments, filled by the Router
  Headers headers;
  std::string body;
  std::string remote_address;  // peer IP, e.g. "127.0.0.1"
  // Set by with_access_log (gateway/http/access.hpp): the id this request goes by in the logs, its
  // answer's X-Request-Id and its outbox rows; and the notes for its access log line.
  std::string request_id;
  std::shared_ptr<RequestNotes> notes;

  // For the access log: the phone number this request is about, masked. Nothing without notes.
  void note_phone(std::string_view masked) const {
    if (notes) notes->set_phone(masked);
  }

  std::optional<std::string_view> query_param(std::string_view name) const { return find_param(query, name); }
  std::optional<std::string_view> path_param(std::string_view name) const { return find_param(path_params, name); }
  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
};

// A body sent in pieces, for answers too large to hold at once (an export of every applicant). The
// server asks for the next piece only once the one before is written, so a slow client holds back
// the maker instead of filling memory, and no thread waits on the client. HTTP/1.1 gets the pieces
// as chunks; HTTP/1.0 gets them bare, the end of the body marked by closing the connection.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Makes the next piece and gives it to `done`, on any thread: text to send, an empty text at the
  // end, or an error. An error cuts the answer short: the connection is closed without the last
  // chunk, so the client can tell the body is incomplete (the status line is already sent).
  virtual void next(std::function<void(Result<std::string>)> done) = 0;
};

struct Response {
  int status = 200;
  std::string content_type;  // empty: no Content-Type header
  Headers headers;           // extra fields; Content-Length and Connection are the server's
  std::string body;
  std::shared_ptr<BodyStream> stream;  // set: the body is the stream's pieces, and `body` is not sent
};

// Percent-decoding (RFC 3986 §2.1). A '%' not followed by two hex digits is an error, not a literal:
// strict parsing, so that two parsers never disagree on what a provider sent.
Result<std::string> percent_decode(std::string_view text, bool plus_as_space);

// application/x-www-form-urlencoded (also the query string): pairs split on '&', name and value on
// the first '=', '+' is a space, then percent-decoding. Empty pieces ("a=1&&b=2") are skipped; a
// piece without '=' is a name with an empty value.
Result<Params> parse_form(std::string_view body);

// Splits a request target ("/path?query") into its path and decoded query. Only origin-form targets
// (starting with '/') are accepted; the gateway is not a proxy.
Status parse_target(std::string_view target, std::string& path, Params& query);

// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

// {"error":{"code":"...","message":"..."}} with the given status.
Response json_error(int status, std::string_view code, std::string_view message);
// A store failure ("store_unavailable": 503, anything else: 500). Its text (a file path, a host,
// SQLite's or MySQL's words) goes to the log, not to the caller.
Response store_failure(const Error& e);
Response json_response(int status, std::string body);
Response text_response(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");

}  // namespace cg::http
