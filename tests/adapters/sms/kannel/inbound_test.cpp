// Kannel's inbound fields as smsbox fills them: the text's charset told by %C, or by %c alone when
// the get-url has no %C and smsbox does not recode (UCS-2 arrives as UTF-16BE bytes), a UTF-16 text
// with its byte order mark, Windows-1252's own characters, and the fields that must be UTF-8.
#include "adapters/sms/kannel/inbound.hpp"

#include <gtest/gtest.h>

namespace cg::sms::kannel {
namespace {

// "مساعدة" (HELP) in UTF-16BE, as a phone sends it in UCS-2.
const std::string kHelpUtf16be("\x06\x45\x06\x33\x06\x27\x06\x39\x06\x2F\x06\x29", 12);
const std::string kHelpUtf8 = "مساعدة";

Params fields(std::string text, std::vector<std::pair<std::string, std::string>> extra = {}) {
  Params p{{"id", "3f1c2b9e-0001"}, {"from", "+962791234567"}, {"to", "94123"}, {"text", std::move(text)}};
  for (auto& e : extra) p.push_back(std::move(e));
  return p;
}

std::string swap_bytes(const std::string& s) {
  std::string out = s;
  for (std::size_t i = 0; i + 1 < out.size(); i += 2) std::swap(out[i], out[i + 1]);
  return out;
}

TEST(KannelInbound, TextIsDecodedByItsCharsetOrCoding) {
  struct Case {
    const char* name;
    Params params;
    std::string text;
  };
  const Case cases[] = {
      {"UTF-8, nothing said", fields(kHelpUtf8), kHelpUtf8},
      {"UTF-8 with coding=2 and charset UTF-8 (mo-recode)", fields(kHelpUtf8, {{"coding", "2"}, {"charset", "UTF-8"}}),
       kHelpUtf8},
      {"UCS-2 told by coding=2 alone", fields(kHelpUtf16be, {{"coding", "2"}}), kHelpUtf8},
      {"UCS-2 told by charset", fields(kHelpUtf16be, {{"charset", "utf-16be"}}), kHelpUtf8},
      {"GSM-7 text, coding=0", fields("HELP", {{"coding", "0"}}), "HELP"},
      {"UTF-16 with a big-endian mark", fields("\xFE\xFF" + kHelpUtf16be, {{"charset", "UTF-16"}}), kHelpUtf8},
      {"UTF-16 with a little-endian mark", fields("\xFF\xFE" + swap_bytes(kHelpUtf16be), {{"charset", "UTF-16"}}),
       kHelpUtf8},
      {"UTF-16 without a mark is big-endian", fields(kHelpUtf16be, {{"charset", "UTF-16"}}), kHelpUtf8},
      {"UTF-16LE", fields(swap_bytes(kHelpUtf16be), {{"charset", "UTF-16LE"}}), kHelpUtf8},
      {"a surrogate pair", fields(std::string("\xD8\x3D\xDE\x00", 4), {{"coding", "2"}}), "\xF0\x9F\x98\x80"},
      {"ISO-8859-1", fields("caf\xE9 \x80", {{"charset", "ISO-8859-1"}}), "caf\xC3\xA9 \xC2\x80"},
      {"Windows-1252's euro and quotes", fields("\x80 \x93ok\x94 \x81", {{"charset", "windows-1252"}}),
       "\xE2\x82\xAC \xE2\x80\x9Cok\xE2\x80\x9D \xC2\x81"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto in = parse_inbound(c.params);
    ASSERT_TRUE(in) << in.error().message;
    EXPECT_EQ(in->text, c.text);
    EXPECT_EQ(in->message_id, "3f1c2b9e-0001");
    EXPECT_EQ(in->from, "+962791234567");
  }
}

TEST(KannelInbound, MalformedFieldsAreRefusedNamingTheField) {
  struct Case {
    const char* name;
    Params params;
    const char* names;  // what the error message must mention
  };
  const Case cases[] = {
      {"coding out of range", fields("HELP", {{"coding", "8"}}), "coding"},
      {"coding=2 text of odd length", fields("abc", {{"coding", "2"}}), "UTF-16BE"},
      {"a lone surrogate", fields(std::string("\xDC\x00", 2), {{"coding", "2"}}), "UTF-16BE"},
      {"8-bit data that is not UTF-8", fields("\xFF\xFE\x01", {{"coding", "1"}}), "text"},
      {"UTF-16 mark then an odd byte", fields("\xFF\xFE\x41", {{"charset", "UTF-16"}}), "UTF-16"},
      {"unknown charset", fields("HELP", {{"charset", "KOI8-R"}}), "KOI8-R"},
      {"id not UTF-8", Params{{"id", "\xC3\x28"}, {"from", "+962791234567"}, {"to", "94123"}, {"text", "HELP"}}, "id"},
      {"from not UTF-8", Params{{"id", "1"}, {"from", "+9627\xFF"}, {"text", "HELP"}}, "from"},
      {"to not UTF-8", Params{{"id", "1"}, {"from", "+962791234567"}, {"to", "\xE0\x80"}, {"text", "HELP"}}, "to"},
      {"coding twice, different", fields(kHelpUtf16be, {{"coding", "2"}, {"coding", "0"}}), "coding"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto in = parse_inbound(c.params);
    ASSERT_FALSE(in);
    EXPECT_EQ(in.error().code, "invalid_request");
    EXPECT_NE(in.error().message.find(c.names), std::string::npos) << in.error().message;
  }
}

}  // namespace
}  // namespace cg::sms::kannel
