#include "core/ussd_menu.hpp"

#include <algorithm>

#include "core/applicant.hpp"
#include "core/enrollment.hpp"
#include "core/money.hpp"
#include "core/sms.hpp"
#include "core/text.hpp"

namespace cg::core {
namespace {

constexpr std::size_t kMaxItemsPerPage = 7;  // keys 1-7; 9 is "more", 0 is "back"
constexpr std::string_view kMore = "9";
constexpr std::string_view kBack = "0";

// The compact USSD text set. Option numbers stay in Western digits in both languages: they are
// what the keypad sends.
struct Words {
  std::string_view title, courses, my_applications, cancel_application, other_language, more, back, invalid_choice,
      courses_header, no_courses, fee, free, apply, ask_name, invalid_name, id_type, national_id, passport,
      ask_national_id, ask_passport, invalid_number, confirm_national, confirm_passport, confirm, change, applied_1,
      applied_2, my_apps_header, no_apps, cancel_header, nothing_to_cancel, cancel_confirm, yes, cancelled_1,
      cancelled_2, expired, currency, as;
};

constexpr Words kEnglish{"Amman courses",
                         "Courses",
                         "My applications",
                         "Cancel an application",
                         "عربي",
                         "More",
                         "Back",
                         "Invalid choice.",
                         "Choose a course:",
                         "No open courses now.",
                         "Fee",
                         "free",
                         "Apply",
                         "Your full name",
                         "Invalid name.",
                         "ID document:",
                         "Jordanian national ID",
                         "Passport (non-Jordanians)",
                         "National ID number (10 digits)",
                         "Passport number",
                         "Invalid number.",
                         "ID",
                         "passport",
                         "Confirm",
                         "Change",
                         "Your application for",
                         "was sent. We will text you the next step.",
                         "Your applications:",
                         "You have no applications.",
                         "Cancel which application?",
                         "Nothing to cancel.",
                         "Cancel your application for",
                         "Yes",
                         "Your application for",
                         "is cancelled.",
                         "Your session has expired. Please dial again.",
                         "JOD",
                         "as"};

constexpr Words kArabic{"دورات أمانة عمان",
                        "الدورات",
                        "طلباتي",
                        "إلغاء طلب",
                        "English",
                        "المزيد",
                        "رجوع",
                        "خيار غير صحيح.",
                        "اختر دورة:",
                        "لا توجد دورات متاحة.",
                        "الرسوم",
                        "مجانية",
                        "تسجيل",
                        "اكتب اسمك الكامل",
                        "اسم غير صحيح.",
                        "وثيقة الهوية:",
                        "الرقم الوطني الأردني",
                        "جواز سفر (لغير الأردنيين)",
                        "الرقم الوطني (١٠ أرقام)",
                        "رقم جواز السفر",
                        "رقم غير صحيح.",
                        "رقم وطني",
                        "جواز",
                        "تأكيد",
                        "تعديل",
                        "تم إرسال طلبكم لدورة",
                        "وسنبلغكم بالخطوة التالية برسالة.",
                        "طلباتكم:",
                        "لا توجد لديكم طلبات.",
                        "أي طلب تريد إلغاءه؟",
                        "لا يوجد طلب للإلغاء.",
                        "إلغاء طلبكم لدورة",
                        "نعم",
                        "تم إلغاء طلبكم لدورة",
                        "",
                        "انتهت الجلسة. يرجى الاتصال من جديد.",
                        "دينار",
                        "باسم"};

const Words& words(Language l) { return l == Language::ar ? kArabic : kEnglish; }

// The END screen of a refusal that names the course: the words before and after its code, and the
// same said without the code for a screen too small to hold it.
struct RefusalText {
  std::string_view before, after, alone;
};

// What ussd_refusal says for each refusal the card's use cases return to the menus. Each says why,
// so that no one is told to try later when trying later will not help.
struct RefusalWords {
  RefusalText duplicate;          // duplicate_application
  RefusalText closed;             // unknown_course, course_postponed, course_started, course_ended, course_not_open
  RefusalText full;               // no_free_seat
  RefusalText not_cancellable;    // not_cancellable: no longer live (cancelled, expired...) or the course was held
  RefusalText nothing_to_cancel;  // not_found: no application of this number to cancel
  std::string_view phone;         // invalid_phone: a number the service cannot answer
  std::string_view other;         // anything else: a passing failure, try later
};

constexpr RefusalWords kEnglishRefusals{
    {"You have already applied for ", ".", "You have already applied for this course."},
    {"", " is not taking applications now.", "This course is not taking applications now."},
    {"", " has no free seat now.", "This course has no free seat now."},
    {"Your application for ", " can no longer be cancelled. My applications shows its state.",
     "This application can no longer be cancelled."},
    {"You have no application for ", " that can be cancelled.", "You have no application that can be cancelled."},
    "Sorry, this service cannot be used from this phone number.",
    "Sorry, we could not complete this. Please try later."};

constexpr RefusalWords kArabicRefusals{
    {"لديكم طلب سابق لدورة ", ".", "لديكم طلب سابق لهذه الدورة."},
    {"دورة ", " لا تستقبل طلبات حالياً.", "هذه الدورة لا تستقبل طلبات حالياً."},
    {"لا توجد مقاعد شاغرة في دورة ", " حالياً.", "لا توجد مقاعد شاغرة في هذه الدورة حالياً."},
    {"لم يعد ممكناً إلغاء طلبكم لدورة ", ". اختر طلباتي لمعرفة حالته.", "لم يعد ممكناً إلغاء هذا الطلب."},
    {"لا يوجد لديكم طلب قابل للإلغاء في دورة ", ".", "لا يوجد لديكم طلب قابل للإلغاء."},
    "عذراً، لا يمكن استخدام هذه الخدمة من هذا الرقم.",
    "نعتذر، تعذر إتمام الطلب. يرجى المحاولة لاحقاً."};

std::string ellipsis(Language l) { return l == Language::ar ? "…" : ".."; }

// A screen being put together: fixed text and elastic pieces (titles, names) that are shortened,
// longest first, until the whole fits.
class ScreenBuilder {
 public:
  explicit ScreenBuilder(Language l) : language_(l) {}
  ScreenBuilder& fixed(std::string_view s) {
    pieces_.push_back({std::string(s), false, 0});
    return *this;
  }
  ScreenBuilder& elastic(std::string_view s) {
    pieces_.push_back({std::string(s), true, text::count_chars(s)});
    return *this;
  }
  ScreenBuilder& line() { return fixed("\n"); }
  ScreenBuilder& option(std::string_view key, std::string_view label) {
    if (!empty()) line();
    return fixed(key).fixed(" ").fixed(label);
  }
  bool empty() const { return pieces_.empty(); }

