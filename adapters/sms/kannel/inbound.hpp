// Kannel inbound (MO) messages (docs/providers.md, wire formats): smsbox's sms-service calls our get-url (or post-url)
// with the escapes we put in it: from=%p&to=%P&text=%a&id=%I&ts=%T, plus charset=%C and coding=%c
// when configured, and our secret key. With `mo-recode = true` smsbox recodes UCS-2 text to UTF-8;
// without it, a UCS-2 text arrives as UTF-16BE bytes with charset=UTF-16BE (or, with only %c in the
// URL, coding=2), which we convert; charset wins over coding.
// Trust: the caller is authenticated by the key (constant-time compare) and by its address.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/sms/common/address.hpp"
#include "adapters/sms/common/params.hpp"
#include "core/result.hpp"

namespace cg::sms::kannel {

struct InboundSettings {
  std::string key;                // the `key` query parameter; empty: inbound is off
  AddressList allowed_addresses;  // smsbox's addresses; empty: any
};

struct Inbound {
  std::string message_id;  // Kannel's %I (a UUID)
  std::string from;        // %p, as the network gives it
  std::string to;          // %P
  std::string text;        // UTF-8
};

// "forbidden" when the key is missing or wrong or the address is not allowed; "not_configured" when
// no key is configured.
Status authenticate_inbound(const InboundSettings& settings, std::string_view remote_address, const Params& query);

// Reads the fields from `params` (query and form together). Errors name the field
// ("invalid_request"): id, from and text are required; id, from and to must be UTF-8, and text
// after conversion from its charset; coding, when present, is 0, 1 or 2; ts is a number.
Result<Inbound> parse_inbound(const Params& params);

// UTF-16 bytes to UTF-8; nullopt when malformed (odd length, lone surrogate).
std::optional<std::string> utf16_to_utf8(std::string_view bytes, bool big_endian);
std::optional<std::string> utf16be_to_utf8(std::string_view bytes);
// ISO-8859-1 (or, with windows_1252, Windows-1252) bytes to UTF-8.
std::string latin1_to_utf8(std::string_view bytes, bool windows_1252);

}  // namespace cg::sms::kannel
