#include "core/conversation.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "core/applicant.hpp"
#include "core/enrollment.hpp"
#include "core/free_text.hpp"
#include "core/money.hpp"
#include "core/names.hpp"
#include "core/sms.hpp"
#include "core/text.hpp"

namespace cg::core {

// clang-format off
enum class Keyword : std::uint8_t { none, courses, more, join, status, cancel, help, english, arabic, stop, start, yes, no };
// clang-format on

namespace {

constexpr std::array<std::string_view, 7> kStepNames{"idle",    "ask_name",       "ask_id_type", "ask_id_number",
                                                     "confirm", "confirm_cancel", "confirm_stop"};
constexpr std::array<std::string_view, 3> kPagedListNames{"none", "courses", "applications"};

// Keywords as normalize_text() leaves them (so "إلغاء" and "الغاء" are one entry, "حالة" is "حاله").
struct KeywordSpelling {
  std::string_view text;
  Keyword keyword;
};
// clang-format off
constexpr KeywordSpelling kKeywords[] = {
    {"courses", Keyword::courses},
    {"course", Keyword::courses},
    {"دورات", Keyword::courses},
    {"الدورات", Keyword::courses},
    {"more", Keyword::more},
    {"المزيد", Keyword::more},
    {"مزيد", Keyword::more},
    {"join", Keyword::join},
    {"تسجيل", Keyword::join},
    {"status", Keyword::status},
    {"حاله", Keyword::status},
    {"الحاله", Keyword::status},
    {"cancel", Keyword::cancel},
    {"الغاء", Keyword::cancel},
    {"help", Keyword::help},
    {"مساعده", Keyword::help},
    {"en", Keyword::english},
    {"english", Keyword::english},
    {"انجليزي", Keyword::english},
    {"انكليزي", Keyword::english},
    {"ar", Keyword::arabic},
    {"arabic", Keyword::arabic},
    {"عربي", Keyword::arabic},
    {"stop", Keyword::stop},
    {"توقف", Keyword::stop},
    {"start", Keyword::start},
    {"ابدا", Keyword::start},
    {"ابدء", Keyword::start},
    {"yes", Keyword::yes},
    {"y", Keyword::yes},
    {"نعم", Keyword::yes},
    {"no", Keyword::no},
    {"n", Keyword::no},
    {"لا", Keyword::no},
};
// clang-format on

// Keywords that take a course code after them, possibly without a space ("JOIN101", "تسجيل١٠١").
constexpr KeywordSpelling kWithCode[] = {
    {"join", Keyword::join}, {"تسجيل", Keyword::join}, {"cancel", Keyword::cancel}, {"الغاء", Keyword::cancel}};

using Parsed = ReadText;

bool is_punctuation(char32_t c) {
  return c == U'.' || c == U'!' || c == U'?' || c == U',' || c == U';' || c == U':' || c == U'"' || c == U'\'' ||
         c == 0x061F /* ؟ */ || c == 0x060C /* ، */ || c == 0x061B /* ؛ */ || c == 0x06D4 /* ۔ */;
}

// The characters of is_punctuation outside ASCII, as UTF-8: each is two bytes.
constexpr std::string_view kWidePunctuation[] = {"\xD8\x9F", "\xD8\x8C", "\xD8\x9B", "\xDB\x94"};

bool punctuation_or_space_byte(char c) {
  return c == ' ' || (static_cast<unsigned char>(c) < 0x80 && is_punctuation(c));
}

// Spaces and punctuation off both ends. `s` is normalize_text's output: well-formed UTF-8, unless
// the input was not (then it is returned as it is). Trimmed bytewise: a two-byte character at either
// end is recognised by its bytes, which in well-formed UTF-8 cannot be the tail of another character.
std::string strip_punctuation(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp;
    std::size_t n = text::next_utf8(std::string_view(s).substr(i), cp);
    if (n == 0) return s;
    i += n;
  }
  auto wide_at = [&](std::size_t at) {
    for (std::string_view w : kWidePunctuation)
      if (s.compare(at, w.size(), w) == 0) return true;
    return false;
  };
  std::size_t b = 0, e = s.size();
  for (;;) {
    if (b < e && punctuation_or_space_byte(s[b])) {
      ++b;
    } else if (e - b >= 2 && wide_at(b)) {
      b += 2;
    } else {
      break;
    }
  }
  for (;;) {
    if (e > b && punctuation_or_space_byte(s[e - 1])) {
      --e;
    } else if (e - b >= 2 && wide_at(e - 2)) {
      e -= 2;
    } else {
      break;
    }
  }
  return s.substr(b, e - b);
}

Keyword lookup(std::string_view word) {
  for (const auto& k : kKeywords)
    if (k.text == word) return k.keyword;
  return Keyword::none;
}

Parsed parse(std::string raw) {
  Parsed p;
  p.raw = std::move(raw);
  p.normalized = strip_punctuation(normalize_text(p.raw));
  const std::string& n = p.normalized;
  if (Keyword k = lookup(n); k != Keyword::none) {
    p.keyword = k;
    return p;
  }
  for (const auto& k : kWithCode) {
    if (n.size() <= k.text.size() || n.compare(0, k.text.size(), k.text) != 0) continue;
    std::string_view tail = std::string_view(n).substr(k.text.size());
    // Between the keyword and the code: spaces and the punctuation people put there ("JOIN 101",
    // "JOIN: 101", "join #101", "تسجيل، ١٠١"), or nothing ("JOIN101").
    std::size_t skip = 0;
    for (;;) {
      if (skip < tail.size() && (tail[skip] == ' ' || tail[skip] == ',' || tail[skip] == ':' || tail[skip] == ';' ||
                                 tail[skip] == '#' || tail[skip] == '-' || tail[skip] == '.')) {
        ++skip;
      } else if (tail.substr(skip, 2) == "\xD8\x8C" || tail.substr(skip, 2) == "\xD8\x9B") {  // ، ؛
        skip += 2;
      } else {
        break;
      }
    }
    std::string_view code = tail.substr(skip);
    if (code.empty() || code.find(' ') != std::string_view::npos) continue;
    // Glued to the keyword, only a code that starts with a digit: "joined" is not JOIN "ed".
    if (skip == 0 && !(code.front() >= '0' && code.front() <= '9')) continue;
    // The whole message read as free text too: the course by its code however typed ("تسجيل ب١٢")
    // or by its title ("join calligraphy"); and a keyword followed by a word rather than a code
    // may mean something else ("الغاء الاشتراك" is STOP, not CANCEL of a course "الاشتراك").
    // A code of digits alone ("JOIN 101", the common case) is matched as it is, without the reader.
    const bool digits = std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits) {
      p.reading = read_free_text(n);
      const bool has_digit = std::any_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
      const Intent meant = k.keyword == Keyword::join ? Intent::join : Intent::cancel;
      if (!has_digit && p.reading.certainty >= Certainty::likely && p.reading.intent != meant) return p;
    }
    p.keyword = k.keyword;
    p.code = std::string(code);
    return p;
  }
  p.reading = read_free_text(n);
  return p;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

Message message(TemplateId id, Language l, Params params = {}) { return Message{id, l, std::move(params)}; }

Params title_params(std::string_view code, const LocalizedText& title) {
  return Params{{"title", title}, {"code", std::string(code)}};
}

std::string fee_label(const Course& c, Language l) {
  if (c.is_free()) return l == Language::ar ? "مجانية" : "free";
  return format_jod(c.fee) + (l == Language::ar ? " دينار" : " JOD");
}

bool fits(const std::string& items, const ConversationSettings& s) {
  // Measured as the renderer will send it: typographic dashes in English titles become GSM-7.
  SmsLength len = measure_sms(fold_for_gsm7(items));
  return len.units <= (len.encoding == SmsEncoding::gsm7 ? s.course_list_gsm7_budget : s.course_list_ucs2_budget);
}

// Appends `line` to `items` if the result stays within the budget (the first line always goes in,
// so a page is never empty; templates' fit test bounds a single line).
bool add_line(std::string& items, const std::string& line, const ConversationSettings& s) {
  std::string candidate = items.empty() ? line : items + "\n" + line;
  if (!items.empty() && !fits(candidate, s)) return false;
  items = std::move(candidate);
  return true;
}

const Course* find_course(const Knowledge& k, std::string_view code) {
  std::string want = lower_ascii(code);
  for (const auto& c : k.courses)
    if (lower_ascii(c.code) == want) return &c;
  return nullptr;
}

// MORE has nothing to continue: it shows the open courses from the start.
void clear_paging(Dialogue& d) {
  d.more_list = PagedList::none;
  d.more_after.clear();
  d.more_after_course_id = 0;
  d.more_after_start = {};
}

void clear_draft(Dialogue& d) {
  d.step = DialogueStep::idle;
  d.course_code.clear();
  d.course_title = {};
  d.name.clear();
  d.id_type.reset();
  d.id_number.clear();
  d.application_id.clear();
}

class Conversation {
 public:
  Conversation(const Dialogue& d, Instant now, const Knowledge& k, const ConversationSettings& s)
      : now_(now), k_(k), s_(s) {
    turn_.dialogue = d;
  }

