// The config file is checked whole at start: an unknown key or a bad value names itself.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "gateway/app/config.hpp"

namespace cg::gateway {
namespace {

const char* kMinimal = R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789"})";

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// What scripts/local-config.sh does on a first run: every placeholder becomes a fresh secret.
std::string with_fresh_secrets(std::string text) {
  static const std::regex placeholder("change-me-[A-Za-z0-9-]*");
  std::string out;
  int n = 0;
  auto it = std::sregex_iterator(text.begin(), text.end(), placeholder);
  std::size_t last = 0;
  for (; it != std::sregex_iterator(); ++it) {
    out += text.substr(last, it->position() - last) + "fresh-secret-" + std::to_string(++n) + "-0123456789abcdef";
    last = it->position() + it->length();
  }
  return out + text.substr(last);
}

TEST(Config, TheExampleConfigStopsTheStartUntilItsPlaceholdersAreReplaced) {
  const std::string example = std::string(CG_SOURCE_DIR) + "/config/gateway.example.json";
  auto as_shipped = load_config(example);
  ASSERT_FALSE(as_shipped.ok());
  EXPECT_NE(as_shipped.error().message.find("change-me"), std::string::npos) << as_shipped.error().message;
  auto c = parse_config(with_fresh_secrets(read_file(example)));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->website.api_keys.size(), 1u);
  EXPECT_EQ(c->listen.port, 8080);
  EXPECT_EQ(c->store.url, "sqlite:var/course-gateway.db");
  EXPECT_EQ(c->policy.biller_code, "250");
  EXPECT_EQ(c->policy.payment_window, std::chrono::hours(72));
  EXPECT_EQ(c->utc_offset, std::chrono::minutes(180));
  // Shipped with retention on: 90 days for every kind.
  for (store::PurgeKind kind : store::kAllPurgeKinds)
    EXPECT_EQ(c->retention.period(kind), std::chrono::days(90)) << store::to_string(kind);
}

TEST(Config, DefaultsFillWhatIsNotSaid) {
  auto c = parse_config(kMinimal);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->outbox.adapter, "file");
  EXPECT_EQ(c->scheduler.tick, std::chrono::milliseconds(5000));
  EXPECT_EQ(c->store.reader_threads, 4u);
  EXPECT_EQ(c->store.reader_queue, 256u);
  EXPECT_EQ(c->store.read_deadline, std::chrono::milliseconds(5000));
  EXPECT_EQ(c->health.deadline, std::chrono::milliseconds(1000));
  // Deleting is chosen, never inherited: without a retention section every row is kept.
  EXPECT_FALSE(c->retention.purges_anything());
  EXPECT_EQ(c->retention.batch, 100u);
  EXPECT_EQ(c->retention.pause, std::chrono::milliseconds(20));
}

TEST(Config, TheReaderPoolAndTheHealthDeadlineAreRead) {
  auto c = parse_config(R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",)"
                        R"("store":{"reader_threads":8,"reader_queue":32,)"
                        R"("read_deadline_ms":750},"health":{"deadline_ms":250}})");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->store.reader_threads, 8u);
  EXPECT_EQ(c->store.reader_queue, 32u);
  EXPECT_EQ(c->store.read_deadline, std::chrono::milliseconds(750));
  EXPECT_EQ(c->health.deadline, std::chrono::milliseconds(250));
}

TEST(Config, RetentionIsReadPerKind) {
  auto c = parse_config(R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
    "retention":{"inbound_messages_days":30,"channel_log_days":14,"outbox_days":0,"events_days":7,
                 "batch":250,"pause_ms":0,"interval_minutes":15}})");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const auto& r = c->retention;
  EXPECT_EQ(r.period(store::PurgeKind::inbound_messages), std::chrono::days(30));
  EXPECT_EQ(r.period(store::PurgeKind::channel_log), std::chrono::days(14));
  EXPECT_EQ(r.period(store::PurgeKind::outbox), std::chrono::days(0));            // kept forever
  EXPECT_EQ(r.period(store::PurgeKind::delivery_reports), std::chrono::days(0));  // absent: kept forever
  EXPECT_EQ(r.period(store::PurgeKind::events), std::chrono::days(7));
  EXPECT_EQ(r.batch, 250u);
  EXPECT_EQ(r.pause, std::chrono::milliseconds(0));
  EXPECT_EQ(r.interval, std::chrono::minutes(15));
}

