// The end date of a certificate file, for the expiry gauge and its alert.
#include "adapters/payment/efawateercom/expiry.hpp"

#include <gtest/gtest.h>

#include "tests/adapters/payment/efawateercom/test_support.hpp"

namespace cg::efawateercom {
namespace {

namespace mt = cg::efawateercom::test;

std::string certificate_until(EVP_PKEY* key, const char* not_after) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  ASN1_TIME_set_string_X509(X509_getm_notAfter(cert), not_after);
  X509_set_pubkey(cert, key);
  X509_sign(cert, key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  X509_free(cert);
  return mt::bio_text(bio);
}

TEST(CertificateExpiry, NotAfterInUnixSeconds) {
  auto key = mt::generate_rsa(2048);
  EXPECT_EQ(certificate_not_after(certificate_until(key.get(), "20300101000000Z")), 1893456000);  // 2030-01-01Z
  // A key with its certificate in one file (as some bundles come): the certificate's date.
  EXPECT_EQ(certificate_not_after(mt::private_pem(key.get()) + certificate_until(key.get(), "20271231235959Z")),
            1830297599);
}

TEST(CertificateExpiry, NoneForKeysAndUnreadableFiles) {
  auto key = mt::generate_rsa(2048);
  EXPECT_FALSE(certificate_not_after(mt::public_pem(key.get())));
  EXPECT_FALSE(certificate_not_after(mt::private_pem(key.get())));
  EXPECT_FALSE(certificate_not_after("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n"));
  EXPECT_FALSE(certificate_file_not_after("/nonexistent/cert.pem"));
}

}  // namespace
}  // namespace cg::efawateercom
