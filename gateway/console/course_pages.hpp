// The console's Course and Application pages (docs/console.md): a course's details and its
// applicants (filtered, searched, paged by key, exported as CSV), cancelling an application and
// recording a prerequisite pass through the Service, and one application's history, SMS and bill.
// Document numbers and phones are masked for a viewer.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "adapters/store/store.hpp"
#include "gateway/console/auth.hpp"
#include "gateway/http/handler.hpp"
#include "gateway/http/reader_pool.hpp"
#include "gateway/service/service.hpp"

namespace cg::gateway::console {

// Who asks, as the pages need it: the role decides the masking, the name goes into the audit log.
struct PageCaller {
  std::string username;
  Role role = Role::viewer;
};

// A console form's one-time key (its Idempotency-Key header), scoped to the operator and bound to
// what was sent (`request`): a double click repeats both, another form or another operator never
// shares a key. 400 invalid_header when the header is missing or not 8 to 128 of [A-Za-z0-9_-].
Result<OnceKey> once_key(const http::Request& req, const PageCaller& c, std::string_view request);

// One CSV field per RFC 4180: quoted when it holds a comma, a quote, CR or LF (quotes doubled). A
// field starting with = + - @ TAB or CR gets a leading ' first, so a spreadsheet never reads it as
// a formula.
std::string csv_field(std::string_view value);
// Fields joined by commas, ended by CRLF.
std::string csv_row(std::initializer_list<std::string_view> fields);

// `text` with every occurrence of `phone` masked (core::mask_phone), with or without its '+': a
// viewer sees no full phone anywhere, the provider exchanges and errors included. The digits after
// '+' are what every form a provider request carries holds (E.164, without '+', percent-encoded).
std::string mask_phone_in(std::string text, const std::string& phone);

// An applicant as the Course page lists it; `full` false masks the document and phone.
nlohmann::json applicant_json(const core::Application& a, bool full);
nlohmann::json course_detail_json(const core::Course& c);

class CoursePages {
 public:
  CoursePages(Service& service, const Clock& clock) : service_(service), clock_(clock) {}

  void get_course(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  void get_applicants(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // Streamed (http::BodyStream): each page of rows is read and written by its own job on `readers`.
  void export_applicants(const PageCaller& c, const http::Request& req, const http::Responder& respond,
                         http::ReaderPool& readers);
  void find_applications(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  void get_application(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  void cancel(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  void record_pass(const PageCaller& c, const http::Request& req, const http::Responder& respond);

  // Rows per piece of the CSV export: each piece is its own read, and only one piece is in memory at
  // a time, whatever the number of applicants.
  static constexpr std::size_t kExportPage = 500;

 private:
  Service& service_;
  const Clock& clock_;
};

}  // namespace cg::gateway::console
