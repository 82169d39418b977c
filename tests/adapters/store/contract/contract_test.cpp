// The store contract: what the gateway relies on from any backend (store.hpp), checked through
// the interface only.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <future>
#include <latch>
#include <set>
#include <thread>

#include "tests/adapters/store/contract/contract.hpp"

namespace cg::store::testing {

using core::Application;
using core::ApplicationState;
using core::Course;
using core::Fils;
using core::HistoryEntry;
using core::IdType;
using core::Language;

void StoreContract::SetUp() {
  static std::atomic<int> counter{0};
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  scratch_ = std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + info->name();
  for (char& c : scratch_)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '_';
  GetParam().remove(scratch_);
  store_ = open_store();
  ASSERT_NE(store_, nullptr);
}

void StoreContract::TearDown() {
  if (store_) store_->close();
  store_.reset();
  GetParam().remove(scratch_);
}

std::unique_ptr<Store> StoreContract::open_store() {
  auto opened = GetParam().open(scratch_);
  EXPECT_TRUE(opened.ok()) << opened.error().code << ": " << opened.error().message;
  if (!opened) return nullptr;
  return std::move(*opened);
}

void StoreContract::reopen() {
  store_->close();
  store_.reset();
  store_ = open_store();
  ASSERT_NE(store_, nullptr);
}

namespace {

const Instant t0{std::chrono::seconds{1'790'000'000}};  // 2026-09-21
constexpr std::chrono::seconds kMinute{60};
constexpr std::chrono::seconds kHour{3600};
constexpr std::chrono::seconds kDay{86400};

Course make_course(std::string code, Instant start = t0 + 30 * kDay) {
  Course c;
  c.code = std::move(code);
  c.title = {"مهارات الحاسوب الأساسية", "Basic Computer Skills"};
  c.location = "مركز الحسين الثقافي – رأس العين";
  c.start_at = start;
  c.end_at = start + 4 * kDay;
  c.decision_at = start - kDay;
  c.min_participants = 3;
  c.capacity = 20;
  c.fee = Fils{25000};
  c.prerequisite = "computer-basics";
  c.exam_url = "https://exam.amman.jo/placement";
  c.evaluation_url = "https://amman.jo/eval/101";
  return c;
}

Application make_application(std::string id, std::int64_t course_id, std::int64_t seq,
                             ApplicationState state = ApplicationState::awaiting_quorum) {
  Application a;
  a.id = std::move(id);
  a.course_id = course_id;
  a.seq = seq;
  a.applicant.phone = "+962791234567";
  a.applicant.name = "محمد أحمد";
  a.applicant.id_type = IdType::national_id;
  a.applicant.id_number = "9871234567";
  a.applicant.nationality = "JO";
  a.applicant.language = Language::ar;
  a.channel = "sms";
  a.state = state;
  a.created_at = t0 + std::chrono::seconds{seq};
  a.updated_at = a.created_at;
  return a;
}

void expect_same(const Course& want, const Course& got) {
  EXPECT_EQ(want.id, got.id);
  EXPECT_EQ(want.code, got.code);
  EXPECT_EQ(want.title, got.title);
  EXPECT_EQ(want.location, got.location);
  EXPECT_EQ(want.start_at, got.start_at);
  EXPECT_EQ(want.end_at, got.end_at);
  EXPECT_EQ(want.decision_at, got.decision_at);
  EXPECT_EQ(want.min_participants, got.min_participants);
  EXPECT_EQ(want.capacity, got.capacity);
  EXPECT_EQ(want.fee, got.fee);
  EXPECT_EQ(want.prerequisite, got.prerequisite);
  EXPECT_EQ(want.exam_url, got.exam_url);
  EXPECT_EQ(want.evaluation_url, got.evaluation_url);
  EXPECT_EQ(want.status, got.status);
  EXPECT_EQ(want.quorum_reached, got.quorum_reached);
  EXPECT_EQ(want.reminder_sent, got.reminder_sent);
  EXPECT_EQ(want.tally, got.tally);
}

void expect_same(const Application& want, const Application& got) {
  EXPECT_EQ(want.id, got.id);
  EXPECT_EQ(want.course_id, got.course_id);
  EXPECT_EQ(want.seq, got.seq);
  EXPECT_EQ(want.applicant.phone, got.applicant.phone);
  EXPECT_EQ(want.applicant.name, got.applicant.name);
  EXPECT_EQ(want.applicant.id_type, got.applicant.id_type);
  EXPECT_EQ(want.applicant.id_number, got.applicant.id_number);
  EXPECT_EQ(want.applicant.nationality, got.applicant.nationality);
  EXPECT_EQ(want.applicant.language, got.applicant.language);
  EXPECT_EQ(want.channel, got.channel);
  EXPECT_EQ(want.state, got.state);
  EXPECT_EQ(want.created_at, got.created_at);
  EXPECT_EQ(want.updated_at, got.updated_at);
  EXPECT_EQ(want.exam_token, got.exam_token);
  ASSERT_EQ(want.bill.has_value(), got.bill.has_value());
  if (want.bill) {
    EXPECT_EQ(want.bill->billing_number, got.bill->billing_number);
    EXPECT_EQ(want.bill->amount, got.bill->amount);
    EXPECT_EQ(want.bill->issued_at, got.bill->issued_at);
    EXPECT_EQ(want.bill->due_at, got.bill->due_at);
  }
}

std::vector<std::string> ids_of(const std::vector<Application>& apps) {
  std::vector<std::string> out;
  for (const auto& a : apps) out.push_back(a.id);
  return out;
}

std::vector<std::int64_t> seqs_of(const std::vector<Application>& apps) {
  std::vector<std::int64_t> out;
  for (const auto& a : apps) out.push_back(a.seq);
  return out;
}

std::int64_t insert_course(Store& store, const Course& c) {
  std::int64_t id = 0;
  Status s = store.write_sync([&](Tx& tx) -> Status {
    auto r = tx.insert_course(c);
    if (!r) return r.error();
    id = *r;
    return ok_status();
  });
  EXPECT_TRUE(s.ok()) << describe(s);
  return id;
}

void insert_applications(Store& store, const std::vector<Application>& apps) {
  Status s = store.write_sync([&](Tx& tx) -> Status {
    for (const auto& a : apps)
      if (auto r = tx.insert_application(a); !r) return r;
    return ok_status();
  });
  ASSERT_TRUE(s.ok()) << describe(s);
}

std::optional<Course> course_by_code(Store& store, std::string_view code) {
  return read_value<std::optional<Course>>(store, [&](Tx& tx) { return tx.course_by_code(code); });
}

OutboxMessage make_message(std::string to, Instant due, std::string text = "تم استلام طلبك") {
  OutboxMessage m;
  m.application_id = "app-1";
  m.to = std::move(to);
  m.text = std::move(text);
  m.template_name = "application_received";
  m.language = Language::ar;
  m.step = "4";
  m.segments = 1;
  m.created_at = due;
  m.next_attempt_at = due;
  return m;
}

std::int64_t enqueue(Store& store, const OutboxMessage& m) {
  std::int64_t id = 0;
  Status s = store.write_sync([&](Tx& tx) -> Status {
    auto r = tx.enqueue(m);
    if (!r) return r.error();
    id = *r;
    return ok_status();
  });
  EXPECT_TRUE(s.ok()) << describe(s);
  return id;
}

std::vector<std::int64_t> claim_ids(Store& store, std::size_t limit, Instant now, Instant lease_until) {
  auto claimed = store.claim_outbox(limit, now, lease_until);
  EXPECT_TRUE(claimed.ok()) << claimed.error().message;
  std::vector<std::int64_t> ids;
  if (claimed)
    for (const auto& m : *claimed) ids.push_back(m.id);
  return ids;
}

// One dispatcher verdict, as the dispatcher records it (Store::record_send_outcomes).
Status record_outcome(Store& store, SendOutcome o) { return store.record_send_outcomes(std::span(&o, 1), {}); }
Status record_sent(Store& store, std::int64_t id, std::string provider, std::string message_id, Instant at) {
  SendOutcome o;
  o.id = id;
  o.kind = SendOutcome::Kind::sent;
  o.provider = std::move(provider);
  o.provider_message_id = std::move(message_id);
  o.at = at;
  return record_outcome(store, std::move(o));
}
Status record_retry(Store& store, std::int64_t id, std::string error, Instant next_attempt_at) {
  SendOutcome o;
  o.id = id;
  o.kind = SendOutcome::Kind::retry;
  o.error = std::move(error);
  o.at = next_attempt_at;
  o.next_attempt_at = next_attempt_at;
  return record_outcome(store, std::move(o));
}
Status record_failed(Store& store, std::int64_t id, std::string error, Instant at) {
  SendOutcome o;
  o.id = id;
  o.kind = SendOutcome::Kind::failed;
  o.error = std::move(error);
  o.at = at;
  return record_outcome(store, std::move(o));
}

std::int64_t figure(const std::vector<std::pair<std::string, std::int64_t>>& figures, std::string_view key) {
  for (const auto& [k, n] : figures)
    if (k == key) return n;
  return 0;
}

Result<bool> record_event(Store& store, std::string_view source, std::string_view key, std::string_view summary) {
  bool fresh = false;
  Status s = store.write_sync([&](Tx& tx) -> Status {
    auto r = tx.record_event(source, key, summary, t0);
    if (!r) return r.error();
    fresh = *r;
    return ok_status();
  });
  if (!s) return s.error();
  return fresh;
}

PaymentRecord make_payment(std::string trx) {
  PaymentRecord p;
  p.joebpps_trx = std::move(trx);
  p.billing_number = "100000017";
  p.application_id = "app-1";
  p.paid = Fils{25000};
  p.due = Fils{25000};
  p.process_date = "2026-09-21T10:15:00";
  p.stmt_date = "2026-09-21";
  p.outcome = "applied";
  p.received_at = t0;
  return p;
}

// ---------------------------------------------------------------------------------------------
// Opening

TEST_P(StoreContract, ReopeningKeepsDataAndIsRepeatable) {
  std::int64_t id = insert_course(*store_, make_course("JOIN 101"));
  reopen();
  reopen();
  auto c = course_by_code(*store_, "JOIN 101");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->id, id);
  EXPECT_TRUE(store_->ping().ok());
}

// ---------------------------------------------------------------------------------------------
// Courses

TEST_P(StoreContract, CourseRoundTripsEveryField) {
  Course c = make_course("JOIN 101");
  c.status = core::CourseStatus::open;
  c.quorum_reached = true;
  c.reminder_sent = true;
  for (std::size_t i = 0; i < core::kApplicationStateCount; ++i) c.tally.by_state[i] = static_cast<int>(10 + i);
  c.id = insert_course(*store_, c);
  ASSERT_GT(c.id, 0);

  auto by_id = read_value<std::optional<Course>>(*store_, [&](Tx& tx) { return tx.course(c.id); });
  ASSERT_TRUE(by_id.has_value());
  expect_same(c, *by_id);
  auto by_code = course_by_code(*store_, "JOIN 101");
  ASSERT_TRUE(by_code.has_value());
  expect_same(c, *by_code);

  EXPECT_FALSE(read_value<std::optional<Course>>(*store_, [&](Tx& tx) { return tx.course(c.id + 1000); }));
  EXPECT_FALSE(course_by_code(*store_, "JOIN 999"));
  EXPECT_FALSE(course_by_code(*store_, "join 101x"));
}

TEST_P(StoreContract, CourseWithoutCapacityOrPrerequisiteRoundTrips) {
  Course c = make_course("FREE 1");
  c.capacity.reset();
  c.prerequisite.reset();
  c.fee = Fils{0};
  c.status = core::CourseStatus::postponed;
  c.id = insert_course(*store_, c);
  auto got = course_by_code(*store_, "FREE 1");
  ASSERT_TRUE(got.has_value());
  expect_same(c, *got);
}

TEST_P(StoreContract, CoursesGetDistinctIds) {
  std::int64_t a = insert_course(*store_, make_course("A"));
  std::int64_t b = insert_course(*store_, make_course("B"));
  EXPECT_GT(a, 0);
  EXPECT_GT(b, 0);
  EXPECT_NE(a, b);
}

TEST_P(StoreContract, DuplicateCourseCodeIsRefusedAndItsCommandRolledBack) {
  insert_course(*store_, make_course("JOIN 101"));
  Status s = store_->write_sync([&](Tx& tx) -> Status {
    if (auto r = tx.insert_course(make_course("JOIN 102")); !r) return r.error();
    auto again = tx.insert_course(make_course("JOIN 101"));
    if (!again) return again.error();
    return ok_status();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "duplicate_course");
  EXPECT_FALSE(course_by_code(*store_, "JOIN 102")) << "the failed command's other write stayed";
  auto all = read_value<std::vector<Course>>(*store_, [](Tx& tx) { return tx.courses({}); });
  EXPECT_EQ(all.size(), 1u);
}

TEST_P(StoreContract, SaveCourseChangesEveryField) {
  Course c = make_course("JOIN 101");
  c.id = insert_course(*store_, c);
  c.title = {"أساسيات الإكسل", "Excel Basics"};
  c.location = "Zahran";
  c.start_at += kDay;
  c.end_at += 2 * kDay;
  c.decision_at += kHour;
  c.min_participants = 5;
  c.capacity.reset();
  c.fee = Fils{12500};
  c.prerequisite.reset();
  c.exam_url = "https://exam.example/2";
  c.evaluation_url = "https://eval.example/2";
  c.status = core::CourseStatus::ended;
  c.quorum_reached = true;
  c.reminder_sent = true;
  c.tally[ApplicationState::confirmed] = 7;
  c.tally[ApplicationState::waitlisted] = 2;
  c.code = "JOIN 201";
  ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.save_course(c); }).ok());
  auto got = read_value<std::optional<Course>>(*store_, [&](Tx& tx) { return tx.course(c.id); });
  ASSERT_TRUE(got.has_value());
  expect_same(c, *got);
  EXPECT_FALSE(course_by_code(*store_, "JOIN 101"));
}

// The SMS conversation reads one course for message after message of a batch; what a
// transaction reads after writing that course must be what it wrote, by id and by code.
TEST_P(StoreContract, ReadsAfterSaveCourseInOneTransactionSeeTheSavedCourse) {
  Course c = make_course("JOIN 101");
  c.id = insert_course(*store_, c);
  Status s = store_->write_sync([&](Tx& tx) -> Status {
    for (int i = 0; i < 2; ++i) {  // read twice: the second may come from what the first read
      auto before = tx.course_by_code("JOIN 101");
      if (!before || !*before || (*before)->location != c.location) return Error{"test", "first reads"};
    }
    Course changed = c;
    changed.location = "Zahran";
    changed.code = "JOIN 201";
    if (auto w = tx.save_course(changed); !w) return w;
    auto by_id = tx.course(c.id);
    if (!by_id || !*by_id || (*by_id)->location != "Zahran") return Error{"test", "by id after the save"};
    auto by_new_code = tx.course_by_code("JOIN 201");
    if (!by_new_code || !*by_new_code || (*by_new_code)->location != "Zahran")
      return Error{"test", "by the new code after the save"};
    auto by_old_code = tx.course_by_code("JOIN 101");
    if (!by_old_code || *by_old_code) return Error{"test", "the old code still finds the course"};
    return ok_status();
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
}

TEST_P(StoreContract, ACourseSavedByAFailedCommandIsReadAsItWasBefore) {
  Course c = make_course("JOIN 101");
  c.id = insert_course(*store_, c);
  Status failed = store_->write_sync([&](Tx& tx) -> Status {
    (void)tx.course(c.id);
    Course changed = c;
    changed.location = "Zahran";
    if (auto w = tx.save_course(changed); !w) return w;
    (void)tx.course(c.id);
    return Error{"refused", "the command fails after its write"};
  });
  ASSERT_FALSE(failed.ok());
  std::string seen;
  ASSERT_TRUE(store_
                  ->write_sync([&](Tx& tx) -> Status {
                    auto got = tx.course_by_code("JOIN 101");
                    if (!got || !*got) return Error{"test", "course gone"};
                    seen = (*got)->location;
                    return ok_status();
                  })
                  .ok());
  EXPECT_EQ(seen, c.location);
  auto read = read_value<std::optional<Course>>(*store_, [&](Tx& tx) { return tx.course(c.id); });
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->location, c.location);
}

TEST_P(StoreContract, SaveCourseRefusesAnUnknownCourse) {
  Course c = make_course("GHOST");
  c.id = 4242;
  EXPECT_FALSE(store_->write_sync([&](Tx& tx) { return tx.save_course(c); }).ok());
  EXPECT_FALSE(course_by_code(*store_, "GHOST"));
}

TEST_P(StoreContract, CoursesFilterOnlyOpenNotYetStarted) {
  const Instant now = t0;
  auto add = [&](std::string code, Instant start, core::CourseStatus status) {
    Course c = make_course(std::move(code), start);
    c.status = status;
    insert_course(*store_, c);
  };
  add("LATER", now + 10 * kDay, core::CourseStatus::open);
  add("SOON", now + kDay, core::CourseStatus::open);
  add("STARTED", now - kHour, core::CourseStatus::open);
  add("STARTS-NOW", now, core::CourseStatus::open);
  add("POSTPONED", now + 5 * kDay, core::CourseStatus::postponed);
  add("ENDED", now - 20 * kDay, core::CourseStatus::ended);

  auto codes = [](const std::vector<Course>& cs) {
    std::vector<std::string> out;
    for (const auto& c : cs) out.push_back(c.code);
    return out;
  };
  auto open = read_value<std::vector<Course>>(
      *store_, [&](Tx& tx) { return tx.courses(CourseFilter{.only_open = true, .now = now}); });
  EXPECT_EQ(codes(open), (std::vector<std::string>{"SOON", "LATER"}));
  auto all = read_value<std::vector<Course>>(*store_, [&](Tx& tx) { return tx.courses(CourseFilter{}); });
  std::vector<std::string> all_codes = codes(all);
  std::sort(all_codes.begin(), all_codes.end());
  EXPECT_EQ(all_codes, (std::vector<std::string>{"ENDED", "LATER", "POSTPONED", "SOON", "STARTED", "STARTS-NOW"}));
}

// ---------------------------------------------------------------------------------------------
// Applications

TEST_P(StoreContract, ApplicationRoundTripsEveryField) {
  std::int64_t course = insert_course(*store_, make_course("JOIN 101"));
  Application plain = make_application("a-plain", course, 1);
  Application full = make_application("a-full", course, 2, ApplicationState::awaiting_payment);
  full.applicant.phone = "+447700900123";
  full.applicant.name = "Jane Smith";
  full.applicant.id_type = IdType::passport;
  full.applicant.id_number = "X1234567";
  full.applicant.nationality = "GB";
  full.applicant.language = Language::en;
  full.channel = "web";
  full.updated_at = full.created_at + kHour;
  full.exam_token = "tok-ABCdef_123";
  full.bill = core::Bill{"100000017", Fils{25000}, t0 + kHour, t0 + 73 * kHour};
  insert_applications(*store_, {plain, full});

  for (const auto* want : {&plain, &full}) {
    auto got = read_value<std::optional<Application>>(*store_, [&](Tx& tx) { return tx.application(want->id); });
    ASSERT_TRUE(got.has_value()) << want->id;
    expect_same(*want, *got);
  }
  auto by_token = read_value<std::optional<Application>>(
      *store_, [](Tx& tx) { return tx.application_by_exam_token("tok-ABCdef_123"); });
  ASSERT_TRUE(by_token.has_value());
  expect_same(full, *by_token);
  auto by_bill = read_value<std::optional<Application>>(
      *store_, [](Tx& tx) { return tx.application_by_billing_number("100000017"); });
  ASSERT_TRUE(by_bill.has_value());
  expect_same(full, *by_bill);

  EXPECT_FALSE(read_value<std::optional<Application>>(*store_, [](Tx& tx) { return tx.application("nope"); }));
  EXPECT_FALSE(read_value<std::optional<Application>>(
      *store_, [](Tx& tx) { return tx.application_by_exam_token("tok-abcdef_123"); }));
  EXPECT_FALSE(read_value<std::optional<Application>>(
      *store_, [](Tx& tx) { return tx.application_by_billing_number("100000018"); }));
}

TEST_P(StoreContract, SaveApplicationChangesStateTokenAndBill) {
  std::int64_t course = insert_course(*store_, make_course("JOIN 101"));
  Application a = make_application("a-1", course, 1, ApplicationState::awaiting_exam);
  a.exam_token = "tok-1";
  insert_applications(*store_, {a});

  a.state = ApplicationState::awaiting_payment;
  a.exam_token.reset();
  a.bill = core::Bill{"200000019", Fils{30000}, t0 + kHour, t0 + 2 * kDay};
  a.updated_at = t0 + kHour;
  ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.save_application(a); }).ok());

  auto got = read_value<std::optional<Application>>(*store_, [](Tx& tx) { return tx.application("a-1"); });
  ASSERT_TRUE(got.has_value());
  expect_same(a, *got);
  EXPECT_FALSE(
      read_value<std::optional<Application>>(*store_, [](Tx& tx) { return tx.application_by_exam_token("tok-1"); }));
  EXPECT_TRUE(read_value<std::optional<Application>>(
      *store_, [](Tx& tx) { return tx.application_by_billing_number("200000019"); }));

  Application ghost = make_application("a-ghost", course, 9);
  EXPECT_FALSE(store_->write_sync([&](Tx& tx) { return tx.save_application(ghost); }).ok());
}

