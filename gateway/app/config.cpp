#include "gateway/app/config.hpp"

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/observe/log.hpp"
#include "adapters/store/open.hpp"
#include "core/applicant.hpp"
#include "gateway/app/secret_refs.hpp"

namespace cg::gateway {
namespace {

using nlohmann::json;

// Walks one JSON object, handing each known key to its reader and refusing the rest. The first
// problem found is kept with its full key path.
class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  using Field = std::function<void(const json&, const std::string& key)>;

  void object(const json& j, const std::map<std::string, Field>& fields) {
    if (!j.is_object()) return fail(path_, "must be an object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      std::string key = path_.empty() ? it.key() : path_ + "." + it.key();
      auto f = fields.find(it.key());
      if (f == fields.end()) return fail(key, "unknown key");
      if (error_) return;
      f->second(it.value(), key);
    }
  }

  Field str(std::string& out, bool non_empty = false) {
    return [this, &out, non_empty](const json& v, const std::string& key) {
      if (!v.is_string()) return fail(key, "must be a string");
      out = v.get<std::string>();
      if (non_empty && out.empty()) fail(key, "must not be empty");
    };
  }
  template <class T>
  Field integer(T& out, long long lo, long long hi) {
    return [this, &out, lo, hi](const json& v, const std::string& key) {
      if (!v.is_number_integer()) return fail(key, "must be an integer");
      long long x = v.get<long long>();
      if (x < lo || x > hi) return fail(key, "must be " + std::to_string(lo) + " to " + std::to_string(hi));
      out = static_cast<T>(x);
    };
  }
  template <class Duration>
  Field duration(Duration& out, long long lo, long long hi) {
    return [this, &out, lo, hi](const json& v, const std::string& key) {
      if (!v.is_number_integer()) return fail(key, "must be an integer");
      long long x = v.get<long long>();
      if (x < lo || x > hi) return fail(key, "must be " + std::to_string(lo) + " to " + std::to_string(hi));
      out = Duration(x);
    };
  }
  Field boolean(bool& out) {
    return [this, &out](const json& v, const std::string& key) {
      if (!v.is_boolean()) return fail(key, "must be true or false");
      out = v.get<bool>();
    };
  }
  // A list of IP addresses (IPv4 or IPv6, as text); anything else in it is refused by name.
  Field addresses(sms::AddressList& out) {
    return [this, &out](const json& list, const std::string& key) {
      if (!list.is_array()) return fail(key, "must be a list of IP addresses");
      std::vector<std::string> texts;
      for (const auto& ip : list) {
        std::string text = ip.is_string() ? ip.get<std::string>() : std::string();
        if (!sms::address_bytes(text))
          return fail(key, "'" + (ip.is_string() ? text : ip.dump()) + "' is not an IP address");
        texts.push_back(std::move(text));
      }
      out = sms::AddressList(std::move(texts));
    };
  }
  // A list of non-empty strings.
  Field strings(std::vector<std::string>& out) {
    return [this, &out](const json& list, const std::string& key) {
      if (!list.is_array()) return fail(key, "must be a list of strings");
      out.clear();
      for (const auto& item : list) {
        if (!item.is_string() || item.get<std::string>().empty())
          return fail(key, "must be a list of non-empty strings");
        out.push_back(item.get<std::string>());
      }
    };
  }
  Field nested(const std::function<void(Reader&, const json&)>& body) {
    return [this, body](const json& v, const std::string& key) {
      Reader inner(key);
      body(inner, v);
      if (inner.error_ && !error_) error_ = inner.error_;
    };
  }

  void fail(const std::string& key, const std::string& what) {
    if (!error_) error_ = make_error("invalid_config", (key.empty() ? "config" : key) + ": " + what);
  }
  const std::optional<Error>& error() const { return error_; }

