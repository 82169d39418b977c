#include "gateway/console/simulator.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/applicant.hpp"
#include "core/sms.hpp"
#include "core/time.hpp"
#include "gateway/web/http_json.hpp"

namespace cg::gateway::console {

using http::Request;
using http::Responder;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxText = 1600;     // ten SMS of GSM-7: more than a phone sends as one message
constexpr std::size_t kMaxUssdText = 400;  // every input of a dial, joined by '*'
constexpr std::size_t kMaxIdLength = 64;

http::Response invalid(const std::string& message) { return http::json_error(400, "invalid_request", message); }

http::Response turned_off() {
  return http::json_error(
      404, "not_found", "the simulator is off: it needs console.simulator.enabled and a console.simulator.test_range");
}

// A key the page made: letters, digits, '-' and '_'.
bool valid_key(std::string_view s) {
  return !s.empty() && s.size() <= kMaxIdLength && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// The test number in `value`, as normalize_phone writes it; otherwise the message for the 400.
Result<std::string> test_number(std::optional<std::string_view> value, const store::TestRange& range) {
  const std::string why =
      "phone: a test number of the simulator, " + range.from + " to " + range.to + " (console.simulator.test_range)";
  if (!value) return make_error("invalid_request", why);
  auto phone = core::normalize_phone(*value);
  if (!phone || !range.contains(*phone)) return make_error("invalid_request", why);
  return *phone;
}

std::optional<std::string_view> string_field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return std::string_view(it->get_ref<const std::string&>());
}

// A key of the page (`after_in`, `after_out`): absent is 0, else a whole number.
Result<std::int64_t> after_key(const Request& req, const char* name) {
  auto v = req.query_param(name);
  if (!v) return std::int64_t{0};
  if (*v == "0") return std::int64_t{0};
  auto id = web::parse_id(*v);
  if (!id) return make_error("invalid_query", std::string(name) + ": a message id the page was given");
  return *id;
}

json reply_json(const store::OutboxMessage& m) {
  const core::SmsLength length = core::measure_sms(m.text);
  return json{{"kind", "out"},
              {"id", m.id},
              {"at", core::format_iso8601_utc(m.created_at)},
              {"text", m.text},
              {"template", m.template_name},
              {"step", m.step},
              {"application_id", m.application_id},
              {"segments", length.segments},
              {"encoding", std::string(core::to_string(length.encoding))},
              {"status", m.status},
              {"provider", m.provider}};
}

json inbound_json(const store::InboundRecord& r) {
  return json{{"kind", "in"},
              {"id", r.id},
              {"at", core::format_iso8601_utc(r.message.received_at)},
              {"text", r.message.text},
              {"outcome", r.message.outcome}};
}

}  // namespace

void Simulator::get_settings(const Request&, const Responder& respond) {
  if (!config_.on()) return respond(turned_off());
  const auto& range = config_.test_range;
  json numbers = json::array();
  for (std::int64_t i = 0; i < range.size(); ++i) numbers.push_back(range.at(i));
  const auto& limits = conversation_.ussd_limits();
  respond(
      web::json_replacing(200, json{{"test_range", {{"from", range.from}, {"to", range.to}}},
                                    {"numbers", std::move(numbers)},
                                    {"ussd", {{"gsm7_chars", limits.gsm7_chars}, {"ucs2_chars", limits.ucs2_chars}}}}));
}

void Simulator::post_sms(const Request& req, const Responder& respond) {
  if (!config_.on()) return respond(turned_off());
  auto body = web::parse_json_body(req);
  if (!body) return respond(web::bad(body.error()));
  auto phone = test_number(string_field(*body, "phone"), config_.test_range);
  if (!phone) return respond(invalid(phone.error().message));
  auto text = string_field(*body, "text");
  if (!text || text->empty() || text->size() > kMaxText || !core::is_valid_utf8(*text))
    return respond(invalid("text: 1 to " + std::to_string(kMaxText) + " bytes of UTF-8"));
  auto message_id = string_field(*body, "message_id");
  if (!message_id || !valid_key(*message_id))
    return respond(invalid("message_id: 1 to 64 letters, digits, '-' or '_', new for each message"));
  req.note_phone(core::mask_phone(*phone));
  InboundSms sms{std::string(store::kSimulatorProvider), std::string(*message_id), *phone,
                 std::string(store::kSimulatorProvider), std::string(*text)};
  conversation_.receive(std::move(sms), [respond](const Result<InboundOutcome>& r) {
    if (!r) return respond(web::error_response(r.error()));
    respond(web::json_replacing(
        200, json{{"duplicate", r->duplicate}, {"rate_limited", r->rate_limited}, {"replies", r->replies}}));
  });
}

