// Migration 17 on SQLite: refund settlements refuse UPDATE and DELETE in the database itself, and
// the unsettled refunds are read through the partial index payments_refunds (the refunds alone, in
// paging order), not by scanning payments. The statements checked are the data layer's own.
#include <gtest/gtest.h>

#include <string>

#include "adapters/store/sql/queries.hpp"
#include "adapters/store/sqlite/sqlite_store.hpp"
#include "tests/adapters/store/sqlite/sqlite_files.hpp"

namespace cg::store::sqlite {
namespace {

using testing::Raw;
using testing::TempDb;

void open_and_close(const TempDb& db) {
  auto opened = sqlite::open(db.settings(), sqlite::migrations());
  ASSERT_TRUE(opened.ok()) << opened.error().code << ": " << opened.error().message;
  (*opened).reset();
}

TEST(SqliteStore, Migration17KeepsRefundSettlementsAppendOnly) {
  TempDb db("m16-append");
  open_and_close(db);
  Raw raw(db.path());
  raw.exec(
      "INSERT INTO payments (joebpps_trx, billing_number, application_id, paid_fils, due_fils, process_date, "
      "stmt_date, outcome, received_at) VALUES ('trx-1', '770001', '', 5000, 5000, '2026-12-07T10:00:00', "
      "'2026-12-07', 'refund:expired', 1)");
  raw.exec(
      "INSERT INTO refund_settlements (joebpps_trx, settled_at, settled_by, reference) "
      "VALUES ('trx-1', 2, 'olga', 'TRF-1')");
  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.path().c_str(), &handle), SQLITE_OK);
  for (const char* statement :
       {"UPDATE refund_settlements SET reference = 'TRF-2'", "DELETE FROM refund_settlements"}) {
    char* message = nullptr;
    EXPECT_NE(sqlite3_exec(handle, statement, nullptr, nullptr, &message), SQLITE_OK) << statement;
    EXPECT_NE(std::string(message ? message : "").find("append-only"), std::string::npos) << statement;
    sqlite3_free(message);
  }
  // A settlement of a payment that is not there is refused by its foreign key.
  char* message = nullptr;
  EXPECT_NE(sqlite3_exec(handle,
                         "PRAGMA foreign_keys=ON; INSERT INTO refund_settlements (joebpps_trx, settled_at, "
                         "settled_by, reference) VALUES ('trx-none', 2, 'olga', 'TRF-3')",
                         nullptr, nullptr, &message),
            SQLITE_OK);
  sqlite3_free(message);
  sqlite3_close(handle);
  EXPECT_EQ(raw.rows("SELECT joebpps_trx, reference FROM refund_settlements"),
            (std::vector<std::string>{"trx-1|TRF-1"}));
}

TEST(SqliteStore, Migration17ReadsUnsettledRefundsThroughTheirPartialIndex) {
  TempDb db("m16-plan");
  open_and_close(db);
  Raw raw(db.path());
  const sql::Queries q(sql::sqlite_dialect());
  const std::string list = raw.plan_of(q.refunds_unsettled);
  EXPECT_NE(list.find("payments_refunds"), std::string::npos) << list;
  EXPECT_EQ(list.find("SCAN payments"), std::string::npos) << list;
  EXPECT_EQ(list.find("TEMP B-TREE"), std::string::npos) << "no sort: " << list;
  const std::string totals = raw.plan_of(q.refunds_unsettled_totals);
  EXPECT_NE(totals.find("payments_refunds"), std::string::npos) << totals;
  // Each refund is checked against the settlements by their primary key, not a scan of them.
  EXPECT_EQ(totals.find("SCAN refund_settlements"), std::string::npos) << totals;
  const std::string day = raw.plan_of(q.payments_of_day);
  EXPECT_NE(day.find("payments_by_stmt_date"), std::string::npos) << day;
  EXPECT_EQ(day.find("SCAN refund_settlements"), std::string::npos) << day;
}

}  // namespace
}  // namespace cg::store::sqlite
