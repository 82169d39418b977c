// The `file` adapter (SPEC §6): one JSON line per SMS, appended to a file and flushed to disk
// before the batch counts as sent. The embedded default for trying the gateway out.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

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

  // The line written for one message (also what tests compare against).
  static std::string line(const store::OutboxMessage& m);

 private:
  FileSender(std::FILE* f, std::string path, std::string name)
      : file_(f), path_(std::move(path)), name_(std::move(name)) {}
  std::FILE* file_;
  std::string path_;
  std::string name_;
  std::mutex mu_;
};

}  // namespace cg::sms
