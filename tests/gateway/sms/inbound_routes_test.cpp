// Inbound SMS over HTTP on the real gateway: for each provider, table-driven requests in
// the provider's own format (valid, bad signature or key -> 403, malformed -> 400, duplicate ->
// processed once), then the conversation through them: applying by SMS creates the same
// application as the website, STOP silences every SMS but its confirmation, the per-number cap,
// a store failure answered 5xx, and document numbers masked in what is recorded and logged.
#include <sqlite3.h>

#include <regex>
#include <sstream>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/twilio/status.hpp"
#include "adapters/ussd/africastalking/ussd.hpp"
#include "tests/gateway/gateway_fixture.hpp"

namespace cg::gateway::testing {
namespace {

constexpr const char* kKannelKey = "kannel-inbound-key-0123";
constexpr const char* kTwilioToken = "twilio-auth-token-abcdef";
constexpr const char* kInfobipUser = "infobip";
constexpr const char* kInfobipPassword = "infobip-pass:word";
constexpr const char* kUssdKey = "ussd-inbound-key-0123";

std::string enc(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

std::string form(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string out;
  for (const auto& [k, v] : fields) out += (out.empty() ? "" : "&") + enc(k) + "=" + enc(v);
  return out;
}

// Twilio's scheme, written here independently of the adapter: URL, then each parameter sorted by
// name as name + value, HMAC-SHA1 with the auth token, Base64.
std::string twilio_signature(const std::string& url, std::vector<std::pair<std::string, std::string>> fields,
                             const std::string& token = kTwilioToken) {
  std::sort(fields.begin(), fields.end());
  std::string data = url;
  for (const auto& [k, v] : fields) data += k + v;
  return crypto::base64_encode(crypto::hmac_sha1(token, data));
}

class Inbound : public GatewayTest {
 protected:
  void customise(Config& c) const override {
    c.inbound.kannel.key = kKannelKey;
    c.inbound.kannel.allowed_addresses = {"127.0.0.1"};
    c.inbound.twilio.auth_token = kTwilioToken;
    c.inbound.infobip.username = kInfobipUser;
    c.inbound.infobip.password = kInfobipPassword;
    c.conversation.max_messages_per_minute = 5;
    // One phone with more applications than the website's daily cap allows (STATUS paging).
    c.website.applications_per_phone_per_day = 100;
    c.inbound.africastalking.key = kUssdKey;
    c.inbound.africastalking.allowed_addresses = {"127.0.0.1"};
    c.public_base_url = "https://gateway.amman.jo";
    if (c.sms.providers.empty()) {  // the file adapter, as parse_config defaults it
      SmsProviderConfig file;
      file.name = "file";
      file.kind = "file";
      file.path = c.outbox.file.path;
      c.sms.providers.push_back(file);
    }
  }

  test::HttpResponse send(const std::string& method, const std::string& path, const std::string& body = "",
                          test::HeaderList headers = {}) {
    auto r = client_.request(method, base_ + path, headers, body);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : test::HttpResponse{};
  }

  // smsbox's get-url: from=%p&to=%P&text=%a&id=%I&ts=%T plus our key.
  test::HttpResponse kannel(const std::string& from, const std::string& text, const std::string& id,
                            const std::string& key = kKannelKey) {
    return send(
        "GET",
        "/v1/sms/kannel/inbound?" +
            form({{"key", key}, {"from", from}, {"to", "94123"}, {"text", text}, {"id", id}, {"ts", "1795000000"}}));
  }

  // A sequence of messages from one number, each with a fresh id, 15 seconds apart (as a person
  // types them: within the per-number cap).
  void say(const std::string& from, const std::vector<std::string>& texts) {
    for (const auto& t : texts) {
      auto r = kannel(from, t, "id-" + std::to_string(++next_id_));
      ASSERT_EQ(r.status, 200) << t << ": " << r.body;
      clock_.advance(std::chrono::seconds(15));
    }
  }

  std::vector<json> sms_to(const std::string& phone) {
    std::vector<json> out;
    for (auto& l : outbox())
      if (l["to"] == phone) out.push_back(l);
    return out;
  }
  std::vector<std::string> templates_to(const std::string& phone) {
    std::vector<std::string> out;
    for (auto& l : sms_to(phone)) out.push_back(l["template"]);
    return out;
  }
  // kPhone applies on the website to `n` new courses C1 ... Cn, in that order.
  void apply_to_new_courses(int n) {
    for (int i = 1; i <= n; ++i) {
      auto course = create_course({{"code", "C" + std::to_string(i)}});
      json body = person(i);
      body["phone"] = "0791234567";  // kPhone
      body["course_id"] = course;
      ASSERT_EQ(call("POST", "/v1/applications", body.dump()).status, 201);
    }
  }

  int next_id_ = 0;
};

const std::string kPhone = "+962791234567";

// ---- Kannel ------------------------------------------------------------------------------------

TEST_F(Inbound, KannelRequestsTableDriven) {
  struct Case {
    const char* name;
    std::string method;
    std::string target;
    std::string body;
    std::string content_type;
    long status;
    int replies;  // conversation replies that must reach +962791234567 because of it
  };
  std::string ok_query = form({{"key", kKannelKey},
                               {"from", "+962791234567"},
                               {"to", "94123"},
                               {"text", "مساعدة"},
                               {"id", "a1b2c3d4-0001"},
                               {"ts", "1795000000"}});
  const Case cases[] = {
      {"valid GET in Arabic", "GET", "/v1/sms/kannel/inbound?" + ok_query, "", "", 200, 1},
      {"duplicate of the same id", "GET", "/v1/sms/kannel/inbound?" + ok_query, "", "", 200, 0},
      {"valid POST form, local number form", "POST", "/v1/sms/kannel/inbound?key=" + std::string(kKannelKey),
       form({{"from", "0791234567"}, {"to", "94123"}, {"text", "HELP"}, {"id", "a1b2c3d4-0002"}}),
       "application/x-www-form-urlencoded", 200, 1},
      {"UTF-16BE text with charset (no mo-recode)", "GET",
       "/v1/sms/kannel/inbound?" + form({{"key", kKannelKey},
                                         {"from", "962791234567"},
                                         {"text", std::string("\x06\x45\x06\x33\x06\x27\x06\x39\x06\x2F\x06\x29", 12)},
                                         {"charset", "UTF-16BE"},
                                         {"id", "a1b2c3d4-0003"}}),
       "", "", 200, 1},
      {"wrong key", "GET",
       "/v1/sms/kannel/inbound?" + form({{"key", "nope"}, {"from", "+962791234567"}, {"text", "HELP"}, {"id", "x1"}}),
       "", "", 403, 0},
      {"no key", "GET", "/v1/sms/kannel/inbound?" + form({{"from", "+962791234567"}, {"text", "HELP"}, {"id", "x2"}}),
       "", "", 403, 0},
      {"no id", "GET",
       "/v1/sms/kannel/inbound?" + form({{"key", kKannelKey}, {"from", "+962791234567"}, {"text", "HELP"}}), "", "",
       400, 0},
      {"no text", "GET",
       "/v1/sms/kannel/inbound?" + form({{"key", kKannelKey}, {"from", "+962791234567"}, {"id", "x3"}}), "", "", 400,
       0},
      {"text not UTF-8", "GET",
       "/v1/sms/kannel/inbound?key=" + std::string(kKannelKey) + "&from=%2B962791234567&id=x4&text=%FF%FE", "", "", 400,
       0},
      {"odd UTF-16BE", "GET",
       "/v1/sms/kannel/inbound?" + form({{"key", kKannelKey},
                                         {"from", "+962791234567"},
                                         {"text", "abc"},
                                         {"charset", "UTF-16BE"},
                                         {"id", "x5"}}),
       "", "", 400, 0},
      {"unknown charset", "GET",
       "/v1/sms/kannel/inbound?" +
           form(
               {{"key", kKannelKey}, {"from", "+962791234567"}, {"text", "HELP"}, {"charset", "KOI8-R"}, {"id", "x6"}}),
       "", "", 400, 0},
      {"ts not a number", "GET",
       "/v1/sms/kannel/inbound?" +
           form({{"key", kKannelKey}, {"from", "+962791234567"}, {"text", "HELP"}, {"id", "x7"}, {"ts", "yesterday"}}),
       "", "", 400, 0},
      {"id twice, different", "GET",
       "/v1/sms/kannel/inbound?" +
           form({{"key", kKannelKey}, {"from", "+962791234567"}, {"text", "HELP"}, {"id", "x8"}, {"id", "x9"}}),
       "", "", 400, 0},
  };
  int expected = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    test::HeaderList h;
    if (!c.content_type.empty()) h.emplace_back("Content-Type", c.content_type);
    auto r = send(c.method, c.target, c.body, h);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (c.status == 200) {
      EXPECT_EQ(r.body, "") << "smsbox would send a non-empty answer as an SMS";
    }
    expected += c.replies;
    EXPECT_EQ(static_cast<int>(sms_to(kPhone).size()), expected);
  }
  // The UTF-16BE message was decoded: "مساعدة" is HELP in Arabic.
  auto all = sms_to(kPhone);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2]["template"], "sms_help");
  EXPECT_EQ(all[2]["language"], "ar");
}