  Turn run(const Parsed& p) {
    Dialogue& d = turn_.dialogue;
    const std::string_view raw = p.raw;
    raw_ = raw;
    if (!d.language_known) {
      if (auto l = detect_language(raw)) {
        // Arabic in Latin letters ("bdi ashtrek") is answered in Arabic.
        d.language = p.keyword == Keyword::none && p.reading.arabizi ? Language::ar : *l;
        d.language_known = true;
      }
    }
    const Reading& r = p.reading;
    const bool free_text = p.keyword == Keyword::none && r.certainty >= Certainty::likely;
    if (d.opted_out) {
      // Nothing goes to a number that said STOP, not even an answer to STOP again.
      if (p.keyword == Keyword::start || (free_text && r.intent == Intent::start && r.certainty == Certainty::sure)) {
        d.opted_out = false;
        d.updated_at = now_;
        turn_.actions.push_back(StartAction{});
        reply(TemplateId::sms_started);
      }
      return std::move(turn_);
    }
    // STOP always acts at once, and so does a free-text request that can only mean it.
    if (p.keyword == Keyword::stop || (p.keyword == Keyword::none && r.unmistakable && r.intent == Intent::stop)) {
      clear_draft(d);
      d.opted_out = true;
      d.updated_at = now_;
      turn_.actions.push_back(StopAction{});
      reply(TemplateId::sms_stopped);  // the one confirmation
      return std::move(turn_);
    }
    // SPEC §3: a half-finished dialogue expires after 30 minutes of silence.
    const bool expired = d.step != DialogueStep::idle && now_ - d.updated_at > s_.dialogue_expiry;
    if (expired) clear_draft(d);
    d.updated_at = now_;

    switch (p.keyword) {
      case Keyword::start:
        turn_.actions.push_back(StartAction{});
        reply(TemplateId::sms_started);
        break;
      case Keyword::english:
      case Keyword::arabic:
        set_language(p.keyword == Keyword::english ? Language::en : Language::ar);
        break;
      case Keyword::help:
        reply(TemplateId::sms_help);
        prompt_again();
        break;
      case Keyword::courses:
        list_courses(0);
        break;
      case Keyword::more:
        if (d.more_list == PagedList::applications) {
          status(application_resume_point());
        } else {
          list_courses(course_resume_point());
        }
        break;
      case Keyword::join:
        if (is_a_name(p, raw)) {
          answer(p, raw);
        } else {
          join(course_code_meant(p));
        }
        break;
      case Keyword::status:
        status(0);
        break;
      case Keyword::cancel:
        if (is_a_name(p, raw)) {
          answer(p, raw);
        } else {
          cancel(application_code_meant(p));
        }
        break;
      case Keyword::none:
        if (read_freely(r, expired)) break;
        [[fallthrough]];
      case Keyword::yes:
      case Keyword::no:
        if (expired) {
          reply(TemplateId::sms_dialogue_expired);
        } else {
          answer(p, raw);
        }
        break;
      case Keyword::stop:
        break;  // handled above
    }
    return std::move(turn_);
  }

