#include "gateway/console/operators.hpp"

#include <functional>

#include <nlohmann/json.hpp>

#include "core/time.hpp"

namespace cg::gateway::console {
namespace {

Error not_found(const std::string& username) {
  return make_error("operator_not_found", "no operator named '" + username + "'");
}

// Reads the operator by name in the write, changes it with `change`, saves it, ends its sessions
// and writes the audit line: one transaction.
Result<store::Operator> change_operator(store::Store& store, const std::string& username, const AuditBy& by,
                                        core::Instant now, const std::string& action,
                                        const std::function<void(store::Operator&)>& change) {
  std::optional<store::Operator> out;
  Status s = store.write_sync([&](store::Tx& tx) -> Status {
    auto found = tx.operator_by_name(username);
    if (!found) return found.error();
    if (!*found) return not_found(username);
    store::Operator o = **found;
    const std::string before = operator_audit_json(o);
    change(o);
    if (auto saved = tx.save_operator(o); !saved) return saved;
    if (auto ended = tx.delete_console_sessions_of(o.id); !ended) return ended.error();
    if (auto a = audit(tx, by, now, action, "operator:" + o.username, before, operator_audit_json(o)); !a) return a;
    out = std::move(o);
    return ok_status();
  });
  if (!s) return s.error();
  return std::move(*out);
}

}  // namespace

std::string operator_audit_json(const store::Operator& o) {
  nlohmann::json j{{"id", o.id},
                   {"username", o.username},
                   {"role", o.role},
                   {"disabled", o.disabled},
                   {"password_changed_at", core::format_iso8601_utc(o.password_changed_at)}};
  return j.dump();
}

Result<store::Operator> add_operator(store::Store& store, const std::string& username, Role role,
                                     const std::string& password_hash, const AuditBy& by, core::Instant now) {
  if (!valid_username(username))
    return make_error("invalid_operator", "username: 1 to 64 of a-z, 0-9, '.', '_' and '-'");
  store::Operator o;
  o.username = username;
  o.role = std::string(to_string(role));
  o.password_hash = password_hash;
  o.created_at = now;
  o.password_changed_at = now;
  Status s = store.write_sync([&](store::Tx& tx) -> Status {
    auto id = tx.insert_operator(o);
    if (!id) return id.error();
    o.id = *id;
    return audit(tx, by, now, "operator.add", "operator:" + o.username, "", operator_audit_json(o));
  });
  if (!s) return s.error();
  return o;
}

Result<store::Operator> disable_operator(store::Store& store, const std::string& username, const AuditBy& by,
                                         core::Instant now) {
  return change_operator(store, username, by, now, "operator.disable", [](store::Operator& o) { o.disabled = true; });
}

Result<store::Operator> reset_operator(store::Store& store, const std::string& username,
                                       const std::string& password_hash, const AuditBy& by, core::Instant now) {
  return change_operator(store, username, by, now, "operator.reset", [&](store::Operator& o) {
    o.password_hash = password_hash;
    o.password_changed_at = now;
    o.disabled = false;
  });
}

Result<std::vector<store::Operator>> list_operators(store::Store& store) {
  std::optional<std::vector<store::Operator>> out;
  Status s = store.read([&](store::Tx& tx) -> Status {
    auto all = tx.operators();
    if (!all) return all.error();
    out = std::move(*all);
    return ok_status();
  });
  if (!s) return s.error();
  return std::move(*out);
}

}  // namespace cg::gateway::console
