// Allowed-address lists (Kannel's smsbox, the USSD aggregator, eFAWATEERcom): addresses compare as
// addresses, not as text, so "10.1.2.3" in the config admits the peer a dual-stack listener reports
// as "::ffff:10.1.2.3", and "::1" matches "0:0:0:0:0:0:0:1".
#pragma once

#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cg::sms {

// 16 bytes, IPv4 as IPv4-mapped IPv6; nullopt for text that is not an address.
std::optional<std::array<unsigned char, 16>> address_bytes(std::string_view text);

// A configured list of peer addresses (smsbox's, the USSD aggregator's, eFAWATEERcom's), read into
// bytes once when the list is made rather than on every request it checks. Empty: no list given.
class AddressList {
 public:
  AddressList() = default;
  // The list as written in the configuration; an entry that is not an address matches no peer
  // (the configuration refuses such entries before they get here).
  AddressList(std::vector<std::string> texts);  // NOLINT(google-explicit-constructor): a list is its texts
  AddressList(std::initializer_list<std::string> texts) : AddressList(std::vector<std::string>(texts)) {}

  bool empty() const { return texts_.empty(); }
  const std::vector<std::string>& texts() const { return texts_; }
  // Whether the peer `remote` (as the listener reports it) is one of the list's addresses.
  bool contains(std::string_view remote) const;

 private:
  std::vector<std::string> texts_;
  std::vector<std::array<unsigned char, 16>> addresses_;
};

}  // namespace cg::sms
