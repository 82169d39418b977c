#include "adapters/store/sql/rows.hpp"

#include "adapters/observe/log.hpp"
#include "adapters/store/sql/columns.hpp"

namespace cg::store::sql {

Error corrupt(std::string_view table, std::string_view column, std::string_view value) {
  return Error{"store_error", "unreadable row in " + std::string(table) + ": " + std::string(column) + " = '" +
                                  std::string(value) + "'"};
}

Result<core::Course> course_from_row(const Statement& st) {
  core::Course c;
  c.id = st.int64(0);
  c.code = st.text(1);
  c.title.ar = st.text(2);
  c.title.en = st.text(3);
  c.location = st.text(4);
  c.start_at = instant(st.int64(5));
  c.end_at = instant(st.int64(6));
  c.decision_at = instant(st.int64(7));
  c.min_participants = static_cast<int>(st.int64(8));
  if (auto capacity = st.optional_int64(9)) c.capacity = static_cast<int>(*capacity);
  c.fee = core::Fils{st.int64(10)};
  c.prerequisite = st.optional_text(11);
  c.exam_url = st.text(12);
  c.evaluation_url = st.text(13);
  std::string status = st.text(14);
  if (!core::parse_course_status(status, c.status)) return corrupt("courses", "status", status);
  c.quorum_reached = st.int64(15) != 0;
  c.reminder_sent = st.int64(16) != 0;
  for (std::size_t i = 0; i < core::kApplicationStateCount; ++i)
    c.tally.by_state[i] = static_cast<int>(st.int64(static_cast<int>(columns::kFirstTallyColumn + i)));
  return c;
}

void bind_course_fields(Binder& b, const core::Course& c) {
  b.add(c.code).add(c.title.ar).add(c.title.en).add(c.location);
  b.add(seconds(c.start_at)).add(seconds(c.end_at)).add(seconds(c.decision_at));
  b.add(std::int64_t{c.min_participants});
  if (c.capacity)
    b.add(std::int64_t{*c.capacity});
  else
    b.null();
  b.add(c.fee.value).add(c.prerequisite).add(c.exam_url).add(c.evaluation_url).add(core::to_string(c.status));
  b.add(std::int64_t{c.quorum_reached ? 1 : 0}).add(std::int64_t{c.reminder_sent ? 1 : 0});
  for (std::size_t i = 0; i < core::kApplicationStateCount; ++i) b.add(std::int64_t{c.tally.by_state[i]});
}

Result<core::Application> application_from_row(const Statement& st) {
  core::Application a;
  a.id = st.text(0);
  a.course_id = st.int64(1);
  a.seq = st.int64(2);
  a.applicant.phone = st.text(3);
  a.applicant.name = st.text(4);
  std::string id_type = st.text(5);
  auto type = core::parse_id_type(id_type);
  if (!type) return corrupt("applications", "id_type", id_type);
  a.applicant.id_type = *type;
  a.applicant.id_number = st.text(6);
  a.applicant.nationality = st.text(7);
  std::string language = st.text(8);
  if (!core::parse_language(language, a.applicant.language)) return corrupt("applications", "language", language);
  a.channel = st.text(9);
  std::string state = st.text(10);
  if (!core::parse_application_state(state, a.state)) return corrupt("applications", "state", state);
  a.created_at = instant(st.int64(11));
  a.updated_at = instant(st.int64(12));
  a.exam_token = st.optional_text(13);
  if (!st.is_null(14)) {
    a.bill = core::Bill{st.text(14), core::Fils{st.int64(15)}, instant(st.int64(16)), instant(st.int64(17))};
  }
  return a;
}

void bind_application_fields(Binder& b, const core::Application& a) {
  b.add(a.course_id).add(a.seq).add(a.applicant.phone).add(a.applicant.name);
  b.add(core::to_string(a.applicant.id_type)).add(a.applicant.id_number).add(a.applicant.nationality);
  b.add(core::to_string(a.applicant.language)).add(a.channel).add(core::to_string(a.state));
  b.add(seconds(a.created_at)).add(seconds(a.updated_at)).add(a.exam_token);
  if (a.bill) {
    b.add(a.bill->billing_number).add(a.bill->amount.value).add(seconds(a.bill->issued_at));
    b.add(seconds(a.bill->due_at));
  } else {
    b.null().null().null().null();
  }
}

Result<core::HistoryEntry> history_from_row(const Statement& st) {
  core::HistoryEntry h;
  h.application_id = st.text(0);
  h.at = instant(st.int64(1));
  if (auto from = st.optional_text(2)) {
    core::ApplicationState s;
    if (!core::parse_application_state(*from, s)) return corrupt("history", "from_state", *from);
    h.from = s;
  }
  std::string to = st.text(3);
  if (!core::parse_application_state(to, h.to)) return corrupt("history", "to_state", to);
  h.step = st.text(4);
  h.event = st.text(5);
  return h;
}

Result<OutboxMessage> outbox_from_row(const Statement& st) {
  OutboxMessage m;
  m.id = st.int64(0);
  m.application_id = st.text(1);
  m.to = st.text(2);
  m.text = st.text(3);
  m.template_name = st.text(4);
  std::string language = st.text(5);
  if (!core::parse_language(language, m.language)) return corrupt("outbox", "language", language);
  m.step = st.text(6);
  m.segments = static_cast<int>(st.int64(7));
  m.created_at = instant(st.int64(8));
  m.status = st.text(9);
  m.attempts = static_cast<int>(st.int64(10));
  m.next_attempt_at = instant(st.int64(11));
  m.provider = st.text(12);
  m.provider_message_id = st.text(13);
  m.last_error = st.text(14);
  m.request_id = st.text(15);
  return m;
}

void bind_outbox_fields(Binder& b, const OutboxMessage& m) {
  b.add(m.application_id).add(m.to).add(m.text).add(m.template_name).add(core::to_string(m.language));
  b.add(m.step).add(std::int64_t{m.segments}).add(seconds(m.created_at)).add(m.status);
  b.add(std::int64_t{m.attempts}).add(seconds(m.next_attempt_at)).add(m.provider).add(m.provider_message_id);
  b.add(m.last_error);
  // The request that caused the message, when the caller did not name one: the store command runs
  // under the id of the request that queued it (Store::traced).
  // A view, never a temporary: the binder keeps a pointer until the statement has run (the
  // thread's id outlives it, as the command runs inside its scope).
  b.add(m.request_id.empty() ? log::current_request_id() : std::string_view(m.request_id));
}

Result<PaymentRecord> payment_from_row(const Statement& st) {
  PaymentRecord p;
  p.joebpps_trx = st.text(0);
  p.billing_number = st.text(1);
  p.application_id = st.text(2);
  p.paid = core::Fils{st.int64(3)};
  p.due = core::Fils{st.int64(4)};
  p.process_date = st.text(5);
  p.stmt_date = st.text(6);
  p.outcome = st.text(7);
  p.received_at = instant(st.int64(8));
  return p;
}

void bind_payment(Binder& b, const PaymentRecord& p) {
  b.add(p.joebpps_trx).add(p.billing_number).add(p.application_id).add(p.paid.value).add(p.due.value);
  b.add(p.process_date).add(p.stmt_date).add(p.outcome).add(seconds(p.received_at));
}

Result<DeliveryReport> delivery_report_from_row(const Statement& st) {
  DeliveryReport r;
  r.outbox_id = st.int64(0);
  r.provider = st.text(1);
  r.provider_message_id = st.text(2);
  r.status = st.text(3);
  r.error_code = st.text(4);
  r.detail = st.text(5);
  r.at = instant(st.int64(6));
  return r;
}

Result<ChannelLogEntry> channel_log_from_row(const Statement& st) {
  ChannelLogEntry e;
  e.outbox_id = st.int64(0);
  e.provider = st.text(1);
  e.request = st.text(2);
  e.response = st.text(3);
  e.http_status = static_cast<int>(st.int64(4));
  e.outcome = st.text(5);
  e.elapsed_ms = st.int64(6);
  e.at = instant(st.int64(7));
  e.request_id = st.text(8);
  return e;
}

}  // namespace cg::store::sql
