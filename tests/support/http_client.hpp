// A small blocking HTTP client for tests (libcurl). One client keeps one CURL handle, so requests
// made through the same client reuse its kept-alive connection.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace cg::test {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  long status = 0;
  HeaderList headers;  // of the final response (a "100 Continue" before it is dropped)
  std::string body;
  long new_connections = 0;  // connections libcurl opened for this request (0: one was reused)

  // The first header of that name, case-insensitively.
  std::optional<std::string> header(std::string_view name) const;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // A transport failure (refused, reset, timed out) is an Error with libcurl's explanation; any
  // HTTP status is a response.
  Result<HttpResponse> request(std::string_view method, const std::string& url, const HeaderList& headers = {},
                               const std::string& body = {});
  Result<HttpResponse> get(const std::string& url, const HeaderList& headers = {}) {
    return request("GET", url, headers);
  }
  Result<HttpResponse> post(const std::string& url, const std::string& body,
                            const std::string& content_type = "application/json") {
    return request("POST", url, {{"Content-Type", content_type}}, body);
  }

  // Upper bound for one whole request, so a broken server fails a test instead of hanging it.
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

 private:
  void* curl_;  // CURL*, kept out of this header
  std::chrono::milliseconds timeout_{30'000};
};

}  // namespace cg::test
