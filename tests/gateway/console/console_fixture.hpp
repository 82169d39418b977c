// The console's HTTP tests share this: the real gateway (tests/gateway/gateway_fixture.hpp) with
// operators added directly, signed in over HTTP, and requests made with their cookie and CSRF token.
#pragma once

#include "adapters/crypto/password.hpp"
#include "gateway/console/operators.hpp"
#include "tests/gateway/gateway_fixture.hpp"

namespace cg::gateway::testing {

inline constexpr const char* kPassword = "correct horse battery";

class ConsoleTest : public GatewayTest {
 protected:
  void customise(Config& c) const override {
    c.console.max_failures_per_account = 3;
    c.console.idle_timeout = std::chrono::seconds(600);
  }

  void add(const std::string& name, console::Role role) {
    auto hash = crypto::hash_password(kPassword);
    ASSERT_TRUE(hash.ok());
    auto added = console::add_operator(app_->store(), name, role, *hash, AuditBy{"cli", "local"}, clock_.now());
    ASSERT_TRUE(added.ok()) << added.error().message;
  }

  struct Session {
    std::string cookie;  // "cg_console=..."
    std::string csrf;
  };
  test::HttpResponse sign_in_raw(const std::string& name, const std::string& password) {
    json body{{"username", name}, {"password", password}};
    return client_.request("POST", base_ + "/console/api/session", {{"Content-Type", "application/json"}}, body.dump())
        .value();
  }
  Session sign_in(const std::string& name) {
    auto r = sign_in_raw(name, kPassword);
    EXPECT_EQ(r.status, 200) << r.body;
    auto set = r.header("Set-Cookie").value_or("");
    return Session{set.substr(0, set.find(';')), json::parse(r.body).value("csrf", "")};
  }
  test::HttpResponse as(const Session& s, const std::string& method, const std::string& path,
                        const std::string& body = "", bool with_csrf = true) {
    test::HeaderList h{{"Cookie", s.cookie}};
    if (!body.empty()) h.emplace_back("Content-Type", "application/json");
    if (with_csrf) h.emplace_back("X-CSRF-Token", s.csrf);
    return client_.request(method, base_ + path, h, body).value();
  }
  json audit_lines(const Session& admin_session) {
    auto r = as(admin_session, "GET", "/console/api/audit?limit=200");
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["entries"];
  }
};

}  // namespace cg::gateway::testing
