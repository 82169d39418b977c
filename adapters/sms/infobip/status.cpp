#include "adapters/sms/infobip/status.hpp"

#include <charconv>
#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace cg::sms::infobip {
namespace {

using nlohmann::json;

std::string string_field(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<std::int64_t>());
  return {};
}

}  // namespace

Result<std::vector<store::DeliveryReport>> parse_status(std::string_view body, std::string_view provider_name) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return make_error("invalid_report", "body: not JSON");
  if (!doc.is_object()) return make_error("invalid_report", "body: not a JSON object");
  auto results = doc.find("results");
  if (results == doc.end() || !results->is_array())
    return make_error("invalid_report", "results: missing or not a list");
  std::vector<store::DeliveryReport> out;
  for (std::size_t i = 0; i < results->size(); ++i) {
    const json& r = (*results)[i];
    const std::string where = "results[" + std::to_string(i) + "]";
    if (!r.is_object()) return make_error("invalid_report", where + ": not an object");
    store::DeliveryReport d;
    d.provider = std::string(provider_name);
    d.provider_message_id = string_field(r, "messageId");
    if (d.provider_message_id.empty()) return make_error("invalid_report", where + ".messageId: missing");
    if (d.provider_message_id.size() > 128 || !core::text::is_printable(d.provider_message_id))
      return make_error("invalid_report", where + ".messageId: too long or holds a control character");
    auto status = r.find("status");
    if (status == r.end() || !status->is_object()) return make_error("invalid_report", where + ".status: missing");
    const std::string group = string_field(*status, "groupName");
    if (group == "PENDING")
      d.status = "sent";
    else if (group == "DELIVERED")
      d.status = "delivered";
    else if (group == "UNDELIVERABLE" || group == "EXPIRED" || group == "REJECTED")
      d.status = "failed";
    else
      return make_error("invalid_report", where + ".status.groupName: unknown value '" +
                                              core::text::escape_for_log(core::text::cut_bytes(group, 40)) + "'");
    d.detail = group;
    if (auto name = string_field(*status, "name"); !name.empty()) d.detail += " " + name;
    if (auto err = r.find("error"); err != r.end() && err->is_object()) {
      std::string id = string_field(*err, "id");
      std::string name = string_field(*err, "name");
      if (!(id.empty() || id == "0") || (!name.empty() && name != "NO_ERROR")) d.error_code = id.empty() ? name : id;
      if (!d.error_code.empty() && !name.empty()) d.detail += " (" + name + ")";
    }
    // Our outbox id, when the report echoes the callbackData we sent; otherwise found by messageId.
    std::string cb = string_field(r, "callbackData");
    std::int64_t id = 0;
    if (!cb.empty()) {
      auto [p, ec] = std::from_chars(cb.data(), cb.data() + cb.size(), id);
      if (ec == std::errc() && p == cb.data() + cb.size() && id > 0) d.outbox_id = id;
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace cg::sms::infobip
