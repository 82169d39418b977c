#include "adapters/sms/file/file_sender.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace cg::sms {

Result<std::unique_ptr<FileSender>> FileSender::open(const std::string& path, std::string name) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  // Owner-only when created: the outbox file holds applicants' numbers and messages.
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  std::FILE* f = fd < 0 ? nullptr : ::fdopen(fd, "ab");
  if (!f) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    return make_error("outbox_file", "cannot open " + path + ": " + std::strerror(err));
  }
  return std::unique_ptr<FileSender>(new FileSender(f, path, std::move(name)));
}

FileSender::~FileSender() {
  if (file_) std::fclose(file_);
}

std::string FileSender::line(const store::OutboxMessage& m) {
  nlohmann::json j{{"id", m.id},
                   {"to", m.to},
                   {"text", m.text},
                   {"template", m.template_name},
                   {"language", std::string(core::to_string(m.language))},
                   {"application_id", m.application_id},
                   {"step", m.step},
                   {"created_at", core::format_iso8601_utc(m.created_at)},
                   {"segments", m.segments}};
  return j.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

std::vector<SendResult> FileSender::send(std::span<const store::OutboxMessage> batch) {
  std::lock_guard lock(mu_);
  std::vector<SendResult> out;
  out.reserve(batch.size());
  std::string buf;
  for (const auto& m : batch) {
    buf += line(m);
    buf += '\n';
  }
  bool ok = std::fwrite(buf.data(), 1, buf.size(), file_) == buf.size() && std::fflush(file_) == 0 &&
            ::fsync(::fileno(file_)) == 0;
  std::string err = ok ? "" : std::string("writing ") + path_ + ": " + std::strerror(errno);
  for (const auto& m : batch) {
    if (ok)
      out.push_back({SendResult::Kind::accepted, "file-" + std::to_string(m.id), ""});
    else
      out.push_back({SendResult::Kind::temporary, "", err});
  }
  return out;
}

}  // namespace cg::sms
