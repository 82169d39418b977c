// End to end through a real Kannel: a phone (Kannel's fakesmsc) sends an Arabic message as
// UCS-2; bearerbox and smsbox deliver it to the gateway through smsbox's get-url; the conversation
// answers in Arabic, and the answer goes back out through smsbox's sendsms to the phone as UCS-2.
// Needs kannel and kannel-extras (scripts/setup-deps.sh --with-tests): without them the test fails.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/gateway/gateway_fixture.hpp"
#include "tests/support/kannel.hpp"

namespace cg::gateway::testing {
namespace {

constexpr const char* kKey = "kannel-e2e-key-42";

class KannelInbound : public GatewayTest {
 protected:
  void customise(Config& c) const override {
    c.inbound.kannel.key = kKey;
    c.inbound.kannel.allowed_addresses = {"127.0.0.1"};
    if (!sendsms_base_.empty()) {
      SmsProviderConfig p;
      p.name = "kannel";
      p.kind = "kannel";
      p.base_url = sendsms_base_;
      p.username = username_;
      p.password = password_;
      p.from = "AmmanCity";
      p.dlr_key = "dlr-key-e2e";
      c.sms.providers.push_back(p);
    } else {  // until Kannel runs: the file adapter, as parse_config defaults it
      SmsProviderConfig file;
      file.name = "file";
      file.kind = "file";
      file.path = c.outbox.file.path;
      c.sms.providers.push_back(file);
    }
  }

  // Field `n` (0-based, space-separated) of a fakesmsc line, url-decoded ('+' is a space).
  static std::string field(const std::string& line, std::size_t n) {
    std::size_t from = 0;
    for (std::size_t i = 0; i < n && from != std::string::npos; ++i) {
      from = line.find(' ', from);
      if (from != std::string::npos) ++from;
    }
    if (from == std::string::npos) return "";
    std::string raw = line.substr(from, line.find(' ', from) - from);
    std::string out;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        out.push_back(' ');
      } else if (raw[i] == '%' && i + 2 < raw.size()) {
        out.push_back(static_cast<char>(std::stoi(raw.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(raw[i]);
      }
    }
    return out;
  }

  // A loopback port nothing listens on right now.
  static std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      port = ntohs(addr.sin_port);
    ::close(fd);
    return port;
  }

  std::string sendsms_base_, username_, password_;
};

TEST_F(KannelInbound, AnArabicMessageSentAsUcs2IsAnsweredInArabic) {
  create_course();
  // smsbox's get-url must name the gateway's port, and the gateway must know smsbox's sendsms
  // port: take a free port for the gateway first, then start Kannel, then the gateway on it.
  app_->stop();
  app_.reset();
  std::uint16_t port = free_port();
  ASSERT_NE(port, 0);
  test::KannelOptions options;
  // deploy/kannel/kannel.conf's get-url names the gateway and its inbound.kannel.key.
  options.gateway_url = "http://127.0.0.1:" + std::to_string(port);
  options.inbound_key = kKey;
  auto rig = test::KannelRig::start(options);
  ASSERT_TRUE(rig.ok()) << rig.error().message;
  sendsms_base_ = (*rig)->sendsms_base_url();
  username_ = (*rig)->username();
  password_ = (*rig)->password();
  Config c = config();
  c.listen.port = port;
  auto app = App::create(c, clock_);
  ASSERT_TRUE(app.ok()) << app.error().message;
  app_ = std::move(*app);
  auto started = app_->start();
  ASSERT_TRUE(started.ok()) << started.error().message;

  // A phone sends "تسجيل ١٠١" (JOIN 101 in Arabic, Arabic-Indic digits): UCS-2 on the air.
  ASSERT_TRUE((*rig)->inject_mo("962791234567", "94123", "تسجيل ١٠١").ok()) << (*rig)->log_tails();

  // The conversation's answer is in the outbox once smsbox's get-url call has been committed.
  json answer;
  for (int i = 0; i < 400 && answer.is_null(); ++i) {
    auto f = app_->store().outbox_figures();
    ASSERT_TRUE(f.ok());
    std::int64_t n = 0;
    for (const auto& [status, count] : f->by_status) n += count;
    if (n > 0) {
      auto r = app_->dispatcher().run_once();
      ASSERT_TRUE(r.ok()) << r.error().message;
      answer = json::object();
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ASSERT_FALSE(answer.is_null()) << "no answer reached the outbox\n" << (*rig)->log_tails();

  // It went back to the phone through smsbox as UCS-2, asking for the name in Arabic. Longer than
  // one SMS, it arrives in parts with a concatenation header (fakesmsc prints "udh <header> data
  // <UTF-16BE bytes>"): reassemble them by the header's part count.
  auto first = (*rig)->wait_for_mt(1, std::chrono::seconds(20));
  ASSERT_TRUE(first.ok()) << first.error().message;
  std::size_t parts = 1;
  if (first->front().type == "udh") {
    std::string udh = field(first->front().line, 3);
    ASSERT_GE(udh.size(), 6u) << first->front().line;
    EXPECT_EQ(udh[1], '\x00') << "8-bit concatenation header";
    parts = static_cast<unsigned char>(udh[4]);
  }
  auto mt = (*rig)->wait_for_mt(parts, std::chrono::seconds(20));
  ASSERT_TRUE(mt.ok()) << mt.error().message;
  std::string utf16;
  for (const auto& m : *mt) {
    EXPECT_NE(m.receiver.find("791234567"), std::string::npos) << m.line;
    if (m.type == "udh") {
      ASSERT_EQ(field(m.line, 4), "data") << m.line;
      utf16 += field(m.line, 5);
    } else {
      EXPECT_EQ(m.type, "ucs2") << m.line;
      utf16 += m.bytes;
    }
  }
  std::string text = test::utf16be_to_utf8(utf16);
  EXPECT_NE(text.find("أرسل اسمك الكامل"), std::string::npos) << text;
  EXPECT_NE(text.find("مهارات الحاسوب الأساسية"), std::string::npos) << text;
}

}  // namespace
}  // namespace cg::gateway::testing
