// libFuzzer target for the XML under eFAWATEERcom's signature (adapters/payment/efawateercom/xml):
// the guarded parse of untrusted bytes and the signature's input, the compact serialisation in
// UTF-16LE. Invariants: a parsed document serialises compact to XML that parses again and
// serialises to the same bytes (parse -> encode round trip, in both empty-element forms); the
// UTF-16LE of the compact form decodes back to it; utf16le accepts exactly the valid UTF-8.
#include <cstdint>
#include <string>

#include "adapters/payment/efawateercom/xml.hpp"
#include "core/text.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {

using namespace cg::efawateercom;

std::string utf8_of_utf16le(std::string_view units) {
  std::u32string cps;
  for (std::size_t i = 0; i + 1 < units.size(); i += 2) {
    char32_t u = static_cast<unsigned char>(units[i]) | (char32_t{static_cast<unsigned char>(units[i + 1])} << 8);
    if (u >= 0xD800 && u <= 0xDBFF && i + 3 < units.size()) {
      char32_t low =
          static_cast<unsigned char>(units[i + 2]) | (char32_t{static_cast<unsigned char>(units[i + 3])} << 8);
      u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    }
    cps.push_back(u);
  }
  return cg::core::text::encode_utf8(cps);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in = cg::fuzz::bytes(data, size);
  auto units = xml::utf16le(in);
  cg::fuzz::check(units.has_value() == cg::core::is_valid_utf8(in), "utf16le and UTF-8 validity disagree");
  if (units) {
    cg::fuzz::check(units->size() % 2 == 0, "odd UTF-16 length");
    cg::fuzz::check(utf8_of_utf16le(*units) == in, "UTF-8 -> UTF-16LE -> UTF-8 changed the text");
  }

  auto doc = xml::parse(in, 64 * 1024);
  if (!doc) {
    cg::fuzz::check(doc.error().code == "invalid_xml", "refusal code");
    return 0;
  }
  const pugi::xml_node root = (*doc)->document_element();
  for (auto form : {xml::EmptyElement::kSelfClosing, xml::EmptyElement::kOpenClose}) {
    const std::string compact = xml::compact(root, form);
    auto again = xml::parse(compact, 1 << 20);
    if (!again) {
      std::fprintf(stderr, "compact: %s\nrefused: %s\n", compact.c_str(), again.error().message.c_str());
      cg::fuzz::fail("the compact form of a parsed document does not parse");
    }
    cg::fuzz::check(xml::compact((*again)->document_element(), form) == compact, "compact is not a fixed point");
    if (form == xml::EmptyElement::kOpenClose && !xml::has_empty_element(root))
      cg::fuzz::check(compact == xml::compact(root), "the empty-element forms differ without empty elements");
    if (auto signed_input = xml::utf16le(compact))
      cg::fuzz::check(utf8_of_utf16le(*signed_input) == compact, "the signature's input does not decode back");
  }
  (void)xml::document_bytes(**doc);
  return 0;
}
