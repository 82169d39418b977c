// Every console request at the size the console must serve: the store is seeded (seed.hpp: 1,000
// courses, 100,000 applications, 1,000,000 outbox rows, 5,000 payments), a real gateway is started
// on it (SQLite, 127.0.0.1, port 0), an admin signs in over HTTP, and each console GET is asked
// `--rounds` times, one after another on one kept-alive connection (libcurl), timed from the
// request to the last byte of the answer. Prints p50, p95 and max per request, and marks the ones
// over the 100 ms p95 budget.
//
//   bench_console_pages [--db PATH] [--rounds N] [--courses N] [--applications N] [--outbox N]
#include <curl/curl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "adapters/crypto/password.hpp"
#include "adapters/store/sqlite/sqlite_store.hpp"
#include "bench/console/seed.hpp"
#include "gateway/app/app.hpp"
#include "gateway/app/clock.hpp"
#include "gateway/console/operators.hpp"

namespace {

using namespace cg;
using SteadyClock = std::chrono::steady_clock;

int fail(const std::string& message) {
  std::fprintf(stderr, "bench_console_pages: %s\n", message.c_str());
  return 1;
}

// One kept-alive libcurl handle; answers the status and keeps the body and the Set-Cookie header.
class Client {
 public:
  Client() : curl_(curl_easy_init()) {}
  ~Client() { curl_easy_cleanup(curl_); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  long request(const std::string& url, const std::string& body = "", const std::string& csrf = "") {
    this->body.clear();
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &Client::on_body);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, &Client::on_header);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, this);
    curl_slist* headers = nullptr;
    if (!cookie.empty()) headers = curl_slist_append(headers, ("Cookie: " + cookie).c_str());
    if (!csrf.empty()) headers = curl_slist_append(headers, ("X-CSRF-Token: " + csrf).c_str());
    if (!body.empty()) {
      headers = curl_slist_append(headers, "Content-Type: application/json");
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
    }
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    long status = 0;
    if (curl_easy_perform(curl_) == CURLE_OK) curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    return status;
  }

  std::string body;
  std::string cookie;  // "cg_console=..." once signed in

 private:
  static std::size_t on_body(char* p, std::size_t size, std::size_t n, void* self) {
    static_cast<Client*>(self)->body.append(p, size * n);
    return size * n;
  }
  static std::size_t on_header(char* p, std::size_t size, std::size_t n, void* self) {
    std::string line(p, size * n);
    if (line.rfind("Set-Cookie: ", 0) == 0 || line.rfind("set-cookie: ", 0) == 0)
      static_cast<Client*>(self)->cookie = line.substr(12, line.find(';') - 12);
    return size * n;
  }
  CURL* curl_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string folder = "/tmp/cg-bench-console-pages";
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--db") == 0) folder = argv[i + 1];
  const long rounds = bench::arg(argc, argv, "--rounds", 100);
  const bench::SeedSizes sizes = bench::seed_sizes(argc, argv);
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  const std::string db = folder + "/gateway.db";
  const core::Instant now{std::chrono::seconds{1'800'000'000}};

  auto seeded_at = SteadyClock::now();
  bench::Seeded seeded;
  {
    auto store = store::open_sqlite({.path = db, .readers = 2, .max_batch = 512, .synchronous_full = false});
    if (!store) return fail(store.error().message);
    auto s = bench::seed_console_store(**store, sizes, now);
    if (!s) return fail(s.error().message);
    seeded = std::move(*s);
    auto hash = crypto::hash_password("bench-password");
    if (!hash) return fail(hash.error().message);
    auto added = gateway::console::add_operator(**store, "bench", gateway::console::Role::admin, *hash,
                                                gateway::AuditBy{"cli", "local"}, now);
    if (!added) return fail(added.error().message);
    (*store)->close();
  }
  const double seed_s = std::chrono::duration<double>(SteadyClock::now() - seeded_at).count();

  gateway::Config config;
  config.listen.address = "127.0.0.1";
  config.listen.port = 0;
  config.listen.threads = 2;
  config.store.url = "sqlite:" + db;
  config.admin_token = "bench-admin-token-0123456789abcdef";
  config.exam_secret = "bench-exam-secret-0123456789abcdef";
  config.website.api_keys = {"bench-website-key-0123456789abcdef"};
  config.outbox.file.path = folder + "/outbox.jsonl";
  config.outbox.poll = std::chrono::hours(1);
  config.scheduler.tick = std::chrono::hours(1);
  config.log.level = "warn";
  config.console.simulator.test_range = {"+962780000001",
                                         "+962780000050"};  // an access line per request would time the terminal
  gateway::ManualClock clock(now);
  auto app = gateway::App::create(config, clock);
  if (!app) return fail(app.error().message);
  if (auto st = (*app)->start(); !st) return fail(st.error().message);
  const std::string base = "http://127.0.0.1:" + std::to_string((*app)->port());

  Client client;
  if (client.request(base + "/console/api/session", R"({"username":"bench","password":"bench-password"})") != 200)
    return fail("sign-in failed: " + client.body);
  const std::string csrf = client.body.substr(client.body.find("\"csrf\":\"") + 8, 64);

  const auto& course = seeded.courses[seeded.courses.size() / 2];
  const std::string c = "/console/api/courses/" + std::to_string(course.id);
  // An application of that course (applications go round the courses), so the searches find it.
  const long app_no = sizes.applications / 2 + static_cast<long>(seeded.courses.size() / 2);
  struct Case {
    Case(std::string n, std::string p, std::string b = "")
        : name(std::move(n)), path(std::move(p)), body(std::move(b)) {}
    std::string name;
    std::string path;
    std::string body;  // set: a POST that changes nothing (a preview)
  };
  const std::string sim_phone = "%2B" + config.console.simulator.test_range.from.substr(1);
  const std::vector<Case> cases = {
      {"session", "/console/api/session"},
      {"overview", "/console/api/overview"},
      {"course", c},
      {"applicants", c + "/applications"},
      {"applicants after", c + "/applications?after=" + std::to_string(sizes.applications / 2)},
      {"applicants by state", c + "/applications?state=awaiting_payment"},
      {"applicants by name", c + "/applications?q=" + std::to_string(app_no)},
      {"applicants by phone", c + "/applications?q=0" + bench::seeded_phone(app_no).substr(4)},
      {"export (csv)", c + "/export"},
      {"find by phone", "/console/api/applications?phone=%2B" + bench::seeded_phone(app_no).substr(1)},
      {"application", "/console/api/applications/" + bench::seeded_application_id(app_no)},
      {"payments", "/console/api/payments?date=" + seeded.stmt_date},
      {"payments after", "/console/api/payments?date=" + seeded.stmt_date + "&limit=200"},
      {"open bills", "/console/api/bills"},
      {"audit", "/console/api/audit"},
      {"operators", "/console/api/operators"},
      {"messages", "/console/api/messages"},
      {"messages failed", "/console/api/messages?status=failed"},
      {"messages by provider", "/console/api/messages?provider=kannel&after=500000"},
      {"delivery funnel", "/console/api/messages/funnel"},
      {"providers", "/console/api/messages/providers"},
      {"opt-outs", "/console/api/opt-outs"},
      {"simulator", "/console/api/simulator"},
      {"simulator messages", "/console/api/simulator/messages?phone=" + sim_phone + "&after_in=0&after_out=0"},
      {"edit preview", c + "/preview",
       R"({"start_at":"2027-03-10T16:00:00+03:00","end_at":"2027-03-14T19:00:00+03:00"})"},
      {"broadcast preview", c + "/broadcast/preview",
       R"({"states":["awaiting_quorum","awaiting_payment"],"text_ar":"تذكير بموعد الدورة","text_en":"A reminder"})"},
  };
  std::printf("seeded %ld courses, %ld applications, %ld outbox rows, %ld payments in %.1f s; %ld rounds each\n",
              sizes.courses, sizes.applications, sizes.outbox, sizes.payments, seed_s, rounds);
  std::printf("%-22s %8s %8s %8s %9s\n", "request", "p50 ms", "p95 ms", "max ms", "bytes");
  int over = 0;
  for (const auto& k : cases) {
    std::vector<double> ms;
    for (long r = 0; r < rounds; ++r) {
      auto t = SteadyClock::now();
      long status = client.request(base + k.path, k.body, k.body.empty() ? "" : csrf);
      ms.push_back(std::chrono::duration<double, std::milli>(SteadyClock::now() - t).count());
      if (status != 200) return fail(k.name + ": status " + std::to_string(status) + ": " + client.body);
    }
    std::sort(ms.begin(), ms.end());
    auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))]; };
    const bool within = pct(0.95) < 100.0;
    over += within ? 0 : 1;
    std::printf("%-22s %8.2f %8.2f %8.2f %9zu%s\n", k.name.c_str(), pct(0.5), pct(0.95), ms.back(), client.body.size(),
                within ? "" : "  over the 100 ms budget");
  }
  (*app)->stop();
  std::filesystem::remove_all(folder);
  return over == 0 ? 0 : 2;
}
