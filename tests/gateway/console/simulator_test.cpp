// The console's Simulator page over HTTP on the real gateway, whose only SMS provider is a stand-in
// Kannel (a real HTTP server on 127.0.0.1): messages from test numbers go through the SMS
// conversation until an application exists, the replies come back with their template, segments
// and encoding, a message sent twice is one turn, bad fields are 400 naming the field and change
// nothing, the page is 404 when turned off, and no SMS to a test number (a reply, or the card's
// quorum notification sent later) ever reaches Kannel, while one to a real number does.
#include "core/sms.hpp"
#include "tests/gateway/console/console_fixture.hpp"
#include "tests/support/provider_server.hpp"

namespace cg::gateway::testing {
namespace {

constexpr const char* kFirst = "+962780000001";
constexpr const char* kLast = "+962780000009";

class SimulatorTest : public ConsoleTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kannel_.start());
    ConsoleTest::SetUp();
    add("vera", console::Role::viewer);
  }
  void customise(Config& c) const override {
    ConsoleTest::customise(c);
    c.console.simulator.test_range = {kFirst, kLast};
    SmsProviderConfig p;
    p.name = "kannel";
    p.kind = "kannel";
    p.base_url = kannel_.base_url();
    p.username = "gw";
    p.password = "kannel-password-1";
    p.from = "AmmanCity";
    p.dlr_key = "dlr-key-0123";
    c.sms.providers = {p};
  }

  json post(const Session& s, const std::string& path, const json& body, int want) {
    auto r = as(s, "POST", path, body.dump());
    EXPECT_EQ(r.status, want) << path << " " << body.dump() << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  // One message from `phone`, with a fresh message id unless one is given.
  json say(const Session& s, const std::string& phone, const std::string& text, std::string id = "") {
    if (id.empty()) id = "m" + std::to_string(++sent_);
    return post(s, "/console/api/simulator/sms", json{{"phone", phone}, {"text", text}, {"message_id", id}}, 200);
  }
  json messages(const Session& s, const std::string& phone, const std::string& keys = "") {
    auto r = as(s, "GET", "/console/api/simulator/messages?phone=" + phone + keys);
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body, nullptr, false);
  }
  static std::vector<std::string> templates_of(const json& page) {
    std::vector<std::string> out;
    for (const auto& m : page["items"])
      if (m["kind"] == "out") out.push_back(m["template"]);
    return out;
  }
  static std::size_t inbound_of(const json& page) {
    std::size_t n = 0;
    for (const auto& m : page["items"]) n += m["kind"] == "in" ? 1 : 0;
    return n;
  }
  // Applies through the simulator's SMS, as an applicant would, in English.
  void apply_by_sms(const Session& s, const std::string& phone, int n) {
    for (const std::string& text : {std::string("JOIN 101"), std::string("Test Applicant"), std::string("1"),
                                    std::to_string(9870000000LL + n), std::string("YES")})
      say(s, phone, text);
  }
  // Sends whatever is due through the dispatcher.
  void dispatch() {
    for (int i = 0; i < 10; ++i) {
      auto n = app_->dispatcher().run_once();
      ASSERT_TRUE(n.ok()) << n.error().message;
      if (*n == 0) break;
    }
  }

  test::ProviderServer kannel_{[](const test::RecordedRequest&, std::size_t) { return test::kannel_accepted(); }};
  int sent_ = 0;
};

