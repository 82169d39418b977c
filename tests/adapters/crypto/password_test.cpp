// Operators' passwords: Argon2id through libsodium (adapters/crypto/password.hpp).
#include "adapters/crypto/password.hpp"

#include <gtest/gtest.h>

#include <set>

namespace cg::crypto {
namespace {

TEST(Password, AHashVerifiesOnlyItsOwnPassword) {
  auto hash = hash_password("correct horse battery");
  ASSERT_TRUE(hash.ok());
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_EQ(hash->find("correct horse"), std::string::npos);
  EXPECT_TRUE(verify_password("correct horse battery", *hash));
  EXPECT_FALSE(verify_password("correct horse batterY", *hash));
  EXPECT_FALSE(verify_password("", *hash));
}

TEST(Password, TheSamePasswordHashesDifferentlyEachTime) {
  auto a = hash_password("same password here");
  auto b = hash_password("same password here");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b) << "each hash has its own salt";
  EXPECT_TRUE(verify_password("same password here", *b));
}

TEST(Password, AMalformedHashVerifiesNothing) {
  EXPECT_FALSE(verify_password("x", ""));
  EXPECT_FALSE(verify_password("x", "$argon2id$garbage"));
  EXPECT_FALSE(verify_password("x", std::string(500, 'a')));
}

TEST(Password, GeneratedPasswordsAreLongAndUnlike) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    std::string p = generate_password();
    EXPECT_EQ(p.size(), 20u);
    EXPECT_EQ(p.find_first_of("0O1lI"), std::string::npos) << "no look-alikes: " << p;
    EXPECT_TRUE(seen.insert(p).second);
  }
}

}  // namespace
}  // namespace cg::crypto
