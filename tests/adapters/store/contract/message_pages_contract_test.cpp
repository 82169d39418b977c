// The store contract for the console's Messages and Opt-outs pages (store.hpp, "operator
// console"): the outbox newest first by status and provider, paged by id; the last day's rows by
// status; a failed SMS resent once as a new pending row; opt-outs newest first, paged by (at, id).
// On every backend.
#include <map>
#include <optional>

#include "tests/adapters/store/contract/contract.hpp"

namespace cg::store::testing {
namespace {

const Instant t0{std::chrono::seconds{1'790'000'000}};
constexpr std::chrono::seconds kHour{3600};

std::int64_t enqueue(Store& store, const std::string& to, Instant created, const std::string& step = "4") {
  OutboxMessage m;
  m.application_id = "app-" + step;
  m.to = to;
  m.text = "text " + step;
  m.template_name = "application_received";
  m.step = step;
  m.segments = 2;
  m.created_at = created;
  m.next_attempt_at = created;
  m.request_id = "req-" + step;
  std::int64_t id = 0;
  EXPECT_TRUE(store
                  .write_sync([&](Tx& tx) -> Status {
                    auto r = tx.enqueue(m);
                    if (!r) return r.error();
                    id = *r;
                    return ok_status();
                  })
                  .ok());
  return id;
}

std::vector<std::int64_t> ids(const std::vector<OutboxListItem>& items) {
  std::vector<std::int64_t> out;
  for (const auto& i : items) out.push_back(i.message.id);
  return out;
}

OutboxQuery query(std::optional<std::string> status = std::nullopt, std::optional<std::string> provider = std::nullopt,
                  std::int64_t before = 0, std::size_t limit = 50) {
  return OutboxQuery{std::move(status), std::move(provider), before, limit};
}

}  // namespace

TEST_P(StoreContract, TheOutboxIsListedNewestFirstByStatusAndProviderPagedById) {
  auto page = [&](const OutboxQuery& q) {
    return ids(read_value<std::vector<OutboxListItem>>(*store_, [&](Tx& tx) { return tx.outbox_page(q); }));
  };
  std::int64_t a = enqueue(*store_, "+962790000001", t0, "a");
  std::int64_t b = enqueue(*store_, "+962790000002", t0, "b");
  std::int64_t c = enqueue(*store_, "+962790000003", t0, "c");
  std::int64_t d = enqueue(*store_, "+962790000004", t0, "d");
  ASSERT_TRUE(store_->claim_outbox(2, t0, t0 + kHour).ok());  // a and b
  ASSERT_TRUE(
      store_
          ->record_send_outcomes(
              std::vector<SendOutcome>{SendOutcome{a, SendOutcome::Kind::sent, "kannel", "k-a", "", t0, {}},
                                       SendOutcome{b, SendOutcome::Kind::failed, "twilio", "", "HTTP 400", t0, {}}},
              {})
          .ok());

  EXPECT_EQ(page(query()), (std::vector<std::int64_t>{d, c, b, a}));
  EXPECT_EQ(page(query(std::nullopt, std::nullopt, 0, 2)), (std::vector<std::int64_t>{d, c}));
  EXPECT_EQ(page(query(std::nullopt, std::nullopt, c, 2)), (std::vector<std::int64_t>{b, a})) << "the next page by key";
  EXPECT_EQ(page(query(std::nullopt, std::nullopt, a)), (std::vector<std::int64_t>{}));
  EXPECT_EQ(page(query("pending")), (std::vector<std::int64_t>{d, c}));
  EXPECT_EQ(page(query("failed")), (std::vector<std::int64_t>{b}));
  EXPECT_EQ(page(query(std::nullopt, "kannel")), (std::vector<std::int64_t>{a}));
  // A row's provider is the one that took it: a refused row names none (its channel log does).
  EXPECT_EQ(page(query(std::nullopt, "")), (std::vector<std::int64_t>{d, c, b}));
  EXPECT_EQ(page(query("failed", "")), (std::vector<std::int64_t>{b}));
  EXPECT_EQ(page(query("sent", "kannel")), (std::vector<std::int64_t>{a}));
  EXPECT_EQ(page(query("failed", "kannel")), (std::vector<std::int64_t>{}));

  auto failed =
      read_value<std::vector<OutboxListItem>>(*store_, [&](Tx& tx) { return tx.outbox_page(query("failed")); });
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0].message.last_error, "HTTP 400");
  EXPECT_EQ(failed[0].message.to, "+962790000002");
  EXPECT_EQ(failed[0].message.segments, 2);
  ASSERT_TRUE(failed[0].done_at.has_value());
  EXPECT_EQ(*failed[0].done_at, t0);
  EXPECT_EQ(failed[0].resent_as, 0);
}

TEST_P(StoreContract, TheLastDaysMessagesAreCountedByStatus) {
  enqueue(*store_, "+962790000001", t0 - 25 * kHour, "old");
  std::int64_t sent = enqueue(*store_, "+962790000002", t0 - kHour, "s");
  enqueue(*store_, "+962790000003", t0, "p");
  std::int64_t failed = enqueue(*store_, "+962790000004", t0, "f");
  ASSERT_TRUE(store_->claim_outbox(10, t0, t0 + kHour).ok());
  ASSERT_TRUE(
      store_
          ->record_send_outcomes(
              std::vector<SendOutcome>{SendOutcome{sent, SendOutcome::Kind::sent, "kannel", "k-1", "", t0, {}},
                                       SendOutcome{failed, SendOutcome::Kind::failed, "kannel", "", "x", t0, {}}},
              {})
          .ok());
  using Counts = std::vector<std::pair<std::string, std::int64_t>>;
  auto counts = read_value<Counts>(*store_, [&](Tx& tx) { return tx.outbox_status_since(t0 - 24 * kHour); });
  // The old row was claimed too (it is "sending" now) but was created before the window.
  EXPECT_EQ(counts, (Counts{{"failed", 1}, {"sending", 1}, {"sent", 1}}));
  EXPECT_TRUE(read_value<Counts>(*store_, [&](Tx& tx) { return tx.outbox_status_since(t0 + kHour); }).empty());
}

// The funnel reads counts kept by triggers (migration 16) and the rows of the window's first ten
// minutes: after every kind of change (insert, claim, send, failure, delivery report, STOP's
// withdrawal, resend, retention purge) it must agree with the rows counted one by one, for windows
// that start on a slot boundary, just before and after one, and on each row's own time.
TEST_P(StoreContract, TheFunnelAgreesWithTheRowsAfterEveryKindOfChange) {
  using Counts = std::vector<std::pair<std::string, std::int64_t>>;
  const Instant since = t0 - 24 * kHour;  // t0 is 200 s past a ten-minute boundary
  const std::vector<std::chrono::seconds> offsets{
      std::chrono::seconds{-1},  std::chrono::seconds{0},   std::chrono::seconds{1},    std::chrono::seconds{399},
      std::chrono::seconds{400}, std::chrono::seconds{401}, std::chrono::seconds{1000}, 24 * kHour};
  std::vector<std::int64_t> made;
  int n = 0;
  for (auto off : offsets) made.push_back(enqueue(*store_, "+9627900001" + std::to_string(10 + n++), since + off));
  auto by_rows = [&](Instant from) {
    auto all = read_value<std::vector<OutboxListItem>>(
        *store_, [&](Tx& tx) { return tx.outbox_page(query(std::nullopt, std::nullopt, 0, 1000)); });
    std::map<std::string, std::int64_t> count;
    for (const auto& i : all)
      if (i.message.created_at >= from) ++count[i.message.status];
    return Counts(count.begin(), count.end());
  };
  auto agrees = [&](const std::string& after) {
    std::vector<Instant> windows{since, t0 - kHour, t0 + kHour};
    for (auto off : offsets)
      for (auto d : {std::chrono::seconds{-1}, std::chrono::seconds{0}, std::chrono::seconds{1}})
        windows.push_back(since + off + d);
    for (Instant from : windows) {
      auto funnel = read_value<Counts>(*store_, [&](Tx& tx) { return tx.outbox_status_since(from); });
      EXPECT_EQ(funnel, by_rows(from)) << "after " << after << ", window from " << from.time_since_epoch().count();
    }
  };
  agrees("inserts");
  ASSERT_TRUE(store_->claim_outbox(5, since, since + kHour).ok());
  agrees("a claim");
  ASSERT_TRUE(store_
                  ->record_send_outcomes(
                      std::vector<SendOutcome>{
                          SendOutcome{made[0], SendOutcome::Kind::sent, "kannel", "k-0", "", since, {}},
                          SendOutcome{made[1], SendOutcome::Kind::failed, "kannel", "", "HTTP 400", since, {}},
                          SendOutcome{made[2], SendOutcome::Kind::sent, "kannel", "k-2", "", since, {}}},
                      {})
                  .ok());
  agrees("sends");
  DeliveryReport report;
  report.provider = "kannel";
  report.provider_message_id = "k-2";
  report.status = "delivered";
  report.at = since + kHour;
  ASSERT_TRUE(store_->record_delivery(report).ok());
  agrees("a delivery report");
  ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.set_opted_out("+962790000116", true, t0); }).ok());
  agrees("STOP");
  ASSERT_TRUE(store_
                  ->write_sync([&](Tx& tx) -> Status {
                    auto r = tx.resend_failed_sms(made[1], t0);
                    if (!r) return r.error();
                    return ok_status();
                  })
                  .ok());
  agrees("a resend");
  ASSERT_TRUE(store_
                  ->write_sync([&](Tx& tx) -> Status {
                    auto r = tx.purge_before(PurgeKind::outbox, since + 2 * kHour, 100);
                    if (!r) return r.error();
                    EXPECT_GT(*r, 0) << "finished rows were purged";
                    return ok_status();
                  })
                  .ok());
  agrees("the retention purge");
}

