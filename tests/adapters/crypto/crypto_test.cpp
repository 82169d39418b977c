#include "adapters/crypto/crypto.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace cg::crypto {
namespace {

std::string unhex(std::string_view hex) {
  auto bytes = from_hex(hex);
  if (!bytes) throw std::invalid_argument("bad hex in test: " + std::string(hex));
  return *bytes;
}

nlohmann::json read_vector(const std::string& name) {
  std::ifstream in(std::string(CG_SOURCE_DIR) + "/tests/data/vectors/" + name);
  if (!in) throw std::runtime_error("cannot open test vector " + name);
  return nlohmann::json::parse(in);
}

struct MacCase {
  const char* name;
  std::string key;
  std::string data;
  std::string expected_hex;  // may be a truncated prefix (RFC 4231 case 5, RFC 2202 case 5)
};

// RFC 4231 section 4: HMAC-SHA256 test cases 1-7.
std::vector<MacCase> rfc4231() {
  return {
      {"case1", std::string(20, '\x0b'), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"case2", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"case3", std::string(20, '\xaa'), std::string(50, '\xdd'),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"case4", unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"case5_truncated", std::string(20, '\x0c'), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
      {"case6", std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"case7", std::string(131, '\xaa'),
       "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be "
       "hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
}

// RFC 2202 section 3: HMAC-SHA1 test cases 1-7.
std::vector<MacCase> rfc2202() {
  return {
      {"case1", std::string(20, '\x0b'), "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"},
      {"case2", "Jefe", "what do ya want for nothing?", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
      {"case3", std::string(20, '\xaa'), std::string(50, '\xdd'), "125d7342b9ac11cd91a39af48aa17b4f63f175d3"},
      {"case4", unhex("0102030405060708090a0b0c0d0e0f10111213141516171819"), std::string(50, '\xcd'),
       "4c9007f4026250c6bc8414f9bf50c86c2d7235da"},
      {"case5", std::string(20, '\x0c'), "Test With Truncation", "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"},
      {"case6", std::string(80, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First",
       "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
      {"case7", std::string(80, '\xaa'), "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
       "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"},
  };
}

TEST(HmacSha256, Rfc4231Vectors) {
  for (const auto& c : rfc4231()) {
    std::string mac = hmac_sha256(c.key, c.data);
    EXPECT_EQ(mac.size(), 32u) << c.name;
    EXPECT_EQ(to_hex(mac).substr(0, c.expected_hex.size()), c.expected_hex) << c.name;
  }
}

TEST(HmacSha256, EmptyKeyAndData) {
  EXPECT_EQ(to_hex(hmac_sha256("", "")), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha1, Rfc2202Vectors) {
  for (const auto& c : rfc2202()) {
    std::string mac = hmac_sha1(c.key, c.data);
    EXPECT_EQ(mac.size(), 20u) << c.name;
    EXPECT_EQ(to_hex(mac), c.expected_hex) << c.name;
  }
}

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Vectors, ExamWebhookSignature) {
  auto v = read_vector("exam-hmac.json");
  std::string header = "sha256=" + to_hex(hmac_sha256(v["secret"].get<std::string>(), v["body"].get<std::string>()));
  EXPECT_EQ(header, v["header"].get<std::string>());
}

TEST(Vectors, TwilioRequestSignature) {
  auto v = read_vector("twilio-signature.json");
  // Twilio signs the URL followed by every POST parameter, sorted by name, as name+value.
  std::map<std::string, std::string> params = v["params"].get<std::map<std::string, std::string>>();
  std::string signed_text = v["url"].get<std::string>();
  for (const auto& [name, value] : params) signed_text += name + value;
  const std::string token = v["auth_token"].get<std::string>();
  EXPECT_EQ(base64_encode(hmac_sha1(token, signed_text)), v["signature"].get<std::string>());

  params["Body"] = "courses";
  std::string tampered = v["url"].get<std::string>();
  for (const auto& [name, value] : params) tampered += name + value;
  EXPECT_NE(base64_encode(hmac_sha1(token, tampered)), v["signature"].get<std::string>());
}

TEST(Hex, EncodesLowerCaseAndDecodesEitherCase) {
  EXPECT_EQ(to_hex(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(to_hex(""), "");
  EXPECT_EQ(from_hex("0001abff"), std::string("\x00\x01\xab\xff", 4));
  EXPECT_EQ(from_hex("0001ABFF"), std::string("\x00\x01\xab\xff", 4));
  EXPECT_EQ(from_hex(""), std::string());
}

TEST(Hex, RefusesMalformed) {
  for (std::string_view bad : {"0", "abc", "0g", "g0", "0x00", " 00", "00 ", "zz", "+1"})
    EXPECT_FALSE(from_hex(bad).has_value()) << bad;
}

TEST(Base64, Rfc4648Vectors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(base64_encode(plain), encoded) << plain;
    EXPECT_EQ(base64_decode(encoded), plain) << encoded;
  }
}

TEST(Base64, UrlSafeAlphabetWithoutPadding) {
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode(""), "");
}

TEST(Base64, RoundTripsEveryLengthAndEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (std::size_t n = 0; n <= all.size(); ++n) {
    std::string part = all.substr(all.size() - n);
    std::string encoded = base64_encode(part);
    EXPECT_EQ(encoded.size(), (n + 2) / 3 * 4);
    EXPECT_EQ(base64_decode(encoded), part) << n;
  }
  std::string r = random_bytes(97);
  EXPECT_EQ(base64_decode(base64_encode(r)), r);
}

TEST(Base64, RoundTripsAcrossInternalChunks) {
  // Larger than the 3 MiB / 4 MiB pieces handed to OpenSSL's int-sized calls.
  std::string big = random_bytes(5 * 1024 * 1024 + 1);
  std::string encoded = base64_encode(big);
  EXPECT_EQ(encoded.size(), (big.size() + 2) / 3 * 4);
  EXPECT_EQ(encoded.find('\n'), std::string::npos);
  auto decoded = base64_decode(encoded);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_TRUE(*decoded == big);
}

TEST(Base64, RefusesMalformed) {
  const std::vector<std::string> bad = {
      "Zg",                     // wrong length
      "Zg=",                    // wrong length
      "Zm9vY",                  // wrong length
      "Z===",                   // too much padding
      "====",                   // padding only
      "Zg==Zg==",               // padding in the middle
      "Zm=v",                   // padding inside a group
      "=Zm9",                   // padding first
      "Zm9v====",               // a whole group of padding
      "Zh==",                   // non-canonical: unused bits set
      "Zm9=",                   // non-canonical: unused bits set
      "Zm9-",                   // URL-safe character in the standard alphabet
      "Zm9_",                   // URL-safe character in the standard alphabet
      "Zm9v\n",                 // newline
      " Zm9v",                  // leading space
      "Zm9v ",                  // trailing space
      "Zm 9v",                  // inner space
      "Zm9\xc3\xa9",            // non-ASCII
      std::string("Zm9\0", 4),  // NUL
  };
  for (const auto& text : bad) EXPECT_FALSE(base64_decode(text).has_value()) << text;
}

TEST(ConstantTimeEqual, ComparesWholeStrings) {
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_TRUE(constant_time_equal("abcdef", "abcdef"));
  EXPECT_FALSE(constant_time_equal("abcdef", "xbcdef"));
  EXPECT_FALSE(constant_time_equal("abcdef", "abcdex"));
  EXPECT_FALSE(constant_time_equal("abcdef", "abcde"));
  EXPECT_FALSE(constant_time_equal("abcde", "abcdef"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_TRUE(constant_time_equal(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(Random, BytesHaveTheAskedLength) {
  EXPECT_EQ(random_bytes(0).size(), 0u);
  EXPECT_EQ(random_bytes(1).size(), 1u);
  EXPECT_EQ(random_bytes(1000).size(), 1000u);
  EXPECT_NE(random_bytes(32), random_bytes(32));
}

TEST(Random, Id128HexIsThirtyTwoLowerHexAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = random_id128_hex();
    ASSERT_EQ(id.size(), 32u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    EXPECT_EQ(from_hex(id)->size(), 16u);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Random, OrderedIdIsFortyFourLowerHexGrowingAndUnique) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5000; ++i) ids.push_back(ordered_id128_hex());
  std::set<std::string> random_parts;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const auto& id = ids[i];
    ASSERT_EQ(id.size(), 44u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    if (i > 0) {
      EXPECT_LT(ids[i - 1].substr(0, 12), id.substr(0, 12)) << "the time part only grows";
    }
    random_parts.insert(id.substr(12));
  }
  EXPECT_EQ(random_parts.size(), ids.size()) << "128 random bits each";
  // The first 12 characters are the wall clock in milliseconds (or just past it).
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const auto first_ms = std::stoll(ids.front().substr(0, 12), nullptr, 16);
  EXPECT_LE(std::llabs(now_ms - first_ms), 60'000) << ids.front();
}

TEST(Random, OrderedIdsFromManyThreadsAreDistinct) {
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& out : per_thread)
    threads.emplace_back([&out] {
      for (int i = 0; i < 2000; ++i) out.push_back(ordered_id128_hex());
    });
  for (auto& t : threads) t.join();
  std::set<std::string> prefixes;
  for (const auto& out : per_thread)
    for (const auto& id : out) prefixes.insert(id.substr(0, 12));
  EXPECT_EQ(prefixes.size(), 8000u) << "even the time parts never repeat within a process";
}

TEST(Random, SmallRequestsNeverRepeatAcrossThreadsOrAFork) {
  // Ids and tokens are served from a per-thread block of CSPRNG output: no two calls, threads or
  // processes may ever be handed the same bytes.
  std::set<std::string> seen;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        auto b = random_bytes(16);
        std::lock_guard lock(mu);
        seen.insert(b);
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(seen.size(), 2000u);

  (void)random_bytes(16);  // this thread's block is part-used: a child must not continue it
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    std::string b = random_bytes(16);
    ssize_t n = ::write(pipe_fds[1], b.data(), b.size());
    ::_exit(n == 16 ? 0 : 1);
  }
  ::close(pipe_fds[1]);
  std::string from_child(16, '\0');
  ASSERT_EQ(::read(pipe_fds[0], from_child.data(), 16), 16);
  ::close(pipe_fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(random_bytes(16), from_child) << "the parent's next bytes were also the child's";
}

TEST(Random, Token128IsTwentyTwoBase64UrlAndUnique) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string token = random_token128();
    ASSERT_EQ(token.size(), 22u);
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << token;
    seen.insert(token);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Random, BelowStaysInRangeAndReachesEveryValue) {
  EXPECT_EQ(random_below(1), 0u);
  std::map<std::uint64_t, int> counts;
  for (int i = 0; i < 3000; ++i) {
    std::uint64_t v = random_below(3);
    ASSERT_LT(v, 3u);
    ++counts[v];
  }
  EXPECT_EQ(counts.size(), 3u);
  const std::uint64_t huge = (std::uint64_t{1} << 63) + 12345;
  for (int i = 0; i < 100; ++i) EXPECT_LT(random_below(huge), huge);
}

}  // namespace
}  // namespace cg::crypto
