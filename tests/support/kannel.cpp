#include "tests/support/kannel.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <thread>

#include "tests/support/http_client.hpp"

namespace cg::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A port the system just gave out and took back; Kannel binds it a moment later. Another process
// could take it in between, which on a loopback test machine is rare enough.
Result<std::uint16_t> free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return make_error("kannel_rig", std::string("socket: ") + std::strerror(errno));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    std::string err = std::strerror(errno);
    ::close(fd);
    return make_error("kannel_rig", "binding a free port: " + err);
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

Result<fs::path> find_binary(const std::string& name, const std::vector<fs::path>& dirs) {
  for (const auto& d : dirs) {
    fs::path p = d / name;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    std::string d;
    while (std::getline(ss, d, ':')) {
      fs::path p = fs::path(d) / name;
      if (!d.empty() && ::access(p.c_str(), X_OK) == 0) return p;
    }
  }
  return make_error("kannel_missing", "Kannel's `" + name +
                                          "` was not found (install the Debian packages kannel and kannel-extras: "
                                          "scripts/setup-deps.sh --with-tests)");
}

// Starts `argv` with stdin from /dev/null and stdout+stderr appended to `log`. The child gets
// SIGTERM if the test process dies, so a crashed test leaves no Kannel behind.
Result<pid_t> spawn(const std::vector<std::string>& argv, const fs::path& log, const fs::path& cwd) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) return make_error("kannel_rig", "opening " + log.string() + ": " + std::strerror(errno));
  int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out);
  ::close(in);
  if (pid < 0) return make_error("kannel_rig", std::string("fork: ") + std::strerror(errno));
  return pid;
}

// SIGTERM, then SIGKILL if the process has not exited within `grace`.
void terminate(pid_t& pid, std::chrono::milliseconds grace) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + grace;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  pid = -1;
}

bool exited(pid_t pid) {
  int status = 0;
  return pid > 0 && ::waitpid(pid, &status, WNOHANG) == pid;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// deploy/kannel/kannel.conf with each @NAME@ replaced; a placeholder left over (the file gained one
// the rig does not know) is an error naming it, so the file and the rig cannot drift apart.
Result<std::string> deployed_config(const fs::path& dir, const std::map<std::string, std::string>& values) {
  const fs::path source = fs::path(CG_SOURCE_DIR) / "deploy/kannel/kannel.conf";
  std::string text = read_file(source);
  if (text.empty()) return make_error("kannel_rig", "cannot read " + source.string());
  for (const auto& [name, value] : values) {
    const std::string placeholder = "@" + name + "@";
    for (auto at = text.find(placeholder); at != std::string::npos; at = text.find(placeholder, at + value.size()))
      text.replace(at, placeholder.size(), value);
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("#")) continue;
    auto open = line.find('@');
    auto close = open == std::string::npos ? open : line.find('@', open + 1);
    if (close != std::string::npos)
      return make_error("kannel_rig", source.string() + " has a placeholder the rig does not fill: " +
                                          line.substr(open, close - open + 1) + " (in " + dir.string() + ")");
  }
  return text;
}

std::string tail(const std::string& text, std::size_t lines) {
  std::size_t pos = text.size();
  for (std::size_t n = 0; n <= lines && pos > 0;) {
    pos = text.rfind('\n', pos - 1);
    if (pos == std::string::npos) return text;
    ++n;
  }
  return text.substr(pos + 1);
}

// Kannel's url-encoding as fakesmsc prints it: %XX for bytes, '+' for a space.
std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string url_encode_all(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string random_password() {
  std::random_device rd;
  std::string s;
  for (int i = 0; i < 16; ++i) s += "abcdefghijklmnopqrstuvwxyz0123456789"[rd() % 36];
  return s;
}

std::vector<char32_t> decode_utf8(const std::string& s) {
  std::vector<char32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    char32_t cp = c;
    if (c >= 0x80) {
      if ((c >> 5) == 6) {
        n = 1, cp = c & 0x1F;
      } else if ((c >> 4) == 14) {
        n = 2, cp = c & 0x0F;
      } else if ((c >> 3) == 30) {
        n = 3, cp = c & 0x07;
      } else {
        out.push_back(0xFFFD);
        ++i;
        continue;
      }
    }
    bool ok = i + n < s.size();
    for (std::size_t k = 1; ok && k <= n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc >> 6) == 2;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (!ok) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += n + 1;
  }
  return out;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

}  // namespace

std::string utf8_to_utf16be(const std::string& utf8) {
  std::string out;
  auto unit = [&](char32_t u) {
    out += static_cast<char>((u >> 8) & 0xFF);
    out += static_cast<char>(u & 0xFF);
  };
  for (char32_t cp : decode_utf8(utf8)) {
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit(0xD800 + (cp >> 10));
      unit(0xDC00 + (cp & 0x3FF));
    } else {
      unit(cp);
    }
  }
  return out;
}

