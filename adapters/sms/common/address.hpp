// Allowed-address lists (Kannel's smsbox, the USSD aggregator, eFAWATEERcom): addresses compare as
// addresses, not as text, so "10.1.2.3" in the config admits the peer a dual-stack listener reports
// as "::ffff:10.1.2.3", and "::1" matches "0:0:0:0:0:0:0:1".
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cg::sms {

// 16 bytes, IPv4 as IPv4-mapped IPv6; nullopt for text that is not an address.
std::optional<std::array<unsigned char, 16>> address_bytes(std::string_view text);

// Whether `remote` is one of `allowed`. Entries that are not addresses match nothing.
bool address_allowed(const std::vector<std::string>& allowed, std::string_view remote);

}  // namespace cg::sms