 private:
  std::string path_;
  std::optional<Error> error_;
};

// Every secret the config holds, by key, for the length and placeholder checks.
std::vector<std::pair<std::string, const std::string*>> secrets_of(const Config& c) {
  std::vector<std::pair<std::string, const std::string*>> out{
      {"admin_token", &c.admin_token},
      {"exam_secret", &c.exam_secret},
      {"inbound.kannel.key", &c.inbound.kannel.key},
      {"inbound.twilio.auth_token", &c.inbound.twilio.auth_token},
      {"inbound.infobip.password", &c.inbound.infobip.password},
      {"inbound.infobip.header_value", &c.inbound.infobip.header_value},
      {"inbound.africastalking.key", &c.inbound.africastalking.key},
      {"efawateercom.basic_auth_password", &c.efawateercom.basic_auth_password},
  };
  for (std::size_t i = 0; i < c.website.api_keys.size(); ++i)
    out.emplace_back("website.api_keys[" + std::to_string(i) + "]", &c.website.api_keys[i]);
  for (std::size_t i = 0; i < c.sms.providers.size(); ++i) {
    const auto& p = c.sms.providers[i];
    const std::string at = "sms.providers[" + std::to_string(i) + "].";
    out.emplace_back(at + "password", &p.password);
    out.emplace_back(at + "dlr_key", &p.dlr_key);
    out.emplace_back(at + "auth_token", &p.auth_token);
    out.emplace_back(at + "api_key", &p.api_key);
    out.emplace_back(at + "report_password", &p.report_password);
  }
  return out;
}

// console.simulator.test_range: both ends E.164 numbers as normalize_phone writes them, of one
// length, `from` not above `to`, at most SimulatorConfig::kMaxTestNumbers numbers, and where
// replies may go (sms.allowed_country_codes), or the conversation would refuse every one of them.
std::optional<Error> check_test_range(const store::TestRange& r, const std::vector<std::string>& country_codes) {
  const std::string at = "console.simulator.test_range.";
  if (r.from.empty() && r.to.empty()) return std::nullopt;  // no range: the simulator is off
  for (const auto& [key, value] : {std::pair{"from", &r.from}, std::pair{"to", &r.to}}) {
    auto phone = core::normalize_phone(*value);
    if (!phone || *phone != *value)
      return make_error("invalid_config", at + key + ": '" + *value + "' is not a phone number in E.164 (+9627...)");
    if (!destination_allowed(*value, country_codes))
      return make_error("invalid_config", at + key + ": not in sms.allowed_country_codes");
  }
  if (r.from.size() != r.to.size()) return make_error("invalid_config", at + "to: must have as many digits as from");
  const std::int64_t n = r.size();
  if (n <= 0) return make_error("invalid_config", at + "to: must not be below from");
  if (n > SimulatorConfig::kMaxTestNumbers)
    return make_error("invalid_config",
                      at + "to: at most " + std::to_string(SimulatorConfig::kMaxTestNumbers) + " numbers from from");
  return std::nullopt;
}

}  // namespace

// A secret that is set must resist guessing: 16 characters or more, and not one of the examples'
// `change-me` placeholders left in place. Unset secrets are checked where they are required.
std::optional<std::string> weak_secret(const Config& c) {
  for (const auto& [key, value] : secrets_of(c)) {
    if (value->empty()) continue;
    if (value->size() < 16) return key + ": must be at least 16 characters";
    if (value->find("change-me") != std::string::npos)
      return key + ": still holds the example's 'change-me' placeholder; set a secret of your own";
  }
  return std::nullopt;
}

Result<Config> parse_config(std::string_view text) { return parse_config(text, process_secret_sources()); }

