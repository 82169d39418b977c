// Small UTF-8 helpers shared by the conversation and the USSD menus: decoding to code points and
// back, and shortening a text to a number of characters without splitting one.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cg::core::text {

// The length of the well-formed UTF-8 sequence at the start of `s` (no overlong forms, no
// surrogates, nothing past U+10FFFF), with its code point in `cp`; 0 when `s` does not start with one.
std::size_t next_utf8(std::string_view s, char32_t& cp);
// Strict UTF-8, as next_utf8 reads it; nullopt when invalid.
std::optional<std::u32string> decode_utf8(std::string_view s);
void append_utf8(std::string& out, char32_t cp);
std::string encode_utf8(std::u32string_view cps);

// `s` cut to at most `max_chars` code points; a cut text ends with `ellipsis` (counted in the max).
std::string truncate(std::string_view s, std::size_t max_chars, std::string_view ellipsis);
std::size_t count_chars(std::string_view s);
// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a UTF-8 sequence.
// Every cut of untrusted text (quoted in an error, kept for a log) goes through here: a cut inside
// a sequence makes the result invalid UTF-8, which a signed XML answer or a JSON body cannot hold.
std::string_view cut_bytes(std::string_view s, std::size_t max_bytes);

// C0 controls (tab and newline included), DEL and the C1 controls.
bool is_control(char32_t c);
// Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they reorder the text around
// them, so a course title could show an applicant something else than what was stored. The marks
// (LRM, RLM, ALM) are left alone: mixed Arabic and Latin text needs them and they reorder nothing.
bool is_bidi_control(char32_t c);
// The first control or bidi control in well-formed UTF-8 `s` (nullopt when none, or when `s` is
// not valid UTF-8 - the caller checks that first).
std::optional<char32_t> find_control(std::string_view s, bool also_bidi);
// Valid UTF-8 without controls or bidi controls: what an id or a phone number from a provider must
// be, since it is stored, logged and matched against later reports.
bool is_printable(std::string_view s);
// `s` for one log line: controls, bidi controls and bytes that are not UTF-8 become \n, \r, \t,
// \xNN or \u{NNNN}, and a backslash becomes \\, so nobody can forge a line or hide one.
std::string escape_for_log(std::string_view s);
// Appends `s` as a JSON string literal, quotes included. Bytes that are not UTF-8 become U+FFFD and
// controls (DEL too) \u00XX, so the document stays valid JSON whatever `s` echoes from a client.
void append_json_string(std::string& out, std::string_view s);

bool is_arabic_letter(char32_t c);
// A digit of any script applicants in Jordan type: ASCII, Arabic-Indic, Extended Arabic-Indic
// (Persian), Devanagari, Bengali and full-width.
bool is_any_digit(char32_t c);
// A-Z and a-z, also in their full-width forms.
bool is_latin_letter(char32_t c);
// Equal when A-Z and a-z are taken as the same (course codes: applicants type them in any case).
bool equal_ignoring_ascii_case(std::string_view a, std::string_view b);

}  // namespace cg::core::text
