#include "core/time.hpp"

#include <cstdio>

#include "core/text.hpp"

namespace cg::core {
namespace {

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

Error bad(std::string_view text) {
  return make_error("invalid_time", "'" + std::string(text::cut_bytes(text, 40)) +
                                        "' is not an ISO 8601 time with an offset, like 2026-12-01T16:00:00+03:00");
}

}  // namespace

Result<Instant> parse_iso8601(std::string_view s) {
  using namespace std::chrono;
  int y, mo, d, h, mi, sec = 0;
  if (!read_int(s, 0, 4, y) || s.size() < 16 || s[4] != '-' || !read_int(s, 5, 2, mo) || s[7] != '-' ||
      !read_int(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !read_int(s, 11, 2, h) || s[13] != ':' ||
      !read_int(s, 14, 2, mi))
    return bad(s);
  std::size_t p = 16;
  if (p < s.size() && s[p] == ':') {
    if (!read_int(s, p + 1, 2, sec)) return bad(s);
    p += 3;
    if (p < s.size() && s[p] == '.') {
      ++p;
      std::size_t start = p;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
      if (p == start) return bad(s);
    }
  }
  if (p >= s.size()) return bad(s);
  int offset_min = 0;
  if (s[p] == 'Z' || s[p] == 'z') {
    ++p;
  } else if (s[p] == '+' || s[p] == '-') {
    int oh, om = 0;
    if (!read_int(s, p + 1, 2, oh)) return bad(s);
    std::size_t q = p + 3;
    if (q < s.size() && s[q] == ':') ++q;
    if (q < s.size()) {
      if (!read_int(s, q, 2, om)) return bad(s);
      q += 2;
    }
    if (oh > 14 || om > 59) return bad(s);
    offset_min = (oh * 60 + om) * (s[p] == '-' ? -1 : 1);
    p = q;
  } else {
    return bad(s);
  }
  if (p != s.size()) return bad(s);
  if (mo < 1 || mo > 12 || h > 23 || mi > 59 || sec > 59) return bad(s);
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return bad(s);
  sys_seconds t = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} - minutes{offset_min};
  return Instant{t};
}

std::string format_iso8601_utc(Instant t) {
  LocalTime l = to_local(t, std::chrono::minutes{0});
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", l.year, l.month, l.day, l.hour, l.minute, l.second);
  return buf;
}

LocalTime to_local(Instant t, std::chrono::minutes utc_offset) {
  using namespace std::chrono;
  sys_seconds local = t + utc_offset;
  sys_days day = floor<days>(local);
  year_month_day ymd{day};
  hh_mm_ss<seconds> hms{local - day};
  weekday wd{day};
  return LocalTime{static_cast<int>(ymd.year()),
                   static_cast<int>(static_cast<unsigned>(ymd.month())),
                   static_cast<int>(static_cast<unsigned>(ymd.day())),
                   static_cast<int>(hms.hours().count()),
                   static_cast<int>(hms.minutes().count()),
                   static_cast<int>(hms.seconds().count()),
                   static_cast<int>(wd.c_encoding())};
}

}  // namespace cg::core