// Kannel delivers by GET; a HEAD of the same URL (a proxy, a link checker) delivers nothing and
// does not use up the message id.
TEST_F(Inbound, AHeadOfKannelsUrlDeliversNothing) {
  create_course();
  const std::string query =
      form({{"key", kKannelKey}, {"from", kPhone}, {"to", "94123"}, {"text", "JOIN 101"}, {"id", "head-1"}});
  auto head = send("HEAD", "/v1/sms/kannel/inbound?" + query);
  EXPECT_EQ(head.status, 405);
  EXPECT_EQ(head.header("Allow"), std::optional<std::string>("GET, POST"));
  EXPECT_EQ(send("HEAD", "/v1/sms/kannel/status?" + form({{"key", "k"}, {"id", "1"}, {"status", "1"}})).status, 405);
  EXPECT_TRUE(sms_to(kPhone).empty());
  EXPECT_EQ(send("GET", "/v1/sms/kannel/inbound?" + query).status, 200);
  EXPECT_EQ(templates_to(kPhone), std::vector<std::string>{"sms_ask_name"});
}

TEST_F(Inbound, KannelAddressNotAllowedIsForbidden) {
  sms::kannel::InboundSettings s{kKannelKey, {"10.1.2.3"}};
  sms::Params q{{"key", kKannelKey}};
  EXPECT_EQ(sms::kannel::authenticate_inbound(s, "127.0.0.1", q).error().code, "forbidden");
  EXPECT_TRUE(sms::kannel::authenticate_inbound(s, "10.1.2.3", q).ok());
  EXPECT_EQ(sms::kannel::authenticate_inbound(sms::kannel::InboundSettings{}, "10.1.2.3", q).error().code,
            "not_configured");
  // Addresses compare as addresses: a dual-stack listener reports IPv4 peers as IPv4-mapped IPv6.
  EXPECT_TRUE(sms::kannel::authenticate_inbound(s, "::ffff:10.1.2.3", q).ok());
  EXPECT_EQ(sms::kannel::authenticate_inbound(s, "::ffff:10.1.2.4", q).error().code, "forbidden");
  sms::kannel::InboundSettings v6{kKannelKey, {"0:0:0:0:0:0:0:1", "not an address"}};
  EXPECT_TRUE(sms::kannel::authenticate_inbound(v6, "::1", q).ok());
  EXPECT_EQ(sms::kannel::authenticate_inbound(v6, "not an address", q).error().code, "forbidden");
}

TEST(AllowedAddresses, UssdComparesAddressesNotText) {
  ussd::africastalking::Settings s;
  s.key = "k";
  s.allowed_addresses = {"10.0.0.5"};
  sms::Params q{{"key", "k"}};
  EXPECT_TRUE(ussd::africastalking::authenticate(s, "::ffff:10.0.0.5", q).ok());
  EXPECT_TRUE(ussd::africastalking::authenticate(s, "10.0.0.5", q).ok());
  EXPECT_EQ(ussd::africastalking::authenticate(s, "10.0.0.50", q).error().code, "forbidden");
}

TEST(AllowedAddresses, AListIsReadOnceAndKeepsItsText) {
  const sms::AddressList list{"10.0.0.5", "2001:db8::1", "smsbox.local"};
  EXPECT_FALSE(list.empty());
  EXPECT_EQ(list.texts(), (std::vector<std::string>{"10.0.0.5", "2001:db8::1", "smsbox.local"}));
  EXPECT_TRUE(list.contains("10.0.0.5"));
  EXPECT_TRUE(list.contains("::ffff:10.0.0.5"));
  EXPECT_TRUE(list.contains("2001:0db8:0:0:0:0:0:1"));
  EXPECT_FALSE(list.contains("10.0.0.6"));
  EXPECT_FALSE(list.contains("smsbox.local"));  // not an address: matches no peer
  EXPECT_FALSE(list.contains(""));
  // A list of nothing but names is still a list: it admits no one (an empty one admits anyone).
  const sms::AddressList names{"smsbox.local"};
  EXPECT_FALSE(names.empty());
  EXPECT_FALSE(names.contains("127.0.0.1"));
  EXPECT_TRUE(sms::AddressList{}.empty());
}