TEST_P(StoreContract, ExamTokensAndBillingNumbersAreUnique) {
  std::int64_t course = insert_course(*store_, make_course("JOIN 101"));
  Application a = make_application("a-1", course, 1, ApplicationState::awaiting_exam);
  a.exam_token = "tok-same";
  insert_applications(*store_, {a});
  Application b = make_application("a-2", course, 2, ApplicationState::awaiting_exam);
  b.exam_token = "tok-same";
  EXPECT_FALSE(store_->write_sync([&](Tx& tx) { return tx.insert_application(b); }).ok());

  Application c = make_application("a-3", course, 3, ApplicationState::awaiting_payment);
  c.bill = core::Bill{"300000011", Fils{1000}, t0, t0 + kDay};
  insert_applications(*store_, {c});
  Application d = make_application("a-4", course, 4, ApplicationState::awaiting_payment);
  d.bill = core::Bill{"300000011", Fils{1000}, t0, t0 + kDay};
  EXPECT_FALSE(store_->write_sync([&](Tx& tx) { return tx.insert_application(d); }).ok());
  EXPECT_FALSE(read_value<std::optional<Application>>(*store_, [](Tx& tx) { return tx.application("a-2"); }));
  EXPECT_FALSE(read_value<std::optional<Application>>(*store_, [](Tx& tx) { return tx.application("a-4"); }));
}

