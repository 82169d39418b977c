#include "core/applicant.hpp"
#include "core/text.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace cg::core {
namespace {

// UTF-8 decoding and encoding come from core/text.hpp.
using text::append_utf8;
using text::decode_utf8;

// ---- character classes ------------------------------------------------------------------------

// 0-9 for ASCII, Arabic-Indic (٠-٩, Arabic keyboards) and Extended Arabic-Indic (۰-۹, Persian and
// Urdu keyboards); -1 for anything else. These are the digits applicants in Jordan type.
int latin_digit(char32_t c) {
  if (c >= U'0' && c <= U'9') return static_cast<int>(c - U'0');
  if (c >= 0x0660 && c <= 0x0669) return static_cast<int>(c - 0x0660);
  if (c >= 0x06F0 && c <= 0x06F9) return static_cast<int>(c - 0x06F0);
  return -1;
}

bool is_whitespace(char32_t c) {
  return c == U' ' || (c >= 0x09 && c <= 0x0D) || c == 0x00A0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// C0/C1 controls, and the bidirectional embedding/override/isolate controls, which would let a
// name reorder the text around it wherever it is shown or logged.
bool is_control(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

// ---- phone ------------------------------------------------------------------------------------

constexpr std::size_t kMaxPhoneInput = 64;  // bytes; a formatted E.164 number with Arabic digits fits

Error invalid_phone(std::string message) { return make_error("invalid_phone", std::move(message)); }

// Which number types can receive SMS. FIXED_LINE_OR_MOBILE is how libphonenumber reports countries
// (US, CA …) whose numbering plan does not tell the two apart.
bool can_receive_sms(i18n::phonenumbers::PhoneNumberUtil::PhoneNumberType t) {
  using U = i18n::phonenumbers::PhoneNumberUtil;
  return t == U::MOBILE || t == U::FIXED_LINE_OR_MOBILE || t == U::PERSONAL_NUMBER || t == U::VOIP;
}

// `international` is the country code and national number as digits, no '+'.
Result<std::string> check_with_libphonenumber(const std::string& international) {
  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util->Parse("+" + international, "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR)
    return invalid_phone("+" + international + " is not a phone number");
  if (!util->IsValidNumber(number))
    return invalid_phone("+" + international + " is not a valid number in its country's numbering plan");
  std::string e164;
  util->Format(number, PhoneNumberUtil::E164, &e164);
  if (!can_receive_sms(util->GetNumberType(number)))
    return make_error("not_mobile", e164 + " is not a mobile number and cannot receive SMS");
  return e164;
}

}  // namespace

Result<std::string> normalize_phone(std::string_view input) {
  if (input.size() > kMaxPhoneInput) return invalid_phone("phone number is too long");
  auto cps = decode_utf8(input);
  if (!cps) return invalid_phone("phone number is not valid UTF-8");

  std::string digits;
  bool plus = false;
  for (char32_t c : *cps) {
    if (int d = latin_digit(c); d >= 0) {
      digits.push_back(static_cast<char>('0' + d));
    } else if (c == U'+') {
      if (plus || !digits.empty()) return invalid_phone("'+' may only start the phone number");
      plus = true;
    } else if (c == U' ' || c == U'\t' || c == U'-' || c == U'.' || c == U'(' || c == U')' || c == 0x00A0 ||
               c == 0x200E || c == 0x200F) {
      // Separators people type; U+200E/U+200F are the direction marks Arabic interfaces wrap numbers in.
    } else {
      return invalid_phone("phone number may contain only digits, '+', spaces, dashes, dots and parentheses");
    }
  }
  if (digits.empty()) return invalid_phone("phone number has no digits");

  // Bring every accepted form to country code + national number.
  std::string international;
  if (plus || digits.starts_with("962")) {
    international = digits;  // with '+', or the Jordanian international form without it (9627XXXXXXXX)
  } else if (digits.starts_with("00")) {
    international = digits.substr(2);
  } else if (digits.starts_with("0")) {
    international = "962" + digits.substr(1);  // Jordanian national form (07XXXXXXXX, 06XXXXXXX)
  } else if (digits.starts_with("7") && digits.size() == 9) {
    international = "962" + digits;  // Jordanian mobile without the trunk 0
  } else {
    return invalid_phone(
        "write a Jordanian mobile as 07XXXXXXXX and any other number in international form, +CC or 00CC");
  }
  if (international.empty() || international.front() == '0') return invalid_phone("a country code cannot start with 0");
  if (international.size() > 15) return invalid_phone("phone number has more than 15 digits");

  if (international.starts_with("962")) {
    std::string_view national = std::string_view(international).substr(3);
    // Jordan's mobile networks: 77, 78, 79 followed by 7 digits.
    if (national.size() == 9 && national[0] == '7' && national[1] >= '7' && national[1] <= '9')
      return "+" + international;
    auto checked = check_with_libphonenumber(international);
    if (checked.ok())
      return make_error("not_mobile", "+" + international + " is not a Jordanian mobile number (077, 078, 079)");
    if (checked.error().code == "not_mobile") return checked.error();
    return invalid_phone("+" + international + " is not a Jordanian mobile number (07X XXX XXXX with 77, 78 or 79)");
  }
  return check_with_libphonenumber(international);
}

// ---- identity document ------------------------------------------------------------------------

std::string_view to_string(IdType t) {
  switch (t) {
    case IdType::national_id:
      return "national_id";
    case IdType::passport:
      return "passport";
  }
  return "unknown";
}

Result<IdType> parse_id_type(std::string_view text) {
  if (text == "national_id") return IdType::national_id;
  if (text == "passport") return IdType::passport;
  return make_error("invalid_id_type", "id_type must be \"national_id\" or \"passport\"");
}

Result<std::string> validate_id_number(IdType type, std::string_view number) {
  auto bad = [](std::string message) { return make_error("invalid_id_number", std::move(message)); };
  if (number.size() > 128) return bad("identity document number is too long");
  auto cps = decode_utf8(number);
  if (!cps) return bad("identity document number is not valid UTF-8");

  std::string out;
  for (char32_t c : *cps) {
    if (c == U' ' || c == 0x00A0 || c == U'-' || c == U'.') continue;  // "987-123-4567", "987 123 4567"
    if (int d = latin_digit(c); d >= 0) {
      out.push_back(static_cast<char>('0' + d));
    } else if (type == IdType::passport && c >= U'a' && c <= U'z') {
      out.push_back(static_cast<char>(c - U'a' + U'A'));
    } else if (type == IdType::passport && c >= U'A' && c <= U'Z') {
      out.push_back(static_cast<char>(c));
    } else {
      return bad(type == IdType::national_id ? "a national ID number has digits only"
                                             : "a passport number has only letters A-Z and digits");
    }
  }

  if (type == IdType::national_id) {
    if (out.size() != 10) return bad("a Jordanian national ID number has exactly 10 digits");
    // The Civil Status and Passports Department has said publicly that national numbers of people
    // born before 2000 start with 9 and those given from 2000 on start with 2; nothing else is
    // checked, since the later digits' meaning is not published reliably.
    if (out[0] != '9' && out[0] != '2') return bad("a Jordanian national ID number starts with 9 or 2");
    return out;
  }
  if (out.size() < 6 || out.size() > 20) return bad("a passport number has 6 to 20 letters and digits");
  return out;
}

Status check_id_for_nationality(IdType type, std::string_view nationality) {
  std::string code;
  for (char c : nationality) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') break;
    code.push_back(c);
  }
  if (code.size() != nationality.size() || (!code.empty() && code.size() != 2))
    return make_error("invalid_nationality", "nationality must be a two-letter ISO 3166-1 code such as JO");
  const bool jordanian = code == "JO";
  if (type == IdType::national_id && !code.empty() && !jordanian)
    return make_error("id_type_mismatch",
                      "the national ID is for Jordanians; other nationalities apply with a passport");
  if (type == IdType::passport && jordanian)
    return make_error("id_type_mismatch", "Jordanians apply with their national ID card, not a passport");
  return ok_status();
}

std::string mask_phone(std::string_view phone) {
  if (phone.size() < 8) return std::string(phone.size(), '*');
  return std::string(phone.substr(0, 6)) + std::string(phone.size() - 8, '*') +
         std::string(phone.substr(phone.size() - 2));
}

std::string mask_id_number(std::string_view number) {
  // Count characters, not bytes, so a multi-byte character is neither split nor half shown.
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < number.size(); ++i)
    if ((static_cast<unsigned char>(number[i]) & 0xC0) != 0x80) starts.push_back(i);
  if (starts.size() <= 3) return std::string(starts.size(), '*');
  const std::size_t shown_from = starts[starts.size() - 3];
  return std::string(starts.size() - 3, '*') + std::string(number.substr(shown_from));
}

// ---- name -------------------------------------------------------------------------------------

Result<std::string> normalize_name(std::string_view input) {
  auto bad = [](std::string message) { return make_error("invalid_name", std::move(message)); };
  if (input.size() > 1024) return bad("name is too long (at most 100 characters)");
  auto cps = decode_utf8(input);
  if (!cps) return bad("name is not valid UTF-8");

  std::string out;
  std::size_t count = 0;
  bool pending_space = false;
  bool has_letter = false;
  for (char32_t c : *cps) {
    if (is_whitespace(c)) {
      pending_space = count > 0;
      continue;
    }
    if (is_control(c)) return bad("name contains a control character");
    if (text::is_any_digit(c)) return bad("name contains a digit");
    if (pending_space) {
      out.push_back(' ');
      ++count;
      pending_space = false;
    }
    // Outside ASCII, what is neither space, digit nor control is taken as part of a letter.
    if ((c >= U'A' && c <= U'Z') || (c >= U'a' && c <= U'z') || c >= 0x80) has_letter = true;
    append_utf8(out, c);
    ++count;
  }
  if (count < 2) return bad("name is too short (at least 2 characters)");
  if (count > 100) return bad("name is too long (at most 100 characters)");
  if (!has_letter) return bad("name has no letters");
  return out;
}

}  // namespace cg::core