std::string utf16be_to_utf8(const std::string& b) {
  std::string out;
  for (std::size_t i = 0; i + 1 < b.size(); i += 2) {
    char32_t u = (static_cast<unsigned char>(b[i]) << 8) | static_cast<unsigned char>(b[i + 1]);
    if (u >= 0xD800 && u < 0xDC00 && i + 3 < b.size()) {
      char32_t lo = (static_cast<unsigned char>(b[i + 2]) << 8) | static_cast<unsigned char>(b[i + 3]);
      if (lo >= 0xDC00 && lo < 0xE000) {
        append_utf8(out, 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00));
        i += 2;
        continue;
      }
    }
    append_utf8(out, (u >= 0xD800 && u < 0xE000) ? 0xFFFD : u);
  }
  return out;
}

Result<std::unique_ptr<KannelRig>> KannelRig::start(KannelOptions options) {
  std::unique_ptr<KannelRig> rig(new KannelRig(std::move(options)));
  const std::vector<fs::path> sbin{"/usr/sbin", "/usr/local/sbin", "/usr/bin"};
  auto bearerbox = find_binary("bearerbox", sbin);
  if (!bearerbox) return bearerbox.error();
  auto smsbox = find_binary("smsbox", sbin);
  if (!smsbox) return smsbox.error();
  auto fakesmsc = find_binary("fakesmsc", {"/usr/lib/kannel/test", "/usr/local/lib/kannel/test"});
  if (!fakesmsc) return fakesmsc.error();

  char tmpl[] = "/tmp/cg-kannel-XXXXXX";
  if (!::mkdtemp(tmpl)) return make_error("kannel_rig", std::string("mkdtemp: ") + std::strerror(errno));
  rig->dir_ = tmpl;
  for (auto* port : {&rig->admin_port_, &rig->box_port_, &rig->smsc_port_, &rig->sendsms_port_}) {
    auto p = free_port();
    if (!p) return p.error();
    *port = *p;
  }
  rig->admin_password_ = random_password();
  const std::string d = rig->dir_.string();
  const KannelOptions& o = rig->options_;

  auto conf = deployed_config(rig->dir_, {{"LOG_DIR", d},
                                          {"ADMIN_PORT", std::to_string(rig->admin_port_)},
                                          {"ADMIN_PASSWORD", rig->admin_password_},
                                          {"BEARERBOX_PORT", std::to_string(rig->box_port_)},
                                          {"SENDSMS_PORT", std::to_string(rig->sendsms_port_)},
                                          {"SENDSMS_USERNAME", o.username},
                                          {"SENDSMS_PASSWORD", o.password},
                                          {"GATEWAY_URL", o.gateway_url.empty() ? "http://127.0.0.1:9" : o.gateway_url},
                                          {"INBOUND_KEY", o.inbound_key},
                                          {"SMSC_CONF", d + "/smsc.conf"}});
  if (!conf) return conf.error();
  // The one part of the deployment the rig replaces: the operator's SMSC link.
  std::ostringstream smsc;
  smsc << "group = smsc\n"
       << "smsc = fake\n"
       << "smsc-id = fake\n"
       << "port = " << rig->smsc_port_ << "\n"
       << "connect-allow-ip = 127.0.0.1\n";
  for (const auto& [name, text] : {std::pair{"kannel.conf", *conf}, std::pair{"smsc.conf", smsc.str()}}) {
    std::ofstream f(rig->dir_ / name);
    f << text;
    if (!f) return make_error("kannel_rig", "writing " + (rig->dir_ / name).string());
  }

  // Each box panics if the one it connects to is not listening yet, so they start in order.
  auto bb = spawn({bearerbox->string(), (rig->dir_ / "kannel.conf").string()}, rig->dir_ / "bearerbox.out", rig->dir_);
  if (!bb) return bb.error();
  rig->bearerbox_ = *bb;
  if (auto s = rig->wait_for("bearerbox's admin port", [](const std::string&) { return true; }); !s) return s.error();
  auto sb = spawn({smsbox->string(), (rig->dir_ / "kannel.conf").string()}, rig->dir_ / "smsbox.out", rig->dir_);
  if (!sb) return sb.error();
  rig->smsbox_ = *sb;
  if (auto s = rig->wait_for("smsbox connected to bearerbox",
                             [](const std::string& st) {
                               auto box = st.find("smsbox:");
                               return box != std::string::npos && st.find("(on-line", box) != std::string::npos;
                             });
      !s)
    return s.error();
  if (auto s = rig->start_fakesmsc({}); !s) return s.error();
  if (auto s = rig->wait_sendsms(); !s) return s.error();
  return rig;
}

