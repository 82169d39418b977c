#include "gateway/console/auth.hpp"

#include <algorithm>
#include <iterator>

#include "adapters/crypto/crypto.hpp"

namespace cg::gateway::console {

std::string_view to_string(Role r) {
  switch (r) {
    case Role::viewer:
      return "viewer";
    case Role::operator_:
      return "operator";
    case Role::admin:
      return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "viewer") return Role::viewer;
  if (text == "operator") return Role::operator_;
  if (text == "admin") return Role::admin;
  return std::nullopt;
}

bool valid_username(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

std::optional<std::string> password_problem(std::string_view password) {
  if (password.size() < 12) return "a password needs at least 12 characters";
  if (password.size() > 1024) return "a password may have at most 1024 characters";
  return std::nullopt;
}

std::string new_session_token() { return crypto::base64url_encode(crypto::random_bytes(32)); }

std::string token_hash(std::string_view token) { return crypto::to_hex(crypto::sha256(token)); }

std::string csrf_token(std::string_view session_token) {
  return crypto::to_hex(crypto::hmac_sha256(session_token, "course-gateway console csrf"));
}

bool csrf_ok(std::string_view session_token, std::optional<std::string_view> presented) {
  if (!presented || presented->empty()) return false;
  return crypto::constant_time_equal(*presented, csrf_token(session_token));
}

std::string session_cookie(std::string_view token, bool secure) {
  std::string c = std::string(kCookieName) + "=" + std::string(token) + "; Path=/console; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  return c;
}

std::string cleared_cookie(bool secure) {
  std::string c = std::string(kCookieName) + "=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0";
  if (secure) c += "; Secure";
  return c;
}

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
  // "a=1; b=2": pairs split on ';', optional spaces before each name.
  while (!header.empty()) {
    auto end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
  }
  return std::nullopt;
}

// ---- throttle ----

void SignInThrottle::prune(Failures& f, Instant now) const {
  while (!f.empty() && now - f.front() >= s_.window) f.pop_front();
}

std::optional<std::chrono::seconds> SignInThrottle::wait_for(Failures& f, int max, Instant now) const {
  prune(f, now);
  if (static_cast<int>(f.size()) < max) return std::nullopt;
  // Refused until enough failures leave the window that one more attempt stays under `max`.
  Instant frees = f[f.size() - static_cast<std::size_t>(max)] + s_.window;
  auto wait = std::chrono::duration_cast<std::chrono::seconds>(frees - now);
  return std::max(wait, std::chrono::seconds{1});
}

std::optional<std::chrono::seconds> SignInThrottle::refused(std::string_view account, std::string_view address,
                                                            Instant now) {
  std::lock_guard lock(mu_);
  std::optional<std::chrono::seconds> wait;
  if (auto it = accounts_.find(std::string(account)); it != accounts_.end())
    wait = wait_for(it->second, s_.max_per_account, now);
  if (auto it = addresses_.find(std::string(address)); it != addresses_.end())
    if (auto w = wait_for(it->second, s_.max_per_address, now); w && (!wait || *w > *wait)) wait = w;
  return wait;
}

void SignInThrottle::bound(std::unordered_map<std::string, Failures>& m, Instant now) {
  if (m.size() < s_.max_keys) return;
  for (auto it = m.begin(); it != m.end();) {
    prune(it->second, now);
    it = it->second.empty() ? m.erase(it) : std::next(it);
  }
  // Still full of recent failures (an attack from many addresses): forget the stalest keys.
  while (m.size() >= s_.max_keys) {
    auto oldest = std::min_element(m.begin(), m.end(),
                                   [](const auto& a, const auto& b) { return a.second.back() < b.second.back(); });
    m.erase(oldest);
  }
}

void SignInThrottle::failed(std::string_view account, std::string_view address, Instant now) {
  std::lock_guard lock(mu_);
  for (auto [map, key] : {std::pair{&accounts_, account}, std::pair{&addresses_, address}}) {
    auto it = map->find(std::string(key));
    if (it == map->end()) {
      bound(*map, now);
      it = map->emplace(std::string(key), Failures{}).first;
    }
    prune(it->second, now);
    it->second.push_back(now);
  }
}

void SignInThrottle::succeeded(std::string_view account, std::string_view address, Instant at) {
  std::lock_guard lock(mu_);
  accounts_.erase(std::string(account));
  if (auto it = addresses_.find(std::string(address)); it != addresses_.end()) {
    auto& f = it->second;
    if (auto one = std::find(f.rbegin(), f.rend(), at); one != f.rend()) f.erase(std::next(one).base());
    if (f.empty()) addresses_.erase(it);
  }
}

}  // namespace cg::gateway::console