TEST(Config, ErrorsNameTheKey) {
  struct Case {
    const char* json;
    const char* says;
  } cases[] = {
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","colour":1})", "colour: unknown key"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","listen":{"port":70000}})",
       "listen.port: must be 0 to 65535"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","listen":{"prot":1}})", "listen.prot: unknown key"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","store":{"readers":"2"}})",
       "store.readers: must be an integer"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","store":{"reader_threads":0}})",
       "store.reader_threads: must be 1 to 64"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","store":{"reader_queue":0}})",
       "store.reader_queue: must be 1 to 100000"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","store":{"read_deadline_ms":10}})",
       "store.read_deadline_ms: must be 50 to 600000"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","health":{"deadline_ms":0}})",
       "health.deadline_ms: must be 50 to 60000"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","health":{"probe":1}})", "health.probe: unknown key"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","store":{"url":"postgres://x"}})", "store.url"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","outbox":{"adapter":"pigeon"}})", "outbox.adapter"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","outbox":{"file":{"paht":"x"}}})",
       "outbox.file.paht: unknown key"},
      {R"({"admin_token":"short","exam_secret":"s"})", "admin_token: must be at least 16"},
      {R"({"admin_token":"0123456789abcdef0123"})", "exam_secret: is required"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","biller":{"code":"A1"}})",
       "biller.code: must be digits"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"s","policy":{"payment_window_hours":0}})",
       "policy.payment_window_hours"},
      // Secrets that resist guessing, and doors that are not left open.
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"short"})", "exam_secret: must be at least 16"},
      {R"({"admin_token":"change-me-admin-token-0123456789","exam_secret":"exam-secret-0123456789"})",
       "admin_token: still holds the example's 'change-me' placeholder"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "website":{"api_keys":["0123456789abcdef0123","short"]}})",
       "website.api_keys[1]: must be at least 16"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "inbound":{"kannel":{"key":"kannel"}}})",
       "inbound.kannel.key: must be at least 16"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "inbound":{"africastalking":{"allowed_addresses":["10.0.0.5"]}}})",
       "inbound.africastalking.key: is required"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "efawateercom":{"enabled":true,"signing_key_path":"k.pem","verifying_cert_path":"c.pem"}})",
       "efawateercom.allowed_addresses: an enabled eFAWATEERcom needs"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "listen":{"trusted_proxies":["proxy.local"]}})",
       "listen.trusted_proxies: 'proxy.local' is not an IP address"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "limits":{"max_connections":10,"max_connections_per_ip":11}})",
       "limits.max_connections_per_ip: must not exceed"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "sms":{"allowed_country_codes":["+44"]}})",
       "sms.allowed_country_codes: '+44' is not a country calling code"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "sms":{"allowed_country_codes":[]}})",
       "sms.allowed_country_codes: must be a non-empty list"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "retention":{"history_days":30}})",
       "retention.history_days: unknown key"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "retention":{"outbox_days":-1}})",
       "retention.outbox_days: must be 0 to 36500"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "retention":{"batch":0}})",
       "retention.batch: must be 1 to 10000"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "retention":{"inbound_messages_days":2}})",
       "retention.inbound_messages_days: must be 0 (keep forever) or at least 7"},
      {R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
           "retention":{"events_days":1}})",
       "retention.events_days: must be 0 (keep forever) or at least 7"},
      {R"([1])", "must be an object"},
      {R"({oops)", "not valid JSON"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(c.json);
    ASSERT_FALSE(r.ok()) << c.json;
    EXPECT_EQ(r.error().code, "invalid_config");
    EXPECT_NE(r.error().message.find(c.says), std::string::npos) << r.error().message << " / wanted: " << c.says;
  }
}

TEST(Config, TheNewKeysAreRead) {
  auto c = parse_config(R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
    "listen":{"trusted_proxies":["10.0.0.1","::1"]},"limits":{"max_connections_per_ip":8},
    "website":{"api_keys":["website-key-0123456789"],"applications_per_phone_per_day":2,
               "applications_per_document_per_day":3},
    "sms":{"allowed_country_codes":["962","44"]},
    "inbound":{"africastalking":{"key":"ussd-key-0123456789","allowed_addresses":["10.0.0.5"]}}})");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->listen.trusted_proxies.contains("10.0.0.1"));
  EXPECT_EQ(c->limits.max_connections_per_ip, 8u);
  EXPECT_EQ(c->website.applications_per_phone_per_day, 2);
  EXPECT_EQ(c->website.applications_per_document_per_day, 3);
  EXPECT_EQ(c->sms.allowed_country_codes, (std::vector<std::string>{"962", "44"}));
  auto defaults = parse_config(kMinimal);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->sms.allowed_country_codes, (std::vector<std::string>{"962"}));
  EXPECT_TRUE(defaults->website.api_keys.empty());
}

