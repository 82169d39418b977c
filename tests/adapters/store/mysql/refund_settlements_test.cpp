// Migration 17 on MariaDB: refund settlements refuse UPDATE and DELETE in the database itself (as
// SQLite's triggers do), and the unsettled refunds are read through payments_refunds, the index
// led by the outcome that stands in for SQLite's partial one. The statement checked is the data
// layer's own.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/store/mysql/mysql_store.hpp"
#include "adapters/store/sql/queries.hpp"
#include "tests/adapters/store/mysql/mysql_database.hpp"

namespace cg::store::mysql {
namespace {

TEST_F(MysqlDatabase, RefundSettlementsAreAppendOnlyAndTheListReadsTheRefundIndex) {
  ASSERT_NE(open_store(), nullptr);
  ASSERT_TRUE(server_
                  ->execute(database_,
                            "INSERT INTO payments (joebpps_trx, billing_number, application_id, paid_fils, due_fils, "
                            "process_date, stmt_date, outcome, received_at) VALUES ('trx-1', '770001', '', 5000, "
                            "5000, '2026-12-07T10:00:00', '2026-12-07', 'refund:expired', 1)")
                  .ok());
  ASSERT_TRUE(server_
                  ->execute(database_,
                            "INSERT INTO refund_settlements (joebpps_trx, settled_at, settled_by, reference) "
                            "VALUES ('trx-1', 2, 'olga', 'TRF-1')")
                  .ok());
  EXPECT_FALSE(server_->execute(database_, "UPDATE refund_settlements SET reference = 'TRF-2'").ok());
  EXPECT_FALSE(server_->execute(database_, "DELETE FROM refund_settlements").ok());
  // A settlement of a payment that is not there is refused by its foreign key.
  EXPECT_FALSE(server_
                   ->execute(database_,
                             "INSERT INTO refund_settlements (joebpps_trx, settled_at, settled_by, reference) "
                             "VALUES ('trx-none', 2, 'olga', 'TRF-3')")
                   .ok());
  EXPECT_EQ(rows("SELECT joebpps_trx, reference FROM refund_settlements"),
            (std::vector<std::vector<std::string>>{{"trx-1", "TRF-1"}}));

  const sql::Queries q(sql::mysql_dialect());
  std::string list = q.refunds_unsettled;
  // The first page: after (0, ''), 50 rows.
  for (const char* value : {"0", "0", "''", "50"}) list.replace(list.find('?'), 1, value);
  std::string plan;
  for (const auto& row : rows("EXPLAIN " + list))
    for (const auto& cell : row) plan += cell + " ";
  EXPECT_NE(plan.find("payments_refunds"), std::string::npos) << plan;
}

}  // namespace
}  // namespace cg::store::mysql
