// The console's Payments page (docs/console.md): eFAWATEERcom payments of one statement day with
// the day's count and total per outcome (the "refund:" ones are money collected and not applied,
// to be returned), the refunds not yet returned with their count and sum, and the open bills,
// soonest due first. The lists are paged by key. Phones are masked for a viewer, as on the Course
// page. An operator records a refund as returned (settled) with the bank transfer's or cheque's
// reference: audited as refund.settle, with an Idempotency-Key, and a second settle changes nothing.
#pragma once

#include <chrono>

#include "gateway/console/course_pages.hpp"

namespace cg::gateway::console {

class PaymentPages {
 public:
  // `utc_offset`: the statement day defaults to today there (Asia/Amman).
  PaymentPages(Service& service, const Clock& clock, std::chrono::minutes utc_offset)
      : service_(service), clock_(clock), utc_offset_(utc_offset) {}

  // GET /console/api/payments?date=yyyy-MM-dd&after=KEY&limit=N
  void get_payments(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // GET /console/api/bills?after=KEY&limit=N
  void get_open_bills(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // GET /console/api/refunds?after=KEY&limit=N
  void get_refunds(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // POST /console/api/refunds/{trx}/settle {"reference"}
  void settle_refund(const PageCaller& c, const http::Request& req, const http::Responder& respond);

  // A settlement's reference: 1 to this many characters.
  static constexpr std::size_t kMaxReference = 100;

 private:
  Service& service_;
  const Clock& clock_;
  std::chrono::minutes utc_offset_;
};

}  // namespace cg::gateway::console
