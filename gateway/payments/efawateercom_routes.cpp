#include "gateway/payments/efawateercom_routes.hpp"

#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

#include "adapters/crypto/crypto.hpp"
#include "adapters/sms/common/address.hpp"
#include "gateway/web/admin_auth.hpp"

namespace cg::gateway {

using http::Method;
using http::Request;
using http::Responder;
using http::Response;
using nlohmann::json;

namespace {

// ---- the door: allowed addresses and basic auth --------------------------------------------------

class Door {
 public:
  explicit Door(const EfawateercomConfig& c) : allowed_(c.allowed_addresses) {
    if (!c.basic_auth_user.empty())
      expected_authorization_ = "Basic " + crypto::base64_encode(c.basic_auth_user + ":" + c.basic_auth_password);
  }

  // nullopt: come in.
  std::optional<Response> check(const Request& req) const {
    if (!allowed_.empty() && !allowed_.contains(req.remote_address)) {
      return http::text_response(403, "forbidden: " + req.remote_address + " is not an allowed eFAWATEERcom address\n");
    }
    if (!expected_authorization_.empty()) {
      auto h = req.header("Authorization");
      if (!h || !crypto::constant_time_equal(*h, expected_authorization_)) {
        Response r = http::text_response(401, "unauthorized: basic-auth credentials are required\n");
        r.headers.set("WWW-Authenticate", "Basic realm=\"eFAWATEERcom\", charset=\"UTF-8\"");
        return r;
      }
    }
    return std::nullopt;
  }

