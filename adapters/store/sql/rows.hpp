// Rows to domain values and back, written once for every engine. Column order is that of
// columns.hpp; binders add parameters in that order (Binder, engine.hpp).
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "adapters/store/sql/engine.hpp"
#include "adapters/store/store.hpp"

namespace cg::store::sql {

inline std::int64_t seconds(Instant t) { return t.time_since_epoch().count(); }
inline Instant instant(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }

Error corrupt(std::string_view table, std::string_view column, std::string_view value);

Result<core::Course> course_from_row(const Statement& st);
// Every column but the id, in column order.
void bind_course_fields(Binder& b, const core::Course& c);
Result<core::Application> application_from_row(const Statement& st);
// Every column but the id, in column order.
void bind_application_fields(Binder& b, const core::Application& a);
Result<core::HistoryEntry> history_from_row(const Statement& st);
Result<OutboxMessage> outbox_from_row(const Statement& st);
// Every column but the id, in column order.
void bind_outbox_fields(Binder& b, const OutboxMessage& m);
Result<PaymentRecord> payment_from_row(const Statement& st);
void bind_payment(Binder& b, const PaymentRecord& p);
Result<DeliveryReport> delivery_report_from_row(const Statement& st);
Result<ChannelLogEntry> channel_log_from_row(const Statement& st);

// Every row of `st`, mapped.
template <class T, class F>
Result<std::vector<T>> all_rows(Statement& st, F from_row) {
  std::vector<T> out;
  for (;;) {
    auto row = st.step();
    if (!row) return row.error();
    if (!*row) return out;
    Result<T> value = from_row(st);
    if (!value) return value.error();
    out.push_back(std::move(*value));
  }
}

// The first row of `st`, mapped, or none.
template <class T, class F>
Result<std::optional<T>> first_row(Statement& st, F from_row) {
  auto row = st.step();
  if (!row) return row.error();
  if (!*row) return std::optional<T>{};
  Result<T> value = from_row(st);
  if (!value) return value.error();
  return std::optional<T>(std::move(*value));
}

}  // namespace cg::store::sql