// ---- Twilio ------------------------------------------------------------------------------------

TEST_F(Inbound, TwilioRequestsTableDriven) {
  const std::string path = "/v1/sms/twilio/inbound";
  const std::string url = "https://gateway.amman.jo" + path;
  using Fields = std::vector<std::pair<std::string, std::string>>;
  auto twilio = [](std::string sid, std::string body) {
    return Fields{{"MessageSid", sid},
                  {"SmsSid", sid},
                  {"AccountSid", "AC0123456789abcdef"},
                  {"From", "+962791234567"},
                  {"To", "+14155550100"},
                  {"Body", body},
                  {"NumMedia", "0"},
                  {"NumSegments", "1"},
                  {"SmsStatus", "received"},
                  {"ApiVersion", "2010-04-01"},
                  {"FromCountry", "JO"}};
  };
  struct Case {
    const char* name;
    Fields fields;
    std::string signature;  // "" = sign correctly
    std::string content_type;
    long status;
    int replies;
  };
  Fields valid = twilio("SM00000000000000000000000000000001", "STATUS");
  Fields missing_from = twilio("SM00000000000000000000000000000002", "HELP");
  missing_from.erase(
      std::remove_if(missing_from.begin(), missing_from.end(), [](const auto& f) { return f.first == "From"; }),
      missing_from.end());
  const Case cases[] = {
      {"valid", valid, "", "application/x-www-form-urlencoded", 200, 1},
      {"duplicate MessageSid", valid, "", "application/x-www-form-urlencoded", 200, 0},
      {"bad signature", twilio("SM03", "HELP"), "AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "application/x-www-form-urlencoded",
       403, 0},
      {"signed with another token", twilio("SM04", "HELP"),
       twilio_signature(url, twilio("SM04", "HELP"), "another-token"), "application/x-www-form-urlencoded", 403, 0},
      {"no signature", twilio("SM05", "HELP"), "-", "application/x-www-form-urlencoded", 403, 0},
      {"signed but no From", missing_from, "", "application/x-www-form-urlencoded", 400, 0},
      {"JSON instead of a form", twilio("SM06", "HELP"), "", "application/json", 415, 0},
      {"Arabic body", twilio("SM07", "دورات"), "", "application/x-www-form-urlencoded", 200, 1},
  };
  int expected = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    test::HeaderList h{{"Content-Type", c.content_type}};
    if (c.signature != "-")
      h.emplace_back("X-Twilio-Signature", c.signature.empty() ? twilio_signature(url, c.fields) : c.signature);
    auto r = send("POST", path, form(c.fields), h);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (c.status == 200) {
      EXPECT_EQ(r.body, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response/>");
      EXPECT_NE(r.header("Content-Type").value_or("").find("text/xml"), std::string::npos);
    }
    expected += c.replies;
    EXPECT_EQ(static_cast<int>(sms_to(kPhone).size()), expected);
  }
  auto all = sms_to(kPhone);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0]["template"], "sms_no_applications");
  EXPECT_EQ(all[0]["language"], "en");
}

TEST_F(Inbound, TwilioSignatureCoversTheQueryOfThePublicUrl) {
  const std::string path = "/v1/sms/twilio/inbound?tenant=amman";
  std::vector<std::pair<std::string, std::string>> f{
      {"MessageSid", "SM10"}, {"From", "+962791234567"}, {"To", "+14155550100"}, {"Body", "HELP"}};
  auto signed_for = [&](const std::string& url) {
    return send(
        "POST", path, form(f),
        {{"Content-Type", "application/x-www-form-urlencoded"}, {"X-Twilio-Signature", twilio_signature(url, f)}});
  };
  // The URL the gateway sees (http://127.0.0.1:port) is not the one Twilio signed.
  EXPECT_EQ(signed_for(base_ + path).status, 403);
  EXPECT_EQ(signed_for("https://gateway.amman.jo" + path).status, 200);
  // Signed with the default port written out (public_base_url has none): the same URL.
  f[0].second = "SM11";
  EXPECT_EQ(signed_for("https://gateway.amman.jo:443" + path).status, 200);
  f[0].second = "SM12";
  EXPECT_EQ(signed_for("https://gateway.amman.jo:8443" + path).status, 403);
  EXPECT_EQ(signed_for("http://gateway.amman.jo:443" + path).status, 403);
}

TEST(TwilioUrl, TheOtherPortFormOfAUrl) {
  using sms::twilio::url_other_port_form;
  EXPECT_EQ(url_other_port_form("https://gw.amman.jo/v1/x?a=1"), "https://gw.amman.jo:443/v1/x?a=1");
  EXPECT_EQ(url_other_port_form("https://gw.amman.jo:443/v1/x"), "https://gw.amman.jo/v1/x");
  EXPECT_EQ(url_other_port_form("http://gw.amman.jo"), "http://gw.amman.jo:80");
  EXPECT_EQ(url_other_port_form("http://gw.amman.jo:80?x"), "http://gw.amman.jo?x");
  EXPECT_EQ(url_other_port_form("https://[2001:db8::1]/p"), "https://[2001:db8::1]:443/p");
  EXPECT_EQ(url_other_port_form("https://[2001:db8::1]:443/p"), "https://[2001:db8::1]/p");
  EXPECT_EQ(url_other_port_form("https://gw.amman.jo:8443/p"), std::nullopt);
  EXPECT_EQ(url_other_port_form("http://gw.amman.jo:443/p"), std::nullopt);
  EXPECT_EQ(url_other_port_form("ftp://gw.amman.jo/p"), std::nullopt);
  EXPECT_EQ(url_other_port_form("https:///p"), std::nullopt);
}

// ---- Infobip -----------------------------------------------------------------------------------