Result<Config> parse_config(std::string_view text, const SecretSources& secrets) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return make_error("invalid_config", "config: not valid JSON");
  // {"file": ...} and {"env": ...} at secret keys become their values before anything is read, so
  // every rule below (required, at least 16 characters, no change-me) applies to the real secret.
  if (auto s = resolve_secret_refs(root, secrets); !s) return s.error();
  Config c;
  long long payment_window_h = 72, reminder_h = 24;
  Reader r("");
  r.object(root, {
      {"log", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"level", n.str(c.log.level, true)}, {"format", n.str(c.log.format, true)}});
       })},
      {"listen", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"address", n.str(c.listen.address, true)},
                      {"port", n.integer(c.listen.port, 0, 65535)},
                      {"threads", n.integer(c.listen.threads, 1, 64)},
                      {"trusted_proxies", n.addresses(c.listen.trusted_proxies)}});
       })},
      {"limits", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"body_bytes", n.integer(c.limits.body_bytes, 1024, 16LL * 1024 * 1024)},
                      {"header_timeout_ms", n.duration(c.limits.header_timeout, 50, 600'000)},
                      {"idle_timeout_ms", n.duration(c.limits.idle_timeout, 50, 3'600'000)},
                      {"max_connections", n.integer(c.limits.max_connections, 1, 100'000)},
                      {"max_connections_per_ip", n.integer(c.limits.max_connections_per_ip, 1, 100'000)}});
       })},
      {"website", r.nested([&](Reader& n, const json& v) {
         auto& w = c.website;
         n.object(v, {{"api_keys", n.strings(w.api_keys)},
                      {"applications_per_phone_per_day", n.integer(w.applications_per_phone_per_day, 1, 1000)},
                      {"applications_per_document_per_day",
                       n.integer(w.applications_per_document_per_day, 1, 1000)}});
       })},
      {"store", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"url", n.str(c.store.url, true)},
                      {"readers", n.integer(c.store.readers, 1, 64)},
                      {"pool", n.integer(c.store.pool, 1, 256)},
                      {"synchronous_full", n.boolean(c.store.synchronous_full)},
                      {"reader_threads", n.integer(c.store.reader_threads, 1, 64)},
                      {"reader_queue", n.integer(c.store.reader_queue, 1, 100'000)},
                      {"read_deadline_ms", n.duration(c.store.read_deadline, 50, 600'000)}});
       })},
      {"health", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"deadline_ms", n.duration(c.health.deadline, 50, 60'000)}});
       })},
      {"admin_token", r.str(c.admin_token, true)},
      {"exam_secret", r.str(c.exam_secret, true)},
      {"outbox", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"adapter", n.str(c.outbox.adapter, true)},
                      {"file", n.nested([&](Reader& f, const json& fv) {
                         f.object(fv, {{"path", f.str(c.outbox.file.path, true)}});
                       })},
                      {"batch", n.integer(c.outbox.batch, 1, 10'000)},
                      {"poll_ms", n.duration(c.outbox.poll, 10, 60'000)},
                      {"lease_s", n.duration(c.outbox.lease, 5, 3600)},
                      {"max_attempts", n.integer(c.outbox.max_attempts, 1, 100)}});
       })},
      {"scheduler", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"tick_ms", n.duration(c.scheduler.tick, 10, 3'600'000)}});
       })},
      {"policy", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"payment_window_hours", n.integer(payment_window_h, 1, 24LL * 60)},
                      {"reminder_hours", n.integer(reminder_h, 1, 24LL * 14)}});
       })},
      {"biller", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"name_ar", n.str(c.policy.biller_name.ar, true)},
                      {"name_en", n.str(c.policy.biller_name.en, true)},
                      {"code", n.str(c.policy.biller_code, true)},
                      {"service_type", n.str(c.policy.service_type, true)}});
       })},
      {"efawateercom", r.nested([&](Reader& n, const json& v) {
         auto& e = c.efawateercom;
         n.object(v, {{"enabled", n.boolean(e.enabled)},
                      {"efawateercom_code", n.str(e.efawateercom_code, true)},
                      {"signing_key_path", n.str(e.signing_key_path)},
                      {"verifying_cert_path", n.str(e.verifying_cert_path)},
                      {"allowed_addresses", n.addresses(e.allowed_addresses)},
                      {"basic_auth_user", n.str(e.basic_auth_user)},
                      {"basic_auth_password", n.str(e.basic_auth_password)}});
       })},
      // --- inbound SMS/USSD and the conversation ---
      {"inbound", r.nested([&](Reader& n, const json& v) {
         auto& in = c.inbound;
         n.object(v, {{"kannel", n.nested([&](Reader& k, const json& kv) {
                        k.object(kv, {{"key", k.str(in.kannel.key, true)},
                                      {"allowed_addresses", k.addresses(in.kannel.allowed_addresses)}});
                      })},
                      {"twilio", n.nested([&](Reader& t, const json& tv) {
                         t.object(tv, {{"auth_token", t.str(in.twilio.auth_token, true)}});
                       })},
                      {"infobip", n.nested([&](Reader& i, const json& iv) {
                         i.object(iv, {{"username", i.str(in.infobip.username)},
                                       {"password", i.str(in.infobip.password)},
                                       {"header_name", i.str(in.infobip.header_name)},
                                       {"header_value", i.str(in.infobip.header_value)}});
                       })},
                      {"africastalking", n.nested([&](Reader& a, const json& av) {
                         a.object(av, {{"key", a.str(in.africastalking.key)},
                                       {"allowed_addresses", a.addresses(in.africastalking.allowed_addresses)}});
                       })}});
       })},
      {"conversation", r.nested([&](Reader& n, const json& v) {
         auto& cv = c.conversation;
         n.object(v, {{"max_messages_per_minute", n.integer(cv.max_messages_per_minute, 1, 100'000)},
                      {"dialogue_expiry_minutes", n.duration(cv.dialogue_expiry, 1, 24LL * 60)},
                      {"ussd_gsm7_chars", n.integer(cv.ussd_gsm7_chars, 40, 182)},
                      {"ussd_ucs2_chars", n.integer(cv.ussd_ucs2_chars, 20, 91)},
                      {"ussd_session_timeout_s", n.duration(cv.ussd_session_timeout, 10, 3600)}});
       })},
      {"retention", r.nested([&](Reader& n, const json& v) {
         auto& rt = c.retention;
         std::map<std::string, Reader::Field> fields{
             {"batch", n.integer(rt.batch, 1, 10'000)},
             {"pause_ms", n.duration(rt.pause, 0, 60'000)},
             {"interval_minutes", n.duration(rt.interval, 1, 7LL * 24 * 60)}};
         for (store::PurgeKind kind : store::kAllPurgeKinds)
           fields.emplace(std::string(store::to_string(kind)) + "_days", n.duration(rt.period(kind), 0, 36'500));
         n.object(v, fields);
       })},
      {"utc_offset_minutes", r.duration(c.utc_offset, -14LL * 60, 14LL * 60)},
      {"templates_directory", r.str(c.templates_directory)},
      {"public_base_url", r.str(c.public_base_url, true)},
      {"console", r.nested([&](Reader& n, const json& v) {
         auto& cs = c.console;
         n.object(v, {{"enabled", n.boolean(cs.enabled)},
                      {"idle_timeout_s", n.duration(cs.idle_timeout, 60, 7LL * 24 * 3600)},
                      {"max_failures_per_account", n.integer(cs.max_failures_per_account, 1, 1000)},
                      {"max_failures_per_address", n.integer(cs.max_failures_per_address, 1, 100'000)},
                      {"failure_window_s", n.duration(cs.failure_window, 10, 24LL * 3600)},
                      {"simulator", n.nested([&](Reader& sim, const json& sv) {
                         auto& sc = cs.simulator;
                         sim.object(sv, {{"enabled", sim.boolean(sc.enabled)},
                                         {"test_range", sim.nested([&](Reader& tr, const json& tv) {
                                            tr.object(tv, {{"from", tr.str(sc.test_range.from, true)},
                                                           {"to", tr.str(sc.test_range.to, true)}});
                                          })}});
                       })}});
       })},
      {"sms", [&r, &c](const json& v, const std::string&) {
         if (auto f = parse_sms_config(v, c.sms)) r.fail(f->key, f->what);
       }},
  });
  c.policy.payment_window = std::chrono::hours(payment_window_h);
  c.policy.reminder_before = std::chrono::hours(reminder_h);
  if (r.error()) return *r.error();
  if (auto bad = check_test_range(c.console.simulator.test_range, c.sms.allowed_country_codes)) return *bad;
  if (c.admin_token.empty()) return make_error("invalid_config", "admin_token: is required");
  if (c.exam_secret.empty()) return make_error("invalid_config", "exam_secret: is required");
  if (c.limits.max_connections_per_ip > c.limits.max_connections)
    return make_error("invalid_config", "limits.max_connections_per_ip: must not exceed limits.max_connections");
  if (c.outbox.adapter != "file")
    return make_error("invalid_config", "outbox.adapter: '" + c.outbox.adapter + "' is not a known adapter (file)");
  for (char ch : c.policy.biller_code)
    if (ch < '0' || ch > '9') return make_error("invalid_config", "biller.code: must be digits");
  if (c.efawateercom.enabled) {
    const auto& e = c.efawateercom;
    if (e.signing_key_path.empty())
      return make_error("invalid_config", "efawateercom.signing_key_path: is required when enabled");
    if (e.verifying_cert_path.empty())
      return make_error("invalid_config", "efawateercom.verifying_cert_path: is required when enabled");
    // Without a door anyone on the network makes the gateway verify and sign (RSA) on its HTTP threads.
    if (e.allowed_addresses.empty() && e.basic_auth_user.empty())
      return make_error("invalid_config",
                        "efawateercom.allowed_addresses: an enabled eFAWATEERcom needs allowed_addresses or "
                        "basic_auth_user and basic_auth_password");
  }
  if (c.efawateercom.basic_auth_user.empty() != c.efawateercom.basic_auth_password.empty())
    return make_error("invalid_config", "efawateercom.basic_auth_user: user and password go together");
  if (c.efawateercom.basic_auth_user.find(':') != std::string::npos)
    return make_error("invalid_config", "efawateercom.basic_auth_user: must not contain ':'");
  // Infobip's basic-auth user and password go together, and so do the header's name and value.
  if (c.inbound.infobip.username.empty() != c.inbound.infobip.password.empty())
    return make_error("invalid_config", "inbound.infobip.username: username and password go together");
  if (c.inbound.infobip.header_name.empty() != c.inbound.infobip.header_value.empty())
    return make_error("invalid_config", "inbound.infobip.header_name: header_name and header_value go together");
  // USSD names the phone number in its request: only a secret proves the aggregator sent it (an
  // address can be a proxy's, shared by everyone behind it).
  if (!c.inbound.africastalking.allowed_addresses.empty() && c.inbound.africastalking.key.empty())
    return make_error("invalid_config",
                      "inbound.africastalking.key: is required (addresses alone do not authenticate)");
  // A provider retries an unacknowledged inbound SMS, and a client its request with the same
  // Idempotency-Key, for hours at most: a week of dedup record outlasts any retry.
  for (store::PurgeKind kind : {store::PurgeKind::inbound_messages, store::PurgeKind::events})
    if (auto days = c.retention.period(kind).count(); days > 0 && days < 7)
      return make_error("invalid_config", "retention." + std::string(store::to_string(kind)) +
                                              "_days: must be 0 (keep forever) or at least 7, the window in which "
                                              "a retry must still be recognised");
  if (auto s = store::check_store_url(c.store.url); !s)
    return make_error("invalid_config", "store.url: " + s.error().message);
  if (c.public_base_url.rfind("http://", 0) != 0 && c.public_base_url.rfind("https://", 0) != 0)
    return make_error("invalid_config", "public_base_url: must start with http:// or https://");
  while (!c.public_base_url.empty() && c.public_base_url.back() == '/') c.public_base_url.pop_back();
  if (auto f = validate_sms_config(c.sms, c.outbox.file.path))
    return make_error("invalid_config", f->key + ": " + f->what);
  // Last, so a config's other faults are named first.
  if (!log::parse_level(c.log.level))
    return make_error("invalid_config", "log.level: must be debug, info, warn or error");
  if (!log::parse_format(c.log.format)) return make_error("invalid_config", "log.format: must be text or json");
  if (auto weak = weak_secret(c)) return make_error("invalid_config", *weak);
  return c;
}

Result<Config> load_config(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("invalid_config", "cannot read config file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto c = parse_config(ss.str());
  if (!c) return make_error(c.error().code, path + ": " + c.error().message);
  return c;
}

}  // namespace cg::gateway
