#include "adapters/payment/efawateercom/expiry.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>

namespace cg::efawateercom {

std::optional<std::int64_t> certificate_not_after(std::string_view pem) {
  if (pem.find("-----BEGIN CERTIFICATE-----") == std::string_view::npos) return std::nullopt;
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return std::nullopt;
  std::unique_ptr<X509, decltype(&X509_free)> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr), X509_free);
  if (!cert) return std::nullopt;
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) return std::nullopt;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::optional<std::int64_t> certificate_file_not_after(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string pem((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return certificate_not_after(pem);
}

}  // namespace cg::efawateercom
