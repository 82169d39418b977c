// The outbox's rules (adapters/store/outbox_rules.hpp), table-driven: every row status against every
// send outcome and every delivery report status.
#include "adapters/store/outbox_rules.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace cg::store {
namespace {

using Kind = SendOutcome::Kind;
using Effect = SendOutcomeEffect;

const Instant t0{std::chrono::seconds{1'790'000'000}};
const Instant t1 = t0 + std::chrono::seconds{30};

constexpr std::array<const char*, 5> kRowStatuses{"pending", "sending", "sent", "delivered", "failed"};

TEST(SendOutcomeRule, OnlyAnUnsentRowTakesAnOutcome) {
  struct Case {
    const char* row;
    Kind kind;
    Effect want;
  };
  const Case cases[] = {
      {"pending", Kind::sent, Effect::take},
      {"pending", Kind::retry, Effect::take},
      {"pending", Kind::failed, Effect::take},
      {"sending", Kind::sent, Effect::take},
      {"sending", Kind::retry, Effect::take},
      {"sending", Kind::failed, Effect::take},
      // Accepted by a provider (or shown by a delivery report): a late `sent` says who has it.
      {"sent", Kind::sent, Effect::fill_in_provider},
      {"sent", Kind::retry, Effect::none},
      {"sent", Kind::failed, Effect::none},
      {"delivered", Kind::sent, Effect::fill_in_provider},
      {"delivered", Kind::retry, Effect::none},
      {"delivered", Kind::failed, Effect::none},
      // A failed row (a failed report, an opt-out) is never sent again.
      {"failed", Kind::sent, Effect::fill_in_provider},
      {"failed", Kind::retry, Effect::none},
      {"failed", Kind::failed, Effect::none},
  };
  static_assert(std::size(cases) == kRowStatuses.size() * 3);
  for (const auto& c : cases)
    EXPECT_EQ(decide_send_outcome(c.row, c.kind), c.want) << c.row << " / " << static_cast<int>(c.kind);
}

DeliveryReport report(std::string status, std::string error_code = "") {
  DeliveryReport r;
  r.provider = "kannel";
  r.provider_message_id = "k-1";
  r.status = std::move(status);
  r.error_code = std::move(error_code);
  r.detail = "words";
  r.at = t1;
  return r;
}

TEST(DeliveryReportRule, OnlyKnownStatusesAreReports) {
  for (auto s : {"queued", "sent", "delivered", "failed"}) EXPECT_TRUE(check_delivery_report(report(s)).ok()) << s;
  for (auto s : {"", "DELIVRD", "expired"}) {
    auto r = check_delivery_report(report(s));
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_EQ(r.error().code, "invalid_report");
  }
}

TEST(DeliveryReportRule, TheRowOnlyMovesForward) {
  struct Case {
    const char* row;
    const char* report;
    const char* want_status;
    bool finishes;  // sets done_at (when the row had none)
  };
  const Case cases[] = {
      // Any report on an unsent row proves a provider has it: sent, so it is not sent again.
      {"pending", "queued", "sent", true},
      {"pending", "sent", "sent", true},
      {"pending", "delivered", "delivered", true},
      {"pending", "failed", "failed", true},
      {"sending", "queued", "sent", true},
      {"sending", "sent", "sent", true},
      {"sending", "delivered", "delivered", true},
      {"sending", "failed", "failed", true},
      {"sent", "queued", "sent", false},
      {"sent", "sent", "sent", false},
      {"sent", "delivered", "delivered", true},
      {"sent", "failed", "failed", true},
      // Delivered is final: a failed report after it changes nothing of the status.
      {"delivered", "queued", "delivered", false},
      {"delivered", "sent", "delivered", false},
      {"delivered", "delivered", "delivered", true},
      {"delivered", "failed", "delivered", false},
      // A provider may report delivered after a failure it reported first.
      {"failed", "queued", "failed", false},
      {"failed", "sent", "failed", false},
      {"failed", "delivered", "delivered", true},
      {"failed", "failed", "failed", true},
  };
  static_assert(std::size(cases) == kRowStatuses.size() * 4);
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.row) + " + " + c.report);
    DeliveryRow row{.status = c.row, .last_error = "before"};
    DeliveryRow after = apply_delivery_report(row, report(c.report, "E42"));
    EXPECT_EQ(after.status, c.want_status);
    EXPECT_EQ(after.done_at, c.finishes ? std::optional<Instant>(t1) : std::nullopt);
    // last_error says why only when this report is what failed the row.
    bool failed_now = after.status == "failed" && row.status != "failed";
    EXPECT_EQ(after.last_error, failed_now ? "delivery report: words (error E42)" : "before");
    // Who sent it is filled in when the row did not know.
    EXPECT_EQ(after.provider, "kannel");
    EXPECT_EQ(after.provider_message_id, "k-1");
  }
}

