// The column lists both backends read and write, in bind order, so SQLite and MySQL map rows to
// the domain the same way. Table definitions stay with each backend's migrations.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/domain.hpp"

namespace cg::store::columns {

constexpr std::array<std::string_view, 26> kCourseColumns{
    "id",
    "code",
    "title_ar",
    "title_en",
    "location",
    "start_at",
    "end_at",
    "decision_at",
    "min_participants",
    "capacity",
    "fee_fils",
    "prerequisite",
    "exam_url",
    "evaluation_url",
    "status",
    "quorum_reached",
    "reminder_sent",
    // One tally column per state, in core::kAllApplicationStates order.
    "tally_awaiting_quorum",
    "tally_awaiting_exam",
    "tally_awaiting_payment",
    "tally_confirmed",
    "tally_waitlisted",
    "tally_rejected_exam",
    "tally_expired",
    "tally_cancelled",
    "tally_attended",
};
constexpr std::size_t kFirstTallyColumn = 17;
static_assert(kCourseColumns.size() == kFirstTallyColumn + core::kApplicationStateCount);

constexpr std::array<std::string_view, 18> kApplicationColumns{
    "id",
    "course_id",
    "seq",
    "phone",
    "name",
    "id_type",
    "id_number",
    "nationality",
    "language",
    "channel",
    "state",
    "created_at",
    "updated_at",
    "exam_token",
    "billing_number",
    "bill_amount_fils",
    "bill_issued_at",
    "bill_due_at",
};

constexpr std::array<std::string_view, 16> kOutboxColumns{
    "id",         "application_id", "to_number", "text",     "template_name",   "language", "step",
    "segments",   "created_at",     "status",    "attempts", "next_attempt_at", "provider", "provider_message_id",
    "last_error", "request_id",
};

constexpr std::array<std::string_view, 9> kPaymentColumns{
    "joebpps_trx",  "billing_number", "application_id", "paid_fils",   "due_fils",
    "process_date", "stmt_date",      "outcome",        "received_at",
};

// "a, b, c", or with `table` "t.a, t.b, t.c" (a join where two tables have a column of one name).
template <std::size_t N>
std::string column_list(const std::array<std::string_view, N>& columns, std::string_view table = {}) {
  std::string out;
  for (auto c : columns) {
    if (!out.empty()) out += ", ";
    if (!table.empty()) out.append(table).append(".");
    out += c;
  }
  return out;
}

}  // namespace cg::store::columns
