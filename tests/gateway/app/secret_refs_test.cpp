// Secrets outside the config: {"file": PATH} and {"env": NAME} at every secret key, each error
// naming the key, and the config's own rules applied to the value they resolve to.
#include "gateway/app/secret_refs.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "gateway/app/config.hpp"

namespace cg::gateway {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kToken = "0123456789abcdef0123";
const std::string kExam = "exam-secret-0123456789";

class SecretRefs : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cg-secrets-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string file(const std::string& name, const std::string& contents) {
    fs::path p = dir_ / name;
    std::ofstream(p, std::ios::binary) << contents;
    return p.string();
  }
  SecretSources env(std::map<std::string, std::string> vars) {
    return SecretSources{.env = [vars](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      if (it == vars.end()) return std::nullopt;
      return it->second;
    }};
  }
  static json minimal() { return json{{"admin_token", kToken}, {"exam_secret", kExam}}; }
  Result<Config> parse(const json& j, const SecretSources& s) { return parse_config(j.dump(), s); }

  fs::path dir_;
};

TEST_F(SecretRefs, AFileGivesItsContentsWithoutTheTrailingNewline) {
  json j = minimal();
  j["admin_token"] = {{"file", file("admin", "admin-token-from-a-file\n")}};
  j["exam_secret"] = {{"file", file("exam", "exam-secret-from-a-file\r\n")}};
  auto c = parse(j, env({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->admin_token, "admin-token-from-a-file");
  EXPECT_EQ(c->exam_secret, "exam-secret-from-a-file");
}

TEST_F(SecretRefs, OnlyOneTrailingNewlineIsDropped) {
  json j = minimal();
  j["admin_token"] = {{"file", file("admin", "admin-token-with-two-newlines\n\n")}};
  auto c = parse(j, env({}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->admin_token, "admin-token-with-two-newlines\n");
}

TEST_F(SecretRefs, AnEnvironmentVariableGivesItsValue) {
  json j = minimal();
  j["admin_token"] = {{"env", "CG_ADMIN"}};
  auto c = parse(j, env({{"CG_ADMIN", "admin-token-from-the-env"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->admin_token, "admin-token-from-the-env");
}

TEST_F(SecretRefs, TheProcessEnvironmentIsReadByDefault) {
  json j = minimal();
  j["exam_secret"] = {{"env", "CG_SECRET_REFS_TEST_EXAM"}};
  ::setenv("CG_SECRET_REFS_TEST_EXAM", "exam-secret-from-the-process", 1);
  auto c = parse_config(j.dump());
  ::unsetenv("CG_SECRET_REFS_TEST_EXAM");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->exam_secret, "exam-secret-from-the-process");
}

TEST_F(SecretRefs, EveryKindOfSecretKeyTakesAReference) {
  json j = minimal();
  j["website"] = {{"api_keys", {"website-key-literal-0001", {{"env", "WEB2"}}}}};
  j["store"] = {{"url", {{"env", "STORE_URL"}}}};
  j["inbound"] = {{"kannel", {{"key", {{"file", file("kannel", "kannel-inbound-key-0001\n")}}}}},
                  {"twilio", {{"auth_token", {{"env", "TWILIO_IN"}}}}},
                  {"infobip", {{"username", "infobip"}, {"password", {{"env", "INFOBIP_IN"}}}}},
                  {"africastalking", {{"key", {{"env", "AT_KEY"}}}}}};
  j["efawateercom"] = {{"basic_auth_user", "mfep"}, {"basic_auth_password", {{"env", "MFEP"}}}};
  j["sms"] = {{"providers",
               {{{"name", "kannel"},
                 {"kind", "kannel"},
                 {"base_url", "http://127.0.0.1:13013"},
                 {"username", "gateway"},
                 {"password", {{"file", file("kannel-pass", "kannel-sendsms-password\n")}}},
                 {"from", "AmmanCity"},
                 {"dlr_key", {{"env", "DLR"}}}},
                {{"name", "twilio"},
                 {"kind", "twilio"},
                 {"account_sid", "AC0123456789abcdef0123456789abcdef"},
                 {"auth_token", {{"env", "TWILIO_OUT"}}},
                 {"from", "+15005550006"}},
                {{"name", "infobip"},
                 {"kind", "infobip"},
                 {"base_url", "https://api.infobip.com"},
                 {"api_key", {{"env", "INFOBIP_KEY"}}},
                 {"report_user", "reports"},
                 {"report_password", {{"env", "INFOBIP_REPORTS"}}},
                 {"from", "AmmanCity"}}}}};
  auto c = parse(j, env({{"WEB2", "website-key-from-env-0002"},
                         {"STORE_URL", "sqlite:" + (dir_ / "store.db").string()},
                         {"TWILIO_IN", "twilio-inbound-token-0001"},
                         {"INFOBIP_IN", "infobip-inbound-password"},
                         {"AT_KEY", "africastalking-key-00001"},
                         {"MFEP", "efawateercom-basic-password"},
                         {"DLR", "kannel-dlr-key-000000001"},
                         {"TWILIO_OUT", "twilio-outbound-token-01"},
                         {"INFOBIP_KEY", "infobip-api-key-0000001"},
                         {"INFOBIP_REPORTS", "infobip-report-password"}}));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->website.api_keys, (std::vector<std::string>{"website-key-literal-0001", "website-key-from-env-0002"}));
  EXPECT_EQ(c->store.url, "sqlite:" + (dir_ / "store.db").string());
  EXPECT_EQ(c->inbound.kannel.key, "kannel-inbound-key-0001");
  EXPECT_EQ(c->inbound.twilio.auth_token, "twilio-inbound-token-0001");
  EXPECT_EQ(c->inbound.infobip.password, "infobip-inbound-password");
  EXPECT_EQ(c->inbound.africastalking.key, "africastalking-key-00001");
  EXPECT_EQ(c->efawateercom.basic_auth_password, "efawateercom-basic-password");
  ASSERT_EQ(c->sms.providers.size(), 3u);
  EXPECT_EQ(c->sms.providers[0].password, "kannel-sendsms-password");
  EXPECT_EQ(c->sms.providers[0].dlr_key, "kannel-dlr-key-000000001");
  EXPECT_EQ(c->sms.providers[1].auth_token, "twilio-outbound-token-01");
  EXPECT_EQ(c->sms.providers[2].api_key, "infobip-api-key-0000001");
  EXPECT_EQ(c->sms.providers[2].report_password, "infobip-report-password");
}

TEST_F(SecretRefs, AnUnreadableFileStopsTheStartNamingTheKeyAndTheFile) {
  json j = minimal();
  const std::string missing = (dir_ / "no-such-file").string();
  j["website"] = {{"api_keys", {"website-key-literal-0001", {{"file", missing}}}}};
  auto c = parse(j, env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, "invalid_config");
  EXPECT_EQ(c.error().message,
            "website.api_keys[1]: cannot read secret file " + missing + ": No such file or directory");
  // A directory is not a secret file either.
  j["website"]["api_keys"][1] = {{"file", dir_.string()}};
  c = parse(j, env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "website.api_keys[1]: cannot read secret file " + dir_.string() + ": Is a directory");
}

TEST_F(SecretRefs, AnUnsetVariableStopsTheStartNamingTheKeyAndTheVariable) {
  json j = minimal();
  j["sms"] = {{"providers",
               {{{"name", "kannel"},
                 {"kind", "kannel"},
                 {"base_url", "http://127.0.0.1:13013"},
                 {"username", "gateway"},
                 {"password", {{"env", "KANNEL_PASSWORD"}}},
                 {"from", "AmmanCity"}}}}};
  auto c = parse(j, env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "sms.providers[0].password: environment variable KANNEL_PASSWORD is not set");
}

TEST_F(SecretRefs, AMalformedReferenceIsRefusedByKey) {
  const std::string shape = R"(admin_token: must be a string, {"file": "/path"} or {"env": "NAME"})";
  for (const json& ref : {json{{"file", 1}}, json{{"file", ""}}, json{{"path", "/x"}}, json::object(),
                          json{{"file", "/x"}, {"env", "X"}}}) {
    json j = minimal();
    j["admin_token"] = ref;
    auto c = parse(j, env({{"X", "whatever-it-is-0123456"}}));
    ASSERT_FALSE(c.ok()) << ref.dump();
    EXPECT_EQ(c.error().message, shape) << ref.dump();
  }
}

TEST_F(SecretRefs, AReferenceAtAKeyThatIsNoSecretIsRefused) {
  json j = minimal();
  j["public_base_url"] = {{"env", "URL"}};
  auto c = parse(j, env({{"URL", "http://127.0.0.1:8080"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "public_base_url: must be a string");
}

TEST_F(SecretRefs, TheSecretRulesApplyToTheResolvedValue) {
  json j = minimal();
  j["admin_token"] = {{"file", file("short", "too-short\n")}};
  auto c = parse(j, env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "admin_token: must be at least 16 characters");

  j["admin_token"] = {{"env", "ADMIN"}};
  c = parse(j, env({{"ADMIN", "change-me-admin-token-0123456789"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message.rfind("admin_token: still holds the example's 'change-me' placeholder", 0), 0u)
      << c.error().message;

  j["admin_token"] = {{"file", file("empty", "\n")}};
  c = parse(j, env({}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, "admin_token: must not be empty");
}

TEST_F(SecretRefs, LoadConfigNamesTheConfigFileToo) {
  json j = minimal();
  j["exam_secret"] = {{"env", "CG_SECRET_REFS_TEST_UNSET"}};
  ::unsetenv("CG_SECRET_REFS_TEST_UNSET");
  const std::string path = file("gateway.json", j.dump());
  auto c = load_config(path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().message, path + ": exam_secret: environment variable CG_SECRET_REFS_TEST_UNSET is not set");
}

}  // namespace
}  // namespace cg::gateway