TEST_P(StoreContract, ApplicationsInStatesComeInSeqOrderWithLimit) {
  std::int64_t c1 = insert_course(*store_, make_course("C1"));
  std::int64_t c2 = insert_course(*store_, make_course("C2"));
  insert_applications(*store_, {
                                   make_application("s5", c1, 5, ApplicationState::awaiting_quorum),
                                   make_application("s2", c1, 2, ApplicationState::waitlisted),
                                   make_application("s9", c1, 9, ApplicationState::awaiting_quorum),
                                   make_application("s1", c1, 1, ApplicationState::confirmed),
                                   make_application("s7", c1, 7, ApplicationState::waitlisted),
                                   make_application("s3", c2, 3, ApplicationState::awaiting_quorum),
                               });
  auto query = [&](std::int64_t course, std::vector<ApplicationState> states, std::size_t limit) {
    return seqs_of(
        read_value<std::vector<Application>>(*store_, [&](Tx& tx) { return tx.applications(course, states, limit); }));
  };
  using S = ApplicationState;
  EXPECT_EQ(query(c1, {S::awaiting_quorum, S::waitlisted}, 0), (std::vector<std::int64_t>{2, 5, 7, 9}));
  EXPECT_EQ(query(c1, {S::waitlisted, S::awaiting_quorum}, 2), (std::vector<std::int64_t>{2, 5}));
  EXPECT_EQ(query(c1, {S::waitlisted}, 1), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(query(c1, {S::confirmed}, 0), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(query(c1, {S::expired}, 0), (std::vector<std::int64_t>{}));
  EXPECT_EQ(query(c1, {}, 0), (std::vector<std::int64_t>{}));
  EXPECT_EQ(query(c2, {S::awaiting_quorum}, 0), (std::vector<std::int64_t>{3}));
  std::vector<S> every(core::kAllApplicationStates.begin(), core::kAllApplicationStates.end());
  EXPECT_EQ(query(c1, every, 0), (std::vector<std::int64_t>{1, 2, 5, 7, 9}));
}

TEST_P(StoreContract, LiveApplicationsOfOneDocumentAcrossCourses) {
  std::int64_t c1 = insert_course(*store_, make_course("C1"));
  std::int64_t c2 = insert_course(*store_, make_course("C2"));
  std::int64_t c3 = insert_course(*store_, make_course("C3"));
  std::vector<Application> apps;
  int seq = 0;
  // The same national ID in every state on three courses: only live ones come back.
  for (auto state : core::kAllApplicationStates) {
    std::int64_t course = std::vector<std::int64_t>{c1, c2, c3}[seq % 3];
    apps.push_back(make_application("mine-" + std::string(core::to_string(state)), course, ++seq, state));
  }
  Application other_number = make_application("other-number", c1, ++seq, ApplicationState::confirmed);
  other_number.applicant.id_number = "9871234568";
  Application passport = make_application("passport-same-number", c1, ++seq, ApplicationState::confirmed);
  passport.applicant.id_type = IdType::passport;
  apps.push_back(other_number);
  apps.push_back(passport);
  insert_applications(*store_, apps);

  auto live = read_value<std::vector<Application>>(
      *store_, [](Tx& tx) { return tx.live_applications_of(IdType::national_id, "9871234567"); });
  std::set<std::string> got;
  for (const auto& a : live) got.insert(a.id);
  std::set<std::string> want;
  for (auto state : core::kAllApplicationStates)
    if (core::is_live(state)) want.insert("mine-" + std::string(core::to_string(state)));
  EXPECT_EQ(got, want);

  auto by_passport = read_value<std::vector<Application>>(
      *store_, [](Tx& tx) { return tx.live_applications_of(IdType::passport, "9871234567"); });
  EXPECT_EQ(ids_of(by_passport), (std::vector<std::string>{"passport-same-number"}));
  EXPECT_TRUE(read_value<std::vector<Application>>(*store_, [](Tx& tx) {
                return tx.live_applications_of(IdType::national_id, "2000000000");
              }).empty());
}

TEST_P(StoreContract, ApplicationsByPhoneNewestFirstAtMostLimit) {
  std::int64_t c1 = insert_course(*store_, make_course("C1"));
  std::int64_t c2 = insert_course(*store_, make_course("C2"));
  Application oldest = make_application("oldest", c1, 1, ApplicationState::cancelled);
  Application middle = make_application("middle", c2, 2, ApplicationState::confirmed);
  Application newest = make_application("newest", c1, 3, ApplicationState::awaiting_quorum);
  oldest.created_at = t0;
  middle.created_at = t0 + kMinute;
  newest.created_at = t0 + kHour;
  Application stranger = make_application("stranger", c1, 4);
  stranger.applicant.phone = "+962781111111";
  insert_applications(*store_, {middle, stranger, newest, oldest});

  auto query = [&](std::string phone, std::size_t limit) {
    return ids_of(
        read_value<std::vector<Application>>(*store_, [&](Tx& tx) { return tx.applications_by_phone(phone, limit); }));
  };
  EXPECT_EQ(query("+962791234567", 10), (std::vector<std::string>{"newest", "middle", "oldest"}));
  EXPECT_EQ(query("+962791234567", 2), (std::vector<std::string>{"newest", "middle"}));
  EXPECT_EQ(query("+962781111111", 10), (std::vector<std::string>{"stranger"}));
  EXPECT_EQ(query("+962770000000", 10), (std::vector<std::string>{}));
}

TEST_P(StoreContract, ApplicationsSinceCountByPhoneAndByDocumentWithTheOldest) {
  std::int64_t c1 = insert_course(*store_, make_course("C1"));
  std::int64_t c2 = insert_course(*store_, make_course("C2"));
  // Any state counts: a cancelled application still cost an SMS.
  Application before = make_application("before", c1, 1, ApplicationState::cancelled);
  Application first = make_application("first", c2, 2, ApplicationState::cancelled);
  Application second = make_application("second", c1, 3, ApplicationState::awaiting_quorum);
  before.created_at = t0 - kHour;
  first.created_at = t0;
  second.created_at = t0 + kMinute;
  Application other_phone = make_application("other-phone", c2, 4);
  other_phone.applicant.phone = "+962781111111";
  other_phone.applicant.id_number = "2000000000";
  other_phone.created_at = t0 + kHour;
  Application passport = make_application("passport", c2, 5);
  passport.applicant.phone = "+962782222222";
  passport.applicant.id_type = IdType::passport;
  passport.created_at = t0 + kHour;
  insert_applications(*store_, {second, other_phone, before, passport, first});

  auto by_phone = [&](std::string phone, Instant since) {
    return read_value<store::RecentApplications>(*store_,
                                                 [&](Tx& tx) { return tx.applications_by_phone_since(phone, since); });
  };
  auto by_document = [&](IdType type, std::string number, Instant since) {
    return read_value<store::RecentApplications>(
        *store_, [&](Tx& tx) { return tx.applications_of_document_since(type, number, since); });
  };
  auto mine = by_phone("+962791234567", t0);
  EXPECT_EQ(mine.count, 2);
  EXPECT_EQ(mine.oldest, std::optional<Instant>(t0));
  EXPECT_EQ(by_phone("+962791234567", t0 - kHour).count, 3);
  auto none = by_phone("+962791234567", t0 + kHour);
  EXPECT_EQ(none.count, 0);
  EXPECT_FALSE(none.oldest.has_value());
  EXPECT_EQ(by_phone("+962781111111", t0).count, 1);

  auto document = by_document(IdType::national_id, "9871234567", t0);
  EXPECT_EQ(document.count, 2);  // the passport with the same number is another document
  EXPECT_EQ(document.oldest, std::optional<Instant>(t0));
  EXPECT_EQ(by_document(IdType::passport, "9871234567", t0).count, 1);
  EXPECT_EQ(by_document(IdType::national_id, "2000000000", t0 + kHour).count, 1);
  EXPECT_EQ(by_document(IdType::national_id, "3000000000", t0).count, 0);
}

TEST_P(StoreContract, BillsDueOldestFirstOnlyAwaitingPayment) {
  std::int64_t course = insert_course(*store_, make_course("PAID"));
  auto billed = [&](std::string id, std::int64_t seq, ApplicationState state, Instant due) {
    Application a = make_application(std::move(id), course, seq, state);
    a.bill = core::Bill{"4000000" + std::to_string(10 + seq), Fils{25000}, due - 3 * kDay, due};
    return a;
  };
  insert_applications(*store_, {
                                   billed("due-recently", 1, ApplicationState::awaiting_payment, t0 - kMinute),
                                   billed("due-long-ago", 2, ApplicationState::awaiting_payment, t0 - kDay),
                                   billed("due-now", 3, ApplicationState::awaiting_payment, t0),
                                   billed("due-later", 4, ApplicationState::awaiting_payment, t0 + kMinute),
                                   billed("paid", 5, ApplicationState::confirmed, t0 - 2 * kDay),
                                   billed("expired", 6, ApplicationState::expired, t0 - 2 * kDay),
                                   make_application("unbilled", course, 7, ApplicationState::awaiting_quorum),
                               });
  auto due = [&](Instant now, std::size_t limit) {
    return ids_of(read_value<std::vector<Application>>(*store_, [&](Tx& tx) { return tx.bills_due(now, limit); }));
  };
  EXPECT_EQ(due(t0, 10), (std::vector<std::string>{"due-long-ago", "due-recently", "due-now"}));
  EXPECT_EQ(due(t0, 2), (std::vector<std::string>{"due-long-ago", "due-recently"}));
  EXPECT_EQ(due(t0 - 2 * kDay, 10), (std::vector<std::string>{}));
  EXPECT_EQ(due(t0 + kHour, 10), (std::vector<std::string>{"due-long-ago", "due-recently", "due-now", "due-later"}));
}

// ---------------------------------------------------------------------------------------------
// History, passes, sequences

TEST_P(StoreContract, HistoryRoundTripsInOrder) {
  std::int64_t course = insert_course(*store_, make_course("C1"));
  insert_applications(*store_, {make_application("a-1", course, 1), make_application("a-2", course, 2)});
  std::vector<HistoryEntry> entries{
      {"a-1", t0, std::nullopt, ApplicationState::awaiting_quorum, "4", "received:sms"},
      {"a-1", t0 + kHour, ApplicationState::awaiting_quorum, ApplicationState::awaiting_exam, "6.3", "quorum"},
      // Same instant as the one before: insertion order still decides.
      {"a-1", t0 + kHour, ApplicationState::awaiting_exam, ApplicationState::awaiting_payment, "7.3.1",
       "exam_result:pass"},
  };
  HistoryEntry other{"a-2", t0, std::nullopt, ApplicationState::awaiting_quorum, "4", "received:web"};
  ASSERT_TRUE(store_
                  ->write_sync([&](Tx& tx) -> Status {
                    for (std::size_t i = 0; i < entries.size(); ++i) {
                      if (auto s = tx.add_history(entries[i]); !s) return s;
                      if (i == 0)
                        if (auto s = tx.add_history(other); !s) return s;
                    }
                    return ok_status();
                  })
                  .ok());
  auto got = read_value<std::vector<HistoryEntry>>(*store_, [](Tx& tx) { return tx.history("a-1"); });
  ASSERT_EQ(got.size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(got[i].application_id, entries[i].application_id);
    EXPECT_EQ(got[i].at, entries[i].at);
    EXPECT_EQ(got[i].from, entries[i].from);
    EXPECT_EQ(got[i].to, entries[i].to);
    EXPECT_EQ(got[i].step, entries[i].step);
    EXPECT_EQ(got[i].event, entries[i].event);
  }
  auto got_other = read_value<std::vector<HistoryEntry>>(*store_, [](Tx& tx) { return tx.history("a-2"); });
  ASSERT_EQ(got_other.size(), 1u);
  EXPECT_EQ(got_other[0].event, "received:web");
  EXPECT_TRUE(read_value<std::vector<HistoryEntry>>(*store_, [](Tx& tx) { return tx.history("none"); }).empty());
}

TEST_P(StoreContract, PassesAreKeptByDocumentAndPrerequisite) {
  auto has = [&](IdType type, std::string number, std::string prerequisite) {
    return read_value<bool>(*store_, [&](Tx& tx) { return tx.has_pass(type, number, prerequisite); });
  };
  EXPECT_FALSE(has(IdType::national_id, "9871234567", "computer-basics"));
  core::PrerequisitePass pass{IdType::national_id, "9871234567", "computer-basics", "exam"};
  ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.add_pass(pass, t0); }).ok());
  // Recording the same pass again (an operator confirms what the exam showed) is fine.
  core::PrerequisitePass again{IdType::national_id, "9871234567", "computer-basics", "operator"};
  ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.add_pass(again, t0 + kDay); }).ok());

  EXPECT_TRUE(has(IdType::national_id, "9871234567", "computer-basics"));
  EXPECT_FALSE(has(IdType::national_id, "9871234567", "excel-basics"));
  EXPECT_FALSE(has(IdType::national_id, "9871234568", "computer-basics"));
  EXPECT_FALSE(has(IdType::passport, "9871234567", "computer-basics"));
  reopen();
  EXPECT_TRUE(has(IdType::national_id, "9871234567", "computer-basics"));
}

