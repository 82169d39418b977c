// The SQLite store on a file system that fills up (a size-limited tmpfs: the tests run as root). Requests that need a
// write answer 503 store_unavailable (never 500), with the store's own words in the log and not in the answer; /healthz
// fails while writes fail, requests that only read go on, nothing acknowledged is lost, and everything recovers by
// itself once the disk has room again. Then the same file system read-only.
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "tests/gateway/gateway_fixture.hpp"

namespace cg::gateway::testing {
namespace {

class DiskFull : public GatewayTest {
 protected:
  void SetUp() override {
    if (std::getenv("CG_TEST_STORE")) GTEST_SKIP() << "a SQLite file system test";
    std::random_device rd;
    disk_ = std::filesystem::temp_directory_path() / ("cg-disk-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(disk_);
    if (::mount("tmpfs", disk_.c_str(), "tmpfs", 0, "size=4m,mode=0700") != 0) {
      std::filesystem::remove(disk_);
      disk_.clear();
      GTEST_SKIP() << "mounting a tmpfs needs root: " << std::strerror(errno);
    }
    GatewayTest::SetUp();
  }
  void TearDown() override {
    GatewayTest::TearDown();
    if (!disk_.empty()) {
      ::umount2(disk_.c_str(), MNT_DETACH);
      std::filesystem::remove(disk_);
    }
  }
  void customise(Config& c) const override { c.store.url = "sqlite:" + (disk_ / "gateway.db").string(); }

  // Writes zeros to `filler` until the file system has no room left.
  void fill_the_disk() {
    std::FILE* f = std::fopen((disk_ / "filler").c_str(), "wb");
    ASSERT_NE(f, nullptr);
    std::vector<char> block(4096, 0);
    while (std::fwrite(block.data(), 1, block.size(), f) == block.size() && std::fflush(f) == 0) {
    }
    std::fclose(f);
  }

  int healthz() { return call("GET", "/healthz").status; }

  // Applies until one is refused; every answer is 201 or 503 store_unavailable, never a 500. The
  // ids acknowledged on the way go to `acknowledged`.
  void expect_writes_refused_with_503(std::int64_t course, int& n, std::vector<std::string>& acknowledged) {
    bool refused = false;
    for (int tries = 0; tries < 200 && !refused; ++tries, ++n) {
      auto r = apply(course, n);
      if (r.status == 201) {
        acknowledged.push_back(json::parse(r.body, nullptr, false).value("application_id", ""));
        continue;
      }
      ASSERT_EQ(r.status, 503) << r.body;
      json body = json::parse(r.body, nullptr, false);
      EXPECT_EQ(body["error"].value("code", ""), "store_unavailable") << r.body;
      EXPECT_EQ(r.body.find(disk_.string()), std::string::npos) << "the answer names the file: " << r.body;
      EXPECT_EQ(r.body.find("SQLite"), std::string::npos) << r.body;
      refused = true;
    }
    ASSERT_TRUE(refused) << "no write failed";
  }

  // Every acknowledged application reads back, with the state it was acknowledged in or a later one.
  void expect_all_there(const std::vector<std::string>& acknowledged) {
    for (const auto& id : acknowledged) {
      auto r = call("GET", "/v1/applications/" + id);
      EXPECT_EQ(r.status, 200) << "acknowledged application " << id << " was lost: " << r.body;
    }
  }

  void remount(unsigned long flags) {
    ASSERT_EQ(::mount(nullptr, disk_.c_str(), nullptr, MS_REMOUNT | flags, nullptr), 0) << std::strerror(errno);
  }

  std::filesystem::path disk_;
};

TEST_F(DiskFull, WritesAnswer503HealthzFailsAndBothRecoverWhenThereIsRoomAgain) {
  auto course = create_course({{"min_participants", 500}, {"capacity", 1000}});
  int n = 1;
  std::vector<std::string> acknowledged{apply_ok(course, n++)};
  ASSERT_EQ(healthz(), 200);

  fill_the_disk();
  expect_writes_refused_with_503(course, n, acknowledged);
  EXPECT_EQ(healthz(), 503) << "the load balancer would keep sending work here";
  EXPECT_EQ(healthz(), 503);
  // Reads and requests that need no store go on.
  expect_all_there(acknowledged);
  EXPECT_EQ(call("GET", "/metrics").status, 200);
  EXPECT_EQ(call("GET", "/v1/courses").status, 200);

  std::filesystem::remove(disk_ / "filler");
  EXPECT_EQ(healthz(), 200) << "health did not come back by itself";
  acknowledged.push_back(apply_ok(course, n++));
  EXPECT_FALSE(acknowledged.back().empty());
  // On disk, not only in a cache: a gateway started afresh on the file has every one.
  restart();
  expect_all_there(acknowledged);
  EXPECT_EQ(counts().applications, static_cast<long long>(acknowledged.size()));
}

TEST_F(DiskFull, AReadOnlyFileSystemStopsTheStartNamingItAndTheDataIsThereWhenItIsWritableAgain) {
  auto course = create_course({{"min_participants", 500}, {"capacity", 1000}});
  std::vector<std::string> acknowledged{apply_ok(course, 1), apply_ok(course, 2)};
  // Linux refuses to make a file system read-only while files on it are open for writing, as
  // SQLite's are while the gateway runs (EBUSY); a kernel that does it after disk errors forces it,
  // which a test cannot. So this is the start onto one (a host rebooted with it read-only).
  EXPECT_NE(::mount(nullptr, disk_.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0);
  EXPECT_EQ(errno, EBUSY) << std::strerror(errno);
  app_->stop();
  app_.reset();
  remount(MS_RDONLY);
  auto refused = App::create(config(), clock_);
  ASSERT_FALSE(refused.ok()) << "started on a read-only file system";
  EXPECT_EQ(refused.error().code, "store_unavailable") << refused.error().message;
  EXPECT_NE(refused.error().message.find("read-only"), std::string::npos) << refused.error().message;

  remount(0);
  start();
  EXPECT_EQ(healthz(), 200);
  expect_all_there(acknowledged);
  acknowledged.push_back(apply_ok(course, 3));
  EXPECT_EQ(counts().applications, 3);
}

}  // namespace
}  // namespace cg::gateway::testing
