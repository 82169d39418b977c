// Who applies (card: "Who may apply: individuals, Jordanian and non-Jordanian"; "Document required:
// civil-status ID card (Jordanians) or passport"): phone, name and identity document, validated and
// normalised before anything is stored. Pure functions; every refusal is an Error whose code names
// what is wrong.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace cg::core {

// Normalises a phone number to E.164 for SMS. Accepted:
//  - Jordanian mobiles (prefix 77, 78 or 79) as 07XXXXXXXX, 7XXXXXXXX, 9627XXXXXXXX, 009627XXXXXXXX
//    or +9627XXXXXXXX → "+9627XXXXXXXX";
//  - any other country's number in international form only (+CC… or 00CC…), valid per libphonenumber.
// Spaces, dashes, dots and parentheses are ignored; Arabic-Indic (٠-٩) and Persian (۰-۹) digits count
// as 0-9. Errors: "invalid_phone" (malformed, unknown or impossible number), "not_mobile" (a valid
// number that cannot receive SMS, such as a Jordanian landline +9626…).
Result<std::string> normalize_phone(std::string_view input);

enum class IdType { national_id, passport };
std::string_view to_string(IdType t);
// "national_id" / "passport"; anything else → "invalid_id_type".
Result<IdType> parse_id_type(std::string_view text);

// Validates and normalises an identity document number (error "invalid_id_number"):
// spaces, no-break spaces, dashes and dots between characters are dropped first ("987-123-4567");
//  - national_id: exactly 10 digits (Arabic-Indic/Persian digits converted), first digit 9 or 2;
//  - passport: upper-cased, 6 to 20 characters of A-Z and 0-9.
Result<std::string> validate_id_number(IdType type, std::string_view number);

// The card's rule: Jordanians prove identity with the national ID card, others with a passport.
// `nationality` is an ISO 3166-1 alpha-2 code (either case) or empty when not asked (SMS/USSD).
// national_id needs "JO" or empty; passport needs anything but "JO" (a Jordanian applies with the
// national ID, as the card says). Errors: "invalid_nationality", "id_type_mismatch".
Status check_id_for_nationality(IdType type, std::string_view nationality);

// For logs: every character but the last 3 becomes '*' ("9871234567" → "*******567"). A value of 3
// characters or fewer is masked whole, since showing it would show all of it.
std::string mask_id_number(std::string_view number);

// For logs and the website: an E.164 number keeps its first 6 and last 2 characters, the rest
// becomes '*' ("+962791234567" → "+96279*****67"). Shorter than 8 characters it is masked whole,
// since the kept ends would show most of it.
std::string mask_phone(std::string_view phone);

// A person's full name: valid UTF-8, trimmed, runs of whitespace collapsed to one space, 2 to 100
// code points, no control characters, no digits (any script's 0-9 that the applicant may type).
// Error "invalid_name".
Result<std::string> normalize_name(std::string_view input);

}  // namespace cg::core
