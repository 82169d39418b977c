#include "adapters/sms/common/address.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <utility>

namespace cg::sms {

std::optional<std::array<unsigned char, 16>> address_bytes(std::string_view text) {
  if (text.size() > 64) return std::nullopt;
  const std::string s(text);  // inet_pton wants a terminated string
  std::array<unsigned char, 16> out{};
  unsigned char v4[4];
  if (inet_pton(AF_INET, s.c_str(), v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, v4, 4);
    return out;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) return out;
  return std::nullopt;
}

AddressList::AddressList(std::vector<std::string> texts) : texts_(std::move(texts)) {
  for (const auto& t : texts_)
    if (auto b = address_bytes(t)) addresses_.push_back(*b);
}

bool AddressList::contains(std::string_view remote) const {
  auto peer = address_bytes(remote);
  if (!peer) return false;
  for (const auto& a : addresses_)
    if (a == *peer) return true;
  return false;
}

}  // namespace cg::sms
