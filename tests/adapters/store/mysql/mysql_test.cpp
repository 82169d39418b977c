// What only the MySQL/MariaDB backend has: its URL, its schema (InnoDB, utf8mb4, migrations in step
// with SQLite's), several stores on one database (row locks, SKIP LOCKED, deadlock retries), and a
// server that goes away and comes back.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <latch>
#include <map>
#include <set>
#include <thread>

#include "adapters/store/mysql/mysql_store.hpp"
#include "adapters/store/sqlite/sqlite_store.hpp"
#include "tests/adapters/store/mysql/mysql_database.hpp"
#include "tests/support/mariadb.hpp"

namespace cg::store::mysql {
namespace {

using core::Course;
using core::Fils;

const Instant t0{std::chrono::seconds{1'790'000'000}};
constexpr std::chrono::seconds kDay{86400};

std::string describe(const Status& s) { return s.ok() ? "ok" : s.error().code + ": " + s.error().message; }

Course make_course(std::string code) {
  Course c;
  c.code = std::move(code);
  c.title = {"مهارات الحاسوب", "Computer Skills"};
  c.location = "Ras Al-Ain";
  c.start_at = t0 + 30 * kDay;
  c.end_at = c.start_at + 4 * kDay;
  c.decision_at = c.start_at - kDay;
  c.min_participants = 0;
  c.capacity = 20;
  c.fee = Fils{0};
  c.exam_url = "https://exam.example";
  c.evaluation_url = "https://eval.example";
  return c;
}

OutboxMessage make_message(int n) {
  OutboxMessage m;
  m.application_id = "app-" + std::to_string(n);
  m.to = "+9627900" + std::to_string(10000 + n);
  m.text = "رسالة " + std::to_string(n);
  m.template_name = "application_received";
  m.step = "4";
  m.created_at = t0;
  m.next_attempt_at = t0;
  return m;
}

// ---------------------------------------------------------------------------------------------
// The URL

TEST(MysqlUrl, ReadsEveryPartAndDecodesTheCredentials) {
  auto s = parse_mysql_url("mysql://gate%20way:p%40ss%3Aw%2Frd%25@db.example.jo:3307/course_gateway");
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s->user, "gate way");
  EXPECT_EQ(s->password, "p@ss:w/rd%");
  EXPECT_EQ(s->host, "db.example.jo");
  EXPECT_EQ(s->port, 3307);
  EXPECT_EQ(s->database, "course_gateway");

  auto defaults = parse_mysql_url("mysql://gw@127.0.0.1/cg");
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->port, 3306);
  EXPECT_EQ(defaults->password, "");
  EXPECT_EQ(defaults->pool, MysqlSettings{}.pool);

  auto colon_in_password = parse_mysql_url("mysql://gw:a:b@host/cg");
  ASSERT_TRUE(colon_in_password.ok());
  EXPECT_EQ(colon_in_password->password, "a:b");

  auto v6 = parse_mysql_url("mysql://gw:pw@[::1]:3310/cg");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 3310);
}

TEST(MysqlUrl, RefusesWhatItCannotMeanNamingThePartAndNeverThePassword) {
  struct Case {
    const char* url;
    const char* names;
  };
  const Case cases[] = {
      {"postgres://gw:pw@host/cg", "mysql://"},  {"mysql://gw:pw@host", "database"},
      {"mysql://gw:pw@host/", "database"},       {"mysql://host/cg", "user"},
      {"mysql://:pw@host/cg", "user is empty"},  {"mysql://gw:pw@/cg", "host is empty"},
      {"mysql://gw:pw@host:0/cg", "port"},       {"mysql://gw:pw@host:70000/cg", "port"},
      {"mysql://gw:pw@host:33a/cg", "port"},     {"mysql://gw:pw@host:/cg", "port"},
      {"mysql://gw:pw%4@host/cg", "password"},   {"mysql://gw:pw@host/c;g", "database name"},
      {"mysql://gw:pw@host/cg?pool=3", "query"}, {"mysql://gw:pw@[::1/cg", "IPv6"},
  };
  for (const auto& c : cases) {
    auto s = parse_mysql_url(c.url);
    ASSERT_FALSE(s.ok()) << c.url;
    EXPECT_EQ(s.error().code, "invalid_store_settings") << c.url;
    EXPECT_NE(s.error().message.find(c.names), std::string::npos) << c.url << " -> " << s.error().message;
    EXPECT_EQ(s.error().message.find("pw"), std::string::npos) << "password leaked: " << s.error().message;
  }
}

// ---------------------------------------------------------------------------------------------
// The schema

TEST(MysqlSchema, HasAMigrationForEverySqliteMigration) {
  // Position N is version N on both backends: a SQLite migration without its MySQL twin would
  // leave the two at different versions with different tables.
  EXPECT_EQ(migrations().size(), sqlite::migrations().size());
  // Version 5 narrows SQLite's outbox indexes to partial ones, which MariaDB does not have: its
  // twin is empty on purpose. Every other version changes something.
  for (std::size_t v = 1; v <= migrations().size(); ++v)
    EXPECT_EQ(migrations()[v - 1].empty(), v == 5) << "migration " << v;
}

TEST_F(MysqlDatabase, EveryTableIsInnoDbAndEveryTextColumnUtf8mb4BinaryNoPad) {
  // The test database's own default is latin1 (see mariadb.hpp): nothing may inherit it.
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  auto tables = rows(
      "SELECT TABLE_NAME, ENGINE, TABLE_COLLATION FROM information_schema.TABLES "
      "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME");
  EXPECT_GE(tables.size(), 9u);
  for (const auto& t : tables) {
    EXPECT_EQ(t[1], "InnoDB") << t[0];
    EXPECT_EQ(t[2], "utf8mb4_nopad_bin") << t[0];
  }
  auto columns = rows(
      "SELECT TABLE_NAME, COLUMN_NAME, CHARACTER_SET_NAME, COLLATION_NAME FROM "
      "information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND CHARACTER_SET_NAME IS NOT NULL");
  EXPECT_GT(columns.size(), 40u);
  for (const auto& c : columns) {
    EXPECT_EQ(c[2], "utf8mb4") << c[0] << "." << c[1];
    EXPECT_EQ(c[3], "utf8mb4_nopad_bin") << c[0] << "." << c[1];
  }
}

TEST_F(MysqlDatabase, KeysMatchExactlyAsInSqlite) {
  // utf8mb4_bin would ignore trailing spaces and a general collation case and accents.
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store
                  ->write_sync([](Tx& tx) {
                    return tx.insert_course(make_course("JOIN 101")).ok() ? ok_status() : Error{"x", "x"};
                  })
                  .ok());
  ASSERT_TRUE(store
                  ->write_sync([](Tx& tx) {
                    return tx.insert_course(make_course("JOIN 101 ")).ok() ? ok_status() : Error{"x", "x"};
                  })
                  .ok())
      << "a trailing space makes another code";
  for (const char* other : {"join 101", "JOIN 101  ", "JOİN 101"}) {
    bool found = true;
    ASSERT_TRUE(store
                    ->read([&](Tx& tx) -> Status {
                      auto c = tx.course_by_code(other);
                      if (!c) return c.error();
                      found = c->has_value();
                      return ok_status();
                    })
                    .ok());
    EXPECT_FALSE(found) << "'" << other << "' matched";
  }
  bool found_record = false;
  ASSERT_TRUE(store
                  ->write_sync([&](Tx& tx) -> Status {
                    auto first = tx.record_event("apply", "key", "1", t0);
                    auto spaced = tx.record_event("apply", "key ", "2", t0);
                    if (!first || !spaced) return Error{"x", "record_event failed"};
                    found_record = *first && *spaced;
                    return ok_status();
                  })
                  .ok());
  EXPECT_TRUE(found_record) << "'key ' was taken for 'key'";
}

