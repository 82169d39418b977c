// Managing console operators, for the console's Operators page and the `course-gateway operator`
// command alike: each change is one store write with its audit line. Passwords arrive hashed
// (adapters/crypto/password.hpp): hashing is slow and the callers choose where it runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "adapters/store/store.hpp"
#include "gateway/console/auth.hpp"
#include "gateway/service/audit.hpp"

namespace cg::gateway::console {

// An operator as the console and the audit log show it: never the hash.
std::string operator_audit_json(const store::Operator& o);

// "invalid_operator" for a bad username; "duplicate_operator" for a name on record.
Result<store::Operator> add_operator(store::Store& store, const std::string& username, Role role,
                                     const std::string& password_hash, const AuditBy& by, core::Instant now);
// Disables the operator and ends every session of theirs. "operator_not_found" when unknown.
Result<store::Operator> disable_operator(store::Store& store, const std::string& username, const AuditBy& by,
                                         core::Instant now);
// A new password; enables the account again (a reset is how an operator gets back in) and ends
// every session of theirs.
Result<store::Operator> reset_operator(store::Store& store, const std::string& username,
                                       const std::string& password_hash, const AuditBy& by, core::Instant now);
Result<std::vector<store::Operator>> list_operators(store::Store& store);

}  // namespace cg::gateway::console
