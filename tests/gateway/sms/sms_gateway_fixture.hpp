// The real gateway (App: Beast server, SQLite store, dispatcher) on 127.0.0.1 with SMS providers
// configured, a hand-set clock, and helpers to enqueue and dispatch outbox rows.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>

#include "gateway/app/app.hpp"
#include "tests/support/http_client.hpp"

namespace cg::gateway::testing {

inline constexpr const char* kSmsAdminToken = "sms-admin-token-0123456789abcdef";
inline constexpr const char* kSmsWebsiteKey = "sms-test-website-key-0123456789";

// A loopback port that was free a moment ago (Kannel must know our callback URL before we start).
inline std::uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

class SmsGatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("cg-smsgw-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    port_ = free_loopback_port();
  }
  void TearDown() override {
    app_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // The gateway's config; tests add providers with `configure` before start().
  Config base_config() const {
    Config c;
    c.listen.address = "127.0.0.1";
    c.listen.port = port_;
    c.listen.threads = 2;
    c.store.url = "sqlite:" + (dir_ / "gateway.db").string();
    c.admin_token = kSmsAdminToken;
    c.exam_secret = "exam-secret";
    c.website.api_keys = {kSmsWebsiteKey};
    c.outbox.file.path = (dir_ / "outbox.jsonl").string();
    c.outbox.poll = std::chrono::hours(1);  // tests dispatch by hand
    c.scheduler.tick = std::chrono::hours(1);
    c.public_base_url = "http://127.0.0.1:" + std::to_string(port_);
    c.sms.retry_jitter_percent = 0;
    return c;
  }

  void start(std::function<void(Config&)> configure) {
    configure_ = std::move(configure);
    Config c = base_config();
    configure_(c);
    auto v = validate_sms_config(c.sms, c.outbox.file.path);
    ASSERT_FALSE(v) << v->key << ": " << v->what;
    auto app = App::create(c, clock_);
    ASSERT_TRUE(app.ok()) << app.error().message;
    app_ = std::move(*app);
    auto s = app_->start();
    ASSERT_TRUE(s.ok()) << s.error().message;
    base_ = "http://127.0.0.1:" + std::to_string(app_->port());
  }
  void restart() {
    app_->stop();
    app_.reset();
    start(configure_);
  }

  std::int64_t enqueue(std::string text = "تم استلام طلبك لدورة مهارات الحاسوب", std::string to = "+962791234567") {
    store::OutboxMessage m;
    m.application_id = "app-1";
    m.to = std::move(to);
    m.text = std::move(text);
    m.template_name = "application_received";
    m.step = "apply";
    m.created_at = clock_.now();
    m.next_attempt_at = clock_.now();
    std::int64_t id = 0;
    auto s = app_->store().write_sync([&](store::Tx& tx) -> Status {
      auto r = tx.enqueue(m);
      if (!r) return r.error();
      id = *r;
      return ok_status();
    });
    EXPECT_TRUE(s);
    return id;
  }
  // Sends what is due. The app's own dispatcher thread may hold a batch at this moment (it runs
  // once at start), so wait (bounded) until nothing due is pending or being sent.
  void dispatch() {
    for (int i = 0; i < 2000; ++i) {
      auto n = app_->dispatcher().run_once();
      EXPECT_TRUE(n) << (n ? "" : n.error().message);
      long long busy = 0;
      auto f = app_->store().outbox_figures();
      EXPECT_TRUE(f.ok());
      for (const auto& [status, count] : f->by_status)
        if (status == "sending") busy += count;
      if (busy == 0 && n && *n == 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ADD_FAILURE() << "the outbox did not settle";
  }
  store::OutboxDetail row(std::int64_t id) {
    auto d = app_->store().outbox_detail(id);
    EXPECT_TRUE(d && *d);
    return d && *d ? **d : store::OutboxDetail{};
  }

  test::HttpResponse call(const std::string& method, const std::string& path, const std::string& body = "",
                          test::HeaderList headers = {}) {
    bool keyed = false;
    for (const auto& h : headers) keyed = keyed || h.first == "Authorization";
    if (!keyed) headers.emplace_back("Authorization", std::string("Bearer ") + kSmsWebsiteKey);
    auto r = client_.request(method, base_ + path, headers, body);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : test::HttpResponse{};
  }
  test::HttpResponse admin_get(const std::string& path) {
    return call("GET", path, "", {{"Authorization", std::string("Bearer ") + kSmsAdminToken}});
  }

  ManualClock clock_{*core::parse_iso8601("2026-11-25T09:00:00Z")};
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  std::function<void(Config&)> configure_;
  std::unique_ptr<App> app_;
  std::string base_;
  test::HttpClient client_;
};

}  // namespace cg::gateway::testing