TEST_F(Inbound, InfobipRequestsTableDriven) {
  auto result = [](std::string id, std::string from, std::string text) {
    return json{{"messageId", id},
                {"from", from},
                {"to", "962790000000"},
                {"text", text},
                {"cleanText", text},
                {"keyword", ""},
                {"receivedAt", "2026-11-25T10:00:00.000+0000"},
                {"smsCount", 1},
                {"price", {{"pricePerMessage", 0}, {"currency", "EUR"}}},
                {"callbackData", nullptr}};
  };
  auto batch = [](std::vector<json> results) {
    return json{{"results", results}, {"messageCount", results.size()}, {"pendingMessageCount", 0}}.dump();
  };
  const std::string basic = "Basic " + crypto::base64_encode(std::string(kInfobipUser) + ":" + kInfobipPassword);
  struct Case {
    const char* name;
    std::string body;
    std::string authorization;
    long status;
    int replies;
  };
  std::string two = batch({result("ib-1", "962791234567", "HELP"), result("ib-2", "962791234567", "مساعدة")});
  const Case cases[] = {
      {"a batch of two", two, basic, 200, 2},
      {"the same batch again", two, basic, 200, 0},
      {"one new, one seen", batch({result("ib-2", "962791234567", "مساعدة"), result("ib-3", "962791234567", "AR")}),
       basic, 200, 1},
      {"wrong password", batch({result("ib-4", "962791234567", "HELP")}),
       "Basic " + crypto::base64_encode(std::string(kInfobipUser) + ":wrong"), 403, 0},
      {"no credentials", batch({result("ib-5", "962791234567", "HELP")}), "", 403, 0},
      {"not JSON", "{\"results\": [", basic, 400, 0},
      {"results not a list", R"({"results": {"messageId": "ib-6"}})", basic, 400, 0},
      {"a result without messageId", batch({json{{"from", "962791234567"}, {"text", "HELP"}}}), basic, 400, 0},
      {"one bad result does not hold back the others",
       batch({result("ib-7", "962791234567", "HELP"), json{{"messageId", 7}, {"from", "962791234567"}, {"text", "x"}}}),
       basic, 200, 1},
      {"a batch with nothing readable", batch({json{{"messageId", "ib-8"}, {"from", "962791234567"}, {"text", 5}}}),
       basic, 400, 0},
      // From here on a second number: the first has reached the per-minute cap of this fixture.
      {"text null, cleanText given",
       batch({json{{"messageId", "ib-9"}, {"from", "962791234568"}, {"text", nullptr}, {"cleanText", "HELP"}}}), basic,
       200, 1},
      {"the scheme name in lower case", batch({result("ib-10", "962791234568", "HELP")}),
       "basic " + crypto::base64_encode(std::string(kInfobipUser) + ":" + kInfobipPassword), 200, 1},
  };
  auto replies = [&] { return static_cast<int>(sms_to(kPhone).size() + sms_to("+962791234568").size()); };
  int expected = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    test::HeaderList h{{"Content-Type", "application/json"}};
    if (!c.authorization.empty()) h.emplace_back("Authorization", c.authorization);
    auto r = send("POST", "/v1/sms/infobip/inbound", c.body, h);
    EXPECT_EQ(r.status, c.status) << r.body;
    expected += c.replies;
    EXPECT_EQ(replies(), expected);
  }
  // The answer names each result it could not read; those were not kept, so when one comes again
  // readable it is new, while its readable neighbour is a duplicate.
  const test::HeaderList headers{{"Content-Type", "application/json"}, {"Authorization", basic}};
  auto r = send("POST", "/v1/sms/infobip/inbound",
                batch({result("ib-11", "962791234568", "HELP"),
                       json{{"messageId", "ib-12"}, {"from", "962791234568"}, {"text", {"HELP"}}}}),
                headers);
  ASSERT_EQ(r.status, 200) << r.body;
  json answer = json::parse(r.body);
  EXPECT_EQ(answer["received"], 1);
  ASSERT_EQ(answer["rejected"].size(), 1u) << r.body;
  EXPECT_EQ(answer["rejected"][0]["index"], 1);
  EXPECT_EQ(answer["rejected"][0]["messageId"], "ib-12");
  EXPECT_NE(answer["rejected"][0]["error"].get<std::string>().find("results[1].text"), std::string::npos) << r.body;
  expected += 1;
  EXPECT_EQ(replies(), expected);
  r = send("POST", "/v1/sms/infobip/inbound",
           batch({result("ib-11", "962791234568", "HELP"), result("ib-12", "962791234568", "HELP")}), headers);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body)["duplicates"], 1);
  EXPECT_EQ(json::parse(r.body)["rejected"].size(), 0u);
  EXPECT_EQ(replies(), expected + 1);
}

// ---- the conversation through the endpoints -----------------------------------------------------

