// The log's line formats, exactly; levels; request ids (checked, generated, carried by scope).
#include "adapters/observe/log.hpp"

#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace cg::log {
namespace {

TEST(LogFormat, TextLineIsLevelComponentMessageFieldsThenRequestId) {
  EXPECT_EQ(format_line(Format::text, "2026-12-07T05:45:00.123Z", Level::info, "http", "request", "abc-1",
                        {{"route", "/v1/applications"}, {"status", 201}, {"client", "10.0.0.7"}}),
            "2026-12-07T05:45:00.123Z INFO http: request route=/v1/applications status=201 client=10.0.0.7 "
            "request_id=abc-1\n");
  // Values with spaces, quotes or control bytes are quoted and escaped: a value cannot start a line.
  EXPECT_EQ(format_line(Format::text, "", Level::error, "store", "failed", "",
                        {{"error", "disk \"full\"\nFAKE LINE"}, {"empty", ""}}),
            "ERROR store: failed error=\"disk \\\"full\\\"\\nFAKE LINE\" empty=\"\"\n");
}

TEST(LogFormat, JsonLineIsOneObjectWithNumbersUnquoted) {
  const std::string line =
      format_line(Format::json, "2026-12-07T05:45:00.123Z", Level::warn, "sms", "provider exchange", "r-9",
                  {{"outbox_id", 42}, {"provider", "kannel"}, {"ok", false}, {"ms", 3.25}});
  EXPECT_EQ(line,
            "{\"time\":\"2026-12-07T05:45:00.123Z\",\"level\":\"warn\",\"component\":\"sms\",\"msg\":\"provider "
            "exchange\",\"request_id\":\"r-9\",\"outbox_id\":42,\"provider\":\"kannel\",\"ok\":false,\"ms\":3.25}\n");
  auto j = nlohmann::json::parse(
      format_line(Format::json, "", Level::info, "x", "a\"b\\c\n\x01", "", {{"bytes", std::string("\xff\x02 \t")}}),
      nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["msg"], "a\"b\\c\n\x01");
}

TEST(LogLevels, ParsedByNameAndFilteredBelowTheConfiguredOne) {
  EXPECT_EQ(parse_level("debug"), Level::debug);
  EXPECT_EQ(parse_level("warn"), Level::warn);
  EXPECT_FALSE(parse_level("warning"));
  EXPECT_EQ(parse_format("json"), Format::json);
  EXPECT_FALSE(parse_format("logfmt"));

  std::vector<std::string> lines;
  std::mutex mu;
  set_sink([&](std::string_view l) {
    std::lock_guard lock(mu);
    lines.emplace_back(l);
  });
  configure(Level::warn, Format::text);
  info("t", "dropped");
  warn("t", "kept");
  error("t", "kept too");
  configure(Level::info, Format::text);
  set_sink({});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[0].find(" WARN t: kept\n"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(" ERROR t: kept too\n"), std::string::npos) << lines[1];
}

TEST(RequestIds, OnlyShortPlainIdsAreKept) {
  EXPECT_TRUE(valid_request_id("3f2a-bc.9_x:1"));
  EXPECT_TRUE(valid_request_id(std::string(64, 'a')));
  EXPECT_FALSE(valid_request_id(""));
  EXPECT_FALSE(valid_request_id(std::string(65, 'a')));
  EXPECT_FALSE(valid_request_id("a b"));
  EXPECT_FALSE(valid_request_id("a\"b"));
  EXPECT_FALSE(valid_request_id("a\nb"));
  EXPECT_FALSE(valid_request_id("key=secret"));
  const std::string a = generate_request_id(), b = generate_request_id();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_TRUE(valid_request_id(a));
  EXPECT_NE(a, b);
}

TEST(RequestIds, AScopeSetsTheThreadsIdAndRestoresTheOuterOne) {
  EXPECT_EQ(current_request_id(), "");
  {
    RequestScope outer("outer");
    {
      RequestScope inner("inner");
      EXPECT_EQ(current_request_id(), "inner");
      std::thread([] { EXPECT_EQ(current_request_id(), ""); }).join();  // per thread
    }
    EXPECT_EQ(current_request_id(), "outer");
  }
  EXPECT_EQ(current_request_id(), "");
}

}  // namespace
}  // namespace cg::log
