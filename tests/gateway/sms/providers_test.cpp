// The table of providers (gateway/sms/providers.cpp): which kinds send, which only receive, and the
// config error that lists the kinds an sms.providers entry may name.
#include "gateway/sms/providers.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace cg::gateway {
namespace {

TEST(SmsProviders, EveryProviderIsInTheTableOnce) {
  std::vector<std::string> kinds;
  for (const auto& p : sms_providers()) kinds.emplace_back(p.kind);
  EXPECT_EQ(kinds, (std::vector<std::string>{"kannel", "twilio", "infobip", "file", "africastalking"}));
}

TEST(SmsProviders, SendingKindsHaveACheckAndASender) {
  for (const char* kind : {"kannel", "twilio", "infobip", "file"}) {
    const SmsProvider* p = find_sending_provider(kind);
    ASSERT_NE(p, nullptr) << kind;
    EXPECT_NE(p->check, nullptr) << kind;
    EXPECT_NE(p->make_sender, nullptr) << kind;
  }
  EXPECT_EQ(find_sending_provider("africastalking"), nullptr);  // USSD: receives only
  EXPECT_EQ(find_sending_provider("pigeon"), nullptr);
}

TEST(SmsProviders, RoutesAreTheProvidersOwn) {
  std::vector<std::string> inbound, status;
  for (const auto& p : sms_providers()) {
    if (p.inbound) {
      inbound.emplace_back(p.inbound->path);
      EXPECT_NE(p.inbound->handler, nullptr) << p.kind;
    }
    if (p.status) {
      status.emplace_back(p.status->path);
      EXPECT_NE(p.status->handler, nullptr) << p.kind;
    }
  }
  EXPECT_EQ(inbound, (std::vector<std::string>{"/v1/sms/kannel/inbound", "/v1/sms/twilio/inbound",
                                               "/v1/sms/infobip/inbound", "/v1/ussd/africastalking"}));
  EXPECT_EQ(status,
            (std::vector<std::string>{"/v1/sms/kannel/status", "/v1/sms/twilio/status", "/v1/sms/infobip/status"}));
}

TEST(SmsProviders, AnUnknownKindNamesEverySendingKind) {
  SmsConfig sms;
  ASSERT_FALSE(parse_sms_config(nlohmann::json::parse(R"({"providers":[{"name":"p","kind":"pigeon"}]})"), sms));
  auto fault = validate_sms_config(sms, "var/outbox.jsonl");
  ASSERT_TRUE(fault);
  EXPECT_EQ(fault->key, "sms.providers[0].kind");
  EXPECT_EQ(fault->what, "'pigeon' is not a known provider (kannel, twilio, infobip, file)");
}

TEST(SmsProviders, TheFileKindDefaultsItsPath) {
  SmsProviderConfig p;
  p.name = "f";
  p.kind = "file";
  EXPECT_FALSE(find_sending_provider("file")->check(p, "sms.providers[0]", "var/outbox.jsonl"));
  EXPECT_EQ(p.path, "var/outbox.jsonl");
}

}  // namespace
}  // namespace cg::gateway
