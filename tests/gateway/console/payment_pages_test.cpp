// The console's Payments page over HTTP on the real gateway: a statement day's payments with its
// count, total and refunds, the day defaulting to today in Amman, open bills soonest due first,
// key paging, masking for viewers, and bad queries answered 400 naming the field; the refunds to
// settle with their totals, and settling one (audited once, a replay changing nothing, refusals
// by field, role and CSRF).
#include "tests/gateway/console/console_fixture.hpp"

namespace cg::gateway::testing {
namespace {

class PaymentPagesTest : public ConsoleTest {
 protected:
  void SetUp() override {
    ConsoleTest::SetUp();
    add("olga", console::Role::operator_);
    add("victor", console::Role::viewer);
    add("ada", console::Role::admin);
  }
  test::HttpResponse settle(const Session& s, const std::string& trx, const json& body, const std::string& key,
                            bool with_csrf = true) {
    test::HeaderList h{{"Cookie", s.cookie}, {"Content-Type", "application/json"}};
    if (with_csrf) h.emplace_back("X-CSRF-Token", s.csrf);
    if (!key.empty()) h.emplace_back("Idempotency-Key", key);
    return client_.request("POST", base_ + "/console/api/refunds/" + trx + "/settle", h, body.dump()).value();
  }
  std::vector<json> settle_lines() {
    std::vector<json> out;
    for (const auto& l : audit_lines(sign_in("ada")))
      if (l["action"] == "refund.settle") out.push_back(l);
    return out;
  }
  json get(const Session& s, const std::string& path, int want = 200) {
    auto r = as(s, "GET", path);
    EXPECT_EQ(r.status, want) << path << ": " << r.body;
    return json::parse(r.body, nullptr, false);
  }
  void pay(const std::string& trx, const std::string& day, std::int64_t fils, const std::string& outcome,
           core::Instant at) {
    store::PaymentRecord p{trx, "770001", "", core::Fils{fils}, core::Fils{fils}, day + "T10:00:00", day, outcome, at};
    ASSERT_TRUE(app_->store().write_sync([&](store::Tx& tx) { return tx.insert_payment(p); }).ok());
  }
  static std::vector<std::string> trxs(const json& page) {
    std::vector<std::string> out;
    for (const auto& p : page["items"]) out.push_back(p["joebpps_trx"]);
    return out;
  }
};

TEST_F(PaymentPagesTest, ADaysPaymentsComeWithCountTotalAndRefundsPagedByKey) {
  const auto now = clock_.now();
  pay("trx-3", "2026-11-25", 5000, "applied", now + std::chrono::seconds(2));
  pay("trx-1", "2026-11-25", 5000, "applied", now);
  pay("trx-2", "2026-11-25", 7500, "refund:wrong_amount", now + std::chrono::seconds(1));
  pay("trx-9", "2026-11-24", 5000, "applied", now);
  auto v = sign_in("victor");
  // No date: today in Amman (the clock reads 09:00 UTC, 12:00 there).
  auto day = get(v, "/console/api/payments");
  EXPECT_EQ(day["date"], "2026-11-25");
  EXPECT_EQ(day["count"], 3);
  EXPECT_EQ(day["total_jod"], "17.500");
  EXPECT_EQ(day["refunds"]["count"], 1);
  EXPECT_EQ(day["refunds"]["paid_jod"], "7.500");
  EXPECT_EQ(trxs(day), (std::vector<std::string>{"trx-1", "trx-2", "trx-3"}));
  EXPECT_TRUE(day["items"][1]["refund"].get<bool>());
  EXPECT_TRUE(day["next_after"].is_null());

  auto first = get(v, "/console/api/payments?date=2026-11-25&limit=2");
  EXPECT_EQ(trxs(first), (std::vector<std::string>{"trx-1", "trx-2"}));
  ASSERT_TRUE(first["next_after"].is_string());
  auto second = get(v, "/console/api/payments?date=2026-11-25&limit=2&after=" + first["next_after"].get<std::string>());
  EXPECT_EQ(trxs(second), (std::vector<std::string>{"trx-3"}));
  EXPECT_EQ(second["count"], 3) << "the day's sums do not depend on the page";

  auto other = get(v, "/console/api/payments?date=2026-11-24");
  EXPECT_EQ(trxs(other), (std::vector<std::string>{"trx-9"}));
  EXPECT_EQ(get(v, "/console/api/payments?date=2026-11-23")["count"], 0);

  // 22:30 UTC is already the next day in Amman (UTC+3).
  clock_.set(at("2026-11-25T22:30:00Z"));
  v = sign_in("victor");  // the jump outlasts the idle timeout
  EXPECT_EQ(get(v, "/console/api/payments")["date"], "2026-11-26");
}

TEST_F(PaymentPagesTest, BadQueriesAnswer400NamingTheFieldAndStrangersAre401) {
  auto o = sign_in("olga");
  for (const char* q : {"date=2026-02-30", "date=26-11-25", "date=2026-11-25x", "date=2026/11/25"}) {
    auto bad = get(o, std::string("/console/api/payments?") + q, 400);
    EXPECT_EQ(bad["error"]["code"], "invalid_query") << q;
    EXPECT_EQ(bad["error"]["message"].get<std::string>().rfind("date:", 0), 0u) << q;
  }
  EXPECT_EQ(get(o, "/console/api/payments?limit=0", 400)["error"]["message"].get<std::string>().rfind("limit:", 0), 0u);
  EXPECT_EQ(get(o, "/console/api/payments?after=x", 400)["error"]["message"].get<std::string>().rfind("after:", 0), 0u);
  EXPECT_EQ(get(o, "/console/api/bills?after=12:x", 400)["error"]["message"].get<std::string>().rfind("after:", 0), 0u);
  EXPECT_EQ(get(o, "/console/api/bills?limit=201", 400)["error"]["message"].get<std::string>().rfind("limit:", 0), 0u);
  EXPECT_EQ(client_.request("GET", base_ + "/console/api/payments", {}, "").value().status, 401);
  EXPECT_EQ(client_.request("GET", base_ + "/console/api/bills", {}, "").value().status, 401);
}

TEST_F(PaymentPagesTest, OpenBillsAreSoonestDueFirstPagedAndMaskedForAViewer) {
  auto course = create_course({{"min_participants", 1}, {"fee_jod", "5.000"}});
  std::string first = apply_ok(course, 1);
  clock_.advance(std::chrono::seconds(60));
  std::string second = apply_ok(course, 2);
  ASSERT_EQ(state_of(first), "awaiting_payment");
  ASSERT_EQ(state_of(second), "awaiting_payment");

  auto v = sign_in("victor");
  auto all = get(v, "/console/api/bills");
  EXPECT_EQ(all["count"], 2);
  EXPECT_EQ(all["total_jod"], "10.000");
  EXPECT_TRUE(all["masked"].get<bool>());
  ASSERT_EQ(all["items"].size(), 2u);
  EXPECT_EQ(all["items"][0]["application_id"], first);
  EXPECT_EQ(all["items"][0]["phone"], core::mask_phone(phone_of(1)));
  EXPECT_EQ(all["items"][1]["application_id"], second);
  EXPECT_FALSE(all["items"][0]["overdue"].get<bool>());

  auto page = get(v, "/console/api/bills?limit=1");
  ASSERT_EQ(page["items"].size(), 1u);
  EXPECT_EQ(page["items"][0]["application_id"], first);
  auto next = get(v, "/console/api/bills?limit=1&after=" + page["next_after"].get<std::string>());
  ASSERT_EQ(next["items"].size(), 1u);
  EXPECT_EQ(next["items"][0]["application_id"], second);

  auto o = sign_in("olga");
  auto full = get(o, "/console/api/bills");
  EXPECT_EQ(full["items"][0]["phone"], phone_of(1));
  EXPECT_FALSE(full["masked"].get<bool>());
}

TEST_F(PaymentPagesTest, RefundsToSettleAreOldestFirstWithTheirTotalsPagedByKey) {
  const auto now = clock_.now();
  pay("trx-1", "2026-11-24", 5000, "refund:expired", now - std::chrono::hours(24));
  pay("trx-2", "2026-11-25", 7500, "refund:wrong_amount", now);
  pay("trx-3", "2026-11-25", 5000, "applied", now);
  pay("trx-4", "2026-11-25", 2500, "refund:cancelled", now + std::chrono::seconds(1));
  auto v = sign_in("victor");
  auto all = get(v, "/console/api/refunds");
  EXPECT_EQ(all["count"], 3);
  EXPECT_EQ(all["total_jod"], "15.000");
  EXPECT_EQ(trxs(all), (std::vector<std::string>{"trx-1", "trx-2", "trx-4"}));
  EXPECT_EQ(all["items"][0]["outcome"], "refund:expired");
  EXPECT_EQ(all["items"][0]["stmt_date"], "2026-11-24");
  EXPECT_EQ(all["items"][0]["paid_jod"], "5.000");
  EXPECT_EQ(all["items"][0]["billing_number"], "770001");
  EXPECT_TRUE(all["next_after"].is_null());

  auto first = get(v, "/console/api/refunds?limit=2");
  EXPECT_EQ(trxs(first), (std::vector<std::string>{"trx-1", "trx-2"}));
  ASSERT_TRUE(first["next_after"].is_string());
  auto second = get(v, "/console/api/refunds?limit=2&after=" + first["next_after"].get<std::string>());
  EXPECT_EQ(trxs(second), (std::vector<std::string>{"trx-4"}));
  EXPECT_EQ(second["count"], 3) << "the totals do not depend on the page";
  EXPECT_EQ(get(v, "/console/api/refunds?after=x", 400)["error"]["message"].get<std::string>().rfind("after:", 0), 0u);
  EXPECT_EQ(get(v, "/console/api/refunds?limit=0", 400)["error"]["message"].get<std::string>().rfind("limit:", 0), 0u);
  EXPECT_EQ(client_.request("GET", base_ + "/console/api/refunds", {}, "").value().status, 401);
}

TEST_F(PaymentPagesTest, AnOperatorSettlesARefundOnceAuditedAndTheDayMarksIt) {
  const auto now = clock_.now();
  pay("trx-1", "2026-11-25", 7500, "refund:wrong_amount", now);
  pay("trx-2", "2026-11-25", 5000, "refund:expired", now + std::chrono::seconds(1));
  auto o = sign_in("olga");
  auto r = settle(o, "trx-1", json{{"reference", "  TRF-2026-0042 "}}, "settle-key-0001");
  ASSERT_EQ(r.status, 200) << r.body;
  auto done = json::parse(r.body);
  EXPECT_EQ(done["joebpps_trx"], "trx-1");
  EXPECT_EQ(done["reference"], "TRF-2026-0042") << "spaces at either end are dropped";
  EXPECT_EQ(done["settled_by"], "olga");
  EXPECT_EQ(done["paid_jod"], "7.500");
  EXPECT_FALSE(done["already"].get<bool>());

  // A replay (the same key and body) answers the same and writes nothing more.
  auto replay = settle(o, "trx-1", json{{"reference", "  TRF-2026-0042 "}}, "settle-key-0001");
  ASSERT_EQ(replay.status, 200) << replay.body;
  EXPECT_EQ(json::parse(replay.body), done);
  // The key with another body is refused.
  EXPECT_EQ(settle(o, "trx-1", json{{"reference", "TRF-9"}}, "settle-key-0001").status, 422);
  // Another form on a settled refund gets the first settlement back, unchanged.
  auto other = settle(o, "trx-1", json{{"reference", "TRF-9"}}, "settle-key-0002");
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_TRUE(json::parse(other.body)["already"].get<bool>());
  EXPECT_EQ(json::parse(other.body)["reference"], "TRF-2026-0042");

  auto lines = settle_lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["actor"], "olga");
  EXPECT_EQ(lines[0]["target"], "payment:trx-1");
  EXPECT_EQ(lines[0]["before"]["outcome"], "refund:wrong_amount");
  EXPECT_EQ(lines[0]["before"]["paid_jod"], "7.500");
  EXPECT_EQ(lines[0]["after"]["reference"], "TRF-2026-0042");

