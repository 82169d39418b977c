// The store contract for the operator console (store.hpp, "operator console"): operators, console
// sessions, the audit log and the overview's reads, on every backend.
#include <optional>

#include "tests/adapters/store/contract/contract.hpp"

namespace cg::store::testing {
namespace {

const Instant t0{std::chrono::seconds{1'790'000'000}};
constexpr std::chrono::seconds kHour{3600};

template <class T>
Result<T> write_value(Store& store, const std::function<Result<T>(Tx&)>& f) {
  std::optional<T> out;
  Status s = store.write_sync([&](Tx& tx) -> Status {
    auto r = f(tx);
    if (!r) return r.error();
    out = std::move(*r);
    return ok_status();
  });
  if (!s) return s.error();
  return std::move(*out);
}

Operator make_operator(std::string name, std::string role) {
  Operator o;
  o.username = std::move(name);
  o.role = std::move(role);
  o.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA";
  o.created_at = t0;
  o.password_changed_at = t0;
  return o;
}

std::int64_t add_operator(Store& store, const Operator& o) {
  auto id = write_value<std::int64_t>(store, [&](Tx& tx) { return tx.insert_operator(o); });
  EXPECT_TRUE(id.ok()) << id.error().message;
  return id ? *id : 0;
}

TEST_P(StoreContract, OperatorsRoundTripAndAreListedByName) {
  std::int64_t bob = add_operator(*store_, make_operator("bob", "viewer"));
  std::int64_t alice = add_operator(*store_, make_operator("alice", "admin"));
  EXPECT_NE(bob, alice);
  auto got = read_value<std::optional<Operator>>(*store_, [](Tx& tx) { return tx.operator_by_name("alice"); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, alice);
  EXPECT_EQ(got->role, "admin");
  EXPECT_EQ(got->password_hash, make_operator("", "").password_hash);
  EXPECT_FALSE(got->disabled);
  EXPECT_EQ(got->created_at, t0);
  auto by_id = read_value<std::optional<Operator>>(*store_, [&](Tx& tx) { return tx.operator_by_id(bob); });
  ASSERT_TRUE(by_id);
  EXPECT_EQ(by_id->username, "bob");
  auto all = read_value<std::vector<Operator>>(*store_, [](Tx& tx) { return tx.operators(); });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].username, "alice");
  EXPECT_EQ(all[1].username, "bob");
  EXPECT_FALSE(read_value<std::optional<Operator>>(*store_, [](Tx& tx) { return tx.operator_by_name("carol"); }));
}

TEST_P(StoreContract, ADuplicateOperatorNameIsRefused) {
  add_operator(*store_, make_operator("alice", "admin"));
  auto again =
      write_value<std::int64_t>(*store_, [](Tx& tx) { return tx.insert_operator(make_operator("alice", "viewer")); });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "duplicate_operator");
  auto all = read_value<std::vector<Operator>>(*store_, [](Tx& tx) { return tx.operators(); });
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].role, "admin");
}

TEST_P(StoreContract, SaveOperatorChangesRoleHashAndDisabled) {
  std::int64_t id = add_operator(*store_, make_operator("alice", "viewer"));
  Operator o = make_operator("alice", "operator");
  o.id = id;
  o.password_hash = "$argon2id$new";
  o.disabled = true;
  o.password_changed_at = t0 + kHour;
  ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.save_operator(o); }).ok());
  auto got = read_value<std::optional<Operator>>(*store_, [&](Tx& tx) { return tx.operator_by_id(id); });
  ASSERT_TRUE(got);
  EXPECT_EQ(got->role, "operator");
  EXPECT_EQ(got->password_hash, "$argon2id$new");
  EXPECT_TRUE(got->disabled);
  EXPECT_EQ(got->password_changed_at, t0 + kHour);
  o.id = id + 100;
  Status unknown = store_->write_sync([&](Tx& tx) { return tx.save_operator(o); });
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, "operator_not_found");
}