 private:
  void set_language(Language l) {
    Dialogue& d = turn_.dialogue;
    d.language = l;
    d.language_known = true;
    turn_.actions.emplace_back(std::in_place_type<LanguageAction>, LanguageAction{l});
    reply(TemplateId::sms_language_set);
    prompt_again();
  }

  // A message that is no keyword, as core/reader reads it. Returns false when it is to be taken as
  // an answer to the current question (or as not understood) instead.
  bool read_freely(const Reading& r, bool expired) {
    Dialogue& d = turn_.dialogue;
    const bool answer_yes_no = r.intent == Intent::yes || r.intent == Intent::no;
    if (d.step != DialogueStep::idle) {
      // In a dialogue a message is first an answer: "اه", "yep" confirm; only a sure reading of
      // something else interrupts it ("بطلت بدي", "what courses do you have").
      if (answer_yes_no && r.certainty >= Certainty::likely) {
        if (d.step == DialogueStep::confirm_cancel || d.step == DialogueStep::confirm_stop) {
          if (r.intent == Intent::yes) return confirmed(), true;
          clear_draft(d);
          return reply(TemplateId::sms_not_done), true;
        }
        if (d.step == DialogueStep::confirm) return answer_confirm(r.intent == Intent::yes), true;
        return false;
      }
      if (r.certainty != Certainty::sure) return false;
      // Names are words too ("أمل سلام", "Hope Walker"): a valid name is the name, unless it is
      // worded as a request ("خلص بدي الغي").
      if (d.step == DialogueStep::ask_name && !r.request && normalize_name(raw_).ok()) return false;
    }
    if (answer_yes_no || r.certainty == Certainty::none) return false;
    if (expired && d.step == DialogueStep::idle && r.certainty != Certainty::sure) return false;
    if (r.certainty == Certainty::unsure) return did_you_mean(r), true;
    switch (r.intent) {
      case Intent::courses:
        list_courses(0);
        break;
      case Intent::more:
        if (d.more_list == PagedList::applications) {
          status(application_resume_point());
        } else {
          list_courses(course_resume_point());
        }
        break;
      case Intent::join:
        free_join(r);
        break;
      case Intent::status:
        status(0);
        break;
      case Intent::cancel:
        free_cancel(r);
        break;
      case Intent::help:
        reply(TemplateId::sms_help);
        prompt_again();
        break;
      case Intent::stop:
        // Not unmistakable (that acted at once): asked first, as it ends every SMS to the number.
        clear_draft(d);
        d.step = DialogueStep::confirm_stop;
        reply(TemplateId::sms_confirm_stop);
        break;
      case Intent::start:
        turn_.actions.push_back(StartAction{});
        reply(TemplateId::sms_started);
        break;
      case Intent::english:
      case Intent::arabic:
        set_language(r.intent == Intent::english ? Language::en : Language::ar);
        break;
      case Intent::none:
      case Intent::yes:
      case Intent::no:
        return false;
    }
    return true;
  }

