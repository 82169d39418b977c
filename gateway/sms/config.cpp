#include "gateway/sms/config.hpp"

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "gateway/sms/providers.hpp"

namespace cg::gateway {
namespace {

using nlohmann::json;
using Field = std::function<std::optional<SmsConfigFault>(const json&, const std::string& key)>;

std::optional<SmsConfigFault> object(const json& j, const std::string& path,
                                     const std::map<std::string, Field>& fields) {
  if (!j.is_object()) return SmsConfigFault{path, "must be an object"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = path + "." + it.key();
    auto f = fields.find(it.key());
    if (f == fields.end()) return SmsConfigFault{key, "unknown key"};
    if (auto fault = f->second(it.value(), key)) return fault;
  }
  return std::nullopt;
}

Field str(std::string& out, bool non_empty = true) {
  return [&out, non_empty](const json& v, const std::string& key) -> std::optional<SmsConfigFault> {
    if (!v.is_string()) return SmsConfigFault{key, "must be a string"};
    out = v.get<std::string>();
    if (non_empty && out.empty()) return SmsConfigFault{key, "must not be empty"};
    return std::nullopt;
  };
}

template <class T>
Field integer(T& out, long long lo, long long hi) {
  return [&out, lo, hi](const json& v, const std::string& key) -> std::optional<SmsConfigFault> {
    if (!v.is_number_integer()) return SmsConfigFault{key, "must be an integer"};
    long long x = v.get<long long>();
    if (x < lo || x > hi) return SmsConfigFault{key, "must be " + std::to_string(lo) + " to " + std::to_string(hi)};
    out = static_cast<T>(x);
    return std::nullopt;
  };
}

template <class Duration>
Field duration(Duration& out, long long lo, long long hi) {
  return [&out, lo, hi](const json& v, const std::string& key) -> std::optional<SmsConfigFault> {
    if (!v.is_number_integer()) return SmsConfigFault{key, "must be an integer"};
    long long x = v.get<long long>();
    if (x < lo || x > hi) return SmsConfigFault{key, "must be " + std::to_string(lo) + " to " + std::to_string(hi)};
    out = Duration(x);
    return std::nullopt;
  };
}

bool http_url(const std::string& u) { return u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0; }

}  // namespace

std::optional<SmsConfigFault> parse_sms_config(const json& section, SmsConfig& out) {
  return object(
      section, "sms",
      {{"providers",
        [&out](const json& list, const std::string& key) -> std::optional<SmsConfigFault> {
          if (!list.is_array()) return SmsConfigFault{key, "must be a list of providers"};
          out.providers.clear();
          for (std::size_t i = 0; i < list.size(); ++i) {
            SmsProviderConfig p;
            const std::string path = key + "[" + std::to_string(i) + "]";
            auto fault = object(list[i], path,
                                {{"name", str(p.name)},
                                 {"kind", str(p.kind)},
                                 {"base_url", str(p.base_url)},
                                 {"from", str(p.from)},
                                 {"username", str(p.username)},
                                 {"password", str(p.password)},
                                 {"smsc", str(p.smsc)},
                                 {"dlr_mask", integer(p.dlr_mask, 0, 31)},
                                 {"dlr_key", str(p.dlr_key)},
                                 {"account_sid", str(p.account_sid)},
                                 {"auth_token", str(p.auth_token)},
                                 {"messaging_service_sid", str(p.messaging_service_sid)},
                                 {"api_key", str(p.api_key)},
                                 {"report_user", str(p.report_user)},
                                 {"report_password", str(p.report_password)},
                                 {"path", str(p.path)},
                                 {"rate_per_second", integer(p.rate_per_second, 0, 100'000)},
                                 {"burst", integer(p.burst, 0, 100'000)},
                                 {"timeout_ms", duration(p.timeout, 100, 120'000)},
                                 {"connect_timeout_ms", duration(p.connect_timeout, 100, 60'000)},
                                 {"max_in_flight", integer(p.max_in_flight, 1, 1024)}});
            if (fault) return fault;
            out.providers.push_back(std::move(p));
          }
          return std::nullopt;
        }},
       {"failover_after", integer(out.failover_after, 1, 1000)},
       {"failback_after_s", duration(out.failback_after, 1, 86'400)},
       {"retry_base_s", duration(out.retry_base, 1, 3600)},
       {"retry_max_s", duration(out.retry_max, 1, 7LL * 86'400)},
       {"retry_jitter_percent", integer(out.retry_jitter_percent, 0, 100)},
       {"dispatchers", integer(out.dispatchers, 0, 16)},
       {"allowed_country_codes", [&out](const json& list, const std::string& key) -> std::optional<SmsConfigFault> {
          if (!list.is_array() || list.empty())
            return SmsConfigFault{key, "must be a non-empty list of country calling codes"};
          out.allowed_country_codes.clear();
          for (const auto& cc : list) {
            std::string code = cc.is_string() ? cc.get<std::string>() : std::string();
            bool digits = !code.empty() && code.size() <= 3 && code[0] != '0';
            for (char ch : code) digits = digits && ch >= '0' && ch <= '9';
            if (!digits)
              return SmsConfigFault{key, "'" + (cc.is_string() ? code : cc.dump()) +
                                             "' is not a country calling code (1 to 3 digits, e.g. \"962\")"};
            out.allowed_country_codes.push_back(std::move(code));
          }
          return std::nullopt;
        }}});
}

bool destination_allowed(std::string_view e164, const std::vector<std::string>& country_codes) {
  if (e164.empty() || e164[0] != '+') return false;
  std::string_view digits = e164.substr(1);
  for (const auto& cc : country_codes)
    if (digits.size() > cc.size() && digits.substr(0, cc.size()) == cc) return true;
  return false;
}

std::optional<SmsConfigFault> validate_sms_config(SmsConfig& sms, const std::string& file_path) {
  if (sms.providers.empty()) {
    SmsProviderConfig file;
    file.name = "file";
    file.kind = "file";
    file.path = file_path;
    sms.providers.push_back(std::move(file));
  }
  if (sms.retry_max < sms.retry_base)
    return SmsConfigFault{"sms.retry_max_s", "must not be less than sms.retry_base_s"};
  std::set<std::string> names;
  for (std::size_t i = 0; i < sms.providers.size(); ++i) {
    auto& p = sms.providers[i];
    const std::string at = "sms.providers[" + std::to_string(i) + "]";
    if (p.name.empty()) return SmsConfigFault{at + ".name", "is required"};
    if (!names.insert(p.name).second) return SmsConfigFault{at + ".name", "'" + p.name + "' is used twice"};
    while (!p.base_url.empty() && p.base_url.back() == '/') p.base_url.pop_back();
    if (!p.base_url.empty() && !http_url(p.base_url))
      return SmsConfigFault{at + ".base_url", "must start with http:// or https://"};
    // Each kind checks its own keys (gateway/sms/providers/<kind>.cpp).
    const SmsProvider* provider = find_sending_provider(p.kind);
    if (!provider) {
      std::string kinds;
      for (const auto& known : sms_providers())
        if (known.make_sender) kinds += (kinds.empty() ? "" : ", ") + std::string(known.kind);
      return SmsConfigFault{at + ".kind", "'" + p.kind + "' is not a known provider (" + kinds + ")"};
    }
    if (auto f = provider->check(p, at, file_path)) return f;
  }
  return std::nullopt;
}

std::vector<const SmsProviderConfig*> providers_of_kind(const SmsConfig& sms, std::string_view kind) {
  std::vector<const SmsProviderConfig*> out;
  for (const auto& p : sms.providers)
    if (p.kind == kind) out.push_back(&p);
  return out;
}

}  // namespace cg::gateway
