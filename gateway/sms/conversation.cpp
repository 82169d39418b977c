#include "gateway/sms/conversation.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "adapters/crypto/crypto.hpp"
#include "adapters/observe/log.hpp"
#include "adapters/observe/registry.hpp"
#include "core/applicant.hpp"
#include "core/text.hpp"

namespace cg::gateway {

using core::Instant;
using nlohmann::json;

namespace {

// A number's applications, newest first: JOIN and CANCEL look at the recent ones (a live application
// is among them); STATUS pages through all of them, up to a bound no applicant comes near.
constexpr std::size_t kRecentApplications = 20;
constexpr std::size_t kAllApplications = 1000;

bool is_store_failure(const Error& e) {
  return e.code == "store_error" || e.code == "store_unavailable" || e.code == "render_error" ||
         e.code == "internal_error";
}

std::int64_t seconds(Instant t) { return t.time_since_epoch().count(); }
Instant instant(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }

std::string sms_session_key(const std::string& phone) { return "sms:" + phone; }

json applicant_json(const core::Applicant& a) {
  return json{{"name", a.name},
              {"id_type", std::string(core::to_string(a.id_type))},
              {"id_number", a.id_number},
              {"language", std::string(core::to_string(a.language))}};
}

std::optional<core::Applicant> applicant_from(const json& j) {
  if (!j.is_object()) return std::nullopt;
  core::Applicant a;
  a.name = j.value("name", "");
  auto t = core::parse_id_type(j.value("id_type", ""));
  if (!t) return std::nullopt;
  a.id_type = *t;
  a.id_number = j.value("id_number", "");
  if (!core::parse_language(j.value("language", "ar"), a.language)) return std::nullopt;
  return a;
}

}  // namespace

// ---- encoding ----------------------------------------------------------------------------------

namespace {

// `s` as a JSON string literal: quotes, backslashes and control characters escaped, and each byte
// that does not begin a well-formed UTF-8 sequence replaced by U+FFFD (a name typed on a phone that
// sent broken text must not make the dialogue unstorable).
void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    // Printable ASCII other than the two that need a backslash, and well-formed multi-byte
    // sequences (an Arabic title is nearly all of them), go out as one run.
    std::size_t run = i;
    while (run < s.size()) {
      const unsigned char b = static_cast<unsigned char>(s[run]);
      if (b >= 0x20 && b < 0x80 && b != '"' && b != '\\') {
        ++run;
        continue;
      }
      char32_t cp;
      const std::size_t n = b >= 0x80 ? core::text::next_utf8(s.substr(run), cp) : 0;
      if (n == 0) break;
      run += n;
    }
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += "\xEF\xBF\xBD";  // not the start of a well-formed sequence
    }
    ++i;
  }
  out += '"';
}

// `"key":` after the object's opening brace or a comma; `out` holds the object so far.
void append_json_key(std::string& out, std::string_view key) {
  out += out.size() > 1 ? ",\"" : "\"";
  out += key;
  out += "\":";
}

void append_json_field(std::string& out, std::string_view key, std::string_view value) {
  append_json_key(out, key);
  append_json_string(out, value);
}

void append_json_number(std::string& out, std::string_view key, std::int64_t value) {
  append_json_key(out, key);
  out += std::to_string(value);
}

}  // namespace

