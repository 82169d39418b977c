// The free-text reader's cost per message (target: 5 us median on typical messages), over a mix of
// the ways applicants write (dialect, MSA, Arabizi, English, typos, decoys, greetings), read as the
// gateway reads them on the HTTP thread: read_text (normalisation, keywords, then the reader).
// Also the worst case the reader bounds: a 1,600-character message of mixed scripts and emoji.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "core/conversation.hpp"
#include "core/text.hpp"

namespace cg::core {
namespace {

const std::vector<std::string>& typical() {
  static const std::vector<std::string> m{
      "بدي اسجل بدورة ١٠١",
      "مش رح اقدر احضر 412 الغوها",
      "شو صار بطلبي",
      "لا تبعتوا رسايل بعد اليوم",
      "ايش الكورسات اللي عندكم",
      "أرغب في التسجيل في دورة الخط العربي",
      "bdi ashtrek b course 412",
      "I'd like to enrol in 412",
      "did my application go through?",
      "take me off your list",
      "cancle 101",
      "الغاء الاشتراك",
      "السلام عليكم، بدي اسجل بدورة ب١٢ لو سمحت",
      "وين دورات المياه",
      "شكرا كتير",
      "whats the staus of my aplication",
  };
  return m;
}

void BM_ReadTypical(benchmark::State& state) {
  const auto& messages = typical();
  std::size_t i = 0;
  for (auto _ : state) {
    ReadText t = read_text(messages[i]);
    benchmark::DoNotOptimize(t);
    if (++i == messages.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ReadTypical)->Repetitions(5)->ReportAggregatesOnly(true);

// Each typical message on its own, to see which kinds cost most.
void BM_ReadOne(benchmark::State& state) {
  const std::string& m = typical()[static_cast<std::size_t>(state.range(0))];
  for (auto _ : state) {
    ReadText t = read_text(m);
    benchmark::DoNotOptimize(t);
  }
  state.SetLabel(m);
}
BENCHMARK(BM_ReadOne)->DenseRange(0, 15);

void BM_ReadLongMixed(benchmark::State& state) {
  std::string message;
  while (text::count_chars(message) < 1600) message += "بدي اسجل bdi ashtrek 😀 cancle ١٠١ B-12 ";
  message = text::truncate(message, 1600, "");
  for (auto _ : state) {
    ReadText t = read_text(message);
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_ReadLongMixed);

}  // namespace
}  // namespace cg::core

BENCHMARK_MAIN();
