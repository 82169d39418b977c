#include "adapters/sms/infobip/outbound.hpp"

#include <nlohmann/json.hpp>

#include "core/text.hpp"

namespace cg::sms::infobip {
namespace {

using nlohmann::json;

Redactor redactor_for(const Settings& s) {
  Redactor r;
  r.add_secret(s.api_key);
  return r;
}

std::string string_at(const json& j, const json::json_pointer& p) {
  if (!j.contains(p)) return {};
  const json& v = j.at(p);
  return v.is_string() ? v.get<std::string>() : std::string();
}

}  // namespace

InfobipSender::InfobipSender(Settings settings)
    : HttpSmsSender(settings.sender, redactor_for(settings)), s_(std::move(settings)) {}

Result<HttpRequest> InfobipSender::build(const store::OutboxMessage& m) const {
  auto to = e164_digits(m.to);
  if (!to) return make_error("invalid_number", "to: '" + m.to + "' is not an E.164 number");
  json msg{{"destinations", json::array({json{{"to", *to}}})},
           {"from", s_.from},
           {"text", m.text},
           {"callbackData", std::to_string(m.id)}};
  if (!s_.notify_url.empty()) {
    msg["notifyUrl"] = s_.notify_url;
    msg["notifyContentType"] = "application/json";
  }
  HttpRequest rq;
  rq.method = "POST";
  rq.url = s_.base_url + "/sms/2/text/advanced";
  rq.headers = {
      {"Authorization", "App " + s_.api_key}, {"Content-Type", "application/json"}, {"Accept", "application/json"}};
  rq.body = json{{"messages", json::array({msg})}}.dump(-1, ' ', false, json::error_handler_t::replace);
  return rq;
}

SendResult InfobipSender::judge(const store::OutboxMessage&, const HttpResponse& r) const {
  json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (r.status >= 200 && r.status < 300) {
    if (!j.is_object() || !j.contains("messages") || !j["messages"].is_array() || j["messages"].empty())
      return SendResult{SendResult::Kind::temporary, "", "2xx answer without messages"};
    const json& first = j["messages"][0];
    std::string id = string_at(first, "/messageId"_json_pointer);
    std::string group = string_at(first, "/status/groupName"_json_pointer);
    std::string name = string_at(first, "/status/name"_json_pointer);
    if (group == "REJECTED" || group == "UNDELIVERABLE")
      return SendResult{SendResult::Kind::permanent, id, "Infobip " + group + (name.empty() ? "" : " " + name)};
    if (id.empty()) return SendResult{SendResult::Kind::temporary, "", "2xx answer without a messageId"};
    return SendResult{SendResult::Kind::accepted, id, ""};
  }
  std::string reason;
  if (j.is_object()) {
    std::string code = string_at(j, "/requestError/serviceException/messageId"_json_pointer);
    std::string text = string_at(j, "/requestError/serviceException/text"_json_pointer);
    reason = code + (code.empty() || text.empty() ? "" : ": ") + text;
  }
  if (reason.empty()) reason = std::string(core::text::cut_bytes(r.body, 200));
  return judge_failure(r, reason);
}

}  // namespace cg::sms::infobip
