// Builds the outbound SMS adapters named in sms.providers (issue 5), in order of preference, with
// the callback URLs they give providers derived from public_base_url.
#pragma once

#include <memory>
#include <vector>

#include "adapters/sms/sender.hpp"
#include "core/result.hpp"
#include "gateway/app/config.hpp"

namespace cg::gateway {

// Where each provider calls us back with delivery reports.
inline constexpr const char* kKannelStatusPath = "/v1/sms/kannel/status";
inline constexpr const char* kTwilioStatusPath = "/v1/sms/twilio/status";
inline constexpr const char* kInfobipStatusPath = "/v1/sms/infobip/status";

Result<std::vector<std::unique_ptr<sms::Sender>>> make_senders(const Config& config);

}  // namespace cg::gateway
