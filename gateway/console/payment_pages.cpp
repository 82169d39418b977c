#include "gateway/console/payment_pages.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>

#include "adapters/crypto/crypto.hpp"
#include "core/applicant.hpp"
#include "core/money.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "gateway/console/page_query.hpp"
#include "gateway/service/audit.hpp"
#include "gateway/web/http_json.hpp"

namespace cg::gateway::console {

using http::Request;
using http::Responder;
using nlohmann::json;

namespace {

// A calendar date written yyyy-MM-dd, as eFAWATEERcom's STMTDate is stored.
bool valid_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  auto digits = [&](std::size_t from, std::size_t n, auto& out) {
    auto [p, ec] = std::from_chars(s.data() + from, s.data() + from + n, out);
    return ec == std::errc() && p == s.data() + from + n;
  };
  if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return false;
  return std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}}.ok();
}

std::string local_date(core::Instant now, std::chrono::minutes utc_offset) {
  auto t = core::to_local(now, utc_offset);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", t.year, t.month, t.day);
  return buf;
}

json settlement_json(const store::RefundSettlement& s) {
  return json{
      {"reference", s.reference}, {"settled_by", s.settled_by}, {"settled_at", core::format_iso8601_utc(s.settled_at)}};
}

json payment_item(const store::PaymentRecord& p) {
  return json{{"joebpps_trx", p.joebpps_trx},
              {"billing_number", p.billing_number},
              {"application_id", p.application_id.empty() ? json(nullptr) : json(p.application_id)},
              {"paid_jod", core::format_jod(p.paid)},
              {"due_jod", core::format_jod(p.due)},
              {"process_date", p.process_date},
              {"stmt_date", p.stmt_date},
              {"outcome", p.outcome},
              {"refund", store::is_refund(p.outcome)},
              {"received_at", core::format_iso8601_utc(p.received_at)}};
}

// The reference a settlement is recorded with: the bank transfer's or cheque's number as the
// operator reads it off the bank's paper, spaces at either end dropped. One line of 1 to
// kMaxReference characters without controls or bidi overrides (it is shown in lists and the audit
// log, where those could hide or reorder text).
Result<std::string> settle_reference(const json& body) {
  for (auto it = body.begin(); it != body.end(); ++it)
    if (it.key() != "reference") return make_error("invalid_field", it.key() + ": not a field of a settlement");
  auto it = body.find("reference");
  if (it == body.end() || !it->is_string())
    return make_error("invalid_field", "reference: required, the bank transfer or cheque number");
  std::string r = it->get<std::string>();
  r.erase(0, r.find_first_not_of(' '));
  r.erase(r.find_last_not_of(' ') + 1);
  if (r.empty()) return make_error("invalid_field", "reference: required, the bank transfer or cheque number");
  if (!core::text::decode_utf8(r)) return make_error("invalid_field", "reference: not UTF-8 text");
  if (core::text::find_control(r, true))
    return make_error("invalid_field", "reference: holds a control character or a bidirectional override");
  if (core::text::count_chars(r) > PaymentPages::kMaxReference)
    return make_error("invalid_field",
                      "reference: at most " + std::to_string(PaymentPages::kMaxReference) + " characters");
  return r;
}

http::Response settle_refusal(const Error& e) {
  if (e.code == "payment_not_found") return http::json_error(404, "not_found", e.message);
  if (e.code == "not_a_refund") return http::json_error(409, e.code, e.message);
  return web::error_response(e);
}

}  // namespace

void PaymentPages::get_payments(const PageCaller&, const Request& req, const Responder& respond) {
  std::string date;
  if (auto d = req.query_param("date"); d && !d->empty()) {
    if (!valid_date(*d)) return respond(http::json_error(400, "invalid_query", "date: a calendar date, yyyy-MM-dd"));
    date = std::string(*d);
  } else {
    date = local_date(clock_.now(), utc_offset_);
  }
  auto after = after_time_key(req);
  if (!after) return respond(http::json_error(400, "invalid_query", after.error().message));
  auto limit = page_limit(req);
  if (!limit) return respond(http::json_error(400, "invalid_query", limit.error().message));
  std::vector<store::DayPayment> rows;
  std::vector<store::PaymentTotal> totals;
  // One snapshot: the day's sums agree with its list.
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto r = tx.payments_of_day(date, after->at, after->rest, *limit);
    if (!r) return r.error();
    rows = std::move(*r);
    auto t = tx.payment_totals(date, date);
    if (!t) return t.error();
    totals = std::move(*t);
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  std::int64_t count = 0;
  core::Fils total;
  std::int64_t refund_count = 0;
  core::Fils refund_total;
  json by_outcome = json::array();
  for (const auto& t : totals) {
    count += t.count;
    total.value += t.paid.value;
    if (store::is_refund(t.outcome)) {
      refund_count += t.count;
      refund_total.value += t.paid.value;
    }
    by_outcome.push_back(json{{"outcome", t.outcome}, {"count", t.count}, {"paid_jod", core::format_jod(t.paid)}});
  }
  json items = json::array();
  for (const auto& p : rows) {
    json item = payment_item(p.payment);
    item["settlement"] = p.settlement ? settlement_json(*p.settlement) : json(nullptr);
    items.push_back(std::move(item));
  }
  json next = next_after(
      rows, *limit, [](const store::DayPayment& p) { return time_key(p.payment.received_at, p.payment.joebpps_trx); });
  respond(web::json_replacing(200,
                              json{{"date", date},
                                   {"count", count},
                                   {"total_jod", core::format_jod(total)},
                                   {"totals", std::move(by_outcome)},
                                   {"refunds", {{"count", refund_count}, {"paid_jod", core::format_jod(refund_total)}}},
                                   {"items", std::move(items)},
                                   {"next_after", next}}));
}

