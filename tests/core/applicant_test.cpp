#include "core/applicant.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cg::core {
namespace {

struct Accepted {
  std::string input;
  std::string expected;
};
struct Refused {
  std::string input;
  std::string code;
};

// ---- phone ------------------------------------------------------------------------------------

TEST(NormalizePhone, AcceptsEveryJordanianMobileForm) {
  const std::vector<Accepted> cases = {
      {"0791234567", "+962791234567"},
      {"0771234567", "+962771234567"},
      {"0781234567", "+962781234567"},
      {"791234567", "+962791234567"},
      {"962791234567", "+962791234567"},
      {"00962791234567", "+962791234567"},
      {"+962791234567", "+962791234567"},
      {"079 123 4567", "+962791234567"},
      {"079-123-4567", "+962791234567"},
      {"079.123.4567", "+962791234567"},
      {"(079) 123-4567", "+962791234567"},
      {"+962 (79) 123 45 67", "+962791234567"},
      {"00 962 79 123 4567", "+962791234567"},
      {" 0791234567 ", "+962791234567"},
      {"\xd9\xa0\xd9\xa7\xd9\xa9\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6\xd9\xa7",
       "+962791234567"},  // ٠٧٩١٢٣٤٥٦٧
      {"\xdb\xb0\xdb\xb7\xdb\xb8\xdb\xb1\xdb\xb2\xdb\xb3\xdb\xb4\xdb\xb5\xdb\xb6\xdb\xb7",
       "+962781234567"},                                              // ۰۷۸۱۲۳۴۵۶۷
      {"+\xd9\xa9\xd9\xa6\xd9\xa2 79 123 4567", "+962791234567"},     // mixed scripts
      {"\xe2\x80\x8e+962 79 123 4567\xe2\x80\x8f", "+962791234567"},  // wrapped in direction marks
  };
  for (const auto& c : cases) {
    auto r = normalize_phone(c.input);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().message;
    EXPECT_EQ(*r, c.expected) << c.input;
  }
}

TEST(NormalizePhone, AcceptsOtherCountriesInInternationalForm) {
  const std::vector<Accepted> cases = {
      {"+966501234567", "+966501234567"},                                           // Saudi mobile
      {"00966501234567", "+966501234567"},   {"+44 7911 123456", "+447911123456"},  // UK mobile
      {"+1 415 555 2671", "+14155552671"},    // US: fixed line or mobile, cannot tell
      {"+20 100 123 4567", "+201001234567"},  // Egypt mobile
  };
  for (const auto& c : cases) {
    auto r = normalize_phone(c.input);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().message;
    EXPECT_EQ(*r, c.expected) << c.input;
  }
}

TEST(NormalizePhone, RefusesWithTheReason) {
  const std::vector<Refused> cases = {
      {"", "invalid_phone"},
      {"   ", "invalid_phone"},
      {"+", "invalid_phone"},
      {"hello", "invalid_phone"},
      {"079123456a", "invalid_phone"},
      {"079/123/4567", "invalid_phone"},
      {"079+1234567", "invalid_phone"},  // '+' not first
      {"++962791234567", "invalid_phone"},
      {"+00962791234567", "invalid_phone"},
      {"079123456", "invalid_phone"},    // one digit short
      {"07912345678", "invalid_phone"},  // one digit long
      {"0751234567", "invalid_phone"},   // 75 is not a Jordanian mobile network
      {"0701234567", "not_mobile"},      // a valid Jordanian number that is not a mobile
      {"+962 6 5001234", "not_mobile"},  // Amman landline
      {"065001234", "not_mobile"},       // the same, national form
      {"00962 6 5001234", "not_mobile"},
      {"+96265001234", "not_mobile"},
      {"966501234567", "invalid_phone"},       // foreign number without + or 00
      {"501234567", "invalid_phone"},          // foreign local form
      {"+44 20 7946 0958", "not_mobile"},      // London landline
      {"+999 123456789", "invalid_phone"},     // no such country code
      {"+966 12345", "invalid_phone"},         // too short for Saudi Arabia
      {"+1234567890123456", "invalid_phone"},  // more than 15 digits
      {std::string(100, '7'), "invalid_phone"},
      {"\xff\xfe", "invalid_phone"},  // not UTF-8
      {"\xd9", "invalid_phone"},      // truncated UTF-8
  };
  for (const auto& c : cases) {
    auto r = normalize_phone(c.input);
    ASSERT_FALSE(r.ok()) << c.input << " gave " << *r;
    EXPECT_EQ(r.error().code, c.code) << c.input << ": " << r.error().message;
    EXPECT_FALSE(r.error().message.empty());
  }
}

// ---- identity document ------------------------------------------------------------------------

TEST(IdType, ParsesTheTwoNamesOnly) {
  EXPECT_EQ(*parse_id_type("national_id"), IdType::national_id);
  EXPECT_EQ(*parse_id_type("passport"), IdType::passport);
  EXPECT_EQ(to_string(IdType::national_id), "national_id");
  EXPECT_EQ(to_string(IdType::passport), "passport");
  for (std::string_view bad : {"", "Passport", "national-id", "id", "passport "}) {
    auto r = parse_id_type(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "invalid_id_type");
  }
}

TEST(ValidateIdNumber, AcceptsNationalIds) {
  const std::vector<Accepted> cases = {
      {"9861234567", "9861234567"},
      {"2000123456", "2000123456"},
      {"986 123 4567", "9861234567"},
      {"986-123-4567", "9861234567"},  // as people copy it from a form
      {"986.123.4567", "9861234567"},
      {"\xd9\xa9\xd9\xa8\xd9\xa6\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6\xd9\xa7", "9861234567"},  // ٩٨٦١٢٣٤٥٦٧
      {"\xdb\xb2\xdb\xb0\xdb\xb0\xdb\xb0\xdb\xb1\xdb\xb2\xdb\xb3\xdb\xb4\xdb\xb5\xdb\xb6", "2000123456"},  // ۲۰۰۰۱۲۳۴۵۶
  };
  for (const auto& c : cases) {
    auto r = validate_id_number(IdType::national_id, c.input);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().message;
    EXPECT_EQ(*r, c.expected);
  }
}

TEST(ValidateIdNumber, RefusesBadNationalIds) {
  for (std::string bad : {"", "986123456", "98612345678", "1861234567", "5861234567", "986123456X", "986_123_4567",
                          "+9861234567", "986/123/4567", "----------", "\xd9\xa9", "\xff"}) {
    auto r = validate_id_number(IdType::national_id, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "invalid_id_number") << bad;
  }
}

TEST(ValidateIdNumber, AcceptsPassports) {
  const std::vector<Accepted> cases = {
      {"N1234567", "N1234567"},
      {"n1234567", "N1234567"},
      {"ab 12 34 56", "AB123456"},
      {"N123-4567", "N1234567"},
      {"123456", "123456"},
      {"ABCDEFGHIJ0123456789", "ABCDEFGHIJ0123456789"},
      {"p\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6", "P123456"},
  };
  for (const auto& c : cases) {
    auto r = validate_id_number(IdType::passport, c.input);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().message;
    EXPECT_EQ(*r, c.expected);
  }
}

TEST(ValidateIdNumber, RefusesBadPassports) {
  for (std::string bad : {"", "A1234", "     ", "ABCDEFGHIJ01234567890", "N123+4567", "N1234567!",
                          "N12\xc3\xa9"
                          "4567",
                          "\xd8\xa7\xd8\xa8\xd8\xac\xd8\xaf\xd9\x87\xd9\x88"}) {
    auto r = validate_id_number(IdType::passport, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "invalid_id_number") << bad;
  }
}

TEST(CheckIdForNationality, FollowsTheCard) {
  struct Case {
    IdType type;
    std::string nationality;
    std::string code;  // empty: accepted
  };
  const std::vector<Case> cases = {
      {IdType::national_id, "JO", ""},
      {IdType::national_id, "jo", ""},
      {IdType::national_id, "", ""},
      {IdType::national_id, "SY", "id_type_mismatch"},
      {IdType::national_id, "EG", "id_type_mismatch"},
      {IdType::passport, "SY", ""},
      {IdType::passport, "eg", ""},
      {IdType::passport, "", ""},
      {IdType::passport, "JO", "id_type_mismatch"},
      {IdType::passport, "Jo", "id_type_mismatch"},
      {IdType::passport, "JOR", "invalid_nationality"},
      {IdType::national_id, "J", "invalid_nationality"},
      {IdType::national_id, "J1", "invalid_nationality"},
      {IdType::passport, " SY", "invalid_nationality"},
      {IdType::passport, "Syria", "invalid_nationality"},
  };
  for (const auto& c : cases) {
    auto s = check_id_for_nationality(c.type, c.nationality);
    if (c.code.empty()) {
      EXPECT_TRUE(s.ok()) << to_string(c.type) << "/" << c.nationality << ": " << s.error().message;
    } else {
      ASSERT_FALSE(s.ok()) << to_string(c.type) << "/" << c.nationality;
      EXPECT_EQ(s.error().code, c.code) << to_string(c.type) << "/" << c.nationality;
    }
  }
}

TEST(MaskIdNumber, ShowsOnlyTheLastThree) {
  EXPECT_EQ(mask_id_number("9861234567"), "*******567");
  EXPECT_EQ(mask_id_number("N1234567"), "*****567");
  EXPECT_EQ(mask_id_number("ABCD"), "*BCD");
  EXPECT_EQ(mask_id_number("ABC"), "***");
  EXPECT_EQ(mask_id_number("A"), "*");
  EXPECT_EQ(mask_id_number(""), "");
  // Characters, not bytes: ٩٨٦١٢ → **٦١٢
  EXPECT_EQ(mask_id_number("\xd9\xa9\xd9\xa8\xd9\xa6\xd9\xa1\xd9\xa2"), "**\xd9\xa6\xd9\xa1\xd9\xa2");
}

TEST(MaskPhone, KeepsTheCountryPrefixAndLastTwo) {
  EXPECT_EQ(mask_phone("+962791234567"), "+96279*****67");
  EXPECT_EQ(mask_phone("+9627912"),
            "+96279"
            "12");  // 8 characters: nothing between the ends
  // Shorter, the kept ends would show most of it: masked whole (the website used to show it).
  EXPECT_EQ(mask_phone("+962791"), "*******");
  EXPECT_EQ(mask_phone(""), "");
}

// ---- name -------------------------------------------------------------------------------------

TEST(NormalizeName, TrimsAndCollapsesWhitespace) {
  const std::vector<Accepted> cases = {
      {"Ahmad Ali", "Ahmad Ali"},
      {"  Ahmad   Ali  ", "Ahmad Ali"},
      {"Ahmad\tMohammad\nAli", "Ahmad Mohammad Ali"},
      {"\xc2\xa0Lina\xe3\x80\x80Haddad\xc2\xa0", "Lina Haddad"},  // no-break and ideographic spaces
      {"\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf  \xd8\xb9\xd9\x84\xd9\x8a",
       "\xd8\xa3\xd8\xad\xd9\x85\xd8\xaf \xd8\xb9\xd9\x84\xd9\x8a"},  // أحمد علي
      {"O'Brien-Smith", "O'Brien-Smith"},
      {"Al", "Al"},
      {std::string(100, 'a'), std::string(100, 'a')},
  };
  for (const auto& c : cases) {
    auto r = normalize_name(c.input);
    ASSERT_TRUE(r.ok()) << c.input << ": " << r.error().message;
    EXPECT_EQ(*r, c.expected);
  }
}

TEST(NormalizeName, CountsCodePointsNotBytes) {
  std::string fifty_arabic;
  for (int i = 0; i < 100; ++i) fifty_arabic += "\xd8\xa8";  // ب, 2 bytes each: 100 letters, 200 bytes
  EXPECT_TRUE(normalize_name(fifty_arabic).ok());
  EXPECT_FALSE(normalize_name(fifty_arabic + "\xd8\xa8").ok());
  EXPECT_FALSE(normalize_name("\xd8\xa8").ok());  // one letter, two bytes
}

TEST(NormalizeName, RefusesWithTheReason) {
  const std::vector<std::string> cases = {
      "",
      "   ",
      "A",
      " A ",
      std::string(101, 'a'),
      "Ahmad 2",
      "Ahmad \xd9\xa2",  // Arabic-Indic digit
      "Ahmad \xdb\xb2",  // Persian digit
      "Ahmad\x01"
      "Ali",             // control character
      "Ahmad\x7f",       // DEL
      "Ahmad \xc2\x85",  // C1 control
      "Ahmad \xe2\x80\xae"
      "ilA",                 // right-to-left override
      "Ahmad \xff",          // invalid UTF-8
      "Ahmad \xc0\xa0",      // overlong encoding
      "Ahmad \xed\xa0\x80",  // surrogate
      "--",
      "..",
  };
  for (const auto& c : cases) {
    auto r = normalize_name(c);
    ASSERT_FALSE(r.ok()) << c << " gave " << *r;
    EXPECT_EQ(r.error().code, "invalid_name") << c;
    EXPECT_FALSE(r.error().message.empty());
  }
}

}  // namespace
}  // namespace cg::core