  std::string render() const {
    std::string out;
    for (const auto& p : pieces_) out += p.elastic ? text::truncate(p.text, p.max, ellipsis(language_)) : p.text;
    return out;
  }

  // The text, shortened to fit; nullopt when even the shortest form does not.
  std::optional<std::string> fit(const UssdLimits& limits) {
    constexpr std::size_t kShortest = 4;
    for (;;) {
      std::string out = render();
      if (ussd_fits(out, limits)) return out;
      Piece* longest = nullptr;
      for (auto& p : pieces_)
        if (p.elastic && p.max > kShortest && (!longest || p.max > longest->max)) longest = &p;
      if (!longest) return std::nullopt;
      --longest->max;
    }
  }

 private:
  struct Piece {
    std::string text;
    bool elastic;
    std::size_t max;
  };
  Language language_;
  std::vector<Piece> pieces_;
};

enum class Kind {
  main,
  course_list,
  course,
  ask_name,
  ask_id_type,
  ask_id_number,
  confirm,
  my_applications,
  cancel_list,
  cancel_confirm,
};

struct Frame {
  Frame() = default;
  explicit Frame(Kind k, std::size_t first_at = 0, std::size_t index_at = 0, Applicant draft_so_far = {})
      : kind(k), first(first_at), index(index_at), draft(std::move(draft_so_far)) {}
  Kind kind = Kind::main;
  std::size_t first = 0;  // course_list, cancel_list: index of the page's first course / application
  std::size_t index = 0;  // course: course index; cancel_confirm: index into the cancellable list
  Applicant draft;        // what the apply dialogue has collected so far
  std::string error;      // shown above the screen after an input it did not accept
};

std::string fee_text(const UssdCourse& c, Language l) {
  const Words& w = words(l);
  if (c.fee.value == 0) return std::string(w.free);
  return format_jod(c.fee) + " " + std::string(w.currency);
}

// The last resort when even the shortest form of a screen is too long (long course codes, a
// configured limit far below the default): its end is cut, so no screen ever exceeds the limit.
std::string clamp_to_limit(std::string text, const UssdLimits& limits) {
  while (!text.empty() && !ussd_fits(text, limits)) {
    std::size_t end = text.size() - 1;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    text.erase(end);
  }
  return text;
}

// Only the digits matter in a menu choice; Arabic-Indic ones count.
std::string choice(std::string_view input) { return normalize_text(input); }

class Menu {
 public:
  Menu(const UssdSession& s, const UssdLimits& limits) : s_(s), limits_(limits), language_(s.start_language) {
    for (const auto& a : s.applications)
      if (is_live(a.state)) cancellable_.push_back(&a);
  }

