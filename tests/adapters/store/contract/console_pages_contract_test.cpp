// The store contract for the console's Course and Application pages (store.hpp, "operator
// console"): a course's applicants paged by seq, filtered and searched; an application's SMS with
// their delivery, and its payments. On every backend.
#include <optional>

#include "tests/adapters/store/contract/contract.hpp"

namespace cg::store::testing {
namespace {

const Instant t0{std::chrono::seconds{1'790'000'000}};
constexpr std::chrono::seconds kHour{3600};
using core::ApplicationState;

std::int64_t add_course(Store& store, const std::string& code) {
  core::Course c;
  c.code = code;
  c.title = {"دورة", "Course"};
  c.location = "Amman";
  c.start_at = t0 + 240 * kHour;
  c.end_at = t0 + 250 * kHour;
  c.decision_at = c.start_at;
  c.fee = core::Fils{5000};
  c.evaluation_url = "https://example.org/e";
  std::int64_t id = 0;
  EXPECT_TRUE(store
                  .write_sync([&](Tx& tx) -> Status {
                    auto r = tx.insert_course(c);
                    if (!r) return r.error();
                    id = *r;
                    return ok_status();
                  })
                  .ok());
  return id;
}

core::Application add_application(Store& store, std::int64_t course, std::int64_t seq, std::string name,
                                  std::string phone, std::string number, ApplicationState state) {
  core::Application a;
  a.id = "a" + std::to_string(seq);
  a.course_id = course;
  a.seq = seq;
  a.applicant = {std::move(phone),  std::move(name), core::IdType::national_id, std::move(number), "JO",
                 core::Language::ar};
  a.channel = "web";
  a.state = state;
  a.created_at = t0;
  a.updated_at = t0;
  if (state == ApplicationState::awaiting_payment)
    a.bill = core::Bill{"77000" + std::to_string(seq), core::Fils{5000}, t0, t0 + 48 * kHour};
  EXPECT_TRUE(store.write_sync([&](Tx& tx) { return tx.insert_application(a); }).ok());
  return a;
}

std::vector<std::int64_t> seqs(const std::vector<core::Application>& apps) {
  std::vector<std::int64_t> out;
  for (const auto& a : apps) out.push_back(a.seq);
  return out;
}

ApplicantQuery query(std::int64_t course, std::int64_t after = 0, std::size_t limit = 50,
                     std::optional<ApplicationState> state = std::nullopt, std::string search = "",
                     std::string phone = "") {
  ApplicantQuery q;
  q.course_id = course;
  q.after_seq = after;
  q.limit = limit;
  q.state = state;
  q.search_phone = phone.empty() ? search : phone;
  q.search = std::move(search);
  return q;
}

class Applicants {
 public:
  explicit Applicants(Store& store) : store_(store) {}
  std::vector<std::int64_t> operator()(const ApplicantQuery& q) {
    return seqs(read_value<std::vector<core::Application>>(store_, [&](Tx& tx) { return tx.course_applicants(q); }));
  }

 private:
  Store& store_;
};

TEST_P(StoreContract, CourseApplicantsArePagedBySeqFilteredAndSearched) {
  std::int64_t course = add_course(*store_, "101");
  std::int64_t other = add_course(*store_, "102");
  add_application(*store_, course, 3, "سارة أحمد", "+962790000003", "9900000003", ApplicationState::confirmed);
  add_application(*store_, course, 1, "Omar Khalid", "+962790000001", "9900000001", ApplicationState::cancelled);
  add_application(*store_, course, 5, "ليلى سارة", "+962790000005", "9900000005", ApplicationState::awaiting_payment);
  add_application(*store_, course, 4, "Ahmad 100%", "+962790000004", "9900000004", ApplicationState::confirmed);
  add_application(*store_, other, 2, "سارة أحمد", "+962790000003", "9900000003", ApplicationState::confirmed);
  Applicants list(*store_);

  // Arrival order, one course only, paged by the last seq shown.
  EXPECT_EQ(list(query(course)), (std::vector<std::int64_t>{1, 3, 4, 5}));
  EXPECT_EQ(list(query(course, 0, 2)), (std::vector<std::int64_t>{1, 3}));
  EXPECT_EQ(list(query(course, 3, 2)), (std::vector<std::int64_t>{4, 5}));
  EXPECT_EQ(list(query(course, 5, 2)), (std::vector<std::int64_t>{}));
  // By card state, and paged within it.
  EXPECT_EQ(list(query(course, 0, 50, ApplicationState::confirmed)), (std::vector<std::int64_t>{3, 4}));
  EXPECT_EQ(list(query(course, 3, 50, ApplicationState::confirmed)), (std::vector<std::int64_t>{4}));
  // A name containing the text (Arabic too), or exactly a phone, document or billing number.
  auto search = [&](std::string text, std::string phone = "") {
    return list(query(course, 0, 50, std::nullopt, std::move(text), std::move(phone)));
  };
  EXPECT_EQ(search("سارة"), (std::vector<std::int64_t>{3, 5}));
  EXPECT_EQ(search("Khalid"), (std::vector<std::int64_t>{1}));
  EXPECT_EQ(search("0791", "+962790000004"), (std::vector<std::int64_t>{4}));
  EXPECT_EQ(search("9900000005"), (std::vector<std::int64_t>{5}));
  EXPECT_EQ(search("770005"), (std::vector<std::int64_t>{5}));
  EXPECT_EQ(search("99000000"), (std::vector<std::int64_t>{})) << "numbers match whole, not in part";
  // '%' and '_' are plain characters, not patterns.
  EXPECT_EQ(search("%"), (std::vector<std::int64_t>{4}));
  EXPECT_EQ(search("_"), (std::vector<std::int64_t>{}));
  EXPECT_EQ(list(query(course, 0, 10, ApplicationState::confirmed, "سارة")), (std::vector<std::int64_t>{3}));

  // The same filters counted, whatever the page.
  auto count = [&](const ApplicantQuery& q) {
    return read_value<std::int64_t>(*store_, [&](Tx& tx) { return tx.count_course_applicants(q); });
  };
  EXPECT_EQ(count(query(course, 3, 1)), 4);
  EXPECT_EQ(count(query(course, 0, 50, ApplicationState::confirmed)), 2);
  EXPECT_EQ(count(query(course, 0, 50, std::nullopt, "سارة")), 2);
  EXPECT_EQ(count(query(course, 0, 50, ApplicationState::confirmed, "سارة")), 1);
  EXPECT_EQ(count(query(course, 0, 50, std::nullopt, "0791", "+962790000004")), 1);
  EXPECT_EQ(count(query(other + 100)), 0);
}

TEST_P(StoreContract, AnApplicationsMessagesComeWithTheirDeliveryAndItsPaymentsAlone) {
  std::int64_t course = add_course(*store_, "101");
  auto mine =
      add_application(*store_, course, 1, "Sara", "+962790000001", "9900000001", ApplicationState::awaiting_payment);
  auto theirs =
      add_application(*store_, course, 2, "Omar", "+962790000002", "9900000002", ApplicationState::awaiting_payment);
  auto enqueue = [&](const core::Application& a, std::string step) {
    OutboxMessage m;
    m.application_id = a.id;
    m.to = a.applicant.phone;
    m.text = "text " + step;
    m.template_name = "payment_due";
    m.step = std::move(step);
    m.created_at = t0;
    m.next_attempt_at = t0;
    std::int64_t id = 0;
    EXPECT_TRUE(store_
                    ->write_sync([&](Tx& tx) -> Status {
                      auto r = tx.enqueue(m);
                      if (!r) return r.error();
                      id = *r;
                      return ok_status();
                    })
                    .ok());
    return id;
  };
  std::int64_t first = enqueue(mine, "4");
  std::int64_t other = enqueue(theirs, "4");
  std::int64_t second = enqueue(mine, "7.1");
  ASSERT_TRUE(store_->claim_outbox(10, t0, t0 + kHour).ok());
  std::vector<SendOutcome> outcomes{SendOutcome{first, SendOutcome::Kind::sent, "kannel", "k-1", "", t0, {}},
                                    SendOutcome{other, SendOutcome::Kind::sent, "kannel", "k-2", "", t0, {}}};
  std::vector<ChannelLogEntry> log{ChannelLogEntry{first, "kannel", "GET /cgi-bin/sendsms?to=%2B962790000001",
                                                   "202 Accepted", 202, "accepted", 15, t0, "req-1"}};
  ASSERT_TRUE(store_->record_send_outcomes(outcomes, log).ok());
  ASSERT_TRUE(
      store_->record_delivery(DeliveryReport{"kannel", first, "k-1", "delivered", "", "DELIVRD", t0 + kHour}).ok());
  PaymentRecord p{"trx-1",      "770001",  mine.id,   core::Fils{5000}, core::Fils{5000}, "2026-12-07T10:00:00",
                  "2026-12-07", "applied", t0 + kHour};
  ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.insert_payment(p); }).ok());