void PaymentPages::get_open_bills(const PageCaller& c, const Request& req, const Responder& respond) {
  auto after = after_time_id_key(req);
  if (!after) return respond(http::json_error(400, "invalid_query", after.error().message));
  auto limit = page_limit(req);
  if (!limit) return respond(http::json_error(400, "invalid_query", limit.error().message));
  std::vector<core::Application> rows;
  store::OpenBillTotals totals;
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto r = tx.open_bills_after(after->at, after->id, *limit);
    if (!r) return r.error();
    rows = std::move(*r);
    auto t = tx.open_bill_totals();
    if (!t) return t.error();
    totals = *t;
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  const bool full = allows(c.role, Role::operator_);
  const core::Instant now = clock_.now();
  json items = json::array();
  for (const auto& a : rows) {
    if (!a.bill) continue;  // an awaiting_payment application always has its bill
    items.push_back(json{{"application_id", a.id},
                         {"course_id", a.course_id},
                         {"name", a.applicant.name},
                         {"phone", full ? a.applicant.phone : core::mask_phone(a.applicant.phone)},
                         {"billing_number", a.bill->billing_number},
                         {"amount_jod", core::format_jod(a.bill->amount)},
                         {"issued_at", core::format_iso8601_utc(a.bill->issued_at)},
                         {"due_at", core::format_iso8601_utc(a.bill->due_at)},
                         {"overdue", a.bill->due_at <= now}});
  }
  json next = next_after(rows, *limit, [](const core::Application& a) {
    return a.bill ? json(time_key(a.bill->due_at, std::to_string(a.seq))) : json(nullptr);
  });
  respond(web::json_replacing(200, json{{"count", totals.count},
                                        {"total_jod", core::format_jod(totals.due)},
                                        {"items", std::move(items)},
                                        {"next_after", next},
                                        {"masked", !full}}));
}

void PaymentPages::get_refunds(const PageCaller&, const Request& req, const Responder& respond) {
  auto after = after_time_key(req);
  if (!after) return respond(http::json_error(400, "invalid_query", after.error().message));
  auto limit = page_limit(req);
  if (!limit) return respond(http::json_error(400, "invalid_query", limit.error().message));
  store::UnsettledRefunds refunds;
  // The totals and the page come from one snapshot.
  Status s = service_.store().read([&](store::Tx& tx) -> Status {
    auto r = tx.unsettled_refunds(after->at, after->rest, *limit);
    if (!r) return r.error();
    refunds = std::move(*r);
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  json items = json::array();
  for (const auto& p : refunds.items) items.push_back(payment_item(p));
  json next = next_after(refunds.items, *limit,
                         [](const store::PaymentRecord& p) { return time_key(p.received_at, p.joebpps_trx); });
  respond(web::json_replacing(200, json{{"count", refunds.count},
                                        {"total_jod", core::format_jod(refunds.total)},
                                        {"items", std::move(items)},
                                        {"next_after", next}}));
}

void PaymentPages::settle_refund(const PageCaller& c, const Request& req, const Responder& respond) {
  const std::string trx(req.path_param("trx").value_or(""));
  auto body = web::parse_json_body(req);
  if (!body) return respond(web::bad(body.error()));
  auto reference = settle_reference(*body);
  if (!reference) return respond(http::json_error(400, reference.error().code, reference.error().message));
  auto once = once_key(req, c, "refund.settle:" + trx + ":" + body->dump());
  if (!once) return respond(web::bad(once.error()));
  const AuditBy by{c.username, req.remote_address};
  const core::Instant now = clock_.now();
  // Set, never added to, by each run: the store may run a command again (store.hpp).
  auto done = std::make_shared<std::optional<store::SettledRefund>>();
  service_.store().write(
      [trx, reference = std::move(*reference), once = std::move(*once), by, now, done](store::Tx& tx) -> Status {
        done->reset();
        auto fresh = first_use(tx, "refund.settle", once, now);
        if (!fresh) return fresh.error();
        auto r = tx.settle_refund(store::RefundSettlement{trx, now, by.actor, reference});
        if (!r) return r.error();
        if (!*fresh) {
          // The same request again: it answers as the first did, which made this settlement
          // unless it found one made another way.
          r->already = r->settlement.settled_by != by.actor || r->settlement.reference != reference;
        } else if (!r->already) {
          // The settlement and its audit line commit together; a settlement found made writes none.
          const json before{{"outcome", r->payment.outcome}, {"paid_jod", core::format_jod(r->payment.paid)}};
          const json after{{"reference", r->settlement.reference}};
          if (auto st = audit(tx, by, now, "refund.settle", "payment:" + trx, before.dump(), after.dump()); !st)
            return st;
        }
        *done = std::move(*r);
        return ok_status();
      },
      [respond, done](const Status& st) {
        if (!st) return respond(settle_refusal(st.error()));
        const auto& r = done->value();
        json out = settlement_json(r.settlement);
        out["joebpps_trx"] = r.settlement.joebpps_trx;
        out["paid_jod"] = core::format_jod(r.payment.paid);
        out["outcome"] = r.payment.outcome;
        out["already"] = r.already;
        respond(web::json_replacing(200, out));
      });
}

}  // namespace cg::gateway::console
