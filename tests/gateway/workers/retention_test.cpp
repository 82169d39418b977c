// Retention's passes over a real SQLite store: each kind with a period loses its old rows batch by
// batch, each batch counted; a kind kept forever is not touched; stop() ends a pass at its pause.
#include "gateway/workers/retention.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <future>
#include <thread>

#include "adapters/store/sqlite/sqlite_store.hpp"
#include "gateway/metrics/metrics.hpp"

namespace cg::gateway {
namespace {

using store::PurgeKind;
const core::Instant now{std::chrono::seconds{1'790'000'000}};
constexpr std::chrono::days kDays90{90};

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = "/tmp/cg-retention-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".sqlite";
    remove_files();
    auto opened = store::open_sqlite(store::SqliteSettings{.path = path_});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(*opened);
  }
  void TearDown() override {
    if (store_) store_->close();
    store_.reset();
    remove_files();
  }
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::remove((path_ + suffix).c_str());
  }
  // `count` inbound messages received at `at`, and one event then, in one write.
  void seed(int count, core::Instant at, const std::string& tag) {
    Status s = store_->write_sync([&](store::Tx& tx) -> Status {
      for (int i = 0; i < count; ++i) {
        auto r = tx.record_inbound(
            {"kannel", tag + std::to_string(i), "+962791234567", "+962790000000", "HELP", at, "processed"});
        if (!r) return r.error();
      }
      auto e = tx.record_event("apply", tag, "summary", at);
      if (!e) return e.error();
      return ok_status();
    });
    ASSERT_TRUE(s.ok()) << s.error().message;
  }
  bool inbound_known(const std::string& id) {
    bool fresh = false;
    Status s = store_->write_sync([&](store::Tx& tx) -> Status {
      auto r = tx.record_inbound({"kannel", id, "+962791234567", "+962790000000", "HELP", now, "processed"});
      if (!r) return r.error();
      fresh = *r;
      return ok_status();
    });
    EXPECT_TRUE(s.ok());
    return !fresh;
  }

  std::string path_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(RetentionTest, APassDeletesEveryOldRowInBatchesAndCountsThem) {
  seed(1234, now - kDays90 - std::chrono::days(1), "old-");
  seed(10, now - std::chrono::days(1), "new-");
  RetentionSettings settings;
  settings.period(PurgeKind::inbound_messages) = kDays90;  // events: kept forever
  settings.batch = 100;
  settings.pause = std::chrono::milliseconds(0);
  Metrics metrics;
  int batches = 0;
  Retention retention(*store_, settings, [&](PurgeKind kind, std::int64_t n) {
    EXPECT_EQ(kind, PurgeKind::inbound_messages);
    EXPECT_LE(n, 100);
    ++batches;
    metrics.retention_purged(kind, n);
  });
  auto counts = retention.run_once(now);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ((*counts)[static_cast<std::size_t>(PurgeKind::inbound_messages)], 1234);
  EXPECT_EQ((*counts)[static_cast<std::size_t>(PurgeKind::events)], 0);
  EXPECT_EQ(batches, 13);  // twelve full batches and the short one that ends the pass
  const std::string text = metrics.render_requests();
  EXPECT_NE(text.find("course_gateway_retention_purged_total{kind=\"inbound_messages\"} 1234\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("course_gateway_retention_purged_total{kind=\"events\"} 0\n"), std::string::npos) << text;
  EXPECT_TRUE(inbound_known("new-3"));   // still deduplicated
  EXPECT_FALSE(inbound_known("old-3"));  // forgotten
  bool event_kept = false;
  ASSERT_TRUE(store_
                  ->read([&](store::Tx& tx) -> Status {
                    auto e = tx.event_summary("apply", "old-");
                    if (!e) return e.error();
                    event_kept = e->has_value();
                    return ok_status();
                  })
                  .ok());
  EXPECT_TRUE(event_kept);

  // A second pass finds nothing more.
  auto again = retention.run_once(now);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)[static_cast<std::size_t>(PurgeKind::inbound_messages)], 0);
}

TEST_F(RetentionTest, StopEndsAPassAtItsPause) {
  seed(50, now - kDays90 - std::chrono::days(1), "old-");
  RetentionSettings settings;
  settings.period(PurgeKind::inbound_messages) = kDays90;
  settings.batch = 1;
  settings.pause = std::chrono::hours(1);  // the pass would take two days without stop()
  std::promise<void> first_batch;
  int batches = 0;
  Retention retention(*store_, settings, [&](PurgeKind, std::int64_t) {
    if (++batches == 1) first_batch.set_value();
  });
  auto pass = std::async(std::launch::async, [&] { return retention.run_once(now); });
  first_batch.get_future().wait();
  retention.stop();
  auto counts = pass.get();
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ((*counts)[static_cast<std::size_t>(PurgeKind::inbound_messages)], 1);
}

TEST_F(RetentionTest, AStoreThatFailsEndsThePassWithItsError) {
  seed(5, now - kDays90 - std::chrono::days(1), "old-");
  RetentionSettings settings;
  settings.period(PurgeKind::sessions) = kDays90;
  store_->close();  // the writer is gone
  Retention retention(*store_, settings);
  auto counts = retention.run_once(now);
  ASSERT_FALSE(counts.ok());
  EXPECT_NE(counts.error().message.find("retention of sessions"), std::string::npos) << counts.error().message;
}

}  // namespace
}  // namespace cg::gateway
