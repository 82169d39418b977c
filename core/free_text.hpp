// What the conversation needs to act on a free-text reading (core/reader.hpp) beyond the reading
// itself: which course or application the message names among those that exist, and the words of
// "did you mean" replies. Pure, like the rest of core/.
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "core/message.hpp"
#include "core/reader.hpp"

namespace cg::core {

// An open course or a live application, by its course code and title.
struct Named {
  std::string_view code;
  const LocalizedText* title = nullptr;
};

struct NamedMatch {
  std::vector<std::size_t> closest;  // indexes into the items, closest first; empty: nothing fits
  bool named = false;                // exactly one item is named (by its code, or best by its title): closest[0]
};

// By a course code first (the codes the message may hold, matched without case or separators:
// "b 12", "ب١٢" and "B-12" are one code), then by the words left over against the titles in both
// languages (clitics and the article stripped, one typo allowed in words of 5 letters or more). A
// code that fits no item gives the items whose codes are close to it.
NamedMatch match_named(const Reading& reading, std::span<const Named> items);

// A line of "did you mean": what the applicant may have meant and the keyword that does it.
std::string_view intent_hint(Intent intent, Language language);

}  // namespace cg::core
