#include "gateway/app/secret_refs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cg::gateway {
namespace {

using nlohmann::json;

Error bad(const std::string& key, const std::string& what) { return make_error("invalid_config", key + ": " + what); }

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '.')) {
    if (part.size() > 2 && part.ends_with("[]")) {
      out.push_back(part.substr(0, part.size() - 2));
      out.emplace_back("[]");
    } else {
      out.push_back(part);
    }
  }
  return out;
}

Result<std::string> read_secret_file(const std::string& key, const std::string& path) {
  // POSIX reads, so a directory or an unreadable file fails with its own reason (EISDIR, EACCES).
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return bad(key, "cannot read secret file " + path + ": " + std::strerror(errno));
  std::string value;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return bad(key, "cannot read secret file " + path + ": " + std::strerror(err));
    }
    if (n == 0) break;
    value.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  // Editors and `echo` end a file with a newline that is not part of the secret.
  if (value.ends_with("\r\n"))
    value.resize(value.size() - 2);
  else if (value.ends_with('\n'))
    value.pop_back();
  return value;
}

Status resolve_one(json& node, const std::string& key, const SecretSources& sources) {
  if (!node.is_object()) return ok_status();  // a literal, or something the reader refuses by type
  const char* shape = R"(must be a string, {"file": "/path"} or {"env": "NAME"})";
  if (node.size() != 1) return bad(key, shape);
  auto it = node.begin();
  if (!it.value().is_string() || it.value().get<std::string>().empty()) return bad(key, shape);
  const std::string where = it.value().get<std::string>();
  if (it.key() == "file") {
    auto value = read_secret_file(key, where);
    if (!value) return value.error();
    node = *value;
    return ok_status();
  }
  if (it.key() == "env") {
    auto value = sources.env ? sources.env(where) : std::nullopt;
    if (!value) return bad(key, "environment variable " + where + " is not set");
    node = *value;
    return ok_status();
  }
  return bad(key, shape);
}

Status resolve_at(json& node, const std::vector<std::string>& parts, std::size_t i, const std::string& key,
                  const SecretSources& sources) {
  if (i == parts.size()) return resolve_one(node, key, sources);
  if (parts[i] == "[]") {
    if (!node.is_array()) return ok_status();
    for (std::size_t n = 0; n < node.size(); ++n)
      if (auto s = resolve_at(node[n], parts, i + 1, key + "[" + std::to_string(n) + "]", sources); !s) return s;
    return ok_status();
  }
  if (!node.is_object()) return ok_status();
  auto it = node.find(parts[i]);
  if (it == node.end()) return ok_status();
  return resolve_at(*it, parts, i + 1, key.empty() ? parts[i] : key + "." + parts[i], sources);
}

}  // namespace

const std::vector<std::string>& secret_key_paths() {
  // Every key config.cpp's secrets_of() checks, and store.url for a MySQL password.
  static const std::vector<std::string> paths{
      "admin_token",
      "exam_secret",
      "website.api_keys[]",
      "store.url",
      "inbound.kannel.key",
      "inbound.twilio.auth_token",
      "inbound.infobip.password",
      "inbound.infobip.header_value",
      "inbound.africastalking.key",
      "efawateercom.basic_auth_password",
      "sms.providers[].password",
      "sms.providers[].dlr_key",
      "sms.providers[].auth_token",
      "sms.providers[].api_key",
      "sms.providers[].report_password",
  };
  return paths;
}

SecretSources process_secret_sources() {
  return SecretSources{.env = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  }};
}

Status resolve_secret_refs(json& root, const SecretSources& sources) {
  for (const auto& path : secret_key_paths())
    if (auto s = resolve_at(root, split(path), 0, "", sources); !s) return s;
  return ok_status();
}

}  // namespace cg::gateway