TEST_F(Inbound, ApplyingBySmsCreatesTheSameApplicationAsTheWebsite) {
  auto course = create_course();
  say(kPhone, {"تسجيل ١٠١", "سارة   أحمد", "١", "٩٨٧١٢٣٤٥٦٧"});
  EXPECT_EQ(templates_to(kPhone), (std::vector<std::string>{"sms_ask_name", "sms_ask_id_type", "sms_ask_national_id",
                                                            "sms_confirm_national_id"}));
  std::string summary = sms_to(kPhone).back()["text"];
  EXPECT_NE(summary.find("*******567"), std::string::npos) << summary;
  EXPECT_EQ(summary.find("9871234567"), std::string::npos) << summary;
  say(kPhone, {"نعم"});
  auto last = sms_to(kPhone).back();
  EXPECT_EQ(last["template"], "application_received");
  EXPECT_EQ(last["language"], "ar");
  std::string id = last["application_id"];
  auto view = call("GET", "/v1/applications/" + id);
  ASSERT_EQ(view.status, 200);
  json app = json::parse(view.body);
  EXPECT_EQ(app["channel"], "sms");
  EXPECT_EQ(app["state"], "awaiting_quorum");
  EXPECT_EQ(app["applicant"]["name"], "سارة أحمد");
  EXPECT_EQ(app["applicant"]["id_type"], "national_id");
  EXPECT_EQ(app["course_id"], course);
  // The website's duplicate rule holds across channels.
  json web = person(1);
  web["id_number"] = "9871234567";
  web["course_id"] = course;
  EXPECT_EQ(call("POST", "/v1/applications", web.dump()).status, 409);
  // STATUS and CANCEL by SMS.
  say(kPhone, {"حالة"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_status");
  say(kPhone, {"الغاء ١٠١"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "cancelled");
  EXPECT_EQ(state_of(id), "cancelled");
  // A second JOIN with a known number only asks to confirm.
  say(kPhone, {"JOIN 101"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_confirm_national_id");
  EXPECT_EQ(sms_to(kPhone).back()["language"], "ar");
}

// A dialogue abandoned half-way holds the applicant's name and document number: the scheduler's
// housekeeping clears them once the dialogue has expired, and keeps the number's language.
TEST_F(Inbound, AnAbandonedDialogueForgetsTheDocumentNumberWhenItExpires) {
  create_course();
  say(kPhone, {"JOIN 101", "Sara Ahmad", "1", "9871234567"});
  ASSERT_EQ(templates_to(kPhone).back(), "sms_confirm_national_id");
  auto stored = [&] {
    std::string state;
    EXPECT_TRUE(app_->store()
                    .read([&](store::Tx& tx) -> Status {
                      auto row = tx.session("sms:" + std::string(kPhone));
                      if (!row) return row.error();
                      if (*row) state = (*row)->state;
                      return ok_status();
                    })
                    .ok());
    return state;
  };
  ASSERT_NE(stored().find("9871234567"), std::string::npos) << stored();
  // Not yet expired: kept, the applicant may still answer.
  clock_.advance(std::chrono::minutes(20));
  auto early = app_->conversation().forget_expired_dialogues(clock_.now());
  ASSERT_TRUE(early.ok()) << early.error().message;
  EXPECT_EQ(*early, 0u);
  EXPECT_NE(stored().find("9871234567"), std::string::npos);
  clock_.advance(std::chrono::minutes(11));
  auto forgotten = app_->conversation().forget_expired_dialogues(clock_.now());
  ASSERT_TRUE(forgotten.ok()) << forgotten.error().message;
  EXPECT_EQ(*forgotten, 1u);
  const std::string after = stored();
  EXPECT_EQ(after.find("9871234567"), std::string::npos) << after;
  EXPECT_EQ(after.find("Sara"), std::string::npos) << after;
  EXPECT_NE(after.find("\"lang\":\"en\""), std::string::npos) << after;
  // The next message starts afresh, in the language the number chose.
  say(kPhone, {"HELP"});
  EXPECT_EQ(sms_to(kPhone).back()["language"], "en");
}

// Free text end to end: applying in the applicant's own words, a language change that the card's
// notifications about the live application follow, and a cancel that waits for YES.
TEST_F(Inbound, FreeTextAppliesChangesLanguageAndCancelsOnlyAfterYes) {
  create_course();
  say(kPhone, {"السلام عليكم، بدي اسجل بدورة ١٠١", "سارة أحمد", "١", "٩٨٧١٢٣٤٥٦٧", "اه"});
  auto last = sms_to(kPhone).back();
  ASSERT_EQ(last["template"], "application_received");
  EXPECT_EQ(last["language"], "ar");
  std::string id = last["application_id"];
  say(kPhone, {"English please"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_language_set");
  json app = json::parse(call("GET", "/v1/applications/" + id).body);
  EXPECT_EQ(app["applicant"]["language"], "en");
  say(kPhone, {"sorry I can't attend 101 anymore"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_confirm_cancel");
  EXPECT_EQ(state_of(id), "awaiting_quorum");  // nothing cancelled before YES
  say(kPhone, {"no"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_not_done");
  EXPECT_EQ(state_of(id), "awaiting_quorum");
  say(kPhone, {"please cancel my application for 101", "yes"});
  last = sms_to(kPhone).back();
  EXPECT_EQ(last["template"], "cancelled");
  EXPECT_EQ(last["language"], "en");  // the card's own notification, in the language chosen since
  EXPECT_EQ(state_of(id), "cancelled");
  // "الغاء الاشتراك" is an unsubscribe: STOP at once, not a cancel of a course.
  say(kPhone, {"الغاء الاشتراك"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_stopped");
}

// The course codes an SMS lists ("C3 title - free" lines).
std::vector<std::string> listed_codes(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(at, end - at);
    if (line.size() > 2 && line[0] == 'C' && std::isdigit(static_cast<unsigned char>(line[1])))
      out.push_back(line.substr(0, line.find(' ')));
    at = end + 1;
  }
  return out;
}

// MORE goes on after the last course shown, through the store's order and the saved dialogue, also
// when a course before it has left the list in between (here: it started).
TEST_F(Inbound, MoreGoesOnAfterTheLastCourseShownWhenAnEarlierOneCloses) {
  for (int i = 1; i <= 8; ++i) {
    std::string day = std::to_string(25 + i);
    if (day.size() < 2) day = "0" + day;
    std::string start = i <= 5 ? "2026-11-" + day : "2026-12-0" + std::to_string(i - 5);
    create_course({{"code", "C" + std::to_string(i)},
                   {"start_at", start + "T10:00:00+03:00"},
                   {"end_at", start + "T13:00:00+03:00"},
                   {"evaluation_url", "https://amman.jo/eval/c" + std::to_string(i)}});
  }
  say(kPhone, {"COURSES"});
  auto page = sms_to(kPhone).back();
  ASSERT_EQ(page["template"], "sms_courses_more") << page.dump();
  std::vector<std::string> first = listed_codes(page["text"]);
  ASSERT_GE(first.size(), 2u) << page.dump();
  ASSERT_LT(first.size(), 8u) << page.dump();
  EXPECT_EQ(first.front(), "C1");
  // C1 starts: it leaves the open list, which shifts every later course one place up.
  clock_.advance(std::chrono::hours(23));
  say(kPhone, {"MORE"});
  std::vector<std::string> second = listed_codes(sms_to(kPhone).back()["text"]);
  ASSERT_FALSE(second.empty()) << sms_to(kPhone).back().dump();
  EXPECT_EQ(second.front(), "C" + std::to_string(first.size() + 1)) << "a course was skipped";
}

// STATUS pages like COURSES: a page that leaves applications out says how many, and MORE (which
// makes the gateway load the applications, not the courses) shows the rest.
TEST_F(Inbound, StatusSaysHowManyMoreAndMoreShowsThem) {
  apply_to_new_courses(5);
  if (HasFatalFailure()) return;
  say(kPhone, {"حالة"});
  auto first = sms_to(kPhone).back();
  ASSERT_EQ(first["template"], "sms_status_more") << first.dump();
  std::vector<std::string> seen = listed_codes(first["text"]);
  ASSERT_FALSE(seen.empty());
  for (int page = 0; page < 5 && sms_to(kPhone).back()["template"] == "sms_status_more"; ++page) {
    say(kPhone, {"المزيد"});
    for (const auto& code : listed_codes(sms_to(kPhone).back()["text"])) seen.push_back(code);
  }
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_status");
  EXPECT_EQ(seen, (std::vector<std::string>{"C5", "C4", "C3", "C2", "C1"}));
  say(kPhone, {"المزيد"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_no_more_status");
}

// STATUS reaches every application of the number, not only the 20 most recent that JOIN and CANCEL
// look through; the first page's count of the rest counts them all.
TEST_F(Inbound, StatusPagesThroughMoreThanTwentyApplications) {
  constexpr int kApplications = 23;
  apply_to_new_courses(kApplications);
  if (HasFatalFailure()) return;
  say(kPhone, {"STATUS"});
  auto first = sms_to(kPhone).back();
  ASSERT_EQ(first["template"], "sms_status_more") << first.dump();
  std::vector<std::string> seen = listed_codes(first["text"]);
  ASSERT_FALSE(seen.empty());
  const std::string rest = std::to_string(kApplications - static_cast<int>(seen.size()));
  EXPECT_NE(first["text"].get<std::string>().find("(" + rest + " more)"), std::string::npos) << first.dump();
  for (int page = 0; page < 30 && sms_to(kPhone).back()["template"] == "sms_status_more"; ++page) {
    say(kPhone, {"MORE"});
    for (const auto& code : listed_codes(sms_to(kPhone).back()["text"])) seen.push_back(code);
  }
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_status");
  std::vector<std::string> expected;
  for (int i = kApplications; i >= 1; --i) expected.push_back("C" + std::to_string(i));
  EXPECT_EQ(seen, expected);
}

// At the name step "تسجيل محمد" / "Join Smith" is a name (no open course has that code), while a
// real code still switches: the gateway loads what core checks.
TEST_F(Inbound, ANameThatStartsWithJoinIsTheNameUnlessItNamesACourse) {
  create_course();
  create_course({{"code", "ART"}});
  say(kPhone, {"تسجيل ١٠١", "تسجيل محمد", "١", "٩٨٧١٢٣٤٥٦٧", "نعم"});
  auto last = sms_to(kPhone).back();
  ASSERT_EQ(last["template"], "application_received") << last.dump();
  auto app = json::parse(call("GET", "/v1/applications/" + last["application_id"].get<std::string>()).body);
  EXPECT_EQ(app["applicant"]["name"], "تسجيل محمد");
  const std::string other = "+962791234568";
  say(other, {"JOIN 101", "Join art"});
  EXPECT_EQ(templates_to(other), (std::vector<std::string>{"sms_ask_name", "sms_ask_name"}));
  EXPECT_NE(sms_to(other).back()["text"].get<std::string>().find("(ART)"), std::string::npos);
  say(other, {"Join Smith"});
  EXPECT_EQ(sms_to(other).back()["template"], "sms_ask_id_type");
}

TEST_F(Inbound, ARefusedApplicationIsAnsweredNotSilent) {
  create_course({{"start_at", "2026-11-25T12:10:00+03:00"}, {"end_at", "2026-11-26T12:00:00+03:00"}});
  say(kPhone, {"JOIN 101", "Lina Haddad", "2", "N1234567"});
  clock_.advance(std::chrono::minutes(15));  // the course starts before the YES
  say(kPhone, {"YES"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_course_closed");
}

// Codes are kept as the operator wrote them; applicants type them in any case, also a mixed-case
// code in another mix. So a code that differs from another only in case is refused at creation.
TEST_F(Inbound, ACourseCodeMatchesInAnyCase) {
  auto mixed = create_course({{"code", "Ar-Eng1"}});
  say(kPhone, {"join ar-eng1", "Lina Haddad", "2", "N1234567", "YES"});
  auto last = sms_to(kPhone).back();
  ASSERT_EQ(last["template"], "application_received") << last.dump();
  EXPECT_EQ(json::parse(call("GET", "/v1/applications/" + last["application_id"].get<std::string>()).body)["course_id"],
            mixed);

  json twin{{"code", "AR-ENG1"},
            {"title_ar", "دورة"},
            {"title_en", "A course"},
            {"location", "Amman"},
            {"start_at", "2026-12-10T16:00:00+03:00"},
            {"end_at", "2026-12-14T19:00:00+03:00"},
            {"min_participants", 3},
            {"fee_jod", "0.000"},
            {"evaluation_url", "https://amman.jo/eval/1"}};
  auto refused = admin("POST", "/v1/admin/courses", twin.dump());
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.body.find("differs only in case"), std::string::npos) << refused.body;
  twin["code"] = "Ar-Eng2";
  EXPECT_EQ(admin("POST", "/v1/admin/courses", twin.dump()).status, 201);
}

TEST_F(Inbound, StopSilencesEverySmsButItsConfirmationUntilStart) {
  auto course = create_course();
  say(kPhone, {"JOIN 101", "Lina Haddad", "1", "9871234567", "YES"});
  auto before = sms_to(kPhone).size();
  say(kPhone, {"STOP"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_stopped");
  say(kPhone, {"STOP", "HELP", "COURSES"});
  EXPECT_EQ(sms_to(kPhone).size(), before + 1);
  // The card's own notifications are held back too: quorum approves, but no SMS goes to him.
  apply_ok(course, 2);
  apply_ok(course, 3);
  EXPECT_EQ(sms_to(kPhone).size(), before + 1);
  EXPECT_EQ(templates_for(sms_to(phone_of(2)).back()["application_id"]).back(), "approved");
  say(kPhone, {"START"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_started");
  say(kPhone, {"STATUS"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_status");
  // Survives a restart: the flag is durable.
  say(kPhone, {"STOP"});
  restart();
  say(kPhone, {"HELP"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_stopped");
}

TEST_F(Inbound, OverTheCapMessagesAreRecordedButNotAnswered) {
  auto burst = [&](const std::string& from, int n) {
    for (int i = 0; i < n; ++i) ASSERT_EQ(kannel(from, "HELP", "burst-" + std::to_string(++next_id_)).status, 200);
  };
  burst(kPhone, 5);  // the cap is 5 a minute
  EXPECT_EQ(sms_to(kPhone).size(), 5u);
  burst(kPhone, 3);
  EXPECT_EQ(sms_to(kPhone).size(), 5u);
  burst("+962781111111", 1);  // another number is not affected
  EXPECT_EQ(sms_to("+962781111111").size(), 1u);
  clock_.advance(std::chrono::seconds(61));
  burst(kPhone, 1);
  EXPECT_EQ(sms_to(kPhone).size(), 6u);
}

// STOP over the cap gets no reply (nothing is sent to a capped number) but is honoured: once the
// number is under the cap again it still gets nothing, until START.
TEST_F(Inbound, StopOverTheCapIsHonouredSilently) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(kannel(kPhone, "HELP", "cap-" + std::to_string(i)).status, 200);
  ASSERT_EQ(sms_to(kPhone).size(), 5u);
  ASSERT_EQ(kannel(kPhone, "توقف", "cap-stop").status, 200);
  ASSERT_EQ(kannel(kPhone, "JOIN 101", "cap-join").status, 200);  // over the cap, not STOP: nothing
  EXPECT_EQ(sms_to(kPhone).size(), 5u);
  clock_.advance(std::chrono::seconds(61));
  say(kPhone, {"HELP"});
  EXPECT_EQ(sms_to(kPhone).size(), 5u) << "opted out";
  say(kPhone, {"START"});
  ASSERT_EQ(sms_to(kPhone).size(), 6u);
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_started");
}

// The cap counts every message of the last minute, the unanswered ones too: a number that keeps
// sending faster than the cap stays capped, through a restart, until it slows down. A provider's
// retry of a message already counted is not counted again.
TEST_F(Inbound, ANumberThatKeepsSendingStaysCappedUntilItSlowsDown) {
  int answered = 0;
  auto send_one = [&](const std::string& id) { ASSERT_EQ(kannel(kPhone, "HELP", id).status, 200); };
  for (int i = 0; i < 5; ++i) send_one("first-" + std::to_string(i));
  EXPECT_EQ(sms_to(kPhone).size(), 5u);
  answered = 5;
  // The provider retries the fifth: a duplicate, neither answered nor counted.
  send_one("first-4");
  // One every 10 seconds for three minutes: 6 a minute, all over the cap. Halfway, a restart.
  for (int i = 0; i < 18; ++i) {
    clock_.advance(std::chrono::seconds(10));
    if (i == 9) restart();
    send_one("steady-" + std::to_string(i));
    EXPECT_EQ(sms_to(kPhone).size(), static_cast<std::size_t>(answered)) << "message " << i;
  }
  // From 60 s on, only unanswered messages were in the window, and they kept the number capped.
  // 45 s after the last of them, the window holds two: answered again.
  clock_.advance(std::chrono::seconds(45));
  send_one("slower");
  EXPECT_EQ(sms_to(kPhone).size(), static_cast<std::size_t>(answered + 1));
  EXPECT_EQ(sms_to(kPhone).back()["template"], "sms_help");
  // Every message is on record once, with what was done with it.
  app_->stop();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ / "gateway.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT outcome, COUNT(*) FROM inbound_messages GROUP BY outcome ORDER BY outcome",
                               -1, &st, nullptr),
            SQLITE_OK);
  std::vector<std::string> outcomes;
  while (sqlite3_step(st) == SQLITE_ROW)
    outcomes.push_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) + " " +
                       std::to_string(sqlite3_column_int(st, 1)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"processed 6", "rate_limited 18"}));
}

// A message over the cap changes nothing in the conversation: the YES it carries does not confirm,
// and the dialogue waits where it was until the number is under the cap again.
TEST_F(Inbound, AMessageOverTheCapLeavesTheDialogueWhereItWas) {
  auto course = create_course();
  for (const char* text : {"JOIN 101", "Lina Haddad", "1", "9871234567", "HELP"})
    ASSERT_EQ(kannel(kPhone, text, "d-" + std::to_string(++next_id_)).status, 200);
  auto before = sms_to(kPhone).size();
  ASSERT_GE(before, 5u);  // every one answered (HELP amid a dialogue also repeats its question)
  ASSERT_EQ(kannel(kPhone, "YES", "d-" + std::to_string(++next_id_)).status, 200);
  EXPECT_EQ(sms_to(kPhone).size(), before);
  EXPECT_TRUE(app_->service().course_applications(course, std::nullopt, 10)->empty());
  clock_.advance(std::chrono::seconds(61));
  say(kPhone, {"YES"});
  EXPECT_EQ(sms_to(kPhone).back()["template"], "application_received");
  EXPECT_EQ(app_->service().course_applications(course, std::nullopt, 10)->size(), 1u);
}

// The language chosen in the USSD menu is written into the number's SMS session; the count of its
// recent SMS in the same row stays as it was.
TEST_F(Inbound, ChoosingALanguageByUssdKeepsTheNumbersCount) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(kannel(kPhone, "مساعدة", "u-" + std::to_string(i)).status, 200);
  ASSERT_EQ(sms_to(kPhone).size(), 5u);
  EXPECT_EQ(sms_to(kPhone).back()["language"], "ar");
  auto ussd = [&](const std::string& text) {
    std::string body =
        "sessionId=lang-1&serviceCode=%2A384%2A123%23&phoneNumber=%2B962791234567&networkCode=41601&text=" + text;
    return send("POST", "/v1/ussd/africastalking?key=" + std::string(kUssdKey), body,
                {{"Content-Type", "application/x-www-form-urlencoded"}});
  };
  ASSERT_EQ(ussd("").status, 200);
  auto english = ussd("4");
  ASSERT_EQ(english.status, 200);
  EXPECT_NE(english.body.find("1 Courses"), std::string::npos) << english.body;
  ASSERT_EQ(kannel(kPhone, "HELP", "u-5").status, 200);
  EXPECT_EQ(sms_to(kPhone).size(), 5u) << "still over the cap";
  clock_.advance(std::chrono::seconds(61));
  ASSERT_EQ(kannel(kPhone, "HELP", "u-6").status, 200);
  ASSERT_EQ(sms_to(kPhone).size(), 6u);
  EXPECT_EQ(sms_to(kPhone).back()["language"], "en");
}

TEST_F(Inbound, AStoreFailureIsA5xxAndTheRetryIsProcessed) {
  app_->store().close();
  auto r = kannel(kPhone, "HELP", "retry-1");
  EXPECT_EQ(r.status, 503) << r.body;
  restart();
  EXPECT_TRUE(sms_to(kPhone).empty());
  r = kannel(kPhone, "HELP", "retry-1");
  EXPECT_EQ(r.status, 200);
  r = kannel(kPhone, "HELP", "retry-1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(sms_to(kPhone).size(), 1u);
}

TEST_F(Inbound, ASenderOutsideTheAllowedCountriesIsRecordedAndNotAnswered) {
  // sms.allowed_country_codes is ["962"]: a reply abroad is what SMS pumping is made of.
  say("+447911123456", {"HELP"});
  EXPECT_TRUE(sms_to("+447911123456").empty());
  restart_with([&] {
    Config c = config();
    c.sms.allowed_country_codes = {"962", "44"};
    return c;
  }());
  say("+447911123456", {"HELP"});
  ASSERT_EQ(sms_to("+447911123456").size(), 1u);
  // A short code cannot be answered: recorded, 200, no reply.
  auto r = kannel("94123", "HELP", "short-1");
  EXPECT_EQ(r.status, 200);
  for (auto& l : outbox()) EXPECT_NE(l["to"], "94123");
}

// Behind a reverse proxy every peer has the proxy's address: only the client address the trusted
// proxy reports may pass allowed_addresses.
class InboundBehindProxy : public Inbound {
 protected:
  void customise(Config& c) const override {
    Inbound::customise(c);
    c.listen.trusted_proxies = {"127.0.0.1"};
    c.inbound.kannel.allowed_addresses = {"10.20.30.40"};
  }
};

TEST_F(InboundBehindProxy, AllowedAddressesAreCheckedOnTheForwardedClient) {
  std::string query =
      "/v1/sms/kannel/inbound?" +
      form({{"key", kKannelKey}, {"from", kPhone}, {"to", "94123"}, {"text", "HELP"}, {"id", "proxied-1"}});
  EXPECT_EQ(send("GET", query).status, 403);  // the proxy itself is not smsbox
  EXPECT_EQ(send("GET", query, "", {{"X-Forwarded-For", "10.9.9.9"}}).status, 403);
  // A client writing smsbox's address itself gets it left of what the proxy adds.
  EXPECT_EQ(send("GET", query, "", {{"X-Forwarded-For", "10.20.30.40, 10.9.9.9"}}).status, 403);
  EXPECT_TRUE(sms_to(kPhone).empty());
  EXPECT_EQ(send("GET", query, "", {{"X-Forwarded-For", "10.20.30.40"}}).status, 200);
  EXPECT_EQ(sms_to(kPhone).size(), 1u);
}

TEST_F(Inbound, DocumentNumbersAreMaskedInTheRecordAndTheLogs) {
  create_course();
  ::testing::internal::CaptureStderr();
  say(kPhone, {"JOIN 101", "Lina Haddad", "1", "9871234567", "YES"});
  for (int i = 0; i < 6; ++i) kannel(kPhone, "9871234567", "flood-" + std::to_string(i));  // over the cap: logged
  std::string logs = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(logs.find("9871234567"), std::string::npos) << logs;
  EXPECT_NE(logs.find("not answered"), std::string::npos) << logs;
  app_->stop();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2((dir_ / "gateway.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT body, outcome FROM inbound_messages ORDER BY received_at", -1, &st, nullptr),
            SQLITE_OK);
  std::vector<std::string> bodies;
  while (sqlite3_step(st) == SQLITE_ROW) bodies.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  sqlite3_finalize(st);
  sqlite3_close(db);
  ASSERT_EQ(bodies.size(), 11u);
  for (const auto& b : bodies) EXPECT_EQ(b.find("9871234567"), std::string::npos) << b;
  EXPECT_NE(std::find(bodies.begin(), bodies.end(), "*******567"), bodies.end());
}

// ---- config ------------------------------------------------------------------------------------

std::string with(const std::string& sections) {
  return R"({"admin_token": "an-admin-token-of-16+", "exam_secret": "exam-secret-0123456789")" +
         (sections.empty() ? "" : ", " + sections) + "}";
}

TEST(InboundConfig, KeysAreReadAndDefaultsHold) {
  // Secrets of 16 characters or more: shorter ones stop the start.
  auto c = parse_config(
      with(R"("inbound": {"kannel": {"key": "kannel-key-0123456789", "allowed_addresses": ["127.0.0.1", "::1"]},
      "twilio": {"auth_token": "twilio-token-0123456789"}, "infobip": {"username": "u", "password": "infobip-password-0123"},
      "africastalking": {"key": "ussd-key-0123456789", "allowed_addresses": ["10.0.0.5"]}},
      "conversation": {"max_messages_per_minute": 3, "dialogue_expiry_minutes": 45, "ussd_gsm7_chars": 160,
      "ussd_ucs2_chars": 70, "ussd_session_timeout_s": 120})"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->inbound.kannel.key, "kannel-key-0123456789");
  EXPECT_EQ(c->inbound.kannel.allowed_addresses.texts(), (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(c->inbound.twilio.auth_token, "twilio-token-0123456789");
  EXPECT_EQ(c->inbound.infobip.username, "u");
  EXPECT_EQ(c->inbound.africastalking.allowed_addresses.texts(), std::vector<std::string>{"10.0.0.5"});
  EXPECT_EQ(c->conversation.max_messages_per_minute, 3);
  EXPECT_EQ(c->conversation.dialogue_expiry, std::chrono::minutes(45));
  EXPECT_EQ(c->conversation.ussd_gsm7_chars, 160);
  EXPECT_EQ(c->conversation.ussd_ucs2_chars, 70);
  EXPECT_EQ(c->conversation.ussd_session_timeout, std::chrono::seconds(120));
  auto d = parse_config(with(""));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->conversation.max_messages_per_minute, 10);
  EXPECT_EQ(d->conversation.dialogue_expiry, std::chrono::minutes(30));
  EXPECT_EQ(d->conversation.ussd_gsm7_chars, 182);
  EXPECT_EQ(d->conversation.ussd_ucs2_chars, 80);
  EXPECT_TRUE(d->inbound.kannel.key.empty());
}

TEST(InboundConfig, BadValuesNameTheirKey) {
  struct Case {
    const char* json;
    const char* names;
  };
  const Case cases[] = {
      {R"("inbound": {"kannel": {"key": "k", "secret": "x"}})", "inbound.kannel.secret: unknown key"},
      {R"("inbound": {"kannel": {"key": ""}})", "inbound.kannel.key: must not be empty"},
      {R"("inbound": {"kannel": {"key": "k", "allowed_addresses": ["smsbox.local"]}})",
       "inbound.kannel.allowed_addresses: 'smsbox.local' is not an IP address"},
      {R"("inbound": {"twilio": {"auth_token": 5}})", "inbound.twilio.auth_token: must be a string"},
      {R"("inbound": {"infobip": {"username": "u"}})", "inbound.infobip.username: username and password go together"},
      {R"("inbound": {"infobip": {"header_name": "X-Secret"}})", "inbound.infobip.header_name"},
      {R"("inbound": {"smpp": {}})", "inbound.smpp: unknown key"},
      {R"("conversation": {"max_messages_per_minute": 0})", "conversation.max_messages_per_minute: must be 1 to"},
      {R"("conversation": {"ussd_gsm7_chars": 200})", "conversation.ussd_gsm7_chars: must be 40 to 182"},
      {R"("conversation": {"ussd_ucs2_chars": 100})", "conversation.ussd_ucs2_chars: must be 20 to 91"},
      {R"("conversation": {"dialogue_expiry_minutes": "30"})",
       "conversation.dialogue_expiry_minutes: must be an integer"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    auto r = parse_config(with(c.json));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(c.names), std::string::npos) << r.error().message;
  }
}

TEST(InboundConfig, TheExampleConfigLoadsOnceItsPlaceholdersAreReplaced) {
  // As scripts/local-config.sh does on a first run; as shipped, the placeholders stop the start.
  std::ifstream in(CG_SOURCE_DIR "/config/gateway.example.json");
  std::stringstream text;
  text << in.rdbuf();
  auto c =
      parse_config(std::regex_replace(text.str(), std::regex("change-me-[A-Za-z0-9-]*"), "fresh-secret-0123456789"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_FALSE(c->inbound.kannel.key.empty());
}

}  // namespace
}  // namespace cg::gateway::testing
