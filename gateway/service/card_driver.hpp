// Persisting what core decided: an Outcome's course, applications, history, passes and SMS (rendered
// into outbox rows) go into the caller's transaction, and its follow-ups (quorum reached, seat
// freed) are loaded and run until none is left. Every use case that runs a card transition, from
// any channel, goes through here.
#pragma once

#include <optional>
#include <string>

#include "adapters/store/store.hpp"
#include "core/enrollment.hpp"
#include "gateway/app/config.hpp"
#include "templates/catalogue.hpp"

namespace cg::gateway {

// Hands out exam tokens (128 random bits) and billing numbers (a store sequence with a Damm check
// digit, SPEC §4) inside the transaction that uses them. A sequence failure is kept and turns the
// whole command into an error.
class TxMinter final : public core::Minter {
 public:
  explicit TxMinter(store::Tx& tx);
  std::string exam_token() override;
  std::string billing_number() override;
  const std::optional<Error>& error() const { return error_; }

 private:
  store::Tx& tx_;
  std::optional<Error> error_;
};

class CardDriver {
 public:
  CardDriver(const core::Enrollment& enrollment, const templates::Catalogue& catalogue, const Config& config);

  // Persists `outcome` and runs its follow-ups, all in `tx`.
  Status commit(store::Tx& tx, core::Outcome outcome, core::Instant now, TxMinter& minter) const;
  // A notification as an outbox row: rendered text, segments, template, language, step.
  Result<store::OutboxMessage> render(const core::Notification& n, core::Instant now) const;

 private:
  const core::Enrollment& enrollment_;
  const templates::Catalogue& catalogue_;
  const Config& config_;
};

}  // namespace cg::gateway
