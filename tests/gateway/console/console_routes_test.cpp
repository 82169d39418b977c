// The console over HTTP on the real gateway (tests/gateway/gateway_fixture.hpp): sign-in, the
// session cookie, CSRF, roles enforced by the server, the throttle, idle expiry, the audit log of
// the admin API and of the console, and the embedded files with their headers.
#include "tests/gateway/console/console_fixture.hpp"

namespace cg::gateway::testing {
namespace {

TEST_F(ConsoleTest, SignInSetsAStrictHttpOnlyCookieAndGivesTheCsrfToken) {
  add("alice", console::Role::admin);
  auto r = sign_in_raw("alice", kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  auto cookie = r.header("Set-Cookie").value_or("");
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos) << "public_base_url is http here";
  auto body = json::parse(r.body);
  EXPECT_EQ(body["role"], "admin");
  EXPECT_EQ(body["csrf"].get<std::string>().size(), 64u);
  Session s{cookie.substr(0, cookie.find(';')), body["csrf"]};
  auto me = as(s, "GET", "/console/api/session");
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(json::parse(me.body)["username"], "alice");
}

TEST_F(ConsoleTest, TheCookieIsSecureWhenThePublicUrlIsHttps) {
  auto c = config();
  c.public_base_url = "https://gateway.example.org";
  restart_with(c);
  add("alice", console::Role::admin);
  auto r = sign_in_raw("alice", kPassword);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("Set-Cookie").value_or("").find("; Secure"), std::string::npos);
}

TEST_F(ConsoleTest, WithoutASessionTheApiAnswers401) {
  EXPECT_EQ(client_.get(base_ + "/console/api/overview")->status, 401);
  EXPECT_EQ(client_.get(base_ + "/console/api/overview", {{"Cookie", "cg_console=forged"}})->status, 401);
}

TEST_F(ConsoleTest, AViewerReadsTheOverviewButTheServerRefusesTheOperatorsPage) {
  add("alice", console::Role::admin);
  add("victor", console::Role::viewer);
  auto v = sign_in("victor");
  EXPECT_EQ(as(v, "GET", "/console/api/overview").status, 200);
  EXPECT_EQ(as(v, "GET", "/console/api/operators").status, 403);
  auto post = as(v, "POST", "/console/api/operators", json{{"username", "mallory"}, {"role", "admin"}}.dump());
  EXPECT_EQ(post.status, 403) << post.body;
  EXPECT_EQ(as(v, "POST", "/console/api/operators/alice/disable", "{}").status, 403);
  EXPECT_EQ(as(v, "GET", "/console/api/audit").status, 403);
  auto a = sign_in("alice");
  auto list = json::parse(as(a, "GET", "/console/api/operators").body)["operators"];
  ASSERT_EQ(list.size(), 2u) << "nobody was added";
  EXPECT_FALSE(list[0]["disabled"].get<bool>());
}

TEST_F(ConsoleTest, AChangeWithoutTheSessionsCsrfTokenIsRefused) {
  add("alice", console::Role::admin);
  auto a = sign_in("alice");
  auto other = a;
  other.csrf = std::string(64, '0');
  json body{{"username", "bob"}, {"role", "viewer"}};
  EXPECT_EQ(as(a, "POST", "/console/api/operators", body.dump(), /*with_csrf=*/false).status, 403);
  EXPECT_EQ(as(other, "POST", "/console/api/operators", body.dump()).status, 403);
  // A form post (not JSON) is refused before anything else is looked at.
  auto form = client_.request(
      "POST", base_ + "/console/api/operators",
      {{"Cookie", a.cookie}, {"X-CSRF-Token", a.csrf}, {"Content-Type", "application/x-www-form-urlencoded"}},
      "username=bob&role=viewer");
  EXPECT_EQ(form->status, 415);
  EXPECT_EQ(json::parse(as(a, "GET", "/console/api/operators").body)["operators"].size(), 1u);
  auto ok = as(a, "POST", "/console/api/operators", body.dump());
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(json::parse(ok.body)["password"].get<std::string>().size(), 20u) << "generated, shown once";
}

TEST_F(ConsoleTest, WrongPasswordsAreRefusedThenTheAccountIsThrottled) {
  add("alice", console::Role::admin);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sign_in_raw("alice", "wrong password!").status, 401);
  auto refused = sign_in_raw("alice", kPassword);
  EXPECT_EQ(refused.status, 429) << "even the right password, while throttled";
  EXPECT_TRUE(refused.header("Retry-After"));
  EXPECT_EQ(sign_in_raw("nobody", "wrong password!").status, 401) << "unknown names fail like wrong passwords";
}