TEST_P(StoreContract, ConsoleSessionsAreFoundByTokenHashTouchedAndRemoved) {
  std::int64_t alice = add_operator(*store_, make_operator("alice", "admin"));
  std::int64_t bob = add_operator(*store_, make_operator("bob", "viewer"));
  auto add = [&](std::string hash, std::int64_t op, Instant at) {
    ConsoleSession s{std::move(hash), op, at, at, "192.0.2.7"};
    EXPECT_TRUE(store_->write_sync([&](Tx& tx) { return tx.insert_console_session(s); }).ok());
  };
  add("a1", alice, t0);
  add("a2", alice, t0 + kHour);
  add("b1", bob, t0);
  auto a1 = read_value<std::optional<ConsoleSession>>(*store_, [](Tx& tx) { return tx.console_session("a1"); });
  ASSERT_TRUE(a1);
  EXPECT_EQ(a1->operator_id, alice);
  EXPECT_EQ(a1->client_address, "192.0.2.7");
  EXPECT_EQ(a1->last_seen_at, t0);

  ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.touch_console_session("b1", t0 + 2 * kHour); }).ok());
  auto b1 = read_value<std::optional<ConsoleSession>>(*store_, [](Tx& tx) { return tx.console_session("b1"); });
  ASSERT_TRUE(b1);
  EXPECT_EQ(b1->last_seen_at, t0 + 2 * kHour);
  EXPECT_EQ(b1->created_at, t0);

  // Idle since before t0 + 30 min: only a1 (a2 is newer, b1 was touched).
  auto idle = write_value<std::int64_t>(
      *store_, [](Tx& tx) { return tx.delete_console_sessions_idle_since(t0 + std::chrono::minutes(30)); });
  ASSERT_TRUE(idle.ok());
  EXPECT_EQ(*idle, 1);
  EXPECT_FALSE(read_value<std::optional<ConsoleSession>>(*store_, [](Tx& tx) { return tx.console_session("a1"); }));

  auto of_alice = write_value<std::int64_t>(*store_, [&](Tx& tx) { return tx.delete_console_sessions_of(alice); });
  ASSERT_TRUE(of_alice.ok());
  EXPECT_EQ(*of_alice, 1);
  EXPECT_FALSE(read_value<std::optional<ConsoleSession>>(*store_, [](Tx& tx) { return tx.console_session("a2"); }));

  ASSERT_TRUE(store_->write_sync([](Tx& tx) { return tx.delete_console_session("b1"); }).ok());
  EXPECT_FALSE(read_value<std::optional<ConsoleSession>>(*store_, [](Tx& tx) { return tx.console_session("b1"); }));
}

TEST_P(StoreContract, TheAuditLogIsPagedByKeyNewestFirst) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    AuditEntry e{0,
                 i % 2 ? "api" : "alice",
                 t0 + i * kHour,
                 "course.update",
                 "course:" + std::to_string(i),
                 "{\"capacity\":10}",
                 "{\"capacity\":12}",
                 "198.51.100.1"};
    auto id = write_value<std::int64_t>(*store_, [&](Tx& tx) { return tx.append_audit(e); });
    ASSERT_TRUE(id.ok()) << id.error().message;
    if (!ids.empty()) {
      EXPECT_GT(*id, ids.back());
    }
    ids.push_back(*id);
  }
  auto first = read_value<std::vector<AuditEntry>>(*store_, [](Tx& tx) { return tx.audit_log(0, 2); });
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].id, ids[4]);
  EXPECT_EQ(first[1].id, ids[3]);
  EXPECT_EQ(first[0].actor, "alice");
  EXPECT_EQ(first[0].target, "course:4");
  EXPECT_EQ(first[0].before, "{\"capacity\":10}");
  EXPECT_EQ(first[0].after, "{\"capacity\":12}");
  EXPECT_EQ(first[0].client_address, "198.51.100.1");
  EXPECT_EQ(first[0].at, t0 + 4 * kHour);
  auto next = read_value<std::vector<AuditEntry>>(*store_, [&](Tx& tx) { return tx.audit_log(first[1].id, 2); });
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].id, ids[2]);
  EXPECT_EQ(next[1].id, ids[1]);
  auto last = read_value<std::vector<AuditEntry>>(*store_, [&](Tx& tx) { return tx.audit_log(next[1].id, 2); });
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].id, ids[0]);
}

