// check-config --online: the store and each SMS provider asked over the network, nothing sent or
// written. Twilio and Infobip are real HTTP servers on 127.0.0.1 answering as their APIs do; Kannel
// is a real Kannel (deploy/kannel/kannel.conf through the test rig).
#include "gateway/app/online_check.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "adapters/crypto/crypto.hpp"
#include "adapters/store/open.hpp"
#include "adapters/store/sqlite/sqlite_store.hpp"
#include "tests/support/kannel.hpp"
#ifndef CG_NO_MYSQL
#include "adapters/store/mysql/mysql_store.hpp"
#include "tests/support/mariadb.hpp"
#endif
#include "tests/support/provider_server.hpp"

namespace cg::gateway {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string kSid = "AC0123456789abcdef0123456789abcdef";
const std::string kToken = "twilio-auth-token-0123456789";
const std::string kApiKey = "infobip-api-key-0123456789";

class OnlineCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cg-online-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    config_.store.url = "sqlite:" + (dir_ / "gateway.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  SmsProviderConfig provider(const std::string& kind, const std::string& base_url) {
    SmsProviderConfig p;
    p.name = kind + "-1";
    p.kind = kind;
    p.base_url = base_url;
    p.timeout = 5s;
    p.connect_timeout = 2s;
    return p;
  }
  // The check of sms.providers[0].
  OnlineCheck provider_check() {
    auto checks = check_online(config_);
    EXPECT_EQ(checks.size(), 1 + config_.sms.providers.size());
    return checks.size() > 1 ? checks[1] : OnlineCheck{};
  }

  fs::path dir_;
  Config config_;
};

// Twilio's account resource: GET /2010-04-01/Accounts/{Sid}.json with basic auth.
test::CannedReply twilio_account(const test::RecordedRequest& r, const std::string& status) {
  if (r.path != "/2010-04-01/Accounts/" + kSid + ".json") return {404, R"({"code":20404,"status":404})"};
  if (r.header("Authorization") != "Basic " + crypto::base64_encode(kSid + ":" + kToken))
    return {401, R"({"code":20003,"message":"Authenticate","status":401})", "application/json"};
  return {200, R"({"sid":")" + kSid + R"(","status":")" + status + R"("})", "application/json"};
}

TEST_F(OnlineCheckTest, AStoreNotCreatedYetPassesWhenServeCanCreateItAndIsLeftUncreated) {
  auto checks = check_online(config_);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].subject, "store");
  EXPECT_TRUE(checks[0].ok) << checks[0].detail;
  EXPECT_NE(checks[0].detail.find("no database yet"), std::string::npos) << checks[0].detail;
  EXPECT_FALSE(fs::exists(dir_ / "gateway.db"));

  config_.store.url = "sqlite:" + (dir_ / "no-such-dir" / "gateway.db").string();
  checks = check_online(config_);
  EXPECT_FALSE(checks[0].ok);
  EXPECT_NE(checks[0].detail.find("does not exist"), std::string::npos) << checks[0].detail;
}

TEST_F(OnlineCheckTest, AnExistingDatabaseIsReadForItsSchemaVersionAndNotChanged) {
  {
    auto store = store::open_store({.url = config_.store.url});
    ASSERT_TRUE(store) << store.error().message;
  }
  const auto before = fs::last_write_time(dir_ / "gateway.db");
  auto checks = check_online(config_);
  ASSERT_TRUE(checks[0].ok) << checks[0].detail;
  const std::string n = std::to_string(store::sqlite::migrations().size());
  EXPECT_NE(checks[0].detail.find("schema version " + n + " of " + n), std::string::npos) << checks[0].detail;
  EXPECT_EQ(fs::last_write_time(dir_ / "gateway.db"), before);
}

TEST_F(OnlineCheckTest, AFileThatIsNotOurDatabaseFails) {
  std::ofstream(dir_ / "gateway.db") << "this is not a database, only text that is long enough to be read as one";
  auto checks = check_online(config_);
  EXPECT_FALSE(checks[0].ok);
  EXPECT_NE(checks[0].detail.find("sqlite " + (dir_ / "gateway.db").string()), std::string::npos) << checks[0].detail;
}

TEST_F(OnlineCheckTest, TwilioFetchesTheAccountWithTheCredentials) {
  std::string account_status = "active";
  test::ProviderServer twilio(
      [&](const test::RecordedRequest& r, std::size_t) { return twilio_account(r, account_status); });
  ASSERT_TRUE(twilio.start());
  auto p = provider("twilio", twilio.base_url());
  p.account_sid = kSid;
  p.auth_token = kToken;
  config_.sms.providers = {p};
  auto c = provider_check();
  EXPECT_EQ(c.subject, "sms.providers[0] twilio-1 (twilio)");
  EXPECT_TRUE(c.ok) << c.detail;
  EXPECT_EQ(c.detail, "account " + kSid + " is active");
  ASSERT_EQ(twilio.count(), 1u);
  EXPECT_EQ(twilio.requests()[0].method, "GET");  // a fetch, never a message

  account_status = "suspended";
  c = provider_check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.detail, "account " + kSid + " is suspended");

  config_.sms.providers[0].auth_token = "a-wrong-token-0123456789";
  c = provider_check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.detail, "Twilio refused the account_sid and auth_token (HTTP 401)");
}

