// USSD requests in the Africa's Talking convention (docs/providers.md, wire formats), used by many aggregators: a form
// POST with sessionId, serviceCode, phoneNumber, networkCode and text (every input of the session
// so far joined by '*', empty on the first request); the answer is text/plain "CON <screen>" to
// keep the session open or "END <screen>" to close it.
// Trust: aggregators do not sign requests; we accept them from configured addresses and/or with a
// configured secret `key` in the query (compared in constant time).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "adapters/sms/common/address.hpp"
#include "adapters/sms/common/params.hpp"
#include "core/result.hpp"

namespace cg::ussd::africastalking {

using Params = sms::Params;

struct Settings {
  std::string key;                     // `key` query parameter; empty: not checked
  sms::AddressList allowed_addresses;  // empty: any address
  bool configured() const { return !key.empty() || !allowed_addresses.empty(); }
};

struct Request {
  std::string session_id;
  std::string service_code;  // e.g. "*384*123#"
  std::string phone_number;  // as the aggregator sends it, usually +9627...
  std::string network_code;
  std::string text;  // inputs joined by '*'
};

// "not_configured" when neither a key nor addresses are configured (USSD would be open to anyone);
// "forbidden" for a wrong key or an address not allowed.
Status authenticate(const Settings& settings, std::string_view remote_address, const Params& query);

// sessionId, phoneNumber and text are required, text may be empty; "invalid_request" names the field.
Result<Request> parse_request(const Params& form);

}  // namespace cg::ussd::africastalking
