// libFuzzer target for Infobip's JSON webhooks (adapters/sms/infobip): the bytes are a POST body,
// read as a batch of inbound messages and as a batch of delivery reports. Invariants: every result
// of an accepted batch is either delivered or rejected, once, in order; a delivered message has a
// printable messageId and from and UTF-8 text; every accepted report is well formed.
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "adapters/sms/infobip/inbound.hpp"
#include "adapters/sms/infobip/status.hpp"
#include "core/text.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cg;
  const std::string_view body = fuzz::bytes(data, size);
  if (auto batch = sms::infobip::parse_inbound(body)) {
    auto doc = nlohmann::json::parse(body, nullptr, false);
    fuzz::check(doc.is_object() && doc.contains("results") && doc["results"].is_array(), "accepted envelope");
    const std::size_t results = doc["results"].size();
    fuzz::check(batch->messages.size() + batch->rejected.size() == results, "a result lost or counted twice");
    for (std::size_t i = 0; i < batch->rejected.size(); ++i) {
      fuzz::check(batch->rejected[i].index < results, "a rejected index past the batch");
      fuzz::check(i == 0 || batch->rejected[i].index > batch->rejected[i - 1].index, "rejected out of order");
      fuzz::check(batch->rejected[i].message_id.empty() || core::text::is_printable(batch->rejected[i].message_id),
                  "a rejected message id that is not printable");
    }
    for (const auto& m : batch->messages) {
      fuzz::check(!m.message_id.empty() && core::text::is_printable(m.message_id), "accepted messageId");
      fuzz::check(!m.from.empty() && core::text::is_printable(m.from), "accepted from");
      fuzz::check(core::text::is_printable(m.to), "accepted to");
      fuzz::check_utf8(m.text, "accepted text is not UTF-8");
    }
  } else {
    fuzz::check(batch.error().code == "invalid_request", "envelope refusal code");
  }
  if (auto reports = sms::infobip::parse_status(body, "infobip")) {
    for (const auto& r : *reports) fuzz::check_report(r);
  }
  return 0;
}
