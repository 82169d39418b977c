#include "gateway/http/head.hpp"

#include <gtest/gtest.h>

namespace cg::http {
namespace {

TEST(RefusedHead, OneHostAndPlainOrChunkedBodiesPass) {
  EXPECT_FALSE(refused_head({}));
  EXPECT_FALSE(refused_head({{"Host", "a"}, {"Content-Length", "3"}}));
  EXPECT_FALSE(refused_head({{"Host", "a"}, {"Transfer-Encoding", "chunked"}}));
  EXPECT_FALSE(refused_head({{"transfer-encoding", " Chunked\t"}}));
  EXPECT_FALSE(refused_head({{"Transfer-Encoding", ", chunked ,"}}));  // empty list elements are no coding
}

TEST(RefusedHead, TwoHostFieldsAre400WhateverTheirCase) {
  auto r = refused_head({{"Host", "a"}, {"hOST", "b"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("more than one Host"), std::string::npos);
}

TEST(RefusedHead, AnyCodingButPlainChunkedIs501) {
  for (std::vector<FieldView> fields :
       std::vector<std::vector<FieldView>>{{{"Transfer-Encoding", "gzip"}},
                                           {{"Transfer-Encoding", "gzip, chunked"}},
                                           {{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}},
                                           {{"Transfer-Encoding", "identity"}}}) {
    auto r = refused_head(fields);
    ASSERT_TRUE(r) << fields.front().second;
    EXPECT_EQ(r->status, 501);
  }
}

Headers xff(std::initializer_list<std::string> values) {
  Headers h;
  for (const auto& v : values) h.add("X-Forwarded-For", v);
  return h;
}

TEST(ForwardedClient, WalksFromTheRightPastTrustedProxies) {
  auto trusted = [](std::string_view a) { return a == "127.0.0.1" || a.substr(0, 3) == "10."; };
  EXPECT_EQ(forwarded_client({}, "127.0.0.1", trusted).value(), "127.0.0.1");
  EXPECT_EQ(forwarded_client(xff({"6.6.6.6, 10.1.2.3"}), "127.0.0.1", trusted).value(), "6.6.6.6");
  EXPECT_EQ(forwarded_client(xff({"6.6.6.6, 7.7.7.7, 10.1.2.3"}), "127.0.0.1", trusted).value(), "7.7.7.7");
  EXPECT_EQ(forwarded_client(xff({"6.6.6.6", " 10.0.0.2 "}), "127.0.0.1", trusted).value(), "6.6.6.6");
  EXPECT_EQ(forwarded_client(xff({"2001:DB8::1"}), "127.0.0.1", trusted).value(), "2001:db8::1");
}

TEST(ForwardedClient, AnAddressThatIsLookedAtMustBeAnIp) {
  auto trusted = [](std::string_view a) { return a == "127.0.0.1"; };
  auto r = forwarded_client(xff({"not-an-address"}), "127.0.0.1", trusted);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_header");
  // Left of the first untrusted address, nothing is read: it may be anything.
  EXPECT_EQ(forwarded_client(xff({"junk, 6.6.6.6"}), "127.0.0.1", trusted).value(), "6.6.6.6");
}

}  // namespace
}  // namespace cg::http
