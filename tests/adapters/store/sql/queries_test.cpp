// The data layer's queries as each dialect builds them: where the engines must differ, they do.
// (What the queries do is the contract suite's, on both engines.)
#include "adapters/store/sql/queries.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace cg::store::sql {
namespace {

bool ends_with(const std::string& s, std::string_view tail) { return s.ends_with(tail); }
bool has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

TEST(SqlQueries, MariaDbLocksTheRowsAWriteDecidesOnSqliteNeedNot) {
  const Queries mysql(mysql_dialect());
  const Queries sqlite(sqlite_dialect());
  for (auto member :
       {&Queries::course_by_id_locked, &Queries::course_by_code_locked, &Queries::application_by_id_locked,
        &Queries::application_by_token_locked, &Queries::application_by_billing_locked, &Queries::session_select_locked,
        &Queries::outbox_status_locked, &Queries::delivery_row_by_id, &Queries::delivery_row_by_message}) {
    EXPECT_TRUE(ends_with(mysql.*member, " FOR UPDATE")) << mysql.*member;
    EXPECT_FALSE(has(sqlite.*member, "FOR UPDATE")) << sqlite.*member;
  }
  EXPECT_EQ(sqlite.course_by_id_locked, sqlite.course_by_id);
  EXPECT_FALSE(has(mysql.course_by_id, "FOR UPDATE"));
}

TEST(SqlQueries, ClaimingSkipsLockedRowsOnMariaDbAndReturnsThemOnSqlite) {
  EXPECT_TRUE(mysql_dialect().for_update == " FOR UPDATE" && !mysql_dialect().claim_with_returning);
  EXPECT_TRUE(sqlite_dialect().claim_with_returning);
  const Queries mysql(mysql_dialect());
  EXPECT_TRUE(ends_with(mysql.outbox_due_pending, "LIMIT ? FOR UPDATE SKIP LOCKED")) << mysql.outbox_due_pending;
  EXPECT_TRUE(ends_with(mysql.outbox_due_sending, "LIMIT ? FOR UPDATE SKIP LOCKED")) << mysql.outbox_due_sending;
  const Queries sqlite(sqlite_dialect());
  EXPECT_TRUE(has(sqlite.outbox_claim, ") RETURNING id, ")) << sqlite.outbox_claim;
}

TEST(SqlQueries, EachDialectWritesItsOwnUpsertsAndInsertsUnlessPresent) {
  const Queries mysql(mysql_dialect());
  const Queries sqlite(sqlite_dialect());
  EXPECT_TRUE(
      ends_with(sqlite.session_upsert,
                " ON CONFLICT (session_key) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at"))
      << sqlite.session_upsert;
  EXPECT_TRUE(ends_with(mysql.session_upsert,
                        " ON DUPLICATE KEY UPDATE state = VALUES(state), updated_at = VALUES(updated_at)"))
      << mysql.session_upsert;
  for (auto member :
       {&Queries::event_insert, &Queries::inbound_insert, &Queries::pass_insert, &Queries::opt_out_insert}) {
    EXPECT_TRUE(ends_with(sqlite.*member, " ON CONFLICT DO NOTHING")) << sqlite.*member;
    EXPECT_TRUE(ends_with(mysql.*member, ")")) << mysql.*member;  // a duplicate fails, and is told apart
  }
  EXPECT_TRUE(has(mysql.payment_totals, "CAST(SUM(paid_fils) AS SIGNED)")) << mysql.payment_totals;
  EXPECT_TRUE(has(sqlite.payment_totals, ", SUM(paid_fils) FROM")) << sqlite.payment_totals;
}

TEST(SqlQueries, APrefixMeansOnlyItsOwnCharacters) {
  // MariaDB matches with LIKE: its wildcards and the escape character in a key are escaped.
  EXPECT_EQ(mysql_dialect().prefix_parameter("ussd:a_b%c!d"), "ussd:a!_b!%c!!d%");
  EXPECT_TRUE(has(Queries(mysql_dialect()).sessions_delete, "session_key LIKE ? ESCAPE '!'"));
  // SQLite compares the key's first characters with substr: the prefix goes as it is.
  EXPECT_EQ(sqlite_dialect().prefix_parameter("ussd:a_b%c!d"), "ussd:a_b%c!d");
  EXPECT_TRUE(has(Queries(sqlite_dialect()).sessions_delete, "substr(session_key, 1, length(?1)) = ?1"));
}

TEST(SqlQueries, LimitZeroMeansAllInEachDialect) {
  EXPECT_EQ(sqlite_dialect().limit(0), -1);
  EXPECT_EQ(mysql_dialect().limit(0), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(sqlite_dialect().limit(7), 7);
  EXPECT_EQ(mysql_dialect().limit(7), 7);
}

TEST(SqlQueries, ApplicationsInStatesHasOneParameterPerState) {
  const Queries q(sqlite_dialect());
  EXPECT_TRUE(
      ends_with(q.applications_in_states(3), " WHERE course_id = ? AND state IN (?, ?, ?) ORDER BY seq LIMIT ?"));
}

}  // namespace
}  // namespace cg::store::sql
