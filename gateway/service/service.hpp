// The gateway's use cases: each one turns a request into store commands that run the card's
// core transitions and persist their Outcome (state, history, outbox) in one transaction.
// No HTTP here; routes.cpp maps requests and responses.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/store/store.hpp"
#include "core/enrollment.hpp"
#include "gateway/app/clock.hpp"
#include "gateway/app/config.hpp"
#include "gateway/service/audit.hpp"
#include "gateway/service/card_driver.hpp"
#include "gateway/service/commands.hpp"

namespace cg::gateway {

struct ApplyInput {
  std::int64_t course_id = 0;
  core::Applicant applicant;
  std::string channel = "web";
  std::string idempotency_key;  // optional, scoped to the caller; a repeat returns the first answer
  std::string request_hash;     // of the request the key came with: another request with it is refused
  bool daily_caps = false;      // website.applications_per_{phone,document}_per_day apply
  // Set when a daily cap refuses the application: seconds until the cap lets it through.
  std::shared_ptr<std::atomic<long long>> retry_after_s;
};

struct ApplyOutput {
  std::string application_id;
  core::ApplicationState state = core::ApplicationState::awaiting_quorum;
  bool replayed = false;
};

struct ExamInput {
  std::string token;
  bool passed = false;
  std::optional<int> score;
  std::optional<core::Instant> taken_at;
};

struct ExamOutput {
  std::string application_id;
  core::ApplicationState state = core::ApplicationState::awaiting_exam;
  bool duplicate = false;
};

struct ApplicationView {
  core::Application application;
  core::Course course;
  std::vector<core::HistoryEntry> history;
};

// What an operator may change on a course (SPEC §5 PATCH). Dates together make a reschedule.
struct CoursePatch {
  std::optional<std::string> title_ar, title_en, location, exam_url, evaluation_url;
  std::optional<std::optional<int>> capacity;  // set: a number, or none for unlimited
  std::optional<core::Instant> start_at, end_at, decision_at;
};

struct PrerequisiteProof {
  core::IdType id_type = core::IdType::national_id;
  std::string id_number;
  std::string prerequisite;
};

struct ProofOutput {
  bool recorded = false;                  // false: it was on record before
  std::vector<std::string> applications;  // awaiting_exam applications it moved on
};

// An operator's form sent with a one-time key (the console's Idempotency-Key): the first request
// with it does the work, a repeat answers with its result and changes nothing, and the key with
// another request is refused ("idempotency_key_reused"). The key is recorded in the change's own
// transaction, so a change that fails leaves the key unused.
struct OnceKey {
  std::string key;           // scoped by the caller: "console:<username>:<key>"
  std::string request_hash;  // of the request the key came with
};

// Records the first use of `once` in `tx` (the event (source, key) holding the request's hash):
// true for the first request with it, false for a repeat of the same request, and the error
// "idempotency_key_reused" for the key with another request.
Result<bool> first_use(store::Tx& tx, std::string_view source, const OnceKey& once, core::Instant now);

struct CourseView {
  core::Course course;
};

// What one scheduler tick did, for logs and tests.
struct TickReport {
  int postponed_courses = 0;
  int ended_courses = 0;
  int reminded_courses = 0;
  int expired_bills = 0;
  int errors = 0;
};

class Service {
 public:
  Service(store::Store& store, const templates::Catalogue& catalogue, const Config& config, const Clock& clock);

  // Website and channels. Completion runs on a store thread after the commit.
  void apply(ApplyInput in, Callback<ApplyOutput> done);
  // apply() inside the caller's transaction (the SMS and USSD conversations use it, so every
  // channel creates applications the same way). `id` is the new application's id.
  Result<ApplyOutput> apply_in(store::Tx& tx, const ApplyInput& in, core::Instant now, const std::string& id);
  // The website's per-phone and per-document caps per 24 hours: "too_many_applications", with
  // in.retry_after_s set.
  Status check_daily_caps(store::Tx& tx, const ApplyInput& in, core::Instant now);
  void exam_result(ExamInput in, Callback<ExamOutput> done);
  // `audit` set (the admin API, the console): the cancellation is written to the audit log with it.
  void cancel(std::string application_id, core::Actor by, Callback<core::ApplicationState> done,
              std::optional<AuditBy> audit = std::nullopt);
  Result<ApplicationView> application(const std::string& id);
  Result<std::vector<core::Course>> open_courses();

  // Operators. With `audit` set, each change goes into the audit log in its own transaction
  // (course changes with the course before and after). With `once` set, a repeat of the request
  // answers with the course it created (found by its code) or the course as it is now.
  void create_course(core::Course draft, Callback<core::Course> done, std::optional<AuditBy> audit = std::nullopt,
                     std::optional<OnceKey> once = std::nullopt);
  // `audit_action` names the audit line: "course.update" for the admin API, "course.edit" for the console.
  void patch_course(std::int64_t id, CoursePatch patch, Callback<core::Course> done,
                    std::optional<AuditBy> audit = std::nullopt, std::optional<OnceKey> once = std::nullopt,
                    std::string audit_action = "course.update");
  Result<std::vector<core::Course>> all_courses();
  Result<core::Course> course(std::int64_t id);
  Result<std::vector<core::Application>> course_applications(std::int64_t id,
                                                             std::optional<core::ApplicationState> state,
                                                             std::size_t limit);
  void record_prerequisite(PrerequisiteProof proof, Callback<ProofOutput> done,
                           std::optional<AuditBy> audit = std::nullopt);

  // The scheduler's work at `now`: decision times (card 5), bill due dates, course ends (card 8)
  // and reminders. Each course's step runs in its own transaction that re-reads the course, so a
  // tick run twice, or by two processes, does each thing once.
  TickReport tick(core::Instant now);

  const core::Enrollment& enrollment() const { return enrollment_; }
  const CardDriver& driver() const { return driver_; }
  const Clock& clock() const { return clock_; }
  store::Store& store() { return store_; }

 private:
  store::Store& store_;
  const Config& config_;
  const Clock& clock_;
  core::Enrollment enrollment_;
  CardDriver driver_;
};

}  // namespace cg::gateway