  // "بدي اسجل بدورة ١٠١", "sign me up for the calligraphy course": the course by its code or title;
  // several or none fit: the closest open courses, never a bare refusal.
  void free_join(const Reading& r) {
    if (r.codes.empty() && r.words.empty()) return list_courses(0);
    std::vector<Named> items;
    items.reserve(k_.courses.size());
    for (const Course& c : k_.courses) items.push_back(Named{c.code, &c.title});
    NamedMatch m = match_named(r, items);
    if (m.named) return join(k_.courses[m.closest[0]].code);
    if (k_.courses.empty()) return reply(TemplateId::sms_no_courses);
    const Language l = turn_.dialogue.language;
    std::string lines;
    if (m.closest.empty())
      for (std::size_t i = 0; i < k_.courses.size(); ++i) m.closest.push_back(i);
    for (std::size_t i : m.closest) {
      const Course& c = k_.courses[i];
      if (!add_line(lines, c.code + " " + c.title.in(l), s_)) break;
    }
    clear_draft(turn_.dialogue);
    reply(TemplateId::sms_which_course, {{"items", lines}});
  }

  // A cancel in the applicant's words: of the apply dialogue under way at once (it costs nothing);
  // of an application only after YES, once it is clear which one.
  void free_cancel(const Reading& r) {
    Dialogue& d = turn_.dialogue;
    if (d.step == DialogueStep::ask_name || d.step == DialogueStep::ask_id_type ||
        d.step == DialogueStep::ask_id_number || d.step == DialogueStep::confirm) {
      clear_draft(d);
      return reply(TemplateId::sms_dialogue_cancelled);
    }
    std::vector<const KnownApplication*> live;
    std::vector<Named> items;
    for (const auto& a : k_.applications)
      if (is_live(a.state)) {
        live.push_back(&a);
        items.push_back(Named{a.course_code, &a.course_title});
      }
    clear_draft(d);
    if (live.empty()) return reply(TemplateId::sms_no_applications);
    NamedMatch m = match_named(r, items);
    const KnownApplication* target = nullptr;
    if (m.named) target = live[m.closest[0]];
    if (!target && live.size() == 1 && r.codes.empty() && m.closest.empty()) target = live[0];
    if (target) {
      d.step = DialogueStep::confirm_cancel;
      d.application_id = target->id;
      d.course_code = target->course_code;
      d.course_title = target->course_title;
      return confirm_question();
    }
    const Language l = d.language;
    std::string lines;
    for (const KnownApplication* a : live)
      if (!add_line(lines, a->course_code + " " + a->course_title.in(l), s_)) break;
    reply(TemplateId::sms_which_application, {{"items", lines}});
  }

  void confirm_question() {
    const Dialogue& d = turn_.dialogue;
    if (d.step == DialogueStep::confirm_cancel) return reply(TemplateId::sms_confirm_cancel, draft_title());
    reply(TemplateId::sms_confirm_stop);
  }

