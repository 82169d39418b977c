#include "adapters/sms/kannel/status.hpp"

#include <charconv>

#include "core/text.hpp"

namespace cg::sms::kannel {
namespace {

bool parse_int(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

// An offending value quoted in an error: short, one line, whatever the provider sent.
std::string shown(std::string_view v) { return core::text::escape_for_log(core::text::cut_bytes(v, 40)); }

}  // namespace

Result<store::DeliveryReport> parse_status(const Params& params, std::string_view provider_name) {
  store::DeliveryReport r;
  r.provider = std::string(provider_name);
  auto id = param(params, "id");
  if (!id) return make_error("invalid_report", "id: missing (the outbox id we put in the dlr-url)");
  if (!parse_int(*id, r.outbox_id) || r.outbox_id <= 0)
    return make_error("invalid_report", "id: not a positive integer: '" + shown(*id) + "'");
  auto type = param(params, "type");
  if (!type) return make_error("invalid_report", "type: missing (Kannel's %d)");
  std::int64_t t = 0;
  if (!parse_int(*type, t)) return make_error("invalid_report", "type: not an integer: '" + shown(*type) + "'");
  switch (t) {
    case kDlrDelivered:
      r.status = "delivered";
      break;
    case kDlrUndelivered:
      r.status = "failed";
      break;
    case kDlrQueuedOnSmsc:
      r.status = "queued";
      break;
    case kDlrSmscAccepted:
      r.status = "sent";
      break;
    case kDlrSmscRejected:
      r.status = "failed";
      break;
    default:
      return make_error("invalid_report", "type: " + std::string(*type) + " is not a Kannel DLR type (1, 2, 4, 8, 16)");
  }
  if (r.status == "failed") r.error_code = std::string(*type);
  r.detail = "dlr " + std::string(*type);
  if (auto reply = param(params, "reply"); reply && !reply->empty()) r.detail += ": " + shown(*reply);
  return r;
}

}  // namespace cg::sms::kannel
