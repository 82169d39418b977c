#include "adapters/sms/infobip/inbound.hpp"

#include <nlohmann/json.hpp>

#include "adapters/crypto/crypto.hpp"
#include "core/sms.hpp"
#include "core/text.hpp"

namespace cg::sms::infobip {
namespace {

Error bad(std::string message) { return make_error("invalid_request", std::move(message)); }

constexpr std::size_t kMaxBatch = 1000;

// "Basic " in any case: an authentication scheme's name is case-insensitive (RFC 9110 §11.1).
bool scheme_is_basic(std::string_view s) {
  constexpr std::string_view kBasic = "basic ";
  for (std::size_t i = 0; i < kBasic.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kBasic[i]) return false;
  }
  return true;
}

}  // namespace

Status authenticate_inbound(const InboundSettings& settings, std::optional<std::string_view> authorization,
                            std::optional<std::string_view> custom_header) {
  if (!settings.configured())
    return make_error("not_configured", "Infobip inbound is not configured (inbound.infobip)");
  if (!settings.username.empty() && authorization && authorization->size() > 6 &&
      scheme_is_basic(authorization->substr(0, 6))) {
    std::string expected = crypto::base64_encode(settings.username + ":" + settings.password);
    std::string_view given = authorization->substr(6);
    while (!given.empty() && given.front() == ' ') given.remove_prefix(1);
    if (crypto::constant_time_equal(given, expected)) return ok_status();
  }
  if (!settings.header_name.empty() && custom_header &&
      crypto::constant_time_equal(*custom_header, settings.header_value))
    return ok_status();
  return make_error("forbidden", "missing or wrong Infobip credentials");
}

namespace {

Result<Inbound> parse_result(const nlohmann::json& r, const std::string& where) {
  using nlohmann::json;
  if (!r.is_object()) return bad(where + " must be an object");
  auto str = [&](const char* name, bool required, std::size_t max) -> Result<std::string> {
    auto it = r.find(name);
    if (it == r.end() || it->is_null()) {
      if (required) return bad(where + "." + name + " is required");
      return std::string();
    }
    if (!it->is_string()) return bad(where + "." + name + " must be a string");
    std::string v = it->get<std::string>();
    if (v.size() > max) return bad(where + "." + name + " is too long");
    if (!core::is_valid_utf8(v)) return bad(where + "." + name + " is not valid UTF-8");
    return v;
  };
  Inbound in;
  auto id = str("messageId", true, 128);
  if (!id) return id.error();
  if (id->empty()) return bad(where + ".messageId must not be empty");
  if (!core::text::is_printable(*id)) return bad(where + ".messageId holds a control character");
  in.message_id = *id;
  auto from = str("from", true, 64);
  if (!from) return from.error();
  if (from->empty()) return bad(where + ".from must not be empty");
  if (!core::text::is_printable(*from)) return bad(where + ".from holds a control character");
  in.from = *from;
  auto to = str("to", false, 64);
  if (!to) return to.error();
  if (!core::text::is_printable(*to)) return bad(where + ".to holds a control character");
  in.to = *to;
  // Infobip sends cleanText (the text without its keyword) beside text; text wins when present.
  auto present = [&](const char* name) {
    auto it = r.find(name);
    return it != r.end() && !it->is_null();
  };
  if (!present("text") && !present("cleanText")) return bad(where + ".text is required");
  auto text = str(present("text") ? "text" : "cleanText", true, 4096);
  if (!text) return text.error();
  in.text = *text;
  return in;
}

}  // namespace

Result<Batch> parse_inbound(std::string_view body) {
  using nlohmann::json;
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad("the body is not valid JSON");
  if (!j.is_object()) return bad("the body must be a JSON object");
  auto results = j.find("results");
  if (results == j.end() || !results->is_array()) return bad("results must be an array");
  if (results->size() > kMaxBatch) return bad("results has more than 1000 messages");
  Batch out;
  for (std::size_t i = 0; i < results->size(); ++i) {
    const json& r = (*results)[i];
    auto in = parse_result(r, "results[" + std::to_string(i) + "]");
    if (in) {
      out.messages.push_back(std::move(*in));
      continue;
    }
    Rejected rejected{i, {}, in.error()};
    if (r.is_object()) {
      auto id = r.find("messageId");
      if (id != r.end() && id->is_string() && id->get_ref<const std::string&>().size() <= 128 &&
          core::text::is_printable(id->get_ref<const std::string&>()))
        rejected.message_id = id->get<std::string>();
    }
    out.rejected.push_back(std::move(rejected));
  }
  return out;
}

}  // namespace cg::sms::infobip
