#include "gateway/console/overview.hpp"

#include "core/applicant.hpp"
#include "core/time.hpp"

namespace cg::gateway::console {
namespace {

using nlohmann::json;

json course_json(const core::Course& c) {
  json tally = json::object();
  for (auto s : core::kAllApplicationStates) tally[std::string(core::to_string(s))] = c.tally[s];
  return json{{"id", c.id},
              {"code", c.code},
              {"title_ar", c.title.ar},
              {"title_en", c.title.en},
              {"status", std::string(core::to_string(c.status))},
              {"start_at", core::format_iso8601_utc(c.start_at)},
              {"decision_at", core::format_iso8601_utc(c.decision_at)},
              {"min_participants", c.min_participants},
              {"capacity", c.capacity ? json(*c.capacity) : json(nullptr)},
              {"active", c.tally.active()},
              {"quorum_reached", c.quorum_reached},
              {"tally", tally}};
}

}  // namespace

Result<json> overview(store::Store& store, core::Instant now, const OverviewSettings& s) {
  json out;
  Status st = store.read([&](store::Tx& tx) -> Status {
    auto courses = tx.courses(store::CourseFilter{});
    if (!courses) return courses.error();
    json list = json::array();
    json by_state = json::object();
    for (auto state : core::kAllApplicationStates) by_state[std::string(core::to_string(state))] = 0;
    json deciding = json::array();
    for (const auto& c : *courses) {
      list.push_back(course_json(c));
      for (auto state : core::kAllApplicationStates)
        by_state[std::string(core::to_string(state))] =
            by_state[std::string(core::to_string(state))].get<int>() + c.tally[state];
      // Card 5: at decision time a course without quorum is postponed; these are about to be.
      if (c.status == core::CourseStatus::open && !c.quorum_reached && c.decision_at <= now + s.decision_window &&
          deciding.size() < s.list_limit)
        deciding.push_back(json{{"id", c.id},
                                {"code", c.code},
                                {"title_ar", c.title.ar},
                                {"title_en", c.title.en},
                                {"decision_at", core::format_iso8601_utc(c.decision_at)},
                                {"active", c.tally.active()},
                                {"min_participants", c.min_participants}});
    }
    auto bills = tx.bills_due(now + s.bill_window, s.list_limit);
    if (!bills) return bills.error();
    auto bill_count = tx.count_bills_due(now + s.bill_window);
    if (!bill_count) return bill_count.error();
    json bill_list = json::array();
    for (const auto& a : *bills)
      bill_list.push_back(json{{"application_id", a.id},
                               {"course_id", a.course_id},
                               {"phone", core::mask_phone(a.applicant.phone)},
                               {"billing_number", a.bill ? a.bill->billing_number : ""},
                               {"amount_fils", a.bill ? a.bill->amount.value : 0},
                               {"due_at", a.bill ? core::format_iso8601_utc(a.bill->due_at) : ""}});
    const core::Instant since = now - s.failed_sms_window;
    auto failed = tx.failed_sms_since(since, s.list_limit);
    if (!failed) return failed.error();
    auto failed_count = tx.count_failed_sms_since(since);
    if (!failed_count) return failed_count.error();
    json failed_list = json::array();
    for (const auto& f : *failed)
      failed_list.push_back(json{{"id", f.id},
                                 {"application_id", f.application_id},
                                 {"to", core::mask_phone(f.to)},
                                 {"template", f.template_name},
                                 {"error", f.last_error},
                                 {"failed_at", f.done_at ? core::format_iso8601_utc(*f.done_at) : ""}});
    out = json{{"now", core::format_iso8601_utc(now)},
               {"courses", std::move(list)},
               {"applications_by_state", std::move(by_state)},
               {"attention", json{{"courses_deciding_without_quorum", std::move(deciding)},
                                  {"bills_due", json{{"count", *bill_count}, {"items", std::move(bill_list)}}},
                                  {"failed_sms", json{{"count", *failed_count}, {"items", std::move(failed_list)}}},
                                  {"windows_hours", json{{"decision", s.decision_window.count()},
                                                         {"bills", s.bill_window.count()},
                                                         {"failed_sms", s.failed_sms_window.count()}}}}}};
    return ok_status();
  });
  if (!st) return st.error();
  return out;
}

}  // namespace cg::gateway::console
