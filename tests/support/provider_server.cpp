#include "tests/support/provider_server.hpp"

namespace cg::test {

std::string RecordedRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (http::iequals(n, name)) return v;
  return {};
}
std::string RecordedRequest::query_param(std::string_view name) const {
  return std::string(http::find_param(query, name).value_or(""));
}
std::string RecordedRequest::form_param(std::string_view name) const {
  return std::string(http::find_param(form, name).value_or(""));
}

CannedReply kannel_accepted() { return {202, "0: Accepted for delivery", "text/html"}; }
CannedReply twilio_created(const std::string& sid) {
  return {201, R"({"sid":")" + sid + R"(","status":"queued","error_code":null})", "application/json"};
}
CannedReply infobip_sent(const std::string& message_id) {
  return {
      200,
      R"({"bulkId":"bulk-1","messages":[{"messageId":")" + message_id +
          R"(","status":{"groupId":1,"groupName":"PENDING","id":26,"name":"PENDING_ACCEPTED","description":"Message sent to next instance"},"to":"962791234567"}]})",
      "application/json"};
}

ProviderServer::ProviderServer(Script script, unsigned threads, bool record)
    : script_(std::move(script)), record_(record) {
  http::Settings s;
  s.address = "127.0.0.1";
  s.port = 0;
  s.threads = threads;
  s.stop_grace = std::chrono::milliseconds(2000);
  server_ = std::make_unique<http::Server>(
      s, [this](http::Request req, http::Responder respond) { handle(std::move(req), std::move(respond)); });
}

ProviderServer::~ProviderServer() { stop(); }

Status ProviderServer::start() { return server_->start(); }

void ProviderServer::stop() {
  std::vector<std::thread> delayed;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    delayed.swap(delayed_);
  }
  cv_.notify_all();
  for (auto& t : delayed) t.join();
  server_->stop();
}

void ProviderServer::set_script(Script script) {
  std::lock_guard lock(mu_);
  script_ = std::move(script);
}

std::vector<RecordedRequest> ProviderServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void ProviderServer::release() {
  {
    std::lock_guard lock(mu_);
    ++releases_;
  }
  cv_.notify_all();
}

bool ProviderServer::wait_for(std::size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return count_.load() >= n; });
}

void ProviderServer::handle(http::Request req, http::Responder respond) {
  RecordedRequest r;
  r.method = std::string(http::to_string(req.method));
  r.path = req.path;
  r.target = req.target;
  r.query = req.query;
  for (const auto& [n, v] : req.headers) r.headers.emplace_back(n, v);
  r.body = req.body;
  if (r.header("Content-Type").find("application/x-www-form-urlencoded") != std::string::npos) {
    if (auto f = http::parse_form(req.body); f) r.form = std::move(*f);
  }
  r.at = std::chrono::steady_clock::now();
  CannedReply reply;
  {
    std::lock_guard lock(mu_);
    std::size_t n = count_.load();
    reply = script_(r, n);
    if (record_) requests_.push_back(std::move(r));
    count_.store(n + 1);
  }
  cv_.notify_all();
  http::Response resp = http::text_response(reply.status, reply.body, reply.content_type);
  if (reply.hold) {
    std::lock_guard lock(mu_);
    delayed_.emplace_back([this, respond, resp, gen = releases_] {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return releases_ > gen || stopping_; });
      }
      respond(resp);
    });
    return;
  }
  if (reply.delay.count() > 0) {
    std::lock_guard lock(mu_);
    delayed_.emplace_back([respond, resp, d = reply.delay] {
      std::this_thread::sleep_for(d);
      respond(resp);
    });
    return;
  }
  respond(std::move(resp));
}

}  // namespace cg::test
