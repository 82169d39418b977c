#include "adapters/observe/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>

#include "core/text.hpp"

namespace cg::log {

namespace {

std::atomic<Level> g_level{Level::info};
std::atomic<Format> g_format{Format::text};
std::mutex g_sink_mu;
std::function<void(std::string_view)> g_sink;  // guarded by g_sink_mu
thread_local std::string t_request_id;

std::string now_utc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];  // room for any int, as the compiler checks
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// A text value: bare when it is one plain word, else quoted with escape_for_log's escapes.
void text_value(std::string& out, std::string_view v) {
  bool plain = !v.empty();
  for (unsigned char c : v)
    if (c <= 0x20 || c >= 0x7f || c == '"' || c == '=' || c == '\\') plain = false;
  if (plain) {
    out += v;
    return;
  }
  out += '"';
  for (char c : core::text::escape_for_log(v)) {
    if (c == '"') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

Field::Field(std::string_view k, double v) : key(k), number(true) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  value = buf;
}

std::optional<Level> parse_level(std::string_view t) {
  if (t == "debug") return Level::debug;
  if (t == "info") return Level::info;
  if (t == "warn") return Level::warn;
  if (t == "error") return Level::error;
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view t) {
  if (t == "text") return Format::text;
  if (t == "json") return Format::json;
  return std::nullopt;
}

std::string_view to_string(Level level) {
  switch (level) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

void configure(Level level, Format format) {
  g_level.store(level);
  g_format.store(format);
}

bool enabled(Level level) { return level >= g_level.load(std::memory_order_relaxed); }

void set_sink(std::function<void(std::string_view)> sink) {
  std::lock_guard lock(g_sink_mu);
  g_sink = std::move(sink);
}

std::string format_line(Format format, std::string_view time, Level level, std::string_view component,
                        std::string_view message, std::string_view request_id, Fields fields) {
  std::string out;
  out.reserve(128);
  if (format == Format::json) {
    out += '{';
    if (!time.empty()) {
      out += "\"time\":";
      core::text::append_json_string(out, time);
      out += ',';
    }
    out += "\"level\":";
    core::text::append_json_string(out, to_string(level));
    out += ",\"component\":";
    core::text::append_json_string(out, component);
    out += ",\"msg\":";
    core::text::append_json_string(out, message);
    if (!request_id.empty()) {
      out += ",\"request_id\":";
      core::text::append_json_string(out, request_id);
    }
    for (const Field& f : fields) {
      out += ',';
      core::text::append_json_string(out, f.key);
      out += ':';
      if (f.number)
        out += f.value;
      else
        core::text::append_json_string(out, f.value);
    }
    out += "}\n";
    return out;
  }
  if (!time.empty()) {
    out += time;
    out += ' ';
  }
  std::string upper(to_string(level));
  for (char& c : upper) c = static_cast<char>(c - 'a' + 'A');
  out += upper;
  out += ' ';
  out += component;
  out += ": ";
  out += core::text::escape_for_log(message);
  for (const Field& f : fields) {
    out += ' ';
    out += f.key;
    out += '=';
    text_value(out, f.value);
  }
  if (!request_id.empty()) {
    out += " request_id=";
    text_value(out, request_id);
  }
  out += '\n';
  return out;
}

void write(Level level, std::string_view component, std::string_view message, Fields fields) {
  if (!enabled(level)) return;
  const std::string line =
      format_line(g_format.load(std::memory_order_relaxed), now_utc(), level, component, message, t_request_id, fields);
  std::lock_guard lock(g_sink_mu);
  if (g_sink) {
    g_sink(line);
    return;
  }
  // One fwrite per line under the lock: lines from several threads never interleave.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                    c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string generate_request_id() {
  // Not a secret, only unique enough to find one request among a day's: a per-thread generator
  // seeded from the system's entropy.
  thread_local std::mt19937_64 gen{(static_cast<std::uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(gen()));
  return buf;
}

std::string_view current_request_id() { return t_request_id; }

RequestScope::RequestScope(std::string id) : previous_(std::move(t_request_id)) { t_request_id = std::move(id); }

RequestScope::~RequestScope() { t_request_id = std::move(previous_); }

}  // namespace cg::log
