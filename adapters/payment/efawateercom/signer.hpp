// The MFEP signature: RSA PKCS#1 v1.5 with SHA-256 over the MsgBody element serialised without
// formatting (xml::compact) and encoded UTF-16LE, carried Base64 in MsgFooter/Security/Signature.
// Keys are loaded once at start (a bad key file stops the process there); afterwards an MfepSigner is
// immutable and safe to use from any number of threads at once (each operation has its own contexts).
#pragma once

#include <openssl/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/result.hpp"

namespace cg::efawateercom {

// Paths of PEM files. The gateway as biller signs with the biller's private key and verifies with
// eFAWATEERcom's certificate; a tool playing eFAWATEERcom uses the other pair.
struct MfepKeyFiles {
  std::string signing_key;    // PEM private key ("PRIVATE KEY" PKCS#8 or "RSA PRIVATE KEY"), not encrypted
  std::string verifying_key;  // PEM "PUBLIC KEY" or X.509 "CERTIFICATE" of the other party
};

class MfepSigner {
 public:
  // Reads both files. Errors ("mfep_key") name the file and what is wrong with it. Keys must be RSA of
  // at least 2048 bits.
  static Result<MfepSigner> load(const MfepKeyFiles& files);
  // The same from PEM text already in memory.
  static Result<MfepSigner> from_pem(std::string_view signing_key_pem, std::string_view verifying_key_pem);

  // Base64 signature of `msgbody` (the compact MsgBody element, UTF-8). PKCS#1 v1.5 is deterministic, so
  // the same body and key always give the same signature. Fails only if `msgbody` is not valid UTF-8 or
  // OpenSSL fails.
  Result<std::string> sign(std::string_view msgbody) const;

  // True when `signature_base64` (surrounding and embedded ASCII whitespace ignored) is the other
  // party's signature of `msgbody`. Never throws.
  bool verify(std::string_view msgbody, std::string_view signature_base64) const;

 private:
  MfepSigner(std::shared_ptr<EVP_PKEY> signing, std::shared_ptr<EVP_PKEY> verifying)
      : signing_(std::move(signing)), verifying_(std::move(verifying)) {}

  std::shared_ptr<EVP_PKEY> signing_;
  std::shared_ptr<EVP_PKEY> verifying_;
};

}  // namespace cg::efawateercom
