// Small OpenSSL-backed primitives shared by the adapters: digests, HMACs, Base64, constant-time
// comparison and unguessable identifiers. No state; safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cg::crypto {

std::string sha256(std::string_view data);                             // raw 32 bytes
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
std::string hmac_sha1(std::string_view key, std::string_view data);    // raw 20 bytes

std::string to_hex(std::string_view bytes);                 // lower-case
std::optional<std::string> from_hex(std::string_view hex);  // either case; nullopt if malformed

std::string base64_encode(std::string_view bytes);                // standard alphabet, padded
std::optional<std::string> base64_decode(std::string_view text);  // strict: nullopt if malformed
std::string base64url_encode(std::string_view bytes);             // URL-safe alphabet, no padding

// Compares in time that depends only on the lengths, never on where the first difference is.
bool constant_time_equal(std::string_view a, std::string_view b);

// `n` bytes from the operating system's CSPRNG (OpenSSL RAND_bytes); aborts if it cannot.
std::string random_bytes(std::size_t n);
// 128 random bits as 32 lower-case hex characters.
std::string random_id128_hex();
// Application ids: 12 hex characters that grow with time (milliseconds, strictly increasing within
// the process), then 128 random bits as 32 hex characters; 44 lower-case hex characters in all.
// Unguessable like random_id128_hex(), and new ids sort after older ones, so the database indexes
// keyed by application id grow at their end instead of touching a random page per insert.
std::string ordered_id128_hex();
// 128 random bits as 22 base64url characters: exam tokens and other ids that travel in URLs.
std::string random_token128();
// A uniformly random integer in [0, bound) from the CSPRNG (bound > 0).
std::uint64_t random_below(std::uint64_t bound);

}  // namespace cg::crypto
