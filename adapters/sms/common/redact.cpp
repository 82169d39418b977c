#include "adapters/sms/common/redact.hpp"

#include <algorithm>

#include "adapters/crypto/crypto.hpp"

namespace cg::sms {
namespace {

std::string encode(std::string_view text, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string percent_encode(std::string_view text) { return encode(text, false); }
std::string form_encode(std::string_view text) { return encode(text, true); }

std::string form_body(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [n, v] : pairs) {
    if (!out.empty()) out += '&';
    out += form_encode(n);
    out += '=';
    out += form_encode(v);
  }
  return out;
}

void Redactor::add_secret(std::string_view secret) {
  if (secret.empty()) return;
  for (std::string s : {std::string(secret), percent_encode(secret), form_encode(secret)})
    if (std::find(needles_.begin(), needles_.end(), s) == needles_.end()) needles_.push_back(std::move(s));
  std::sort(needles_.begin(), needles_.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

void Redactor::add_basic_auth(std::string_view user, std::string_view secret) {
  add_secret(secret);
  if (secret.empty()) return;
  add_secret(crypto::base64_encode(std::string(user) + ":" + std::string(secret)));
}

std::string Redactor::operator()(std::string_view text) const {
  std::string out(text);
  for (const auto& needle : needles_) {
    std::size_t pos = 0;
    while ((pos = out.find(needle, pos)) != std::string::npos) {
      out.replace(pos, needle.size(), kRedacted);
      pos += kRedacted.size();
    }
  }
  return out;
}

}  // namespace cg::sms
