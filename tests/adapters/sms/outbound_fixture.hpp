// What the outbound adapter tests share: outbox messages to send and a canned provider answer.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "adapters/store/store.hpp"
#include "tests/support/provider_server.hpp"

namespace cg::sms::test_outbound {

using test::CannedReply;
using test::ProviderServer;
using test::RecordedRequest;

inline const std::string kArabic = "تمت الموافقة على طلبك لدورة مهارات الحاسوب";

inline store::OutboxMessage message(std::int64_t id, std::string text = kArabic, std::string to = "+962791234567") {
  store::OutboxMessage m;
  m.id = id;
  m.to = std::move(to);
  m.text = std::move(text);
  m.template_name = "approved";
  return m;
}

inline std::vector<store::OutboxMessage> messages(int n, std::int64_t first = 1) {
  std::vector<store::OutboxMessage> out;
  for (int i = 0; i < n; ++i) out.push_back(message(first + i));
  return out;
}

inline ProviderServer::Script always(CannedReply r) {
  return [r](const RecordedRequest&, std::size_t) { return r; };
}

}  // namespace cg::sms::test_outbound
