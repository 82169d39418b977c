// Secrets (passwords, tokens, API keys) must never reach a log. Everything an adapter records about
// a request passes through a Redactor that knows the secrets of that provider.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cg::sms {

inline constexpr std::string_view kRedacted = "****";

class Redactor {
 public:
  Redactor() = default;
  // Each secret is also hidden in its percent-encoded and form-encoded spellings and, for a pair
  // (user, secret), in Base64 of "user:secret" (HTTP basic auth). Empty secrets are ignored.
  void add_secret(std::string_view secret);
  void add_basic_auth(std::string_view user, std::string_view secret);

  std::string operator()(std::string_view text) const;

 private:
  std::vector<std::string> needles_;  // longest first, so a secret inside another is not half-hidden
};

// Percent-encoding of everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string percent_encode(std::string_view text);
// application/x-www-form-urlencoded: as percent_encode, but a space becomes '+'.
std::string form_encode(std::string_view text);
// "a=1&b=2" from pairs, each name and value form-encoded.
std::string form_body(const std::vector<std::pair<std::string, std::string>>& pairs);

}  // namespace cg::sms
