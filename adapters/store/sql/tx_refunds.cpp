// SqlTx's refunds to settle (docs/console.md, the Payments page): the refunds not yet returned,
// and the append-only settlement that records one was.
#include <utility>

#include "adapters/store/sql/rows.hpp"
#include "adapters/store/sql/tx.hpp"

namespace cg::store::sql {
namespace {

Result<RefundSettlement> settlement_from_row(const Statement& st) {
  return RefundSettlement{st.text(0), instant(st.int64(1)), st.text(2), st.text(3)};
}

}  // namespace

Result<UnsettledRefunds> SqlTx::unsettled_refunds(Instant after_received_at, std::string_view after_trx,
                                                  std::size_t limit) {
  UnsettledRefunds out;
  {
    auto st = session_.prepare(q_.refunds_unsettled, "unsettled_refunds");
    if (!st) return st.error();
    Binder(**st)
        .add(seconds(after_received_at))
        .add(seconds(after_received_at))
        .add(after_trx)
        .add(q_.dialect.limit(limit));
    auto rows = all_rows<PaymentRecord>(**st, payment_from_row);
    if (!rows) return rows.error();
    out.items = std::move(*rows);
  }
  auto st = session_.prepare(q_.refunds_unsettled_totals, "unsettled_refunds");
  if (!st) return st.error();
  auto row = (*st)->step();
  if (!row) return row.error();
  if (!*row) return Error{"store_error", "unsettled_refunds: no totals row"};
  out.count = (*st)->int64(0);
  out.total = core::Fils{(*st)->int64(1)};
  return out;
}

Result<SettledRefund> SqlTx::settle_refund(const RefundSettlement& s) {
  constexpr std::string_view what = "settle_refund";
  if (auto w = writable(what); !w) return w.error();
  SettledRefund out;
  auto paid = payment(s.joebpps_trx);
  if (!paid) return paid.error();
  if (!*paid) return Error{"payment_not_found", "no payment " + s.joebpps_trx};
  out.payment = std::move(**paid);
  if (!is_refund(out.payment.outcome))
    return Error{"not_a_refund",
                 "payment " + s.joebpps_trx + " was applied (" + out.payment.outcome + "): there is nothing to return"};
  auto settled_before = [&]() -> Result<std::optional<RefundSettlement>> {
    auto st = session_.prepare(q_.refund_settlement_locked, what);
    if (!st) return st.error();
    (*st)->bind(1, s.joebpps_trx);
    return first_row<RefundSettlement>(**st, settlement_from_row);
  };
  auto before = settled_before();
  if (!before) return before.error();
  if (*before) {
    out.settlement = std::move(**before);
    out.already = true;
    return out;
  }
  auto st = session_.prepare(q_.refund_settlement_insert, what);
  if (!st) return st.error();
  Binder(**st).add(s.joebpps_trx).add(seconds(s.settled_at)).add(s.settled_by).add(s.reference);
  if (auto r = (*st)->run(); !r) {
    if (!(*st)->duplicate_key()) return r.error();
    // Another gateway settled it between the read and the insert: theirs stands.
    auto theirs = settled_before();
    if (!theirs) return theirs.error();
    if (!*theirs) return r.error();
    out.settlement = std::move(**theirs);
    out.already = true;
    return out;
  }
  out.settlement = s;
  return out;
}

}  // namespace cg::store::sql
