// How values look in each language's SMS: dates, times, ranges, digits and money.
// Decisions (also written at the top of templates/text/*.txt for the editors of the texts):
// - Arabic: Levantine month names (كانون الثاني … كانون الأول) and Arabic-Indic digits (٠-٩) for
//   day, year, time and counts; English: "1 Dec 2026", 24-hour "16:00".
// - Identifiers the reader types or compares in a bank app (billing number, biller code, course code),
//   amounts and URLs keep Western digits in both languages: they are not formatted here at all.
// - Money: "25.000 JOD" / "25.000 دينار".
// - Ranges write the shared month and year once: "1-8 Dec 2026", "28 Nov - 10 Dec 2026",
//   "28 Dec - 10 Jan 2027" (the start's year is omitted when it is the one a reader infers: the
//   latest year that keeps the start before the end); Arabic uses the en dash "–" as SMS is UCS-2
//   there anyway, English the GSM-7 hyphen.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "core/message.hpp"

namespace cg::templates {

// Replaces ASCII digits by Arabic-Indic ones (U+0660-U+0669) in Arabic; unchanged in English.
std::string localize_digits(std::string_view ascii, core::Language language);

std::string format_date(core::Instant t, std::chrono::minutes utc_offset, core::Language language);
std::string format_time(core::Instant t, std::chrono::minutes utc_offset, core::Language language);
std::string format_date_range(core::Instant from, core::Instant to, std::chrono::minutes utc_offset,
                              core::Language language);
std::string format_time_range(core::Instant from, core::Instant to, std::chrono::minutes utc_offset,
                              core::Language language);
std::string format_money(core::Fils amount, core::Language language);

}  // namespace cg::templates
