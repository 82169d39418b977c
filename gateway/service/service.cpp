#include "gateway/service/service.hpp"

#include <algorithm>
#include <deque>

#include <nlohmann/json.hpp>

#include "adapters/crypto/crypto.hpp"
#include "core/applicant.hpp"
#include "core/text.hpp"
#include "gateway/service/commands.hpp"

namespace cg::gateway {

using core::Application;
using core::ApplicationState;
using core::Course;
using core::Instant;
using core::Outcome;

namespace {
Error not_found(const std::string& what) { return make_error("not_found", what + " not found"); }
}  // namespace

Service::Service(store::Store& store, const templates::Catalogue& catalogue, const Config& config, const Clock& clock)
    : store_(store),
      config_(config),
      clock_(clock),
      enrollment_(config.policy),
      driver_(enrollment_, catalogue, config) {}

Result<bool> first_use(store::Tx& tx, std::string_view source, const OnceKey& once, Instant now) {
  auto fresh = tx.record_event(source, once.key, once.request_hash, now);
  if (!fresh) return fresh.error();
  if (*fresh) return true;
  auto prior = tx.event_summary(source, once.key);
  if (!prior) return prior.error();
  if (prior->value_or("") != once.request_hash)
    return make_error("idempotency_key_reused", "this Idempotency-Key was used with another request");
  return false;
}

// ---- website and channels --------------------------------------------------------------------

void Service::apply(ApplyInput in, Callback<ApplyOutput> done) {
  run_command<ApplyOutput>(
      store_,
      [this, in = std::move(in)](store::Tx& tx) -> Result<ApplyOutput> {
        Instant now = clock_.now();
        std::string id = crypto::ordered_id128_hex();
        if (!in.idempotency_key.empty()) {
          // A repeat of an acknowledged request answers with what the first one created. A
          // request that failed left no event behind (its savepoint was rolled back). The event
          // keeps the request's hash next to the id: the key answers only the request it came with.
          std::string summary = in.request_hash.empty() ? id : id + " " + in.request_hash;
          auto fresh = tx.record_event("apply", in.idempotency_key, summary, now);
          if (!fresh) return fresh.error();
          if (!*fresh) {
            auto prior_summary = tx.event_summary("apply", in.idempotency_key);
            if (!prior_summary) return prior_summary.error();
            const std::string stored = prior_summary->value_or("");
            const auto space = stored.find(' ');
            const std::string prior_id = stored.substr(0, space);
            const std::string prior_hash = space == std::string::npos ? std::string() : stored.substr(space + 1);
            if (prior_hash != in.request_hash)
              return make_error("idempotency_key_reused", "this Idempotency-Key was used with another request");
            auto prior = tx.application(prior_id);
            if (!prior) return prior.error();
            if (!*prior) return make_error("store_error", "the application of this Idempotency-Key is missing");
            return ApplyOutput{(*prior)->id, (*prior)->state, true};
          }
        }
        if (in.daily_caps)
          if (auto s = check_daily_caps(tx, in, now); !s) return s.error();
        return apply_in(tx, in, now, id);
      },
      std::move(done));
}

// One phone number or one identity document may start only so many applications in 24 hours:
// each costs an SMS and may take a seat. Refused with the time until the oldest of them leaves
// the window.
Status Service::check_daily_caps(store::Tx& tx, const ApplyInput& in, Instant now) {
  constexpr auto kDay = std::chrono::hours(24);
  // The last 24 hours: an application exactly 24 hours old has left them (so Retry-After is exact).
  const Instant since = now - kDay + std::chrono::seconds(1);
  auto refuse = [&](const store::RecentApplications& recent, const char* what) {
    Error e = make_error("too_many_applications", std::string("too many applications for this ") + what +
                                                      " in the last 24 hours; try again later");
    auto until = recent.oldest.value_or(now) + kDay;
    if (in.retry_after_s)
      *in.retry_after_s = std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(until - now).count());
    return e;
  };
  auto by_phone = tx.applications_by_phone_since(in.applicant.phone, since);
  if (!by_phone) return by_phone.error();
  if (by_phone->count >= config_.website.applications_per_phone_per_day) return refuse(*by_phone, "phone number");
  auto by_document = tx.applications_of_document_since(in.applicant.id_type, in.applicant.id_number, since);
  if (!by_document) return by_document.error();
  if (by_document->count >= config_.website.applications_per_document_per_day)
    return refuse(*by_document, "identity document");
  return ok_status();
}

