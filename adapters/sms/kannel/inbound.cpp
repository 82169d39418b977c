#include "adapters/sms/kannel/inbound.hpp"

#include <algorithm>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/common/address.hpp"
#include "core/sms.hpp"
#include "core/text.hpp"

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
  if (!settings.allowed_addresses.empty() && !settings.allowed_addresses.contains(remote_address))
    return make_error("forbidden", "this address may not deliver Kannel messages");
  auto key = param(query, "key");
  if (!key || !crypto::constant_time_equal(*key, settings.key)) return make_error("forbidden", "missing or wrong key");
  return ok_status();
}

std::optional<std::string> utf16_to_utf8(std::string_view bytes, bool big_endian) {
  if (bytes.size() % 2 != 0) return std::nullopt;
  auto unit = [&](std::size_t i) -> char32_t {
    auto hi = static_cast<unsigned char>(bytes[big_endian ? i : i + 1]);
    auto lo = static_cast<unsigned char>(bytes[big_endian ? i + 1 : i]);
    return (char32_t{hi} << 8) | lo;
  };
  std::string out;
  out.reserve(bytes.size() * 3 / 2);
  for (std::size_t i = 0; i < bytes.size(); i += 2) {
    char32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 3 >= bytes.size()) return std::nullopt;
      char32_t lo = unit(i + 2);
      if (lo < 0xDC00 || lo > 0xDFFF) return std::nullopt;
      u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
      i += 2;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return std::nullopt;
    }
    core::text::append_utf8(out, u);
  }
  return out;
}

std::optional<std::string> utf16be_to_utf8(std::string_view bytes) { return utf16_to_utf8(bytes, true); }

std::string latin1_to_utf8(std::string_view bytes, bool windows_1252) {
  // Windows-1252's 0x80-0x9F (the five it leaves undefined stay the C1 controls, as browsers read them).
  static constexpr char16_t kWindows1252[32] = {0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                                0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
                                                0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                                0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    char32_t cp = c;
    if (windows_1252 && c >= 0x80 && c <= 0x9F) cp = kWindows1252[c - 0x80];
    core::text::append_utf8(out, cp);
  }
  return out;
}

Result<Inbound> parse_inbound(const Params& params) {
  Inbound in;
  auto id = single(params, "id", true, 128);
  if (!id) return id.error();
  if (id->empty()) return bad("id must not be empty");
  if (!core::text::is_printable(*id)) return bad("id holds a control character or is not valid UTF-8");
  in.message_id = *id;
  auto from = single(params, "from", true, 64);
  if (!from) return from.error();
  if (from->empty()) return bad("from must not be empty");
  if (!core::text::is_printable(*from)) return bad("from holds a control character or is not valid UTF-8");
  in.from = *from;
  auto to = single(params, "to", false, 64);
  if (!to) return to.error();
  if (!core::text::is_printable(*to)) return bad("to holds a control character or is not valid UTF-8");
  in.to = *to;
  auto text = single(params, "text", true, 4096);
  if (!text) return text.error();
  auto charset = single(params, "charset", false, 32);
  if (!charset) return charset.error();
  // %c: 0 GSM-7, 1 8-bit, 2 UCS-2. Without %C, a UCS-2 text (no mo-recode) is told by %c alone.
  auto coding = single(params, "coding", false, 2);
  if (!coding) return coding.error();
  if (!coding->empty() && *coding != "0" && *coding != "1" && *coding != "2")
    return bad("coding must be 0, 1 or 2 (Kannel's %c), not " + *coding);
  if (charset->empty() && *coding == "2") *charset = "UTF-16BE";
  if (iequals(*charset, "UTF-16BE") || iequals(*charset, "UCS-2") || iequals(*charset, "UCS-2BE")) {
    auto utf8 = utf16_to_utf8(*text, true);
    if (!utf8) return bad("text is not valid UTF-16BE (charset " + *charset + ")");
    in.text = std::move(*utf8);
  } else if (iequals(*charset, "UTF-16")) {
    // UTF-16 without an order is big-endian (RFC 2781 §4.3); a byte order mark says otherwise.
    std::string_view bytes = *text;
    bool big_endian = true;
    if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
        static_cast<unsigned char>(bytes[1]) == 0xFE) {
      big_endian = false;
      bytes.remove_prefix(2);
    } else if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFE &&
               static_cast<unsigned char>(bytes[1]) == 0xFF) {
      bytes.remove_prefix(2);
    }
    auto utf8 = utf16_to_utf8(bytes, big_endian);
    if (!utf8) return bad("text is not valid UTF-16 (charset " + *charset + ")");
    in.text = std::move(*utf8);
  } else if (iequals(*charset, "UTF-16LE")) {
    auto utf8 = utf16_to_utf8(*text, false);
    if (!utf8) return bad("text is not valid UTF-16LE (charset " + *charset + ")");
    in.text = std::move(*utf8);
  } else if (charset->empty() || iequals(*charset, "UTF-8") || iequals(*charset, "US-ASCII")) {
    in.text = std::move(*text);
  } else if (iequals(*charset, "ISO-8859-1") || iequals(*charset, "LATIN1")) {
    in.text = latin1_to_utf8(*text, false);
  } else if (iequals(*charset, "WINDOWS-1252") || iequals(*charset, "CP1252")) {
    in.text = latin1_to_utf8(*text, true);
  } else {
    return bad("charset " + *charset +
               " is not supported (UTF-8, UTF-16BE, UTF-16, UTF-16LE, ISO-8859-1, WINDOWS-1252)");
  }
  if (!core::is_valid_utf8(in.text)) return bad("text is not valid UTF-8 (set charset=%C in the get-url)");
  auto ts = single(params, "ts", false, 20);
  if (!ts) return ts.error();
  if (!std::all_of(ts->begin(), ts->end(), [](char c) { return c >= '0' && c <= '9'; }))
    return bad("ts must be seconds since the epoch");
  return in;
}

}  // namespace cg::sms::kannel
