// Outbound SMS delivery config: the providers in order of preference, their credentials,
// base URLs and rate limits, and the retry and failover rules. Parsed from the "sms" section of
// the config file by the same strict rules as the rest (an unknown key or a bad value names itself).
//
//   "sms": {"providers": [{"name": "kannel", "kind": "kannel", "base_url": "http://127.0.0.1:13013",
//                          "username": "gw", "password": "...", "from": "AmmanCity", "dlr_key": "...",
//                          "rate_per_second": 50}, ...],
//           "failover_after": 5, "failback_after_s": 60, "retry_base_s": 5, "retry_max_s": 3600,
//           "retry_jitter_percent": 25, "dispatchers": 1}
//
// Without "providers" the gateway sends through the file adapter at outbox.file.path, the embedded
// default, so config/gateway.example.json runs as it is.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace cg::gateway {

struct SmsProviderConfig {
  std::string name;  // unique; what outbox rows and channel logs record
  std::string kind;  // kannel, twilio, infobip, file
  std::string base_url;
  std::string from;  // sender id (kannel, infobip) or Twilio number
  // kannel
  std::string username;
  std::string password;
  std::string smsc;
  int dlr_mask = 31;
  std::string dlr_key;  // `key` in the dlr-url: authenticates reports at /v1/sms/kannel/status
  // twilio
  std::string account_sid;
  std::string auth_token;  // also verifies X-Twilio-Signature of status callbacks
  std::string messaging_service_sid;
  // infobip
  std::string api_key;
  std::string report_user;  // basic auth Infobip must use for delivery reports
  std::string report_password;
  // file
  std::string path;
  // sending
  int rate_per_second = 0;  // 0: no limit
  int burst = 0;            // 0: a twentieth of the rate (at least 1)
  std::chrono::milliseconds timeout{10'000};
  std::chrono::milliseconds connect_timeout{3'000};
  int max_in_flight = 32;  // requests at once (and kept-alive connections) per dispatcher
};

struct SmsConfig {
  std::vector<SmsProviderConfig> providers;  // in order of preference; empty: the file adapter
  int failover_after = 5;                    // temporary failures in a row that take a provider out
  std::chrono::seconds failback_after{60};   // then one message tries it again
  std::chrono::seconds retry_base{5};        // backoff: base * 2^(attempt-1), capped at retry_max
  std::chrono::seconds retry_max{3600};
  int retry_jitter_percent = 25;  // up to this much is added at random, so retries spread out
  int dispatchers = 1;            // threads claiming and sending outbox rows; 0 holds every SMS in the outbox
  // Country calling codes SMS may go to; anything else is refused at the door and never handed
  // to a provider (SMS pumping to premium international numbers costs the municipality).
  std::vector<std::string> allowed_country_codes{"962"};
};

// Whether an E.164 number ("+9627...") is in one of the allowed countries. Calling codes are a
// prefix code (no code begins another), so a prefix match is exact.
bool destination_allowed(std::string_view e164, const std::vector<std::string>& country_codes);

// A fault found in the "sms" section: the full key path and what is wrong.
struct SmsConfigFault {
  std::string key;
  std::string what;
};

std::optional<SmsConfigFault> parse_sms_config(const nlohmann::json& section, SmsConfig& out);

// The checks across keys, once the whole file is read; `file_path` is outbox.file.path and
// `public_base_url` where providers call us back.
std::optional<SmsConfigFault> validate_sms_config(SmsConfig& sms, const std::string& file_path);

// The providers of one kind, in order of preference.
std::vector<const SmsProviderConfig*> providers_of_kind(const SmsConfig& sms, std::string_view kind);

}  // namespace cg::gateway