// The one path by which an application is created, from any channel (website, SMS, USSD), so they
// all create applications identically.
Result<ApplyOutput> Service::apply_in(store::Tx& tx, const ApplyInput& in, Instant now, const std::string& id) {
  auto course = tx.course(in.course_id);
  if (!course) return course.error();
  if (!*course) return make_error("unknown_course", "course " + std::to_string(in.course_id) + " does not exist");
  const Course& c = **course;
  auto live = tx.live_applications_of(in.applicant.id_type, in.applicant.id_number);
  if (!live) return live.error();
  for (const auto& a : *live)
    if (a.course_id == c.id)
      return make_error("duplicate_application",
                        "this identity document already has an active application for course " + c.code);
  auto seq = tx.next_sequence("application");
  if (!seq) return seq.error();
  Application app;
  app.id = id;
  app.course_id = c.id;
  app.seq = *seq;
  app.applicant = in.applicant;
  app.channel = in.channel;
  bool has = false;
  if (c.prerequisite) {
    auto p = tx.has_pass(in.applicant.id_type, in.applicant.id_number, *c.prerequisite);
    if (!p) return p.error();
    has = *p;
  }
  TxMinter minter(tx);
  auto outcome = enrollment_.receive(c, app, has, now, minter);
  if (!outcome) return outcome.error();
  // The state the outcome gives the application is final unless a follow-up (the minimum reached,
  // a seat offered) moves it on; only then is it read back.
  std::optional<ApplicationState> state;
  if (outcome->follow_ups.empty())
    for (const auto& a : outcome->applications)
      if (a.id == app.id) state = a.state;
  if (auto s = driver_.commit(tx, std::move(*outcome), now, minter); !s) return s.error();
  if (!state) {
    auto stored = tx.application(app.id);
    if (!stored) return stored.error();
    if (!*stored) return make_error("store_error", "the new application is missing");
    state = (*stored)->state;
  }
  return ApplyOutput{app.id, *state, false};
}

void Service::exam_result(ExamInput in, Callback<ExamOutput> done) {
  run_command<ExamOutput>(
      store_,
      [this, in = std::move(in)](store::Tx& tx) -> Result<ExamOutput> {
        Instant now = clock_.now();
        auto app = tx.application_by_exam_token(in.token);
        if (!app) return app.error();
        if (!*app) return make_error("unknown_token", "no application has this exam token");
        const Application& a = **app;
        std::string result = in.passed ? "pass" : "fail";
        // The exam system retries until it gets a 2xx: the same result again is acknowledged
        // and changes nothing; a different result for a used token is a conflict.
        auto fresh = tx.record_event("exam", in.token, result, now);
        if (!fresh) return fresh.error();
        if (!*fresh) {
          auto h = tx.history(a.id);
          if (!h) return h.error();
          for (const auto& e : *h)
            if (e.event == "exam_result:" + result) return ExamOutput{a.id, a.state, true};
          return make_error("result_conflict", "a different result was already recorded for this token");
        }
        auto course = tx.course(a.course_id);
        if (!course) return course.error();
        TxMinter minter(tx);
        auto outcome = enrollment_.on_exam_result(**course, a, in.passed, now, minter);
        if (!outcome) return outcome.error();
        if (auto s = driver_.commit(tx, std::move(*outcome), now, minter); !s) return s.error();
        auto stored = tx.application(a.id);
        if (!stored) return stored.error();
        return ExamOutput{a.id, (*stored)->state, false};
      },
      std::move(done));
}

void Service::cancel(std::string application_id, core::Actor by, Callback<core::ApplicationState> done,
                     std::optional<AuditBy> audit_by) {
  run_command<core::ApplicationState>(
      store_,
      [this, id = std::move(application_id), by,
       audit_by = std::move(audit_by)](store::Tx& tx) -> Result<core::ApplicationState> {
        Instant now = clock_.now();
        auto app = tx.application(id);
        if (!app) return app.error();
        if (!*app) return not_found("application");
        auto course = tx.course((*app)->course_id);
        if (!course) return course.error();
        auto outcome = enrollment_.cancel(**course, **app, by, now);
        if (!outcome) return outcome.error();
        TxMinter minter(tx);
        std::string before = "{\"state\":\"" + std::string(core::to_string((*app)->state)) + "\"}";
        if (auto s = driver_.commit(tx, std::move(*outcome), now, minter); !s) return s.error();
        if (auto s = audit(tx, audit_by, now, "application.cancel", "application:" + id, std::move(before),
                           "{\"state\":\"cancelled\"}");
            !s)
          return s.error();
        return core::ApplicationState::cancelled;
      },
      std::move(done));
}