TEST_P(StoreContract, SequencesGrowPerNameAndSurviveReopen) {
  std::vector<std::int64_t> application, billing;
  auto take = [&](std::string name, std::vector<std::int64_t>& into, int n) {
    ASSERT_TRUE(store_
                    ->write_sync([&](Tx& tx) -> Status {
                      for (int i = 0; i < n; ++i) {
                        auto v = tx.next_sequence(name);
                        if (!v) return v.error();
                        into.push_back(*v);
                      }
                      return ok_status();
                    })
                    .ok());
  };
  take("application", application, 3);
  take("billing", billing, 1);
  take("application", application, 1);
  reopen();
  take("application", application, 2);
  take("billing", billing, 1);
  ASSERT_EQ(application.size(), 6u);
  for (std::size_t i = 1; i < application.size(); ++i) EXPECT_GT(application[i], application[i - 1]);
  ASSERT_EQ(billing.size(), 2u);
  EXPECT_GT(billing[1], billing[0]);
  EXPECT_GT(application.front(), 0);
  EXPECT_GT(billing.front(), 0);
}

// ---------------------------------------------------------------------------------------------
// Outbox

TEST_P(StoreContract, OutboxClaimLeasesRowsUntilTheLeaseEnds) {
  OutboxMessage first = make_message("+962791234567", t0);
  first.segments = 2;
  first.step = "6.3";
  first.template_name = "exam_link";
  first.application_id = "app-7";
  std::int64_t m1 = enqueue(*store_, first);
  std::int64_t m2 = enqueue(*store_, make_message("+962791234568", t0 + kMinute));
  std::int64_t m3 = enqueue(*store_, make_message("+962791234569", t0 + kHour));
  EXPECT_LT(m1, m2);
  EXPECT_LT(m2, m3);

  auto claimed = store_->claim_outbox(10, t0 + kMinute, t0 + 2 * kMinute);
  ASSERT_TRUE(claimed.ok()) << claimed.error().message;
  ASSERT_EQ(claimed->size(), 2u);
  const OutboxMessage& c1 = (*claimed)[0].id == m1 ? (*claimed)[0] : (*claimed)[1];
  EXPECT_EQ(c1.id, m1);
  EXPECT_EQ(c1.application_id, "app-7");
  EXPECT_EQ(c1.to, "+962791234567");
  EXPECT_EQ(c1.text, first.text);
  EXPECT_EQ(c1.template_name, "exam_link");
  EXPECT_EQ(c1.language, Language::ar);
  EXPECT_EQ(c1.step, "6.3");
  EXPECT_EQ(c1.segments, 2);
  EXPECT_EQ(c1.created_at, t0);
  EXPECT_EQ(c1.status, "sending");
  EXPECT_EQ(c1.attempts, 0) << "attempts counts finished attempts";

  // Leased: nobody else gets them before the lease ends; m3 is not due yet.
  EXPECT_TRUE(claim_ids(*store_, 10, t0 + 2 * kMinute - std::chrono::seconds{1}, t0 + kHour).empty());
  // The lease ran out (the dispatcher died): they are claimed again.
  auto again = store_->claim_outbox(10, t0 + 2 * kMinute, t0 + 2 * kHour);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 2u);
  for (const auto& m : *again) EXPECT_EQ(m.attempts, 0) << "a lease that ran out is not an attempt";
  EXPECT_EQ(claim_ids(*store_, 10, t0 + kHour, t0 + 2 * kHour), (std::vector<std::int64_t>{m3}));
}

TEST_P(StoreContract, OutboxClaimTakesOldestDueFirstUpToLimit) {
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(enqueue(*store_, make_message("+96279000000" + std::to_string(i), t0)));
  auto first = claim_ids(*store_, 2, t0, t0 + kMinute);
  EXPECT_EQ(first, (std::vector<std::int64_t>{ids[0], ids[1]}));
  auto rest = claim_ids(*store_, 10, t0, t0 + kMinute);
  std::sort(rest.begin(), rest.end());
  EXPECT_EQ(rest, (std::vector<std::int64_t>{ids[2], ids[3], ids[4]}));
  EXPECT_TRUE(claim_ids(*store_, 10, t0, t0 + kMinute).empty());
}

