#include "adapters/sms/file/file_sender.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace cg::sms {
namespace {

// Owner-only when created: the outbox file holds applicants' numbers and messages.
Result<std::FILE*> open_append(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  std::FILE* f = fd < 0 ? nullptr : ::fdopen(fd, "ab");
  if (!f) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    return make_error("outbox_file", "cannot open " + path + ": " + std::strerror(err));
  }
  return f;
}

// The ids in an existing file, and whether its last line lacks its newline (a crash mid-write).
Result<bool> read_ids(const std::string& path, std::unordered_set<std::int64_t>& ids) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;  // not there yet
  std::string text;
  bool open_line = false;
  while (std::getline(in, text)) {
    open_line = in.eof();  // getline stopped at the end, not at a newline
    if (auto id = FileSender::id_of(text); id > 0) ids.insert(id);
  }
  if (in.bad()) return make_error("outbox_file", "cannot read " + path + ": " + std::strerror(errno));
  return open_line;
}

}  // namespace

std::int64_t FileSender::id_of(std::string_view line) {
  // The writer's key order puts "id" after "created_at"; ',"id":' cannot occur inside a string
  // value, where every '"' is escaped. Only a whole line (closing brace) counts.
  if (line.empty() || line.back() != '}') return 0;
  std::size_t at = line.find(",\"id\":");
  std::size_t skip = 6;
  if (at == std::string_view::npos) {
    if (line.rfind("{\"id\":", 0) != 0) return 0;
    at = 0;
  }
  const char* first = line.data() + at + skip;
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(first, line.data() + line.size(), id);
  if (ec != std::errc() || (*end != ',' && *end != '}')) return 0;
  return id;
}

Result<std::unique_ptr<FileSender>> FileSender::open(const std::string& path, std::string name) {
  std::error_code ec;
  auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  std::unordered_set<std::int64_t> ids;
  auto open_line = read_ids(path, ids);
  if (!open_line) return open_line.error();
  auto f = open_append(path);
  if (!f) return f.error();
  // A line cut short by a crash is ended, so the next line starts on its own.
  if (*open_line && (std::fputc('\n', *f) == EOF || std::fflush(*f) != 0)) {
    const int err = errno;
    std::fclose(*f);
    return make_error("outbox_file", "cannot write " + path + ": " + std::strerror(err));
  }
  return std::unique_ptr<FileSender>(new FileSender(*f, path, std::move(name), std::move(ids)));
}

FileSender::~FileSender() {
  if (file_) std::fclose(file_);
}

Status FileSender::reopen() {
  auto f = open_append(path_);
  if (!f) return f.error();
  std::lock_guard lock(mu_);
  std::FILE* old = file_;
  file_ = *f;
  // Every line is synced before its batch counts as sent: nothing is left in the old buffer.
  std::fclose(old);
  return ok_status();
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
    if (written_.contains(m.id)) continue;  // sent again after a crash: its line is there
    buf += line(m);
    buf += '\n';
  }
  bool ok = buf.empty() || (std::fwrite(buf.data(), 1, buf.size(), file_) == buf.size() && std::fflush(file_) == 0 &&
                            ::fsync(::fileno(file_)) == 0);
  std::string err = ok ? "" : std::string("writing ") + path_ + ": " + std::strerror(errno);
  for (const auto& m : batch) {
    if (ok) {
      written_.insert(m.id);
      out.push_back({SendResult::Kind::accepted, "file-" + std::to_string(m.id), ""});
    } else {
      out.push_back({SendResult::Kind::temporary, "", err});
    }
  }
  return out;
}

}  // namespace cg::sms