TEST_P(StoreContract, AnAuditLineWrittenByAFailedCommandIsNotKept) {
  Status failed = store_->write_sync([](Tx& tx) -> Status {
    AuditEntry e{0, "api", t0, "course.create", "course:9", "", "{}", "127.0.0.1"};
    if (auto id = tx.append_audit(e); !id) return id.error();
    return Error{"invalid_course", "refused after the audit line"};
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(read_value<std::vector<AuditEntry>>(*store_, [](Tx& tx) { return tx.audit_log(0, 10); }).empty());
}

TEST_P(StoreContract, FailedSmsSinceComesNewestFirstWithACount) {
  auto enqueue = [&](std::string to) {
    OutboxMessage m;
    m.to = std::move(to);
    m.text = "hello";
    m.template_name = "approved";
    m.step = "6.1";
    m.created_at = t0;
    m.next_attempt_at = t0;
    auto id = write_value<std::int64_t>(*store_, [&](Tx& tx) { return tx.enqueue(m); });
    EXPECT_TRUE(id.ok());
    return id ? *id : 0;
  };
  std::int64_t early = enqueue("+962790000001");
  std::int64_t late = enqueue("+962790000002");
  std::int64_t sent = enqueue("+962790000003");
  std::int64_t pending = enqueue("+962790000004");
  (void)pending;
  auto claimed = store_->claim_outbox(3, t0, t0 + kHour);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 3u);
  std::vector<SendOutcome> outcomes{
      SendOutcome{early, SendOutcome::Kind::failed, "kannel", "", "rejected", t0 + kHour, {}},
      SendOutcome{late, SendOutcome::Kind::failed, "kannel", "", "invalid number", t0 + 3 * kHour, {}},
      SendOutcome{sent, SendOutcome::Kind::sent, "kannel", "m-1", "", t0 + kHour, {}},
  };
  ASSERT_TRUE(store_->record_send_outcomes(outcomes, {}).ok());

  auto all = read_value<std::vector<FailedSms>>(*store_, [](Tx& tx) { return tx.failed_sms_since(t0, 10); });
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, late);
  EXPECT_EQ(all[0].to, "+962790000002");
  EXPECT_EQ(all[0].last_error, "invalid number");
  ASSERT_TRUE(all[0].done_at);
  EXPECT_EQ(*all[0].done_at, t0 + 3 * kHour);
  EXPECT_EQ(all[1].id, early);
  EXPECT_EQ(read_value<std::int64_t>(*store_, [](Tx& tx) { return tx.count_failed_sms_since(t0); }), 2);
  EXPECT_EQ(read_value<std::int64_t>(*store_, [](Tx& tx) { return tx.count_failed_sms_since(t0 + 2 * kHour); }), 1);
  auto one = read_value<std::vector<FailedSms>>(*store_, [](Tx& tx) { return tx.failed_sms_since(t0, 1); });
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].id, late);
}

TEST_P(StoreContract, CountBillsDueCountsOnlyUnpaidBillsDueBeforeTheTime) {
  core::Course c;
  c.code = "JOIN 7";
  c.title = {"دورة", "Course"};
  c.location = "Amman";
  c.start_at = t0 + 240 * kHour;
  c.end_at = t0 + 250 * kHour;
  c.decision_at = c.start_at;
  c.fee = core::Fils{5000};
  c.evaluation_url = "https://example.org/e";
  auto course_id = write_value<std::int64_t>(*store_, [&](Tx& tx) { return tx.insert_course(c); });
  ASSERT_TRUE(course_id.ok());
  auto add = [&](std::string id, core::ApplicationState state, Instant due) {
    core::Application a;
    a.id = std::move(id);
    a.course_id = *course_id;
    a.seq = static_cast<std::int64_t>(due.time_since_epoch().count());
    a.applicant = {"+962790000001", "Sara", core::IdType::national_id, a.id, "JO", core::Language::ar};
    a.channel = "web";
    a.state = state;
    a.created_at = t0;
    a.updated_at = t0;
    a.bill = core::Bill{"1000" + a.id, core::Fils{5000}, t0, due};
    EXPECT_TRUE(store_->write_sync([&](Tx& tx) { return tx.insert_application(a); }).ok());
  };
  add("01", core::ApplicationState::awaiting_payment, t0 + kHour);
  add("02", core::ApplicationState::awaiting_payment, t0 + 30 * kHour);
  add("03", core::ApplicationState::confirmed, t0 + kHour);
  EXPECT_EQ(read_value<std::int64_t>(*store_, [](Tx& tx) { return tx.count_bills_due(t0 + 24 * kHour); }), 1);
  EXPECT_EQ(read_value<std::int64_t>(*store_, [](Tx& tx) { return tx.count_bills_due(t0 + 48 * kHour); }), 2);
  EXPECT_EQ(read_value<std::int64_t>(*store_, [](Tx& tx) { return tx.count_bills_due(t0); }), 0);
}

}  // namespace
}  // namespace cg::store::testing
