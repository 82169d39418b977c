// A database of the throwaway MariaDB for one test (tests/support/mariadb.hpp): created before
// it, dropped after it, opened by the store with any prefix of the migrations, and read back as
// the administrator.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "adapters/store/mysql/mysql_store.hpp"
#include "tests/support/mariadb.hpp"

namespace cg::store::mysql {

class MysqlDatabase : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = test::shared_mariadb();
    ASSERT_TRUE(server.ok()) << server.error().message;
    server_ = *server;
    database_ = test::database_name(::testing::UnitTest::GetInstance()->current_test_info()->name());
    ASSERT_TRUE(server_->create_database(database_).ok());
  }
  void TearDown() override {
    if (server_) (void)server_->drop_database(database_);
  }

  MysqlSettings settings() const {
    auto s = parse_mysql_url(server_->url(database_));
    EXPECT_TRUE(s.ok());
    MysqlSettings out = s.ok() ? *s : MysqlSettings{};
    out.pool = 4;
    return out;
  }
  std::unique_ptr<Store> open_store(std::span<const Migration> list = migrations()) {
    auto store = open(settings(), list);
    EXPECT_TRUE(store.ok()) << store.error().code << ": " << store.error().message;
    return store.ok() ? std::move(*store) : nullptr;
  }
  std::vector<std::vector<std::string>> rows(const std::string& sql) {
    auto r = server_->query(database_, sql);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<std::vector<std::string>>{};
  }

  test::MariaDb* server_ = nullptr;
  std::string database_;
};

}  // namespace cg::store::mysql
