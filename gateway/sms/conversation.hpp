// The SMS conversation and the USSD menus around core/conversation and core/ussd_menu: for each
// inbound message, ONE store command records it (deduplicated on provider + message id), applies
// the per-number cap (counted in the number's session row), loads the dialogue and what core asks
// for, runs core, carries out its actions through the website's own use case code
// (Service::apply_in, the card's cancel through CardDriver), renders the replies into outbox rows
// and saves the dialogue. The provider gets its 2xx only after that commit; a store failure is an
// error (5xx) and the provider's retry is safe.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "adapters/store/store.hpp"
#include "core/conversation.hpp"
#include "core/ussd_menu.hpp"
#include "gateway/app/clock.hpp"
#include "gateway/app/config.hpp"
#include "gateway/service/commands.hpp"
#include "gateway/service/service.hpp"
#include "templates/catalogue.hpp"

namespace cg::gateway {

struct InboundSms {
  std::string provider;  // "kannel", "twilio", "infobip"
  std::string provider_message_id;
  std::string from;  // as the provider sent it
  std::string to;
  std::string text;  // UTF-8
};

struct InboundOutcome {
  bool duplicate = false;       // seen before: nothing done
  bool rate_limited = false;    // over the per-number cap: recorded, no reply
  bool invalid_sender = false;  // not a phone number we can answer: recorded, no reply
  std::size_t replies = 0;      // conversation replies enqueued (card SMS not counted)
};

struct UssdRequest {
  std::string session_id;
  std::string phone;  // as the aggregator sent it
  std::string text;   // inputs joined by '*'
};

// How many messages from one number arrived in one second.
struct SmsArrivals {
  core::Instant second;
  std::int64_t count = 0;
  bool operator==(const SmsArrivals&) const = default;
};

// An SMS number's session row ("sms:+9627..."): its dialogue, and its messages of the last minute
// by second (at most 60 entries however many arrive), which is all the per-number cap counts. The
// cap used to count the number's rows in inbound_messages through an index of its own; the session
// row is read and written for every message anyway, so keeping the count there costs nothing more.
struct SmsSession {
  core::Dialogue dialogue;
  std::vector<SmsArrivals> arrivals;  // oldest first

  // Messages that arrived at `since` or later.
  std::int64_t arrived_since(core::Instant since) const;
  // Counts one more message at `now` and forgets those before `keep_since`.
  void arrive(core::Instant now, core::Instant keep_since);
};

class ConversationService {
 public:
  ConversationService(store::Store& store, Service& service, const templates::Catalogue& catalogue,
                      const Config& config, const Clock& clock);

  // One message, one store command.
  void receive(InboundSms message, Callback<InboundOutcome> done);
  // A provider's batch (Infobip) in one store command, each message deduplicated on its own.
  void receive_batch(std::vector<InboundSms> messages, Callback<std::vector<InboundOutcome>> done);

  // One USSD request; the answer is "CON ..." or "END ...".
  void ussd(UssdRequest request, Callback<std::string> done);

  // Privacy housekeeping (scheduler): a dialogue silent past conversation.dialogue_expiry forgets
  // what it gathered (name, document number, the course) and keeps only the number's language and
  // opt-out. Returns how many sessions were cleared; the rest wait for the next call.
  Result<std::size_t> forget_expired_dialogues(core::Instant now);

  const core::ConversationSettings& settings() const { return settings_; }
  const core::UssdLimits& ussd_limits() const { return limits_; }

 private:
  // What a message says whatever the store holds, worked out on the caller's thread (an HTTP
  // thread) before the command is queued, so the store's one writer does only what needs the store.
  struct ReadSms {
    InboundSms sms;                    // as received, but its text moved into text.raw
    std::string redacted;              // the text for the record: core::redact_for_log
    std::optional<std::string> phone;  // the sender in E.164; none: a sender that cannot be answered
    core::ReadText text;               // normalised, keyword and code found
  };
  static ReadSms read(InboundSms message);
  // One message inside the caller's transaction.
  Result<InboundOutcome> receive_in(store::Tx& tx, const ReadSms& message, core::Instant now);
  // The record, the duplicate check and the per-number cap; `go_on` when the message is to be answered.
  struct Admitted {
    InboundOutcome out;
    std::optional<std::string> phone;
    SmsSession session;  // as stored, this message counted in
    bool go_on = false;
  };
  Result<Admitted> admit(store::Tx& tx, const ReadSms& message, core::Instant now);
  // The conversation step proper: load, decide, act, render, save. Returns the replies enqueued.
  Result<std::size_t> step(store::Tx& tx, const ReadSms& message, const std::string& phone, SmsSession session,
                           core::Instant now);

  Result<core::Knowledge> knowledge(store::Tx& tx, const std::string& phone, const core::Needs& needs,
                                    core::Instant now);
  // Carries out one action; a refusal by the card comes back as the message to answer with.
  Result<std::optional<Error>> act(store::Tx& tx, const core::Action& action, const std::string& phone,
                                   const std::string& channel, core::Instant now);
  Status enqueue_reply(store::Tx& tx, const std::string& phone, const core::Message& message, core::Instant now);
  Result<std::string> ussd_in(store::Tx& tx, const UssdRequest& request, core::Instant now);

  store::Store& store_;
  Service& service_;
  const templates::Catalogue& catalogue_;
  const Config& config_;
  const Clock& clock_;
  core::ConversationSettings settings_;
  core::UssdLimits limits_;
  std::atomic<std::int64_t> last_ussd_purge_{0};
  std::atomic<std::int64_t> forgotten_through_{0};  // forget_expired_dialogues: seconds, the last window's end
};

// The dialogue as stored in a session row (JSON), and back. A row that does not decode starts a
// fresh dialogue rather than failing the message.
std::string encode_dialogue(const core::Dialogue& d);
std::optional<core::Dialogue> decode_dialogue(std::string_view text);

// The dialogue's fields plus "arrivals": [[second, count], ...]. What does not decode reads as a
// fresh dialogue (as decode_dialogue) or as no arrivals; a message is never failed for it.
std::string encode_sms_session(const SmsSession& s);
SmsSession decode_sms_session(std::string_view text);
std::string encode_ussd_session(const core::UssdSession& s);
std::optional<core::UssdSession> decode_ussd_session(std::string_view text);

// An inbound sender as E.164: normalize_phone, and for bare international digits (Infobip, some
// SMSCs: "962791234567", "447700900123") the same with '+' in front.
Result<std::string> sender_phone(std::string_view from);

}  // namespace cg::gateway
