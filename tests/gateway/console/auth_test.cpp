// The console's sign-in rules on their own (gateway/console/auth.hpp), time passed in by hand.
#include "gateway/console/auth.hpp"

#include <gtest/gtest.h>

#include <set>

namespace cg::gateway::console {
namespace {

const core::Instant t0{std::chrono::seconds{1'790'000'000}};
using std::chrono::seconds;

TEST(ConsoleRoles, AreOrderedViewerOperatorAdmin) {
  EXPECT_TRUE(allows(Role::admin, Role::operator_));
  EXPECT_TRUE(allows(Role::admin, Role::viewer));
  EXPECT_TRUE(allows(Role::operator_, Role::viewer));
  EXPECT_FALSE(allows(Role::viewer, Role::operator_));
  EXPECT_FALSE(allows(Role::operator_, Role::admin));
  for (Role r : {Role::viewer, Role::operator_, Role::admin}) EXPECT_EQ(parse_role(to_string(r)), r);
  EXPECT_FALSE(parse_role("Admin"));
  EXPECT_FALSE(parse_role("root"));
}

TEST(ConsoleNames, UsernamesAndPasswordsAreChecked) {
  EXPECT_TRUE(valid_username("sara.ahmad-2"));
  EXPECT_FALSE(valid_username(""));
  EXPECT_FALSE(valid_username("Sara"));
  EXPECT_FALSE(valid_username("a b"));
  EXPECT_FALSE(valid_username(std::string(65, 'a')));
  EXPECT_TRUE(password_problem("short"));
  EXPECT_FALSE(password_problem("twelve chars"));
  EXPECT_TRUE(password_problem(std::string(1025, 'x')));
}

TEST(ConsoleSession, TokensAreRandomAndOnlyTheirHashIsKept) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string token = new_session_token();
    EXPECT_EQ(token.size(), 43u);  // 256 bits in base64url
    EXPECT_TRUE(seen.insert(token).second);
    std::string hash = token_hash(token);
    EXPECT_EQ(hash.size(), 64u);
    EXPECT_EQ(hash.find(token), std::string::npos);
    EXPECT_EQ(hash, token_hash(token));
  }
}

TEST(ConsoleCsrf, TheTokenIsBoundToItsSession) {
  std::string a = new_session_token();
  std::string b = new_session_token();
  EXPECT_TRUE(csrf_ok(a, csrf_token(a)));
  EXPECT_FALSE(csrf_ok(a, csrf_token(b))) << "another session's token";
  EXPECT_FALSE(csrf_ok(a, std::nullopt));
  EXPECT_FALSE(csrf_ok(a, ""));
  EXPECT_FALSE(csrf_ok(a, a)) << "the session token itself is not the CSRF token";
  std::string almost = csrf_token(a);
  almost.back() = almost.back() == '0' ? '1' : '0';
  EXPECT_FALSE(csrf_ok(a, almost));
  EXPECT_NE(csrf_token(a), token_hash(a)) << "the CSRF token must not be the stored hash";
}

TEST(ConsoleCookie, IsHttpOnlyStrictAndSecureOverHttps) {
  std::string plain = session_cookie("tok", false);
  EXPECT_EQ(plain, "cg_console=tok; Path=/console; HttpOnly; SameSite=Strict");
  EXPECT_EQ(session_cookie("tok", true), plain + "; Secure");
  EXPECT_NE(cleared_cookie(false).find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(cookie_value("a=1; cg_console=xyz; b=2", "cg_console"), "xyz");
  EXPECT_EQ(cookie_value("cg_console=xyz", "cg_console"), "xyz");
  EXPECT_EQ(cookie_value("xcg_console=1;cg_console=2", "cg_console"), "2");
  EXPECT_FALSE(cookie_value("a=1; b", "cg_console"));
  EXPECT_FALSE(cookie_value("", "cg_console"));
}

TEST(ConsoleSession, ExpiresAfterTheIdleTimeout) {
  EXPECT_FALSE(idle_expired(t0, t0 + seconds(1799), seconds(1800)));
  EXPECT_TRUE(idle_expired(t0, t0 + seconds(1800), seconds(1800)));
  EXPECT_TRUE(idle_expired(t0, t0 + seconds(90000), seconds(1800)));
}

SignInThrottle::Settings settings() { return {.max_per_account = 3, .max_per_address = 5, .window = seconds(600)}; }

TEST(SignInThrottle, RefusesAnAccountAfterItsFailuresUntilTheyLeaveTheWindow) {
  SignInThrottle t(settings());
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(t.refused("alice", "192.0.2.1", t0 + seconds(i)));
    t.failed("alice", "192.0.2.1", t0 + seconds(i));
  }
  auto wait = t.refused("alice", "192.0.2.1", t0 + seconds(10));
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, seconds(590));  // the first failure leaves the window at t0 + 600
  EXPECT_TRUE(t.refused("alice", "198.51.100.9", t0 + seconds(10))) << "per account, from any address";
  EXPECT_FALSE(t.refused("bob", "192.0.2.1", t0 + seconds(10))) << "another account from that address";
  EXPECT_FALSE(t.refused("alice", "192.0.2.1", t0 + seconds(600)));
}

TEST(SignInThrottle, RefusesAnAddressGuessingAtManyAccounts) {
  SignInThrottle t(settings());
  for (int i = 0; i < 5; ++i) t.failed("user" + std::to_string(i), "192.0.2.1", t0);
  EXPECT_TRUE(t.refused("someone-new", "192.0.2.1", t0 + seconds(1)));
  EXPECT_FALSE(t.refused("someone-new", "192.0.2.2", t0 + seconds(1)));
}

TEST(SignInThrottle, SuccessClearsTheAccountAndTakesBackItsOwnAttempt) {
  SignInThrottle t(settings());
  t.failed("alice", "192.0.2.1", t0);
  t.failed("alice", "192.0.2.1", t0 + seconds(1));
  t.failed("alice", "192.0.2.1", t0 + seconds(2));  // the attempt that turns out right
  t.succeeded("alice", "192.0.2.1", t0 + seconds(2));
  EXPECT_FALSE(t.refused("alice", "192.0.2.1", t0 + seconds(3)));
  // The address keeps its two real failures: three more reach its limit of five.
  for (int i = 0; i < 3; ++i) t.failed("u" + std::to_string(i), "192.0.2.1", t0 + seconds(4));
  EXPECT_TRUE(t.refused("v", "192.0.2.1", t0 + seconds(5)));
}

TEST(SignInThrottle, ForgetsTheStalestKeysWhenFull) {
  auto s = settings();
  s.max_keys = 4;
  SignInThrottle t(s);
  for (int i = 0; i < 3; ++i) t.failed("alice", "10.0.0." + std::to_string(i), t0 + seconds(i));
  EXPECT_TRUE(t.refused("alice", "10.0.0.9", t0 + seconds(5)));
  for (int i = 0; i < 10; ++i) t.failed("u" + std::to_string(i), "10.0.1." + std::to_string(i), t0 + seconds(10 + i));
  // "alice" was the stalest account key and is forgotten; the map stays bounded.
  EXPECT_FALSE(t.refused("alice", "10.0.0.9", t0 + seconds(30)));
}

}  // namespace
}  // namespace cg::gateway::console