TEST_P(StoreContract, OutboxLeaseIsRenewedOnlyWhileTheClaimStillHoldsTheRow) {
  using std::chrono::seconds;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(enqueue(*store_, make_message("+96279100000" + std::to_string(i), t0)));
  const std::int64_t a = ids[0], b = ids[1], c = ids[2], d = ids[3];
  const Instant l1 = t0 + seconds{60}, l2 = t0 + seconds{80}, l3 = t0 + seconds{140};
  ASSERT_EQ(claim_ids(*store_, 10, t0, l1).size(), 4u);

  auto renew = [&](std::vector<std::int64_t> of, Instant held, Instant until) {
    auto r = store_->renew_outbox_lease(of, held, until);
    EXPECT_TRUE(r.ok()) << r.error().message;
    std::vector<std::int64_t> kept = r.ok() ? *r : std::vector<std::int64_t>{};
    std::sort(kept.begin(), kept.end());
    return kept;
  };
  // A slow batch keeps its rows: renewed, they are not claimable when the first lease ends.
  EXPECT_EQ(renew(ids, l1, l2), ids);
  EXPECT_TRUE(claim_ids(*store_, 10, t0 + seconds{70}, t0 + seconds{130}).empty());
  // The claim's old lease no longer names them: the same renewal again holds nothing.
  EXPECT_TRUE(renew(ids, l1, t0 + seconds{90}).empty());
  // Rows that took an outcome are no longer the claim's to renew.
  ASSERT_TRUE(record_sent(*store_, b, "kannel", "m-b", t0 + seconds{10}).ok());
  ASSERT_TRUE(record_retry(*store_, c, "HTTP 503", t0 + seconds{500}).ok());
  // The lease ran out (the holder stalled): another dispatcher claims what is left, a and d.
  auto taken = claim_ids(*store_, 10, l2, l3);
  std::sort(taken.begin(), taken.end());
  EXPECT_EQ(taken, (std::vector<std::int64_t>{a, d}));
  EXPECT_TRUE(renew(ids, l2, t0 + seconds{100}).empty()) << "the old holder holds nothing now";
  EXPECT_EQ(renew({a, d}, l3, t0 + seconds{150}), (std::vector<std::int64_t>{a, d})) << "the new holder keeps them";

  // The old holder's verdicts: a retry or failure of a lost row changes nothing; a `sent` counts.
  SendOutcome late_retry{a, SendOutcome::Kind::retry, "kannel", "", "timed out", l2, l2 + seconds{5}, l2};
  ASSERT_TRUE(record_outcome(*store_, late_retry).ok());
  SendOutcome late_failure{c, SendOutcome::Kind::failed, "kannel", "", "HTTP 400", l2, {}, l2};
  ASSERT_TRUE(record_outcome(*store_, late_failure).ok());
  SendOutcome late_sent{d, SendOutcome::Kind::sent, "kannel", "m-d", "", l2, {}, l2};
  ASSERT_TRUE(record_outcome(*store_, late_sent).ok());
  auto row = [&](std::int64_t id) {
    auto r = store_->outbox_detail(id);
    EXPECT_TRUE(r.ok() && r->has_value());
    return r.ok() && r->has_value() ? (*r)->message : OutboxMessage{};
  };
  EXPECT_EQ(row(a).status, "sending");
  EXPECT_EQ(row(a).next_attempt_at, t0 + seconds{150});
  EXPECT_EQ(row(c).status, "pending") << "a row another verdict moved on is not failed by a stale one";
  EXPECT_EQ(row(d).status, "sent");
  EXPECT_EQ(row(d).provider_message_id, "m-d");
  // The holder's own verdict takes.
  SendOutcome own_retry{a, SendOutcome::Kind::retry, "kannel", "", "timed out", l3, l3 + seconds{5}, t0 + seconds{150}};
  ASSERT_TRUE(record_outcome(*store_, own_retry).ok());
  EXPECT_EQ(row(a).status, "pending");
  EXPECT_EQ(row(a).attempts, 1);
}

TEST_P(StoreContract, OutboxSentRetriedAndFailedMessages) {
  std::int64_t sent = enqueue(*store_, make_message("+962791111111", t0));
  std::int64_t retried = enqueue(*store_, make_message("+962792222222", t0));
  std::int64_t failed = enqueue(*store_, make_message("+962793333333", t0));
  ASSERT_EQ(claim_ids(*store_, 10, t0, t0 + kMinute).size(), 3u);

  ASSERT_TRUE(record_sent(*store_, sent, "kannel", "kannel-42", t0 + std::chrono::seconds{5}).ok());
  ASSERT_TRUE(record_retry(*store_, retried, "HTTP 503 from kannel", t0 + 10 * kMinute).ok());
  ASSERT_TRUE(record_failed(*store_, failed, "invalid destination", t0 + std::chrono::seconds{6}).ok());

  // Only the retried one comes back, and only when its retry time has come.
  EXPECT_TRUE(claim_ids(*store_, 10, t0 + 9 * kMinute, t0 + 20 * kMinute).empty());
  auto back = store_->claim_outbox(10, t0 + 10 * kMinute, t0 + 11 * kMinute);
  ASSERT_TRUE(back.ok());
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].id, retried);
  EXPECT_EQ((*back)[0].attempts, 1);
  EXPECT_EQ((*back)[0].last_error, "HTTP 503 from kannel");
  ASSERT_TRUE(record_sent(*store_, retried, "infobip", "ib-1", t0 + 10 * kMinute).ok());
  EXPECT_TRUE(claim_ids(*store_, 10, t0 + 100 * kDay, t0 + 101 * kDay).empty());

  // A late report about a message another dispatcher already sent does not take it back; unknown
  // ids are refused.
  EXPECT_TRUE(record_retry(*store_, sent, "late timeout", t0 + kHour).ok());
  EXPECT_TRUE(record_failed(*store_, sent, "late failure", t0 + kHour).ok());
  EXPECT_TRUE(claim_ids(*store_, 10, t0 + 100 * kDay, t0 + 101 * kDay).empty());
  EXPECT_FALSE(record_sent(*store_, 987654, "kannel", "x", t0).ok());
  EXPECT_FALSE(record_retry(*store_, 987654, "x", t0).ok());
  EXPECT_FALSE(record_failed(*store_, 987654, "x", t0).ok());

  auto figures = store_->outbox_figures();
  ASSERT_TRUE(figures.ok()) << figures.error().message;
  EXPECT_EQ(figure(figures->by_status, "sent"), 2);
  EXPECT_EQ(figure(figures->by_status, "failed"), 1);
  EXPECT_EQ(figure(figures->by_status, "pending"), 0);
  EXPECT_EQ(figure(figures->by_status, "sending"), 0);
  EXPECT_EQ(figure(figures->by_provider, "kannel"), 1);
  EXPECT_EQ(figure(figures->by_provider, "infobip"), 1);
  EXPECT_FALSE(figures->oldest_pending.has_value());
}

TEST_P(StoreContract, OutboxFiguresCountByStatusAndShowOldestPending) {
  auto empty = store_->outbox_figures();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->by_status.empty());
  EXPECT_TRUE(empty->by_provider.empty());
  EXPECT_FALSE(empty->oldest_pending.has_value());

  OutboxMessage older = make_message("+962791111111", t0 + kHour);
  older.created_at = t0 - kHour;  // created earlier, due later
  enqueue(*store_, older);
  enqueue(*store_, make_message("+962792222222", t0));
  enqueue(*store_, make_message("+962793333333", t0 + kDay));
  ASSERT_EQ(claim_ids(*store_, 1, t0, t0 + kMinute).size(), 1u);

  auto figures = store_->outbox_figures();
  ASSERT_TRUE(figures.ok());
  EXPECT_EQ(figure(figures->by_status, "pending"), 2);
  EXPECT_EQ(figure(figures->by_status, "sending"), 1);
  EXPECT_TRUE(figures->by_provider.empty());
  ASSERT_TRUE(figures->oldest_pending.has_value());
  EXPECT_EQ(*figures->oldest_pending, t0 - kHour);
}

// ---------------------------------------------------------------------------------------------
// Events and payments

TEST_P(StoreContract, RecordEventDedupesDurably) {
  auto fresh = record_event(*store_, "efawateercom", "trx-1", "paid 25.000 for 100000017");
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(*fresh);
  auto again = record_event(*store_, "efawateercom", "trx-1", "something else");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  auto other_source = record_event(*store_, "exam", "trx-1", "exam result");
  ASSERT_TRUE(other_source.ok());
  EXPECT_TRUE(*other_source);

  reopen();
  auto after = record_event(*store_, "efawateercom", "trx-1", "after restart");
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(*after);
  auto summary =
      read_value<std::optional<std::string>>(*store_, [](Tx& tx) { return tx.event_summary("efawateercom", "trx-1"); });
  EXPECT_EQ(summary, std::optional<std::string>("paid 25.000 for 100000017"));
  EXPECT_FALSE(
      read_value<std::optional<std::string>>(*store_, [](Tx& tx) { return tx.event_summary("efawateercom", "x"); }));
}

TEST_P(StoreContract, AnEventRecordedByAFailedCommandIsNotRemembered) {
  Status s = store_->write_sync([](Tx& tx) -> Status {
    auto r = tx.record_event("sms", "msg-1", "first try", t0);
    if (!r) return r.error();
    return Error{"illegal_transition", "refused after recording"};
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "illegal_transition");
  auto retry = record_event(*store_, "sms", "msg-1", "second try");
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(*retry);
}

TEST_P(StoreContract, PaymentsAreUniqueByTransaction) {
  PaymentRecord p = make_payment("JOEBPPS-1");
  ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.insert_payment(p); }).ok());
  PaymentRecord twin = make_payment("JOEBPPS-1");
  twin.paid = Fils{1};
  twin.outcome = "refund:expired";
  EXPECT_FALSE(store_->write_sync([&](Tx& tx) { return tx.insert_payment(twin); }).ok());

  auto got = read_value<std::optional<PaymentRecord>>(*store_, [](Tx& tx) { return tx.payment("JOEBPPS-1"); });
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->joebpps_trx, p.joebpps_trx);
  EXPECT_EQ(got->billing_number, p.billing_number);
  EXPECT_EQ(got->application_id, p.application_id);
  EXPECT_EQ(got->paid, p.paid);
  EXPECT_EQ(got->due, p.due);
  EXPECT_EQ(got->process_date, p.process_date);
  EXPECT_EQ(got->stmt_date, p.stmt_date);
  EXPECT_EQ(got->outcome, "applied");
  EXPECT_EQ(got->received_at, p.received_at);
  EXPECT_FALSE(read_value<std::optional<PaymentRecord>>(*store_, [](Tx& tx) { return tx.payment("JOEBPPS-2"); }));

  PaymentRecord unknown_bill = make_payment("JOEBPPS-2");
  unknown_bill.application_id.clear();
  unknown_bill.outcome = "refund:unknown";
  ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.insert_payment(unknown_bill); }).ok());
  auto got2 = read_value<std::optional<PaymentRecord>>(*store_, [](Tx& tx) { return tx.payment("JOEBPPS-2"); });
  ASSERT_TRUE(got2.has_value());
  EXPECT_EQ(got2->application_id, "");
}

TEST_P(StoreContract, ArabicTextRoundTripsExactly) {
  // Diacritics, tatweel, Arabic-Indic digits, ZWNJ, an RTL mark and a 4-byte emoji.
  const std::string title = "دورةُ الحاسوبِ الأساسيّة ـ المستوى ١";
  const std::string name = "عبدُ الرّحمن\u200cالحسيني \u200fأبو سمرة 👍";
  const std::string text = "تمت الموافقة على طلبك في دورة «مهارات الحاسوب» — الرسوم ٢٥٫٠٠٠ د.أ";
  Course c = make_course("دورة ١٠١");
  c.title.ar = title;
  c.id = insert_course(*store_, c);
  Application a = make_application("ar-1", c.id, 1);
  a.applicant.name = name;
  insert_applications(*store_, {a});
  OutboxMessage m = make_message("+962791234567", t0, text);
  enqueue(*store_, m);
  ASSERT_TRUE(store_
                  ->write_sync([&](Tx& tx) -> Status {
                    auto r = tx.record_event("sms", "رسالة-١", text, t0);
                    if (!r) return r.error();
                    return tx.add_history(
                        HistoryEntry{"ar-1", t0, std::nullopt, ApplicationState::awaiting_quorum, "4", "استلام"});
                  })
                  .ok());

  auto got_course = course_by_code(*store_, "دورة ١٠١");
  ASSERT_TRUE(got_course.has_value());
  EXPECT_EQ(got_course->title.ar, title);
  EXPECT_EQ(got_course->location, c.location);
  auto got_app = read_value<std::optional<Application>>(*store_, [](Tx& tx) { return tx.application("ar-1"); });
  ASSERT_TRUE(got_app.has_value());
  EXPECT_EQ(got_app->applicant.name, name);
  auto claimed = store_->claim_outbox(1, t0, t0 + kMinute);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ((*claimed)[0].text, text);
  EXPECT_EQ(read_value<std::optional<std::string>>(*store_, [](Tx& tx) { return tx.event_summary("sms", "رسالة-١"); }),
            std::optional<std::string>(text));
  auto history = read_value<std::vector<HistoryEntry>>(*store_, [](Tx& tx) { return tx.history("ar-1"); });
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].event, "استلام");
}

