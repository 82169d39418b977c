// The file adapter: one line per outbox id however often a row is sent (a dispatcher that died
// after the line was synced sends it again), and reopen() for logrotate: after the file is moved
// away, new lines go to a new file at the path and none is lost.
#include "adapters/sms/file/file_sender.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>

namespace cg::sms {
namespace {

namespace fs = std::filesystem;

store::OutboxMessage message(std::int64_t id) {
  store::OutboxMessage m;
  m.id = id;
  m.to = "+962791234567";
  m.text = "موعد الدورة غدا \"id\":" + std::to_string(id + 1000);  // a text that looks like a key
  m.template_name = "reminder";
  m.step = "reminder";
  m.created_at = core::Instant{std::chrono::seconds{1'790'000'000}};
  return m;
}

std::vector<std::string> lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::map<std::int64_t, int> ids_in(const fs::path& path) {
  std::map<std::int64_t, int> n;
  for (const auto& l : lines(path)) ++n[FileSender::id_of(l)];
  return n;
}

class FileSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("cg-file-" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(dir_);
    path_ = dir_ / "outbox.jsonl";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::unique_ptr<FileSender> open() {
    auto f = FileSender::open(path_.string());
    EXPECT_TRUE(f) << (f ? "" : f.error().message);
    return f ? std::move(*f) : nullptr;
  }
  static void send_all_accepted(FileSender& f, const std::vector<store::OutboxMessage>& batch) {
    for (const auto& r : f.send(batch)) EXPECT_EQ(r.kind, SendResult::Kind::accepted) << r.error;
  }
  fs::path dir_, path_;
};

TEST_F(FileSenderTest, IdOfReadsTheLinesItWritesAndNothingElse) {
  EXPECT_EQ(FileSender::id_of(FileSender::line(message(42))), 42);
  EXPECT_EQ(FileSender::id_of("{\"application_id\":\"a\",\"created_at\":\"x\",\"id\":7,\"lang"), 0) << "cut short";
  EXPECT_EQ(FileSender::id_of("{\"text\":\"\\\"id\\\":9\"}"), 0) << "only a key, not a string, counts";
  EXPECT_EQ(FileSender::id_of(""), 0);
}

TEST_F(FileSenderTest, ARowSentAgainAfterACrashIsAcknowledgedWithoutASecondLine) {
  {
    auto f = open();
    send_all_accepted(*f, {message(1), message(2), message(3)});
  }
  // A crash while the last line was being written: a line cut short, no newline.
  {
    std::ofstream out(path_, std::ios::app);
    out << FileSender::line(message(4)).substr(0, 40);
  }
  // The restarted gateway sends again what it had not recorded: 2 and 3 (written), 4 (cut), 5 (new).
  auto f = open();
  auto results = f->send(std::vector{message(2), message(3), message(4), message(5)});
  ASSERT_EQ(results.size(), 4u);
  for (const auto& r : results) EXPECT_EQ(r.kind, SendResult::Kind::accepted);
  EXPECT_EQ(results[0].provider_message_id, "file-2");
  auto n = ids_in(path_);
  EXPECT_EQ(n[1], 1);
  EXPECT_EQ(n[2], 1);
  EXPECT_EQ(n[3], 1);
  EXPECT_EQ(n[4], 1) << "the cut line does not count; the whole one follows on its own line";
  EXPECT_EQ(n[5], 1);
  EXPECT_EQ(n[0], 1) << "the one cut line";
  // And within one process: sending the same row twice writes it once.
  send_all_accepted(*f, {message(5)});
  EXPECT_EQ(ids_in(path_)[5], 1);
}

TEST_F(FileSenderTest, ReopenAfterTheFileWasMovedWritesANewFileAndLosesNothing) {
  auto f = open();
  send_all_accepted(*f, {message(1), message(2)});
  const fs::path rotated = dir_ / "outbox.jsonl.1";
  fs::rename(path_, rotated);  // logrotate
  ASSERT_TRUE(f->reopen());
  send_all_accepted(*f, {message(3), message(4)});
  EXPECT_EQ(ids_in(rotated), (std::map<std::int64_t, int>{{1, 1}, {2, 1}}));
  EXPECT_EQ(ids_in(path_), (std::map<std::int64_t, int>{{3, 1}, {4, 1}}));
  EXPECT_EQ(fs::status(path_).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  // A row of the moved file sent again still gets no second line.
  send_all_accepted(*f, {message(2)});
  EXPECT_EQ(lines(path_).size(), 2u);
  EXPECT_EQ(lines(rotated).size(), 2u);
}

TEST_F(FileSenderTest, AReopenThatFailsKeepsTheOldFile) {
  auto f = open();
  send_all_accepted(*f, {message(1)});
  fs::rename(path_, dir_ / "moved.jsonl");
  fs::create_directories(path_);  // the path is now a directory: it cannot be opened for writing
  EXPECT_FALSE(f->reopen());
  send_all_accepted(*f, {message(2)});
  EXPECT_EQ(lines(dir_ / "moved.jsonl").size(), 2u);
}

}  // namespace
}  // namespace cg::sms
