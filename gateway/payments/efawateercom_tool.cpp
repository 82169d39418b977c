#include "gateway/payments/efawateercom_tool.hpp"

#include <curl/curl.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "adapters/crypto/crypto.hpp"
#include "adapters/payment/efawateercom/mfep.hpp"
#include "gateway/app/config.hpp"

namespace cg::gateway {
namespace {

namespace mfep = efawateercom;

constexpr const char* kUsage =
    "usage: course-gateway efawateercom-sign --key PEM --type bill-pull|payment --billing-number N\n"
    "           [--amount 25.000] [--due-amount 25.000] [--trx ID] [--bill-no N] [--stmt-date YYYY-MM-DD]\n"
    "           [--process-date YYYY-MM-DDTHH:MM:SS] [--guid G] [--biller-code C] [--sender-code S]\n"
    "           [--service-type T] [--config FILE]\n"
    "       course-gateway efawateercom-send --url URL [--basic-auth USER:PASSWORD] [--biller-cert PEM] ...\n";

constexpr const char* kOptions =
    "\nPlays eFAWATEERcom by hand: -sign prints a signed request, -send posts it to the gateway and prints\n"
    "the answer. Exit status: 0 done (-send: HTTP 200 and, when checked, a valid signature), 1 failed, 2 usage.\n"
    "\noptions:\n"
    "  --key PEM              the private key eFAWATEERcom signs with (the gateway verifies with the matching\n"
    "                         efawateercom.verifying_cert_path); required\n"
    "  --type TYPE            bill-pull or payment; required\n"
    "  --billing-number N     the application's billing number; required\n"
    "  --amount JOD           the amount paid (payment; required there)\n"
    "  --due-amount JOD       the amount due (default: --amount)\n"
    "  --trx ID               JOEBPPSTrx of the payment (default: a random one; repeat one on purpose)\n"
    "  --bill-no N            the bill number\n"
    "  --stmt-date DATE       the payment's statement date, YYYY-MM-DD\n"
    "  --process-date TIME    the payment's process date, YYYY-MM-DDTHH:MM:SS\n"
    "  --guid G               the request's GUID (default: a random one)\n"
    "  --biller-code C        default: --config's biller.code, else 250\n"
    "  --sender-code S        default: --config's efawateercom.efawateercom_code, else EFAWATEERCOM\n"
    "  --service-type T       default: --config's biller.service_type, else CourseFees\n"
    "  --config FILE          take the codes and the UTC offset from this gateway config\n"
    "  --url URL              (-send) the gateway's base URL or the endpoint; required\n"
    "  --basic-auth U:P       (-send) HTTP basic auth for the endpoint\n"
    "  --biller-cert PEM      (-send) the gateway's certificate: check the answer's signature\n"
    "  --help, -h             print this help and exit\n";

// name -> allowed for -sign (every option is allowed for -send). A function's static, built on first
// use, so a failure to allocate it is an exception the caller sees rather than one before main.
const std::map<std::string, bool, std::less<>>& known_options() {
  static const std::map<std::string, bool, std::less<>> options{
      {"--key", true},          {"--type", true},        {"--billing-number", true}, {"--amount", true},
      {"--due-amount", true},   {"--trx", true},         {"--bill-no", true},        {"--stmt-date", true},
      {"--guid", true},         {"--biller-code", true}, {"--sender-code", true},    {"--service-type", true},
      {"--config", true},       {"--url", false},        {"--basic-auth", false},    {"--biller-cert", false},
      {"--process-date", true},
  };
  return options;
}

struct Options {
  std::string command;
  std::map<std::string, std::string, std::less<>> values;
  std::optional<std::string> get(std::string_view name) const {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

Result<Options> parse_args(const std::vector<std::string>& args) {
  Options o;
  if (args.empty()) return make_error("usage", "no subcommand");
  o.command = args[0];
  bool send = o.command == "efawateercom-send";
  if (!send && o.command != "efawateercom-sign") return make_error("usage", "unknown subcommand " + o.command);
  for (std::size_t i = 1; i < args.size(); i += 2) {
    auto known = known_options().find(args[i]);
    if (known == known_options().end()) return make_error("usage", "unknown option " + args[i]);
    if (!send && !known->second) return make_error("usage", args[i] + " is an option of efawateercom-send");
    if (i + 1 >= args.size()) return make_error("usage", args[i] + " needs a value");
    if (!o.values.emplace(args[i], args[i + 1]).second) return make_error("usage", args[i] + " is given twice");
  }
  for (const char* required : {"--key", "--type", "--billing-number"})
    if (!o.get(required)) return make_error("usage", std::string(required) + " is required");
  if (send && !o.get("--url")) return make_error("usage", "--url is required");
  auto type = *o.get("--type");
  if (type != "bill-pull" && type != "payment") return make_error("usage", "--type must be bill-pull or payment");
  if (type == "payment" && !o.get("--amount")) return make_error("usage", "--amount is required for a payment");
  return o;
}

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("io", "cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The public half of a PEM private key, as PEM: -sign has no other party's key to verify with.
Result<std::string> public_pem_of(const std::string& private_pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> in(
      BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      in ? PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr) : nullptr, EVP_PKEY_free);
  if (!key) return make_error("mfep_key", "not a PEM private key");
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), BIO_free);
  if (!out || PEM_write_bio_PUBKEY(out.get(), key.get()) != 1)
    return make_error("mfep_key", "cannot write its public key");
  char* data = nullptr;
  long n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string random_guid() {
  std::string hex = crypto::to_hex(crypto::random_bytes(16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

struct Setup {
  mfep::MfepSettings settings;  // the codes as the gateway would see them
  std::string service_type;
  std::chrono::minutes utc_offset{180};
};

Result<Setup> setup_from(const Options& o) {
  Setup s;
  s.settings.biller_code = "250";
  s.settings.efawateercom_code = "EFAWATEERCOM";
  s.service_type = "CourseFees";
  if (auto path = o.get("--config")) {
    auto c = load_config(*path);
    if (!c) return c.error();
    s.settings.biller_code = c->policy.biller_code;
    s.settings.efawateercom_code = c->efawateercom.efawateercom_code;
    s.service_type = c->policy.service_type;
    s.utc_offset = c->utc_offset;
  }
  if (auto v = o.get("--biller-code")) s.settings.biller_code = *v;
  if (auto v = o.get("--sender-code")) s.settings.efawateercom_code = *v;
  if (auto v = o.get("--service-type")) s.service_type = *v;
  s.settings.service_types = {s.service_type};
  s.settings.max_message_bytes = 16u << 20;
  return s;
}

Result<std::string> build_request(const Options& o, const Setup& s, const mfep::MfepSigner& signer) {
  auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  mfep::MsgHeader header;
  header.timestamp = mfep::mfep_time_at(now, s.utc_offset);
  header.guid = o.get("--guid").value_or(random_guid());
  header.sender_code = s.settings.efawateercom_code;
  header.receiver_code = s.settings.biller_code;
  std::string billing = *o.get("--billing-number");
  if (*o.get("--type") == "bill-pull") {
    mfep::BillPullRequest rq;
    rq.header = header;
    rq.billing_no = billing;
    rq.bill_no = o.get("--bill-no").value_or("");
    rq.biller_code = s.settings.biller_code;
    rq.service_type = s.service_type;
    return mfep::write_bill_pull_request(rq, signer);
  }
  auto paid = core::parse_jod(*o.get("--amount"));
  if (!paid) return make_error("usage", "--amount: " + paid.error().message);
  auto due = core::parse_jod(o.get("--due-amount").value_or(*o.get("--amount")));
  if (!due) return make_error("usage", "--due-amount: " + due.error().message);
  mfep::PaymentTransaction t;
  t.billing_no = billing;
  t.bill_no = o.get("--bill-no").value_or("");
  // Unique enough for hand tests; a repeat on purpose passes --trx.
  t.joebpps_trx = o.get("--trx").value_or("CLI" + crypto::to_hex(crypto::random_bytes(8)));
  t.pmt_status = "PmtNew";
  t.due_amount = *due;
  t.paid_amount = *paid;
  t.process_date = header.timestamp;
  // A payment made earlier (a replay, or a test at a set time): the gateway judges by ProcessDate.
  if (auto d = o.get("--process-date")) {
    auto parsed = mfep::parse_mfep_time(*d);
    if (!parsed) return make_error("usage", "--process-date: not a time like 2026-11-25T10:30:00");
    t.process_date = *parsed;
  }
  t.stmt_date = {t.process_date.year, t.process_date.month, t.process_date.day};
  if (auto d = o.get("--stmt-date")) {
    auto parsed = mfep::parse_mfep_date(*d);
    if (!parsed) return make_error("usage", "--stmt-date: not a date like 2026-11-25");
    t.stmt_date = *parsed;
  }
  t.access_channel = "Internet";
  t.payment_method = "EFT";
  t.currency = "JOD";
  t.service_type = s.service_type;
  return mfep::write_payment_notification(header, {t}, signer);
}

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct Posted {
  long status = 0;
  std::string body;
};

Result<Posted> post(const std::string& url, const std::string& body, const std::optional<std::string>& basic_auth) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return make_error("http", "libcurl could not start");
  Posted p;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: text/xml; charset=utf-8");
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &p.body);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  if (basic_auth) {
    curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl.get(), CURLOPT_USERPWD, basic_auth->c_str());
  }
  CURLcode rc = curl_easy_perform(curl.get());
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) return make_error("http", url + ": " + curl_easy_strerror(rc));
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &p.status);
  return p;
}

std::string endpoint_url(std::string url, const std::string& type) {
  if (url.find("/v1/efawateercom/") != std::string::npos) return url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url + (type == "bill-pull" ? "/v1/efawateercom/bill-pull" : "/v1/efawateercom/payment-notification");
}

std::string describe(const mfep::MfepStatus& s) {
  return std::to_string(static_cast<int>(s.code)) + " (" + s.description + ")";
}

// Checks the answer's signature with the biller's certificate and says what it answered.
bool check_answer(const std::string& type, const std::string& body, const Setup& s, const mfep::MfepSigner& signer,
                  std::ostream& err) {
  if (type == "bill-pull") {
    auto in = mfep::read_bill_pull_response(body, s.settings, signer);
    if (!in.ok()) {
      err << "answer refused: " << describe(in.status) << "\n";
      return false;
    }
    err << "signature verified; Result " << describe(in.message->result) << "\n";
    for (const auto& b : in.message->bills)
      err << "bill " << b.billing_no << ": " << mfep::to_string(b.status) << ", due " << core::format_jod(b.due_amount)
          << " JOD by " << mfep::format_mfep_time(b.due_date) << "\n";
    return true;
  }
  auto in = mfep::read_payment_notification_response(body, s.settings, signer);
  if (!in.ok()) {
    err << "answer refused: " << describe(in.status) << "\n";
    return false;
  }
  err << "signature verified; Result " << describe(in.message->result) << "\n";
  for (const auto& t : in.message->transactions)
    err << "JOEBPPSTrx " << t.joebpps_trx << ": " << describe(t.result) << "\n";
  return true;
}

}  // namespace

