#include "adapters/crypto/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "adapters/observe/log.hpp"

namespace cg::crypto {
namespace {

// OpenSSL fails here only when the process is broken (out of memory, no provider, no entropy):
// there is no sensible value to return, and carrying on with a weak result would be worse.
[[noreturn]] void die(const char* what) {
  log::error("crypto", "OpenSSL failed; aborting", {{"call", what}});
  std::abort();
}

// OpenSSL wants a valid pointer even for zero bytes.
const unsigned char* bytes_of(std::string_view s) {
  static const unsigned char empty = 0;
  return s.empty() ? &empty : reinterpret_cast<const unsigned char*>(s.data());
}

std::string hmac(const char* digest, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t out_len = 0;
  // EVP_Q_mac takes size_t lengths, so keys and bodies of any size are fine.
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, bytes_of(key), key.size(), bytes_of(data), data.size(), out,
                sizeof out, &out_len) == nullptr)
    die("HMAC");
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The standard alphabet's value of c, or -1.
int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

std::string sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_len = 0;
  if (EVP_Digest(bytes_of(data), data.size(), out, &out_len, EVP_sha256(), nullptr) != 1) die("SHA-256");
  return std::string(reinterpret_cast<const char*>(out), out_len);
}

std::string hmac_sha256(std::string_view key, std::string_view data) { return hmac("SHA256", key, data); }

std::string hmac_sha1(std::string_view key, std::string_view data) { return hmac("SHA1", key, data); }

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0x0f]);
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = hex_value(hex[i]);
    int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  // EVP_EncodeBlock takes an int length: feed it whole 3-byte groups so chunks join without padding.
  constexpr std::size_t chunk = std::size_t{3} << 20;
  // Sized for the input, not the chunk: a 4 MiB buffer, zeroed, for every 20-byte Twilio signature
  // made each one cost page faults (fuzz/twilio_fuzz ran 5 inputs a second).
  std::string buffer((std::min(bytes.size(), chunk) + 2) / 3 * 4 + 1, '\0');
  for (std::size_t pos = 0; pos < bytes.size(); pos += chunk) {
    std::string_view part = bytes.substr(pos, chunk);
    int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(buffer.data()), bytes_of(part), static_cast<int>(part.size()));
    out.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  // EVP_DecodeBlock skips surrounding whitespace, ignores non-canonical trailing bits and leaves
  // padding as zero bytes, so the text is validated here first: exact length, alphabet, padding
  // only at the end, and unused bits zero (one byte string has exactly one accepted encoding).
  if (text.size() % 4 != 0) return std::nullopt;
  if (text.empty()) return std::string();
  std::size_t padding = 0;
  if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  std::size_t data_chars = text.size() - padding;
  for (std::size_t i = 0; i < data_chars; ++i)
    if (base64_value(text[i]) < 0) return std::nullopt;
  if (padding > 0) {
    int last = base64_value(text[data_chars - 1]);
    int unused_mask = padding == 2 ? 0x0f : 0x03;
    if ((last & unused_mask) != 0) return std::nullopt;
  }

  std::string out;
  out.reserve(text.size() / 4 * 3);
  constexpr std::size_t chunk = std::size_t{4} << 20;
  std::string buffer(chunk / 4 * 3, '\0');
  for (std::size_t pos = 0; pos < text.size(); pos += chunk) {
    std::string_view part = text.substr(pos, chunk);
    int n =
        EVP_DecodeBlock(reinterpret_cast<unsigned char*>(buffer.data()), bytes_of(part), static_cast<int>(part.size()));
    if (n < 0) return std::nullopt;
    out.append(buffer.data(), static_cast<std::size_t>(n));
  }
  out.resize(out.size() - padding);
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  std::string out = base64_encode(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  std::replace(out.begin(), out.end(), '+', '-');
  std::replace(out.begin(), out.end(), '/', '_');
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

void rand_bytes(unsigned char* out, std::size_t n) {
  for (std::size_t pos = 0; pos < n;) {
    std::size_t part = std::min<std::size_t>(n - pos, INT_MAX);
    if (RAND_bytes(out + pos, static_cast<int>(part)) != 1) die("RAND_bytes");
    pos += part;
  }
}

// Small requests (ids, tokens, jitter) are served from a per-thread block of CSPRNG output:
// OpenSSL's RAND_bytes checks for a fork with a getpid() system call on every call, and system
// calls are the dearest thing on the request path. A block is never served twice, and a forked
// child never serves its parent's bytes: the fork generation is part of the block's identity.
constexpr std::size_t kPoolSize = 512;
constexpr std::size_t kPooledMax = 64;
std::atomic<std::uint64_t> fork_generation{0};

struct Pool {
  std::array<unsigned char, kPoolSize> bytes{};
  std::size_t used = kPoolSize;
  std::uint64_t generation = 0;
  ~Pool() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

void take_pooled(unsigned char* out, std::size_t n) {
  static const int registered = pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); });
  (void)registered;
  thread_local Pool pool;
  const std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (pool.generation != generation || kPoolSize - pool.used < n) {
    rand_bytes(pool.bytes.data(), kPoolSize);
    pool.used = 0;
    pool.generation = generation;
  }
  std::memcpy(out, pool.bytes.data() + pool.used, n);
  OPENSSL_cleanse(pool.bytes.data() + pool.used, n);  // served bytes do not stay behind
  pool.used += n;
}

}  // namespace

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (n <= kPooledMax)
    take_pooled(p, n);
  else
    rand_bytes(p, n);
  return out;
}

std::string random_id128_hex() { return to_hex(random_bytes(16)); }

std::string ordered_id128_hex() {
  // 48 bits that only grow within the process: the wall clock in milliseconds, or one more than
  // the last value when the clock has not moved on (or went back).
  static std::atomic<std::uint64_t> last{0};
  const auto now_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
  std::uint64_t prev = last.load(std::memory_order_relaxed), next = 0;
  do {
    next = std::max(now_ms, prev + 1) & 0xFFFF'FFFF'FFFFull;
  } while (!last.compare_exchange_weak(prev, next, std::memory_order_relaxed));
  std::string time_bytes(6, '\0');  // big-endian, so the hex text sorts like the number
  for (int i = 5; i >= 0; --i, next >>= 8) time_bytes[static_cast<std::size_t>(i)] = static_cast<char>(next & 0xFF);
  return to_hex(time_bytes) + random_id128_hex();
}

std::string random_token128() { return base64url_encode(random_bytes(16)); }

std::uint64_t random_below(std::uint64_t bound) {
  if (bound == 0) die("random_below(0)");
  // Rejection sampling: values below `threshold` would make small results more likely.
  const std::uint64_t threshold = (std::numeric_limits<std::uint64_t>::max() - bound + 1) % bound;
  for (;;) {
    std::string raw = random_bytes(sizeof(std::uint64_t));
    std::uint64_t r = 0;
    for (unsigned char c : raw) r = (r << 8) | c;
    if (r >= threshold) return r % bound;
  }
}

}  // namespace cg::crypto
