// Ids and numbers from providers are stored, logged and matched against later reports: a NUL, a
// CR/LF or a bidi override in one is refused naming the field, whichever provider sent it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "adapters/sms/infobip/inbound.hpp"
#include "adapters/sms/infobip/status.hpp"
#include "adapters/sms/kannel/inbound.hpp"
#include "adapters/sms/kannel/status.hpp"
#include "adapters/sms/twilio/inbound.hpp"
#include "adapters/sms/twilio/status.hpp"
#include "adapters/ussd/africastalking/ussd.hpp"
#include "core/text.hpp"

namespace cg::sms {
namespace {

const std::string kNul("SM1\0x", 5);
const char* const kBadValues[] = {"SM1\r\nhttp: forged", "SM1\xE2\x80\xAE", "\x1b[2J"};

Params with(Params p, const std::string& name, const std::string& value) {
  for (auto& [n, v] : p)
    if (n == name) v = value;
  return p;
}

void expect_refused(const Status& s, const std::string& field, const std::string& value) {
  ASSERT_FALSE(s.ok()) << field << " = " << core::text::escape_for_log(value);
  EXPECT_NE(s.error().message.find(field), std::string::npos) << s.error().message;
}

TEST(ProviderIds, KannelInboundRefusesControls) {
  const Params good{{"id", "m1"}, {"from", "+962791234567"}, {"to", "94123"}, {"text", "HELP"}};
  ASSERT_TRUE(kannel::parse_inbound(good));
  for (const char* field : {"id", "from", "to"}) {
    for (std::string bad : {kNul, std::string(kBadValues[0]), std::string(kBadValues[1]), std::string(kBadValues[2])}) {
      auto in = kannel::parse_inbound(with(good, field, bad));
      expect_refused(in ? ok_status() : Status(in.error()), field, bad);
    }
  }
}

TEST(ProviderIds, TwilioInboundAndStatusRefuseControls) {
  const Params good{{"MessageSid", "SM01"}, {"From", "+962791234567"}, {"To", "+15005550006"}, {"Body", "HELP"}};
  ASSERT_TRUE(twilio::parse_inbound(good));
  for (const char* field : {"MessageSid", "From", "To"}) {
    for (std::string bad : {kNul, std::string(kBadValues[0]), std::string(kBadValues[1])}) {
      auto in = twilio::parse_inbound(with(good, field, bad));
      expect_refused(in ? ok_status() : Status(in.error()), field, bad);
    }
  }
  const Params report{{"MessageSid", "SM01"}, {"MessageStatus", "delivered"}};
  ASSERT_TRUE(twilio::parse_status(report, "twilio"));
  auto r = twilio::parse_status(with(report, "MessageSid", kNul), "twilio");
  expect_refused(r ? ok_status() : Status(r.error()), "MessageSid", kNul);
  // An unknown status is quoted in the error on one line, cut on a character boundary.
  r = twilio::parse_status(with(report, "MessageStatus", "x\r\n" + std::string(60, '\xD8') + "\xB9"), "twilio");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  EXPECT_TRUE(core::text::decode_utf8(r.error().message).has_value());
}

TEST(ProviderIds, InfobipInboundAndStatusRefuseControls) {
  // A result that fails is rejected on its own (the others of its batch are delivered).
  auto inbound = [](const std::string& id, const std::string& from) -> Status {
    nlohmann::json j{{"results", {{{"messageId", id}, {"from", from}, {"to", "94123"}, {"text", "HELP"}}}}};
    auto batch = infobip::parse_inbound(j.dump());
    if (!batch) return batch.error();
    if (!batch->rejected.empty()) {
      EXPECT_TRUE(core::text::is_printable(batch->rejected[0].message_id));  // echoed only when printable
      return batch->rejected[0].error;
    }
    return ok_status();
  };
  ASSERT_TRUE(inbound("ib1", "962791234567").ok());
  for (std::string bad : {kNul, std::string(kBadValues[0]), std::string(kBadValues[1])}) {
    expect_refused(inbound(bad, "962791234567"), "messageId", bad);
    expect_refused(inbound("ib1", bad), "from", bad);
  }
  auto report = [](const std::string& id) {
    nlohmann::json j{{"results", {{{"messageId", id}, {"status", {{"groupName", "DELIVERED"}}}}}}};
    return infobip::parse_status(j.dump(), "infobip");
  };
  ASSERT_TRUE(report("ib1")) << report("ib1").error().message;
  auto r = report(kBadValues[0]);
  expect_refused(r ? ok_status() : Status(r.error()), "messageId", kBadValues[0]);
}

TEST(ProviderIds, KannelStatusQuotesABadIdOnOneLine) {
  auto r = kannel::parse_status(Params{{"id", "7\r\nhttp: forged \xFF"}, {"type", "1"}}, "kannel");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << r.error().message;
  EXPECT_TRUE(core::text::decode_utf8(r.error().message).has_value()) << r.error().message;
}

TEST(ProviderIds, AfricasTalkingRefusesControls) {
  const Params good{{"sessionId", "ATUid_1"},
                    {"serviceCode", "*384*123#"},
                    {"phoneNumber", "+962791234567"},
                    {"networkCode", "41601"},
                    {"text", ""}};
  ASSERT_TRUE(ussd::africastalking::parse_request(good));
  for (const char* field : {"sessionId", "serviceCode", "phoneNumber", "networkCode"}) {
    auto r = ussd::africastalking::parse_request(with(good, field, kNul));
    expect_refused(r ? ok_status() : Status(r.error()), field, kNul);
  }
}

}  // namespace
}  // namespace cg::sms
