// Small UTF-8 helpers shared by the conversation and the USSD menus: decoding to code points and
// back, and shortening a text to a number of characters without splitting one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cg::core::text {

// Strict UTF-8 (no overlong forms, no surrogates); nullopt when invalid.
std::optional<std::u32string> decode_utf8(std::string_view s);
void append_utf8(std::string& out, char32_t cp);
std::string encode_utf8(std::u32string_view cps);

// `s` cut to at most `max_chars` code points; a cut text ends with `ellipsis` (counted in the max).
std::string truncate(std::string_view s, std::size_t max_chars, std::string_view ellipsis);
std::size_t count_chars(std::string_view s);

bool is_arabic_letter(char32_t c);

}  // namespace cg::core::text
