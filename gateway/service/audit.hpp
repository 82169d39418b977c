// Who asked for a change, for the audit log (docs/console.md): the operator signed in to the
// console, or "api" for the admin bearer token. The change and its audit line are written in one
// transaction, so there is never one without the other.
#pragma once

#include <optional>
#include <string>

#include "adapters/store/store.hpp"
#include "core/domain.hpp"

namespace cg::gateway {

struct AuditBy {
  std::string actor;  // operator username, or "api"
  std::string client_address;
};

inline constexpr std::string_view kApiActor = "api";

// A course as the audit log shows it before and after a change: every field an operator sets,
// and the status the gateway moved it to. JSON text.
std::string course_audit_json(const core::Course& c);

// Appends one line when `by` is set (a change nobody asked for through the admin API or the
// console, such as the scheduler's, is not audited here).
Status audit(store::Tx& tx, const std::optional<AuditBy>& by, core::Instant at, std::string action, std::string target,
             std::string before, std::string after);

}  // namespace cg::gateway