TEST_F(MysqlDatabase, MigratesStepByStepAndRecordsEachVersionOnce) {
  auto all = migrations();
  ASSERT_GE(all.size(), 2u);
  {
    auto store = open_store(all.first(1));
    ASSERT_NE(store, nullptr);
    store->close();
  }
  EXPECT_EQ(rows("SELECT version FROM schema_version ORDER BY version"),
            (std::vector<std::vector<std::string>>{{"1"}}));
  {
    auto store = open_store();  // the rest, on top
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->ping().ok());
  }
  auto versions = rows("SELECT version FROM schema_version ORDER BY version");
  ASSERT_EQ(versions.size(), all.size());
  for (std::size_t i = 0; i < versions.size(); ++i) EXPECT_EQ(versions[i][0], std::to_string(i + 1));
}

// Version 8 keeps inbound_messages and sessions in arrival order with their old keys unique. DDL
// is not transactional in MariaDB, so a migration cut short runs again whole: run again, version 8
// leaves the same tables with the same rows, and a provider's retry is still refused.
TEST_F(MysqlDatabase, Version8KeepsTheRowsAndRunsAgainHarmlessly) {
  auto all = migrations();
  ASSERT_GE(all.size(), 8u);
  { ASSERT_NE(open_store(all.first(7)), nullptr); }
  ASSERT_TRUE(server_
                  ->execute(database_,
                            "INSERT INTO inbound_messages VALUES ('kannel', 'a1', '+962791234567', '94000', 'HELP', "
                            "1795000000, 'processed')")
                  .ok());
  ASSERT_TRUE(server_->execute(database_, "INSERT INTO sessions VALUES ('sms:+962791234567', '{}', 1795000000)").ok());
  { ASSERT_NE(open_store(), nullptr); }
  for (std::string_view statement : all[7]) ASSERT_TRUE(server_->execute(database_, std::string(statement)).ok());
  EXPECT_EQ(rows("SELECT id, provider, provider_message_id, outcome FROM inbound_messages"),
            (std::vector<std::vector<std::string>>{{"1", "kannel", "a1", "processed"}}));
  EXPECT_EQ(rows("SELECT id, session_key, state FROM sessions"),
            (std::vector<std::vector<std::string>>{{"1", "sms:+962791234567", "{}"}}));
  EXPECT_EQ(rows("SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND "
                 "TABLE_NAME = 'inbound_messages' AND CONSTRAINT_NAME = 'PRIMARY'"),
            (std::vector<std::vector<std::string>>{{"id"}}));
  EXPECT_FALSE(server_
                   ->execute(database_,
                             "INSERT INTO inbound_messages (provider, provider_message_id, from_number, to_number, "
                             "body, received_at, outcome) VALUES ('kannel', 'a1', '', '', '', 0, 'processed')")
                   .ok())
      << "the retry of a1 must be refused by the unique index";
}

