// Secrets kept outside the config file. Every key that holds a password, token or key may be given
// as the literal string or as a reference, resolved before the config is read:
//
//   "admin_token": {"file": "/etc/course-gateway/admin_token"}   the file's contents, one trailing
//                                                                  newline (\n or \r\n) dropped
//   "admin_token": {"env": "CG_ADMIN_TOKEN"}                      the environment variable's value
//
// so the config can be world-readable and kept in version control while the secrets live in files
// only the service user reads (systemd's LoadCredential=, a mounted secret) or in the environment.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.hpp"

namespace cg::gateway {

// The keys that accept a reference, as paths: "[]" stands for every element of a list.
const std::vector<std::string>& secret_key_paths();

// Where references are read from; tests give their own environment.
struct SecretSources {
  std::function<std::optional<std::string>(const std::string& name)> env;  // nullopt: not set
};
SecretSources process_secret_sources();

// Replaces every reference at a secret key by the value it names. An unreadable file, an unset
// variable or a malformed reference is an "invalid_config" error naming the key
// ("sms.providers[0].password: cannot read secret file /run/x: No such file or directory").
// Objects at other keys are left for the config reader to refuse.
Status resolve_secret_refs(nlohmann::json& root, const SecretSources& sources);

}  // namespace cg::gateway
