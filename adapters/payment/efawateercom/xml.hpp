// XML plumbing for MFEP messages: a guarded pugixml parse of untrusted bytes, the compact serialiser
// whose output is what gets signed, and the UTF-16LE encoding the signature is computed over.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace cg::efawateercom::xml {

// How an element without content is written. The sender is .NET: XmlWriter writes `<X />`; an
// XmlDocument loaded from bytes keeps `<X></X>` as it arrived, so verification may need both forms.
enum class EmptyElement { kSelfClosing, kOpenClose };

// Serialises `element` and its subtree without formatting, as .NET writes it: no whitespace between
// elements, `<X />` (or `<X></X>`) for empty elements, text escaped as &amp; &lt; &gt; &#xD;, attribute
// values as &amp; &lt; &gt; &quot; &#x9; &#xA; &#xD;, CDATA written as escaped text. Comments and processing
// instructions are not parsed, so they cannot appear. Iterative, so a deeply nested hostile document cannot exhaust the
// stack.
std::string compact(pugi::xml_node element, EmptyElement empty = EmptyElement::kSelfClosing);

// True when `element` or any element under it has no content (so the two EmptyElement forms differ).
bool has_empty_element(pugi::xml_node element);

// `<?xml version="1.0" encoding="utf-8"?>` followed by compact(document element).
std::string document_bytes(const pugi::xml_document& document);

// UTF-8 to UTF-16LE without a byte-order mark, as .NET's Encoding.Unicode.GetBytes. nullopt when the
// input is not well-formed UTF-8 (overlong forms, surrogates and code points above U+10FFFF refused).
std::optional<std::string> utf16le(std::string_view utf8);

// Parses untrusted bytes. Refuses input above `max_bytes`, malformed XML, any DOCTYPE (so no entity
// expansion or external entities, XXE) and anything but exactly one document element. Never throws
// for bad input. Error code "invalid_xml", message says what is wrong.
Result<std::unique_ptr<pugi::xml_document>> parse(std::string_view bytes, std::size_t max_bytes);

}  // namespace cg::efawateercom::xml
