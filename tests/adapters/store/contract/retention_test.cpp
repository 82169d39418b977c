// The store contract of retention (Tx::purge_before): each kind loses only its rows older than the
// cutoff, oldest first, at most a batch at a time; what a live row still needs stays.
#include <optional>
#include <string>
#include <vector>

#include "tests/adapters/store/contract/contract.hpp"

namespace cg::store::testing {
namespace {

const Instant now{std::chrono::seconds{1'790'000'000}};  // 2026-09-21
constexpr std::chrono::seconds kDay{86400};
const Instant cutoff = now - 90 * kDay;
const Instant old_time = cutoff - kDay;  // older than the cutoff
const Instant kept_time = cutoff + kDay;

// Runs `f` in one write and hands back its value; a failure fails the test.
template <class T, class F>
T write_value(Store& store, F f) {
  std::optional<T> out;
  Status s = store.write_sync([&](Tx& tx) -> Status {
    Result<T> r = f(tx);
    if (!r) return r.error();
    out = std::move(*r);
    return ok_status();
  });
  EXPECT_TRUE(s.ok()) << describe(s);
  return out ? std::move(*out) : T{};
}

std::int64_t purge(Store& store, PurgeKind kind, std::size_t limit = 100) {
  return write_value<std::int64_t>(store, [&](Tx& tx) { return tx.purge_before(kind, cutoff, limit); });
}

bool record_inbound(Store& store, std::string id, Instant at) {
  InboundMessage m{"kannel", std::move(id), "+962791234567", "+962790000000", "دورات", at, "processed"};
  return write_value<bool>(store, [&](Tx& tx) { return tx.record_inbound(m); });
}

bool record_event(Store& store, std::string key, Instant at) {
  return write_value<bool>(store, [&](Tx& tx) { return tx.record_event("apply", key, "summary", at); });
}

std::int64_t enqueue(Store& store, Instant at) {
  OutboxMessage m;
  m.application_id = "app-1";
  m.to = "+962791234567";
  m.text = "تم استلام طلبك";
  m.template_name = "application_received";
  m.step = "4";
  m.created_at = at;
  m.next_attempt_at = at;
  return write_value<std::int64_t>(store, [&](Tx& tx) { return tx.enqueue(m); });
}

// Claims every due row at `at` and records `id` sent then, with a channel log entry: done_at = at.
void send(Store& store, std::int64_t id, const std::string& message_id, Instant at) {
  auto claimed = store.claim_outbox(100, at, at + std::chrono::minutes(1));
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  SendOutcome o{id, SendOutcome::Kind::sent, "twilio", message_id, "", at, {}};
  ChannelLogEntry log{id, "twilio", "POST /Messages.json", "201", 201, "accepted", 40, at, ""};
  Status s = store.record_send_outcomes(std::span(&o, 1), std::span(&log, 1));
  ASSERT_TRUE(s.ok()) << describe(s);
}

bool report(Store& store, const std::string& message_id, const std::string& status, Instant at) {
  DeliveryReport r;
  r.provider = "twilio";
  r.provider_message_id = message_id;
  r.status = status;
  r.detail = status;
  r.at = at;
  auto found = store.record_delivery(r);
  EXPECT_TRUE(found.ok()) << found.error().message;
  return found.ok() && *found;
}

std::optional<OutboxDetail> detail(Store& store, std::int64_t id) {
  auto d = store.outbox_detail(id);
  EXPECT_TRUE(d.ok()) << d.error().message;
  return d.ok() ? *d : std::nullopt;
}

TEST_P(StoreContract, RetentionPurgesInboundMessagesOldestFirstInBatchesAndKeepsTheRecentForDedup) {
  ASSERT_TRUE(record_inbound(*store_, "old-1", old_time - kDay));
  ASSERT_TRUE(record_inbound(*store_, "old-2", old_time));
  ASSERT_TRUE(record_inbound(*store_, "recent", kept_time));
  EXPECT_EQ(purge(*store_, PurgeKind::inbound_messages, 1), 1);
  EXPECT_EQ(purge(*store_, PurgeKind::inbound_messages, 1), 1);
  EXPECT_EQ(purge(*store_, PurgeKind::inbound_messages, 1), 0);
  // A provider's retry of the recent message is still recognised; the old ones are forgotten.
  EXPECT_FALSE(record_inbound(*store_, "recent", now));
  EXPECT_TRUE(record_inbound(*store_, "old-1", now));
}

TEST_P(StoreContract, RetentionPurgesEventsAndSessionsByAge) {
  ASSERT_TRUE(record_event(*store_, "old", old_time));
  ASSERT_TRUE(record_event(*store_, "recent", kept_time));
  EXPECT_EQ(purge(*store_, PurgeKind::events), 1);
  EXPECT_EQ(purge(*store_, PurgeKind::events), 0);
  EXPECT_FALSE(record_event(*store_, "recent", now));  // still deduplicated
  EXPECT_TRUE(record_event(*store_, "old", now));

  for (auto [key, at] : {std::pair{"sms:+962791234567", old_time}, std::pair{"ussd:ATUid_1", old_time},
                         std::pair{"sms:+962791234568", kept_time}}) {
    Status s = store_->write_sync([&](Tx& tx) { return tx.save_session({key, "state", at}); });
    ASSERT_TRUE(s.ok()) << describe(s);
  }
  EXPECT_EQ(purge(*store_, PurgeKind::sessions), 2);
  auto session = [&](std::string key) {
    std::optional<SessionRecord> out;
    Status s = store_->read([&](Tx& tx) -> Status {
      auto r = tx.session(key);
      if (!r) return r.error();
      out = *r;
      return ok_status();
    });
    EXPECT_TRUE(s.ok()) << describe(s);
    return out;
  };
  EXPECT_FALSE(session("sms:+962791234567").has_value());
  EXPECT_FALSE(session("ussd:ATUid_1").has_value());
  EXPECT_TRUE(session("sms:+962791234568").has_value());
}

TEST_P(StoreContract, RetentionPurgesOnlyFinishedOutboxRowsWithTheirReportsAndLog) {
  const auto sent_old = enqueue(*store_, old_time);
  send(*store_, sent_old, "SM-old", old_time);
  ASSERT_TRUE(report(*store_, "SM-old", "delivered", old_time));
  const auto sent_recent = enqueue(*store_, old_time);
  send(*store_, sent_recent, "SM-recent", kept_time);                  // created long ago, finished recently
  const auto pending_old = enqueue(*store_, old_time + kDay * 10000);  // never due
  const auto sending_old = enqueue(*store_, old_time);
  {  // claimed, never answered: its lease ran out long ago, and it may still go out
    auto claimed = store_->claim_outbox(100, old_time, old_time + std::chrono::minutes(1));
    ASSERT_TRUE(claimed.ok());
  }
  EXPECT_EQ(detail(*store_, sending_old)->message.status, "sending");

  // The delivery reports and channel log of a row that is kept go by their own age only.
  EXPECT_EQ(purge(*store_, PurgeKind::outbox, 1), 1);
  EXPECT_EQ(purge(*store_, PurgeKind::outbox, 1), 0);
  EXPECT_FALSE(detail(*store_, sent_old).has_value());
  // A late report for a purged row finds nothing and writes nothing.
  EXPECT_FALSE(report(*store_, "SM-old", "delivered", now));
  for (auto id : {sent_recent, pending_old, sending_old}) EXPECT_TRUE(detail(*store_, id).has_value()) << id;
  EXPECT_EQ(detail(*store_, sent_recent)->channel_log.size(), 1u);
  EXPECT_EQ(detail(*store_, pending_old)->message.status, "pending");
  EXPECT_EQ(detail(*store_, sending_old)->message.status, "sending");
}

TEST_P(StoreContract, RetentionPurgesOldDeliveryReportsAndChannelLogOfAKeptRowAndItsRankStays) {
  const auto id = enqueue(*store_, old_time);
  send(*store_, id, "SM1", old_time);
  ASSERT_TRUE(report(*store_, "SM1", "delivered", old_time));
  ASSERT_TRUE(report(*store_, "SM1", "sent", kept_time));  // late, ranks lower: kept on file only
  EXPECT_EQ(purge(*store_, PurgeKind::delivery_reports), 1);
  EXPECT_EQ(purge(*store_, PurgeKind::channel_log), 1);
  auto d = detail(*store_, id);
  ASSERT_TRUE(d.has_value());
  ASSERT_EQ(d->reports.size(), 1u);
  EXPECT_EQ(d->reports[0].status, "sent");
  EXPECT_TRUE(d->channel_log.empty());
  // The furthest status lives on the row itself: a later lower report does not move it back.
  EXPECT_EQ(d->delivery_status, "delivered");
  ASSERT_TRUE(report(*store_, "SM1", "queued", now));
  EXPECT_EQ(detail(*store_, id)->delivery_status, "delivered");
  EXPECT_EQ(detail(*store_, id)->message.status, "delivered");
}

TEST_P(StoreContract, RetentionIsAWriteAndRefusesAnEmptyBatch) {
  Status in_read = store_->read([](Tx& tx) -> Status {
    auto r = tx.purge_before(PurgeKind::events, cutoff, 10);
    if (!r) return r.error();
    return ok_status();
  });
  ASSERT_FALSE(in_read.ok());
  EXPECT_EQ(in_read.error().code, "store_error");
  ASSERT_TRUE(record_event(*store_, "old", old_time));
  Status unbounded = store_->write_sync([](Tx& tx) -> Status {
    auto r = tx.purge_before(PurgeKind::events, cutoff, 0);
    if (!r) return r.error();
    return ok_status();
  });
  EXPECT_FALSE(unbounded.ok());
  EXPECT_FALSE(record_event(*store_, "old", now));  // nothing went
}

}  // namespace
}  // namespace cg::store::testing
