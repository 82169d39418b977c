// The gateway's one JSON config file (SPEC §7). Every key is validated at start: an unknown key
// or a bad value stops the start with a message naming it ("store.readers: must be 1 to 64").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adapters/sms/common/address.hpp"
#include "adapters/sms/infobip/inbound.hpp"
#include "adapters/sms/kannel/inbound.hpp"
#include "adapters/sms/twilio/inbound.hpp"
#include "adapters/store/outbox_rules.hpp"
#include "adapters/ussd/africastalking/ussd.hpp"
#include "core/enrollment.hpp"
#include "core/result.hpp"
#include "gateway/app/secret_refs.hpp"
#include "gateway/sms/config.hpp"
#include "gateway/workers/retention.hpp"

namespace cg::gateway {

struct ListenConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 2;
  // Reverse proxies in front of the gateway: only their X-Forwarded-For is believed, and every
  // address check (allowed_addresses, the per-address cap) uses the client address it gives.
  sms::AddressList trusted_proxies;
};

struct LimitsConfig {
  std::size_t body_bytes = 64 * 1024;
  std::chrono::milliseconds header_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_ip = 64;  // one client cannot hold every slot
};

// The website's backend calling the API (SPEC §2): its keys, and the daily caps that keep one
// phone number or one identity document from being used for a flood of applications.
struct WebsiteConfig {
  std::vector<std::string> api_keys;  // Authorization: Bearer; empty: the website API answers 401
  int applications_per_phone_per_day = 5;
  int applications_per_document_per_day = 5;
};

struct StoreConfig {
  std::string url = "sqlite:var/course-gateway.db";  // or mysql://user:password@host:port/database
  std::size_t readers = 2;
  std::size_t pool = 8;  // MySQL connections
  bool synchronous_full = true;
  // HTTP requests that read the store run on this many threads, off the server's own, so a stalled
  // store delays only them; at most reader_queue wait, the rest (and any still unanswered after
  // read_deadline) get 503 store_unavailable with Retry-After.
  std::size_t reader_threads = 4;
  std::size_t reader_queue = 256;
  std::chrono::milliseconds read_deadline{5'000};
};

struct HealthConfig {
  // /healthz answers 503 "unavailable" when the store's probe has not answered by then.
  std::chrono::milliseconds deadline{1'000};
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

// eFAWATEERcom as biller. Our biller code and service type are biller.code and
// biller.service_type: the payment_due SMS tells applicants the same values.
struct EfawateercomConfig {
  bool enabled = false;                            // off: the MFEP endpoints are not served and no key files are read
  std::string efawateercom_code = "EFAWATEERCOM";  // SdrCode of their requests, RcvCode of our answers
  std::string signing_key_path;                    // the biller's PEM private key: signs every answer
  std::string verifying_cert_path;                 // eFAWATEERcom's PEM certificate (or public key): verifies requests
  sms::AddressList allowed_addresses;              // peer IPs allowed to call; empty: any
  std::string basic_auth_user;                     // both set: HTTP basic auth required; both empty: none
  std::string basic_auth_password;
};

// Inbound SMS and USSD: how each provider's calls are authenticated. A provider left
// unconfigured answers its endpoint with 403 "not_configured".
struct InboundConfig {
  sms::kannel::InboundSettings kannel;            // key + allowed smsbox addresses
  sms::twilio::InboundSettings twilio;            // auth token (signature)
  sms::infobip::InboundSettings infobip;          // basic-auth user/password or a header
  ussd::africastalking::Settings africastalking;  // key and/or allowed addresses
};

// The SMS conversation and USSD menus (SPEC §3).
struct ConversationConfig {
  int max_messages_per_minute = 10;                // per number; beyond it: recorded, no reply
  std::chrono::minutes dialogue_expiry{30};        // a half-finished dialogue's silence limit
  int ussd_gsm7_chars = 182;                       // a USSD screen in GSM-7
  int ussd_ucs2_chars = 80;                        // a USSD screen with Arabic
  std::chrono::seconds ussd_session_timeout{180};  // a USSD session's silence limit
};

// The console's conversation simulator (docs/console.md): a phone on the screen that talks to the
// gateway from a range of test numbers, whose SMS the dispatcher never hands to a provider.
struct SimulatorConfig {
  bool enabled = true;
  // Both ends E.164 of one length, at most kMaxTestNumbers numbers, in sms.allowed_country_codes.
  // None unless configured: every range is someone's real numbers, and no SMS to the range ever
  // reaches a provider, so a deployment must choose it (the example configs do). Without a range
  // the simulator is off.
  store::TestRange test_range;
  bool on() const { return enabled && !test_range.from.empty(); }
  static constexpr std::int64_t kMaxTestNumbers = 1000;
};

// The operator console at /console/ (docs/console.md).
struct ConsoleConfig {
  bool enabled = true;
  SimulatorConfig simulator;
  std::chrono::seconds idle_timeout{1800};  // a session unused this long must sign in again
  // Failed sign-ins within `failure_window` before further attempts are refused until the oldest
  // failure leaves the window: per account, and per client address (after listen.trusted_proxies).
  int max_failures_per_account = 5;
  int max_failures_per_address = 20;
  std::chrono::seconds failure_window{900};
};

// The log (adapters/observe/log.hpp): lines on stderr at `level` and above, as `text` or `json`.
struct LogConfig {
  std::string level = "info";   // debug, info, warn, error
  std::string format = "text";  // text, json
};

struct Config {
  LogConfig log;
  ListenConfig listen;
  LimitsConfig limits;
  WebsiteConfig website;
  StoreConfig store;
  HealthConfig health;
  EfawateercomConfig efawateercom;
  std::string admin_token;  // bearer token for /v1/admin
  std::string exam_secret;  // HMAC-SHA256 key of the placement-exam webhook
  OutboxConfig outbox;
  SchedulerConfig scheduler;
  InboundConfig inbound;
  ConversationConfig conversation;
  SmsConfig sms;  // outbound providers (gateway/sms/config.hpp)
  ConsoleConfig console;
  RetentionSettings retention;  // what old rows are deleted, and when (gateway/workers/retention.hpp)
  core::Policy policy;
  std::chrono::minutes utc_offset{180};                   // Asia/Amman: UTC+3 all year since 2022
  std::string templates_directory;                        // empty: the texts built into the binary
  std::string public_base_url = "http://127.0.0.1:8080";  // as providers see us (signatures, callbacks)
};

// The first secret that is too short (under 16 characters) or still a `change-me` placeholder,
// as "key: what is wrong"; parse_config refuses such a config.
std::optional<std::string> weak_secret(const Config& config);

// Parses and validates; the error names the key and what is wrong with it. Secret keys may hold
// {"file": PATH} or {"env": NAME} instead of the value (secret_refs.hpp), read from the process's
// environment or from `secrets`.
Result<Config> parse_config(std::string_view json_text);
Result<Config> parse_config(std::string_view json_text, const SecretSources& secrets);
Result<Config> load_config(const std::string& path);

}  // namespace cg::gateway
