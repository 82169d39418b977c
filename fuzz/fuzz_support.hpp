// What the fuzz targets share: a failed invariant aborts with its reason (libFuzzer then keeps the
// input as a crash), and the helpers the invariants are written with.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/store/store.hpp"
#include "core/sms.hpp"

namespace cg::fuzz {

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "fuzz invariant failed: %s\n", what);
  std::abort();
}

inline void check(bool condition, const char* what) {
  if (!condition) fail(what);
}

inline void check_utf8(std::string_view s, const char* what) { check(core::is_valid_utf8(s), what); }

inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits the input at the first NUL: a target that needs two inputs (a body and a header, say)
// takes them from one byte string that the corpus and the mutator both handle.
inline std::pair<std::string_view, std::string_view> split_at_nul(std::string_view in) {
  std::size_t nul = in.find('\0');
  if (nul == std::string_view::npos) return {in, {}};
  return {in.substr(0, nul), in.substr(nul + 1)};
}

// application/x-www-form-urlencoded, every byte but the unreserved ones escaped: what parse_form
// must read back as the same pairs.
inline std::string form_encode(const std::vector<std::pair<std::string, std::string>>& pairs) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  auto escape = [](std::string& out, std::string_view s) {
    for (unsigned char c : s) {
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
          c == '_' || c == '~') {
        out.push_back(static_cast<char>(c));
      } else {
        out.push_back('%');
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
    }
  };
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    escape(out, name);
    out.push_back('=');
    escape(out, value);
  }
  return out;
}

// What any accepted delivery report must be: one of the four statuses, tied to a message by our
// outbox id or the provider's, every text valid UTF-8 (it is stored and shown in the admin JSON).
inline void check_report(const store::DeliveryReport& r) {
  check(r.status == "queued" || r.status == "sent" || r.status == "delivered" || r.status == "failed",
        "a report's status is not one of queued, sent, delivered, failed");
  check(r.outbox_id > 0 || !r.provider_message_id.empty(), "a report names no message");
  check(r.outbox_id >= 0, "a negative outbox id");
  check_utf8(r.provider_message_id, "a report's message id is not UTF-8");
  check_utf8(r.error_code, "a report's error code is not UTF-8");
  check_utf8(r.detail, "a report's detail is not UTF-8");
}

// A file of the source tree (test vectors); the targets are run from anywhere.
inline std::string source_file(const std::string& relative) {
  std::ifstream in(std::string(CG_SOURCE_DIR) + "/" + relative, std::ios::binary);
  if (!in) fail("cannot open a file of the source tree (CG_SOURCE_DIR)");
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace cg::fuzz