  auto left = get(o, "/console/api/refunds");
  EXPECT_EQ(trxs(left), (std::vector<std::string>{"trx-2"}));
  EXPECT_EQ(left["count"], 1);
  EXPECT_EQ(left["total_jod"], "5.000");

  auto day = get(o, "/console/api/payments?date=2026-11-25");
  ASSERT_EQ(day["items"].size(), 2u);
  EXPECT_EQ(day["items"][0]["settlement"]["reference"], "TRF-2026-0042");
  EXPECT_EQ(day["items"][0]["settlement"]["settled_by"], "olga");
  EXPECT_TRUE(day["items"][1]["settlement"].is_null());
}

TEST_F(PaymentPagesTest, SettlingIsRefusedByFieldRoleAndCsrfAndNothingIsRecorded) {
  const auto now = clock_.now();
  pay("trx-1", "2026-11-25", 7500, "refund:cancelled", now);
  pay("trx-ok", "2026-11-25", 5000, "applied", now);
  auto o = sign_in("olga");
  auto message_of = [](const test::HttpResponse& r) {
    return json::parse(r.body)["error"]["message"].get<std::string>();
  };
  const std::vector<json> bad_bodies{json::object(),
                                     json{{"reference", ""}},
                                     json{{"reference", "   "}},
                                     json{{"reference", 42}},
                                     json{{"reference", std::string(101, '7')}},
                                     json{{"reference", "TRF\n1"}},
                                     json{{"reference", "TRF\u202e1"}},
                                     json{{"reference", "TRF-1"}, {"amount", "7.500"}}};
  for (const auto& body : bad_bodies) {
    auto r = settle(o, "trx-1", body, "settle-key-bad1");
    EXPECT_EQ(r.status, 400) << body.dump() << ": " << r.body;
    EXPECT_EQ(json::parse(r.body)["error"]["code"], "invalid_field") << body.dump();
    const auto msg = message_of(r);
    EXPECT_TRUE(msg.rfind("reference:", 0) == 0 || msg.rfind("amount:", 0) == 0) << msg;
  }
  // 100 characters (Arabic: 2 bytes each) is the most.
  std::string arabic;
  for (int i = 0; i < 100; ++i) arabic += "\u0634";
  auto longest = settle(o, "trx-1", json{{"reference", arabic}}, "");
  EXPECT_EQ(longest.status, 400) << "no Idempotency-Key: " << longest.body;
  EXPECT_EQ(message_of(longest).rfind("Idempotency-Key", 0), 0u);

  auto unknown = settle(o, "trx-none", json{{"reference", "TRF-1"}}, "settle-key-0003");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  auto applied = settle(o, "trx-ok", json{{"reference", "TRF-1"}}, "settle-key-0004");
  EXPECT_EQ(applied.status, 409) << applied.body;
  EXPECT_EQ(json::parse(applied.body)["error"]["code"], "not_a_refund");

  auto v = sign_in("victor");
  auto viewer = settle(v, "trx-1", json{{"reference", "TRF-1"}}, "settle-key-0005");
  EXPECT_EQ(viewer.status, 403) << viewer.body;
  EXPECT_EQ(json::parse(viewer.body)["error"]["code"], "forbidden");
  auto no_csrf = settle(o, "trx-1", json{{"reference", "TRF-1"}}, "settle-key-0006", false);
  EXPECT_EQ(no_csrf.status, 403) << no_csrf.body;
  EXPECT_EQ(json::parse(no_csrf.body)["error"]["code"], "csrf");

  EXPECT_TRUE(settle_lines().empty());
  EXPECT_EQ(get(o, "/console/api/refunds")["count"], 1) << "nothing was settled";
  // The key of a refused request is still unused: it settles once the request is right.
  auto ok = settle(o, "trx-1", json{{"reference", arabic}}, "settle-key-bad1");
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(get(o, "/console/api/refunds")["count"], 0);
}

}  // namespace
}  // namespace cg::gateway::testing
