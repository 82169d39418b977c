// The console's course actions (docs/console.md): create a course, edit or reschedule one after a
// preview of the SMS the change sends, and broadcast an SMS of the operator's own to chosen card
// states of a course. Creating and editing go through the Service (its validation, the card's
// reschedule, the audit line in the same transaction); each change needs an Idempotency-Key, so a
// double click acts once. The previews read and change nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/domain.hpp"
#include "core/sms.hpp"
#include "gateway/console/course_pages.hpp"
#include "gateway/http/handler.hpp"
#include "gateway/service/service.hpp"

namespace cg::gateway::console {

// An SMS an operator writes to the applicants of one course, one text per language.
struct Broadcast {
  std::int64_t course_id = 0;
  std::vector<core::ApplicationState> states;  // distinct, at least one
  core::LocalizedText text;
};

// The most SMS (segments) one broadcast text may cost, in either language.
inline constexpr int kBroadcastMaxSegments = 3;

// Checks a broadcast's body ({"states": [...], "text_ar", "text_en"}); errors name the field.
Result<Broadcast> decode_broadcast(const nlohmann::json& body, std::int64_t course_id);

// Who a broadcast reaches in one snapshot: one outbox row per phone of an application in the
// chosen states (a phone with two applications gets one SMS), none for a number that sent STOP.
struct BroadcastPlan {
  std::vector<store::OutboxMessage> rows;
  std::int64_t skipped_opted_out = 0;
  std::int64_t to_ar = 0, to_en = 0;
};
Result<BroadcastPlan> plan_broadcast(store::Tx& tx, const Broadcast& b, core::Instant now);

class CourseEdit {
 public:
  CourseEdit(Service& service, const Clock& clock) : service_(service), clock_(clock) {}

  // POST /console/api/courses: the admin API's course fields.
  void create(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // POST /console/api/courses/{id}/preview: what PATCH would change and the SMS it would send.
  void preview_edit(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // PATCH /console/api/courses/{id}: the admin API's PATCH, audited as course.edit.
  void edit(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // POST /console/api/courses/{id}/broadcast/preview: recipients, segments and encoding.
  void preview_broadcast(const PageCaller& c, const http::Request& req, const http::Responder& respond);
  // POST /console/api/courses/{id}/broadcast: one outbox row per recipient, audited as sms.broadcast.
  void broadcast(const PageCaller& c, const http::Request& req, const http::Responder& respond);

 private:
  Service& service_;
  const Clock& clock_;
};

}  // namespace cg::gateway::console
