// The console's sign-in rules as plain values and functions, with the clock passed in: roles, the
// session cookie, the CSRF token bound to a session, idle expiry and the sign-in throttle. The
// routes (console_routes.cpp) apply them; tests/gateway/console/auth_test.cpp checks them alone.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/domain.hpp"

namespace cg::gateway::console {

using core::Instant;

// viewer reads; operator also acts on courses and applications; admin also manages operators.
enum class Role { viewer = 0, operator_ = 1, admin = 2 };
std::string_view to_string(Role r);
std::optional<Role> parse_role(std::string_view text);
// Roles are ordered: each may do what the ones below it may.
constexpr bool allows(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

// Usernames: 1 to 64 of a-z, 0-9, '.', '_', '-' (what a person types, and safe in logs and URLs).
bool valid_username(std::string_view name);
// Passwords: at least 12 bytes, at most 1024 (Argon2id hashes any length; this bounds the work).
std::optional<std::string> password_problem(std::string_view password);

inline constexpr std::string_view kCookieName = "cg_console";

// A new session token (256 random bits, base64url) and the hash the store keeps of it.
std::string new_session_token();
std::string token_hash(std::string_view token);
// The CSRF token of a session: derived from its secret token (HMAC-SHA256), so it is bound to
// that session, needs no storage, and reveals nothing about the cookie.
std::string csrf_token(std::string_view session_token);
bool csrf_ok(std::string_view session_token, std::optional<std::string_view> presented);

// Set-Cookie values: the session (HttpOnly, SameSite=Strict, Path=/console, Secure over https)
// and its removal.
std::string session_cookie(std::string_view token, bool secure);
std::string cleared_cookie(bool secure);
// The value of cookie `name` in a Cookie header, if present.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

// A session unused for `idle` or longer is over.
constexpr bool idle_expired(Instant last_seen, Instant now, std::chrono::seconds idle) {
  return now - last_seen >= idle;
}

// Failed sign-ins, counted per account and per client address within a sliding window. While an
// account or address has `max` failures in the window, attempts are refused without checking the
// password (so guessing costs no hashing either). Kept in memory per process: a restart forgets
// it, and two gateways count separately (docs/console.md). Thread-safe.
class SignInThrottle {
 public:
  struct Settings {
    int max_per_account = 5;
    int max_per_address = 20;
    std::chrono::seconds window{900};
    std::size_t max_keys = 100'000;  // beyond it the oldest keys are forgotten first
  };
  explicit SignInThrottle(Settings s) : s_(s) {}

  // How long until an attempt for this account from this address may be tried; nullopt: now.
  std::optional<std::chrono::seconds> refused(std::string_view account, std::string_view address, Instant now);
  void failed(std::string_view account, std::string_view address, Instant now);
  // A right password clears the account's failures, and takes back the address's failure recorded
  // at `at` for this attempt (callers record an attempt as failed before judging it); the
  // address's other failures stay, as one address may be guessing at several accounts.
  void succeeded(std::string_view account, std::string_view address, Instant at);

 private:
  using Failures = std::deque<Instant>;
  void prune(Failures& f, Instant now) const;
  std::optional<std::chrono::seconds> wait_for(Failures& f, int max, Instant now) const;
  void bound(std::unordered_map<std::string, Failures>& m, Instant now);

  Settings s_;
  std::mutex mu_;
  std::unordered_map<std::string, Failures> accounts_;
  std::unordered_map<std::string, Failures> addresses_;
};

}  // namespace cg::gateway::console