namespace {

void append_dialogue_fields(std::string& out, const core::Dialogue& d) {
  append_json_field(out, "lang", core::to_string(d.language));
  append_json_key(out, "lang_known");
  out += d.language_known ? "true" : "false";
  append_json_field(out, "step", core::to_string(d.step));
  append_json_number(out, "at", seconds(d.updated_at));
  if (d.more_list != core::PagedList::none) {
    append_json_field(out, "more", core::to_string(d.more_list));
    append_json_field(out, "more_after", d.more_after);
    append_json_number(out, "more_after_id", d.more_after_course_id);
    append_json_number(out, "more_after_start", seconds(d.more_after_start));
  }
  if (d.step != core::DialogueStep::idle) {
    append_json_field(out, "code", d.course_code);
    append_json_field(out, "title_ar", d.course_title.ar);
    append_json_field(out, "title_en", d.course_title.en);
    append_json_field(out, "name", d.name);
    if (d.id_type) append_json_field(out, "id_type", core::to_string(*d.id_type));
    append_json_field(out, "id_number", d.id_number);
    if (!d.application_id.empty()) append_json_field(out, "app_id", d.application_id);
  }
}

std::size_t dialogue_size_hint(const core::Dialogue& d) {
  return 256 + d.course_title.ar.size() + d.course_title.en.size() + d.name.size() + d.more_after.size() +
         d.application_id.size();
}

std::optional<core::Dialogue> dialogue_from(const json& j) {
  if (!j.is_object()) return std::nullopt;
  try {
    core::Dialogue d;
    if (!core::parse_language(j.value("lang", "ar"), d.language)) return std::nullopt;
    d.language_known = j.value("lang_known", false);
    if (!core::parse_dialogue_step(j.value("step", "idle"), d.step)) return std::nullopt;
    // Paging: the last item shown, by identity. A row written when paging was by position (a numeric
    // "next_course") has none, so MORE starts the list again: a page repeated, never a course skipped.
    // A list this build does not know is read the same way rather than losing the draft.
    if (core::parse_paged_list(j.value("more", "none"), d.more_list) && d.more_list != core::PagedList::none) {
      d.more_after = j.value("more_after", "");
      d.more_after_course_id = j.value("more_after_id", std::int64_t{0});
      d.more_after_start = instant(j.value("more_after_start", std::int64_t{0}));
    } else {
      d.more_list = core::PagedList::none;
    }
    d.updated_at = instant(j.value("at", std::int64_t{0}));
    d.course_code = j.value("code", "");
    d.course_title = {j.value("title_ar", ""), j.value("title_en", "")};
    d.name = j.value("name", "");
    if (j.contains("id_type")) {
      auto t = core::parse_id_type(j.value("id_type", ""));
      if (!t) return std::nullopt;
      d.id_type = *t;
    }
    d.id_number = j.value("id_number", "");
    d.application_id = j.value("app_id", "");
    // A step that needs a document type without one is not a state core can be in, nor a cancel to
    // confirm without its application.
    if ((d.step == core::DialogueStep::ask_id_number || d.step == core::DialogueStep::confirm) && !d.id_type)
      return std::nullopt;
    if (d.step == core::DialogueStep::confirm_cancel && d.application_id.empty()) return std::nullopt;
    return d;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

// "arrivals": [[second, count], ...]; anything else there reads as no arrivals.
std::vector<SmsArrivals> arrivals_from(const json& j) {
  std::vector<SmsArrivals> out;
  auto it = j.find("arrivals");
  if (it == j.end() || !it->is_array()) return out;
  for (const auto& a : *it) {
    if (!a.is_array() || a.size() != 2 || !a[0].is_number_integer() || !a[1].is_number_integer()) return {};
    auto count = a[1].get<std::int64_t>();
    if (count < 1) return {};
    out.push_back(SmsArrivals{instant(a[0].get<std::int64_t>()), count});
  }
  return out;
}

}  // namespace

// Written by hand rather than through nlohmann::json: on the inbound SMS path this runs on the store's
// writer for every message, and building and dumping a json object took 11% of the writer's time
// (perf). decode_dialogue still reads it with nlohmann::json, and tests check that both agree.
std::string encode_dialogue(const core::Dialogue& d) {
  std::string out;
  out.reserve(dialogue_size_hint(d));
  out += '{';
  append_dialogue_fields(out, d);
  out += '}';
  return out;
}

std::optional<core::Dialogue> decode_dialogue(std::string_view text) {
  return dialogue_from(json::parse(text, nullptr, false));
}

std::string encode_sms_session(const SmsSession& s) {
  std::string out;
  out.reserve(dialogue_size_hint(s.dialogue) + 16 + 24 * s.arrivals.size());
  out += '{';
  append_dialogue_fields(out, s.dialogue);
  append_json_key(out, "arrivals");
  out += '[';
  for (std::size_t i = 0; i < s.arrivals.size(); ++i) {
    if (i > 0) out += ',';
    out += '[';
    out += std::to_string(seconds(s.arrivals[i].second));
    out += ',';
    out += std::to_string(s.arrivals[i].count);
    out += ']';
  }
  out += "]}";
  return out;
}

SmsSession decode_sms_session(std::string_view text) {
  SmsSession s;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return s;
  if (auto d = dialogue_from(j)) s.dialogue = std::move(*d);
  s.arrivals = arrivals_from(j);
  return s;
}

std::int64_t SmsSession::arrived_since(Instant since) const {
  std::int64_t n = 0;
  for (const auto& a : arrivals)
    if (a.second >= since) n += a.count;
  return n;
}

void SmsSession::arrive(Instant now, Instant keep_since) {
  std::erase_if(arrivals, [&](const SmsArrivals& a) { return a.second < keep_since; });
  if (!arrivals.empty() && arrivals.back().second == now)
    ++arrivals.back().count;
  else
    arrivals.push_back(SmsArrivals{now, 1});
}

std::string encode_ussd_session(const core::UssdSession& s) {
  json courses = json::array();
  for (const auto& c : s.courses)
    courses.push_back({{"id", c.id}, {"code", c.code}, {"ar", c.title.ar}, {"en", c.title.en}, {"fee", c.fee.value}});
  json apps = json::array();
  for (const auto& a : s.applications)
    apps.push_back({{"id", a.id},
                    {"state", std::string(core::to_string(a.state))},
                    {"code", a.course_code},
                    {"ar", a.course_title.ar},
                    {"en", a.course_title.en}});
  json j{{"phone", s.phone},
         {"lang", std::string(core::to_string(s.start_language))},
         {"courses", courses},
         {"apps", apps},
         {"inputs", s.inputs_seen},
         {"last_text", s.last_text},
         {"last_answer", s.last_answer},
         {"ended", s.ended},
         {"started", seconds(s.started_at)},
         {"at", seconds(s.updated_at)}};
  if (s.applicant) j["applicant"] = applicant_json(*s.applicant);
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<core::UssdSession> decode_ussd_session(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    core::UssdSession s;
    s.phone = j.at("phone").get<std::string>();
    if (!core::parse_language(j.value("lang", "ar"), s.start_language)) return std::nullopt;
    for (const auto& c : j.at("courses"))
      s.courses.push_back(core::UssdCourse{c.at("id").get<std::int64_t>(),
                                           c.at("code").get<std::string>(),
                                           {c.at("ar").get<std::string>(), c.at("en").get<std::string>()},
                                           core::Fils{c.at("fee").get<std::int64_t>()}});
    for (const auto& a : j.at("apps")) {
      core::KnownApplication k;
      k.id = a.at("id").get<std::string>();
      if (!core::parse_application_state(a.at("state").get<std::string>(), k.state)) return std::nullopt;
      k.course_code = a.at("code").get<std::string>();
      k.course_title = {a.at("ar").get<std::string>(), a.at("en").get<std::string>()};
      s.applications.push_back(std::move(k));
    }
    if (j.contains("applicant")) {
      s.applicant = applicant_from(j["applicant"]);
      if (!s.applicant) return std::nullopt;
      s.applicant->phone = s.phone;
    }
    s.inputs_seen = j.value("inputs", std::size_t{0});
    s.last_text = j.value("last_text", "");
    s.last_answer = j.value("last_answer", "");
    s.ended = j.value("ended", false);
    s.started_at = instant(j.value("started", std::int64_t{0}));
    s.updated_at = instant(j.value("at", std::int64_t{0}));
    return s;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

Result<std::string> sender_phone(std::string_view from) {
  auto phone = core::normalize_phone(from);
  if (phone) return phone;
  // Bare international digits: what Infobip and many SMSCs send.
  bool digits = !from.empty() && from.front() != '0' &&
                std::all_of(from.begin(), from.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits && from.size() >= 8) {
    auto plus = core::normalize_phone("+" + std::string(from));
    if (plus) return plus;
  }
  return phone.error();
}

// ---- the service -------------------------------------------------------------------------------

ConversationService::ConversationService(store::Store& store, Service& service, const templates::Catalogue& catalogue,
                                         const Config& config, const Clock& clock)
    : store_(store), service_(service), catalogue_(catalogue), config_(config), clock_(clock) {
  settings_.dialogue_expiry = std::chrono::duration_cast<std::chrono::seconds>(config.conversation.dialogue_expiry);
  limits_.gsm7_chars = config.conversation.ussd_gsm7_chars;
  limits_.ucs2_chars = config.conversation.ussd_ucs2_chars;
}

ConversationService::ReadSms ConversationService::read(InboundSms message) {
  ReadSms r;
  r.redacted = core::redact_for_log(message.text);
  r.text = core::read_text(std::move(message.text));
  if (auto phone = sender_phone(message.from)) r.phone = std::move(*phone);
  r.sms = std::move(message);
  return r;
}

// What needs no store is read here, on the caller's thread (read()); the rest of the step runs on the
// store's writer: its connection's page cache is warm (it wrote those pages), while a reader's cache
// starts cold after every commit, so working the step out first on a read snapshot cost more CPU in
// all (20% more per message, measured) than it took off the writer.
namespace {

// course_gateway_sms_inbound_total{provider, outcome}, counted once the store has answered (a
// command may run more than once; its outcome is known once).
void count_inbound(std::string_view provider, const Result<InboundOutcome>& r) {
  const char* outcome = !r                  ? "store_failed"
                        : r->duplicate      ? "duplicate"
                        : r->invalid_sender ? "invalid_sender"
                        : r->rate_limited   ? "rate_limited"
                                            : "processed";
  obs::registry()
      .counter("course_gateway_sms_inbound_total",
               "Inbound SMS by provider and outcome (processed, duplicate, rate_limited, invalid_sender, "
               "store_failed).",
               {{"provider", std::string(provider)}, {"outcome", outcome}})
      .inc();
}

}  // namespace

void ConversationService::receive(InboundSms message, Callback<InboundOutcome> done) {
  std::string provider = message.provider;
  run_command<InboundOutcome>(
      store_,
      [this, m = read(std::move(message)), now = clock_.now()](store::Tx& tx) { return receive_in(tx, m, now); },
      [provider = std::move(provider), done = std::move(done)](Result<InboundOutcome> r) {
        count_inbound(provider, r);
        done(std::move(r));
      });
}

void ConversationService::receive_batch(std::vector<InboundSms> messages, Callback<std::vector<InboundOutcome>> done) {
  std::vector<ReadSms> read_messages;
  read_messages.reserve(messages.size());
  for (auto& m : messages) read_messages.push_back(read(std::move(m)));
  std::vector<std::string> providers;
  providers.reserve(read_messages.size());
  for (const auto& m : read_messages) providers.push_back(m.sms.provider);
  auto counted = [providers = std::move(providers), done = std::move(done)](Result<std::vector<InboundOutcome>> r) {
    for (std::size_t i = 0; i < providers.size(); ++i) {
      if (r && i >= r->size()) break;
      count_inbound(providers[i], r ? Result<InboundOutcome>((*r)[i]) : Result<InboundOutcome>(r.error()));
    }
    done(std::move(r));
  };
  run_command<std::vector<InboundOutcome>>(
      store_,
      [this, ms = std::move(read_messages)](store::Tx& tx) -> Result<std::vector<InboundOutcome>> {
        std::vector<InboundOutcome> out;
        Instant now = clock_.now();
        for (const auto& m : ms) {
          auto r = receive_in(tx, m, now);
          if (!r) return r.error();
          out.push_back(*r);
        }
        return out;
      },
      std::move(counted));
}

Result<InboundOutcome> ConversationService::receive_in(store::Tx& tx, const ReadSms& m, Instant now) {
  auto admitted = admit(tx, m, now);
  if (!admitted) return admitted.error();
  InboundOutcome out = admitted->out;
  if (!admitted->go_on) return out;
  auto replies = step(tx, m, *admitted->phone, std::move(admitted->session), now);
  if (!replies) return replies.error();
  out.replies = *replies;
  return out;
}

Result<ConversationService::Admitted> ConversationService::admit(store::Tx& tx, const ReadSms& r, Instant now) {
  Admitted a;
  const InboundSms& m = r.sms;
  store::InboundMessage record{m.provider, m.provider_message_id, m.from, m.to, r.redacted, now, "processed"};
  const auto& phone = r.phone;
  if (!phone) {
    // A short code or an alphanumeric sender cannot be answered; keep the message for the record.
    record.outcome = "invalid_sender";
    auto fresh = tx.record_inbound(record);
    if (!fresh) return fresh.error();
    a.out.duplicate = !*fresh;
    a.out.invalid_sender = true;
    return a;
  }
  record.from = *phone;
  if (!destination_allowed(*phone, config_.sms.allowed_country_codes)) {
    // Our replies would go abroad (sms.allowed_country_codes): recorded, not answered.
    record.outcome = "destination_not_allowed";
    auto fresh = tx.record_inbound(record);
    if (!fresh) return fresh.error();
    a.out.duplicate = !*fresh;
    a.out.invalid_sender = true;
    return a;
  }
  // The cap counts what arrived in the last minute before this message (SMS pumping protection),
  // over-the-cap messages included, so a number that keeps sending stays capped.
  const std::string key = sms_session_key(*phone);
  auto stored = tx.session(key);
  if (!stored) return stored.error();
  if (*stored) a.session = decode_sms_session((*stored)->state);
  const Instant since = now - std::chrono::seconds(59);
  if (a.session.arrived_since(since) >= config_.conversation.max_messages_per_minute) record.outcome = "rate_limited";
  auto fresh = tx.record_inbound(record);
  if (!fresh) return fresh.error();
  if (!*fresh) {
    a.out.duplicate = true;
    return a;
  }
  a.session.arrive(now, since);
  if (record.outcome == "rate_limited") {
    a.out.rate_limited = true;
    // The dialogue stays as it was; only the count moves. STOP is still honoured, silently: a
    // number that asks for no more messages gets none, however fast it asked.
    if (auto s = tx.save_session(store::SessionRecord{key, encode_sms_session(a.session), now}); !s) return s.error();
    const bool stop = core::is_stop(r.text);
    if (stop)
      if (auto s = tx.set_opted_out(*phone, true, now); !s) return s.error();
    log::warn("sms", "inbound over the per-number rate: recorded, not answered",
              {{"provider", m.provider},
               {"provider_message_id", m.provider_message_id},
               {"phone", core::mask_phone(*phone)},
               {"per_minute", config_.conversation.max_messages_per_minute},
               {"stop_honoured", stop}});
    return a;
  }
  a.phone = *phone;
  a.go_on = true;
  return a;
}

Result<std::size_t> ConversationService::step(store::Tx& tx, const ReadSms& m, const std::string& phone,
                                              SmsSession session, Instant now) {
  std::size_t replies = 0;
  core::Dialogue& dialogue = session.dialogue;
  auto stopped = tx.opted_out(phone);
  if (!stopped) return stopped.error();
  dialogue.opted_out = *stopped;

  core::Needs needs = core::needs(dialogue, m.text, now, settings_);
  auto known = knowledge(tx, phone, needs, now);
  if (!known) return known.error();
  core::Turn turn = core::converse(dialogue, m.text, now, *known, settings_);

  for (const auto& action : turn.actions) {
    auto refused = act(tx, action, phone, "sms", now);
    if (!refused) return refused.error();
    if (*refused) {
      std::string code;
      core::LocalizedText title;
      if (auto* a = std::get_if<core::ApplyAction>(&action)) code = a->course_code;
      if (auto* c = std::get_if<core::CancelAction>(&action)) code = c->course_code;
      for (const auto& c : known->courses)
        if (c.code == code) title = c.title;
      for (const auto& a : known->applications)
        if (a.course_code == code) title = a.course_title;
      if (title.ar.empty()) {
        auto c = tx.course_by_code(code);
        if (!c) return c.error();
        if (*c) title = (*c)->title;
      }
      turn.replies.push_back(core::refusal_reply(turn.dialogue.language, (*refused)->code, code, title));
    }
  }
  for (const auto& reply : turn.replies) {
    if (auto s = enqueue_reply(tx, phone, reply, now); !s) return s.error();
    ++replies;
  }
  session.dialogue = std::move(turn.dialogue);
  if (auto s = tx.save_session(store::SessionRecord{sms_session_key(phone), encode_sms_session(session), now}); !s)
    return s.error();
  return replies;
}

Result<core::Knowledge> ConversationService::knowledge(store::Tx& tx, const std::string& phone,
                                                       const core::Needs& needs, Instant now) {
  core::Knowledge k;
  k.phone = phone;
  auto open = [&](const core::Course& c) { return c.status == core::CourseStatus::open && c.start_at > now; };
  if (needs.all_courses) {
    auto courses = tx.courses(store::CourseFilter{true, now});
    if (!courses) return courses.error();
    k.courses = std::move(*courses);
  } else if (needs.course) {
    // Codes are stored as the operator wrote them; applicants type them in any case.
    std::string upper = *needs.course;
    for (char& ch : upper)
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    for (const std::string& code : {*needs.course, upper}) {
      auto c = tx.course_by_code(code);
      if (!c) return c.error();
      if (*c && open(**c)) {
        k.courses.push_back(std::move(**c));
        break;
      }
      if (code == upper) break;
    }
    // A code written in mixed case ("Ar101"): the open courses compared without case. Only when
    // the two exact lookups missed, and only a single match: two open courses whose codes differ
    // in case alone are told apart by typing one exactly.
    if (k.courses.empty() && std::any_of(upper.begin(), upper.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
      auto courses = tx.courses(store::CourseFilter{true, now});
      if (!courses) return courses.error();
      const core::Course* match = nullptr;
      std::size_t matches = 0;
      for (const auto& c : *courses) {
        if (core::text::equal_ignoring_ascii_case(c.code, upper)) {
          match = &c;
          ++matches;
        }
      }
      if (matches == 1) k.courses.push_back(*match);
    }
  }
  if (needs.applications) {
    auto apps = tx.applications_by_phone(phone, needs.all_applications ? kAllApplications : kRecentApplications);
    if (!apps) return apps.error();
    std::map<std::int64_t, core::Course> courses;
    for (const auto& a : *apps) {
      auto it = courses.find(a.course_id);
      if (it == courses.end()) {
        auto c = tx.course(a.course_id);
        if (!c) return c.error();
        if (!*c) continue;
        it = courses.emplace(a.course_id, std::move(**c)).first;
      }
      k.applications.push_back(core::KnownApplication{a.id, a.state, it->second.code, it->second.title});
    }
    if (!apps->empty()) {
      k.applicant = apps->front().applicant;
    }
  }
  return k;
}

Result<std::optional<Error>> ConversationService::act(store::Tx& tx, const core::Action& action,
                                                      const std::string& phone, const std::string& channel,
                                                      Instant now) {
  using Refusal = std::optional<Error>;
  if (const auto* apply = std::get_if<core::ApplyAction>(&action)) {
    std::int64_t course_id = apply->course_id;
    if (course_id == 0) {
      auto c = tx.course_by_code(apply->course_code);
      if (!c) return c.error();
      if (!*c) return Refusal(make_error("unknown_course", "no course " + apply->course_code));
      course_id = (*c)->id;
    }
    ApplyInput in;
    in.course_id = course_id;
    in.applicant = apply->applicant;
    in.applicant.phone = phone;
    in.channel = channel;
    auto r = service_.apply_in(tx, in, now, crypto::ordered_id128_hex());
    if (!r) {
      if (is_store_failure(r.error())) return r.error();
      return Refusal(r.error());
    }
    return Refusal();
  }
  if (const auto* cancel = std::get_if<core::CancelAction>(&action)) {
    auto app = tx.application(cancel->application_id);
    if (!app) return app.error();
    // Only the number that applied may cancel by SMS/USSD.
    if (!*app || (*app)->applicant.phone != phone) return Refusal(make_error("not_found", "no such application"));
    auto course = tx.course((*app)->course_id);
    if (!course) return course.error();
    if (!*course) return Refusal(make_error("not_found", "no such course"));
    auto outcome = service_.enrollment().cancel(**course, **app, core::Actor::applicant, now);
    if (!outcome) return Refusal(outcome.error());
    TxMinter minter(tx);
    if (auto s = service_.driver().commit(tx, std::move(*outcome), now, minter); !s) return s.error();
    return Refusal();
  }
  if (std::holds_alternative<core::StopAction>(action)) {
    if (auto s = tx.set_opted_out(phone, true, now); !s) return s.error();
    return Refusal();
  }
  if (const auto* language = std::get_if<core::LanguageAction>(&action)) {
    // The card's notifications go out in each application's language: the number's live
    // applications take the new one, so what the card says next comes in it.
    auto apps = tx.applications_by_phone(phone, kAllApplications);
    if (!apps) return apps.error();
    for (auto& a : *apps) {
      if (!core::is_live(a.state) || a.applicant.language == language->language) continue;
      a.applicant.language = language->language;
      if (auto s = tx.save_application(a); !s) return s.error();
    }
    return Refusal();
  }
  if (auto s = tx.set_opted_out(phone, false, now); !s) return s.error();  // StartAction
  return Refusal();
}

Status ConversationService::enqueue_reply(store::Tx& tx, const std::string& phone, const core::Message& message,
                                          Instant now) {
  // Not through CardDriver::commit's opt-out check: core sends nothing to an opted-out number but
  // the confirmation of STOP itself, which must go out after the flag is set.
  auto row = service_.driver().render(core::Notification{"", phone, message, "conversation"}, now);
  if (!row) return row.error();
  auto id = tx.enqueue(*row);
  if (!id) return id.error();
  return ok_status();
}

// ---- USSD --------------------------------------------------------------------------------------

Result<std::size_t> ConversationService::forget_expired_dialogues(core::Instant now) {
  constexpr std::size_t kPage = 500;
  const core::Instant to = now - config_.conversation.dialogue_expiry;
  std::size_t cleared = 0;
  // Each call looks only at sessions that went silent since the last call's window: a session's
  // time never goes back, so every one is looked at once after its dialogue expired.
  core::Instant from = core::Instant(std::chrono::seconds(forgotten_through_.load()));
  while (from < to) {
    std::size_t seen = 0;
    core::Instant last = from;
    Status s = store_.write_sync([&](store::Tx& tx) -> Status {
      auto rows = tx.sessions_between("sms:", from, to, kPage);
      if (!rows) return rows.error();
      seen = rows->size();
      for (const store::SessionRecord& row : *rows) {
        last = row.updated_at;
        SmsSession session = decode_sms_session(row.state);
        core::Dialogue kept;
        kept.language = session.dialogue.language;
        kept.language_known = session.dialogue.language_known;
        kept.opted_out = session.dialogue.opted_out;
        if (session.dialogue == kept) continue;
        session.dialogue = kept;
        session.arrivals.clear();
        // The row keeps its time: clearing is not a message from the number.
        if (auto saved = tx.save_session(store::SessionRecord{row.key, encode_sms_session(session), row.updated_at});
            !saved)
          return saved;
        ++cleared;
      }
      return ok_status();
    });
    if (!s) return s.error();
    if (seen < kPage) break;
    // A full page: go on from its last time (a second later if the whole page had that time).
    from = last > from ? last : from + std::chrono::seconds(1);
  }
  forgotten_through_.store(seconds(to));
  return cleared;
}

void ConversationService::ussd(UssdRequest request, Callback<std::string> done) {
  run_command<std::string>(
      store_,
      [this, r = std::move(request)](store::Tx& tx) -> Result<std::string> { return ussd_in(tx, r, clock_.now()); },
      std::move(done));
}

Result<std::string> ConversationService::ussd_in(store::Tx& tx, const UssdRequest& r, Instant now) {
  auto phone = sender_phone(r.phone);
  if (!phone || !destination_allowed(*phone, config_.sms.allowed_country_codes))
    return core::ussd_refusal(core::Language::ar, "invalid_phone", "", limits_).answer();
  const std::string key = "ussd:" + r.session_id;
  auto stored = tx.session(key);
  if (!stored) return stored.error();
  std::optional<core::UssdSession> session;
  if (*stored) session = decode_ussd_session((*stored)->state);
  if (session && session->phone != *phone) session.reset();  // a session id is not shared by two phones

  if (session && !session->last_answer.empty() && r.text == session->last_text) {
    return session->last_answer;  // a retried request: the same answer, nothing again
  }
  // Only the first request of a session id builds it. An empty text for a session that exists (a
  // late or replayed first request) shows its main menu again from the snapshot it was built with,
  // so the numbers on later screens keep meaning the same courses; an ended one stays ended.
  const bool fresh_session = r.text.empty() && !session;
  if (!fresh_session) {
    if (!session || session->ended || now - session->updated_at > config_.conversation.ussd_session_timeout) {
      auto lang = session ? session->start_language : core::Language::ar;
      return core::ussd_expired(lang).answer();
    }
  } else {
    // A new session: what the menus show is taken now, so choices mean the same on every replay.
    core::UssdSession s;
    s.phone = *phone;
    s.started_at = now;
    s.updated_at = now;
    auto sms = tx.session(sms_session_key(*phone));
    if (!sms) return sms.error();
    if (*sms)
      if (auto d = decode_sms_session((*sms)->state).dialogue; d.language_known) s.start_language = d.language;
    core::Needs needs;
    needs.all_courses = true;
    needs.applications = true;
    auto k = knowledge(tx, *phone, needs, now);
    if (!k) return k.error();
    for (const auto& c : k->courses) s.courses.push_back(core::UssdCourse{c.id, c.code, c.title, c.fee});
    s.applications = k->applications;
    s.applicant = k->applicant;
    if (s.applicant) s.applicant->phone = *phone;
    session = std::move(s);
    // Housekeeping, at most hourly: sessions end at the network within minutes.
    std::int64_t last = last_ussd_purge_.load();
    if (seconds(now) - last >= 3600 && last_ussd_purge_.compare_exchange_strong(last, seconds(now))) {
      auto purged = tx.delete_sessions_before("ussd:", now - std::chrono::hours(24));
      if (!purged) return purged.error();
    }
  }

  core::UssdTurn turn = core::ussd_respond(*session, r.text, now, limits_);
  for (const auto& action : turn.actions) {
    auto refused = act(tx, action, *phone, "ussd", now);
    if (!refused) return refused.error();
    if (*refused) {
      std::string code;
      if (auto* a = std::get_if<core::ApplyAction>(&action)) code = a->course_code;
      if (auto* c = std::get_if<core::CancelAction>(&action)) code = c->course_code;
      turn.screen = core::ussd_refusal(turn.language, (*refused)->code, code, limits_);
      turn.session.last_answer = turn.screen.answer();
      turn.session.ended = true;
    }
  }
  if (turn.language_chosen) {
    // The language chosen in the menu is the number's language for SMS replies too.
    // The rest of the number's SMS session, its count of recent messages included, stays.
    auto sms = tx.session(sms_session_key(*phone));
    if (!sms) return sms.error();
    SmsSession number;
    if (*sms) number = decode_sms_session((*sms)->state);
    number.dialogue.language = *turn.language_chosen;
    number.dialogue.language_known = true;
    if (auto s = tx.save_session(store::SessionRecord{sms_session_key(*phone), encode_sms_session(number), now}); !s)
      return s.error();
  }
  if (auto s = tx.save_session(store::SessionRecord{key, encode_ussd_session(turn.session), now}); !s) return s.error();
  return turn.screen.answer();
}

}  // namespace cg::gateway