  // Walks every input from the main menu. Returns the final screen.
  UssdTurn walk(const std::vector<std::string>& inputs, Instant now) {
    UssdTurn turn;
    turn.session = s_;
    stack_.push_back(Frame{});
    std::optional<UssdScreen> final_screen;
    for (std::size_t i = 0; i < inputs.size() && !final_screen; ++i) {
      const bool fresh = i >= s_.inputs_seen;
      final_screen = step(inputs[i], fresh, turn);
    }
    turn.screen = final_screen ? *final_screen : show(stack_.back());
    turn.language = language_;
    turn.session.inputs_seen = inputs.size();
    turn.session.ended = turn.screen.end;
    turn.session.updated_at = now;
    return turn;
  }

 private:
  Frame& top() { return stack_.back(); }
  void push(Frame f) {
    top().error.clear();
    stack_.push_back(std::move(f));
  }
  void back() {
    if (stack_.size() > 1) stack_.pop_back();
    top().error.clear();
  }
  void reject(std::string_view error) { top().error = std::string(error); }

  // One input on the current screen; an END screen when the journey ends here.
  std::optional<UssdScreen> step(const std::string& raw, bool fresh, UssdTurn& turn) {
    const Words& w = words(language_);
    const std::string in = choice(raw);
    Frame& f = top();
    if (in == kBack) {
      back();  // at the main menu: stays there
      return std::nullopt;
    }
    switch (f.kind) {
      case Kind::main:
        if (in == "1")
          push(Frame{Kind::course_list});
        else if (in == "2")
          push(Frame{Kind::my_applications});
        else if (in == "3")
          push(Frame{Kind::cancel_list});
        else if (in == "4") {
          language_ = language_ == Language::ar ? Language::en : Language::ar;
          f.error.clear();
          if (fresh) turn.language_chosen = language_;
        } else
          reject(w.invalid_choice);
        return std::nullopt;
      case Kind::course_list: {
        std::size_t next = page_end(f.first);
        if (in == kMore && next < s_.courses.size()) {
          push(Frame{Kind::course_list, next});
          return std::nullopt;
        }
        auto k = number(in);
        if (k && *k >= 1 && f.first + *k - 1 < next) {
          push(Frame{Kind::course, 0, f.first + *k - 1});
        } else {
          reject(w.invalid_choice);
        }
        return std::nullopt;
      }
      case Kind::course: {
        if (in != "1") {
          reject(w.invalid_choice);
          return std::nullopt;
        }
        Frame next{Kind::ask_name, 0, f.index};
        if (s_.applicant) {
          next.kind = Kind::confirm;
          next.draft = *s_.applicant;
        }
        push(std::move(next));
        return std::nullopt;
      }
      case Kind::ask_name: {
        auto name = normalize_name(raw);
        if (!name) {
          reject(w.invalid_name);
          return std::nullopt;
        }
        Frame next{Kind::ask_id_type, 0, f.index, f.draft};
        next.draft.name = *name;
        push(std::move(next));
        return std::nullopt;
      }
      case Kind::ask_id_type: {
        if (in != "1" && in != "2") {
          reject(w.invalid_choice);
          return std::nullopt;
        }
        Frame next{Kind::ask_id_number, 0, f.index, f.draft};
        next.draft.id_type = in == "1" ? IdType::national_id : IdType::passport;
        push(std::move(next));
        return std::nullopt;
      }
      case Kind::ask_id_number: {
        auto number = validate_id_number(f.draft.id_type, in);
        if (!number) {
          reject(w.invalid_number);
          return std::nullopt;
        }
        Frame next{Kind::confirm, 0, f.index, f.draft};
        next.draft.id_number = *number;
        push(std::move(next));
        return std::nullopt;
      }
      case Kind::confirm: {
        if (in == "2") {
          push(Frame{Kind::ask_name, 0, f.index});
          return std::nullopt;
        }
        if (in != "1") {
          reject(w.invalid_choice);
          return std::nullopt;
        }
        const UssdCourse& c = s_.courses[f.index];
        if (fresh) {
          Applicant a = f.draft;
          a.phone = s_.phone;
          a.language = language_;
          turn.actions.push_back(ApplyAction{c.id, c.code, std::move(a)});
        }
        ScreenBuilder b(language_);
        b.fixed(w.applied_1).fixed(" ").fixed(c.code).fixed(" ").fixed(w.applied_2);
        return end_screen(b);
      }
      case Kind::my_applications:
        reject(w.invalid_choice);
        return std::nullopt;
      case Kind::cancel_list: {
        const std::size_t next = cancel_page_end(f.first);
        if (in == kMore && next < cancellable_.size()) {
          push(Frame{Kind::cancel_list, next});
          return std::nullopt;
        }
        auto k = number(in);
        if (k && *k >= 1 && f.first + *k - 1 < next) {
          push(Frame{Kind::cancel_confirm, 0, f.first + *k - 1});
        } else {
          reject(w.invalid_choice);
        }
        return std::nullopt;
      }
      case Kind::cancel_confirm: {
        if (in != "1") {
          reject(w.invalid_choice);
          return std::nullopt;
        }
        const KnownApplication& a = *cancellable_[f.index];
        if (fresh) turn.actions.emplace_back(std::in_place_type<CancelAction>, CancelAction{a.id, a.course_code});
        ScreenBuilder b(language_);
        b.fixed(w.cancelled_1).fixed(" ").fixed(a.course_code);
        if (!w.cancelled_2.empty()) b.fixed(" ").fixed(w.cancelled_2);
        return end_screen(b);
      }
    }
    return std::nullopt;
  }

