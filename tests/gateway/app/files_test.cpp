// Files the gateway creates hold names, document numbers and phone numbers: owner-only (0600),
// whatever the umask.
#include <sys/stat.h>

#include "tests/gateway/gateway_fixture.hpp"

namespace cg::gateway::testing {
namespace {

class Files : public GatewayTest {};

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 0777;
}

TEST_F(Files, TheDatabaseItsWalAndTheOutboxFileAreOwnerOnly) {
  if (std::getenv("CG_TEST_STORE")) GTEST_SKIP() << "a SQLite file test";
  ::umask(022);  // the usual default, which left them readable by every local user
  app_.reset();
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  start();
  auto course = create_course();
  apply_ok(course, 1);
  ASSERT_EQ(app_->dispatcher().run_once().ok(), true);
  for (const char* name : {"gateway.db", "gateway.db-wal", "gateway.db-shm", "outbox.jsonl"}) {
    ASSERT_TRUE(std::filesystem::exists(dir_ / name)) << name;
    EXPECT_EQ(mode_of(dir_ / name), 0600u) << name << " is " << std::oct << mode_of(dir_ / name);
  }
}

}  // namespace
}  // namespace cg::gateway::testing
