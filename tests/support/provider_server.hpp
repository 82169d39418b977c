// A stand-in SMS provider for tests and benchmarks: a real HTTP server on 127.0.0.1 (the gateway's
// own Beast server) that records every request and answers what the test's script says: any
// status and body, after an optional delay (a slow provider). Kannel's, Twilio's and Infobip's
// usual answers are provided as helpers.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "gateway/http/message.hpp"
#include "gateway/http/server.hpp"

namespace cg::test {

struct RecordedRequest {
  std::string method;
  std::string path;
  std::string target;
  http::Params query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  http::Params form;  // the body decoded when it is application/x-www-form-urlencoded
  std::chrono::steady_clock::time_point at;

  std::string header(std::string_view name) const;
  std::string query_param(std::string_view name) const;
  std::string form_param(std::string_view name) const;
};

struct CannedReply {
  int status = 200;
  std::string body;
  std::string content_type = "text/plain";
  std::chrono::milliseconds delay{0};
  bool hold = false;  // answered only at release() or stop(): a provider that is slow until told
};

CannedReply kannel_accepted();  // 202 "0: Accepted for delivery"
CannedReply twilio_created(const std::string& sid);
CannedReply infobip_sent(const std::string& message_id);

class ProviderServer {
 public:
  // Gets each request and its 0-based arrival number.
  using Script = std::function<CannedReply(const RecordedRequest&, std::size_t n)>;

  explicit ProviderServer(Script script, unsigned threads = 2, bool record = true);
  ~ProviderServer();

  Status start();
  void stop();
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }
  std::uint16_t port() const { return server_->port(); }

  void set_script(Script script);
  std::vector<RecordedRequest> requests() const;
  std::size_t count() const { return count_.load(); }
  std::uint64_t connections() const { return server_->accepted_connections(); }
  // Answers every request held so far (CannedReply::hold).
  void release();
  // Waits until `n` requests have arrived (false on timeout).
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  void handle(http::Request req, http::Responder respond);

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  Script script_;
  bool record_;
  std::vector<RecordedRequest> requests_;
  std::atomic<std::size_t> count_{0};
  std::vector<std::thread> delayed_;  // answers held back for a slow reply
  std::uint64_t releases_ = 0;        // release() calls so far (held answers wait for the next)
  bool stopping_ = false;
  std::unique_ptr<http::Server> server_;
};

}  // namespace cg::test