// Version 14 gives sms_opt_outs an id as its primary key with the phone unique beside it, keeping
// the rows; run again (DDL is not transactional), it leaves the same table, and STOP twice is still
// one row.
TEST_F(MysqlDatabase, Version14KeepsTheOptOutsAndRunsAgainHarmlessly) {
  auto all = migrations();
  ASSERT_GE(all.size(), 14u);
  { ASSERT_NE(open_store(all.first(13)), nullptr); }
  ASSERT_TRUE(server_->execute(database_, "INSERT INTO sms_opt_outs VALUES ('+962790000001', 1795000000)").ok());
  { ASSERT_NE(open_store(), nullptr); }
  for (std::string_view statement : all[13]) ASSERT_TRUE(server_->execute(database_, std::string(statement)).ok());
  EXPECT_EQ(rows("SELECT id, phone, at FROM sms_opt_outs"),
            (std::vector<std::vector<std::string>>{{"1", "+962790000001", "1795000000"}}));
  EXPECT_EQ(rows("SELECT COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() AND "
                 "TABLE_NAME = 'sms_opt_outs' AND CONSTRAINT_NAME = 'PRIMARY'"),
            (std::vector<std::vector<std::string>>{{"id"}}));
  EXPECT_FALSE(server_->execute(database_, "INSERT INTO sms_opt_outs (phone, at) VALUES ('+962790000001', 1)").ok())
      << "the phone stays unique";
}