TEST_F(OnlineCheckTest, InfobipAsksForTheBalanceWithTheApiKey) {
  test::ProviderServer infobip([](const test::RecordedRequest& r, std::size_t) -> test::CannedReply {
    if (r.method != "GET" || r.path != "/account/1/balance") return {404, "{}", "application/json"};
    if (r.header("Authorization") != "App " + kApiKey)
      return {401, R"({"requestError":{"serviceException":{"messageId":"UNAUTHORIZED"}}})", "application/json"};
    return {200, R"({"balance":47.5,"currency":"EUR"})", "application/json"};
  });
  ASSERT_TRUE(infobip.start());
  auto p = provider("infobip", infobip.base_url());
  p.api_key = kApiKey;
  config_.sms.providers = {p};
  auto c = provider_check();
  EXPECT_TRUE(c.ok) << c.detail;
  EXPECT_EQ(c.detail, "the api_key is accepted; balance 47.5 EUR");

  config_.sms.providers[0].api_key = "a-wrong-key-0123456789";
  c = provider_check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.detail, "Infobip refused the api_key (HTTP 401)");
}

TEST_F(OnlineCheckTest, AProviderThatDoesNotAnswerFails) {
  std::uint16_t closed = 0;
  {
    test::ProviderServer gone([](const test::RecordedRequest&, std::size_t) { return test::CannedReply{}; });
    ASSERT_TRUE(gone.start());
    closed = gone.port();
  }
  config_.sms.providers = {provider("infobip", "http://127.0.0.1:" + std::to_string(closed))};
  config_.sms.providers[0].api_key = kApiKey;
  auto c = provider_check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.detail.rfind("no answer: ", 0), 0u) << c.detail;
}

TEST_F(OnlineCheckTest, KannelChecksTheSendsmsCredentialsAgainstARealSmsboxWithoutSending) {
  auto rig = test::KannelRig::start();
  ASSERT_TRUE(rig) << rig.error().message;
  auto p = provider("kannel", (*rig)->sendsms_base_url());
  p.username = (*rig)->username();
  p.password = (*rig)->password();
  config_.sms.providers = {p};
  auto c = provider_check();
  EXPECT_TRUE(c.ok) << c.detail << "\n" << (*rig)->log_tails();
  EXPECT_EQ(c.detail, "smsbox at " + p.base_url + " accepts the username and password");

  config_.sms.providers[0].password = "a-wrong-password-0123";
  c = provider_check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.detail, "smsbox refused the username and password (HTTP 403)");

  // Nothing reached the phone network.
  auto status = (*rig)->status();
  ASSERT_TRUE(status) << status.error().message;
  EXPECT_TRUE((*rig)->mt_messages().empty());
  EXPECT_NE(status->find("sent 0"), std::string::npos) << *status;
}

TEST_F(OnlineCheckTest, TheFileProviderNeedsAWritableDirectory) {
  auto p = provider("file", "");
  p.path = (dir_ / "outbox.jsonl").string();
  config_.sms.providers = {p};
  auto c = provider_check();
  EXPECT_TRUE(c.ok) << c.detail;
  config_.sms.providers[0].path = (dir_ / "missing" / "outbox.jsonl").string();
  c = provider_check();
  EXPECT_FALSE(c.ok);
}

#ifndef CG_NO_MYSQL
// A real MariaDB: the probe connects with the gateway's user, creates no table in an empty
// database, reads the schema version of a migrated one, and names a refused login.
TEST_F(OnlineCheckTest, MariaDbIsConnectedToAndLeftAsItWas) {
  auto server = test::shared_mariadb();
  ASSERT_TRUE(server.ok()) << server.error().message;
  const std::string database = test::database_name("onlinecheck");
  ASSERT_TRUE((*server)->create_database(database).ok());
  config_.store.url = (*server)->url(database);
  const std::string n = std::to_string(store::mysql::migrations().size());

  auto checks = check_online(config_);
  EXPECT_TRUE(checks[0].ok) << checks[0].detail;
  EXPECT_NE(checks[0].detail.find("schema version 0 of " + n + " (serve migrates it)"), std::string::npos)
      << checks[0].detail;
  auto tables =
      (*server)->query("", "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '" + database + "'");
  ASSERT_TRUE(tables.ok()) << tables.error().message;
  EXPECT_EQ((*tables)[0][0], "0");

  {
    auto store = store::open_store({.url = config_.store.url});
    ASSERT_TRUE(store) << store.error().message;
  }
  checks = check_online(config_);
  EXPECT_TRUE(checks[0].ok) << checks[0].detail;
  EXPECT_NE(checks[0].detail.find("schema version " + n + " of " + n), std::string::npos) << checks[0].detail;

  auto wrong = config_.store.url;
  wrong.replace(wrong.find(':', 8) + 1, wrong.find('@') - wrong.find(':', 8) - 1, "wrong-password");
  config_.store.url = wrong;
  checks = check_online(config_);
  EXPECT_FALSE(checks[0].ok);
  EXPECT_EQ(checks[0].detail.find("wrong-password"), std::string::npos) << checks[0].detail;
  EXPECT_TRUE((*server)->drop_database(database).ok());
}
#endif

}  // namespace
}  // namespace cg::gateway
