#include "gateway/service/card_driver.hpp"

#include <deque>
#include <string_view>
#include <unordered_set>

#include "adapters/crypto/crypto.hpp"
#include "adapters/payment/efawateercom/billing_number.hpp"
#include "core/sms.hpp"

namespace cg::gateway {

using core::Application;
using core::ApplicationState;
using core::Course;
using core::Instant;
using core::Outcome;

TxMinter::TxMinter(store::Tx& tx) : tx_(tx) {}

std::string TxMinter::exam_token() { return crypto::random_token128(); }

std::string TxMinter::billing_number() {
  auto seq = tx_.next_sequence("billing");
  if (!seq) {
    if (!error_) error_ = seq.error();
    return "0000000000";
  }
  // 9 digits before the check digit: 100000001, 100000002, ...
  return efawateercom::make_billing_number(100'000'000ULL + static_cast<std::uint64_t>(*seq));
}

CardDriver::CardDriver(const core::Enrollment& enrollment, const templates::Catalogue& catalogue, const Config& config)
    : enrollment_(enrollment), catalogue_(catalogue), config_(config) {}

Result<store::OutboxMessage> CardDriver::render(const core::Notification& n, Instant now) const {
  auto text = catalogue_.render(n.message, templates::RenderSettings{config_.utc_offset});
  if (!text)
    return make_error("render_error",
                      std::string(core::to_string(n.message.template_id)) + ": " + text.error().message);
  store::OutboxMessage m;
  m.application_id = n.application_id;
  m.to = n.to;
  m.text = std::move(*text);
  m.template_name = std::string(core::to_string(n.message.template_id));
  m.language = n.message.language;
  m.step = n.step;
  m.segments = core::measure_sms(m.text).segments;
  m.created_at = now;
  m.next_attempt_at = now;
  return m;
}

Status CardDriver::commit(store::Tx& tx, Outcome first, Instant now, TxMinter& minter) const {
  std::deque<Outcome> pending;
  pending.push_back(std::move(first));
  while (!pending.empty()) {
    Outcome o = std::move(pending.front());
    pending.pop_front();
    if (minter.error()) return *minter.error();
    if (auto s = tx.save_course(o.course); !s) return s;
    // Applications whose first history line is in this outcome are new. A set, not a scan per
    // application: a quorum of 10,000 would otherwise compare 10^8 ids (the outbox benchmark).
    std::unordered_set<std::string_view> created;
    for (const auto& h : o.history)
      if (!h.from) created.insert(h.application_id);
    for (const auto& a : o.applications) {
      const bool is_new = created.contains(a.id);
      if (auto s = is_new ? tx.insert_application(a) : tx.save_application(a); !s) return s;
    }
    for (const auto& h : o.history)
      if (auto s = tx.add_history(h); !s) return s;
    for (const auto& p : o.passes)
      if (auto s = tx.add_pass(p, now); !s) return s;
    for (const auto& n : o.notifications) {
      // SPEC §3: a number that sent STOP gets nothing until START.
      auto stopped = tx.opted_out(n.to);
      if (!stopped) return stopped.error();
      if (*stopped) continue;
      auto m = render(n, now);
      if (!m) return m.error();
      if (auto id = tx.enqueue(*m); !id) return id.error();
    }
    for (const auto& f : o.follow_ups) {
      std::int64_t course_id = std::visit([](const auto& x) { return x.course_id; }, f);
      auto course = tx.course(course_id);
      if (!course) return course.error();
      if (!*course) return make_error("store_error", "course vanished during a follow-up");
      const Course& c = **course;
      Result<Outcome> next = make_error("none", "");
      if (std::holds_alternative<core::QuorumReached>(f)) {
        if (c.quorum_reached) continue;
        const ApplicationState waiting_state[] = {ApplicationState::awaiting_quorum};
        auto waiting = tx.applications(c.id, waiting_state);
        if (!waiting) return waiting.error();
        std::vector<bool> passes;
        for (const auto& a : *waiting) {
          bool has = false;
          if (c.prerequisite) {
            auto p = tx.has_pass(a.applicant.id_type, a.applicant.id_number, *c.prerequisite);
            if (!p) return p.error();
            has = *p;
          }
          passes.push_back(has);
        }
        next = enrollment_.on_quorum(c, *waiting, passes, now, minter);
      } else {
        if (!c.has_free_seat() || c.status != core::CourseStatus::open) continue;
        const ApplicationState wl_state[] = {ApplicationState::waitlisted};
        auto first = tx.applications(c.id, wl_state, 1);
        if (!first) return first.error();
        if (first->empty()) continue;
        const Application& a = first->front();
        bool has = false;
        if (c.prerequisite) {
          auto p = tx.has_pass(a.applicant.id_type, a.applicant.id_number, *c.prerequisite);
          if (!p) return p.error();
          has = *p;
        }
        next = enrollment_.on_seat_freed(c, a, has, now, minter);
      }
      if (!next) return make_error("internal_error", "follow-up refused: " + next.error().message);
      // Later outcomes must see this one's course: it was saved above, and each follow-up
      // re-reads it, so they run strictly in order.
      if (auto s = commit(tx, std::move(*next), now, minter); !s) return s;
    }
  }
  return ok_status();
}

}  // namespace cg::gateway
