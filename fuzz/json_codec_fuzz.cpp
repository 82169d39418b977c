// libFuzzer target for the website's and the operators' JSON decoders (gateway/web/json_codec):
// the bytes are a request body, parsed as gateway/web/http_json.hpp does and given to every
// decoder. Invariants: a decoded course encodes to JSON that decodes to the same course (parse ->
// encode round trip) and dumps without error; decoded texts hold no control character; refusals
// carry a code and a UTF-8 message.
#include <cstdint>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "core/text.hpp"
#include "fuzz/fuzz_support.hpp"
#include "gateway/web/json_codec.hpp"

namespace {

using nlohmann::json;

// A refusal reaches the client as {"error":{"code","message"}}: both there, the message UTF-8
// (it may quote the body's own keys).
void check_refusal(const cg::Error& e) {
  cg::fuzz::check(!e.code.empty() && !e.message.empty(), "a refusal without a code or a message");
  cg::fuzz::check_utf8(e.message, "a refusal's message is not UTF-8");
}

void check_text(const std::string& s, const char* what) {
  cg::fuzz::check_utf8(s, what);
  cg::fuzz::check(!cg::core::text::find_control(s, true), what);
}

void round_trip(const cg::core::Course& c) {
  using namespace cg;
  json encoded = gateway::web::encode_course(c, gateway::web::Audience::operators);
  (void)encoded.dump();
  // What a client would send back: the fields a new course has, none of those the server adds.
  json back = json::object();
  for (const char* key : {"code", "title_ar", "title_en", "location", "start_at", "end_at", "decision_at",
                          "min_participants", "capacity", "fee_jod", "prerequisite", "exam_url", "evaluation_url"})
    back[key] = encoded[key];
  auto again = gateway::web::decode_course(back);
  if (!again) {
    std::fprintf(stderr, "%s -> %s: %s\n", back.dump().c_str(), again.error().code.c_str(),
                 again.error().message.c_str());
    fuzz::fail("an encoded course does not decode");
  }
  fuzz::check(again->code == c.code && again->title == c.title && again->location == c.location,
              "round trip: texts changed");
  fuzz::check(again->start_at == c.start_at && again->end_at == c.end_at && again->decision_at == c.decision_at,
              "round trip: times changed");
  fuzz::check(again->min_participants == c.min_participants && again->capacity == c.capacity && again->fee == c.fee,
              "round trip: numbers changed");
  fuzz::check(again->prerequisite == c.prerequisite && again->exam_url == c.exam_url &&
                  again->evaluation_url == c.evaluation_url,
              "round trip: prerequisite or links changed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cg;
  json j = json::parse(fuzz::bytes(data, size), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return 0;

  if (auto c = gateway::web::decode_course(j)) {
    check_text(c->code, "course code");
    check_text(c->title.ar, "title_ar");
    check_text(c->title.en, "title_en");
    check_text(c->location, "location");
    round_trip(*c);
  } else {
    check_refusal(c.error());
  }
  if (auto p = gateway::web::decode_course_patch(j)) {
    for (const auto* t : {&p->title_ar, &p->title_en, &p->location})
      if (*t) check_text(**t, "patched text");
  } else {
    check_refusal(p.error());
  }
  if (auto a = gateway::web::decode_application(j)) {
    fuzz::check(a->course_id > 0, "course_id");
    check_text(a->applicant.name, "applicant name");
    fuzz::check(!a->applicant.phone.empty() && a->applicant.phone[0] == '+', "phone not E.164");
  } else {
    check_refusal(a.error());
  }
  auto applicant = j.find("applicant");
  std::string number = applicant != j.end() && applicant->is_string() ? applicant->get<std::string>() : "9851234567";
  if (auto proof = gateway::web::decode_prerequisite(j, number)) {
    check_text(proof->prerequisite, "prerequisite");
  } else {
    check_refusal(proof.error());
  }
  return 0;
}
