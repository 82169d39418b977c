// Time is stored and computed in UTC. Shown to applicants at a fixed offset from config (Asia/Amman
// has been UTC+3 all year since 2022). The clock is never read in core/: callers pass `now`.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace cg::core {

using Instant = std::chrono::sys_seconds;

// Parses ISO 8601 with a mandatory offset or 'Z': "2026-12-01T16:00:00+03:00", "2026-12-01T13:00:00Z".
// Seconds are optional ("2026-12-01T16:00+03:00"); fractional seconds are accepted and dropped.
Result<Instant> parse_iso8601(std::string_view text);

// "2026-12-01T13:00:00Z"
std::string format_iso8601_utc(Instant t);

// Local civil fields at a fixed UTC offset, for rendering.
struct LocalTime {
  int year, month, day, hour, minute, second;
  int weekday;  // 0 = Sunday
};
LocalTime to_local(Instant t, std::chrono::minutes utc_offset);

}  // namespace cg::core
