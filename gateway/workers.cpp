#include "gateway/workers.hpp"

#include <algorithm>

#include "adapters/crypto/crypto.hpp"

namespace cg::gateway {

Periodic::Periodic(std::chrono::milliseconds interval, std::function<bool()> work)
    : interval_(interval), work_(std::move(work)) {}

Periodic::~Periodic() { stop(); }

void Periodic::start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { loop(); });
}

void Periodic::wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_one();
}

void Periodic::stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void Periodic::loop() {
  for (;;) {
    bool again = work_();
    std::unique_lock lock(mu_);
    if (stop_) return;
    if (again) continue;
    cv_.wait_for(lock, interval_, [this] { return stop_ || woken_; });
    woken_ = false;
    if (stop_) return;
  }
}

Dispatcher::Dispatcher(store::Store& store, sms::Sender& sender, const OutboxConfig& config, const Clock& clock)
    : store_(store), sender_(sender), config_(config), clock_(clock) {}

std::chrono::seconds Dispatcher::backoff(int attempt) {
  // 5 s, 10 s, 20 s, ... capped at one hour.
  int shift = std::clamp(attempt - 1, 0, 20);
  return std::min<std::chrono::seconds>(std::chrono::seconds(5LL << shift), std::chrono::hours(1));
}

Result<std::size_t> Dispatcher::run_once() {
  core::Instant now = clock_.now();
  auto claimed = store_.claim_outbox(config_.batch, now, now + config_.lease);
  if (!claimed) return claimed.error();
  if (claimed->empty()) return std::size_t{0};
  auto results = sender_.send(*claimed);
  for (std::size_t i = 0; i < claimed->size(); ++i) {
    const auto& m = (*claimed)[i];
    const sms::SendResult r = i < results.size() ? results[i]
                                                 : sms::SendResult{sms::SendResult::Kind::temporary, "", "no result"};
    core::Instant at = clock_.now();
    Status s = ok_status();
    if (r.kind == sms::SendResult::Kind::accepted) {
      s = store_.mark_sent(m.id, sender_.name(), r.provider_message_id, at);
    } else if (r.kind == sms::SendResult::Kind::permanent || m.attempts + 1 >= config_.max_attempts) {
      s = store_.mark_failed(m.id, r.error, at);
    } else {
      auto delay = backoff(m.attempts + 1);
      // Up to a quarter of jitter so retries from many rows do not arrive together.
      auto jitter = std::chrono::seconds(crypto::random_below(static_cast<std::uint64_t>(delay.count() / 4 + 1)));
      s = store_.mark_retry(m.id, r.error, at + delay + jitter);
    }
    if (!s) return s.error();
  }
  return claimed->size();
}

}  // namespace cg::gateway
