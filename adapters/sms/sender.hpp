// What every outbound SMS adapter offers the dispatcher: send a batch, say per message whether
// the provider accepted it, refused it for good, or failed in a way worth retrying.
#pragma once

#include <chrono>
#include <cstddef>
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

// What a sender reports to while a batch is out (the dispatcher: it records each answer as it comes
// and keeps the batch's lease). Called on the sending thread.
class SendProgress {
 public:
  virtual ~SendProgress() = default;
  // Called often while the batch is out: before messages are handed over and while answers are
  // awaited (the dispatcher renews its lease here).
  virtual void tick() {}
  // Asked right before message `index` of the batch is handed over; false: it is skipped and no
  // result is reported for it (its lease was lost: another dispatcher has it).
  virtual bool may_send(std::size_t /*index*/) { return true; }
  // Answers as they arrive, by index in the batch. The sender hands no further message over until
  // this returns, so what a provider took and is not yet recorded stays within its concurrency.
  virtual void answered(std::span<const std::pair<std::size_t, SendResult>> results) = 0;
};

class Sender {
 public:
  virtual ~Sender() = default;
  // The configured provider name (sms.providers[].name): what the outbox row records.
  virtual std::string name() const = 0;
  // One result per message, in order.
  virtual std::vector<SendResult> send(std::span<const store::OutboxMessage> batch) = 0;
  // Opens again the files the adapter writes (logrotate's SIGHUP); nothing to do for most.
  virtual Status reopen() { return ok_status(); }
  // The batch with each answer reported as it arrives. This default asks may_send for each message,
  // sends those allowed with send() and reports them together; the HTTP adapters report per answer.
  virtual void send_reporting(std::span<const store::OutboxMessage> batch, SendProgress& progress) {
    progress.tick();
    std::vector<std::size_t> index;
    std::vector<store::OutboxMessage> allowed;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (!progress.may_send(i)) continue;
      index.push_back(i);
      allowed.push_back(batch[i]);
    }
    if (allowed.empty()) return;
    std::vector<SendResult> results = send(allowed);
    std::vector<std::pair<std::size_t, SendResult>> out;
    out.reserve(index.size());
    for (std::size_t k = 0; k < index.size(); ++k)
      out.emplace_back(index[k], k < results.size() ? std::move(results[k])
                                                    : SendResult{SendResult::Kind::temporary, "", "no result"});
    progress.answered(out);
  }
};

}  // namespace cg::sms
