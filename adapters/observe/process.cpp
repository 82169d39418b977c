#include "adapters/observe/process.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "adapters/observe/registry.hpp"

namespace cg::obs {

namespace {

std::optional<double> field_number(std::string_view status, std::string_view key) {
  for (std::size_t at = 0; at < status.size();) {
    std::size_t end = status.find('\n', at);
    if (end == std::string_view::npos) end = status.size();
    std::string_view line = status.substr(at, end - at);
    at = end + 1;
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':') continue;
    std::string rest(line.substr(key.size() + 1));
    double v = 0;
    if (std::sscanf(rest.c_str(), "%lf", &v) != 1) return std::nullopt;
    return v;
  }
  return std::nullopt;
}

}  // namespace

void parse_proc_status(std::string_view status, ProcessFigures& out) {
  if (auto kb = field_number(status, "VmRSS")) out.resident_bytes = *kb * 1024;  // "VmRSS:  1234 kB"
  out.threads = field_number(status, "Threads");
}

ProcessFigures read_process_figures() {
  ProcessFigures f;
  {
    std::ifstream in("/proc/self/status");
    std::stringstream text;
    text << in.rdbuf();
    if (in) parse_proc_status(text.str(), f);
  }
  if (DIR* d = opendir("/proc/self/fd")) {
    double n = 0;
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') ++n;
    closedir(d);
    f.open_fds = n - 1;  // the directory stream's own descriptor is listed too
  }
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) f.max_fds = static_cast<double>(rl.rlim_cur);
  {
    // Fields 14 and 15 (utime, stime, in clock ticks) come after the command name, which is in
    // parentheses and may itself hold spaces: count from the last ')'.
    std::ifstream in("/proc/self/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = stat.rfind(')');
    if (close != std::string::npos) {
      std::istringstream rest(stat.substr(close + 2));
      std::string skip;
      for (int i = 3; i <= 13 && rest >> skip; ++i) {
      }
      double utime = 0, stime = 0;
      const long ticks = sysconf(_SC_CLK_TCK);
      if (rest >> utime >> stime && ticks > 0) f.cpu_seconds = (utime + stime) / static_cast<double>(ticks);
    }
  }
  return f;
}

std::string render_process(const ProcessFigures& f) {
  std::string out;
  if (f.cpu_seconds)
    out +=
        "# HELP process_cpu_seconds_total User and system CPU time spent, in seconds.\n"
        "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total " +
        format_value(*f.cpu_seconds) + "\n";
  if (f.max_fds) out += render_gauge("process_max_fds", "Maximum number of open file descriptors.", *f.max_fds);
  if (f.open_fds) out += render_gauge("process_open_fds", "Number of open file descriptors.", *f.open_fds);
  if (f.resident_bytes)
    out += render_gauge("process_resident_memory_bytes", "Resident memory size in bytes.", *f.resident_bytes);
  if (f.threads) out += render_gauge("process_threads", "Number of OS threads in the process.", *f.threads);
  return out;
}

}  // namespace cg::obs
