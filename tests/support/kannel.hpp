// A real Kannel for tests: bearerbox with a fake SMSC, smsbox with sendsms, and Kannel's own
// `fakesmsc` client standing in for the phone network, all on free loopback ports in a temporary
// directory, stopped (and the directory removed) by the destructor. Kannel runs the deployment's
// own deploy/kannel/kannel.conf with its @PLACEHOLDERS@ filled in; only the SMSC link (the file's
// include) is the rig's: a fake SMSC instead of the operator's.
//
//   gateway --sendsms--> smsbox --> bearerbox --fake SMSC--> fakesmsc   (MT: read with mt_messages())
//   fakesmsc --MO--> bearerbox --> smsbox --sms-service get-url--> gateway   (MO: inject_mo())
//
// fakesmsc takes MO messages only on its command line and the fake SMSC serves one client at a time,
// so inject_mo() replaces the running fakesmsc by one that sends the message and then keeps reading
// MT messages; bearerbox holds MT messages while no client is connected, so none is lost.
// A missing Kannel binary makes start() fail with a message naming it (CI installs kannel and
// kannel-extras through scripts/setup-deps.sh --with-tests); tests must fail then, not skip.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace cg::test {

struct KannelOptions {
  // The gateway as smsbox reaches it ("http://127.0.0.1:8080"): the sms-service get-url of
  // deploy/kannel/kannel.conf calls GATEWAY/v1/sms/kannel/inbound?key=<inbound_key>&from=%p&... for
  // every MO message. Empty: a loopback port nothing listens on (for tests that send only).
  std::string gateway_url;
  std::string inbound_key = "rig-inbound-key-0123456789";
  // The sendsms-user credentials the gateway uses. A password with characters that need
  // percent-encoding is deliberate: it proves the adapter encodes it.
  std::string username = "gateway";
  std::string password = "s3cret&pass word";
  std::chrono::milliseconds start_timeout{20'000};
};

// One MT message as fakesmsc printed it: `<sender> <receiver> <type> <url-encoded body>`.
// A part of a concatenated message is printed `<sender> <receiver> udh <url-encoded UDH> data <body>`:
// the fake SMSC does not say the coding of such parts, so `utf8` is left empty for them and
// join_parts() puts a message back together for the caller to decode.
struct KannelMt {
  std::string sender;
  std::string receiver;
  std::string type;   // "text", "data", "ucs-2", or "udh" for a part of a concatenated message
  std::string udh;    // the User Data Header's bytes (type "udh")
  std::string body;   // as printed (url-encoded)
  std::string bytes;  // body url-decoded: text, data, or UTF-16BE for ucs-2
  std::string utf8;   // the text as UTF-8 (ucs-2 converted from UTF-16BE; text/data as is); empty for udh
  std::string line;   // the whole printed line
  int parts = 1;      // join_parts(): how many parts were joined
};

// Joins the parts of concatenated messages (UDH information element 0x00 or 0x08) in sequence
// order into one message with `bytes` the whole payload; other messages pass through unchanged.
// A message whose parts have not all arrived is left out.
std::vector<KannelMt> join_parts(const std::vector<KannelMt>& mts);

class KannelRig {
 public:
  static Result<std::unique_ptr<KannelRig>> start(KannelOptions options = {});
  ~KannelRig();
  KannelRig(const KannelRig&) = delete;
  KannelRig& operator=(const KannelRig&) = delete;

  // http://127.0.0.1:<sendsms-port> (append "/cgi-bin/sendsms?...").
  std::string sendsms_base_url() const;
  std::string sendsms_url() const { return sendsms_base_url() + "/cgi-bin/sendsms"; }
  const std::string& username() const { return options_.username; }
  const std::string& password() const { return options_.password; }
  std::uint16_t sendsms_port() const { return sendsms_port_; }
  const std::filesystem::path& directory() const { return dir_; }
  // The configuration Kannel runs: deploy/kannel/kannel.conf filled in.
  std::filesystem::path config_path() const { return dir_ / "kannel.conf"; }

  // An MO message from `from` to `to` (numbers as the network gives them, e.g. "962791234567").
  // ASCII text goes as type "text", anything else as "ucs2" (UTF-16BE), as a phone would send
  // Arabic. Returns once fakesmsc has sent it to bearerbox.
  Status inject_mo(const std::string& from, const std::string& to, const std::string& utf8_text);

  // Every MT message fakesmsc has printed so far, oldest first (over all fakesmsc runs).
  std::vector<KannelMt> mt_messages() const;
  // Waits until at least `count` MT messages have arrived; an error (with the logs' tails) if not.
  Result<std::vector<KannelMt>> wait_for_mt(std::size_t count, std::chrono::milliseconds timeout) const;

  // bearerbox's status page (status.txt): SMSC and box connections, queues, counters.
  Result<std::string> status() const;
  // The last lines of each Kannel log, for a failing test's message.
  std::string log_tails(std::size_t lines = 15) const;

 private:
  explicit KannelRig(KannelOptions options) : options_(std::move(options)) {}
  Status start_fakesmsc(const std::vector<std::string>& messages);
  void stop_fakesmsc();
  Status wait_for(const std::string& what, const std::function<bool(const std::string&)>& ready);
  Status wait_sendsms();

  KannelOptions options_;
  std::filesystem::path dir_;
  std::uint16_t admin_port_ = 0, box_port_ = 0, smsc_port_ = 0, sendsms_port_ = 0;
  std::string admin_password_;
  pid_t bearerbox_ = -1, smsbox_ = -1, fakesmsc_ = -1;
  int fakesmsc_runs_ = 0;
};

// UTF-8 <-> UTF-16BE, for building and checking UCS-2 messages. Invalid input yields U+FFFD.
std::string utf8_to_utf16be(const std::string& utf8);
std::string utf16be_to_utf8(const std::string& utf16be);

}  // namespace cg::test
