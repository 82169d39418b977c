#include "adapters/payment/efawateercom/xml.hpp"

#include <cstdint>

#include "core/text.hpp"

namespace cg::efawateercom::xml {
namespace {

bool is_text(pugi::xml_node n) { return n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata; }

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Text is written as a run: the adjacent text nodes (PCDATA and CDATA) between two pieces of markup
// become one piece of text. A run of nothing but XML white space (or nothing at all) is not written:
// a parser drops white-space-only text between markup (pugixml without parse_ws_pcdata, .NET's
// XmlDocument without PreserveWhitespace), so writing it would change the element on the next parse
// (`<a><![CDATA[ ]]></a>` would come back as `<a />`) and the signed bytes with it. Returns the first
// node to write at or after `c` among its siblings: an element, or the start of a run with content.
pugi::xml_node skip_blank_runs(pugi::xml_node c) {
  while (c) {
    if (c.type() == pugi::node_element) return c;
    if (!is_text(c)) {
      c = c.next_sibling();
      continue;
    }
    pugi::xml_node run = c;
    bool blank = true;
    for (; c && is_text(c); c = c.next_sibling())
      for (const char* p = c.value(); blank && *p != '\0'; ++p) blank = is_xml_space(*p);
    if (!blank) return run;
  }
  return {};
}

pugi::xml_node first_output_child(pugi::xml_node n) { return skip_blank_runs(n.first_child()); }

pugi::xml_node next_output_sibling(pugi::xml_node n) {
  pugi::xml_node c = n.next_sibling();
  // Within a run being written, every node of it is written.
  if (is_text(n) && c && is_text(c)) return c;
  return skip_blank_runs(c);
}

void append_escaped(std::string& out, const char* text, bool attribute) {
  for (const char* p = text; *p != '\0'; ++p) {
    switch (*p) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        if (attribute) {
          out += "&quot;";
          break;
        }
        out += *p;
        break;
      // Characters a parser would not give back as they are: in an attribute value tab, line feed
      // and carriage return become spaces (attribute-value normalisation), in text a carriage
      // return becomes a line feed (end-of-line handling). They arrive only as character references
      // and are written as such, as .NET's XmlWriter writes them, so the compact form of a parsed
      // message parses back to the same text and both sides sign the same bytes.
      case '\t':
        if (attribute) {
          out += "&#x9;";
          break;
        }
        out += *p;
        break;
      case '\n':
        if (attribute) {
          out += "&#xA;";
          break;
        }
        out += *p;
        break;
      case '\r':
        out += "&#xD;";
        break;
      default:
        out += *p;
    }
  }
}

void append_start(std::string& out, pugi::xml_node element) {
  out += '<';
  out += element.name();
  for (pugi::xml_attribute a = element.first_attribute(); a; a = a.next_attribute()) {
    out += ' ';
    out += a.name();
    out += "=\"";
    append_escaped(out, a.value(), true);
    out += '"';
  }
}

void append_end(std::string& out, pugi::xml_node element) {
  out += "</";
  out += element.name();
  out += '>';
}

}  // namespace

std::string compact(pugi::xml_node root, EmptyElement empty) {
  std::string out;
  if (!root) return out;
  pugi::xml_node n = root;
  for (;;) {
    // Enter n.
    if (n.type() == pugi::node_element) {
      append_start(out, n);
      if (pugi::xml_node child = first_output_child(n)) {
        out += '>';
        n = child;
        continue;
      }
      if (empty == EmptyElement::kSelfClosing) {
        out += " />";
      } else {
        out += '>';
        append_end(out, n);
      }
    } else {
      append_escaped(out, n.value(), false);
    }
    // Leave n: on to its next sibling, or close parents until one has a next sibling.
    for (;;) {
      if (n == root) return out;
      if (pugi::xml_node next = next_output_sibling(n)) {
        n = next;
        break;
      }
      n = n.parent();
      append_end(out, n);
    }
  }
}

bool has_empty_element(pugi::xml_node root) {
  if (!root) return false;
  pugi::xml_node n = root;
  for (;;) {
    if (n.type() == pugi::node_element && !first_output_child(n)) return true;
    if (pugi::xml_node child = n.first_child()) {
      n = child;
      continue;
    }
    while (n != root && !n.next_sibling()) n = n.parent();
    if (n == root) return false;
    n = n.next_sibling();
  }
}

std::string document_bytes(const pugi::xml_document& document) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>" + compact(document.document_element());
}

std::optional<std::string> utf16le(std::string_view s) {
  // Strict decoding (no overlong forms, no surrogates) is core's; only the UTF-16LE encoding is ours.
  auto cps = core::text::decode_utf8(s);
  if (!cps) return std::nullopt;
  std::string out;
  out.reserve(cps->size() * 2);
  auto put = [&out](std::uint32_t unit) {
    out += static_cast<char>(unit & 0xff);
    out += static_cast<char>((unit >> 8) & 0xff);
  };
  for (char32_t c : *cps) {
    std::uint32_t cp = c;
    if (cp < 0x10000) {
      put(cp);
    } else {
      cp -= 0x10000;
      put(0xd800 + (cp >> 10));
      put(0xdc00 + (cp & 0x3ff));
    }
  }
  return out;
}

Result<std::unique_ptr<pugi::xml_document>> parse(std::string_view bytes, std::size_t max_bytes) {
  if (bytes.size() > max_bytes)
    return make_error("invalid_xml", "message is " + std::to_string(bytes.size()) + " bytes, more than the " +
                                         std::to_string(max_bytes) + " accepted");
  auto document = std::make_unique<pugi::xml_document>();
  // parse_doctype keeps a DOCTYPE as a node so it can be refused below; pugixml never expands entities
  // beyond the five predefined ones and character references, and never fetches anything.
  pugi::xml_parse_result r =
      document->load_buffer(bytes.data(), bytes.size(), pugi::parse_default | pugi::parse_doctype, pugi::encoding_auto);
  if (!r)
    return make_error("invalid_xml",
                      std::string("malformed XML at byte ") + std::to_string(r.offset) + ": " + r.description());
  std::size_t elements = 0;
  for (pugi::xml_node n = document->first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_doctype) return make_error("invalid_xml", "a DOCTYPE is not accepted");
    if (n.type() == pugi::node_element) ++elements;
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata)
      return make_error("invalid_xml", "text outside the document element");
  }
  if (elements != 1) return make_error("invalid_xml", "the document must have exactly one root element");
  return document;
}

}  // namespace cg::efawateercom::xml
