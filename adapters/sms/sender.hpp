// What every outbound SMS adapter offers the dispatcher: send a batch, say per message whether
// the provider accepted it, refused it for good, or failed in a way worth retrying.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "adapters/store/store.hpp"

namespace cg::sms {

struct SendResult {
  enum class Kind { accepted, temporary, permanent };
  SendResult() = default;
  SendResult(Kind k, std::string id, std::string err)
      : kind(k), provider_message_id(std::move(id)), error(std::move(err)) {}

  Kind kind = Kind::accepted;
  std::string provider_message_id;  // when accepted (empty when the provider gives none, as Kannel)
  std::string error;                // when not
  // The exchange for the channel log, secrets already redacted; empty for adapters that make no
  // request (file).
  std::string request_log;
  std::string response_log;
  int http_status = 0;  // 0: no HTTP answer
  std::chrono::milliseconds elapsed{0};
};

class Sender {
 public:
  virtual ~Sender() = default;
  // The configured provider name (sms.providers[].name): what the outbox row records.
  virtual std::string name() const = 0;
  // One result per message, in order.
  virtual std::vector<SendResult> send(std::span<const store::OutboxMessage> batch) = 0;
};

}  // namespace cg::sms