TEST(Config, TheConsoleKeysAreReadAndChecked) {
  auto defaults = parse_config(kMinimal);
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->console.enabled);
  EXPECT_EQ(defaults->console.idle_timeout, std::chrono::seconds(1800));
  EXPECT_EQ(defaults->console.max_failures_per_account, 5);
  auto c = parse_config(R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",
    "console":{"enabled":false,"idle_timeout_s":600,"max_failures_per_account":3,"max_failures_per_address":9,
               "failure_window_s":120}})");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->console.enabled);
  EXPECT_EQ(c->console.idle_timeout, std::chrono::seconds(600));
  EXPECT_EQ(c->console.max_failures_per_account, 3);
  EXPECT_EQ(c->console.max_failures_per_address, 9);
  EXPECT_EQ(c->console.failure_window, std::chrono::seconds(120));
  for (const char* bad : {R"("console":{"idle_timeout_s":10})", R"("console":{"enabled":"yes"})",
                          R"("console":{"max_failures_per_account":0})", R"("console":{"colour":1})"}) {
    auto r = parse_config(
        std::string(R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",)") + bad + "}");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("console."), std::string::npos) << r.error().message;
  }
}

TEST(Config, TheSimulatorsTestRangeIsCheckedAtStartNamingTheKey) {
  auto defaults = parse_config(kMinimal);
  ASSERT_TRUE(defaults.ok());
  // No range unless one is chosen (every range is someone's real numbers): the simulator is off and
  // every number reaches the providers.
  EXPECT_TRUE(defaults->console.simulator.enabled);
  EXPECT_EQ(defaults->console.simulator.test_range.size(), 0);
  EXPECT_FALSE(defaults->console.simulator.on());
  EXPECT_FALSE(defaults->console.simulator.test_range.contains("+962780000001"));
  const std::string head = R"({"admin_token":"0123456789abcdef0123","exam_secret":"exam-secret-0123456789",)";
  auto c = parse_config(head + R"("console":{"simulator":{"enabled":false,
    "test_range":{"from":"+962770000100","to":"+962770000199"}}}})");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->console.simulator.enabled);
  EXPECT_FALSE(c->console.simulator.on());
  EXPECT_EQ(c->console.simulator.test_range.size(), 100);
  EXPECT_TRUE(c->console.simulator.test_range.contains("+962770000150"));
  EXPECT_FALSE(c->console.simulator.test_range.contains("+962770000200"));
  EXPECT_EQ(c->console.simulator.test_range.at(99), "+962770000199");
  const std::pair<const char*, const char*> bad[] = {
      {R"({"from":"0770000100","to":"+962770000199"})", "console.simulator.test_range.from:"},
      {R"({"from":"+962770000100","to":"+96277000019"})", "console.simulator.test_range.to:"},
      {R"({"from":"+962770000199","to":"+962770000100"})", "console.simulator.test_range.to:"},
      {R"({"from":"+962770000000","to":"+962770009999"})", "console.simulator.test_range.to:"},
      {R"({"from":"+447911123456","to":"+447911123457"})", "console.simulator.test_range.from:"},
      {R"({"from":"+962770000100"})", "console.simulator.test_range.to:"},
      {R"({"from":"+962770000100","to":"+962770000199","step":1})", "console.simulator.test_range.step:"},
  };
  for (const auto& [range, key] : bad) {
    auto r = parse_config(head + R"("console":{"simulator":{"test_range":)" + range + "}}}");
    ASSERT_FALSE(r.ok()) << range;
    EXPECT_EQ(r.error().message.rfind(key, 0), 0u) << range << ": " << r.error().message;
  }
}

TEST(Config, DestinationsAreMatchedByCountryCallingCode) {
  const std::vector<std::string> jordan{"962"};
  EXPECT_TRUE(destination_allowed("+962791234567", jordan));
  EXPECT_FALSE(destination_allowed("+447911123456", jordan));
  EXPECT_FALSE(destination_allowed("962791234567", jordan));  // not E.164
  EXPECT_FALSE(destination_allowed("+962", jordan));
  EXPECT_TRUE(destination_allowed("+14155552671", {"962", "1"}));
}

TEST(Config, AMissingFileIsNamed) {
  auto r = load_config("/nonexistent/gateway.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("/nonexistent/gateway.json"), std::string::npos);
}

}  // namespace
}  // namespace cg::gateway