TEST_P(StoreContract, AFailedSmsIsResentOnceAsANewPendingRow) {
  std::int64_t failed = enqueue(*store_, "+962790000001", t0, "7.1");
  std::int64_t sent = enqueue(*store_, "+962790000002", t0, "4");
  ASSERT_TRUE(store_->claim_outbox(10, t0, t0 + kHour).ok());
  ASSERT_TRUE(
      store_
          ->record_send_outcomes(
              std::vector<SendOutcome>{SendOutcome{failed, SendOutcome::Kind::failed, "kannel", "", "HTTP 400", t0, {}},
                                       SendOutcome{sent, SendOutcome::Kind::sent, "kannel", "k-2", "", t0, {}}},
              {})
          .ok());
  auto resend = [&](std::int64_t id, Instant now) {
    std::optional<Result<ResentSms>> out;
    (void)store_->write_sync([&](Tx& tx) -> Status {
      auto r = tx.resend_failed_sms(id, now);
      out = r;
      return r ? ok_status() : Status(r.error());
    });
    return *out;
  };

  // Refused: nothing changes.
  auto not_failed = resend(sent, t0 + kHour);
  ASSERT_FALSE(not_failed.ok());
  EXPECT_EQ(not_failed.error().code, "not_failed");
  EXPECT_NE(not_failed.error().message.find("sent"), std::string::npos) << not_failed.error().message;
  auto unknown = resend(999999, t0 + kHour);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "outbox_not_found");

  auto first = resend(failed, t0 + kHour);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_FALSE(first->already);
  EXPECT_EQ(first->failed.id, failed);
  EXPECT_EQ(first->failed.last_error, "HTTP 400");
  ASSERT_GT(first->resent_as, sent);
  auto copy = store_->outbox_detail(first->resent_as);
  ASSERT_TRUE(copy.ok() && copy->has_value());
  const OutboxMessage& m = (*copy)->message;
  EXPECT_EQ(m.status, "pending");
  EXPECT_EQ(m.attempts, 0);
  EXPECT_EQ(m.to, "+962790000001");
  EXPECT_EQ(m.text, "text 7.1");
  EXPECT_EQ(m.step, "7.1");
  EXPECT_EQ(m.application_id, "app-7.1");
  EXPECT_EQ(m.request_id, "req-7.1");
  EXPECT_EQ(m.segments, 2);
  EXPECT_EQ(m.created_at, t0 + kHour);
  EXPECT_TRUE(m.provider.empty());
  EXPECT_TRUE(m.last_error.empty());

  // Again: the same answer, and no third row.
  auto second = resend(failed, t0 + 2 * kHour);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->already);
  EXPECT_EQ(second->resent_as, first->resent_as);
  auto all = read_value<std::vector<OutboxListItem>>(*store_, [&](Tx& tx) { return tx.outbox_page(query()); });
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].message.id, failed);
  EXPECT_EQ(all[2].message.status, "failed") << "the failed row keeps its own history";
  EXPECT_EQ(all[2].resent_as, first->resent_as);

  // The dispatcher claims the new row like any other, once.
  auto claimed = store_->claim_outbox(10, t0 + kHour, t0 + 2 * kHour);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].id, first->resent_as);
}