  // YES to confirm_cancel or confirm_stop.
  void confirmed() {
    Dialogue& d = turn_.dialogue;
    if (d.step == DialogueStep::confirm_cancel) {
      turn_.actions.emplace_back(std::in_place_type<CancelAction>, CancelAction{d.application_id, d.course_code});
      clear_draft(d);
      return;  // the card's own "cancelled" SMS is the answer
    }
    clear_draft(d);
    d.opted_out = true;
    turn_.actions.emplace_back(std::in_place_type<StopAction>);
    reply(TemplateId::sms_stopped);
  }

  // The likely meanings of a message read with little certainty, in the applicant's language.
  void did_you_mean(const Reading& r) {
    const Language l = turn_.dialogue.language;
    std::string lines;
    int shown = 0;
    auto add = [&](Intent i) {
      std::string_view hint = intent_hint(i, l);
      if (hint.empty() || shown == 3 || lines.find(hint) != std::string::npos) return;
      if (add_line(lines, std::string(hint), s_)) ++shown;
    };
    add(r.intent);
    for (Intent i : r.alternatives) add(i);
    if (shown < 2) add(Intent::courses);
    if (shown < 3) add(Intent::help);
    reply(TemplateId::sms_did_you_mean, {{"items", lines}});
  }

  // The code after JOIN as typed if a course has it, else the open course the message names by a
  // code typed otherwise ("ب١٢", "B12" for B-12) or by its title; else as typed (unknown course).
  std::string course_code_meant(const Parsed& p) const {
    if (find_course(k_, p.code)) return p.code;
    std::vector<Named> items;
    for (const Course& c : k_.courses) items.push_back(Named{c.code, &c.title});
    NamedMatch m = match_named(p.reading, items);
    return m.named ? k_.courses[m.closest[0]].code : p.code;
  }

  // The same for CANCEL, among the live applications.
  std::string application_code_meant(const Parsed& p) const {
    if (p.code.empty() || live_application(p.code)) return p.code;
    std::vector<const KnownApplication*> live;
    std::vector<Named> items;
    for (const auto& a : k_.applications)
      if (is_live(a.state)) {
        live.push_back(&a);
        items.push_back(Named{a.course_code, &a.course_title});
      }
    NamedMatch m = match_named(p.reading, items);
    return m.named ? live[m.closest[0]]->course_code : p.code;
  }

  // At the name step a name may start with JOIN's or CANCEL's word ("Join Smith", "تسجيل محمد"): the
  // message is the name when the word after it is no course code the applicant could mean (JOIN: no
  // open course has it; CANCEL: none of their live applications is for it) and the whole message is
  // a valid name. A real code still switches the dialogue; one-word keywords stay keywords.
  // needs() has the course and the applications loaded for such a message, so this sees them.
  bool is_a_name(const Parsed& p, std::string_view raw) const {
    if (turn_.dialogue.step != DialogueStep::ask_name || p.code.empty()) return false;
    if (p.keyword == Keyword::join && find_course(k_, p.code)) return false;
    if (p.keyword == Keyword::cancel && live_application(p.code)) return false;
    return normalize_name(raw).ok();
  }

  const KnownApplication* live_application(std::string_view code) const {
    for (const auto& a : k_.applications)
      if (is_live(a.state) && lower_ascii(a.course_code) == lower_ascii(code)) return &a;
    return nullptr;
  }

  void reply(TemplateId id, Params params = {}) {
    turn_.replies.push_back(message(id, turn_.dialogue.language, std::move(params)));
  }

  Params draft_title() const { return title_params(turn_.dialogue.course_code, turn_.dialogue.course_title); }

  // The question of the current step, after HELP or a language change in the middle of applying.
  void prompt_again() {
    const Dialogue& d = turn_.dialogue;
    switch (d.step) {
      case DialogueStep::idle:
        break;
      case DialogueStep::ask_name:
        reply(TemplateId::sms_ask_name, draft_title());
        break;
      case DialogueStep::ask_id_type:
        reply(TemplateId::sms_ask_id_type);
        break;
      case DialogueStep::ask_id_number:
        reply(*d.id_type == IdType::national_id ? TemplateId::sms_ask_national_id : TemplateId::sms_ask_passport);
        break;
      case DialogueStep::confirm:
        confirm_prompt();
        break;
      case DialogueStep::confirm_cancel:
      case DialogueStep::confirm_stop:
        confirm_question();
        break;
    }
  }

  void confirm_prompt() {
    const Dialogue& d = turn_.dialogue;
    reply(*d.id_type == IdType::national_id ? TemplateId::sms_confirm_national_id : TemplateId::sms_confirm_passport,
          summary_params(d, s_));
  }