// ---------------------------------------------------------------------------------------------
// Transactions, batches, lifecycle

TEST_P(StoreContract, ReadSnapshotRefusesEveryWrite) {
  std::int64_t course = insert_course(*store_, make_course("C1"));
  Course c = make_course("C2");
  Application a = make_application("a-1", course, 1);
  std::vector<std::string> accepted;
  Status s = store_->read([&](Tx& tx) -> Status {
    if (tx.insert_course(c).ok()) accepted.push_back("insert_course");
    Course existing = make_course("C1");
    existing.id = course;
    existing.min_participants = 99;
    if (tx.save_course(existing).ok()) accepted.push_back("save_course");
    if (tx.insert_application(a).ok()) accepted.push_back("insert_application");
    if (tx.save_application(a).ok()) accepted.push_back("save_application");
    if (tx.next_sequence("application").ok()) accepted.push_back("next_sequence");
    if (tx.add_history(HistoryEntry{"a-1", t0, std::nullopt, ApplicationState::awaiting_quorum, "4", "x"}).ok())
      accepted.push_back("add_history");
    if (tx.add_pass(core::PrerequisitePass{IdType::national_id, "9871234567", "p", "exam"}, t0).ok())
      accepted.push_back("add_pass");
    if (tx.enqueue(make_message("+962791234567", t0)).ok()) accepted.push_back("enqueue");
    if (tx.record_event("sms", "k", "s", t0).ok()) accepted.push_back("record_event");
    if (tx.insert_payment(make_payment("T-1")).ok()) accepted.push_back("insert_payment");
    return ok_status();
  });
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_TRUE(accepted.empty()) << "accepted in a read: " << ::testing::PrintToString(accepted);
  EXPECT_FALSE(course_by_code(*store_, "C2"));
  EXPECT_EQ(course_by_code(*store_, "C1")->min_participants, 3);
  auto fresh = record_event(*store_, "sms", "k", "s");
  ASSERT_TRUE(fresh.ok());
  EXPECT_TRUE(*fresh);
}

TEST_P(StoreContract, ReadAndWriteReturnTheCommandsOwnError) {
  Status r = store_->read([](Tx&) -> Status { return Error{"not_found", "no such course"}; });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "not_found");
  Status w = store_->write_sync([](Tx&) -> Status { return Error{"illegal_transition", "no"}; });
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().code, "illegal_transition");
  EXPECT_EQ(w.error().message, "no");
}

TEST_P(StoreContract, DoneRunsAfterTheCommitSoAReadSeesTheWrite) {
  std::promise<bool> seen;
  store_->write(
      [](Tx& tx) -> Status {
        return tx.insert_course(make_course("VISIBLE")).ok() ? ok_status() : Error{"x", "x"};
      },
      [&](const Status& s) {
        bool found = false;
        if (s.ok()) found = course_by_code(*store_, "VISIBLE").has_value();
        seen.set_value(found);
      });
  EXPECT_TRUE(seen.get_future().get());
}

TEST_P(StoreContract, AFailingCommandInABatchIsRolledBackAlone) {
  // Hold the writer inside one command so the others queue up and are taken as one batch.
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<void> holding;
  store_->write(
      [&](Tx&) -> Status {
        holding.set_value();
        released.wait();
        return ok_status();
      },
      nullptr);
  holding.get_future().wait();

  constexpr int kWriters = 6;
  constexpr int kFailing = 3;
  std::vector<std::optional<Status>> results(kWriters);
  std::latch all_done(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      store_->write(
          [i](Tx& tx) -> Status {
            auto id = tx.insert_course(make_course("BATCH-" + std::to_string(i)));
            if (!id) return id.error();
            if (auto r = tx.record_event("batch", std::to_string(i), "written", t0); !r) return r.error();
            if (auto r = tx.next_sequence("batch-" + std::to_string(i)); !r) return r.error();
            if (i == kFailing) return Error{"illegal_transition", "refused after writing"};
            return ok_status();
          },
          [&, i](const Status& s) {
            results[i] = s;
            all_done.count_down();
          });
    });
  }
  for (auto& t : threads) t.join();  // every write() has queued its command
  release.set_value();
  all_done.wait();

  for (int i = 0; i < kWriters; ++i) {
    ASSERT_TRUE(results[i].has_value());
    if (i == kFailing) {
      ASSERT_FALSE(results[i]->ok());
      EXPECT_EQ(results[i]->error().code, "illegal_transition");
      EXPECT_FALSE(course_by_code(*store_, "BATCH-" + std::to_string(i)));
      auto fresh = record_event(*store_, "batch", std::to_string(i), "again");
      ASSERT_TRUE(fresh.ok());
      EXPECT_TRUE(*fresh) << "the failed command's event stayed";
    } else {
      EXPECT_TRUE(results[i]->ok()) << i << ": " << describe(*results[i]);
      EXPECT_TRUE(course_by_code(*store_, "BATCH-" + std::to_string(i)));
      auto fresh = record_event(*store_, "batch", std::to_string(i), "again");
      ASSERT_TRUE(fresh.ok());
      EXPECT_FALSE(*fresh);
    }
  }
}

TEST_P(StoreContract, CloseFinishesQueuedCommandsAndTheyAreDurable) {
  constexpr int kCommands = 100;
  std::atomic<int> ok{0}, failed{0};
  for (int i = 0; i < kCommands; ++i)
    store_->write([i](Tx& tx) { return tx.insert_payment(make_payment("CLOSE-" + std::to_string(i))); },
                  [&](const Status& s) { (s.ok() ? ok : failed)++; });
  store_->close();
  EXPECT_EQ(ok.load(), kCommands);
  EXPECT_EQ(failed.load(), 0);
  store_.reset();
  store_ = open_store();
  ASSERT_NE(store_, nullptr);
  for (int i = 0; i < kCommands; ++i)
    EXPECT_TRUE(read_value<std::optional<PaymentRecord>>(*store_, [i](Tx& tx) {
      return tx.payment("CLOSE-" + std::to_string(i));
    })) << i;
}

TEST_P(StoreContract, AfterCloseEverythingIsUnavailable) {
  store_->close();
  std::optional<Status> got;
  store_->write([](Tx& tx) { return tx.insert_payment(make_payment("LATE")); }, [&](const Status& s) { got = s; });
  ASSERT_TRUE(got.has_value()) << "done must run at once after close";
  ASSERT_FALSE(got->ok());
  EXPECT_EQ(got->error().code, "store_unavailable");

  Status sync = store_->write_sync([](Tx&) { return ok_status(); });
  ASSERT_FALSE(sync.ok());
  EXPECT_EQ(sync.error().code, "store_unavailable");
  Status read = store_->read([](Tx&) { return ok_status(); });
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, "store_unavailable");
  EXPECT_FALSE(store_->ping().ok());
  auto claimed = store_->claim_outbox(10, t0, t0 + kMinute);
  ASSERT_FALSE(claimed.ok());
  EXPECT_EQ(claimed.error().code, "store_unavailable");
  store_->close();  // twice is harmless
}

TEST_P(StoreContract, ConcurrentWritersAllCommitExactlyOnce) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  constexpr int kTotal = kThreads * kPerThread;
  std::vector<std::atomic<int>> done_calls(kTotal);
  std::vector<std::int64_t> sequence_of(kTotal, 0);  // each slot written by its own command only
  std::atomic<int> failures{0};
  std::latch all_done(kTotal);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        int n = t * kPerThread + i;
        store_->write(
            [&, n](Tx& tx) -> Status {
              auto v = tx.next_sequence("concurrent");
              if (!v) return v.error();
              sequence_of[n] = *v;
              PaymentRecord p = make_payment("C-" + std::to_string(n));
              p.outcome = std::to_string(*v);
              return tx.insert_payment(p);
            },
            [&, n](const Status& s) {
              if (!s.ok()) failures++;
              done_calls[n]++;
              all_done.count_down();
            });
      }
    });
  }
  for (auto& t : threads) t.join();
  all_done.wait();
  EXPECT_EQ(failures.load(), 0);
  for (int n = 0; n < kTotal; ++n) ASSERT_EQ(done_calls[n].load(), 1) << n;

  std::set<std::int64_t> distinct;
  Status s = store_->read([&](Tx& tx) -> Status {
    for (int n = 0; n < kTotal; ++n) {
      auto p = tx.payment("C-" + std::to_string(n));
      if (!p) return p.error();
      if (!*p) return Error{"missing", "payment C-" + std::to_string(n)};
      if ((*p)->outcome != std::to_string(sequence_of[n])) return Error{"mismatch", "payment C-" + std::to_string(n)};
      distinct.insert(sequence_of[n]);
    }
    return ok_status();
  });
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kTotal)) << "a sequence value was handed out twice";
}

// ---------------------------------------------------------------------------------------------
// --- payments: reconciliation by statement day, open bills ---