KannelRig::~KannelRig() {
  stop_fakesmsc();
  terminate(smsbox_, 5s);
  terminate(bearerbox_, 5s);
  if (!dir_.empty() && !std::getenv("CG_KEEP_KANNEL_DIR")) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string KannelRig::sendsms_base_url() const { return "http://127.0.0.1:" + std::to_string(sendsms_port_); }

Status KannelRig::start_fakesmsc(const std::vector<std::string>& messages) {
  auto bin = find_binary("fakesmsc", {"/usr/lib/kannel/test", "/usr/local/lib/kannel/test"});
  if (!bin) return bin.error();
  std::vector<std::string> argv{bin->string(),
                                "-H",
                                "127.0.0.1",
                                "-r",
                                std::to_string(smsc_port_),
                                "-i",
                                "0.01",
                                "-m",
                                std::to_string(messages.size())};
  // With -m 0 fakesmsc still wants one message argument; it is never sent.
  if (messages.empty())
    argv.push_back("0 0 text unused");
  else
    argv.insert(argv.end(), messages.begin(), messages.end());
  const std::string online = "FAKE:" + std::to_string(smsc_port_) + " (online";
  auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  // fakesmsc gives up (panics) when the fake SMSC does not accept at once, as happens while
  // bearerbox is still noticing that the previous client left: start it again until it holds.
  while (std::chrono::steady_clock::now() < deadline) {
    ++fakesmsc_runs_;
    const fs::path log = dir_ / ("fakesmsc." + std::to_string(fakesmsc_runs_) + ".log");
    auto pid = spawn(argv, log, dir_);
    if (!pid) return pid.error();
    fakesmsc_ = *pid;
    while (std::chrono::steady_clock::now() < deadline) {
      if (exited(fakesmsc_)) {
        fakesmsc_ = -1;
        break;
      }
      bool done = messages.empty()
                      ? status().ok() && status()->find(online) != std::string::npos
                      : read_file(log).find("sent message " + std::to_string(messages.size())) != std::string::npos;
      if (done) return ok_status();
      std::this_thread::sleep_for(20ms);
    }
    std::this_thread::sleep_for(100ms);
  }
  return make_error("kannel_rig", "fakesmsc could not connect to bearerbox's fake SMSC (or send) within " +
                                      std::to_string(options_.start_timeout.count()) + " ms\n" + log_tails());
}

void KannelRig::stop_fakesmsc() { terminate(fakesmsc_, 3s); }

Result<std::string> KannelRig::status() const {
  HttpClient client;
  client.set_timeout(2s);
  auto r = client.get("http://127.0.0.1:" + std::to_string(admin_port_) + "/status.txt?password=" + admin_password_);
  if (!r) return r.error();
  if (r->status != 200) return make_error("kannel_rig", "status.txt answered " + std::to_string(r->status));
  return r->body;
}

Status KannelRig::wait_for(const std::string& what, const std::function<bool(const std::string&)>& ready) {
  auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    if (exited(bearerbox_)) {
      bearerbox_ = -1;
      return make_error("kannel_rig", "bearerbox exited at start:\n" + log_tails());
    }
    if (exited(smsbox_)) {
      smsbox_ = -1;
      return make_error("kannel_rig", "smsbox exited at start:\n" + log_tails());
    }
    if (auto s = status(); s) {
      last = *s;
      if (ready(last)) return ok_status();
    }
    std::this_thread::sleep_for(30ms);
  }
  return make_error("kannel_rig", "Kannel: no " + what + " within " + std::to_string(options_.start_timeout.count()) +
                                      " ms; last status:\n" + last + "\n" + log_tails());
}

Status KannelRig::wait_sendsms() {
  auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    HttpClient client;
    client.set_timeout(2s);
    if (auto r = client.get(sendsms_base_url() + "/cgi-bin/sendsms"); r && r->status > 0) return ok_status();
    std::this_thread::sleep_for(30ms);
  }
  return make_error("kannel_rig", "smsbox's sendsms port does not answer\n" + log_tails());
}

Status KannelRig::inject_mo(const std::string& from, const std::string& to, const std::string& utf8_text) {
  bool ascii = true;
  for (unsigned char c : utf8_text) ascii = ascii && c >= 0x20 && c < 0x7F;
  std::string msg = from + " " + to + " ";
  msg += ascii ? "text " + utf8_text : "ucs2 " + url_encode_all(utf8_to_utf16be(utf8_text));
  stop_fakesmsc();
  return start_fakesmsc({msg});
}