// Version 16 counts the outbox rows already there by ten-minute slot and status; run again (DDL
// is not transactional), the counts are the same, and the triggers keep them from then on.
TEST_F(MysqlDatabase, Version16CountsTheOutboxAndRunsAgainHarmlessly) {
  auto all = migrations();
  ASSERT_GE(all.size(), 16u);
  auto enqueue_at = [](Store& store, std::int64_t at, int n) {
    OutboxMessage m = make_message(n);
    m.created_at = m.next_attempt_at = Instant{std::chrono::seconds{at}};
    ASSERT_TRUE(store
                    .write_sync([&](Tx& tx) -> Status {
                      auto r = tx.enqueue(m);
                      if (!r) return r.error();
                      return ok_status();
                    })
                    .ok());
  };
  {
    auto old = open_store(all.first(15));
    ASSERT_NE(old, nullptr);
    enqueue_at(*old, 1'795'000'000, 1);  // slot 2991666
    enqueue_at(*old, 1'795'000'001, 2);
    enqueue_at(*old, 1'795'000'600, 3);  // slot 2991667
  }
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const std::vector<std::vector<std::string>> counted{{"2991666", "pending", "2"}, {"2991667", "pending", "1"}};
  const std::string counts = "SELECT slot, status, n FROM outbox_counts WHERE n > 0 ORDER BY slot, status";
  EXPECT_EQ(rows(counts), counted);
  for (std::string_view statement : all[15]) ASSERT_TRUE(server_->execute(database_, std::string(statement)).ok());
  EXPECT_EQ(rows(counts), counted);
  ASSERT_TRUE(store->claim_outbox(1, Instant{std::chrono::seconds{1'795'000'000}}, t0).ok());
  enqueue_at(*store, 1'795'000'601, 4);
  EXPECT_EQ(rows(counts), (std::vector<std::vector<std::string>>{
                              {"2991666", "pending", "1"}, {"2991666", "sending", "1"}, {"2991667", "pending", "2"}}));
}

TEST_F(MysqlDatabase, GatewaysStartingTogetherMigrateOnce) {
  constexpr int kGateways = 4;
  std::vector<std::future<Result<std::unique_ptr<Store>>>> opening;
  for (int i = 0; i < kGateways; ++i)
    opening.push_back(std::async(std::launch::async, [&] { return open(settings(), migrations()); }));
  for (auto& f : opening) {
    auto store = f.get();
    ASSERT_TRUE(store.ok()) << store.error().message;
  }
  auto versions = rows("SELECT version, COUNT(*) FROM schema_version GROUP BY version ORDER BY version");
  ASSERT_EQ(versions.size(), migrations().size());
  for (const auto& v : versions) EXPECT_EQ(v[1], "1") << "version " << v[0];
}

TEST_F(MysqlDatabase, RefusesASchemaNewerThanThisBuild) {
  { ASSERT_NE(open_store(), nullptr); }
  std::string newer = std::to_string(migrations().size() + 1);
  ASSERT_TRUE(server_->execute(database_, "INSERT INTO schema_version VALUES (" + newer + ", 0)").ok());
  auto store = open(settings(), migrations());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, "schema_too_new");
  EXPECT_NE(store.error().message.find(newer), std::string::npos) << store.error().message;
}

TEST_F(MysqlDatabase, RefusesBadSettingsAndAWrongPassword) {
  MysqlSettings s = settings();
  s.pool = 0;
  auto bad = open(s, migrations());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, "invalid_store_settings");

  s = settings();
  s.password = "not-the-password";
  auto denied = open(s, migrations());
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, "store_unavailable");
  EXPECT_NE(denied.error().message.find("Access denied"), std::string::npos) << denied.error().message;
  EXPECT_EQ(denied.error().message.find("not-the-password"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Several gateways on one database

TEST_F(MysqlDatabase, CourseRowLockSerialisesReadModifyWriteAcrossStores) {
  // Each command reads a course and writes it back one higher: without the row lock two stores
  // would read the same value and one increment would be lost.
  auto a = open_store();
  auto b = open_store();
  ASSERT_TRUE(a && b);
  std::int64_t id = 0;
  ASSERT_TRUE(a->write_sync([&](Tx& tx) -> Status {
                 auto r = tx.insert_course(make_course("LOCKED"));
                 if (!r) return r.error();
                 id = *r;
                 return ok_status();
               }).ok());
  constexpr int kPerStore = 60;
  std::atomic<int> failures{0};
  std::latch done(2 * kPerStore);
  for (Store* store : {a.get(), b.get()})
    for (int i = 0; i < kPerStore; ++i)
      store->write(
          [id](Tx& tx) -> Status {
            auto c = tx.course(id);
            if (!c) return c.error();
            Course course = **c;
            course.min_participants += 1;
            return tx.save_course(course);
          },
          [&](const Status& s) {
            if (!s.ok()) failures++;
            done.count_down();
          });
  done.wait();
  EXPECT_EQ(failures.load(), 0);
  int final_value = -1;
  ASSERT_TRUE(a->read([&](Tx& tx) -> Status {
                 auto c = tx.course(id);
                 if (!c) return c.error();
                 final_value = (*c)->min_participants;
                 return ok_status();
               }).ok());
  EXPECT_EQ(final_value, 2 * kPerStore);
}

TEST_F(MysqlDatabase, EventsSequencesAndOutboxClaimsAreExclusiveAcrossStores) {
  auto a = open_store();
  auto b = open_store();
  ASSERT_TRUE(a && b);
  constexpr int kKeys = 80;
  // Both stores record the same 80 events and take 80 sequence values each, at the same time.
  std::mutex mu;
  std::map<std::string, int> fresh_by_key;
  std::vector<std::int64_t> values;
  std::atomic<int> failures{0};
  std::latch done(4 * kKeys);
  for (Store* store : {a.get(), b.get()})
    for (int i = 0; i < kKeys; ++i) {
      store->write(
          [&, i, side = std::string(store == a.get() ? "/a" : "/b")](Tx& tx) -> Status {
            auto r = tx.record_event("sms", "msg-" + std::to_string(i), "x", t0);
            if (!r) return r.error();
            std::lock_guard lock(mu);
            // A command may run again after a deadlock: count what its last run saw.
            fresh_by_key["msg-" + std::to_string(i) + side] = *r ? 1 : 0;
            return ok_status();
          },
          [&](const Status& s) {
            if (!s.ok()) failures++;
            done.count_down();
          });
      auto slot = std::make_shared<std::int64_t>(0);
      store->write(
          [slot](Tx& tx) -> Status {
            auto v = tx.next_sequence("shared");
            if (!v) return v.error();
            *slot = *v;
            return ok_status();
          },
          [&, slot](const Status& s) {
            if (!s.ok()) {
              failures++;
            } else {
              std::lock_guard lock(mu);
              values.push_back(*slot);
            }
            done.count_down();
          });
    }
  done.wait();
  EXPECT_EQ(failures.load(), 0);
  for (int i = 0; i < kKeys; ++i) {
    std::string key = "msg-" + std::to_string(i);
    EXPECT_EQ(fresh_by_key[key + "/a"] + fresh_by_key[key + "/b"], 1) << key << " was new to both or neither";
  }
  std::set<std::int64_t> distinct(values.begin(), values.end());
  EXPECT_EQ(distinct.size(), values.size());
  EXPECT_EQ(values.size(), 2u * kKeys);

  // 300 messages, claimed 7 at a time by two dispatchers (two threads on each store) at once.
  constexpr int kMessages = 300;
  ASSERT_TRUE(a->write_sync([&](Tx& tx) -> Status {
                 for (int i = 0; i < kMessages; ++i)
                   if (auto r = tx.enqueue(make_message(i)); !r) return r.error();
                 return ok_status();
               }).ok());
  std::vector<std::vector<std::int64_t>> claimed(4);
  std::vector<std::thread> dispatchers;
  for (int d = 0; d < 4; ++d)
    dispatchers.emplace_back([&, d] {
      Store* store = d % 2 ? b.get() : a.get();
      for (;;) {
        auto got = store->claim_outbox(7, t0, t0 + kDay);
        if (!got.ok()) {
          failures++;
          return;
        }
        if (got->empty()) return;
        for (const auto& m : *got) claimed[d].push_back(m.id);
      }
    });
  for (auto& t : dispatchers) t.join();
  EXPECT_EQ(failures.load(), 0);
  std::multiset<std::int64_t> all;
  for (const auto& c : claimed) all.insert(c.begin(), c.end());
  EXPECT_EQ(all.size(), static_cast<std::size_t>(kMessages));
  EXPECT_EQ(std::set<std::int64_t>(all.begin(), all.end()).size(), all.size()) << "a row was claimed twice";
}

TEST_F(MysqlDatabase, ADeadlockRunsTheLosingCommandAgain) {
  // Two commands lock two courses in opposite orders and wait for each other in between: InnoDB
  // picks one as the deadlock victim and rolls it back; the store runs it again and both succeed.
  auto a = open_store();
  auto b = open_store();
  ASSERT_TRUE(a && b);
  std::int64_t first = 0, second = 0;
  ASSERT_TRUE(a->write_sync([&](Tx& tx) -> Status {
                 auto x = tx.insert_course(make_course("FIRST"));
                 auto y = tx.insert_course(make_course("SECOND"));
                 if (!x || !y) return Error{"setup", "insert"};
                 first = *x, second = *y;
                 return ok_status();
               }).ok());
  std::atomic<int> runs{0};
  std::latch both_hold_one(2);
  auto crossing = [&](std::int64_t one, std::int64_t other, std::string title) {
    return [&, one, other, title](Tx& tx) -> Status {
      bool first_run = runs.fetch_add(1) < 2;
      auto c1 = tx.course(one);
      if (!c1) return c1.error();
      if (first_run) both_hold_one.arrive_and_wait();
      auto c2 = tx.course(other);
      if (!c2) return c2.error();
      Course c = **c2;
      c.title.en = title;
      return tx.save_course(c);
    };
  };
  std::promise<Status> ra, rb;
  a->write(crossing(first, second, "by a"), [&](const Status& s) { ra.set_value(s); });
  b->write(crossing(second, first, "by b"), [&](const Status& s) { rb.set_value(s); });
  Status sa = ra.get_future().get(), sb = rb.get_future().get();
  EXPECT_TRUE(sa.ok()) << describe(sa);
  EXPECT_TRUE(sb.ok()) << describe(sb);
  EXPECT_GE(runs.load(), 3) << "no command was run again";
  std::string title_first, title_second;
  ASSERT_TRUE(a->read([&](Tx& tx) -> Status {
                 title_first = (*tx.course(first))->title.en;
                 title_second = (*tx.course(second))->title.en;
                 return ok_status();
               }).ok());
  EXPECT_EQ(title_second, "by a");
  EXPECT_EQ(title_first, "by b");
}

// ---------------------------------------------------------------------------------------------
// The server goes away and comes back

TEST(MysqlServer, UnavailableWhileDownAndBackWithEverythingAcknowledgedAfterARestart) {
  // Its own server: this test kills it.
  auto server = test::MariaDb::start();
  ASSERT_TRUE(server.ok()) << server.error().message;
  std::string database = test::database_name("restart");
  ASSERT_TRUE((*server)->create_database(database).ok());
  auto settings = parse_mysql_url((*server)->url(database));
  ASSERT_TRUE(settings.ok());
  settings->pool = 3;
  auto opened = open_mysql(*settings);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& store = *opened;

  auto pay = [&](int n) {
    return store->write_sync([n](Tx& tx) {
      PaymentRecord p;
      p.joebpps_trx = "T-" + std::to_string(n);
      p.billing_number = "100000017";
      p.outcome = "applied";
      p.received_at = t0;
      return tx.insert_payment(p);
    });
  };
  auto has = [&](int n) {
    bool found = false;
    Status s = store->read([&](Tx& tx) -> Status {
      auto p = tx.payment("T-" + std::to_string(n));
      if (!p) return p.error();
      found = p->has_value();
      return ok_status();
    });
    EXPECT_TRUE(s.ok()) << describe(s);
    return found;
  };
  // Warm every pooled connection, so the restart leaves them all stale.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(pay(i).ok());
  ASSERT_TRUE(store->ping().ok());

  ASSERT_TRUE((*server)->crash().ok());
  Status down_write = pay(100);
  ASSERT_FALSE(down_write.ok());
  EXPECT_EQ(down_write.error().code, "store_unavailable") << down_write.error().message;
  Status down_read = store->read([](Tx& tx) { return tx.payment("T-1").ok() ? ok_status() : Error{"x", "x"}; });
  ASSERT_FALSE(down_read.ok());
  EXPECT_EQ(down_read.error().code, "store_unavailable") << down_read.error().message;
  EXPECT_FALSE(store->ping().ok());

  ASSERT_TRUE((*server)->restart().ok()) << (*server)->log_tail();
  EXPECT_TRUE(store->ping().ok());
  for (int i = 20; i < 40; ++i) {
    Status s = pay(i);
    EXPECT_TRUE(s.ok()) << i << ": " << describe(s);
  }
  for (int i = 0; i < 40; ++i) EXPECT_TRUE(has(i)) << "acknowledged payment T-" << i << " was lost";
  EXPECT_FALSE(has(100));
  store->close();
}

// As SQLite's: while writes fail for the server's sake, ping() tries a one-row write too (so health
// does not come back while reads work and writes do not); otherwise it only reads.
TEST(MysqlServer, PingProbesAWriteOnlyWhileWritesFail) {
  auto server = test::MariaDb::start();
  ASSERT_TRUE(server.ok()) << server.error().message;
  std::string database = test::database_name("probe");
  ASSERT_TRUE((*server)->create_database(database).ok());
  auto settings = parse_mysql_url((*server)->url(database));
  ASSERT_TRUE(settings.ok());
  settings->pool = 2;
  auto opened = open_mysql(*settings);
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  auto& store = *opened;
  auto probes = [&] {
    auto r =
        (*server)->query(database, "SELECT COALESCE(SUM(value), 0) FROM sequences WHERE name = 'healthz.write_probe'");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? (*r)[0][0] : "?";
  };
  auto bump = [&] {
    return store->write_sync([](Tx& tx) {
      return tx.next_sequence("work").ok() ? ok_status() : Error{"store_error", "x"};
    });
  };

  ASSERT_TRUE(bump().ok());
  ASSERT_TRUE(store->ping().ok());
  EXPECT_EQ(probes(), "0") << "a ping wrote while writes worked";

  ASSERT_TRUE((*server)->crash().ok());
  Status down = bump();
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.error().code, "store_unavailable") << down.error().message;
  ASSERT_TRUE((*server)->restart().ok()) << (*server)->log_tail();
  ASSERT_TRUE(store->ping().ok());
  EXPECT_EQ(probes(), "1") << "the ping after failed writes did not try one";
  ASSERT_TRUE(store->ping().ok());
  EXPECT_EQ(probes(), "1") << "the probe's success did not end the probing";
  store->close();
}

}  // namespace
}  // namespace cg::store::mysql