  static std::optional<std::size_t> number(const std::string& in) {
    if (in.empty() || in.size() > 2) return std::nullopt;
    std::size_t n = 0;
    for (char c : in) {
      if (c < '0' || c > '9') return std::nullopt;
      n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    return n;
  }

  UssdScreen end_screen(ScreenBuilder& b) {
    auto text = b.fit(limits_);
    return UssdScreen{true, text ? *text : clamp_to_limit(b.render(), limits_)};
  }

  // The course list page starting at `first`: as many courses as fit (titles shortened to at least
  // a few characters), at most kMaxItemsPerPage. Deterministic, so replays find the same pages.
  std::size_t page_end(std::size_t first) const {
    return fitting_page_end(first, s_.courses.size(),
                            [&](std::size_t end) { return course_page(first, end, "").has_value(); });
  }

  // The end of the page of a list of `size` items that starts at `first`: items are added while
  // `fits(end)` says the page [first, end) fits, at most kMaxItemsPerPage and at least one.
  template <class Fits>
  static std::size_t fitting_page_end(std::size_t first, std::size_t size, const Fits& fits) {
    std::size_t end = first;
    while (end < size && end - first < kMaxItemsPerPage && fits(end + 1)) ++end;
    return std::max(end, std::min(first + 1, size));
  }

  // Page boundaries are computed without the error line, so an error never moves them.
  std::optional<std::string> course_page(std::size_t first, std::size_t end, std::string_view error) const {
    const Words& w = words(language_);
    ScreenBuilder b(language_);
    b.fixed(error.empty() ? w.courses_header : error);  // the error stands in for the header
    for (std::size_t i = first; i < end; ++i) {
      const UssdCourse& c = s_.courses[i];
      b.line().fixed(std::to_string(i - first + 1)).fixed(" ").fixed(c.code).fixed(" ").elastic(c.title.in(language_));
    }
    if (end < s_.courses.size()) b.option(kMore, w.more);
    b.option(kBack, w.back);
    return b.fit(limits_);
  }

  // A page of the cancel list: applications [first, end); titles shorten before a line is dropped.
  // A page that leaves applications after it offers "more", as the course list does.
  ScreenBuilder cancel_screen(std::size_t first, std::size_t end, std::string_view error) const {
    const Words& w = words(language_);
    ScreenBuilder b(language_);
    if (!error.empty()) b.fixed(error).line();
    b.fixed(w.cancel_header);
    for (std::size_t i = first; i < end; ++i) {
      const KnownApplication& a = *cancellable_[i];
      b.line().fixed(std::to_string(i - first + 1)).fixed(" ").fixed(a.course_code).fixed(" ");
      b.elastic(a.course_title.in(language_));
    }
    if (end < cancellable_.size()) b.option(kMore, w.more);
    b.option(kBack, w.back);
    return b;
  }

  // The cancel page starting at `first` (newest first): as many applications as fit one screen, at
  // most 7, at least one. Computed without the error line, so an error never changes which number
  // means which application; deterministic, so replays find the same pages.
  std::size_t cancel_page_end(std::size_t first) const {
    return fitting_page_end(first, cancellable_.size(),
                            [&](std::size_t end) { return cancel_screen(first, end, "").fit(limits_).has_value(); });
  }

  UssdScreen show(const Frame& f) {
    const Words& w = words(language_);
    ScreenBuilder b(language_);
    // On screens that start with a header, an error stands in for it; elsewhere it goes on top.
    const bool error_replaces_header = f.kind == Kind::main || f.kind == Kind::ask_id_type;
    if (!f.error.empty() && !error_replaces_header) b.fixed(f.error).line();
    switch (f.kind) {
      case Kind::main:
        b.fixed(f.error.empty() ? w.title : f.error);  // the error stands in for the title
        b.option("1", w.courses).option("2", w.my_applications).option("3", w.cancel_application);
        b.option("4", w.other_language);
        break;
      case Kind::course_list: {
        if (s_.courses.empty()) {
          b.fixed(w.no_courses).option(kBack, w.back);
          break;
        }
        std::size_t end = page_end(f.first);
        auto page = course_page(f.first, end, f.error);
        if (!page) page = course_page(f.first, end, "");
        if (page) return UssdScreen{false, *page};
        // A single course that cannot fit even shortened: show its code alone.
        b.fixed(w.courses_header).line().fixed("1 ").fixed(s_.courses[f.first].code).option(kBack, w.back);
        break;
      }
      case Kind::course: {
        const UssdCourse& c = s_.courses[f.index];
        b.fixed(c.code).fixed(" ").elastic(c.title.in(language_)).line();
        b.fixed(w.fee).fixed(": ").fixed(fee_text(c, language_));
        b.option("1", w.apply).option(kBack, w.back);
        break;
      }
      case Kind::ask_name:
        b.fixed(w.ask_name).fixed(" (").fixed(kBack).fixed(" ").fixed(w.back).fixed("):");
        break;
      case Kind::ask_id_type:
        b.fixed(f.error.empty() ? w.id_type : f.error)
            .option("1", w.national_id)
            .option("2", w.passport)
            .option(kBack, w.back);
        break;
      case Kind::ask_id_number:
        b.fixed(f.draft.id_type == IdType::national_id ? w.ask_national_id : w.ask_passport);
        b.fixed(" (").fixed(kBack).fixed(" ").fixed(w.back).fixed("):");
        break;
      case Kind::confirm: {
        const UssdCourse& c = s_.courses[f.index];
        if (f.error.empty()) b.fixed(w.apply).fixed(": ");  // with an error above, the course line alone
        b.fixed(c.code).fixed(" ").elastic(c.title.in(language_)).line();
        b.elastic(f.draft.name).fixed(", ");
        b.fixed(f.draft.id_type == IdType::national_id ? w.confirm_national : w.confirm_passport).fixed(" ");
        b.fixed(mask_id_number(f.draft.id_number));
        b.option("1", w.confirm).option("2", w.change).option(kBack, w.back);
        break;
      }
      case Kind::my_applications: {
        if (s_.applications.empty()) {
          b.fixed(w.no_apps).option(kBack, w.back);
          break;
        }
        b.fixed(w.my_apps_header);
        // As many as fit, newest first; each line shortens its title before the list loses a line.
        std::string best;
        for (std::size_t n = 1; n <= std::min(s_.applications.size(), kMaxItemsPerPage); ++n) {
          ScreenBuilder t = b;
          for (std::size_t i = 0; i < n; ++i) {
            const KnownApplication& a = s_.applications[i];
            t.line().fixed(a.course_code).fixed(" ").elastic(a.course_title.in(language_)).fixed(": ");
            t.fixed(state_label(a.state, language_));
          }
          t.option(kBack, w.back);
          auto text = t.fit(limits_);
          if (!text) break;
          best = *text;
        }
        if (!best.empty()) return UssdScreen{false, best};
        // Not even one line with its label fits: codes and states in short form.
        const KnownApplication& a = s_.applications.front();
        b.line().fixed(a.course_code).fixed(": ").elastic(state_label(a.state, language_)).option(kBack, w.back);
        break;
      }
      case Kind::cancel_list: {
        if (cancellable_.empty()) {
          b.fixed(w.nothing_to_cancel).option(kBack, w.back);
          break;
        }
        const std::size_t end = cancel_page_end(f.first);
        ScreenBuilder list = cancel_screen(f.first, end, f.error);
        auto text = list.fit(limits_);
        if (!text) text = cancel_screen(f.first, end, "").fit(limits_);  // the error gives way
        return UssdScreen{false, clamp_to_limit(text ? *text : list.render(), limits_)};
      }
      case Kind::cancel_confirm: {
        const KnownApplication& a = *cancellable_[f.index];
        b.fixed(w.cancel_confirm).fixed(" ").fixed(a.course_code).fixed(" ").elastic(a.course_title.in(language_));
        b.fixed(language_ == Language::ar ? "؟" : "?");
        b.option("1", w.yes).option(kBack, w.back);
        break;
      }
    }
    auto text = b.fit(limits_);
    return UssdScreen{false, text ? *text : clamp_to_limit(b.render(), limits_)};
  }

  const UssdSession& s_;
  const UssdLimits& limits_;
  Language language_;
  std::vector<Frame> stack_;
  std::vector<const KnownApplication*> cancellable_;
};

std::vector<std::string> split_inputs(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  std::size_t from = 0;
  for (;;) {
    std::size_t star = text.find('*', from);
    out.emplace_back(text.substr(from, star == std::string_view::npos ? std::string_view::npos : star - from));
    if (star == std::string_view::npos) break;
    from = star + 1;
  }
  return out;
}

}  // namespace

bool ussd_fits(std::string_view screen, const UssdLimits& limits) {
  SmsLength len = measure_sms(screen);
  if (!len.valid_utf8) return false;
  return len.units <= (len.encoding == SmsEncoding::gsm7 ? limits.gsm7_chars : limits.ucs2_chars);
}

UssdTurn ussd_respond(const UssdSession& session, std::string_view text, Instant now, const UssdLimits& limits) {
  if (!session.last_answer.empty() && text == session.last_text) {
    // The aggregator retried a request we answered: the same answer, nothing done again.
    UssdTurn t;
    t.session = session;
    t.screen = UssdScreen{session.last_answer.starts_with("END "), session.last_answer.substr(4)};
    t.language = session.start_language;
    return t;
  }
  Menu menu(session, limits);
  UssdTurn t = menu.walk(split_inputs(text), now);
  t.session.last_text = std::string(text);
  t.session.last_answer = t.screen.answer();
  return t;
}

UssdScreen ussd_refusal(Language language, std::string_view code, std::string_view course_code,
                        const UssdLimits& limits) {
  const RefusalWords& w = language == Language::ar ? kArabicRefusals : kEnglishRefusals;
  // With the course's code when it fits, else the same words without it; cut at the limit last.
  auto about = [&](const RefusalText& t) {
    std::string text = std::string(t.before) + std::string(course_code) + std::string(t.after);
    if (course_code.empty() || !ussd_fits(text, limits)) text = std::string(t.alone);
    return UssdScreen{true, clamp_to_limit(std::move(text), limits)};
  };
  if (code == "duplicate_application") return about(w.duplicate);
  if (is_closed_course_refusal(code) || code == "unknown_course") return about(w.closed);
  if (code == "no_free_seat") return about(w.full);
  if (code == "not_cancellable") return about(w.not_cancellable);
  if (code == "not_found") return about(w.nothing_to_cancel);
  if (code == "invalid_phone") return UssdScreen{true, clamp_to_limit(std::string(w.phone), limits)};
  return UssdScreen{true, clamp_to_limit(std::string(w.other), limits)};
}

UssdScreen ussd_expired(Language language) { return UssdScreen{true, std::string(words(language).expired)}; }

}  // namespace cg::core