std::vector<KannelMt> KannelRig::mt_messages() const {
  // fakesmsc logs each MT as "... DEBUG: Got message N: <sender receiver type body>".
  static constexpr std::string_view kMarker = "Got message ";
  std::vector<KannelMt> out;
  for (int run = 1; run <= fakesmsc_runs_; ++run) {
    std::istringstream in(read_file(dir_ / ("fakesmsc." + std::to_string(run) + ".log")));
    std::string line;
    while (std::getline(in, line)) {
      auto at = line.find(kMarker);
      if (at == std::string::npos) continue;
      auto open = line.find(": <", at);
      if (open == std::string::npos || line.empty() || line.back() != '>') continue;
      std::string content = line.substr(open + 3, line.size() - open - 4);
      KannelMt m;
      m.line = content;
      std::istringstream fields(content);
      fields >> m.sender >> m.receiver >> m.type;
      if (m.type == "udh") {
        std::string udh, kind;
        fields >> udh >> kind;
        m.udh = url_decode(udh);
      }
      std::getline(fields, m.body);
      if (!m.body.empty() && m.body.front() == ' ') m.body.erase(0, 1);
      m.bytes = url_decode(m.body);
      if (m.type == "ucs-2" || m.type == "ucs2")
        m.utf8 = utf16be_to_utf8(m.bytes);
      else if (m.type != "udh")
        m.utf8 = m.bytes;
      out.push_back(std::move(m));
    }
  }
  return out;
}

Result<std::vector<KannelMt>> KannelRig::wait_for_mt(std::size_t count, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto mts = mt_messages();
    if (mts.size() >= count) return mts;
    if (std::chrono::steady_clock::now() > deadline)
      return make_error("kannel_rig", "expected " + std::to_string(count) + " MT messages at fakesmsc, got " +
                                          std::to_string(mts.size()) + "\n" + log_tails());
    std::this_thread::sleep_for(20ms);
  }
}

std::vector<KannelMt> join_parts(const std::vector<KannelMt>& mts) {
  struct Concat {
    std::size_t first;  // where the joined message goes in the output order
    int total = 0;
    std::map<int, const KannelMt*> parts;
  };
  std::map<std::string, Concat> open;  // by sender, receiver and reference
  std::vector<std::optional<KannelMt>> out;
  for (const auto& m : mts) {
    const auto& u = m.udh;
    // UDH: length, then IEs. 0x00: ref(1) total seq; 0x08: ref(2) total seq.
    std::size_t at = 1;
    bool found = false;
    int ref = 0, total = 0, seq = 0;
    while (m.type == "udh" && at + 1 < u.size()) {
      auto iei = static_cast<unsigned char>(u[at]);
      auto len = static_cast<unsigned char>(u[at + 1]);
      if (at + 2 + len > u.size()) break;
      const auto* v = reinterpret_cast<const unsigned char*>(u.data() + at + 2);
      if (iei == 0x00 && len == 3) ref = v[0], total = v[1], seq = v[2], found = true;
      if (iei == 0x08 && len == 4) ref = v[0] << 8 | v[1], total = v[2], seq = v[3], found = true;
      at += 2 + len;
    }
    if (!found) {
      out.emplace_back(m);
      continue;
    }
    std::string key = m.sender + " " + m.receiver + " " + std::to_string(ref);
    auto it = open.find(key);
    if (it == open.end()) {
      it = open.emplace(key, Concat{out.size(), total, {}}).first;
      out.emplace_back(std::nullopt);
    }
    it->second.parts[seq] = &m;
    if (static_cast<int>(it->second.parts.size()) == it->second.total) {
      KannelMt joined = *it->second.parts.begin()->second;
      joined.bytes.clear();
      joined.body.clear();
      joined.line.clear();
      for (const auto& [n, part] : it->second.parts) {
        joined.bytes += part->bytes;
        joined.line += (joined.line.empty() ? "" : "\n") + part->line;
      }
      joined.parts = it->second.total;
      out[it->second.first] = std::move(joined);
      open.erase(it);
    }
  }
  std::vector<KannelMt> result;
  for (auto& m : out)
    if (m) result.push_back(std::move(*m));
  return result;
}

std::string KannelRig::log_tails(std::size_t lines) const {
  std::string out;
  std::vector<fs::path> logs{dir_ / "bearerbox.log", dir_ / "bearerbox.out", dir_ / "smsbox.log", dir_ / "smsbox.out"};
  for (int run = 1; run <= fakesmsc_runs_; ++run) logs.push_back(dir_ / ("fakesmsc." + std::to_string(run) + ".log"));
  for (const auto& p : logs) {
    std::string t = tail(read_file(p), lines);
    if (!t.empty()) out += "--- " + p.filename().string() + "\n" + t + (t.back() == '\n' ? "" : "\n");
  }
  return out;
}

}  // namespace cg::test