  auto messages =
      read_value<std::vector<OutboxDetail>>(*store_, [&](Tx& tx) { return tx.application_messages(mine.id, 10); });
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].message.id, first);
  EXPECT_EQ(messages[0].message.status, "delivered");
  EXPECT_EQ(messages[0].message.provider, "kannel");
  EXPECT_EQ(messages[0].delivery_status, "delivered");
  ASSERT_EQ(messages[0].reports.size(), 1u);
  EXPECT_EQ(messages[0].reports[0].detail, "DELIVRD");
  ASSERT_EQ(messages[0].channel_log.size(), 1u);
  EXPECT_EQ(messages[0].channel_log[0].http_status, 202);
  EXPECT_EQ(messages[1].message.id, second);
  EXPECT_EQ(messages[1].message.step, "7.1");
  EXPECT_TRUE(messages[1].channel_log.empty());
  EXPECT_EQ(read_value<std::vector<OutboxDetail>>(*store_, [&](Tx& tx) { return tx.application_messages(mine.id, 1); })
                .size(),
            1u);

  auto paid = read_value<std::vector<PaymentRecord>>(*store_, [&](Tx& tx) { return tx.application_payments(mine.id); });
  ASSERT_EQ(paid.size(), 1u);
  EXPECT_EQ(paid[0].joebpps_trx, "trx-1");
  EXPECT_EQ(paid[0].paid.value, 5000);
  EXPECT_TRUE(read_value<std::vector<PaymentRecord>>(*store_, [&](Tx& tx) {
                return tx.application_payments(theirs.id);
              }).empty());
}

