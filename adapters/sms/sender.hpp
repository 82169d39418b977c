// What every outbound SMS adapter offers the dispatcher: send a batch, say per message whether
// the provider accepted it, refused it for good, or failed in a way worth retrying.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "adapters/store/store.hpp"

namespace cg::sms {

struct SendResult {
  enum class Kind { accepted, temporary, permanent };
  Kind kind = Kind::accepted;
  std::string provider_message_id;  // when accepted
  std::string error;                // when not
};

class Sender {
 public:
  virtual ~Sender() = default;
  virtual std::string name() const = 0;
  // One result per message, in order.
  virtual std::vector<SendResult> send(std::span<const store::OutboxMessage> batch) = 0;
};

}  // namespace cg::sms
