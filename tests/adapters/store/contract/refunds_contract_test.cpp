// The store contract for refunds to settle (store.hpp, "payments"): the unsettled refunds paged
// oldest first by key with the count and sum of all of them, settling one (and its three
// refusals), settled refunds leaving the list, and the day's payments telling which are settled.
// On every backend.
#include <optional>

#include "tests/adapters/store/contract/contract.hpp"

namespace cg::store::testing {
namespace {

constexpr Instant t0{std::chrono::seconds{1'790'000'000}};
constexpr std::chrono::seconds kHour{3600};

class Refunds {
 public:
  explicit Refunds(Store& store) : store_(store) {}

  void pay(std::string trx, Instant at, std::int64_t fils, std::string outcome, const std::string& day = "2026-09-21") {
    PaymentRecord p{std::move(trx),     "770001", "", core::Fils{fils}, core::Fils{fils}, day + "T10:00:00", day,
                    std::move(outcome), at};
    ASSERT_TRUE(store_.write_sync([&](Tx& tx) { return tx.insert_payment(p); }).ok());
  }
  UnsettledRefunds page(Instant after, const std::string& trx, std::size_t limit) {
    return read_value<UnsettledRefunds>(store_, [&](Tx& tx) { return tx.unsettled_refunds(after, trx, limit); });
  }
  std::vector<std::string> trxs(Instant after, const std::string& trx, std::size_t limit) {
    std::vector<std::string> out;
    for (const auto& p : page(after, trx, limit).items) out.push_back(p.joebpps_trx);
    return out;
  }
  Result<SettledRefund> settle(const std::string& trx, const std::string& reference, Instant at = t0 + kHour) {
    std::optional<Result<SettledRefund>> out;
    Status s = store_.write_sync([&](Tx& tx) -> Status {
      auto r = tx.settle_refund(RefundSettlement{trx, at, "olga", reference});
      out.emplace(r);
      if (!r) return r.error();
      return ok_status();
    });
    if (!s) return s.error();
    return std::move(*out);
  }

 private:
  Store& store_;
};

TEST_P(StoreContract, UnsettledRefundsAreOldestFirstPagedByKeyWithTotalsOfAll) {
  Refunds r(*store_);
  r.pay("trx-applied", t0, 5000, "applied");
  // Two at the same second: the transaction id settles the tie, so paging neither repeats nor skips.
  r.pay("trx-b", t0 + kHour, 7500, "refund:wrong_amount");
  r.pay("trx-a", t0 + kHour, 5000, "refund:expired");
  r.pay("trx-c", t0, 5000, "refund:unknown_billing_number", "2026-09-20");
  r.pay("trx-d", t0 + 2 * kHour, 2500, "refund:cancelled");
  r.pay("trx-late", t0 + 3 * kHour, 5000, "applied");

  EXPECT_EQ(r.trxs(Instant{}, "", 10), (std::vector<std::string>{"trx-c", "trx-a", "trx-b", "trx-d"}));
  auto first = r.page(Instant{}, "", 2);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.items[1].joebpps_trx, "trx-a");
  EXPECT_EQ(first.items[1].outcome, "refund:expired");
  EXPECT_EQ(first.items[1].paid.value, 5000);
  EXPECT_EQ(first.items[1].received_at, t0 + kHour);
  // The totals are of every unsettled refund, whatever the page.
  EXPECT_EQ(first.count, 4);
  EXPECT_EQ(first.total.value, 20000);
  auto second = r.page(t0 + kHour, "trx-a", 2);
  EXPECT_EQ(r.trxs(t0 + kHour, "trx-a", 2), (std::vector<std::string>{"trx-b", "trx-d"}));
  EXPECT_EQ(second.count, 4);
  EXPECT_EQ(second.total.value, 20000);
  EXPECT_TRUE(r.trxs(t0 + 2 * kHour, "trx-d", 2).empty());
}

TEST_P(StoreContract, NoRefundsMeansAnEmptyListAndZeroTotals) {
  Refunds r(*store_);
  r.pay("trx-1", t0, 5000, "applied");
  auto none = r.page(Instant{}, "", 10);
  EXPECT_TRUE(none.items.empty());
  EXPECT_EQ(none.count, 0);
  EXPECT_EQ(none.total.value, 0);
}

TEST_P(StoreContract, ASettledRefundLeavesTheListAndTheDayTellsItIsSettled) {
  Refunds r(*store_);
  r.pay("trx-a", t0, 5000, "refund:expired");
  r.pay("trx-b", t0 + kHour, 7500, "refund:wrong_amount");
  r.pay("trx-c", t0 + 2 * kHour, 5000, "applied");

  auto done = r.settle("trx-a", "TRF-2026-0042", t0 + 5 * kHour);
  ASSERT_TRUE(done.ok()) << done.error().code;
  EXPECT_FALSE(done->already);
  EXPECT_EQ(done->settlement.joebpps_trx, "trx-a");
  EXPECT_EQ(done->settlement.reference, "TRF-2026-0042");
  EXPECT_EQ(done->settlement.settled_by, "olga");
  EXPECT_EQ(done->settlement.settled_at, t0 + 5 * kHour);
  EXPECT_EQ(done->payment.outcome, "refund:expired");
  EXPECT_EQ(done->payment.paid.value, 5000);

  auto left = r.page(Instant{}, "", 10);
  ASSERT_EQ(left.items.size(), 1u);
  EXPECT_EQ(left.items[0].joebpps_trx, "trx-b");
  EXPECT_EQ(left.count, 1);
  EXPECT_EQ(left.total.value, 7500);

  auto day = read_value<std::vector<DayPayment>>(
      *store_, [&](Tx& tx) { return tx.payments_of_day("2026-09-21", Instant{}, "", 10); });
  ASSERT_EQ(day.size(), 3u);
  ASSERT_TRUE(day[0].settlement.has_value());
  EXPECT_EQ(day[0].payment.joebpps_trx, "trx-a");
  EXPECT_EQ(day[0].settlement->reference, "TRF-2026-0042");
  EXPECT_EQ(day[0].settlement->settled_by, "olga");
  EXPECT_EQ(day[0].settlement->settled_at, t0 + 5 * kHour);
  EXPECT_FALSE(day[1].settlement.has_value()) << "an unsettled refund";
  EXPECT_FALSE(day[2].settlement.has_value()) << "an applied payment";

  // Settling both empties the list.
  ASSERT_TRUE(r.settle("trx-b", "CHQ 100234").ok());
  auto none = r.page(Instant{}, "", 10);
  EXPECT_TRUE(none.items.empty());
  EXPECT_EQ(none.count, 0);
  EXPECT_EQ(none.total.value, 0);
}

TEST_P(StoreContract, SettlingIsRefusedForAnUnknownOrAppliedPaymentAndNotDoneTwice) {
  Refunds r(*store_);
  r.pay("trx-a", t0, 5000, "refund:cancelled");
  r.pay("trx-ok", t0, 5000, "applied");

  auto unknown = r.settle("trx-nope", "TRF-1");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "payment_not_found");
  auto applied = r.settle("trx-ok", "TRF-1");
  ASSERT_FALSE(applied.ok());
  EXPECT_EQ(applied.error().code, "not_a_refund");

  ASSERT_TRUE(r.settle("trx-a", "TRF-1", t0 + kHour).ok());
  // A second settle (a double click, another operator) gets the first settlement back, unchanged.
  auto again = r.settle("trx-a", "TRF-2", t0 + 2 * kHour);
  ASSERT_TRUE(again.ok()) << again.error().code;
  EXPECT_TRUE(again->already);
  EXPECT_EQ(again->settlement.reference, "TRF-1");
  EXPECT_EQ(again->settlement.settled_at, t0 + kHour);
  auto day = read_value<std::vector<DayPayment>>(
      *store_, [&](Tx& tx) { return tx.payments_of_day("2026-09-21", Instant{}, "", 10); });
  ASSERT_EQ(day.size(), 2u);
  ASSERT_TRUE(day[0].settlement.has_value());
  EXPECT_EQ(day[0].settlement->reference, "TRF-1");

  // A read snapshot writes nothing.
  Status in_read = store_->read([&](Tx& tx) -> Status {
    auto s = tx.settle_refund(RefundSettlement{"trx-a", t0, "olga", "TRF-3"});
    if (!s) return s.error();
    return ok_status();
  });
  ASSERT_FALSE(in_read.ok());
  EXPECT_EQ(in_read.error().code, "store_error");
}

}  // namespace
}  // namespace cg::store::testing