TEST(DeliveryReportRule, DeliveryStatusKeepsTheFurthestReport) {
  constexpr std::array<const char*, 5> kDeliveryStatuses{"", "queued", "sent", "delivered", "failed"};
  constexpr std::array<const char*, 4> kReports{"queued", "sent", "delivered", "failed"};
  auto rank = [](std::string_view s) { return s.empty() ? 0 : s == "queued" ? 1 : s == "sent" ? 2 : 3; };
  for (auto before : kDeliveryStatuses) {
    for (auto status : kReports) {
      SCOPED_TRACE(std::string(before) + " + " + status);
      DeliveryRow row{.status = "sent",
                      .delivery_status = before,
                      .delivery_error = "old",
                      .delivery_at = t0,
                      .provider = "infobip",
                      .provider_message_id = "ib-9",
                      .done_at = t0};
      DeliveryRow after = apply_delivery_report(row, report(status, "E42"));
      const bool further = rank(status) > rank(before);
      EXPECT_EQ(after.delivery_status, further ? status : before);
      // delivery_error and delivery_at follow delivery_status.
      EXPECT_EQ(after.delivery_error, further ? (std::string(status) == "failed" ? "E42" : "") : "old");
      EXPECT_EQ(after.delivery_at, further ? t1 : t0);
      // done_at is kept from the first report that finished the row; provider ids are not overwritten.
      EXPECT_EQ(after.done_at, t0);
      EXPECT_EQ(after.provider, "infobip");
      EXPECT_EQ(after.provider_message_id, "ib-9");
    }
  }
}

TEST(ResendRule, OnlyAFailedRowNotResentBeforeToANumberThatDidNotStopIsResent) {
  for (const char* status : kRowStatuses) {
    const bool failed = std::string(status) == "failed";
    EXPECT_EQ(decide_resend(status, 0, false), failed ? ResendDecision::resend : ResendDecision::not_failed) << status;
    EXPECT_EQ(decide_resend(status, 0, true), failed ? ResendDecision::opted_out : ResendDecision::not_failed)
        << status;
    EXPECT_EQ(decide_resend(status, 42, false), failed ? ResendDecision::already : ResendDecision::not_failed)
        << status;
  }
  // Resent before STOP came: the second click still answers what the first did.
  EXPECT_EQ(decide_resend("failed", 42, true), ResendDecision::already);
}

TEST(ResendRule, TheCopyIsTheSameMessagePendingAndDueNowWithNothingOfTheFailedSending) {
  OutboxMessage failed;
  failed.id = 7;
  failed.application_id = "a1";
  failed.to = "+962790000001";
  failed.text = "hello";
  failed.template_name = "approved";
  failed.language = core::Language::en;
  failed.step = "6.1";
  failed.segments = 2;
  failed.created_at = t0;
  failed.status = "failed";
  failed.attempts = 8;
  failed.next_attempt_at = t0;
  failed.provider = "kannel";
  failed.provider_message_id = "k-1";
  failed.last_error = "HTTP 400";
  failed.request_id = "req-1";
  const OutboxMessage copy = resend_copy(failed, t1);
  EXPECT_EQ(copy.id, 0);
  EXPECT_EQ(copy.application_id, "a1");
  EXPECT_EQ(copy.to, "+962790000001");
  EXPECT_EQ(copy.text, "hello");
  EXPECT_EQ(copy.template_name, "approved");
  EXPECT_EQ(copy.language, core::Language::en);
  EXPECT_EQ(copy.step, "6.1");
  EXPECT_EQ(copy.segments, 2);
  EXPECT_EQ(copy.request_id, "req-1");
  EXPECT_EQ(copy.created_at, t1);
  EXPECT_EQ(copy.next_attempt_at, t1);
  EXPECT_EQ(copy.status, "pending");
  EXPECT_EQ(copy.attempts, 0);
  EXPECT_TRUE(copy.provider.empty());
  EXPECT_TRUE(copy.provider_message_id.empty());
  EXPECT_TRUE(copy.last_error.empty());
}

}  // namespace
}  // namespace cg::store