TEST_P(StoreContract, AResendToANumberThatSentStopIsRefused) {
  std::int64_t id = enqueue(*store_, "+962790000001", t0, "4");
  ASSERT_TRUE(store_->claim_outbox(10, t0, t0 + kHour).ok());
  ASSERT_TRUE(store_
                  ->record_send_outcomes(std::vector<SendOutcome>{SendOutcome{
                                             id, SendOutcome::Kind::failed, "kannel", "", "HTTP 400", t0, {}}},
                                         {})
                  .ok());
  ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.set_opted_out("+962790000001", true, t0 + kHour); }).ok());
  std::optional<Result<ResentSms>> out;
  (void)store_->write_sync([&](Tx& tx) -> Status {
    auto r = tx.resend_failed_sms(id, t0 + kHour);
    out = r;
    return r ? ok_status() : Status(r.error());
  });
  ASSERT_FALSE(out->ok());
  EXPECT_EQ(out->error().code, "opted_out");
  auto all = read_value<std::vector<OutboxListItem>>(*store_, [&](Tx& tx) { return tx.outbox_page(query()); });
  ASSERT_EQ(all.size(), 1u) << "no row was added";
  EXPECT_EQ(all[0].resent_as, 0);
}

TEST_P(StoreContract, OptOutsAreNewestFirstPagedByTimeAndId) {
  ASSERT_TRUE(store_
                  ->write_sync([&](Tx& tx) -> Status {
                    for (auto [phone, at] : {std::pair{"+962790000001", t0}, std::pair{"+962790000002", t0 + kHour},
                                             std::pair{"+962790000003", t0 + kHour}, std::pair{"+962790000004", t0}})
                      if (auto s = tx.set_opted_out(phone, true, at); !s) return s;
                    // STOP twice keeps the first time; START removes the number.
                    if (auto s = tx.set_opted_out("+962790000001", true, t0 + 5 * kHour); !s) return s;
                    return tx.set_opted_out("+962790000004", false, t0 + 2 * kHour);
                  })
                  .ok());
  using List = std::vector<OptOut>;
  auto phones = [](const List& l) {
    std::vector<std::string> out;
    for (const auto& o : l) out.push_back(o.phone);
    return out;
  };
  auto all = read_value<List>(*store_, [&](Tx& tx) { return tx.opt_outs_page(Instant{}, 0, 50); });
  EXPECT_EQ(phones(all), (std::vector<std::string>{"+962790000003", "+962790000002", "+962790000001"}));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].at, t0) << "the first STOP's time";
  EXPECT_GT(all[0].id, all[1].id);

  auto first = read_value<List>(*store_, [&](Tx& tx) { return tx.opt_outs_page(Instant{}, 0, 1); });
  ASSERT_EQ(first.size(), 1u);
  auto rest = read_value<List>(*store_, [&](Tx& tx) { return tx.opt_outs_page(first[0].at, first[0].id, 5); });
  EXPECT_EQ(phones(rest), (std::vector<std::string>{"+962790000002", "+962790000001"})) << "a tie within one second";
  auto last = read_value<List>(*store_, [&](Tx& tx) { return tx.opt_outs_page(rest[1].at, rest[1].id, 5); });
  EXPECT_TRUE(last.empty());
}

}  // namespace cg::store::testing