TEST_P(StoreContract, PaymentsOfADayArePagedByArrivalThenTransaction) {
  auto pay = [&](std::string trx, const std::string& day, Instant at, std::string outcome) {
    PaymentRecord p{std::move(trx),     "770001", "a1", core::Fils{5000}, core::Fils{5000}, day + "T10:00:00", day,
                    std::move(outcome), at};
    ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.insert_payment(p); }).ok());
  };
  // Two at the same second: the transaction id breaks the tie, so paging neither repeats nor skips.
  pay("trx-b", "2026-12-07", t0 + kHour, "applied");
  pay("trx-a", "2026-12-07", t0 + kHour, "refund:expired");
  pay("trx-c", "2026-12-07", t0, "applied");
  pay("trx-d", "2026-12-08", t0, "applied");
  auto page = [&](Instant after, const std::string& trx, std::size_t limit) {
    std::vector<std::string> out;
    for (const auto& p : read_value<std::vector<DayPayment>>(
             *store_, [&](Tx& tx) { return tx.payments_of_day("2026-12-07", after, trx, limit); }))
      out.push_back(p.payment.joebpps_trx);
    return out;
  };
  EXPECT_EQ(page(Instant{}, "", 10), (std::vector<std::string>{"trx-c", "trx-a", "trx-b"}));
  EXPECT_EQ(page(Instant{}, "", 2), (std::vector<std::string>{"trx-c", "trx-a"}));
  EXPECT_EQ(page(t0 + kHour, "trx-a", 2), (std::vector<std::string>{"trx-b"}));
  EXPECT_TRUE(page(t0 + kHour, "trx-b", 2).empty());
}

TEST_P(StoreContract, OpenBillsAreSoonestDueFirstPagedByKey) {
  std::int64_t course = add_course(*store_, "301");
  auto bill = [&](std::int64_t seq, Instant due, ApplicationState state) {
    core::Application a;
    a.id = "b" + std::to_string(seq);
    a.course_id = course;
    a.seq = seq;
    a.applicant = {"+96279000000" + std::to_string(seq), "N",  core::IdType::national_id,
                   "99" + std::to_string(seq),           "JO", core::Language::ar};
    a.channel = "web";
    a.state = state;
    a.created_at = t0;
    a.updated_at = t0;
    a.bill = core::Bill{"88000" + std::to_string(seq), core::Fils{5000}, t0, due};
    ASSERT_TRUE(store_->write_sync([&](Tx& tx) { return tx.insert_application(a); }).ok());
  };
  bill(1, t0 + 3 * kHour, ApplicationState::awaiting_payment);
  bill(2, t0 + kHour, ApplicationState::awaiting_payment);
  bill(3, t0 + kHour, ApplicationState::awaiting_payment);
  bill(4, t0, ApplicationState::confirmed);  // paid: not open
  auto page = [&](Instant after, std::int64_t seq, std::size_t limit) {
    return seqs(read_value<std::vector<core::Application>>(
        *store_, [&](Tx& tx) { return tx.open_bills_after(after, seq, limit); }));
  };
  EXPECT_EQ(page(Instant{}, 0, 10), (std::vector<std::int64_t>{2, 3, 1}));
  EXPECT_EQ(page(Instant{}, 0, 1), (std::vector<std::int64_t>{2}));
  EXPECT_EQ(page(t0 + kHour, 2, 10), (std::vector<std::int64_t>{3, 1}));
  EXPECT_TRUE(page(t0 + 3 * kHour, 1, 10).empty());
}

