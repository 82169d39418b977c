// Replies of the conversation that the gateway and the templates' tests also build
// (declared in core/conversation.hpp): state labels, the confirmation summary's parameters and the
// reply to a refusal by the card.
#include "core/conversation.hpp"
#include "core/enrollment.hpp"
#include "core/sms.hpp"
#include "core/text.hpp"

namespace cg::core {

// Short words the lists are made of. They live in core/, beside the paging that measures them,
// rather than in templates/, because a page's length must be known when it is cut.
std::string_view state_label(ApplicationState s, Language l) {
  const bool ar = l == Language::ar;
  switch (s) {
    case ApplicationState::awaiting_quorum:
      return ar ? "بانتظار اكتمال العدد" : "waiting for enough applicants";
    case ApplicationState::awaiting_exam:
      return ar ? "بانتظار امتحان المستوى" : "placement exam pending";
    case ApplicationState::awaiting_payment:
      return ar ? "بانتظار دفع الرسوم" : "fee payment pending";
    case ApplicationState::confirmed:
      return ar ? "مؤكد" : "confirmed";
    case ApplicationState::waitlisted:
      return ar ? "على قائمة الانتظار" : "on the waiting list";
    case ApplicationState::rejected_exam:
      return ar ? "لم يجتز امتحان المستوى" : "placement exam not passed";
    case ApplicationState::expired:
      return ar ? "انتهت مهلة الدفع" : "fee not paid in time";
    case ApplicationState::cancelled:
      return ar ? "ملغى" : "cancelled";
    case ApplicationState::attended:
      return ar ? "تم الحضور" : "attended";
  }
  return "";
}

namespace {

Message message(TemplateId id, Language l, Params params = {}) { return Message{id, l, std::move(params)}; }

Params title_params(std::string_view code, const LocalizedText& title) {
  return Params{{"title", title}, {"code", std::string(code)}};
}

// The confirmation summary's title and name as they are measured against the summary budget: in the
// units of the encoding the rendered summary will have (see ConversationSettings).
bool summary_fits(const std::string& title, const std::string& name, Language l, const ConversationSettings& s) {
  const std::string both = title + name;
  if (l == Language::en) {
    // As the renderer sends it: typographic dashes in English titles become GSM-7.
    SmsLength len = measure_sms(fold_for_gsm7(both));
    return len.units <= (len.encoding == SmsEncoding::gsm7 ? s.summary_gsm7_budget : s.summary_ucs2_budget);
  }
  // An Arabic summary is UCS-2: a GSM-7 name or title counts one unit a character there.
  SmsLength len = measure_sms(both);
  const auto units = len.encoding == SmsEncoding::ucs2 ? len.units : static_cast<int>(text::count_chars(both));
  return units <= s.summary_ucs2_budget;
}

}  // namespace

Params summary_params(const Dialogue& d, const ConversationSettings& s) {
  constexpr std::size_t kShortestTitle = 20;
  constexpr std::size_t kShortestName = 10;
  const Language l = d.language;
  const std::string_view ellipsis = l == Language::ar ? "…" : "..";
  const std::string& full_title = d.course_title.in(l);
  std::string title = full_title;
  std::string name = d.name;
  // Title first, a character at a time, down to its shortest; then the name.
  for (std::size_t max = text::count_chars(full_title); !summary_fits(title, name, l, s) && max > kShortestTitle;)
    title = text::truncate(full_title, --max, ellipsis);
  for (std::size_t max = text::count_chars(d.name); !summary_fits(title, name, l, s) && max > kShortestName;)
    name = text::truncate(d.name, --max, ellipsis);
  LocalizedText shown = d.course_title;
  (l == Language::ar ? shown.ar : shown.en) = std::move(title);
  Params p = title_params(d.course_code, shown);
  p.emplace("name", std::move(name));
  p.emplace("id_number", mask_id_number(d.id_number));
  return p;
}

Message refusal_reply(Language language, std::string_view code, std::string_view course_code,
                      const LocalizedText& course_title) {
  Params title = title_params(course_code, course_title);
  if (code == "duplicate_application") return message(TemplateId::sms_already_applied, language, std::move(title));
  if (code == "unknown_course")
    return message(TemplateId::sms_unknown_course, language, {{"code", std::string(course_code)}});
  if (is_closed_course_refusal(code)) return message(TemplateId::sms_course_closed, language, std::move(title));
  if (code == "not_cancellable" || code == "not_found")
    return message(TemplateId::sms_nothing_to_cancel, language, {{"code", std::string(course_code)}});
  return message(TemplateId::sms_apply_refused, language, std::move(title));
}

}  // namespace cg::core