Result<ApplicationView> Service::application(const std::string& id) {
  std::optional<ApplicationView> view;
  Status s = store_.read([&](store::Tx& tx) -> Status {
    auto app = tx.application(id);
    if (!app) return app.error();
    if (!*app) return not_found("application");
    auto course = tx.course((*app)->course_id);
    if (!course) return course.error();
    auto history = tx.history(id);
    if (!history) return history.error();
    view = ApplicationView{**app, **course, std::move(*history)};
    return ok_status();
  });
  if (!s) return s.error();
  return std::move(*view);
}

Result<std::vector<Course>> Service::open_courses() {
  std::optional<std::vector<Course>> out;
  Status s = store_.read([&](store::Tx& tx) -> Status {
    auto r = tx.courses(store::CourseFilter{true, clock_.now()});
    if (!r) return r.error();
    out = std::move(*r);
    return ok_status();
  });
  if (!s) return s.error();
  return std::move(*out);
}

// ---- operators -------------------------------------------------------------------------------

void Service::create_course(Course draft, Callback<Course> done, std::optional<AuditBy> audit_by,
                            std::optional<OnceKey> once) {
  auto valid = core::validate_new_course(std::move(draft));
  if (!valid) return done(valid.error());
  run_command<Course>(
      store_,
      [this, c = std::move(*valid), audit_by = std::move(audit_by),
       once = std::move(once)](store::Tx& tx) mutable -> Result<Course> {
        if (once) {
          // A repeat finds the course its first request created by the code, which is unique.
          auto fresh = first_use(tx, "course.create", *once, clock_.now());
          if (!fresh) return fresh.error();
          if (!*fresh) {
            auto prior = tx.course_by_code(c.code);
            if (!prior) return prior.error();
            if (!*prior) return make_error("store_error", "the course of this Idempotency-Key is missing");
            return **prior;
          }
        }
        // Applicants type codes in any case (an SMS "join ab7"), so two codes that differ only in
        // case could not be told apart; the store's own uniqueness is exact.
        auto existing = tx.courses(store::CourseFilter{});
        if (!existing) return existing.error();
        for (const auto& other : *existing)
          if (other.code != c.code && core::text::equal_ignoring_ascii_case(other.code, c.code))
            return make_error("duplicate_course", "course code " + c.code + " differs only in case from course " +
                                                      other.code + "'s; applicants type codes in any case");
        auto id = tx.insert_course(c);
        if (!id) return id.error();
        c.id = *id;
        if (auto s = audit(tx, audit_by, clock_.now(), "course.create", "course:" + std::to_string(c.id), "",
                           course_audit_json(c));
            !s)
          return s.error();
        return c;
      },
      std::move(done));
}