TEST_F(SimulatorTest, AViewerAppliesThroughTheConversationAndSeesEveryReplyWithItsTemplateAndLength) {
  create_course();
  auto v = sign_in("vera");
  auto settings = as(v, "GET", "/console/api/simulator");
  ASSERT_EQ(settings.status, 200) << settings.body;
  json sj = json::parse(settings.body);
  EXPECT_EQ(sj["test_range"]["from"], kFirst);
  ASSERT_EQ(sj["numbers"].size(), 9u);
  EXPECT_EQ(sj["numbers"][0], kFirst);
  EXPECT_EQ(sj["numbers"][8], kLast);

  auto first = say(v, kFirst, "JOIN 101");
  EXPECT_FALSE(first["duplicate"].get<bool>());
  EXPECT_EQ(first["replies"], 1);
  apply_by_sms(v, kFirst, 1);
  auto page = messages(v, kFirst);
  EXPECT_EQ(page["phone"], kFirst);
  EXPECT_EQ(inbound_of(page), 6u);
  auto templates = templates_of(page);
  ASSERT_FALSE(templates.empty());
  EXPECT_EQ(templates.back(), "application_received");
  // The application exists, as if the number had texted through Kannel.
  std::string app_id;
  for (const auto& m : page["items"]) {
    if (m["kind"] == "in") {
      EXPECT_EQ(m["outcome"], "processed");
      continue;
    }
    EXPECT_GE(m["segments"].get<int>(), 1);
    EXPECT_TRUE(m["encoding"] == "gsm7" || m["encoding"] == "ucs2") << m;
    if (m["template"] == "application_received") app_id = m["application_id"];
  }
  ASSERT_FALSE(app_id.empty());
  std::optional<core::Application> app;
  ASSERT_TRUE(app_->store()
                  .read([&](store::Tx& tx) -> Status {
                    auto a = tx.application(app_id);
                    if (!a) return a.error();
                    app = std::move(*a);
                    return ok_status();
                  })
                  .ok());
  ASSERT_TRUE(app);
  EXPECT_EQ(app->applicant.phone, kFirst);
  EXPECT_EQ(app->state, core::ApplicationState::awaiting_quorum);
  // A reply in Arabic is UCS-2, counted as core/sms counts it.
  say(v, kFirst, "AR");
  auto later = messages(v, kFirst,
                        "&after_in=" + std::to_string(page["next_after_in"].get<std::int64_t>()) +
                            "&after_out=" + std::to_string(page["next_after_out"].get<std::int64_t>()));
  EXPECT_EQ(inbound_of(later), 1u) << "only what came after the page's keys";
  bool arabic = false;
  for (const auto& m : later["items"])
    if (m["kind"] == "out" && m["encoding"] == "ucs2") arabic = true;
  EXPECT_TRUE(arabic) << later;
}

TEST_F(SimulatorTest, AMessageSentTwiceIsOneTurn) {
  create_course();
  auto v = sign_in("vera");
  auto once = say(v, kFirst, "JOIN 101", "double-click-1");
  auto twice = say(v, kFirst, "JOIN 101", "double-click-1");
  EXPECT_FALSE(once["duplicate"].get<bool>());
  EXPECT_TRUE(twice["duplicate"].get<bool>());
  EXPECT_EQ(twice["replies"], 0);
  auto page = messages(v, kFirst);
  EXPECT_EQ(inbound_of(page), 1u);
  EXPECT_EQ(templates_of(page), (std::vector<std::string>{"sms_ask_name"}));
}

TEST_F(SimulatorTest, BadFieldsAre400NamingTheFieldAndChangeNothing) {
  create_course();
  auto v = sign_in("vera");
  auto before = counts();
  const std::string path = "/console/api/simulator/sms";
  auto message = [](const json& j) { return j["error"]["message"].get<std::string>(); };
  // A real applicant's number, not one of the test range.
  auto r = post(v, path, json{{"phone", "+962790000001"}, {"text", "JOIN 101"}, {"message_id", "a1"}}, 400);
  EXPECT_EQ(message(r).rfind("phone:", 0), 0u) << r;
  r = post(v, path, json{{"phone", "+962780000010"}, {"text", "JOIN 101"}, {"message_id", "a1"}}, 400);
  EXPECT_EQ(message(r).rfind("phone:", 0), 0u) << r;
  r = post(v, path, json{{"text", "JOIN 101"}, {"message_id", "a1"}}, 400);
  EXPECT_EQ(message(r).rfind("phone:", 0), 0u) << r;
  r = post(v, path, json{{"phone", kFirst}, {"text", ""}, {"message_id", "a1"}}, 400);
  EXPECT_EQ(message(r).rfind("text:", 0), 0u) << r;
  r = post(v, path, json{{"phone", kFirst}, {"text", "JOIN 101"}, {"message_id", "has space"}}, 400);
  EXPECT_EQ(message(r).rfind("message_id:", 0), 0u) << r;
  r = post(v, "/console/api/simulator/ussd", json{{"phone", kFirst}, {"session", ""}, {"text", ""}}, 400);
  EXPECT_EQ(message(r).rfind("session:", 0), 0u) << r;
  auto q = as(v, "GET", "/console/api/simulator/messages?phone=0790000001");
  EXPECT_EQ(q.status, 400);
  EXPECT_EQ(message(json::parse(q.body)).rfind("phone:", 0), 0u) << q.body;
  q = as(v, "GET", std::string("/console/api/simulator/messages?phone=") + kFirst + "&after_out=x");
  EXPECT_EQ(q.status, 400);
  EXPECT_EQ(message(json::parse(q.body)).rfind("after_out:", 0), 0u) << q.body;
  // Nothing was recorded: no message, no reply, no application.
  EXPECT_EQ(counts(), before);
  EXPECT_EQ(inbound_of(messages(v, kFirst)), 0u);
  // Without the CSRF token the send is refused too; the accepted one is kept.
  EXPECT_EQ(as(v, "POST", path, json{{"phone", kFirst}, {"text", "HELP"}, {"message_id", "a2"}}.dump(), false).status,
            403);
  EXPECT_EQ(inbound_of(messages(v, kFirst)), 0u);
  say(v, kFirst, "HELP", "a2");
  EXPECT_EQ(inbound_of(messages(v, kFirst)), 1u);
}

