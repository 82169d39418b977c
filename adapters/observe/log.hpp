// The gateway's log: one line per event on stderr, as text or as JSON, with a level, the part that
// speaks, a message, fields, and the id of the request being served (when there is one). Every
// value is escaped for a log line, so a client's bytes cannot forge a line. No secret and no
// document number belongs in a field: callers mask phones (core::mask_phone) and redact texts
// (core::redact_for_log) before logging them.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace cg::log {

enum class Level { debug, info, warn, error };
enum class Format { text, json };

std::optional<Level> parse_level(std::string_view text);    // "debug", "info", "warn", "error"
std::optional<Format> parse_format(std::string_view text);  // "text", "json"
std::string_view to_string(Level level);

// Process-wide; set once at start (log.level, log.format), before threads log.
void configure(Level level, Format format);
bool enabled(Level level);

// Where the lines go (stderr by default). Tests capture them; an empty function restores stderr.
void set_sink(std::function<void(std::string_view line)> sink);

struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v ? v : "") {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  template <class T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Field(std::string_view k, T v) : key(k), value(std::to_string(v)), number(true) {}
  Field(std::string_view k, double v);  // up to 6 significant digits
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), number(true) {}
  std::string_view key;
  std::string value;
  bool number = false;  // written without quotes in JSON
};
using Fields = std::initializer_list<Field>;

// One line: "<time> <LEVEL> <component>: <message> key=value ... request_id=..." in text,
// {"time":...,"level":...,"component":...,"msg":...,"request_id":...,key:value...} in JSON.
void write(Level level, std::string_view component, std::string_view message, Fields fields = {});
inline void debug(std::string_view c, std::string_view m, Fields f = {}) { write(Level::debug, c, m, f); }
inline void info(std::string_view c, std::string_view m, Fields f = {}) { write(Level::info, c, m, f); }
inline void warn(std::string_view c, std::string_view m, Fields f = {}) { write(Level::warn, c, m, f); }
inline void error(std::string_view c, std::string_view m, Fields f = {}) { write(Level::error, c, m, f); }

// The line write() would produce (exposed for tests), without the time when `time` is empty.
std::string format_line(Format format, std::string_view time, Level level, std::string_view component,
                        std::string_view message, std::string_view request_id, Fields fields);

// --- request ids ---
// A client's X-Request-Id is kept when it is 1 to 64 characters of [A-Za-z0-9._:-]; anything else
// (empty, long, spaces, quotes, control bytes) is replaced by a generated id, so a log line never
// carries a client's arbitrary bytes under this name.
bool valid_request_id(std::string_view id);
std::string generate_request_id();      // 16 hex digits, random
std::string_view current_request_id();  // this thread's, "" outside any request

// Sets this thread's request id for its lifetime (restoring the previous one after).
class RequestScope {
 public:
  explicit RequestScope(std::string id);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  std::string previous_;
};

}  // namespace cg::log
