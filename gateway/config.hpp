// The gateway's one JSON config file (SPEC §7). Every key is validated at start: an unknown key
// or a bad value stops the start with a message naming it ("store.readers: must be 1 to 64").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/enrollment.hpp"
#include "core/result.hpp"

namespace cg::gateway {

struct ListenConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 2;
};

struct LimitsConfig {
  std::size_t body_bytes = 64 * 1024;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t max_connections = 1024;
};

struct StoreConfig {
  std::string url = "sqlite:var/course-gateway.db";  // or mysql://user:password@host:port/database
  std::size_t readers = 2;
  std::size_t pool = 8;  // MySQL connections
  bool synchronous_full = true;
};

struct FileOutboxConfig {
  std::string path = "var/outbox.jsonl";
};

struct OutboxConfig {
  std::string adapter = "file";  // the embedded default; SMS providers come with their adapters
  FileOutboxConfig file;
  std::size_t batch = 200;
  std::chrono::milliseconds poll{200};
  std::chrono::seconds lease{60};
  int max_attempts = 8;
};

struct SchedulerConfig {
  std::chrono::milliseconds tick{5'000};
};

struct Config {
  ListenConfig listen;
  LimitsConfig limits;
  StoreConfig store;
  std::string admin_token;     // bearer token for /v1/admin
  std::string exam_secret;     // HMAC-SHA256 key of the placement-exam webhook
  OutboxConfig outbox;
  SchedulerConfig scheduler;
  core::Policy policy;
  std::chrono::minutes utc_offset{180};  // Asia/Amman: UTC+3 all year since 2022
  std::string templates_directory;       // empty: the texts built into the binary
  std::string public_base_url = "http://127.0.0.1:8080";  // as providers see us (signatures, callbacks)
};

// Parses and validates; the error names the key and what is wrong with it.
Result<Config> parse_config(std::string_view json_text);
Result<Config> load_config(const std::string& path);

}  // namespace cg::gateway
