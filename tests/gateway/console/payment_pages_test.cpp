// The console's Payments page over HTTP on the real gateway: a statement day's payments with its
// count, total and refunds, the day defaulting to today in Amman, open bills soonest due first,
// key paging, masking for viewers, and bad queries answered 400 naming the field.
#include "tests/gateway/console/console_fixture.hpp"

namespace cg::gateway::testing {
namespace {

class PaymentPagesTest : public ConsoleTest {
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

}  // namespace
}  // namespace cg::gateway::testing
