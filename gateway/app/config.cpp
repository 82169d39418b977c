#include "gateway/app/config.hpp"

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "adapters/store/open.hpp"

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

}  // namespace

Result<Config> parse_config(std::string_view text) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return make_error("invalid_config", "config: not valid JSON");
  Config c;
  long long payment_window_h = 72, reminder_h = 24;
  Reader r("");
  r.object(root, {
      {"listen", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"address", n.str(c.listen.address, true)},
                      {"port", n.integer(c.listen.port, 0, 65535)},
                      {"threads", n.integer(c.listen.threads, 1, 64)}});
       })},
      {"limits", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"body_bytes", n.integer(c.limits.body_bytes, 1024, 16 * 1024 * 1024)},
                      {"header_timeout_ms", n.duration(c.limits.header_timeout, 50, 600'000)},
                      {"idle_timeout_ms", n.duration(c.limits.idle_timeout, 50, 3'600'000)},
                      {"max_connections", n.integer(c.limits.max_connections, 1, 100'000)}});
       })},
      {"store", r.nested([&](Reader& n, const json& v) {
         n.object(v, {{"url", n.str(c.store.url, true)},
                      {"readers", n.integer(c.store.readers, 1, 64)},
                      {"pool", n.integer(c.store.pool, 1, 256)},
                      {"synchronous_full", n.boolean(c.store.synchronous_full)}});
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
         n.object(v, {{"payment_window_hours", n.integer(payment_window_h, 1, 24 * 60)},
                      {"reminder_hours", n.integer(reminder_h, 1, 24 * 14)}});
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
                      {"dialogue_expiry_minutes", n.duration(cv.dialogue_expiry, 1, 24 * 60)},
                      {"ussd_gsm7_chars", n.integer(cv.ussd_gsm7_chars, 40, 182)},
                      {"ussd_ucs2_chars", n.integer(cv.ussd_ucs2_chars, 20, 91)},
                      {"ussd_session_timeout_s", n.duration(cv.ussd_session_timeout, 10, 3600)}});
       })},
      {"utc_offset_minutes", r.duration(c.utc_offset, -14 * 60, 14 * 60)},
      {"templates_directory", r.str(c.templates_directory)},
      {"public_base_url", r.str(c.public_base_url, true)},
      {"sms", [&r, &c](const json& v, const std::string&) {
         if (auto f = parse_sms_config(v, c.sms)) r.fail(f->key, f->what);
       }},
  });
  c.policy.payment_window = std::chrono::hours(payment_window_h);
  c.policy.reminder_before = std::chrono::hours(reminder_h);
  if (r.error()) return *r.error();
  if (c.admin_token.empty()) return make_error("invalid_config", "admin_token: is required");
  if (c.admin_token.size() < 16) return make_error("invalid_config", "admin_token: must be at least 16 characters");
  if (c.exam_secret.empty()) return make_error("invalid_config", "exam_secret: is required");
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
  if (auto s = store::check_store_url(c.store.url); !s)
    return make_error("invalid_config", "store.url: " + s.error().message);
  if (c.public_base_url.rfind("http://", 0) != 0 && c.public_base_url.rfind("https://", 0) != 0)
    return make_error("invalid_config", "public_base_url: must start with http:// or https://");
  while (!c.public_base_url.empty() && c.public_base_url.back() == '/') c.public_base_url.pop_back();
  if (auto f = validate_sms_config(c.sms, c.outbox.file.path))
    return make_error("invalid_config", f->key + ": " + f->what);
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
