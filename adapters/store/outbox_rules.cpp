#include "adapters/store/outbox_rules.hpp"

#include <optional>

namespace cg::store {

SendOutcomeEffect decide_send_outcome(std::string_view row_status, SendOutcome::Kind kind) {
  if (row_status == "pending" || row_status == "sending") return SendOutcomeEffect::take;
  // A message already sent (by another dispatcher after this one's lease ran out, or shown by a
  // delivery report) stays as it is; a late `sent` still says who has it.
  if (kind == SendOutcome::Kind::sent) return SendOutcomeEffect::fill_in_provider;
  return SendOutcomeEffect::none;
}

SendOutcomeEffect decide_send_outcome(std::string_view row_status, Instant row_lease, const SendOutcome& o) {
  if (o.held_until && o.kind != SendOutcome::Kind::sent && (row_status != "sending" || row_lease != *o.held_until))
    return SendOutcomeEffect::none;
  return decide_send_outcome(row_status, o.kind);
}

ResendDecision decide_resend(std::string_view row_status, std::int64_t resent_as, bool number_opted_out) {
  if (row_status != "failed") return ResendDecision::not_failed;
  if (resent_as != 0) return ResendDecision::already;
  if (number_opted_out) return ResendDecision::opted_out;
  return ResendDecision::resend;
}

OutboxMessage resend_copy(const OutboxMessage& failed, Instant now) {
  OutboxMessage m;
  m.application_id = failed.application_id;
  m.to = failed.to;
  m.text = failed.text;
  m.template_name = failed.template_name;
  m.language = failed.language;
  m.step = failed.step;
  m.segments = failed.segments;
  m.request_id = failed.request_id;
  m.created_at = now;
  m.next_attempt_at = now;
  m.status = "pending";
  return m;
}

Status check_delivery_report(const DeliveryReport& r) {
  if (r.status == "queued" || r.status == "sent" || r.status == "delivered" || r.status == "failed") return ok_status();
  return Error{"invalid_report", "delivery report status '" + r.status + "' is not queued, sent, delivered or failed"};
}

namespace {

int rank(std::string_view delivery_status) {
  if (delivery_status.empty()) return 0;
  if (delivery_status == "queued") return 1;
  if (delivery_status == "sent") return 2;
  return 3;  // delivered, failed: final
}

}  // namespace

DeliveryRow apply_delivery_report(const DeliveryRow& row, const DeliveryReport& r) {
  DeliveryRow out = row;
  const bool unsent = row.status == "pending" || row.status == "sending";
  bool finishes = false;
  if (r.status == "delivered") {
    out.status = "delivered";
    finishes = true;
  } else if (r.status == "failed" && row.status != "delivered") {
    out.status = "failed";
    finishes = true;
  } else if (unsent) {
    out.status = "sent";  // a provider has it: it must not be sent again
    finishes = true;
  }
  if (finishes && !out.done_at) out.done_at = r.at;
  if (rank(r.status) > rank(row.delivery_status)) {
    out.delivery_status = r.status;
    out.delivery_error = r.status == "failed" ? r.error_code : std::string();
    out.delivery_at = r.at;
  }
  if (out.status == "failed" && row.status != "failed")
    out.last_error = "delivery report: " + r.detail + (r.error_code.empty() ? "" : " (error " + r.error_code + ")");
  if (out.provider.empty()) out.provider = r.provider;
  if (out.provider_message_id.empty()) out.provider_message_id = r.provider_message_id;
  return out;
}

namespace {

// The digits after '+', as a number; nullopt for anything else or more digits than fit.
std::optional<std::int64_t> e164_digits(std::string_view phone) {
  if (phone.size() < 2 || phone.size() > 17 || phone[0] != '+') return std::nullopt;
  std::int64_t n = 0;
  for (char c : phone.substr(1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

bool TestRange::contains(std::string_view phone) const {
  if (from.empty() || phone.size() != from.size()) return false;
  auto n = e164_digits(phone);
  auto lo = e164_digits(from);
  auto hi = e164_digits(to);
  return n && lo && hi && *lo <= *n && *n <= *hi;
}

std::int64_t TestRange::size() const {
  auto lo = e164_digits(from);
  auto hi = e164_digits(to);
  if (!lo || !hi || *hi < *lo || from.size() != to.size()) return 0;
  return *hi - *lo + 1;
}

std::string TestRange::at(std::int64_t n) const {
  std::string digits = std::to_string(e164_digits(from).value_or(0) + n);
  // Same length as `from`: its leading zeros after the country code are kept.
  const std::size_t width = from.size() - 1;
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return "+" + digits;
}

DeliveryReport simulator_delivery(const OutboxMessage& row, Instant at) {
  return DeliveryReport{std::string(kSimulatorProvider),
                        row.id,
                        "simulator-" + std::to_string(row.id),
                        "delivered",
                        "",
                        "delivered to the console's simulator; no provider was asked",
                        at};
}

}  // namespace cg::store
