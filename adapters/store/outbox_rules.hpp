// The outbox's rules, decided without a database (as core/enrollment decides transitions): the
// store reads the row, asks these functions, and writes what they say. Shared by every backend.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "adapters/store/store.hpp"

namespace cg::store {

// What a dispatcher's send outcome does to its row (Tx::apply_send_outcome). Only a row still
// pending or sending takes an outcome: what a provider accepted (sent, delivered) stays accepted
// and a failed row is not sent again. A `sent` outcome for a row a delivery report moved on first
// only fills in its provider and provider message id where they are empty. A retry or failed
// outcome given with the lease the dispatcher holds the row by (SendOutcome::held_until) takes
// only while the row is still `sending` under that lease: once the lease ran out the row is the
// next holder's to decide.
enum class SendOutcomeEffect {
  take,              // the outcome's status, attempts + 1, and its fields
  fill_in_provider,  // provider and provider_message_id where still empty, nothing else
  none,              // nothing changes (and it is not an error: the dispatcher carries on)
};
SendOutcomeEffect decide_send_outcome(std::string_view row_status, SendOutcome::Kind kind);
SendOutcomeEffect decide_send_outcome(std::string_view row_status, Instant row_lease, const SendOutcome& o);

// Whether an operator's resend takes on an outbox row (Tx::resend_failed_sms). Only a failed row is
// resent, and only once: a row resent before (resent_as set) is `already`, and a second click
// changes nothing. A number that sent STOP gets nothing but the confirmation of STOP (SPEC §3).
enum class ResendDecision { resend, already, not_failed, opted_out };
ResendDecision decide_resend(std::string_view row_status, std::int64_t resent_as, bool number_opted_out);

// The row that sends `failed` again: the same message, number and cause (application, step, request
// id), pending and due at `now` with no attempts, provider or error yet. A new row rather than the
// failed one reset: the failed row keeps its own attempts, channel log and delivery reports, a
// late report for its provider message id still finds it and not the new one, and the file
// adapter (which knows the ids it wrote) does not take the new one for a repeat.
OutboxMessage resend_copy(const OutboxMessage& failed, Instant now);

// The delivery fields of an outbox row, before and after a delivery report.
struct DeliveryRow {
  std::string status{};           // pending, sending, sent, delivered, failed
  std::string delivery_status{};  // the furthest report so far: "", queued, sent, delivered, failed
  std::string delivery_error{};
  std::optional<Instant> delivery_at{};
  std::string last_error{};
  std::string provider{};
  std::string provider_message_id{};
  std::optional<Instant> done_at{};

  bool operator==(const DeliveryRow&) const = default;
};

// A report's status is one of queued, sent, delivered, failed; else "invalid_report".
Status check_delivery_report(const DeliveryReport& r);

// The row after report `r` (checked). The row moves forward only: any report on a pending or
// sending row proves a provider accepted it (-> sent, so it is not sent again); delivered ->
// delivered; failed -> failed unless delivered. delivery_status keeps the furthest report
// (queued < sent < delivered/failed), and delivery_error and delivery_at follow it. done_at is
// set once, by the first report that finishes the row.
DeliveryRow apply_delivery_report(const DeliveryRow& row, const DeliveryReport& r);

// The console's simulator: a range of test numbers (console.simulator.test_range) whose SMS are
// never handed to a provider. Whatever put a row in the outbox (a conversation reply, a card
// notification sent days later, an operator's resend), the dispatcher checks every claimed row
// with `contains` before any provider sees it and completes a test number's row itself as
// delivered by the provider "simulator" (simulator_delivery). Both ends are E.164 of one length;
// a number is in the range when it has that length and lies between them, digit by digit.
inline constexpr std::string_view kSimulatorProvider = "simulator";

struct TestRange {
  std::string from;  // empty: no range
  std::string to;

  bool contains(std::string_view phone) const;
  // How many numbers (0 for none).
  std::int64_t size() const;
  // The n-th number (0-based, n < size()).
  std::string at(std::int64_t n) const;
  bool operator==(const TestRange&) const = default;
};

// The delivery report that completes a test number's row: delivered, by the simulator.
DeliveryReport simulator_delivery(const OutboxMessage& row, Instant at);

}  // namespace cg::store