TEST_F(ConsoleTest, AnIdleSessionExpires) {
  add("alice", console::Role::admin);
  auto a = sign_in("alice");
  clock_.advance(std::chrono::seconds(300));
  EXPECT_EQ(as(a, "GET", "/console/api/overview").status, 200);  // moves the idle clock on
  // That use is written after the answer: wait (bounded) until the store has it.
  const std::string hash = console::token_hash(a.cookie.substr(a.cookie.find('=') + 1));
  auto last_seen = [&] {
    std::optional<store::ConsoleSession> s;
    EXPECT_TRUE(app_->store()
                    .read([&](store::Tx& tx) -> Status {
                      auto r = tx.console_session(hash);
                      if (!r) return r.error();
                      s = *r;
                      return ok_status();
                    })
                    .ok());
    return s ? s->last_seen_at : core::Instant{};
  };
  for (int i = 0; i < 2000 && last_seen() != clock_.now(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_EQ(last_seen(), clock_.now());
  clock_.advance(std::chrono::seconds(500));
  EXPECT_EQ(as(a, "GET", "/console/api/session").status, 200) << "used 500 s ago, limit 600";
  clock_.advance(std::chrono::seconds(601));
  auto expired = as(a, "GET", "/console/api/overview");
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(json::parse(expired.body)["error"]["code"], "session_expired");
}

TEST_F(ConsoleTest, SignOutEndsTheSession) {
  add("alice", console::Role::admin);
  auto a = sign_in("alice");
  EXPECT_EQ(as(a, "DELETE", "/console/api/session", "", /*with_csrf=*/false).status, 403);
  auto out = as(a, "DELETE", "/console/api/session");
  EXPECT_EQ(out.status, 200) << out.body;
  EXPECT_NE(out.header("Set-Cookie").value_or("").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(as(a, "GET", "/console/api/session").status, 401);
}

TEST_F(ConsoleTest, DisablingAnOperatorEndsTheirSessionsAndIsAudited) {
  add("alice", console::Role::admin);
  add("omar", console::Role::operator_);
  auto a = sign_in("alice");
  auto o = sign_in("omar");
  EXPECT_EQ(as(a, "POST", "/console/api/operators/alice/disable", "{}").status, 400) << "not oneself";
  auto r = as(a, "POST", "/console/api/operators/omar/disable", "{}");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(as(o, "GET", "/console/api/overview").status, 401);
  EXPECT_EQ(sign_in_raw("omar", kPassword).status, 401);
  auto lines = audit_lines(a);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0]["action"], "operator.disable");
  EXPECT_EQ(lines[0]["actor"], "alice");
  EXPECT_EQ(lines[0]["target"], "operator:omar");
  EXPECT_EQ(lines[0]["before"]["disabled"], false);
  EXPECT_EQ(lines[0]["after"]["disabled"], true);
  EXPECT_EQ(lines[0]["client_address"], "127.0.0.1");
}

TEST_F(ConsoleTest, AdminApiChangesAreAuditedAsApiWithTheCourseBeforeAndAfter) {
  add("alice", console::Role::admin);
  std::int64_t id = create_course(json{{"capacity", 20}});
  auto patched = admin("PATCH", "/v1/admin/courses/" + std::to_string(id), json{{"capacity", 25}}.dump());
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto refused = admin("PATCH", "/v1/admin/courses/" + std::to_string(id), json{{"title_en", ""}}.dump());
  EXPECT_NE(refused.status, 200);
  auto lines = audit_lines(sign_in("alice"));
  // Newest first: sign-in, the patch, the creation, and the CLI's operator.add; the refused
  // patch changed nothing and left no line.
  ASSERT_EQ(lines.size(), 4u) << lines.dump();
  EXPECT_EQ(lines[0]["action"], "session.sign_in");
  EXPECT_EQ(lines[1]["action"], "course.update");
  EXPECT_EQ(lines[1]["actor"], "api");
  EXPECT_EQ(lines[1]["target"], "course:" + std::to_string(id));
  EXPECT_EQ(lines[1]["before"]["capacity"], 20);
  EXPECT_EQ(lines[1]["after"]["capacity"], 25);
  EXPECT_EQ(lines[2]["action"], "course.create");
  EXPECT_TRUE(lines[2]["before"].is_null());
  EXPECT_EQ(lines[2]["after"]["code"], "101");
  EXPECT_EQ(lines[3]["action"], "operator.add");
  EXPECT_EQ(lines[3]["actor"], "cli");
  EXPECT_EQ(lines[3]["after"].dump().find("argon2"), std::string::npos) << "never the hash";
}

TEST_F(ConsoleTest, TheAuditLogIsPagedByKey) {
  add("alice", console::Role::admin);
  for (int i = 0; i < 5; ++i) create_course(json{{"code", "C" + std::to_string(i)}});
  auto a = sign_in("alice");
  auto first = json::parse(as(a, "GET", "/console/api/audit?limit=3").body);
  ASSERT_EQ(first["entries"].size(), 3u);
  ASSERT_TRUE(first["next_before"].is_number());
  auto second = json::parse(
      as(a, "GET", "/console/api/audit?limit=3&before=" + std::to_string(first["next_before"].get<long long>())).body);
  ASSERT_EQ(second["entries"].size(), 3u);
  EXPECT_LT(second["entries"][0]["id"].get<long long>(), first["entries"][2]["id"].get<long long>());
  EXPECT_EQ(as(a, "GET", "/console/api/audit?limit=0").status, 400);
}

TEST_F(ConsoleTest, TheOverviewShowsQuorumProgressAndCounts) {
  add("victor", console::Role::viewer);
  std::int64_t id = create_course(json{{"capacity", 10}});
  apply_ok(id, 1);
  apply_ok(id, 2);
  auto o = json::parse(as(sign_in("victor"), "GET", "/console/api/overview").body);
  ASSERT_EQ(o["courses"].size(), 1u);
  EXPECT_EQ(o["courses"][0]["active"], 2);
  EXPECT_EQ(o["courses"][0]["min_participants"], 3);
  EXPECT_EQ(o["courses"][0]["capacity"], 10);
  EXPECT_EQ(o["applications_by_state"]["awaiting_quorum"], 2);
  EXPECT_EQ(o["attention"]["failed_sms"]["count"], 0);
  // The course decides on 2026-12-10; 48 hours before, it is flagged.
  clock_.set(at("2026-12-08T14:00:00Z"));
  o = json::parse(as(sign_in("victor"), "GET", "/console/api/overview").body);
  ASSERT_EQ(o["attention"]["courses_deciding_without_quorum"].size(), 1u);
  EXPECT_EQ(o["attention"]["courses_deciding_without_quorum"][0]["code"], "101");
}

TEST_F(ConsoleTest, FilesComeWithContentTypesEtagsAndAStrictPolicy) {
  auto index = client_.get(base_ + "/console/").value();
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.header("Content-Type"), "text/html; charset=utf-8");
  auto csp = index.header("Content-Security-Policy").value_or("");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(index.body.find("<script>"), std::string::npos) << "no inline script";
  auto js = client_.get(base_ + "/console/assets/app.js").value();
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.header("Content-Type"), "text/javascript; charset=utf-8");
  auto etag = js.header("ETag");
  ASSERT_TRUE(etag);
  EXPECT_EQ(client_.get(base_ + "/console/assets/app.js", {{"If-None-Match", *etag}})->status, 304);
  EXPECT_EQ(client_.get(base_ + "/console/assets/strings.ar.json")->header("Content-Type"),
            "application/json; charset=utf-8");
  EXPECT_EQ(client_.get(base_ + "/console/assets/nothing.js")->status, 404);
  EXPECT_EQ(client_.get(base_ + "/console")->status, 308);
}

TEST_F(ConsoleTest, ADisabledConsoleIsNotServed) {
  auto c = config();
  c.console.enabled = false;
  restart_with(c);
  EXPECT_EQ(client_.get(base_ + "/console/")->status, 404);
  EXPECT_EQ(client_.get(base_ + "/console/api/overview")->status, 404);
}

}  // namespace
}  // namespace cg::gateway::testing
