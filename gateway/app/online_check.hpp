// check-config --online: after the file's own checks, reach out to what serve will use (the store
// and each SMS provider) and ask whether it answers and takes our credentials, sending and writing
// nothing.
#pragma once

#include <string>
#include <vector>

#include "gateway/app/config.hpp"

namespace cg::gateway {

struct OnlineCheck {
  std::string subject;  // "store", "sms.providers[0] kannel (kannel)"
  bool ok = false;
  std::string detail;  // what was found, or why it failed
};

// One result per check, in order: the store, then each sms.providers entry.
std::vector<OnlineCheck> check_online(const Config& config);

}  // namespace cg::gateway