TEST_P(StoreContract, PaymentsByStatementDayInOrderWithTotals) {
  auto pay = [](std::string trx, std::string stmt, std::int64_t fils, std::string outcome, Instant received) {
    PaymentRecord p = make_payment(std::move(trx));
    p.stmt_date = std::move(stmt);
    p.paid = Fils{fils};
    p.outcome = std::move(outcome);
    p.received_at = received;
    return p;
  };
  std::vector<PaymentRecord> all{
      pay("T-late", "2026-11-25", 25000, "applied", t0 + kHour),
      pay("T-early", "2026-11-25", 35000, "applied", t0),
      pay("T-refund", "2026-11-25", 20000, "refund:expired", t0 + kMinute),
      pay("T-before", "2026-11-24", 45500, "applied", t0 - kDay),
      pay("T-next-month", "2026-12-01", 10000, "applied", t0 + 6 * kDay),
      pay("T-last-day", "2026-11-30", 15000, "refund:wrong_amount", t0 + 5 * kDay),
  };
  ASSERT_TRUE(store_
                  ->write_sync([&](Tx& tx) -> Status {
                    for (const auto& p : all)
                      if (auto s = tx.insert_payment(p); !s) return s;
                    return ok_status();
                  })
                  .ok());
  auto range = [&](std::string from, std::string to, std::size_t limit) {
    auto rows = read_value<std::vector<PaymentRecord>>(
        *store_, [&](Tx& tx) { return tx.payments_by_stmt_date(from, to, limit); });
    std::vector<std::string> trx;
    for (const auto& p : rows) trx.push_back(p.joebpps_trx);
    return trx;
  };
  // Both ends inclusive; within a day by arrival.
  EXPECT_EQ(range("2026-11-25", "2026-11-30", 0),
            (std::vector<std::string>{"T-early", "T-refund", "T-late", "T-last-day"}));
  EXPECT_EQ(range("2026-11-24", "2026-11-25", 2), (std::vector<std::string>{"T-before", "T-early"}));
  EXPECT_EQ(range("2026-11-26", "2026-11-29", 0), (std::vector<std::string>{}));
  EXPECT_EQ(range("2026-11-25", "2026-11-24", 0), (std::vector<std::string>{}));
  auto one = read_value<std::vector<PaymentRecord>>(
      *store_, [](Tx& tx) { return tx.payments_by_stmt_date("2026-11-24", "2026-11-24", 0); });
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].paid, Fils{45500});
  EXPECT_EQ(one[0].outcome, "applied");
  EXPECT_EQ(one[0].received_at, t0 - kDay);

  auto totals = read_value<std::vector<PaymentTotal>>(
      *store_, [](Tx& tx) { return tx.payment_totals("2026-11-25", "2026-11-30"); });
  ASSERT_EQ(totals.size(), 3u);
  EXPECT_EQ(totals[0].stmt_date, "2026-11-25");
  EXPECT_EQ(totals[0].outcome, "applied");
  EXPECT_EQ(totals[0].count, 2);
  EXPECT_EQ(totals[0].paid, Fils{60000});
  EXPECT_EQ(totals[1].stmt_date, "2026-11-25");
  EXPECT_EQ(totals[1].outcome, "refund:expired");
  EXPECT_EQ(totals[1].count, 1);
  EXPECT_EQ(totals[1].paid, Fils{20000});
  EXPECT_EQ(totals[2].stmt_date, "2026-11-30");
  EXPECT_EQ(totals[2].outcome, "refund:wrong_amount");
  EXPECT_EQ(totals[2].paid, Fils{15000});
  EXPECT_TRUE(read_value<std::vector<PaymentTotal>>(*store_, [](Tx& tx) {
                return tx.payment_totals("2027-01-01", "2027-12-31");
              }).empty());
}

TEST_P(StoreContract, OpenBillsAreTheUnpaidOnesOldestDueFirst) {
  std::int64_t course = insert_course(*store_, make_course("PAID"));
  auto billed = [&](std::string id, std::int64_t seq, ApplicationState state, Instant due, std::int64_t fils) {
    Application a = make_application(std::move(id), course, seq, state);
    a.bill = core::Bill{"5000000" + std::to_string(10 + seq), Fils{fils}, due - 3 * kDay, due};
    return a;
  };
  auto totals = [&] { return read_value<OpenBillTotals>(*store_, [](Tx& tx) { return tx.open_bill_totals(); }); };
  EXPECT_EQ(totals().count, 0);
  EXPECT_EQ(totals().due, Fils{0});
  insert_applications(*store_, {
                                   billed("due-later", 1, ApplicationState::awaiting_payment, t0 + kDay, 25000),
                                   billed("due-sooner", 2, ApplicationState::awaiting_payment, t0, 35500),
                                   billed("overdue", 3, ApplicationState::awaiting_payment, t0 - kHour, 10000),
                                   billed("paid", 4, ApplicationState::confirmed, t0, 25000),
                                   billed("expired", 5, ApplicationState::expired, t0 - kDay, 25000),
                                   billed("cancelled", 6, ApplicationState::cancelled, t0, 25000),
                                   make_application("unbilled", course, 7, ApplicationState::awaiting_quorum),
                               });
  auto open = [&](std::size_t limit) {
    return read_value<std::vector<Application>>(*store_, [&](Tx& tx) { return tx.open_bills(limit); });
  };
  EXPECT_EQ(ids_of(open(0)), (std::vector<std::string>{"overdue", "due-sooner", "due-later"}));
  EXPECT_EQ(ids_of(open(1)), (std::vector<std::string>{"overdue"}));
  ASSERT_TRUE(open(0)[1].bill.has_value());
  EXPECT_EQ(open(0)[1].bill->amount, Fils{35500});
  EXPECT_EQ(totals().count, 3);
  EXPECT_EQ(totals().due, Fils{70500});
}

// ---------------------------------------------------------------------------------------------
// SMS/USSD conversation

InboundMessage inbound(std::string provider, std::string id, std::string from, Instant at) {
  return InboundMessage{std::move(provider), std::move(id), std::move(from), "+962790000000", "دورات", at, "processed"};
}

Result<bool> record_inbound(Store& store, const InboundMessage& m) {
  bool fresh = false;
  Status s = store.write_sync([&](Tx& tx) -> Status {
    auto r = tx.record_inbound(m);
    if (!r) return r.error();
    fresh = *r;
    return ok_status();
  });
  if (!s) return s.error();
  return fresh;
}

TEST_P(StoreContract, InboundMessagesAreDeduplicatedPerProviderDurably) {
  auto first = record_inbound(*store_, inbound("kannel", "a1", "+962791234567", t0));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(*first);
  auto again = record_inbound(*store_, inbound("kannel", "a1", "+962791234567", t0 + kMinute));
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  auto other_provider = record_inbound(*store_, inbound("twilio", "a1", "+962791234567", t0));
  ASSERT_TRUE(other_provider.ok());
  EXPECT_TRUE(*other_provider);
  reopen();
  auto after = record_inbound(*store_, inbound("kannel", "a1", "+962791234567", t0 + kHour));
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(*after);
}

TEST_P(StoreContract, SessionsAreReplacedByKeyAndPurgedByPrefixAndAge) {
  auto save = [&](SessionRecord r) {
    Status s = store_->write_sync([&](Tx& tx) { return tx.save_session(r); });
    ASSERT_TRUE(s.ok()) << describe(s);
  };
  auto get = [&](std::string key) {
    return read_value<std::optional<SessionRecord>>(*store_, [&](Tx& tx) { return tx.session(key); });
  };
  EXPECT_FALSE(get("sms:+962791234567").has_value());
  save({"sms:+962791234567", R"({"step":"ask_name","name":"سارة"})", t0});
  save({"ussd:ATUid_1%_", "first", t0});
  save({"ussd:ATUid_2", "old", t0 - kHour});
  save({"ussd:ATUid_1%_", "second", t0 + kMinute});  // replaces
  reopen();
  auto s = get("sms:+962791234567");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->state, R"({"step":"ask_name","name":"سارة"})");
  EXPECT_EQ(s->updated_at, t0);
  auto u = get("ussd:ATUid_1%_");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->state, "second");
  EXPECT_EQ(u->updated_at, t0 + kMinute);

  std::int64_t removed = 0;
  Status d = store_->write_sync([&](Tx& tx) -> Status {
    auto r = tx.delete_sessions_before("ussd:", t0);
    if (!r) return r.error();
    removed = *r;
    return ok_status();
  });
  ASSERT_TRUE(d.ok()) << describe(d);
  EXPECT_EQ(removed, 1);
  EXPECT_FALSE(get("ussd:ATUid_2").has_value());
  EXPECT_TRUE(get("ussd:ATUid_1%_").has_value());
  EXPECT_TRUE(get("sms:+962791234567").has_value());  // another prefix, however old
}

TEST_P(StoreContract, OptOutIsSetClearedAndDurable) {
  auto opted = [&](std::string phone) {
    return read_value<bool>(*store_, [&](Tx& tx) { return tx.opted_out(phone); });
  };
  auto set = [&](std::string phone, bool value) {
    Status s = store_->write_sync([&](Tx& tx) { return tx.set_opted_out(phone, value, t0); });
    ASSERT_TRUE(s.ok()) << describe(s);
  };
  EXPECT_FALSE(opted("+962791234567"));
  set("+962791234567", true);
  set("+962791234567", true);  // twice is still once
  EXPECT_TRUE(opted("+962791234567"));
  EXPECT_FALSE(opted("+962781111111"));
  reopen();
  EXPECT_TRUE(opted("+962791234567"));
  set("+962791234567", false);
  EXPECT_FALSE(opted("+962791234567"));
  set("+962781111111", false);  // clearing what is not set is fine
  EXPECT_FALSE(opted("+962781111111"));
}

// --- outbound delivery ---

OutboxDetail detail_of(Store& store, std::int64_t id) {
  auto d = store.outbox_detail(id);
  EXPECT_TRUE(d.ok()) << d.error().message;
  EXPECT_TRUE(d.ok() && d->has_value()) << "no outbox row " << id;
  return d.ok() && d->has_value() ? **d : OutboxDetail{};
}