int run_efawateercom_tool(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  for (const auto& a : args)
    if (a == "--help" || a == "-h") {
      const std::string sub = args.empty() ? "efawateercom-sign" : args[0];
      out << "usage: course-gateway " << sub
          << (sub == "efawateercom-send" ? " --url URL [--basic-auth USER:PASSWORD] [--biller-cert PEM] " : " ")
          << "--key PEM --type bill-pull|payment --billing-number N [OPTIONS]\n"
          << kOptions;
      return 0;
    }
  // Nothing given: the whole usage, as a reminder; a mistake: one line.
  if (args.size() <= 1) {
    err << kUsage << "(course-gateway " << (args.empty() ? "efawateercom-sign" : args[0])
        << " --help explains each option)\n";
    return 2;
  }
  auto o = parse_args(args);
  if (!o) {
    err << "course-gateway " << args[0] << ": " << o.error().message << " (see course-gateway " << args[0]
        << " --help)\n";
    return 2;
  }
  auto fail = [&err](const Error& e) {
    err << "course-gateway: " << e.message << "\n";
    return 1;
  };
  auto setup = setup_from(*o);
  if (!setup) return fail(setup.error());
  auto key = read_file(*o->get("--key"));
  if (!key) return fail(key.error());
  // Signing needs only the key; the answer is verified with the biller's certificate when one is given.
  Result<mfep::MfepSigner> signer = make_error("none", "");
  if (auto cert = o->get("--biller-cert")) {
    signer = mfep::MfepSigner::load({*o->get("--key"), *cert});
  } else {
    auto pub = public_pem_of(*key);
    if (!pub) return fail(make_error(pub.error().code, *o->get("--key") + ": " + pub.error().message));
    signer = mfep::MfepSigner::from_pem(*key, *pub);
  }
  if (!signer) return fail(signer.error());
  auto request = build_request(*o, *setup, *signer);
  if (!request) return fail(request.error());
  if (o->command == "efawateercom-sign") {
    out << *request << "\n";
    return 0;
  }
  std::string type = *o->get("--type");
  auto answer = post(endpoint_url(*o->get("--url"), type), *request, o->get("--basic-auth"));
  if (!answer) return fail(answer.error());
  out << answer->body;
  if (!answer->body.empty() && answer->body.back() != '\n') out << "\n";
  err << "HTTP " << answer->status << "\n";
  if (answer->status != 200) return 1;
  if (!o->get("--biller-cert")) {
    err << "signature not checked (no --biller-cert)\n";
    return 0;
  }
  return check_answer(type, answer->body, *setup, *signer, err) ? 0 : 1;
}

}  // namespace cg::gateway