TEST_P(StoreContract, TheSimulatorReadsOneNumbersMessagesAndRepliesByKey) {
  auto inbound = [&](std::string provider, std::string id, std::string from, Instant at) {
    InboundMessage m{std::move(provider), std::move(id), std::move(from), "simulator", "JOIN 101", at, "processed"};
    ASSERT_TRUE(store_
                    ->write_sync([&](Tx& tx) -> Status {
                      auto r = tx.record_inbound(m);
                      if (!r) return r.error();
                      return ok_status();
                    })
                    .ok());
  };
  inbound("simulator", "s1", "+962780000001", t0);
  inbound("kannel", "k1", "+962780000001", t0);  // another provider: not the simulator's
  inbound("simulator", "s2", "+962780000002", t0);
  inbound("simulator", "s3", "+962780000001", t0 + kHour);
  auto messages = [&](std::int64_t after, std::size_t limit) {
    return read_value<std::vector<InboundRecord>>(
        *store_, [&](Tx& tx) { return tx.inbound_from("simulator", "+962780000001", after, limit); });
  };
  auto all = messages(0, 10);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].message.provider_message_id, "s1");
  EXPECT_EQ(all[0].message.from, "+962780000001");
  EXPECT_EQ(all[0].message.received_at, t0);
  EXPECT_EQ(all[1].message.provider_message_id, "s3");
  EXPECT_LT(all[0].id, all[1].id);
  ASSERT_EQ(messages(0, 1).size(), 1u);
  auto rest = messages(all[0].id, 10);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].message.provider_message_id, "s3");
  EXPECT_TRUE(messages(all[1].id, 10).empty());

  EXPECT_EQ(read_value<std::int64_t>(*store_, [&](Tx& tx) { return tx.outbox_last_id(); }), 0);
  std::vector<std::int64_t> ids;
  for (const char* to : {"+962780000001", "+962780000002", "+962780000001"}) {
    OutboxMessage m;
    m.to = to;
    m.text = "Reply";
    m.template_name = "sms_help";
    m.step = "conversation";
    m.created_at = t0;
    m.next_attempt_at = t0;
    std::int64_t id = 0;  // set by the command's last run
    ASSERT_TRUE(store_
                    ->write_sync([&](Tx& tx) -> Status {
                      auto r = tx.enqueue(m);
                      if (!r) return r.error();
                      id = *r;
                      return ok_status();
                    })
                    .ok());
    ids.push_back(id);
  }
  auto replies = [&](std::int64_t after, std::size_t limit) {
    std::vector<std::int64_t> out;
    for (const auto& m : read_value<std::vector<OutboxMessage>>(
             *store_, [&](Tx& tx) { return tx.outbox_to("+962780000001", after, limit); })) {
      EXPECT_EQ(m.to, "+962780000001");
      EXPECT_EQ(m.template_name, "sms_help");
      out.push_back(m.id);
    }
    return out;
  };
  EXPECT_EQ(replies(0, 10), (std::vector<std::int64_t>{ids[0], ids[2]}));
  EXPECT_EQ(replies(0, 1), (std::vector<std::int64_t>{ids[0]}));
  EXPECT_EQ(replies(ids[0], 10), (std::vector<std::int64_t>{ids[2]}));
  EXPECT_TRUE(replies(ids[2], 10).empty());
  EXPECT_EQ(read_value<std::int64_t>(*store_, [&](Tx& tx) { return tx.outbox_last_id(); }), ids[2]);
}

}  // namespace

}  // namespace cg::store::testing
