// A small in-memory course book for core tests and benchmarks: it applies Outcomes the way the
// gateway's store does (save course and applications, remember passes, collect notifications)
// and runs follow-ups until none is left, so a test can play a whole card path.
#pragma once

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/enrollment.hpp"

namespace cg::core::testing {

class CountingMinter : public Minter {
 public:
  std::string exam_token() override { return "tok" + std::to_string(++tokens_); }
  std::string billing_number() override { return std::to_string(1000000000 + ++bills_); }

 private:
  int tokens_ = 0;
  int bills_ = 0;
};

inline Instant at(const char* iso) {
  auto r = parse_iso8601(iso);
  if (!r) throw std::runtime_error(r.error().message);
  return *r;
}

// A course as the sample data has them; tests change what they need.
inline Course sample_course(std::int64_t id = 1) {
  Course c;
  c.id = id;
  c.code = std::to_string(100 + id);
  c.title = {"مهارات الحاسوب الأساسية", "Basic Computer Skills"};
  c.location = "مركز الحسين الثقافي – رأس العين";
  c.start_at = at("2026-12-10T13:00:00Z");
  c.end_at = at("2026-12-14T16:00:00Z");
  c.decision_at = c.start_at;
  c.min_participants = 3;
  c.fee = Fils{0};
  c.exam_url = "https://exam.amman.jo/placement";
  c.evaluation_url = "https://amman.jo/eval/101";
  return c;
}

class CourseBook {
 public:
  explicit CourseBook(Policy policy = {}) : enrollment_(std::move(policy)) {}

  Course& add_course(Course c) {
    auto v = validate_new_course(std::move(c));
    if (!v) throw std::runtime_error(v.error().message);
    return courses_[v->id] = *v;
  }
  Course& course(std::int64_t id) { return courses_.at(id); }
  Application& app(const std::string& id) { return apps_.at(id); }
  const std::vector<Notification>& sent() const { return sent_; }
  std::vector<Notification> take_sent() { return std::exchange(sent_, {}); }
  const std::vector<HistoryEntry>& history() const { return history_; }
  void record_pass(const Applicant& a, const std::string& prereq) { passes_.insert(key(a, prereq)); }
  const Enrollment& enrollment() const { return enrollment_; }
  CountingMinter& minter() { return minter_; }

  static Applicant person(int n, Language lang = Language::ar) {
    Applicant a;
    a.phone = "+96279" + std::to_string(1000000 + n);
    a.name = "Applicant " + std::to_string(n);
    a.id_type = IdType::national_id;
    a.id_number = std::to_string(9900000000LL + n);
    a.nationality = "JO";
    a.language = lang;
    return a;
  }

  // Apply; returns the application id, or the error code prefixed with '!'.
  std::string apply(std::int64_t course_id, const Applicant& who, Instant now) {
    Application a;
    a.id = "app" + std::to_string(++seq_);
    a.course_id = course_id;
    a.seq = seq_;
    a.applicant = who;
    a.channel = "web";
    const Course& c = courses_.at(course_id);
    auto r = enrollment_.receive(c, a, has_pass(who, c), now, minter_);
    if (!r) return "!" + r.error().code;
    commit(std::move(*r), now);
    return a.id;
  }

  // Applies a result; returns "" or the error code.
  std::string run(Result<Outcome> r, Instant now) {
    if (!r) return r.error().code;
    commit(std::move(*r), now);
    return "";
  }

  std::vector<Application> in_state(std::int64_t course_id, ApplicationState s) const {
    std::vector<Application> out;
    for (const auto& [id, a] : apps_)
      if (a.course_id == course_id && a.state == s) out.push_back(a);
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.seq < y.seq; });
    return out;
  }
  std::vector<Application> where(std::int64_t course_id, bool (*pred)(ApplicationState)) const {
    std::vector<Application> out;
    for (const auto& [id, a] : apps_)
      if (a.course_id == course_id && pred(a.state)) out.push_back(a);
    std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.seq < y.seq; });
    return out;
  }

  bool has_pass(const Applicant& a, const Course& c) const {
    return c.prerequisite && passes_.count(key(a, *c.prerequisite)) > 0;
  }

 private:
  static std::string key(const Applicant& a, const std::string& prereq) {
    return std::to_string(static_cast<int>(a.id_type)) + ":" + a.id_number + ":" + prereq;
  }

  void commit(Outcome o, Instant now) {
    courses_[o.course.id] = o.course;
    for (auto& a : o.applications) apps_[a.id] = a;
    for (auto& n : o.notifications) sent_.push_back(std::move(n));
    for (auto& h : o.history) history_.push_back(std::move(h));
    for (auto& p : o.passes)
      passes_.insert(std::to_string(static_cast<int>(p.id_type)) + ":" + p.id_number + ":" + p.prerequisite);
    for (const auto& f : o.follow_ups) {
      if (std::holds_alternative<QuorumReached>(f)) {
        const Course& c = courses_.at(std::get<QuorumReached>(f).course_id);
        auto waiting = in_state(c.id, ApplicationState::awaiting_quorum);
        std::vector<bool> flags;
        for (const auto& w : waiting) flags.push_back(has_pass(w.applicant, c));
        auto r = enrollment_.on_quorum(c, waiting, flags, now, minter_);
        if (!r) throw std::runtime_error("follow-up on_quorum: " + r.error().message);
        commit(std::move(*r), now);
      } else {
        const Course& c = courses_.at(std::get<SeatFreed>(f).course_id);
        auto wl = in_state(c.id, ApplicationState::waitlisted);
        if (wl.empty() || !c.has_free_seat()) continue;
        auto r = enrollment_.on_seat_freed(c, wl.front(), has_pass(wl.front().applicant, c), now, minter_);
        if (!r) throw std::runtime_error("follow-up on_seat_freed: " + r.error().message);
        commit(std::move(*r), now);
      }
    }
  }

  Enrollment enrollment_;
  CountingMinter minter_;
  std::map<std::int64_t, Course> courses_;
  std::map<std::string, Application> apps_;
  std::set<std::string> passes_;
  std::vector<Notification> sent_;
  std::vector<HistoryEntry> history_;
  int seq_ = 0;
};

}  // namespace cg::core::testing
