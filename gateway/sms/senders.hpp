// Builds the outbound SMS adapters named in sms.providers, in order of preference, each by its row
// of the providers table (gateway/sms/providers.hpp).
#pragma once

#include <memory>
#include <vector>

#include "adapters/sms/sender.hpp"
#include "core/result.hpp"
#include "gateway/app/config.hpp"

namespace cg::gateway {

Result<std::vector<std::unique_ptr<sms::Sender>>> make_senders(const Config& config);

}  // namespace cg::gateway
