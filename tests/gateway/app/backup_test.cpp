// `course-gateway backup` against a running gateway: the copy, taken by the real binary while the
// gateway answers HTTP writes, restores into a fresh gateway that knows every application
// acknowledged before the backup started.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <mutex>

#include "tests/gateway/gateway_fixture.hpp"

namespace cg::gateway::testing {
namespace {

namespace fs = std::filesystem;

struct Run {
  int status = -1;
  std::string output;
};

// Runs the built binary with `args`, stdout and stderr into one text.
Run course_gateway(const std::vector<std::string>& args, const fs::path& dir) {
  std::string command = std::string(CG_BINARY_DIR) + "/gateway/course-gateway";
  for (const auto& a : args) command += " '" + a + "'";
  const fs::path log = dir / "command.log";
  command += " > '" + log.string() + "' 2>&1";
  int raw = std::system(command.c_str());
  Run r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  r.output = ss.str();
  return r;
}

class BackupTest : public GatewayTest {
 protected:
  void SetUp() override {
    if (const char* backend = std::getenv("CG_TEST_STORE"); backend && std::string_view(backend) == "mysql")
      GTEST_SKIP() << "the backup command copies SQLite stores";
    GatewayTest::SetUp();
  }
  // A config file for the command, naming `url` as the store.
  fs::path config_file(const std::string& url) {
    const fs::path path = dir_ / "backup-config.json";
    std::ofstream(path) << json{{"admin_token", kAdminToken},
                                {"exam_secret", "exam-test-secret-0123456789"},
                                {"store", {{"url", url}}},
                                {"outbox", {{"file", {{"path", (dir_ / "outbox.jsonl").string()}}}}}}
                               .dump();
    return path;
  }
};

TEST_F(BackupTest, ACopyTakenWhileTheGatewayTakesWritesRestoresEveryAcknowledgedApplication) {
  const auto course = create_course({{"code", "201"}, {"min_participants", 1000}});
  std::mutex mu;
  std::vector<std::string> acknowledged;
  std::atomic<bool> done{false};
  std::atomic<int> next{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w)
    writers.emplace_back([&] {
      test::HttpClient client;
      while (!done.load()) {
        json body = person(next.fetch_add(1));
        body["course_id"] = course;
        auto r = client.request(
            "POST", base_ + "/v1/applications",
            {{"Content-Type", "application/json"}, {"Authorization", std::string("Bearer ") + kWebsiteKey}},
            body.dump());
        if (!r.ok() || r->status != 201) {
          ++failures;
          continue;
        }
        std::lock_guard lock(mu);
        acknowledged.push_back(json::parse(r->body).value("application_id", std::string()));
      }
    });
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (acknowledged.size() >= 50) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  std::vector<std::string> before;
  {
    std::lock_guard lock(mu);
    before = acknowledged;
  }
  const fs::path copy = dir_ / "copy.db";
  const std::string source_url = "sqlite:" + (dir_ / "gateway.db").string();
  auto backup = course_gateway({"backup", "--config", config_file(source_url).string(), "--to", copy.string()}, dir_);
  std::size_t during = 0;
  {
    std::lock_guard lock(mu);
    during = acknowledged.size();
  }
  done = true;
  for (auto& t : writers) t.join();
  ASSERT_EQ(backup.status, 0) << backup.output;
  EXPECT_NE(backup.output.find("integrity_check ok"), std::string::npos) << backup.output;
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GT(during, before.size()) << "no application was acknowledged while the copy was taken";
  struct stat st {};
  ASSERT_EQ(::stat(copy.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);

  // Restore: stop, put the copy in place of the store, start (docs/backup.md#restore).
  app_->stop();
  app_.reset();
  Config c = config();
  c.store.url = "sqlite:" + copy.string();
  start_with(c);
  for (const auto& id : before) EXPECT_EQ(call("GET", "/v1/applications/" + id).status, 200) << id;
}

TEST_F(BackupTest, AnExistingTargetIsRefusedUnlessForcedAndMysqlIsPointedToItsTools) {
  const fs::path copy = dir_ / "copy.db";
  std::ofstream(copy) << "an older copy";
  const auto config = config_file("sqlite:" + (dir_ / "gateway.db").string()).string();
  auto refused = course_gateway({"backup", "--config", config, "--to", copy.string()}, dir_);
  EXPECT_EQ(refused.status, 1);
  EXPECT_NE(refused.output.find("--force"), std::string::npos) << refused.output;
  EXPECT_EQ(fs::file_size(copy), std::string("an older copy").size());

  auto forced = course_gateway({"backup", "--config", config, "--to", copy.string(), "--force"}, dir_);
  EXPECT_EQ(forced.status, 0) << forced.output;
  EXPECT_GT(fs::file_size(copy), 4096u);

  auto no_target = course_gateway({"backup", "--config", config}, dir_);
  EXPECT_EQ(no_target.status, 2) << no_target.output;

  auto mysql =
      course_gateway({"backup", "--config", config_file("mysql://gateway:secret@127.0.0.1:3306/gateway").string(),
                      "--to", (dir_ / "mysql-copy").string()},
                     dir_);
  EXPECT_EQ(mysql.status, 2) << mysql.output;
  EXPECT_NE(mysql.output.find("docs/backup.md"), std::string::npos) << mysql.output;
  EXPECT_FALSE(fs::exists(dir_ / "mysql-copy"));
}

}  // namespace
}  // namespace cg::gateway::testing