void Simulator::get_messages(const Request& req, const Responder& respond) {
  if (!config_.on()) return respond(turned_off());
  auto phone = test_number(req.query_param("phone"), config_.test_range);
  if (!phone) return respond(http::json_error(400, "invalid_query", phone.error().message));
  auto after_in = after_key(req, "after_in");
  if (!after_in) return respond(http::json_error(400, "invalid_query", after_in.error().message));
  auto after_out = after_key(req, "after_out");
  if (!after_out) return respond(http::json_error(400, "invalid_query", after_out.error().message));
  std::vector<store::InboundRecord> inbound;
  std::vector<store::OutboxMessage> replies;
  std::int64_t last = 0;
  Status s = store_.read([&](store::Tx& tx) -> Status {
    auto in = tx.inbound_from(store::kSimulatorProvider, *phone, *after_in, kPage);
    if (!in) return in.error();
    // The last id first: a row committed after it is read next time.
    auto l = tx.outbox_last_id();
    if (!l) return l.error();
    auto out = tx.outbox_to(*phone, *after_out, kPage);
    if (!out) return out.error();
    inbound = std::move(*in);
    last = *l;
    replies = std::move(*out);
    return ok_status();
  });
  if (!s) return respond(http::store_failure(s.error()));
  json items = json::array();
  for (const auto& r : inbound) items.push_back(inbound_json(r));
  for (const auto& m : replies) items.push_back(reply_json(m));
  const std::int64_t next_in = inbound.empty() ? *after_in : inbound.back().id;
  // A full page goes on from its last row; otherwise everything up to `last` was read, and the next
  // read starts a little below it (kLateRows), never below where this one started.
  std::int64_t next_out = replies.size() == kPage ? replies.back().id : std::max(*after_out, last - kLateRows);
  // A reply not sent yet is read again until it is, so the page sees its status change.
  for (const auto& m : replies)
    if (m.status == "pending" || m.status == "sending") next_out = std::min(next_out, m.id - 1);
  respond(web::json_replacing(
      200,
      json{{"phone", *phone}, {"items", std::move(items)}, {"next_after_in", next_in}, {"next_after_out", next_out}}));
}

void Simulator::post_ussd(const Request& req, const Responder& respond) {
  if (!config_.on()) return respond(turned_off());
  auto body = web::parse_json_body(req);
  if (!body) return respond(web::bad(body.error()));
  auto phone = test_number(string_field(*body, "phone"), config_.test_range);
  if (!phone) return respond(invalid(phone.error().message));
  auto session = string_field(*body, "session");
  if (!session || !valid_key(*session))
    return respond(invalid("session: 1 to 64 letters, digits, '-' or '_', one for each dial"));
  auto text = string_field(*body, "text");
  if (!text || text->size() > kMaxUssdText || !core::is_valid_utf8(*text))
    return respond(invalid("text: the inputs of the dial joined by '*', at most " + std::to_string(kMaxUssdText) +
                           " bytes of UTF-8"));
  req.note_phone(core::mask_phone(*phone));
  // Its own prefix: a simulator's session id never meets an aggregator's.
  UssdRequest ussd{"sim-" + std::string(*session), *phone, std::string(*text)};
  conversation_.ussd(std::move(ussd), [respond](Result<std::string> r) {
    if (!r) return respond(web::error_response(r.error()));
    const bool more = r->rfind("CON ", 0) == 0;
    std::string screen = r->size() >= 4 ? r->substr(4) : std::string();
    respond(web::json_replacing(200, json{{"answer", *r}, {"screen", std::move(screen)}, {"ended", !more}}));
  });
}

}  // namespace cg::gateway::console