  // Where MORE goes on in the current list of open courses: after the last course the previous page
  // showed, found by its code. If that course has left the list since (closed, started), at the
  // first course that sorts after where it was (start, then id, the list's order): no course is
  // skipped or shown twice, and one opened since shows up if it sorts after the page already seen.
  std::size_t course_resume_point() const {
    const Dialogue& d = turn_.dialogue;
    if (d.more_list != PagedList::courses) return 0;
    for (std::size_t i = 0; i < k_.courses.size(); ++i)
      if (k_.courses[i].code == d.more_after) return i + 1;
    for (std::size_t i = 0; i < k_.courses.size(); ++i) {
      const Course& c = k_.courses[i];
      if (c.start_at > d.more_after_start || (c.start_at == d.more_after_start && c.id > d.more_after_course_id))
        return i;
    }
    return k_.courses.size();
  }

  void list_courses(std::size_t from) {
    Dialogue& d = turn_.dialogue;
    const Language l = d.language;
    if (k_.courses.empty()) {
      clear_paging(d);
      return reply(TemplateId::sms_no_courses);
    }
    // The mark stays where it is: a course that opens after it shows on the next MORE.
    if (from >= k_.courses.size()) return reply(TemplateId::sms_no_more_courses);
    std::string items;
    std::size_t i = from;
    for (; i < k_.courses.size(); ++i) {
      const Course& c = k_.courses[i];
      if (!add_line(items, c.code + " " + c.title.in(l) + " - " + fee_label(c, l), s_)) break;
    }
    const Course& last = k_.courses[i - 1];
    d.more_list = PagedList::courses;
    d.more_after = last.code;
    d.more_after_course_id = last.id;
    d.more_after_start = last.start_at;
    reply(i < k_.courses.size() ? TemplateId::sms_courses_more : TemplateId::sms_courses, {{"items", items}});
  }

  void join(const std::string& code) {
    Dialogue& d = turn_.dialogue;
    if (code.empty()) return list_courses(0);  // "JOIN" alone: which courses can be joined
    const Course* c = find_course(k_, code);
    if (!c) {
      clear_draft(d);
      return reply(TemplateId::sms_unknown_course, {{"code", code}});
    }
    for (const auto& a : k_.applications)
      if (is_live(a.state) && lower_ascii(a.course_code) == lower_ascii(c->code)) {
        clear_draft(d);
        return reply(TemplateId::sms_already_applied, title_params(c->code, c->title));
      }
    clear_draft(d);
    d.course_code = c->code;
    d.course_title = c->title;
    if (k_.applicant) {
      // Known from this number's last application: only the summary is left to confirm.
      d.name = k_.applicant->name;
      d.id_type = k_.applicant->id_type;
      d.id_number = k_.applicant->id_number;
      d.step = DialogueStep::confirm;
      return confirm_prompt();
    }
    d.step = DialogueStep::ask_name;
    reply(TemplateId::sms_ask_name, draft_title());
  }

  // Where MORE goes on in the sender's applications (newest first): after the last one shown. If it
  // is no longer among them, newer applications have pushed it out of the recent ones the gateway
  // loads, and every older one with it: nothing is left to show.
  std::size_t application_resume_point() const {
    const Dialogue& d = turn_.dialogue;
    for (std::size_t i = 0; i < k_.applications.size(); ++i)
      if (k_.applications[i].id == d.more_after) return i + 1;
    return k_.applications.size();
  }

  // STATUS, one page at a time like the course list: a page that leaves applications out says how
  // many, and MORE shows them.
  void status(std::size_t from) {
    Dialogue& d = turn_.dialogue;
    const Language l = d.language;
    if (k_.applications.empty()) {
      clear_paging(d);
      return reply(TemplateId::sms_no_applications);
    }
    if (from >= k_.applications.size()) return reply(TemplateId::sms_no_more_status);
    std::string items;
    std::size_t i = from;
    for (; i < k_.applications.size(); ++i) {
      const KnownApplication& a = k_.applications[i];
      std::string line = a.course_code + " " + text::truncate(a.course_title.in(l), 30, "..") + ": " +
                         std::string(state_label(a.state, l));
      if (!add_line(items, line, s_)) break;
    }
    clear_paging(d);
    d.more_list = PagedList::applications;
    d.more_after = k_.applications[i - 1].id;
    if (i < k_.applications.size()) {
      const auto rest = static_cast<std::int64_t>(k_.applications.size() - i);
      return reply(TemplateId::sms_status_more, {{"items", items}, {"count", rest}});
    }
    reply(TemplateId::sms_status, {{"items", items}});
  }

