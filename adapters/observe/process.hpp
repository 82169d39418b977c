// The process's own figures from /proc/self, under the names every Prometheus client library
// uses (process_resident_memory_bytes, ...), read at scrape time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cg::obs {

struct ProcessFigures {
  std::optional<double> resident_bytes;  // VmRSS of /proc/self/status
  std::optional<double> threads;         // Threads of /proc/self/status
  std::optional<double> open_fds;        // entries of /proc/self/fd
  std::optional<double> max_fds;         // the soft RLIMIT_NOFILE
  std::optional<double> cpu_seconds;     // user + system time of /proc/self/stat
};

ProcessFigures read_process_figures();
// From the text of /proc/self/status (tests feed their own).
void parse_proc_status(std::string_view status, ProcessFigures& out);
// Only the figures that could be read; a missing one is left out, not shown as 0.
std::string render_process(const ProcessFigures& f);

}  // namespace cg::obs
