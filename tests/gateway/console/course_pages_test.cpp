// The console's Course and Application pages over HTTP on the real gateway: roles refused by the
// server, CSRF, masking for viewers, filters and key paging, validation errors naming the field,
// the idempotent cancel through the Service (its SMS and audit line once), the prerequisite pass,
// the CSV export's bytes, and one application's timeline, SMS and bill.
#include "gateway/console/course_pages.hpp"

#include "tests/gateway/console/console_fixture.hpp"

namespace cg::gateway::testing {
namespace {

class CoursePagesTest : public ConsoleTest {
 protected:
  void SetUp() override {
    ConsoleTest::SetUp();
    add("olga", console::Role::operator_);
    add("victor", console::Role::viewer);
  }
  json get(const Session& s, const std::string& path, int want = 200) {
    auto r = as(s, "GET", path);
    EXPECT_EQ(r.status, want) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  std::vector<std::int64_t> seqs(const json& page) {
    std::vector<std::int64_t> out;
    for (const auto& a : page["items"]) out.push_back(a["seq"].get<std::int64_t>());
    return out;
  }
  int count_lines(const json& lines, const std::string& action) {
    int n = 0;
    for (const auto& l : lines) n += l["action"] == action ? 1 : 0;
    return n;
  }
};

TEST(CsvField, QuotesPerRfc4180AndDisarmsFormulas) {
  EXPECT_EQ(console::csv_field("plain"), "plain");
  EXPECT_EQ(console::csv_field("سارة أحمد"), "سارة أحمد");
  EXPECT_EQ(console::csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(console::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(console::csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(console::csv_field("=1+2"), "'=1+2");
  EXPECT_EQ(console::csv_field("+962790000001"), "'+962790000001");
  EXPECT_EQ(console::csv_field("-3"), "'-3");
  EXPECT_EQ(console::csv_field("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(console::csv_field("\tx"), "'\tx");
  EXPECT_EQ(console::csv_field("\rx"), "\"'\rx\"");
  EXPECT_EQ(console::csv_field("=HYPERLINK(\"x\",\"y\")"), "\"'=HYPERLINK(\"\"x\"\",\"\"y\"\")\"");
  EXPECT_EQ(console::csv_field("a=b"), "a=b") << "only a leading sign is a formula";
  EXPECT_EQ(console::csv_row({"a", "b,c", ""}), "a,\"b,c\",\r\n");
}

TEST_F(CoursePagesTest, AViewerSeesMaskedNumbersAndNoActionsWhileAnOperatorSeesThemWhole) {
  auto course = create_course();
  std::string id = apply_ok(course, 1);
  auto v = sign_in("victor");
  auto page = get(v, "/console/api/courses/" + std::to_string(course) + "/applications");
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["id_number"], "*******001");
  EXPECT_EQ(page["items"][0]["phone"], core::mask_phone(phone_of(1)));
  EXPECT_TRUE(page["masked"].get<bool>());
  auto detail = get(v, "/console/api/applications/" + id);
  EXPECT_EQ(detail["application"]["id_number"], "*******001");
  for (const auto& m : detail["messages"]) EXPECT_EQ(m["to"], core::mask_phone(phone_of(1)));
  // The server refuses a viewer's actions, whatever the page shows.
  EXPECT_EQ(as(v, "POST", "/console/api/applications/" + id + "/cancel", "{}").status, 403);
  EXPECT_EQ(as(v, "POST", "/console/api/applications/" + id + "/prerequisite", "{}").status, 403);
  EXPECT_EQ(state_of(id), "awaiting_quorum");

  auto o = sign_in("olga");
  auto full = get(o, "/console/api/courses/" + std::to_string(course) + "/applications");
  EXPECT_EQ(full["items"][0]["id_number"], "9900000001");
  EXPECT_EQ(full["items"][0]["phone"], phone_of(1));
  EXPECT_FALSE(full["masked"].get<bool>());
}

TEST_F(CoursePagesTest, TheCourseShowsItsDetails) {
  auto course = create_course({{"fee_jod", "12.500"}, {"capacity", 20}, {"prerequisite", "english-a2"}});
  auto c = get(sign_in("victor"), "/console/api/courses/" + std::to_string(course));
  EXPECT_EQ(c["code"], "101");
  EXPECT_EQ(c["fee_jod"], "12.500");
  EXPECT_EQ(c["capacity"], 20);
  EXPECT_EQ(c["min_participants"], 3);
  EXPECT_EQ(c["prerequisite"], "english-a2");
  EXPECT_EQ(c["status"], "open");
  EXPECT_EQ(c["start_at"], "2026-12-10T13:00:00Z");
  get(sign_in("victor"), "/console/api/courses/999", 404);
}

TEST_F(CoursePagesTest, ApplicantsAreFilteredSearchedAndPagedByKey) {
  auto course = create_course({{"min_participants", 10}});
  std::vector<std::string> ids;
  for (int n = 1; n <= 4; ++n) ids.push_back(apply_ok(course, n));
  ASSERT_EQ(admin("POST", "/v1/admin/applications/" + ids[1] + "/cancel").status, 200);
  auto o = sign_in("olga");
  const std::string base = "/console/api/courses/" + std::to_string(course) + "/applications";
  auto first = get(o, base + "?limit=3");
  ASSERT_EQ(first["items"].size(), 3u);
  ASSERT_TRUE(first["next_after"].is_number());
  auto rest = get(o, base + "?limit=3&after=" + std::to_string(first["next_after"].get<std::int64_t>()));
  ASSERT_EQ(rest["items"].size(), 1u);
  EXPECT_TRUE(rest["next_after"].is_null());
  EXPECT_EQ(rest["items"][0]["id"], ids[3]);
  auto all = seqs(get(o, base));
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));

  auto cancelled = get(o, base + "?state=cancelled");
  ASSERT_EQ(cancelled["items"].size(), 1u);
  EXPECT_EQ(cancelled["items"][0]["id"], ids[1]);
  EXPECT_EQ(get(o, base + "?state=awaiting_quorum")["items"].size(), 3u);
  // By phone as people type it, by document number, by part of a name.
  auto by_phone = get(o, base + "?q=0790000003");
  ASSERT_EQ(by_phone["items"].size(), 1u);
  EXPECT_EQ(by_phone["items"][0]["id"], ids[2]);
  auto by_document = get(o, base + "?q=9900000004");
  ASSERT_EQ(by_document["items"].size(), 1u);
  EXPECT_EQ(by_document["items"][0]["id"], ids[3]);
  EXPECT_EQ(get(o, base + "?q=Haddad")["items"].size(), 1u);  // person 2: Lina Haddad
  EXPECT_EQ(get(o, base + "?q=Haddad&state=awaiting_quorum")["items"].size(), 0u);

  // Bad input: 400 naming the field.
  auto bad_state = get(o, base + "?state=bogus", 400);
  EXPECT_EQ(bad_state["error"]["message"].get<std::string>().rfind("state:", 0), 0u) << bad_state;
  auto bad_limit = get(o, base + "?limit=0", 400);
  EXPECT_EQ(bad_limit["error"]["message"].get<std::string>().rfind("limit:", 0), 0u);
  auto bad_after = get(o, base + "?after=x", 400);
  EXPECT_EQ(bad_after["error"]["message"].get<std::string>().rfind("after:", 0), 0u);
  get(o, "/console/api/courses/999/applications", 404);
}

TEST_F(CoursePagesTest, CancelNeedsCsrfAndAnOperatorAndCancelsOnceWhenClickedTwice) {
  auto course = create_course({{"min_participants", 10}});
  std::string id = apply_ok(course, 1);
  auto o = sign_in("olga");
  const std::string path = "/console/api/applications/" + id + "/cancel";
  EXPECT_EQ(as(o, "POST", path, "{}", /*with_csrf=*/false).status, 403);
  auto form = client_.request(
      "POST", base_ + path,
      {{"Cookie", o.cookie}, {"X-CSRF-Token", o.csrf}, {"Content-Type", "application/x-www-form-urlencoded"}}, "x=1");
  EXPECT_EQ(form->status, 415);
  EXPECT_EQ(state_of(id), "awaiting_quorum");

  auto once = as(o, "POST", path, "{}");
  ASSERT_EQ(once.status, 200) << once.body;
  auto twice = as(o, "POST", path, "{}");
  ASSERT_EQ(twice.status, 200) << twice.body;
  EXPECT_EQ(once.body, twice.body);
  EXPECT_EQ(json::parse(once.body)["state"], "cancelled");
  EXPECT_EQ(state_of(id), "cancelled");
  // The applicant's own path: the card's cancellation SMS, once.
  auto templates = templates_for(id);
  EXPECT_EQ(std::count(templates.begin(), templates.end(), "cancelled"), 1) << json(templates);
  // Audited once, by the operator, with the state before and after.
  add("alice", console::Role::admin);
  auto lines = audit_lines(sign_in("alice"));
  ASSERT_EQ(count_lines(lines, "application.cancel"), 1);
  for (const auto& l : lines)
    if (l["action"] == "application.cancel") {
      EXPECT_EQ(l["actor"], "olga");
      EXPECT_EQ(l["target"], "application:" + id);
      EXPECT_EQ(l["before"]["state"], "awaiting_quorum");
      EXPECT_EQ(l["after"]["state"], "cancelled");
    }
  EXPECT_EQ(as(o, "POST", "/console/api/applications/ffff/cancel", "{}").status, 404);
  EXPECT_EQ(as(o, "POST", "/console/api/applications/NOT-HEX/cancel", "{}").status, 404);
}

TEST_F(CoursePagesTest, APrerequisitePassIsRecordedThroughTheServiceAndMovesTheApplicationOn) {
  auto course = create_course({{"min_participants", 1}, {"prerequisite", "computer-basics"}});
  std::string id = apply_ok(course, 1);
  ASSERT_EQ(state_of(id), "awaiting_exam");
  auto o = sign_in("olga");
  const std::string path = "/console/api/applications/" + id + "/prerequisite";
  EXPECT_EQ(as(o, "POST", path, "{}", /*with_csrf=*/false).status, 403);
  auto r = as(o, "POST", path, "{}");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = json::parse(r.body);
  EXPECT_TRUE(body["recorded"].get<bool>());
  EXPECT_EQ(body["applications"], json::array({id}));
  EXPECT_EQ(state_of(id), "confirmed");
  auto again = json::parse(as(o, "POST", path, "{}").body);
  EXPECT_FALSE(again["recorded"].get<bool>());

  auto plain = create_course({{"code", "102"}, {"min_participants", 5}});
  std::string other = apply_ok(plain, 2);
  auto refused = as(o, "POST", "/console/api/applications/" + other + "/prerequisite", "{}");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(json::parse(refused.body)["error"]["message"].get<std::string>().rfind("course:", 0), 0u);
}

TEST_F(CoursePagesTest, TheExportIsUtf8CsvWithBomCrlfAndDisarmedCellsAndIsAudited) {
  auto course = create_course({{"min_participants", 10}});
  for (int n = 1; n <= 3; ++n) apply_ok(course, n);
  auto o = sign_in("olga");
  auto r = as(o, "GET", "/console/api/courses/" + std::to_string(course) + "/export");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type").value_or(""), "text/csv; charset=utf-8");
  EXPECT_NE(r.header("Content-Disposition").value_or("").find("attachment"), std::string::npos);
  ASSERT_EQ(r.body.rfind("\xEF\xBB\xBF", 0), 0u) << "a UTF-8 byte order mark first";
  std::vector<std::string> lines;
  std::string_view rest(r.body);
  rest.remove_prefix(3);
  for (auto at = rest.find("\r\n"); at != std::string_view::npos; at = rest.find("\r\n")) {
    lines.emplace_back(rest.substr(0, at));
    rest.remove_prefix(at + 2);
  }
  EXPECT_TRUE(rest.empty()) << "every line ends in CRLF";
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].rfind("seq,application_id,name,phone,id_type,id_number,", 0), 0u);
  EXPECT_NE(lines[1].find(",محمد العلي,'+962790000001,national_id,9900000001,"), std::string::npos) << lines[1];
  for (const auto& l : lines) EXPECT_EQ(l.find('\n'), std::string::npos);

  // A filter exports only its rows; a viewer's export is masked.
  auto v = sign_in("victor");
  auto masked = as(v, "GET", "/console/api/courses/" + std::to_string(course) + "/export?q=0790000002");
  ASSERT_EQ(masked.status, 200);
  EXPECT_EQ(std::count(masked.body.begin(), masked.body.end(), '\n'), 2);
  EXPECT_NE(masked.body.find("*******002"), std::string::npos);
  EXPECT_EQ(masked.body.find("9900000002"), std::string::npos);
  EXPECT_EQ(as(v, "GET", "/console/api/courses/" + std::to_string(course) + "/export?state=nope").status, 400);

  add("alice", console::Role::admin);
  auto audit = audit_lines(sign_in("alice"));
  ASSERT_EQ(count_lines(audit, "applicants.export"), 2);
  json newest;
  for (const auto& l : audit)
    if (l["action"] == "applicants.export" && newest.is_null()) newest = l;
  EXPECT_EQ(newest["actor"], "victor");
  EXPECT_EQ(newest["target"], "course:" + std::to_string(course));
  EXPECT_EQ(newest["after"]["rows"], 1);
  EXPECT_TRUE(newest["after"]["masked"].get<bool>());
  EXPECT_EQ(newest["after"]["search"], "*******002") << "the searched number is kept masked";
}

// More applicants than one piece of the export holds: every row once, in arrival order, over a
// chunked answer, and the audit line counts them.
TEST_F(CoursePagesTest, TheExportStreamsEveryRowOnceAcrossItsPieces) {
  auto course = create_course({{"min_participants", 10}});
  const int total = static_cast<int>(2 * console::CoursePages::kExportPage + 3);
  ASSERT_TRUE(app_->store()
                  .write_sync([&](store::Tx& tx) -> Status {
                    for (int i = 1; i <= total; ++i) {
                      core::Application a;
                      a.id = "bulk" + std::to_string(i);
                      a.course_id = course;
                      a.seq = 100000 + i;
                      a.applicant = {"+9627" + std::to_string(90000000 + i),
                                     "متقدم " + std::to_string(i),
                                     core::IdType::national_id,
                                     std::to_string(9000000000LL + i),
                                     "JO",
                                     core::Language::ar};
                      a.channel = "web";
                      a.state = core::ApplicationState::awaiting_quorum;
                      a.created_at = clock_.now();
                      a.updated_at = clock_.now();
                      if (auto st = tx.insert_application(a); !st) return st;
                    }
                    return ok_status();
                  })
                  .ok());
  auto o = sign_in("olga");
  auto r = as(o, "GET", "/console/api/courses/" + std::to_string(course) + "/export");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Transfer-Encoding").value_or(""), "chunked");
  EXPECT_FALSE(r.header("Content-Length").has_value());
  std::vector<std::int64_t> seen;
  std::string_view rest(r.body);
  rest.remove_prefix(3);                      // the byte order mark
  rest.remove_prefix(rest.find("\r\n") + 2);  // the header line
  for (auto at = rest.find("\r\n"); at != std::string_view::npos; at = rest.find("\r\n")) {
    seen.push_back(std::stoll(std::string(rest.substr(0, rest.find(',')))));
    rest.remove_prefix(at + 2);
  }
  ASSERT_EQ(seen.size(), static_cast<std::size_t>(total));
  for (int i = 0; i < total; ++i) ASSERT_EQ(seen[static_cast<std::size_t>(i)], 100001 + i) << "row " << i;
  add("alice", console::Role::admin);
  auto audit = audit_lines(sign_in("alice"));
  bool found = false;
  for (const auto& l : audit)
    if (l["action"] == "applicants.export") {
      EXPECT_EQ(l["after"]["rows"], total);
      found = true;
    }
  EXPECT_TRUE(found);
}

TEST_F(CoursePagesTest, TheApplicationPageShowsTheTimelineTheSmsAndTheBill) {
  auto course = create_course({{"min_participants", 1}, {"fee_jod", "5.000"}});
  std::string id = apply_ok(course, 1);
  ASSERT_EQ(state_of(id), "awaiting_payment");
  (void)outbox();  // sent through the file provider
  auto o = sign_in("olga");
  auto page = get(o, "/console/api/applications/" + id);
  std::vector<std::string> steps;
  for (const auto& h : page["history"]) steps.push_back(h["step"]);
  EXPECT_EQ(steps, (std::vector<std::string>{"4", "7.1"}));
  EXPECT_EQ(page["history"][1]["to"], "awaiting_payment");
  ASSERT_GE(page["messages"].size(), 1u);
  const auto& last = page["messages"].back();
  EXPECT_EQ(last["template"], "payment_due");
  EXPECT_EQ(last["to"], phone_of(1));
  EXPECT_NE(last["status"], "pending");
  EXPECT_FALSE(last["provider"].get<std::string>().empty());
  ASSERT_TRUE(page["bill"].is_object());
  EXPECT_EQ(page["bill"]["amount_jod"], "5.000");
  EXPECT_EQ(page["course"]["id"], course);
  EXPECT_TRUE(page["payments"].empty());
  get(o, "/console/api/applications/0123456789abcdef0123456789abcdef", 404);

  auto found = get(o, "/console/api/applications?phone=0790000001");
  ASSERT_EQ(found["items"].size(), 1u);
  EXPECT_EQ(found["items"][0]["id"], id);
  EXPECT_EQ(found["items"][0]["course_id"], course);
  auto bad = get(o, "/console/api/applications?phone=12", 400);
  EXPECT_EQ(bad["error"]["message"].get<std::string>().rfind("phone:", 0), 0u);
}

}  // namespace
}  // namespace cg::gateway::testing