  void cancel(const std::string& code) {
    Dialogue& d = turn_.dialogue;
    if (code.empty()) {
      if (d.step != DialogueStep::idle) {
        clear_draft(d);
        return reply(TemplateId::sms_dialogue_cancelled);
      }
      return reply(TemplateId::sms_cancel_which);
    }
    if (const KnownApplication* a = live_application(code)) {
      turn_.actions.push_back(CancelAction{a->id, a->course_code});
      return;  // the card's own "cancelled" SMS is the answer
    }
    reply(TemplateId::sms_nothing_to_cancel, {{"code", code}});
  }

  // A message that is not a keyword: the answer to the current question, if there is one.
  void answer(const Parsed& p, std::string_view raw) {
    Dialogue& d = turn_.dialogue;
    switch (d.step) {
      case DialogueStep::idle:
        // A greeting or thanks on its own deserves one back, with what can be written.
        if (p.keyword == Keyword::none && p.reading.courtesy)
          return reply(p.reading.thanks ? TemplateId::sms_thanks : TemplateId::sms_greeting);
        return reply(TemplateId::sms_not_understood);
      case DialogueStep::ask_name: {
        auto name = normalize_name(raw);
        if (!name) return reply(TemplateId::sms_invalid_name);
        d.name = *name;
        d.step = DialogueStep::ask_id_type;
        return reply(TemplateId::sms_ask_id_type);
      }
      case DialogueStep::ask_id_type: {
        std::optional<IdType> t = id_type_answer(p.normalized);
        if (!t) return reply(TemplateId::sms_ask_id_type);
        d.id_type = *t;
        d.step = DialogueStep::ask_id_number;
        return reply(*t == IdType::national_id ? TemplateId::sms_ask_national_id : TemplateId::sms_ask_passport);
      }
      case DialogueStep::ask_id_number: {
        auto number = validate_id_number(*d.id_type, p.normalized);
        if (!number) {
          return reply(*d.id_type == IdType::national_id ? TemplateId::sms_invalid_national_id
                                                         : TemplateId::sms_invalid_passport);
        }
        d.id_number = *number;
        d.step = DialogueStep::confirm;
        return confirm_prompt();
      }
      case DialogueStep::confirm_cancel:
      case DialogueStep::confirm_stop:
        if (p.keyword == Keyword::yes) return confirmed();
        if (p.keyword == Keyword::no) {
          clear_draft(d);
          return reply(TemplateId::sms_not_done);
        }
        return confirm_question();
      case DialogueStep::confirm:
        if (p.keyword == Keyword::yes || p.keyword == Keyword::no) return answer_confirm(p.keyword == Keyword::yes);
        return confirm_prompt();
    }
  }

  // YES or NO to the apply dialogue's summary.
  void answer_confirm(bool yes) {
    Dialogue& d = turn_.dialogue;
    if (yes) {
      Applicant a;
      a.phone = k_.phone;
      a.name = d.name;
      a.id_type = *d.id_type;
      a.id_number = d.id_number;
      a.language = d.language;
      turn_.actions.push_back(ApplyAction{0, d.course_code, std::move(a)});
      clear_draft(d);
      return;  // the card's own SMS (received, approved, exam link...) is the answer
    }
    // Someone else applying from this phone, or a typo: take the details again.
    d.name.clear();
    d.id_type.reset();
    d.id_number.clear();
    d.step = DialogueStep::ask_name;
    reply(TemplateId::sms_ask_name, draft_title());
  }

  static std::optional<IdType> id_type_answer(const std::string& n) {
    static constexpr std::string_view kNational[] = {"1",    "id",       "national id",  "national",  "هويه",
                                                     "وطني", "رقم وطني", "الرقم الوطني", "هويه احوال"};
    static constexpr std::string_view kPassport[] = {"2", "passport", "جواز", "جواز سفر", "جواز السفر"};
    for (auto w : kNational)
      if (n == w) return IdType::national_id;
    for (auto w : kPassport)
      if (n == w) return IdType::passport;
    return std::nullopt;
  }

  Turn turn_;
  std::string_view raw_;  // the message being answered
  Instant now_;
  const Knowledge& k_;
  const ConversationSettings& s_;
};

}  // namespace

std::string_view to_string(DialogueStep s) { return kStepNames[static_cast<std::size_t>(s)]; }

bool parse_dialogue_step(std::string_view text, DialogueStep& out) { return parse_by_name(kStepNames, text, out); }

std::string_view to_string(PagedList l) { return kPagedListNames[static_cast<std::size_t>(l)]; }

