// The `file` adapter (SPEC §6): one JSON line per SMS, appended to a file and flushed to disk
// before the batch counts as sent. The embedded default for trying the gateway out.
//
// Each id is written once: on open the adapter reads the ids already in its file, and a row sent
// again (its dispatcher died after the line was synced and before the row was recorded as sent)
// is acknowledged without a second line. reopen() opens the path again, for logrotate (SIGHUP):
// lines go to the new file, and the ids of the old one are still known.
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "adapters/sms/sender.hpp"
#include "core/result.hpp"

namespace cg::sms {

class FileSender final : public Sender {
 public:
  // `name`: the configured provider name the outbox rows record.
  static Result<std::unique_ptr<FileSender>> open(const std::string& path, std::string name = "file");
  ~FileSender() override;
  std::string name() const override { return name_; }
  std::vector<SendResult> send(std::span<const store::OutboxMessage> batch) override;
  // Closes the file and opens the path again (created if a rotation moved it away). On failure the
  // old file stays in use.
  Status reopen() override;

  // The line written for one message (also what tests compare against).
  static std::string line(const store::OutboxMessage& m);
  // The outbox id a line holds, or 0 when it holds none (a line cut short by a crash).
  static std::int64_t id_of(std::string_view line);

 private:
  FileSender(std::FILE* f, std::string path, std::string name, std::unordered_set<std::int64_t> written)
      : file_(f), path_(std::move(path)), name_(std::move(name)), written_(std::move(written)) {}
  std::FILE* file_;
  std::string path_;
  std::string name_;
  std::unordered_set<std::int64_t> written_;  // ids with a line on disk
  std::mutex mu_;
};

}  // namespace cg::sms