 private:
  sms::AddressList allowed_;  // empty: any address
  std::string expected_authorization_;
};

// ---- MFEP answers --------------------------------------------------------------------------------

Response mfep_response(Result<std::string> signed_xml) {
  // Signing fails only if OpenSSL does: nothing can be said in MFEP then, and eFAWATEERcom retries.
  if (!signed_xml) return http::text_response(500, "internal error: the answer could not be signed\n");
  return http::text_response(200, std::move(*signed_xml), "text/xml; charset=utf-8");
}

Response bill_pull_answer(const PaymentService& payments, const efawateercom::BillPullResponse& rs) {
  return mfep_response(efawateercom::write_bill_pull_response(rs, payments.settings(), payments.signer()));
}

Response payment_answer(const PaymentService& payments, const efawateercom::PaymentNotificationResponse& rs) {
  return mfep_response(efawateercom::write_payment_notification_response(rs, payments.settings(), payments.signer()));
}

// ---- admin views ---------------------------------------------------------------------------------

json amount_json(std::int64_t count, core::Fils amount) {
  return json{{"count", count}, {"amount_jod", core::format_jod(amount)}};
}

json payment_json(const store::PaymentRecord& p) {
  return json{{"joebpps_trx", p.joebpps_trx},
              {"billing_number", p.billing_number},
              {"application_id", p.application_id.empty() ? json(nullptr) : json(p.application_id)},
              {"paid_jod", core::format_jod(p.paid)},
              {"due_jod", core::format_jod(p.due)},
              {"process_date", p.process_date},
              {"stmt_date", p.stmt_date},
              {"outcome", p.outcome},
              {"received_at", core::format_iso8601_utc(p.received_at)}};
}

std::optional<std::size_t> parse_limit(const Request& req, std::size_t fallback) {
  auto text = req.query_param("limit");
  if (!text) return fallback;
  std::size_t v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < 1 || v > 10'000) return std::nullopt;
  return v;
}

Response reconciliation_view(PaymentService& payments, const Request& req) {
  std::optional<efawateercom::MfepDate> from, to;
  for (const char* name : {"from", "to"}) {
    auto text = req.query_param(name);
    if (!text) continue;
    auto d = efawateercom::parse_mfep_date(*text);
    if (!d) return http::json_error(400, "invalid_query", std::string(name) + ": not a date like 2026-11-25");
    (std::strcmp(name, "from") == 0 ? from : to) = *d;
  }
  // One day when only one end is given; today (at the configured offset) when none is.
  if (!from && !to) from = to = payments.today();
  if (!from) from = to;
  if (!to) to = from;
  if (*to < *from) return http::json_error(400, "invalid_query", "to: must not be before from");
  auto limit = parse_limit(req, 1000);
  if (!limit) return http::json_error(400, "invalid_query", "limit: 1 to 10000");
  auto r = payments.reconciliation(*from, *to, *limit);
  if (!r) return http::store_failure(r.error());

  // Totals come from the store's grouping, so they hold for the whole range even when the lists stop.
  struct Sum {
    std::int64_t count = 0;
    core::Fils amount;
    void add(const store::PaymentTotal& t) {
      count += t.count;
      amount.value += t.paid.value;
    }
  };
  Sum all_applied, all_refunds;
  json days = json::array();
  std::string day_of_row;
  Sum day_applied, day_refunds;
  json by_outcome = json::object();
  auto close_day = [&] {
    if (day_of_row.empty()) return;
    days.push_back(json{{"stmt_date", day_of_row},
                        {"applied", amount_json(day_applied.count, day_applied.amount)},
                        {"refunds", amount_json(day_refunds.count, day_refunds.amount)},
                        {"by_outcome", by_outcome}});
  };
  for (const auto& t : r->totals) {  // ordered by STMTDate, then outcome
    if (t.stmt_date != day_of_row) {
      close_day();
      day_of_row = t.stmt_date;
      day_applied = day_refunds = Sum{};
      by_outcome = json::object();
    }
    by_outcome[t.outcome] = amount_json(t.count, t.paid);
    bool applied = t.outcome == "applied";
    (applied ? day_applied : day_refunds).add(t);
    (applied ? all_applied : all_refunds).add(t);
  }
  close_day();
  json applied = json::array(), refunds = json::array();
  for (const auto& p : r->applied) applied.push_back(payment_json(p));
  for (const auto& p : r->refunds) refunds.push_back(payment_json(p));
  json out{{"from", efawateercom::format_mfep_date(r->from)},
           {"to", efawateercom::format_mfep_date(r->to)},
           {"totals",
            {{"applied", amount_json(all_applied.count, all_applied.amount)},
             {"refunds", amount_json(all_refunds.count, all_refunds.amount)}}},
           {"days", days},
           {"payments", applied},
           {"refunds", refunds},
           {"truncated", r->truncated}};
  return http::json_response(200, out.dump(-1, ' ', false, json::error_handler_t::replace));
}

Response open_bills_view(PaymentService& payments, const Request& req) {
  auto limit = parse_limit(req, 1000);
  if (!limit) return http::json_error(400, "invalid_query", "limit: 1 to 10000");
  auto r = payments.open_bills(*limit);
  if (!r) return http::store_failure(r.error());
  core::Instant now = payments.now();
  json bills = json::array();
  for (const auto& a : r->bills) {
    if (!a.bill) continue;
    bills.push_back(json{{"application_id", a.id},
                         {"course_id", a.course_id},
                         {"billing_number", a.bill->billing_number},
                         {"amount_jod", core::format_jod(a.bill->amount)},
                         {"issued_at", core::format_iso8601_utc(a.bill->issued_at)},
                         {"due_at", core::format_iso8601_utc(a.bill->due_at)},
                         // Past due and not yet expired by the scheduler: it will be on its next tick.
                         {"overdue", now >= a.bill->due_at},
                         {"applicant", {{"name", a.applicant.name}, {"phone", a.applicant.phone}}}});
  }
  json out{{"count", r->totals.count},
           {"total_due_jod", core::format_jod(r->totals.due)},
           {"bills", bills},
           {"truncated", r->truncated}};
  return http::json_response(200, out.dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace

void register_efawateercom_routes(http::Router& router, PaymentService& payments, const Config& config,
                                  http::ReaderPool& readers) {
  router.add(Method::get, "/v1/admin/payments",
             admin(config, http::on_pool(readers, http::sync_handler([&payments](const Request& req) {
                                           return reconciliation_view(payments, req);
                                         }))));
  router.add(Method::get, "/v1/admin/bills/open",
             admin(config, http::on_pool(readers, http::sync_handler([&payments](const Request& req) {
                                           return open_bills_view(payments, req);
                                         }))));

  if (!payments.enabled()) return;
  auto door = std::make_shared<const Door>(config.efawateercom);

  // Past the door every answer is MFEP XML: a request the reader pool cannot take, or whose store
  // read is late, gets MFEP's internal error (eFAWATEERcom asks again), as a failed read does.
  router.add(Method::post, "/v1/efawateercom/bill-pull",
             [&payments, &readers, door](const Request& req, const Responder& respond) {
               if (auto refused = door->check(req)) return respond(std::move(*refused));
               auto in = efawateercom::read_bill_pull_request(req.body, payments.settings(), payments.signer());
               efawateercom::BillPullResponse rs;
               rs.timestamp = payments.timestamp();
               rs.guid = in.guid;
               if (!in.ok()) {
                 rs.result = in.status;
                 return respond(bill_pull_answer(payments, rs));
               }
               rs.result = efawateercom::mfep_error(efawateercom::ErrorCode::kInternalError,
                                                    "the bill could not be read; try again");
               readers.run([&payments, message = std::move(*in.message)](
                               const Responder& r) { r(bill_pull_answer(payments, payments.bill_pull(message))); },
                           respond, [&payments, rs] { return bill_pull_answer(payments, rs); });
             });

  router.add(Method::post, "/v1/efawateercom/payment-notification",
             [&payments, &readers, door](const Request& req, const Responder& respond) {
               if (auto refused = door->check(req)) return respond(std::move(*refused));
               auto in = efawateercom::read_payment_notification(req.body, payments.settings(), payments.signer());
               efawateercom::PaymentNotificationResponse rs;
               rs.timestamp = payments.timestamp();
               rs.guid = in.guid;
               if (!in.ok()) {
                 // Refused whole before anything was looked at: nothing is recorded.
                 rs.result = in.status;
                 return respond(payment_answer(payments, rs));
               }
               // A retry after this answer is recognised by its GUID, should the write still commit.
               rs.result = efawateercom::mfep_error(efawateercom::ErrorCode::kInternalError,
                                                    "the notification could not be checked; try again");
               readers.run(
                   [&payments, message = std::move(*in.message)](const Responder& r) mutable {
                     payments.payment_notification(
                         std::move(message), [&payments, r](const efawateercom::PaymentNotificationResponse& answer) {
                           r(payment_answer(payments, answer));
                         });
                   },
                   respond, [&payments, rs] { return payment_answer(payments, rs); });
             });
}

}  // namespace cg::gateway
