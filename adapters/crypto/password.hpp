// Operators' passwords (docs/console.md): hashed with libsodium's Argon2id (crypto_pwhash_str), whose
// string carries its own salt and cost, so a hash made with other costs still verifies.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace cg::crypto {

// The Argon2id hash of `password` at libsodium's interactive cost (about 64 MiB and a few tens of
// milliseconds): "password_error" only when the memory cannot be had.
Result<std::string> hash_password(std::string_view password);
// Whether `password` is the one `hash` was made from; false for a malformed hash.
bool verify_password(std::string_view password, const std::string& hash);
// A new random password for a person to type: 20 characters from an alphabet without look-alikes
// (about 110 bits).
std::string generate_password();

}  // namespace cg::crypto
