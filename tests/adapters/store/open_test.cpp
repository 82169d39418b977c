// Opening a store from its URL (adapters/store/open.hpp), in builds with and without MySQL.
#include "adapters/store/open.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

namespace cg::store {
namespace {

TEST(StoreUrl, RedactedForLogs) {
  EXPECT_EQ(redact_store_url("mysql://gw:p%40ss@db:3307/cg"), "mysql://gw:****@db:3307/cg");
  EXPECT_EQ(redact_store_url("mysql://gw@db/cg"), "mysql://gw@db/cg");
  EXPECT_EQ(redact_store_url("sqlite:var/course-gateway.db"), "sqlite:var/course-gateway.db");
}

TEST(StoreUrl, NamesABackendAndWhatItNeeds) {
  EXPECT_TRUE(check_store_url("sqlite:var/course-gateway.db").ok());
  for (auto [url, says] :
       {std::pair{"sqlite:", "names no file"}, std::pair{"postgres://gw@db/cg", "must start with sqlite: or mysql://"},
        std::pair{"", "must start with sqlite: or mysql://"}}) {
    auto s = check_store_url(url);
    ASSERT_FALSE(s.ok()) << url;
    EXPECT_EQ(s.error().code, "invalid_store_settings") << url;
    EXPECT_EQ(s.error().message, says) << url;
  }
}

#ifndef CG_NO_MYSQL
TEST(StoreUrl, AMysqlUrlIsCheckedByItsParser) {
  EXPECT_TRUE(check_store_url("mysql://gw:pw@127.0.0.1:3306/cg").ok());
  auto s = check_store_url("mysql://gw:pw@127.0.0.1:3306/");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("names no database"), std::string::npos) << s.error().message;
}
#else
TEST(StoreUrl, AMysqlUrlIsRefusedWithoutMysqlSupport) {
  for (auto url : {"mysql://gw:pw@127.0.0.1:3306/cg", "mysql://anything"}) {
    auto s = check_store_url(url);
    ASSERT_FALSE(s.ok()) << url;
    EXPECT_NE(s.error().message.find("this build has no MySQL support"), std::string::npos) << s.error().message;
    auto opened = open_store(StoreSettings{.url = url});
    ASSERT_FALSE(opened.ok()) << url;
    EXPECT_NE(opened.error().message.find("this build has no MySQL support"), std::string::npos);
  }
}
#endif

TEST(StoreUrl, OpensTheSqliteFileItNames) {
  std::random_device rd;
  auto path = std::filesystem::temp_directory_path() / ("cg-open-test-" + std::to_string(rd()) + ".sqlite");
  {
    auto store = open_store(StoreSettings{.url = "sqlite:" + path.string(), .readers = 1});
    ASSERT_TRUE(store.ok()) << store.error().message;
    EXPECT_TRUE((*store)->ping().ok());
    (*store)->close();
  }
  EXPECT_TRUE(std::filesystem::exists(path));
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix);
}

}  // namespace
}  // namespace cg::store
