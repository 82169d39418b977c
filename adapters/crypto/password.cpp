#include "adapters/crypto/password.hpp"

#include <sodium.h>

#include <cstdlib>

#include "adapters/crypto/crypto.hpp"

namespace cg::crypto {
namespace {

// sodium_init() is safe to call from several threads and more than once; it must come first.
void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) std::abort();  // no usable random source: nothing is safe to do
    return true;
  }();
  (void)ready;
}

}  // namespace

Result<std::string> hash_password(std::string_view password) {
  ensure_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    return make_error("password_error", "hashing the password ran out of memory");
  return std::string(out);
}

bool verify_password(std::string_view password, const std::string& hash) {
  ensure_sodium();
  // crypto_pwhash_str_verify reads a NUL-terminated string of at most crypto_pwhash_STRBYTES.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

std::string generate_password() {
  static constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < 20; ++i) out += kAlphabet[random_below(kAlphabet.size())];
  return out;
}

}  // namespace cg::crypto