void Service::patch_course(std::int64_t id, CoursePatch patch, Callback<Course> done, std::optional<AuditBy> audit_by,
                           std::optional<OnceKey> once, std::string audit_action) {
  run_command<Course>(
      store_,
      [this, id, patch = std::move(patch), audit_by = std::move(audit_by), once = std::move(once),
       audit_action = std::move(audit_action)](store::Tx& tx) -> Result<Course> {
        Instant now = clock_.now();
        auto course = tx.course(id);
        if (!course) return course.error();
        if (!*course) return not_found("course");
        if (once) {
          // A repeat changes nothing (a second reschedule would send its SMS again): the course as it is.
          auto fresh = first_use(tx, "course.patch", *once, now);
          if (!fresh) return fresh.error();
          if (!*fresh) return **course;
        }
        Course c = **course;
        const std::string before = audit_by ? course_audit_json(c) : std::string();
        if (patch.title_ar) c.title.ar = *patch.title_ar;
        if (patch.title_en) c.title.en = *patch.title_en;
        if (patch.location) c.location = *patch.location;
        if (patch.exam_url) c.exam_url = *patch.exam_url;
        if (patch.evaluation_url) c.evaluation_url = *patch.evaluation_url;
        // Named one by one: the console shows the message next to the field it starts with.
        const std::pair<const char*, bool> empty[] = {{"title_ar", c.title.ar.empty()},
                                                      {"title_en", c.title.en.empty()},
                                                      {"location", c.location.empty()},
                                                      {"evaluation_url", c.evaluation_url.empty()},
                                                      {"exam_url", c.prerequisite && c.exam_url.empty()}};
        for (const auto& [name, is_empty] : empty)
          if (is_empty)
            return make_error("invalid_course",
                              std::string(name) + " must not be empty" +
                                  (std::string_view(name) == "exam_url" ? " (the course has a prerequisite)" : ""));
        if (auto s = tx.save_course(c); !s) return s.error();
        TxMinter minter(tx);
        if (patch.capacity) {
          auto outcome = enrollment_.change_capacity(c, *patch.capacity, now);
          if (!outcome) return outcome.error();
          if (auto s = driver_.commit(tx, std::move(*outcome), now, minter); !s) return s.error();
        }
        if (patch.start_at || patch.end_at || patch.decision_at) {
          auto current = tx.course(id);
          if (!current) return current.error();
          c = **current;
          core::Reschedule r{patch.start_at.value_or(c.start_at), patch.end_at.value_or(c.end_at), patch.decision_at};
          auto live = tx.applications(c.id, core::kLiveStates);
          if (!live) return live.error();
          auto outcome = enrollment_.reschedule(c, r, *live, now);
          if (!outcome) return outcome.error();
          if (auto s = driver_.commit(tx, std::move(*outcome), now, minter); !s) return s.error();
        }
        auto after = tx.course(id);
        if (!after) return after.error();
        if (auto s = audit(tx, audit_by, now, audit_action, "course:" + std::to_string(id), before,
                           audit_by ? course_audit_json(**after) : std::string());
            !s)
          return s.error();
        return **after;
      },
      std::move(done));
}

Result<std::vector<Course>> Service::all_courses() {
  std::optional<std::vector<Course>> out;
  Status s = store_.read([&](store::Tx& tx) -> Status {
    auto r = tx.courses(store::CourseFilter{});
    if (!r) return r.error();
    out = std::move(*r);
    return ok_status();
  });
  if (!s) return s.error();
  return std::move(*out);
}

Result<Course> Service::course(std::int64_t id) {
  std::optional<Course> out;
  Status s = store_.read([&](store::Tx& tx) -> Status {
    auto r = tx.course(id);
    if (!r) return r.error();
    if (!*r) return not_found("course");
    out = std::move(**r);
    return ok_status();
  });
  if (!s) return s.error();
  return std::move(*out);
}

Result<std::vector<Application>> Service::course_applications(std::int64_t id, std::optional<ApplicationState> state,
                                                              std::size_t limit) {
  std::optional<std::vector<Application>> out;
  Status s = store_.read([&](store::Tx& tx) -> Status {
    auto c = tx.course(id);
    if (!c) return c.error();
    if (!*c) return not_found("course");
    std::vector<ApplicationState> states;
    if (state)
      states.push_back(*state);
    else
      states.assign(core::kAllApplicationStates.begin(), core::kAllApplicationStates.end());
    auto r = tx.applications(id, states, limit);
    if (!r) return r.error();
    out = std::move(*r);
    return ok_status();
  });
  if (!s) return s.error();
  return std::move(*out);
}

void Service::record_prerequisite(PrerequisiteProof proof, Callback<ProofOutput> done,
                                  std::optional<AuditBy> audit_by) {
  run_command<ProofOutput>(
      store_,
      [this, proof = std::move(proof), audit_by = std::move(audit_by)](store::Tx& tx) -> Result<ProofOutput> {
        Instant now = clock_.now();
        ProofOutput out;
        auto had = tx.has_pass(proof.id_type, proof.id_number, proof.prerequisite);
        if (!had) return had.error();
        out.recorded = !*had;
        if (!*had) {
          core::PrerequisitePass p{proof.id_type, proof.id_number, proof.prerequisite, "operator"};
          if (auto s = tx.add_pass(p, now); !s) return s.error();
        }
        // Card 6.2 / 7.2: applications still waiting for the exam on a course with this
        // prerequisite go ahead as if the pass had been on record.
        auto live = tx.live_applications_of(proof.id_type, proof.id_number);
        if (!live) return live.error();
        TxMinter minter(tx);
        for (const auto& a : *live) {
          if (a.state != ApplicationState::awaiting_exam) continue;
          auto c = tx.course(a.course_id);
          if (!c) return c.error();
          if (!(*c)->prerequisite || *(*c)->prerequisite != proof.prerequisite) continue;
          auto outcome = enrollment_.on_prerequisite_proof(**c, a, now, minter);
          if (!outcome) return outcome.error();
          if (auto s = driver_.commit(tx, std::move(*outcome), now, minter); !s) return s.error();
          out.applications.push_back(a.id);
        }
        // The audit log names the document masked, as logs do (core/applicant.hpp).
        nlohmann::json after{
            {"prerequisite", proof.prerequisite}, {"recorded", out.recorded}, {"applications", out.applications}};
        if (auto s = audit(
                tx, audit_by, now, "prerequisite.record",
                "document:" + std::string(core::to_string(proof.id_type)) + ":" + core::mask_id_number(proof.id_number),
                "", after.dump());
            !s)
          return s.error();
        return out;
      },
      std::move(done));
}

