// libFuzzer entry point for the free-text reader (untrusted SMS text): reading never crashes,
// never reads out of bounds, keeps its work linear in the message, and the conversation acting on
// any reading (also from the states that wait for YES) returns a reply or nothing, never throws.
// Build: cmake -S . -B build/fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCG_FUZZ=ON -DCG_BUILD_TESTS=OFF
//        -DCG_BUILD_BENCH=OFF && ninja -C build/fuzz reader_fuzz
// Run:   build/fuzz/fuzz/reader_fuzz fuzz/corpus/reader -max_len=2000
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/conversation.hpp"
#include "core/reader.hpp"

namespace {

cg::core::Knowledge knowledge() {
  using namespace cg::core;
  Knowledge k;
  k.phone = "+962791234567";
  Course a;
  a.id = 1;
  a.code = "B-12";
  a.title = {"الخط العربي", "Arabic Calligraphy"};
  Course b = a;
  b.id = 2;
  b.code = "412";
  b.title = {"الخياطة والتفصيل", "Sewing and Tailoring"};
  k.courses = {a, b};
  k.applications = {KnownApplication{"app", ApplicationState::awaiting_quorum, "412", b.title}};
  return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cg::core;
  static const Knowledge k = knowledge();
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::size_t steps = 0;
  Reading r = read_free_text(normalize_text(text), &steps);
  // Linear work: a bounded number of steps per byte (see ReaderBounds in tests/core/reader_test.cpp).
  if (steps > 40 * size + 5000) std::abort();
  if (r.codes.size() > 6) std::abort();
  (void)title_words(normalize_text(text));
  const Instant now{std::chrono::seconds{1'795'000'000}};
  ReadText read = read_text(text);
  for (DialogueStep step : {DialogueStep::idle, DialogueStep::confirm_cancel, DialogueStep::confirm_stop}) {
    Dialogue d;
    d.step = step;
    d.updated_at = now;
    if (step == DialogueStep::confirm_cancel) d.application_id = "app";
    (void)needs(d, read, now);
    Turn t = converse(d, read, now, k);
    if (t.replies.size() > 3) std::abort();
  }
  return 0;
}
