// Shared by the eFAWATEERcom tests: the committed test vectors, keys generated in the test, settings.
#pragma once

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>

#include "adapters/payment/efawateercom/mfep.hpp"
#include "adapters/payment/efawateercom/signer.hpp"

namespace cg::efawateercom::test {

inline std::string vector_path(const std::string& name) {
  return std::string(CG_SOURCE_DIR) + "/tests/data/vectors/" + name;
}

inline std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << text;
}

inline nlohmann::json signature_vectors() {
  return nlohmann::json::parse(read_text(vector_path("efawateercom-signatures.json")));
}

struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

inline Key generate_rsa(unsigned bits) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1 &&
            EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, static_cast<int>(bits)) == 1 && EVP_PKEY_keygen(ctx, &key) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) throw std::runtime_error("RSA key generation failed");
  return Key(key);
}

inline std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string text(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return text;
}

inline std::string private_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  return bio_text(bio);
}

inline std::string public_pem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key);
  return bio_text(bio);
}

// A self-signed X.509 certificate for `key`, as a biller receives eFAWATEERcom's.
inline std::string certificate_pem(EVP_PKEY* key) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("mfep test"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  X509_free(cert);
  return bio_text(bio);
}

// The biller's key pair, generated once per test program (2048-bit generation takes a moment).
inline EVP_PKEY* biller_key() {
  static Key key = generate_rsa(2048);
  return key.get();
}

// eFAWATEERcom's side uses the committed test pair; the biller's side the generated one.
inline const MfepSigner& efawateercom_signer() {
  static MfepSigner signer =
      MfepSigner::from_pem(read_text(vector_path("mfep-test.key.pem")), public_pem(biller_key())).value();
  return signer;
}
inline const MfepSigner& biller_signer() {
  static MfepSigner signer =
      MfepSigner::from_pem(private_pem(biller_key()), read_text(vector_path("mfep-test.pub.pem"))).value();
  return signer;
}

inline MfepSettings settings() {
  MfepSettings s;
  s.biller_code = "250";
  s.efawateercom_code = "EFAWATEERCOM";
  s.service_types = {"CourseFees"};
  s.max_message_bytes = 64 * 1024;
  return s;
}

}  // namespace cg::efawateercom::test
