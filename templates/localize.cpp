#include "templates/localize.hpp"

#include <array>
#include <cstdio>

namespace cg::templates {
namespace {

using core::Language;

constexpr std::array<std::string_view, 12> kMonthsAr{
    "كانون الثاني", "شباط", "آذار",  "نيسان",       "أيار",         "حزيران",
    "تموز",         "آب",   "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
};
constexpr std::array<std::string_view, 12> kMonthsEn{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::string_view month_name(int month, Language l) {
  return (l == Language::ar ? kMonthsAr : kMonthsEn)[static_cast<std::size_t>(month - 1)];
}

std::string number(int n, Language l) { return localize_digits(std::to_string(n), l); }

std::string day_month(const core::LocalTime& t, Language l) {
  return number(t.day, l) + " " + std::string(month_name(t.month, l));
}

std::string hh_mm(const core::LocalTime& t, Language l) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", t.hour, t.minute);
  return localize_digits(buf, l);
}

// The connector between the two ends of a range: tight between single numbers, spaced between dates
// that are several words, so "28 Nov - 10 Dec" does not read as "Nov-10".
std::string_view dash(Language l) { return l == Language::ar ? "–" : "-"; }
std::string spaced_dash(Language l) { return " " + std::string(dash(l)) + " "; }

}  // namespace

std::string localize_digits(std::string_view ascii, Language language) {
  if (language != Language::ar) return std::string(ascii);
  std::string out;
  out.reserve(ascii.size() * 2);
  for (char c : ascii) {
    if (c >= '0' && c <= '9') {
      // U+0660 + d is UTF-8 D9 A0+d.
      out.push_back(static_cast<char>(0xD9));
      out.push_back(static_cast<char>(0xA0 + (c - '0')));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string format_date(core::Instant t, std::chrono::minutes utc_offset, Language language) {
  core::LocalTime l = core::to_local(t, utc_offset);
  return day_month(l, language) + " " + number(l.year, language);
}

std::string format_time(core::Instant t, std::chrono::minutes utc_offset, Language language) {
  return hh_mm(core::to_local(t, utc_offset), language);
}

std::string format_date_range(core::Instant from, core::Instant to, std::chrono::minutes utc_offset,
                              Language language) {
  core::LocalTime a = core::to_local(from, utc_offset);
  core::LocalTime b = core::to_local(to, utc_offset);
  std::string end = format_date(to, utc_offset, language);
  if (a.year == b.year && a.month == b.month) {
    if (a.day == b.day) return end;
    return number(a.day, language) + std::string(dash(language)) + end;
  }
  // The year a reader assumes for the start: the end's, or the one before if the start's day of the
  // year comes after the end's.
  bool start_before_end_in_year = a.month < b.month || (a.month == b.month && a.day <= b.day);
  int inferred_year = start_before_end_in_year ? b.year : b.year - 1;
  std::string start = day_month(a, language);
  if (a.year != inferred_year) start += " " + number(a.year, language);
  return start + spaced_dash(language) + end;
}

std::string format_time_range(core::Instant from, core::Instant to, std::chrono::minutes utc_offset,
                              Language language) {
  std::string a = format_time(from, utc_offset, language);
  std::string b = format_time(to, utc_offset, language);
  if (a == b) return a;
  return a + std::string(dash(language)) + b;
}

std::string format_money(core::Fils amount, Language language) {
  return core::format_jod(amount) + (language == Language::ar ? " دينار" : " JOD");
}

}  // namespace cg::templates
