// The console's Messages and Opt-outs pages over HTTP on the real gateway (file outbox): the outbox
// newest first by status and provider with key paging, phones masked for a viewer, failed SMS
// resent one or many (audited, idempotent, refused when not failed or after STOP, all or nothing),
// the resent row sent once by the dispatcher, the funnel and the providers' state, the opt-outs
// paged by key, and the rules of roles and CSRF.
#include "tests/gateway/console/console_fixture.hpp"

namespace cg::gateway::testing {
namespace {

class MessagePagesTest : public ConsoleTest {
 protected:
  void SetUp() override {
    ConsoleTest::SetUp();
    add("ada", console::Role::admin);
    add("olga", console::Role::operator_);
    add("victor", console::Role::viewer);
  }
  json get(const Session& s, const std::string& path, int want = 200) {
    auto r = as(s, "GET", path);
    EXPECT_EQ(r.status, want) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  test::HttpResponse resend(const Session& s, const std::vector<std::int64_t>& ids) {
    return as(s, "POST", "/console/api/messages/resend", json{{"ids", ids}}.dump());
  }
  // The rows waiting now are claimed and refused for good, as a provider's 400 would: each error
  // names the number, as some providers' do.
  std::vector<std::int64_t> fail_waiting() {
    auto claimed = app_->store().claim_outbox(100, clock_.now(), clock_.now() + std::chrono::seconds(60));
    EXPECT_TRUE(claimed.ok());
    std::vector<store::SendOutcome> outcomes;
    std::vector<std::int64_t> ids;
    for (const auto& m : *claimed) {
      outcomes.push_back(store::SendOutcome{m.id,
                                            store::SendOutcome::Kind::failed,
                                            "file",
                                            "",
                                            "HTTP 400: " + m.to.substr(1) + " is not reachable",
                                            clock_.now(),
                                            {}});
      ids.push_back(m.id);
    }
    EXPECT_TRUE(app_->store().record_send_outcomes(outcomes, {}).ok());
    return ids;
  }
  static std::vector<std::int64_t> ids_of(const json& page) {
    std::vector<std::int64_t> out;
    for (const auto& m : page["items"]) out.push_back(m["id"]);
    return out;
  }
  std::string provider_name() { return app_->dispatcher().provider_states().at(0).name; }
  std::size_t audit_count(const Session& admin_session, const std::string& action) {
    std::size_t n = 0;
    for (const auto& line : audit_lines(admin_session)) n += line["action"] == action ? 1 : 0;
    return n;
  }
  // Lines of the file outbox for one outbox id.
  std::size_t sent_lines(std::int64_t id) {
    std::size_t n = 0;
    for (const auto& l : outbox()) n += l["id"] == id ? 1 : 0;
    return n;
  }
};

TEST_F(MessagePagesTest, ListsNewestFirstByStatusAndProviderPagedByKeyMaskedForAViewer) {
  auto course = create_course({{"min_participants", 10}});  // no quorum: one SMS per application
  apply_ok(course, 1);
  auto failed = fail_waiting();
  ASSERT_EQ(failed.size(), 1u);
  apply_ok(course, 2);
  apply_ok(course, 3);
  outbox();  // 2 and 3 go out through the file adapter
  const std::string provider = provider_name();

  auto v = sign_in("victor");
  auto all = get(v, "/console/api/messages");
  ASSERT_EQ(all["items"].size(), 3u);
  EXPECT_TRUE(all["masked"].get<bool>());
  EXPECT_EQ(all["items"][2]["id"], failed[0]);
  EXPECT_GT(all["items"][0]["id"].get<std::int64_t>(), all["items"][1]["id"].get<std::int64_t>());
  EXPECT_EQ(all["items"][0]["to"], core::mask_phone(phone_of(3)));
  const json& f = all["items"][2];
  EXPECT_EQ(f["status"], "failed");
  EXPECT_TRUE(f["resendable"].get<bool>());
  EXPECT_TRUE(f["resent_as"].is_null());
  const std::string reason = f["last_error"];
  EXPECT_EQ(reason.find(phone_of(1).substr(1)), std::string::npos) << "the number inside the reason is masked";
  EXPECT_NE(reason.find("is not reachable"), std::string::npos) << reason;
  EXPECT_TRUE(all["next_after"].is_null());

  auto only_failed = get(v, "/console/api/messages?status=failed");
  EXPECT_EQ(ids_of(only_failed), (std::vector<std::int64_t>{failed[0]}));
  EXPECT_EQ(ids_of(get(v, "/console/api/messages?provider=" + provider)).size(), 2u);
  EXPECT_EQ(ids_of(get(v, "/console/api/messages?provider=none")), (std::vector<std::int64_t>{failed[0]}));
  EXPECT_TRUE(get(v, "/console/api/messages?status=sent&provider=none")["items"].empty());
  EXPECT_EQ(ids_of(get(v, "/console/api/messages?status=sent&provider=" + provider)).size(), 2u);

  auto first = get(v, "/console/api/messages?limit=2");
  ASSERT_EQ(first["items"].size(), 2u);
  ASSERT_TRUE(first["next_after"].is_number_integer());
  auto second = get(v, "/console/api/messages?limit=2&after=" + first["next_after"].dump());
  EXPECT_EQ(ids_of(second), (std::vector<std::int64_t>{failed[0]}));
  EXPECT_TRUE(second["next_after"].is_null());

  auto o = sign_in("olga");
  auto whole = get(o, "/console/api/messages?status=failed");
  EXPECT_FALSE(whole["masked"].get<bool>());
  EXPECT_EQ(whole["items"][0]["to"], phone_of(1));
  EXPECT_NE(whole["items"][0]["last_error"].get<std::string>().find(phone_of(1).substr(1)), std::string::npos);

  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{{"status=lost", "status:"},
                                                                                     {"after=x", "after:"},
                                                                                     {"after=0", "after:"},
                                                                                     {"limit=0", "limit:"},
                                                                                     {"limit=201", "limit:"},
                                                                                     {"provider=a%20b", "provider:"}}) {
    auto bad = get(v, "/console/api/messages?" + query, 400);
    EXPECT_EQ(bad["error"]["code"], "invalid_query") << query;
    EXPECT_EQ(bad["error"]["message"].get<std::string>().rfind(field, 0), 0u) << query << ": " << bad;
  }
}

TEST_F(MessagePagesTest, ResendingOneIsAuditedIdempotentAndTheDispatcherSendsItOnce) {
  auto course = create_course({{"min_participants", 10}});  // no quorum: one SMS per application
  apply_ok(course, 1);
  auto failed = fail_waiting();
  ASSERT_EQ(failed.size(), 1u);
  auto o = sign_in("olga");
  auto admin_session = sign_in("ada");

  auto r = resend(o, {failed[0]});
  ASSERT_EQ(r.status, 200) << r.body;
  auto answer = json::parse(r.body);
  ASSERT_EQ(answer["resent"].size(), 1u);
  EXPECT_EQ(answer["resent"][0]["id"], failed[0]);
  EXPECT_FALSE(answer["resent"][0]["already"].get<bool>());
  const std::int64_t copy = answer["resent"][0]["resent_as"];
  EXPECT_GT(copy, failed[0]);

  // The audit line, with the state before and after.
  json line;
  for (const auto& l : audit_lines(admin_session))
    if (l["action"] == "sms.resend") line = l;
  ASSERT_FALSE(line.is_null());
  EXPECT_EQ(line["actor"], "olga");
  EXPECT_EQ(line["target"], "outbox:" + std::to_string(failed[0]));
  EXPECT_EQ(line["before"]["status"], "failed");
  EXPECT_TRUE(line["before"]["resent_as"].is_null());
  EXPECT_EQ(line["before"]["to"], core::mask_phone(phone_of(1)));
  EXPECT_EQ(line["after"]["resent_as"], copy);

  // The list shows the failed row resent and the new one waiting.
  auto list = get(o, "/console/api/messages");
  ASSERT_EQ(list["items"].size(), 2u);
  EXPECT_EQ(list["items"][0]["id"], copy);
  EXPECT_EQ(list["items"][0]["status"], "pending");
  EXPECT_EQ(list["items"][0]["to"], phone_of(1));
  EXPECT_EQ(list["items"][1]["resent_as"], copy);
  EXPECT_FALSE(list["items"][1]["resendable"].get<bool>());

  // A double click: the same answer, nothing new.
  auto again = resend(o, {failed[0]});
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_TRUE(json::parse(again.body)["resent"][0]["already"].get<bool>());
  EXPECT_EQ(json::parse(again.body)["resent"][0]["resent_as"], copy);
  EXPECT_EQ(audit_count(admin_session, "sms.resend"), 1u);
  EXPECT_EQ(get(o, "/console/api/messages")["items"].size(), 2u);

  // The dispatcher sends the new row, once, through the file outbox; the failed one never.
  EXPECT_EQ(sent_lines(copy), 1u);
  EXPECT_EQ(sent_lines(failed[0]), 0u);
  ASSERT_TRUE(app_->dispatcher().run_once().ok());
  EXPECT_EQ(sent_lines(copy), 1u);
  auto after = get(o, "/console/api/messages");
  EXPECT_EQ(after["items"][0]["status"], "sent");
  EXPECT_EQ(after["items"][0]["provider"], provider_name());
}

TEST_F(MessagePagesTest, ResendingManyAtOnceIsAllOrNothing) {
  auto course = create_course({{"min_participants", 10}});  // no quorum: one SMS per application
  apply_ok(course, 1);
  apply_ok(course, 2);
  auto failed = fail_waiting();
  ASSERT_EQ(failed.size(), 2u);
  apply_ok(course, 3);
  outbox();
  auto sent = ids_of(get(sign_in("olga"), "/console/api/messages?status=sent"));
  ASSERT_EQ(sent.size(), 1u);
  auto o = sign_in("olga");
  auto admin_session = sign_in("ada");

  // One row that is not failed refuses the whole request, naming it and why.
  auto mixed = resend(o, {failed[0], sent[0]});
  EXPECT_EQ(mixed.status, 409) << mixed.body;
  auto refusal = json::parse(mixed.body)["error"];
  EXPECT_EQ(refusal["code"], "not_failed");
  EXPECT_NE(refusal["message"].get<std::string>().find(std::to_string(sent[0]) + " is sent"), std::string::npos)
      << refusal;
  EXPECT_TRUE(get(o, "/console/api/messages?status=pending")["items"].empty()) << "nothing was resent";
  EXPECT_EQ(audit_count(admin_session, "sms.resend"), 0u);

  auto both = resend(o, {failed[1], failed[0], failed[1]});
  ASSERT_EQ(both.status, 200) << both.body;
  auto resent = json::parse(both.body)["resent"];
  ASSERT_EQ(resent.size(), 2u) << "a repeated id counts once";
  EXPECT_EQ(resent[0]["id"], failed[1]);
  EXPECT_EQ(resent[1]["id"], failed[0]);
  EXPECT_EQ(audit_count(admin_session, "sms.resend"), 2u);
  EXPECT_EQ(get(o, "/console/api/messages?status=pending")["items"].size(), 2u);
  EXPECT_EQ(sent_lines(resent[0]["resent_as"].get<std::int64_t>()), 1u);
  EXPECT_EQ(sent_lines(resent[1]["resent_as"].get<std::int64_t>()), 1u);
}

TEST_F(MessagePagesTest, ANumberThatSentStopIsNotResentAndBadRequestsChangeNothing) {
  auto course = create_course({{"min_participants", 10}});  // no quorum: one SMS per application
  apply_ok(course, 1);
  auto failed = fail_waiting();
  ASSERT_EQ(failed.size(), 1u);
  ASSERT_TRUE(
      app_->store().write_sync([&](store::Tx& tx) { return tx.set_opted_out(phone_of(1), true, clock_.now()); }).ok());
  auto o = sign_in("olga");
  auto admin_session = sign_in("ada");

  auto stopped = resend(o, {failed[0]});
  EXPECT_EQ(stopped.status, 409) << stopped.body;
  EXPECT_EQ(json::parse(stopped.body)["error"]["code"], "opted_out");

  auto unknown = resend(o, {failed[0] + 1000});
  EXPECT_EQ(unknown.status, 404) << unknown.body;

  for (const std::string& body : {std::string(R"({})"), std::string(R"({"ids":[]})"), std::string(R"({"ids":[0]})"),
                                  std::string(R"({"ids":["1"]})"), std::string(R"({"ids":1})"),
                                  std::string(R"({"ids":[1.5]})"), json{{"ids", std::vector<int>(101, 1)}}.dump()}) {
    auto bad = as(o, "POST", "/console/api/messages/resend", body);
    EXPECT_EQ(bad.status, 400) << body;
    EXPECT_EQ(json::parse(bad.body)["error"]["message"].get<std::string>().rfind("ids:", 0), 0u) << bad.body;
  }
  EXPECT_EQ(audit_count(admin_session, "sms.resend"), 0u);
  auto list = get(o, "/console/api/messages");
  ASSERT_EQ(list["items"].size(), 1u) << "no row was added";
  EXPECT_TRUE(list["items"][0]["resent_as"].is_null());
}

TEST_F(MessagePagesTest, OnlyAnOperatorWithTheSessionsTokenMayResend) {
  auto course = create_course({{"min_participants", 10}});  // no quorum: one SMS per application
  apply_ok(course, 1);
  auto failed = fail_waiting();
  auto v = sign_in("victor");
  auto o = sign_in("olga");
  const std::string body = json{{"ids", failed}}.dump();
  EXPECT_EQ(as(v, "POST", "/console/api/messages/resend", body).status, 403);
  auto no_token = as(o, "POST", "/console/api/messages/resend", body, /*with_csrf=*/false);
  EXPECT_EQ(no_token.status, 403);
  EXPECT_EQ(json::parse(no_token.body)["error"]["code"], "csrf");
  EXPECT_EQ(client_
                .request("POST", base_ + "/console/api/messages/resend",
                         {{"Cookie", o.cookie}, {"X-CSRF-Token", o.csrf}, {"Content-Type", "text/plain"}}, body)
                .value()
                .status,
            415);
  EXPECT_EQ(client_.request("GET", base_ + "/console/api/messages", {}, "").value().status, 401);
  EXPECT_EQ(client_.request("GET", base_ + "/console/api/opt-outs", {}, "").value().status, 401);
  EXPECT_TRUE(get(o, "/console/api/messages?status=pending")["items"].empty()) << "nothing was resent";
  // A viewer reads the pages.
  EXPECT_EQ(get(v, "/console/api/messages/funnel")["failed"], 1);
}

TEST_F(MessagePagesTest, TheFunnelCountsTheLastDayAndTheProvidersShowTheDispatchersState) {
  auto course = create_course({{"min_participants", 10}});  // no quorum: one SMS per application
  apply_ok(course, 1);
  fail_waiting();
  apply_ok(course, 2);
  apply_ok(course, 3);
  outbox();
  apply_ok(course, 4);  // waiting
  auto v = sign_in("victor");
  auto funnel = get(v, "/console/api/messages/funnel");
  EXPECT_EQ(funnel["queued"], 4);
  EXPECT_EQ(funnel["waiting"], 1);
  EXPECT_EQ(funnel["sent"], 2);
  EXPECT_EQ(funnel["delivered"], 0);
  EXPECT_EQ(funnel["failed"], 1);
  EXPECT_EQ(funnel["until"], core::format_iso8601_utc(clock_.now()));

  clock_.advance(std::chrono::hours(25));
  v = sign_in("victor");  // the jump outlasts the idle timeout
  EXPECT_EQ(get(v, "/console/api/messages/funnel")["queued"], 0) << "older than a day";

  auto providers = get(v, "/console/api/messages/providers");
  ASSERT_EQ(providers["providers"].size(), 1u);
  const json& p = providers["providers"][0];
  EXPECT_EQ(p["name"], provider_name());
  EXPECT_EQ(p["kind"], "file");
  EXPECT_TRUE(p["preferred"].get<bool>());
  EXPECT_FALSE(p["down"].get<bool>());
  EXPECT_EQ(p["rate_per_second"], 0);
  EXPECT_GE(p["accepted"].get<double>(), 2.0);
  EXPECT_EQ(providers["active"], provider_name());
  EXPECT_FALSE(providers["failed_over"].get<bool>());
}

TEST_F(MessagePagesTest, OptOutsAreNewestFirstPagedByKeyWithoutThePhoneAndMaskedForAViewer) {
  const auto t = clock_.now();
  ASSERT_TRUE(app_->store()
                  .write_sync([&](store::Tx& tx) -> Status {
                    if (auto s = tx.set_opted_out(phone_of(1), true, t - std::chrono::hours(2)); !s) return s;
                    if (auto s = tx.set_opted_out(phone_of(2), true, t - std::chrono::hours(1)); !s) return s;
                    return tx.set_opted_out(phone_of(3), true, t - std::chrono::hours(1));
                  })
                  .ok());
  auto v = sign_in("victor");
  auto all = get(v, "/console/api/opt-outs");
  ASSERT_EQ(all["items"].size(), 3u);
  EXPECT_TRUE(all["masked"].get<bool>());
  EXPECT_EQ(all["items"][0]["phone"], core::mask_phone(phone_of(3)));
  EXPECT_EQ(all["items"][1]["phone"], core::mask_phone(phone_of(2)));
  EXPECT_EQ(all["items"][2]["phone"], core::mask_phone(phone_of(1)));
  EXPECT_EQ(all["items"][2]["at"], core::format_iso8601_utc(t - std::chrono::hours(2)));

  auto first = get(v, "/console/api/opt-outs?limit=2");
  ASSERT_EQ(first["items"].size(), 2u);
  const std::string key = first["next_after"];
  EXPECT_EQ(key.find("79000000"), std::string::npos) << "no phone in the key: " << key;
  auto second = get(v, "/console/api/opt-outs?limit=2&after=" + key);
  ASSERT_EQ(second["items"].size(), 1u);
  EXPECT_EQ(second["items"][0]["phone"], core::mask_phone(phone_of(1)));

  auto o = sign_in("olga");
  EXPECT_EQ(get(o, "/console/api/opt-outs")["items"][0]["phone"], phone_of(3));
  for (const char* q : {"after=x", "after=12", "after=12:0", "after=-1:3", "limit=0"}) {
    auto bad = get(o, std::string("/console/api/opt-outs?") + q, 400);
    const std::string field = std::string(q).substr(0, std::string(q).find('='));
    EXPECT_EQ(bad["error"]["message"].get<std::string>().rfind(field + ":", 0), 0u) << q;
  }
}

}  // namespace
}  // namespace cg::gateway::testing
