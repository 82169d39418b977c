// The SMS conversation of SPEC §3 as a pure function: (dialogue, inbound text, now, what the gateway
// knows) -> (new dialogue, replies as core::Message values, actions for the gateway to carry out).
// Nothing here reads a clock or a store: the gateway loads what `needs()` names, calls `converse()`,
// runs the actions through the same code paths as the website, renders the replies into the outbox
// and saves the dialogue, all in one transaction.
//
// Keywords (Arabic and English) are matched after `normalize_text()`: Arabic-Indic and Persian digits
// become 0-9, alef forms أ إ آ ٱ become ا, ة becomes ه, ى becomes ي, tatweel and diacritics are
// dropped, Latin letters are lower-cased and runs of spaces collapse. Also: invisible marks (zero-width
// characters, direction marks, embeddings and isolates, word joiner, soft hyphen) are dropped,
// full-width Latin becomes ASCII, and the lam-alef ligature ﻻ becomes لا. Between JOIN/CANCEL and the
// course code, spaces and the punctuation people type there (", : ; # - ." and ، ؛) are allowed.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/domain.hpp"
#include "core/message.hpp"
#include "core/reader.hpp"

namespace cg::core {

// What the applicant is in the middle of. Only `apply` has several steps (SPEC §3: "asks for what
// the card requires and the gateway does not yet know"). A cancel or a stop read from free text
// waits for YES/NO at confirm_cancel / confirm_stop first (they expire like the apply dialogue).
enum class DialogueStep { idle, ask_name, ask_id_type, ask_id_number, confirm, confirm_cancel, confirm_stop };
std::string_view to_string(DialogueStep s);
bool parse_dialogue_step(std::string_view text, DialogueStep& out);

// The list MORE continues: none (MORE then shows the open courses from the start), the open courses
// (COURSES) or the sender's applications (STATUS).
enum class PagedList { none, courses, applications };
std::string_view to_string(PagedList l);
bool parse_paged_list(std::string_view text, PagedList& out);

// One phone number's conversation, kept by the gateway between messages.
struct Dialogue {
  Language language = Language::ar;
  bool language_known = false;  // false until the first message (its script decides) or EN/AR
  bool opted_out = false;       // STOP received, no START since (the gateway's opt-out flag)
  DialogueStep step = DialogueStep::idle;
  // The application being put together (step != idle).
  std::string course_code;
  LocalizedText course_title;
  std::string name;
  std::optional<IdType> id_type;
  std::string id_number;
  // The application confirm_cancel asks about (its course in course_code and course_title).
  std::string application_id;
  // Paging (MORE): the list last shown and, by identity, the last item its page showed, so a course
  // that opens or closes between COURSES and MORE neither skips nor repeats one. For the courses,
  // the code of the last course shown, and where it sorted (start, then id) in case it has since
  // left the list: MORE then goes on from the first course that sorts after it. For the
  // applications, the id of the last one shown (the list is newest first: a new one goes before it).
  PagedList more_list = PagedList::none;
  std::string more_after;
  std::int64_t more_after_course_id = 0;
  Instant more_after_start{};
  Instant updated_at{};  // last message that changed the dialogue
  friend bool operator==(const Dialogue&, const Dialogue&) = default;
};

// An application the sender already has, with its course (for titles and codes).
struct KnownApplication {
  std::string id;
  ApplicationState state = ApplicationState::awaiting_quorum;
  std::string course_code;
  LocalizedText course_title;
};

// What the gateway knows that the conversation may need; `needs()` says which parts to load.
struct Knowledge {
  std::string phone;  // E.164, the sender
  // Open courses taking applications, in display order: by start, then id (the store's courses()
  // order). MORE relies on it to place a course that has left the list since the last page.
  std::vector<Course> courses;
  std::vector<KnownApplication> applications;  // the sender's, newest first
  std::optional<Applicant> applicant;          // what the sender's latest application said (name, document)
};

struct Needs {
  bool all_courses = false;           // the list of open courses
  std::optional<std::string> course;  // just this course (by code, as typed)
  bool applications = false;          // the sender's applications and last applicant data
  // Every application of the sender rather than the most recent ones: STATUS lists them all, a page
  // at a time (JOIN and CANCEL only look for a live one, which is recent).
  bool all_applications = false;
};

// Work for the gateway. Apply goes through the same use case as the website; Cancel through the
// card's cancel transition; Stop/Start set the per-number opt-out flag (SPEC §3).
struct ApplyAction {
  std::int64_t course_id = 0;
  std::string course_code;
  Applicant applicant;
};
struct CancelAction {
  std::string application_id;
  std::string course_code;
};
struct StopAction {};
struct StartAction {};
// EN/AR: the number's live applications take the new language too, so the card's notifications
// about them come in it from now on.
struct LanguageAction {
  Language language = Language::ar;
};
using Action = std::variant<ApplyAction, CancelAction, StopAction, StartAction, LanguageAction>;

struct Turn {
  Dialogue dialogue;
  std::vector<Message> replies;
  std::vector<Action> actions;
};

struct ConversationSettings {
  std::chrono::seconds dialogue_expiry = std::chrono::minutes(30);  // SPEC §3
  // The course list's items per page, measured in the SMS units of their own encoding, so a page
  // with its header and footer stays within 3 segments (the templates' fit test checks the frame).
  // STATUS pages its lines with the same budgets.
  int course_list_gsm7_budget = 300;
  int course_list_ucs2_budget = 120;
  // The confirmation summary's course title and name together, in the units of the summary's
  // encoding (an Arabic summary is UCS-2 whatever the name; an English one is GSM-7 unless the title
  // or name is not). Longer, the title is shortened first, then the name, so the summary stays within
  // 3 segments: its text with a 16-character course code and a 20-character passport number takes
  // at most 101 units, and a character split across two segments (an emoji, a GSM-7 escape) may
  // waste one unit at each of the 2 boundaries. The templates' fit test renders the summary with the
  // longest name allowed (100 characters).
  int summary_gsm7_budget = 356;  // 3 x 153 - 101 - 2
  int summary_ucs2_budget = 98;   // 3 x 67 - 101 - 2
};

// The text keywords are matched against (see the header comment). Also used for answers (YES/NO,
// 1/2), so "نَعَم" and "Yes" both confirm.
std::string normalize_text(std::string_view text);

// The language of a first message: Arabic if it has Arabic letters, English if it has Latin
// letters and no Arabic, otherwise none (digits only).
std::optional<Language> detect_language(std::string_view text);

// A message read once: normalised, its keyword and the code after it found, and when it is no
// keyword, what core/reader makes of it as free text. Reading does not depend on the dialogue, so
// the gateway reads a message before it is queued for the store's one writer, and needs() and
// converse() share the reading.
enum class Keyword : std::uint8_t;  // conversation.cpp's list; value 0 is "none"
struct ReadText {
  std::string raw;         // as received
  std::string normalized;  // normalize_text(raw), trailing punctuation dropped
  std::string code;        // the code after JOIN/CANCEL, normalised
  Keyword keyword{};
  Reading reading;  // keyword none: the free-text reading
};
ReadText read_text(std::string text);  // kept as ReadText::raw

// What a message is understood as, whatever the dialogue: its keyword's intent, or the free-text
// reading's when it is likely or sure (none otherwise). The reader's corpus test measures this.
Intent understood_intent(const ReadText& text);

// Which parts of Knowledge converse() will read for this message.
Needs needs(const Dialogue& dialogue, const ReadText& text, Instant now, const ConversationSettings& settings = {});
Needs needs(const Dialogue& dialogue, std::string_view text, Instant now, const ConversationSettings& settings = {});

// One inbound message. `dialogue.opted_out` must be the number's current opt-out flag. While opted
// out, only START (or another STOP) is acted on and nothing is replied, so no SMS reaches a number
// that said STOP except the one confirmation of STOP itself.
Turn converse(const Dialogue& dialogue, const ReadText& text, Instant now, const Knowledge& knowledge,
              const ConversationSettings& settings = {});
Turn converse(const Dialogue& dialogue, std::string_view text, Instant now, const Knowledge& knowledge,
              const ConversationSettings& settings = {});

// The parameters of the confirmation summary (sms_confirm_national_id / sms_confirm_passport) of a
// dialogue at its confirm step: the course title and the name shortened to the summary budget, the
// course title first (to no less than 20 characters), then the name, each ending with an ellipsis;
// the document number masked. Only the summary is shortened: the dialogue keeps the whole name, and
// the application is made with it. The templates' fit test renders the summary through this.
Params summary_params(const Dialogue& dialogue, const ConversationSettings& settings = {});

// Whether a message is STOP (any spelling, or an unmistakable stop request in free text such as
// "الغاء الاشتراك" or "unsubscribe"): the gateway honours it even from a number over the
// per-minute cap, whose messages otherwise change nothing and get no reply.
bool is_stop(std::string_view text);
bool is_stop(const ReadText& text);

// The reply when an action the conversation asked for was refused by the card (course closed,
// duplicate application, nothing to cancel...). `code` is the Error code from the use case.
Message refusal_reply(Language language, std::string_view code, std::string_view course_code,
                      const LocalizedText& course_title);

// A short label of an application's state in the applicant's language (STATUS lists, USSD menus).
std::string_view state_label(ApplicationState state, Language language);

// For logs and the inbound record: every run of 6 or more letters and digits that holds a digit,
// also when typed in groups ("987 123 4567", "N12-34567", Arabic-Indic digits, line breaks or
// invisible marks between), has all but its last 3 letters and digits replaced by '*', so no
// national ID or passport number is ever written in full, however it was typed. Separators stay,
// so the record still shows how the applicant wrote it.
std::string redact_for_log(std::string_view text);

}  // namespace cg::core
