// The SQLite store on a file system that fills up (a size-limited tmpfs: the tests run as root). Requests that need a
// write answer 503 store_unavailable (never 500), with the store's own words in the log and not in the answer; /healthz
// fails while writes fail, and both recover by themselves once the disk has room again.
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

  // Applies until one is refused; every answer is 201 or 503 store_unavailable, never a 500.
  void expect_writes_refused_with_503(std::int64_t course, int& n) {
    bool refused = false;
    for (int tries = 0; tries < 200 && !refused; ++tries, ++n) {
      auto r = apply(course, n);
      if (r.status == 201) continue;
      ASSERT_EQ(r.status, 503) << r.body;
      json body = json::parse(r.body, nullptr, false);
      EXPECT_EQ(body["error"].value("code", ""), "store_unavailable") << r.body;
      EXPECT_EQ(r.body.find(disk_.string()), std::string::npos) << "the answer names the file: " << r.body;
      EXPECT_EQ(r.body.find("SQLite"), std::string::npos) << r.body;
      refused = true;
    }
    ASSERT_TRUE(refused) << "no write failed";
  }

  std::filesystem::path disk_;
};

TEST_F(DiskFull, WritesAnswer503HealthzFailsAndBothRecoverWhenThereIsRoomAgain) {
  auto course = create_course();
  int n = 1;
  apply_ok(course, n++);
  ASSERT_EQ(healthz(), 200);

  fill_the_disk();
  expect_writes_refused_with_503(course, n);
  EXPECT_EQ(healthz(), 503) << "the load balancer would keep sending work here";
  EXPECT_EQ(healthz(), 503);

  std::filesystem::remove(disk_ / "filler");
  EXPECT_EQ(healthz(), 200) << "health did not come back by itself";
  EXPECT_FALSE(apply_ok(course, n++).empty());
}

}  // namespace
}  // namespace cg::gateway::testing