// SPEC §3: after STOP nothing more goes to the number. What was queued for it and is still
// pending is withdrawn as STOP is recorded; what a dispatcher holds, other numbers' messages and
// what is queued after (the confirmation of STOP) are not touched.
TEST_P(StoreContract, OptOutWithdrawsWhatIsStillPendingForTheNumber) {
  const std::string phone = "+962791234567";
  std::int64_t in_flight = enqueue(*store_, make_message(phone, t0));
  ASSERT_EQ(claim_ids(*store_, 10, t0, t0 + kMinute), (std::vector<std::int64_t>{in_flight}));
  std::int64_t pending = enqueue(*store_, make_message(phone, t0));
  std::int64_t retrying = enqueue(*store_, make_message(phone, t0));
  ASSERT_EQ(claim_ids(*store_, 10, t0, t0 + kMinute), (std::vector<std::int64_t>{pending, retrying}));
  ASSERT_TRUE(record_retry(*store_, retrying, "HTTP 503 from kannel", t0 + kHour).ok());
  ASSERT_TRUE(record_retry(*store_, pending, "HTTP 503 from kannel", t0).ok());
  std::int64_t other = enqueue(*store_, make_message("+962781111111", t0));

  std::int64_t confirmation = 0;
  Status s = store_->write_sync([&](Tx& tx) -> Status {
    if (auto r = tx.set_opted_out(phone, true, t0 + kMinute); !r) return r;
    auto id = tx.enqueue(make_message(phone, t0 + kMinute));
    if (!id) return id.error();
    confirmation = *id;
    return ok_status();
  });
  ASSERT_TRUE(s.ok()) << describe(s);

  EXPECT_EQ(detail_of(*store_, pending).message.status, "failed");
  EXPECT_EQ(detail_of(*store_, pending).message.last_error.rfind("opted_out", 0), 0u)
      << detail_of(*store_, pending).message.last_error;
  EXPECT_EQ(detail_of(*store_, retrying).message.status, "failed");
  EXPECT_EQ(detail_of(*store_, in_flight).message.status, "sending");
  EXPECT_EQ(detail_of(*store_, other).message.status, "pending");
  auto due = claim_ids(*store_, 10, t0 + 2 * kHour, t0 + 3 * kHour);
  std::sort(due.begin(), due.end());
  EXPECT_EQ(due, (std::vector<std::int64_t>{in_flight, other, confirmation}));
}

ChannelLogEntry log_entry(std::int64_t id, std::string outcome, int http_status) {
  ChannelLogEntry e;
  e.outbox_id = id;
  e.provider = "kannel";
  e.request = "GET http://smsbox/cgi-bin/sendsms?username=gw&password=****&text=%D8%AA";
  e.response = "HTTP " + std::to_string(http_status) + "\n0: Accepted for delivery";
  e.http_status = http_status;
  e.outcome = std::move(outcome);
  e.elapsed_ms = 12;
  e.at = t0;
  return e;
}

TEST_P(StoreContract, SendOutcomesMoveOnlyUnsentRowsAndKeepTheChannelLog) {
  auto sent = enqueue(*store_, make_message("+962791234567", t0));
  auto retry = enqueue(*store_, make_message("+962791234568", t0));
  auto failed = enqueue(*store_, make_message("+962791234569", t0));
  ASSERT_EQ(claim_ids(*store_, 10, t0, t0 + kMinute).size(), 3u);
  std::vector<SendOutcome> outcomes{
      {sent, SendOutcome::Kind::sent, "twilio", "SM1", "", t0 + std::chrono::seconds(1), {}},
      {retry, SendOutcome::Kind::retry, "", "", "kannel: HTTP 503: Sending failed.", t0, t0 + kMinute},
      {failed, SendOutcome::Kind::failed, "", "", "kannel: HTTP 400: Missing receiver number", t0, {}}};
  std::vector<ChannelLogEntry> log{log_entry(retry, "temporary", 503), log_entry(sent, "accepted", 202),
                                   log_entry(retry, "temporary", 0), log_entry(failed, "permanent", 400)};
  Status s = store_->record_send_outcomes(outcomes, log);
  ASSERT_TRUE(s.ok()) << describe(s);
  reopen();
  auto a = detail_of(*store_, sent);
  EXPECT_EQ(a.message.status, "sent");
  EXPECT_EQ(a.message.attempts, 1);
  EXPECT_EQ(a.message.provider, "twilio");
  EXPECT_EQ(a.message.provider_message_id, "SM1");
  EXPECT_EQ(a.done_at, t0 + std::chrono::seconds(1));
  ASSERT_EQ(a.channel_log.size(), 1u);
  EXPECT_EQ(a.channel_log[0].outcome, "accepted");
  EXPECT_EQ(a.channel_log[0].http_status, 202);
  EXPECT_EQ(a.channel_log[0].request, "GET http://smsbox/cgi-bin/sendsms?username=gw&password=****&text=%D8%AA");
  EXPECT_EQ(a.channel_log[0].elapsed_ms, 12);
  auto b = detail_of(*store_, retry);
  EXPECT_EQ(b.message.status, "pending");
  EXPECT_EQ(b.message.attempts, 1);
  EXPECT_EQ(b.message.next_attempt_at, t0 + kMinute);
  EXPECT_EQ(b.message.last_error, "kannel: HTTP 503: Sending failed.");
  ASSERT_EQ(b.channel_log.size(), 2u);  // oldest first
  EXPECT_EQ(b.channel_log[0].http_status, 503);
  EXPECT_EQ(b.channel_log[1].http_status, 0);
  auto c = detail_of(*store_, failed);
  EXPECT_EQ(c.message.status, "failed");
  EXPECT_EQ(c.message.last_error, "kannel: HTTP 400: Missing receiver number");

  // What a provider accepted is never sent again: a late retry or failure changes nothing, and
  // the row is not due.
  std::vector<SendOutcome> late{{sent, SendOutcome::Kind::retry, "", "", "late", t0, t0},
                                {failed, SendOutcome::Kind::sent, "kannel", "", "", t0, {}}};
  s = store_->record_send_outcomes(late, {});
  ASSERT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(detail_of(*store_, sent).message.status, "sent");
  EXPECT_EQ(detail_of(*store_, sent).message.attempts, 1);
  EXPECT_EQ(detail_of(*store_, failed).message.status, "failed");
  EXPECT_EQ(claim_ids(*store_, 10, t0 + kHour, t0 + 2 * kHour), std::vector<std::int64_t>{retry});
  // An unknown row is an error, and the whole batch is rolled back with it.
  std::vector<SendOutcome> unknown{{retry, SendOutcome::Kind::sent, "kannel", "", "", t0, {}},
                                   {999999, SendOutcome::Kind::failed, "", "", "x", t0, {}}};
  s = store_->record_send_outcomes(unknown, {});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "outbox_not_found");
  EXPECT_EQ(detail_of(*store_, retry).message.status, "sending");
}

TEST_P(StoreContract, DeliveryReportsAreFiledByProviderIdOrOutboxIdAndOnlyMoveForward) {
  auto twilio = enqueue(*store_, make_message("+962791234567", t0));
  auto kannel = enqueue(*store_, make_message("+962791234568", t0));
  ASSERT_EQ(claim_ids(*store_, 1, t0, t0 + kMinute).size(), 1u);  // twilio's row
  std::vector<SendOutcome> sent{{twilio, SendOutcome::Kind::sent, "twilio", "SM1", "", t0, {}}};
  ASSERT_TRUE(store_->record_send_outcomes(sent, {}).ok());
  auto report = [&](std::string provider, std::int64_t id, std::string message_id, std::string status,
                    std::string code = "") {
    DeliveryReport r;
    r.provider = std::move(provider);
    r.outbox_id = id;
    r.provider_message_id = std::move(message_id);
    r.status = std::move(status);
    r.error_code = std::move(code);
    r.detail = r.status + " (as the provider said it)";
    r.at = t0 + kMinute;
    auto found = store_->record_delivery(r);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() && *found;
  };
  EXPECT_TRUE(report("twilio", 0, "SM1", "queued"));
  EXPECT_EQ(detail_of(*store_, twilio).delivery_status, "queued");
  EXPECT_TRUE(report("twilio", 0, "SM1", "delivered"));
  EXPECT_TRUE(report("twilio", 0, "SM1", "sent"));             // late: does not go back
  EXPECT_TRUE(report("twilio", 0, "SM1", "failed", "30003"));  // after delivered: stays delivered
  auto d = detail_of(*store_, twilio);
  EXPECT_EQ(d.message.status, "delivered");
  EXPECT_EQ(d.delivery_status, "delivered");
  EXPECT_EQ(d.delivery_error, "");
  EXPECT_EQ(d.delivery_at, t0 + kMinute);
  ASSERT_EQ(d.reports.size(), 4u);  // every report is kept, in arrival order
  EXPECT_EQ(d.reports[0].status, "queued");
  EXPECT_EQ(d.reports[3].status, "failed");
  EXPECT_EQ(d.reports[3].error_code, "30003");
  EXPECT_EQ(d.reports[3].provider_message_id, "SM1");

  // Unknown: not found, nothing written. The same id under another provider is another message.
  EXPECT_FALSE(report("twilio", 0, "SM404", "delivered"));
  EXPECT_FALSE(report("infobip", 0, "SM1", "delivered"));
  EXPECT_FALSE(report("kannel", 999999, "", "delivered"));
  EXPECT_EQ(detail_of(*store_, twilio).reports.size(), 4u);

  // Kannel's report names our outbox id. On a row never recorded as sent (still pending) it
  // proves a provider has it: the row becomes sent and is not claimed again.
  EXPECT_TRUE(report("kannel", kannel, "", "sent"));
  auto k = detail_of(*store_, kannel);
  EXPECT_EQ(k.message.status, "sent");
  EXPECT_EQ(k.message.provider, "kannel");
  EXPECT_TRUE(claim_ids(*store_, 10, t0 + kHour, t0 + 2 * kHour).empty());
  EXPECT_TRUE(report("kannel", kannel, "", "failed", "16"));
  reopen();
  k = detail_of(*store_, kannel);
  EXPECT_EQ(k.message.status, "failed");
  EXPECT_EQ(k.delivery_status, "failed");
  EXPECT_EQ(k.delivery_error, "16");
  EXPECT_NE(k.message.last_error.find("16"), std::string::npos) << k.message.last_error;

  // A report whose provider id is not on record yet finds the row by the outbox id it carries
  // (Infobip's callbackData) and fills the id in.
  auto infobip = enqueue(*store_, make_message("+962791234569", t0));
  EXPECT_TRUE(report("infobip", infobip, "ib-77", "sent"));
  EXPECT_EQ(detail_of(*store_, infobip).message.provider_message_id, "ib-77");
  EXPECT_TRUE(report("infobip", 0, "ib-77", "delivered"));
  EXPECT_EQ(detail_of(*store_, infobip).message.status, "delivered");

  DeliveryReport bad;
  bad.provider = "twilio";
  bad.provider_message_id = "SM1";
  bad.status = "read";
  auto refused = store_->record_delivery(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "invalid_report");
}

TEST_P(StoreContract, OutboxDetailOfAnUnknownRowIsNothing) {
  auto d = store_->outbox_detail(424242);
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_FALSE(d->has_value());
  auto id = enqueue(*store_, make_message("+962791234567", t0));
  auto row = detail_of(*store_, id);
  EXPECT_EQ(row.message.status, "pending");
  EXPECT_EQ(row.delivery_status, "");
  EXPECT_FALSE(row.done_at.has_value());
  EXPECT_TRUE(row.reports.empty());
  EXPECT_TRUE(row.channel_log.empty());
}

}  // namespace
}  // namespace cg::store::testing