// ---- scheduler -------------------------------------------------------------------------------

TickReport Service::tick(Instant now) {
  TickReport report;
  auto courses = all_courses();
  if (!courses) {
    ++report.errors;
    return report;
  }
  // Each step re-reads its course inside the write and asks core again: a refusal there means
  // another tick (or process) already did it, which is not an error.
  auto step = [&](std::int64_t course_id, auto decide) -> bool {
    auto r = run_sync<bool>(store_, [&](store::Tx& tx) -> Result<bool> {
      auto c = tx.course(course_id);
      if (!c) return c.error();
      if (!*c) return false;
      Result<Outcome> outcome = decide(tx, **c);
      if (!outcome) return false;
      TxMinter minter(tx);
      if (auto s = driver_.commit(tx, std::move(*outcome), now, minter); !s) return s.error();
      return true;
    });
    if (!r) {
      ++report.errors;
      return false;
    }
    return *r;
  };
  for (const Course& c : *courses) {
    if (c.status != core::CourseStatus::open) continue;
    if (!c.quorum_reached && now >= c.decision_at) {
      // card 5
      report.postponed_courses += step(c.id, [&](store::Tx& tx, const Course& fresh) -> Result<Outcome> {
        auto active = tx.applications(fresh.id, core::kActiveStates);
        if (!active) return active.error();
        return enrollment_.on_decision_time(fresh, *active, now);
      });
      continue;
    }
    if (c.quorum_reached && !c.reminder_sent && now >= c.start_at - config_.policy.reminder_before &&
        now < c.start_at) {
      report.reminded_courses += step(c.id, [&](store::Tx& tx, const Course& fresh) -> Result<Outcome> {
        const ApplicationState s[] = {ApplicationState::confirmed};
        auto confirmed = tx.applications(fresh.id, s);
        if (!confirmed) return confirmed.error();
        return enrollment_.remind(fresh, *confirmed, now);
      });
    }
    if (c.quorum_reached && now >= c.end_at) {
      // card 8
      report.ended_courses += step(c.id, [&](store::Tx& tx, const Course& fresh) -> Result<Outcome> {
        const ApplicationState s[] = {ApplicationState::confirmed};
        auto confirmed = tx.applications(fresh.id, s);
        if (!confirmed) return confirmed.error();
        return enrollment_.on_course_ended(fresh, *confirmed, now);
      });
    }
  }
  // Bills past their due date: expired, seat released.
  for (;;) {
    std::optional<std::vector<Application>> due;
    Status s = store_.read([&](store::Tx& tx) -> Status {
      auto r = tx.bills_due(now, 200);
      if (!r) return r.error();
      due = std::move(*r);
      return ok_status();
    });
    if (!s) {
      ++report.errors;
      break;
    }
    int done_now = 0;
    for (const auto& a : *due) {
      bool did = false;
      auto r = run_sync<bool>(store_, [&](store::Tx& tx) -> Result<bool> {
        auto fresh = tx.application(a.id);
        if (!fresh) return fresh.error();
        if (!*fresh) return false;
        auto c = tx.course(a.course_id);
        if (!c) return c.error();
        auto outcome = enrollment_.on_bill_due(**c, **fresh, now);
        if (!outcome) return false;
        TxMinter minter(tx);
        if (auto st = driver_.commit(tx, std::move(*outcome), now, minter); !st) return st.error();
        return true;
      });
      if (!r)
        ++report.errors;
      else
        did = *r;
      done_now += did;
    }
    report.expired_bills += done_now;
    if (due->size() < 200 || done_now == 0) break;
  }
  return report;
}

}  // namespace cg::gateway