TEST_F(SimulatorTest, TurnedOffItIs404AndSigningInIsStillNeeded) {
  EXPECT_EQ(client_.request("GET", base_ + "/console/api/simulator", {}, "").value().status, 401);
  Config c = config();
  c.console.simulator.enabled = false;
  restart_with(c);
  auto v = sign_in("vera");
  EXPECT_EQ(as(v, "GET", "/console/api/simulator").status, 404);
  EXPECT_EQ(as(v, "POST", "/console/api/simulator/sms",
               json{{"phone", kFirst}, {"text", "HELP"}, {"message_id", "z1"}}.dump())
                .status,
            404);
  EXPECT_EQ(as(v, "GET", std::string("/console/api/simulator/messages?phone=") + kFirst).status, 404);
  EXPECT_EQ(counts().outbox, 0);
}

TEST_F(SimulatorTest, NoSmsToATestNumberReachesTheProviderNotEvenTheQuorumNotification) {
  const std::int64_t course = create_course();  // min_participants 3
  auto v = sign_in("vera");
  const std::vector<std::string> numbers{kFirst, "+962780000002", "+962780000003"};
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    apply_by_sms(v, numbers[i], static_cast<int>(i) + 1);
    dispatch();
  }
  // The third application reached the minimum: the card confirms all three (card 6.1) by SMS.
  for (const auto& phone : numbers) {
    auto page = messages(v, phone);
    auto templates = templates_of(page);
    EXPECT_NE(std::find(templates.begin(), templates.end(), "approved"), templates.end()) << page;
    for (const auto& m : page["items"]) {
      if (m["kind"] != "out") continue;
      EXPECT_EQ(m["status"], "delivered") << m;
      EXPECT_EQ(m["provider"], "simulator") << m;
    }
  }
  EXPECT_EQ(kannel_.count(), 0u) << "Kannel was asked to send to a test number";
  // Each row says where it went: a delivery report and a channel log line of the simulator.
  auto page = messages(v, kFirst);
  auto detail = app_->store().outbox_detail(page["items"].back()["id"].get<std::int64_t>());
  ASSERT_TRUE(detail.ok() && *detail);
  ASSERT_EQ((*detail)->channel_log.size(), 1u);
  EXPECT_EQ((*detail)->channel_log[0].provider, "simulator");
  EXPECT_EQ((*detail)->channel_log[0].outcome, "accepted");
  ASSERT_EQ((*detail)->reports.size(), 1u);
  EXPECT_EQ((*detail)->reports[0].status, "delivered");
  // The stand-in Kannel does answer: an applicant with a real number gets the card's SMS through it.
  apply_ok(course, 4);
  dispatch();
  ASSERT_EQ(kannel_.count(), 1u);
  EXPECT_NE(kannel_.requests()[0].query_param("to").find("790000004"), std::string::npos);
}

TEST_F(SimulatorTest, TheUssdTabWalksTheSameMenusInOneSessionPerDial) {
  create_course();
  auto v = sign_in("vera");
  const std::string path = "/console/api/simulator/ussd";
  auto first = post(v, path, json{{"phone", kFirst}, {"session", "dial-1"}, {"text", ""}}, 200);
  EXPECT_FALSE(first["ended"].get<bool>()) << first;
  EXPECT_EQ(first["answer"].get<std::string>().rfind("CON ", 0), 0u) << first;
  EXPECT_LE(core::measure_sms(first["screen"].get<std::string>()).units, 91) << first;
  // The same request again is the same screen (a retry); the session goes on from it.
  auto again = post(v, path, json{{"phone", kFirst}, {"session", "dial-1"}, {"text", ""}}, 200);
  EXPECT_EQ(again["answer"], first["answer"]);
  auto next = post(v, path, json{{"phone", kFirst}, {"session", "dial-1"}, {"text", "1"}}, 200);
  EXPECT_NE(next["answer"], first["answer"]) << next;
  // Another number is refused a session that is not its own.
  auto other = post(v, path, json{{"phone", "+962780000002"}, {"session", "dial-1"}, {"text", "1"}}, 200);
  EXPECT_TRUE(other["ended"].get<bool>()) << other;
}

}  // namespace
}  // namespace cg::gateway::testing
