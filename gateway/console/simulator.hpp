// The console's Simulator page (docs/console.md): a phone on the screen. An operator picks a number
// of the test range (console.simulator.test_range) and writes as an applicant would; each message
// goes through the ConversationService as an inbound SMS of the provider "simulator" (recorded in
// inbound_messages, deduplicated on the message id the page makes for each send), and the USSD tab
// through the same USSD menus as Africa's Talking, one USSD session per dial. The replies are read
// back from the outbox; the dispatcher completes them as delivered by "simulator" and never hands
// them to a provider (store::TestRange). Any signed-in role may use it: it only touches test numbers.
#pragma once

#include <cstdint>
#include <string>

#include "adapters/store/store.hpp"
#include "gateway/app/config.hpp"
#include "gateway/http/handler.hpp"
#include "gateway/sms/conversation.hpp"

namespace cg::gateway::console {

class Simulator {
 public:
  Simulator(ConversationService& conversation, store::Store& store, const SimulatorConfig& config)
      : conversation_(conversation), store_(store), config_(config) {}

  // GET /console/api/simulator: the test numbers and the USSD screen limits.
  void get_settings(const http::Request& req, const http::Responder& respond);
  // POST /console/api/simulator/sms {"phone","text","message_id"}: one message from a test number.
  void post_sms(const http::Request& req, const http::Responder& respond);
  // GET /console/api/simulator/messages?phone=P&after_in=ID&after_out=ID: the number's messages
  // and the gateway's replies after the keys the page has, oldest first.
  void get_messages(const http::Request& req, const http::Responder& respond);
  // POST /console/api/simulator/ussd {"phone","session","text"}: one USSD request of a dial.
  void post_ussd(const http::Request& req, const http::Responder& respond);

  // Rows per read of each list.
  static constexpr std::size_t kPage = 200;
  // How far below the outbox's last id the next read starts when a read found less than a page:
  // on MariaDB a row can commit after one with a higher id, and the page drops what it has seen.
  static constexpr std::int64_t kLateRows = 100;

 private:
  ConversationService& conversation_;
  store::Store& store_;
  const SimulatorConfig& config_;
};

}  // namespace cg::gateway::console
