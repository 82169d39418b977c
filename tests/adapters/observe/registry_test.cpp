// The exposition text of counters, gauges and histograms, line by line; /proc/self figures.
#include "adapters/observe/registry.hpp"

#include <gtest/gtest.h>

#include "adapters/observe/process.hpp"

namespace cg::obs {
namespace {

TEST(Registry, RendersFamiliesByNameWithHelpTypeAndSeriesByLabels) {
  Registry r;
  r.counter("cg_b_total", "Bees.", {{"kind", "worker"}}).inc(3);
  r.counter("cg_b_total", "Bees.", {{"kind", "drone"}}).inc();
  r.counter("cg_b_total", "Bees.", {{"kind", "worker"}}).inc(2);  // the same series again
  r.gauge("cg_a_seconds", "Age.").set(12.5);
  r.gauge("cg_q", "Quoted.", {{"v", "a\"b\\c\nd"}}).set(-1);
  EXPECT_EQ(r.render(),
            "# HELP cg_a_seconds Age.\n"
            "# TYPE cg_a_seconds gauge\n"
            "cg_a_seconds 12.5\n"
            "# HELP cg_b_total Bees.\n"
            "# TYPE cg_b_total counter\n"
            "cg_b_total{kind=\"drone\"} 1\n"
            "cg_b_total{kind=\"worker\"} 5\n"
            "# HELP cg_q Quoted.\n"
            "# TYPE cg_q gauge\n"
            "cg_q{v=\"a\\\"b\\\\c\\nd\"} -1\n");
}

TEST(Registry, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  Registry r;
  auto& h = r.histogram("cg_store_commit_seconds", "Commits.", {0.01, 0.1, 1}, {{"store", "sqlite"}});
  h.observe(0.005);
  h.observe(0.01);  // on a bound: counted in it (le)
  h.observe(0.5);
  h.observe(7);
  EXPECT_EQ(r.render(),
            "# HELP cg_store_commit_seconds Commits.\n"
            "# TYPE cg_store_commit_seconds histogram\n"
            "cg_store_commit_seconds_bucket{store=\"sqlite\",le=\"0.01\"} 2\n"
            "cg_store_commit_seconds_bucket{store=\"sqlite\",le=\"0.1\"} 2\n"
            "cg_store_commit_seconds_bucket{store=\"sqlite\",le=\"1\"} 3\n"
            "cg_store_commit_seconds_bucket{store=\"sqlite\",le=\"+Inf\"} 4\n"
            "cg_store_commit_seconds_sum{store=\"sqlite\"} 7.515\n"
            "cg_store_commit_seconds_count{store=\"sqlite\"} 4\n");
  Registry bare;
  bare.histogram("cg_h", "H.", {1}).observe(2);
  EXPECT_NE(bare.render().find("cg_h_bucket{le=\"1\"} 0\ncg_h_bucket{le=\"+Inf\"} 1\ncg_h_sum 2\ncg_h_count 1\n"),
            std::string::npos)
      << bare.render();
}

TEST(Registry, OneNameHasOneType) {
  Registry r;
  r.counter("cg_x_total", "X.");
  EXPECT_THROW(r.gauge("cg_x_total", "X."), std::logic_error);
}

TEST(Registry, ValuesAreWrittenAsTheTextFormatExpects) {
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(12000), "12000");
  EXPECT_EQ(format_value(0.0025), "0.0025");
  EXPECT_EQ(format_value(1.0 / 3), "0.333333333");
  EXPECT_EQ(format_value(1e20), "1e+20");
  EXPECT_EQ(render_gauge("cg_up", "Up.", 1), "# HELP cg_up Up.\n# TYPE cg_up gauge\ncg_up 1\n");
}

TEST(Process, StatusFieldsAreReadAndRenderedUnderTheCommonNames) {
  ProcessFigures f;
  parse_proc_status("Name:\tcourse-gateway\nVmRSS:\t   20480 kB\nThreads:\t9\n", f);
  ASSERT_TRUE(f.resident_bytes && f.threads);
  EXPECT_EQ(*f.resident_bytes, 20480.0 * 1024);
  EXPECT_EQ(*f.threads, 9);
  f.open_fds = 12;
  EXPECT_EQ(render_process(f),
            "# HELP process_open_fds Number of open file descriptors.\n"
            "# TYPE process_open_fds gauge\n"
            "process_open_fds 12\n"
            "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
            "# TYPE process_resident_memory_bytes gauge\n"
            "process_resident_memory_bytes 20971520\n"
            "# HELP process_threads Number of OS threads in the process.\n"
            "# TYPE process_threads gauge\n"
            "process_threads 9\n");
  // This process's own: it has memory, at least this thread, and stdin/stdout/stderr or more.
  auto self = read_process_figures();
  ASSERT_TRUE(self.resident_bytes && self.threads && self.open_fds && self.cpu_seconds);
  EXPECT_GT(*self.resident_bytes, 0);
  EXPECT_GE(*self.threads, 1);
  EXPECT_GE(*self.open_fds, 1);
}

}  // namespace
}  // namespace cg::obs