bool parse_paged_list(std::string_view text, PagedList& out) { return parse_by_name(kPagedListNames, text, out); }

ReadText read_text(std::string text) { return parse(std::move(text)); }

Intent understood_intent(const ReadText& p) {
  switch (p.keyword) {
    case Keyword::none:
      return p.reading.certainty >= Certainty::likely ? p.reading.intent : Intent::none;
    case Keyword::courses:
      return Intent::courses;
    case Keyword::more:
      return Intent::more;
    case Keyword::join:
      return Intent::join;
    case Keyword::status:
      return Intent::status;
    case Keyword::cancel:
      return Intent::cancel;
    case Keyword::help:
      return Intent::help;
    case Keyword::english:
      return Intent::english;
    case Keyword::arabic:
      return Intent::arabic;
    case Keyword::stop:
      return Intent::stop;
    case Keyword::start:
      return Intent::start;
    case Keyword::yes:
      return Intent::yes;
    case Keyword::no:
      return Intent::no;
  }
  return Intent::none;
}

Needs needs(const Dialogue& d, std::string_view text, Instant now, const ConversationSettings& settings) {
  return needs(d, parse(std::string(text)), now, settings);
}

namespace {

// MORE, as a keyword or in free text, continues the list last shown: the sender's applications
// or, by default, the open courses.
void need_list_shown_last(const Dialogue& d, Needs& n) {
  if (d.more_list == PagedList::applications) {
    n.applications = n.all_applications = true;
  } else {
    n.all_courses = true;
  }
}

// What converse() will read for a free-text message (see Conversation::read_freely).
Needs free_text_needs(const Dialogue& d, const Reading& r) {
  Needs n;
  if (r.certainty < Certainty::likely || r.intent == Intent::yes || r.intent == Intent::no) return n;
  if (d.step != DialogueStep::idle && r.certainty != Certainty::sure) return n;
  switch (r.intent) {
    case Intent::courses:
      n.all_courses = true;
      break;
    case Intent::more:
      need_list_shown_last(d, n);
      break;
    // The open courses to match a code or title against, the applications for a live one and
    // the details of the last one.
    case Intent::join:
      n.all_courses = true;
      n.applications = true;
      break;
    case Intent::status:
      n.applications = n.all_applications = true;
      break;
    case Intent::cancel:
      n.applications = true;
      break;
    default:
      break;
  }
  return n;
}

}  // namespace

Needs needs(const Dialogue& d, const ReadText& p, Instant /*now*/, const ConversationSettings& /*settings*/) {
  Needs n;
  if (d.opted_out) return n;
  if (p.keyword == Keyword::none) return free_text_needs(d, p.reading);
  switch (p.keyword) {
    case Keyword::courses:
      n.all_courses = true;
      break;
    case Keyword::more:
      need_list_shown_last(d, n);
      break;
    // With a code, also at the name step, where "Join Smith" is a name unless the code is one the
    // applicant could mean: the course (is it open?) and the applications (is one live?) decide.
    case Keyword::join:
      if (p.code.empty()) {
        n.all_courses = true;
      } else {
        n.course = p.code;
        n.applications = true;
        // A code typed otherwise than the course has it ("ب١٢", "b12" for B-12) or a title
        // ("join calligraphy") is looked for among the open courses.
        n.all_courses = std::any_of(p.code.begin(), p.code.end(),
                                    [](char c) {
                                      return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                                               (c >= 'A' && c <= 'Z') || c == '-');
                                    }) ||
                        std::none_of(p.code.begin(), p.code.end(), [](char c) { return c >= '0' && c <= '9'; });
      }
      break;
    case Keyword::status:
      n.applications = n.all_applications = true;
      break;
    case Keyword::cancel:
      n.applications = !p.code.empty();
      break;
    default:
      break;
  }
  return n;
}

bool is_stop(std::string_view text) { return is_stop(parse(std::string(text))); }
bool is_stop(const ReadText& text) {
  return text.keyword == Keyword::stop ||
         (text.keyword == Keyword::none && text.reading.unmistakable && text.reading.intent == Intent::stop);
}

Turn converse(const Dialogue& dialogue, const ReadText& text, Instant now, const Knowledge& knowledge,
              const ConversationSettings& settings) {
  return Conversation(dialogue, now, knowledge, settings).run(text);
}

Turn converse(const Dialogue& dialogue, std::string_view text, Instant now, const Knowledge& knowledge,
              const ConversationSettings& settings) {
  return converse(dialogue, parse(std::string(text)), now, knowledge, settings);
}

}  // namespace cg::core
