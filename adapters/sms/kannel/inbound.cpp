#include "adapters/sms/kannel/inbound.hpp"

#include <algorithm>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/common/address.hpp"
#include "core/sms.hpp"

namespace cg::sms::kannel {
namespace {

Error bad(std::string message) { return make_error("invalid_request", std::move(message)); }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// A field that must be there once: a repeated one would let two parsers disagree.
Result<std::string> single(const Params& params, std::string_view name, bool required, std::size_t max) {
  std::optional<std::string> found;
  for (const auto& [n, v] : params) {
    if (n != name) continue;
    if (found && *found != v) return bad(std::string(name) + " is given twice with different values");
    found = v;
  }
  if (!found) {
    if (required) return bad(std::string(name) + " is required");
    return std::string();
  }
  if (found->size() > max) return bad(std::string(name) + " is too long");
  return *found;
}

}  // namespace

Status authenticate_inbound(const InboundSettings& settings, std::string_view remote_address, const Params& query) {
  if (settings.key.empty())
    return make_error("not_configured", "Kannel inbound is not configured (inbound.kannel.key)");
  if (!settings.allowed_addresses.empty() && !sms::address_allowed(settings.allowed_addresses, remote_address))
    return make_error("forbidden", "this address may not deliver Kannel messages");
  auto key = param(query, "key");
  if (!key || !crypto::constant_time_equal(*key, settings.key)) return make_error("forbidden", "missing or wrong key");
  return ok_status();
}

std::optional<std::string> utf16be_to_utf8(std::string_view bytes) {
  if (bytes.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    char32_t u = (static_cast<unsigned char>(bytes[i]) << 8) | static_cast<unsigned char>(bytes[i + 1]);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 >= bytes.size()) return std::nullopt;
      char32_t lo = (static_cast<unsigned char>(bytes[i + 2]) << 8) | static_cast<unsigned char>(bytes[i + 3]);
      if (lo < 0xDC00 || lo > 0xDFFF) return std::nullopt;
      u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return std::nullopt;
    }
    if (u < 0x80) {
      out.push_back(static_cast<char>(u));
    } else if (u < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (u >> 6)));
      out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
    } else if (u < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (u >> 12)));
      out.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (u >> 18)));
      out.push_back(static_cast<char>(0x80 | ((u >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (u & 0x3F)));
    }
  }
  return out;
}

Result<Inbound> parse_inbound(const Params& params) {
  Inbound in;
  auto id = single(params, "id", true, 128);
  if (!id) return id.error();
  if (id->empty()) return bad("id must not be empty");
  in.message_id = *id;
  auto from = single(params, "from", true, 64);
  if (!from) return from.error();
  if (from->empty()) return bad("from must not be empty");
  in.from = *from;
  auto to = single(params, "to", false, 64);
  if (!to) return to.error();
  in.to = *to;
  auto text = single(params, "text", true, 4096);
  if (!text) return text.error();
  auto charset = single(params, "charset", false, 32);
  if (!charset) return charset.error();
  if (iequals(*charset, "UTF-16BE") || iequals(*charset, "UCS-2") || iequals(*charset, "UTF-16")) {
    auto utf8 = utf16be_to_utf8(*text);
    if (!utf8) return bad("text is not valid UTF-16BE (charset " + *charset + ")");
    in.text = std::move(*utf8);
  } else if (charset->empty() || iequals(*charset, "UTF-8") || iequals(*charset, "US-ASCII")) {
    in.text = std::move(*text);
  } else if (iequals(*charset, "ISO-8859-1") || iequals(*charset, "WINDOWS-1252")) {
    // Latin-1 bytes are the first 256 code points.
    for (unsigned char c : *text) {
      if (c < 0x80) {
        in.text.push_back(static_cast<char>(c));
      } else {
        in.text.push_back(static_cast<char>(0xC0 | (c >> 6)));
        in.text.push_back(static_cast<char>(0x80 | (c & 0x3F)));
      }
    }
  } else {
    return bad("charset " + *charset + " is not supported (UTF-8, UTF-16BE, ISO-8859-1)");
  }
  if (!core::is_valid_utf8(in.text)) return bad("text is not valid UTF-8 (set charset=%C in the get-url)");
  auto ts = single(params, "ts", false, 20);
  if (!ts) return ts.error();
  if (!std::all_of(ts->begin(), ts->end(), [](char c) { return c >= '0' && c <= '9'; }))
    return bad("ts must be seconds since the epoch");
  return in;
}

}  // namespace cg::sms::kannel
