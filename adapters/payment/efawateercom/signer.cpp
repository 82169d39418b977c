#include "adapters/payment/efawateercom/signer.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <fstream>
#include <iterator>

#include "adapters/crypto/crypto.hpp"
#include "adapters/payment/efawateercom/xml.hpp"

namespace cg::efawateercom {
namespace {

constexpr int kMinRsaBits = 2048;
constexpr std::size_t kMaxPemBytes = 1 << 20;

struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};

std::shared_ptr<EVP_PKEY> own(EVP_PKEY* key) { return {key, EVP_PKEY_free}; }

// The OpenSSL error queue is per thread; drain it so one failure never shows up in another report.
std::string openssl_error() {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

// Without a callback OpenSSL would prompt on the terminal for an encrypted key's passphrase.
int no_passphrase(char*, int, int, void*) { return -1; }

std::unique_ptr<BIO, BioFree> memory_bio(std::string_view pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

Error key_error(std::string_view what, std::string_view why) {
  return make_error("mfep_key", std::string(what) + ": " + std::string(why));
}

Status check_rsa(EVP_PKEY* key, std::string_view what) {
  if (EVP_PKEY_is_a(key, "RSA") != 1) return key_error(what, "not an RSA key");
  if (EVP_PKEY_get_bits(key) < kMinRsaBits)
    return key_error(what, "RSA key of " + std::to_string(EVP_PKEY_get_bits(key)) + " bits, at least 2048 required");
  return ok_status();
}

Result<std::shared_ptr<EVP_PKEY>> read_private(std::string_view pem, std::string_view what) {
  if (pem.size() > kMaxPemBytes) return key_error(what, "file too large for a PEM key");
  auto bio = memory_bio(pem);
  if (!bio) return key_error(what, openssl_error());
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
  if (key == nullptr) return key_error(what, "no unencrypted PEM private key (" + openssl_error() + ")");
  auto owned = own(key);
  if (Status s = check_rsa(key, what); !s) return s.error();
  return owned;
}

Result<std::shared_ptr<EVP_PKEY>> read_public(std::string_view pem, std::string_view what) {
  if (pem.size() > kMaxPemBytes) return key_error(what, "file too large for a PEM key");
  auto bio = memory_bio(pem);
  if (!bio) return key_error(what, openssl_error());
  EVP_PKEY* key = nullptr;
  if (pem.find("-----BEGIN CERTIFICATE-----") != std::string_view::npos) {
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
    if (!cert) return key_error(what, "unreadable PEM certificate (" + openssl_error() + ")");
    key = X509_get_pubkey(cert.get());  // a new reference, freed by own()
    if (key == nullptr) return key_error(what, "certificate without a usable public key (" + openssl_error() + ")");
  } else {
    key = PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr);
    if (key == nullptr)
      return key_error(what, "neither a PEM \"PUBLIC KEY\" nor a \"CERTIFICATE\" (" + openssl_error() + ")");
  }
  auto owned = own(key);
  if (Status s = check_rsa(key, what); !s) return s.error();
  return owned;
}

Result<std::string> read_file(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return key_error(what, "cannot open " + path);
  std::string text;
  char buf[4096];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxPemBytes) return key_error(what, path + " is too large for a PEM key");
  }
  if (in.bad()) return key_error(what, "cannot read " + path);
  return text;
}

std::unique_ptr<EVP_MD_CTX, MdCtxFree> digest_context() {
  return std::unique_ptr<EVP_MD_CTX, MdCtxFree>(EVP_MD_CTX_new());
}

const unsigned char* bytes_of(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

Result<MfepSigner> MfepSigner::from_pem(std::string_view signing_key_pem, std::string_view verifying_key_pem) {
  auto signing = read_private(signing_key_pem, "signing key");
  if (!signing) return signing.error();
  auto verifying = read_public(verifying_key_pem, "verifying key");
  if (!verifying) return verifying.error();
  return MfepSigner(std::move(signing).value(), std::move(verifying).value());
}

Result<MfepSigner> MfepSigner::load(const MfepKeyFiles& files) {
  std::string signing_what = "signing key " + files.signing_key;
  std::string verifying_what = "verifying key " + files.verifying_key;
  auto signing_pem = read_file(files.signing_key, signing_what);
  if (!signing_pem) return signing_pem.error();
  auto verifying_pem = read_file(files.verifying_key, verifying_what);
  if (!verifying_pem) return verifying_pem.error();
  auto signing = read_private(*signing_pem, signing_what);
  if (!signing) return signing.error();
  auto verifying = read_public(*verifying_pem, verifying_what);
  if (!verifying) return verifying.error();
  return MfepSigner(std::move(signing).value(), std::move(verifying).value());
}

Result<std::string> MfepSigner::sign(std::string_view msgbody) const {
  auto data = xml::utf16le(msgbody);
  if (!data) return make_error("mfep_sign", "MsgBody is not valid UTF-8");
  auto ctx = digest_context();
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), &pctx, EVP_sha256(), nullptr, signing_.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) <= 0 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, bytes_of(*data), data->size()) != 1)
    return make_error("mfep_sign", openssl_error());
  std::string signature(size, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size, bytes_of(*data),
                     data->size()) != 1)
    return make_error("mfep_sign", openssl_error());
  signature.resize(size);
  return crypto::base64_encode(signature);
}

bool MfepSigner::verify(std::string_view msgbody, std::string_view signature_base64) const {
  std::string compact_base64;
  compact_base64.reserve(signature_base64.size());
  for (char c : signature_base64)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact_base64 += c;
  auto signature = crypto::base64_decode(compact_base64);
  if (!signature || signature->size() != static_cast<std::size_t>(EVP_PKEY_get_size(verifying_.get()))) return false;
  auto data = xml::utf16le(msgbody);
  if (!data) return false;
  auto ctx = digest_context();
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  bool good = ctx && EVP_DigestVerifyInit(ctx.get(), &pctx, EVP_sha256(), nullptr, verifying_.get()) == 1 &&
              EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) > 0 &&
              EVP_DigestVerify(ctx.get(), bytes_of(*signature), signature->size(), bytes_of(*data), data->size()) == 1;
  ERR_clear_error();
  return good;
}

}  // namespace cg::efawateercom
