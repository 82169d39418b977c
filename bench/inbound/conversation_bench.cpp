// One SMS conversation step in core/: parsing and normalising the text and deciding the
// reply, without the store or HTTP. The HTTP-level figures come from scripts/bench-inbound.sh.
#include <benchmark/benchmark.h>

#include "core/conversation.hpp"

namespace {

using cg::core::Course;
using cg::core::Dialogue;
using cg::core::Knowledge;

const cg::core::Instant t0{std::chrono::seconds{1'795'000'000}};

Knowledge knowledge() {
  Knowledge k;
  k.phone = "+962791234567";
  Course c;
  c.id = 1;
  c.code = "101";
  c.title = {"مهارات الحاسوب الأساسية واستخدام الإنترنت", "Basic Computer Skills and Using the Internet"};
  c.start_at = t0 + std::chrono::hours(24 * 20);
  k.courses.push_back(c);
  return k;
}

void BM_JoinInArabic(benchmark::State& state) {
  Knowledge k = knowledge();
  for (auto _ : state) benchmark::DoNotOptimize(cg::core::converse(Dialogue{}, "تسجيل ١٠١", t0, k));
}
BENCHMARK(BM_JoinInArabic);

void BM_NationalIdAnswer(benchmark::State& state) {
  Knowledge k = knowledge();
  Dialogue d = cg::core::converse(Dialogue{}, "تسجيل ١٠١", t0, k).dialogue;
  d = cg::core::converse(d, "سارة أحمد", t0, k).dialogue;
  d = cg::core::converse(d, "١", t0, k).dialogue;
  for (auto _ : state) benchmark::DoNotOptimize(cg::core::converse(d, "٩٨٧١٢٣٤٥٦٧", t0, k));
}
BENCHMARK(BM_NationalIdAnswer);

void BM_CourseListPage(benchmark::State& state) {
  Knowledge k = knowledge();
  for (int i = 0; i < 20; ++i) {
    Course c = k.courses[0];
    c.code = std::to_string(200 + i);
    k.courses.push_back(c);
  }
  for (auto _ : state) benchmark::DoNotOptimize(cg::core::converse(Dialogue{}, "دورات", t0, k));
}
BENCHMARK(BM_CourseListPage);

}  // namespace
