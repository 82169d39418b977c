// The console's Payments page (docs/console.md): eFAWATEERcom payments of one statement day with
// the day's count and total per outcome (the "refund:" ones are money collected and not applied,
// to be returned), and the open bills, soonest due first. Both lists are paged by key. Phones are
// masked for a viewer, as on the Course page.
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

 private:
  Service& service_;
  const Clock& clock_;
  std::chrono::minutes utc_offset_;
};

}  // namespace cg::gateway::console
