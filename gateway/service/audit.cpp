#include "gateway/service/audit.hpp"

#include <nlohmann/json.hpp>

#include "core/time.hpp"

namespace cg::gateway {

std::string course_audit_json(const core::Course& c) {
  nlohmann::json j{
      {"id", c.id},
      {"code", c.code},
      {"title_ar", c.title.ar},
      {"title_en", c.title.en},
      {"location", c.location},
      {"start_at", core::format_iso8601_utc(c.start_at)},
      {"end_at", core::format_iso8601_utc(c.end_at)},
      {"decision_at", core::format_iso8601_utc(c.decision_at)},
      {"min_participants", c.min_participants},
      {"capacity", c.capacity ? nlohmann::json(*c.capacity) : nlohmann::json(nullptr)},
      {"fee_fils", c.fee.value},
      {"prerequisite", c.prerequisite ? nlohmann::json(*c.prerequisite) : nlohmann::json(nullptr)},
      {"exam_url", c.exam_url},
      {"evaluation_url", c.evaluation_url},
      {"status", std::string(core::to_string(c.status))},
  };
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status audit(store::Tx& tx, const std::optional<AuditBy>& by, core::Instant at, std::string action, std::string target,
             std::string before, std::string after) {
  if (!by) return ok_status();
  store::AuditEntry e{
      0, by->actor, at, std::move(action), std::move(target), std::move(before), std::move(after), by->client_address};
  auto id = tx.append_audit(e);
  if (!id) return id.error();
  return ok_status();
}

}  // namespace cg::gateway
