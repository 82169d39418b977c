#include "gateway/http/message.hpp"

#include <gtest/gtest.h>

#include "gateway/http/handler.hpp"

namespace cg::http {
namespace {

TEST(ParseForm, DecodesPairsInOrderWithPlusAsSpace) {
  auto form = parse_form("from=%2B962791234567&text=hello+world%21&id=42&text=again");
  ASSERT_TRUE(form.ok()) << form.error().message;
  Params expected{{"from", "+962791234567"}, {"text", "hello world!"}, {"id", "42"}, {"text", "again"}};
  EXPECT_EQ(*form, expected);
  EXPECT_EQ(find_param(*form, "text"), "hello world!");  // the first of repeated names
  EXPECT_EQ(find_param(*form, "missing"), std::nullopt);
}

TEST(ParseForm, DecodesUtf8Arabic) {
  // "مرحبا" percent-encoded, as Kannel sends UTF-8 text.
  auto form = parse_form("text=%D9%85%D8%B1%D8%AD%D8%A8%D8%A7");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(find_param(*form, "text"), "\xD9\x85\xD8\xB1\xD8\xAD\xD8\xA8\xD8\xA7");
}

TEST(ParseForm, EmptyPiecesAreSkippedAndBareNamesHaveEmptyValues) {
  auto form = parse_form("&a=1&&flag&b=&=x&");
  ASSERT_TRUE(form.ok());
  Params expected{{"a", "1"}, {"flag", ""}, {"b", ""}, {"", "x"}};
  EXPECT_EQ(*form, expected);
  auto empty = parse_form("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ParseForm, ValueKeepsEverythingAfterTheFirstEquals) {
  auto form = parse_form("sig=abc==&k=%3D");
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(find_param(*form, "sig"), "abc==");
  EXPECT_EQ(find_param(*form, "k"), "=");
}

TEST(ParseForm, RefusesMalformedPercentEscapes) {
  for (const char* bad : {"text=%", "text=%4", "text=%zz", "text=ab%g1", "te%xt=1", "a=1&b=%2"}) {
    auto form = parse_form(bad);
    ASSERT_FALSE(form.ok()) << bad;
    EXPECT_EQ(form.error().code, "invalid_form") << bad;
    EXPECT_NE(form.error().message.find("malformed percent escape"), std::string::npos) << form.error().message;
  }
  auto form = parse_form("id=1&text=50%");
  ASSERT_FALSE(form.ok());
  EXPECT_NE(form.error().message.find("'text'"), std::string::npos) << "names the parameter: " << form.error().message;
  EXPECT_NE(form.error().message.find("offset 2"), std::string::npos) << form.error().message;
}

TEST(PercentDecode, PlusIsLiteralOutsideForms) {
  auto path = percent_decode("a+b%20c", false);
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, "a+b c");
  auto form = percent_decode("a+b%20c", true);
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(*form, "a b c");
  EXPECT_EQ(*percent_decode("%41%6a%4A", false), "AjJ");  // either hex case
}

TEST(ParseTarget, SplitsPathAndDecodesQuery) {
  std::string path;
  Params query;
  ASSERT_TRUE(parse_target("/v1/sms/kannel/inbound?from=%2B9627&text=a+b&key=s3cret", path, query).ok());
  EXPECT_EQ(path, "/v1/sms/kannel/inbound");
  Params expected{{"from", "+9627"}, {"text", "a b"}, {"key", "s3cret"}};
  EXPECT_EQ(query, expected);

  ASSERT_TRUE(parse_target("/healthz", path, query).ok());
  EXPECT_EQ(path, "/healthz");
  EXPECT_TRUE(query.empty());
}

TEST(ParseTarget, RefusesBadQueriesAndNonOriginTargets) {
  std::string path;
  Params query;
  auto bad_query = parse_target("/x?text=100%", path, query);
  ASSERT_FALSE(bad_query.ok());
  EXPECT_EQ(bad_query.error().code, "invalid_query");
  auto absolute = parse_target("http://example.com/x", path, query);
  ASSERT_FALSE(absolute.ok());
  EXPECT_EQ(absolute.error().code, "invalid_target");
}

TEST(Headers, LookupIsCaseInsensitiveAndSetReplaces) {
  Headers h;
  h.add("Content-Type", "text/plain");
  h.add("X-Twilio-Signature", "abc");
  h.add("x-twilio-signature", "second");
  EXPECT_EQ(h.get("content-type"), "text/plain");
  EXPECT_EQ(h.get("X-TWILIO-SIGNATURE"), "abc");
  EXPECT_FALSE(h.contains("Content-Length"));
  h.set("X-Twilio-Signature", "only");
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.get("x-twilio-signature"), "only");
}

TEST(Methods, RoundTripThroughText) {
  for (Method m :
       {Method::get, Method::head, Method::post, Method::put, Method::patch, Method::delete_, Method::options}) {
    EXPECT_EQ(parse_method(to_string(m)), m);
  }
  EXPECT_EQ(to_string(Method::delete_), "DELETE");
  EXPECT_EQ(parse_method("get"), std::nullopt);  // methods are case-sensitive
  EXPECT_EQ(parse_method("TRACE"), std::nullopt);
}

TEST(JsonError, ShapeAndEscaping) {
  Response r = json_error(422, "invalid_phone", "phone \"07x\" is not a number\n");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"error":{"code":"invalid_phone","message":"phone \"07x\" is not a number\n"}})");
}

TEST(JsonQuote, EscapesControlsKeepsUtf8ReplacesInvalidBytes) {
  EXPECT_EQ(json_quote(std::string("a\\b\x01", 4)), R"("a\\b\u0001")");
  EXPECT_EQ(json_quote("\xD8\xB9\xD9\x85\xD8\xA7\xD9\x86"), "\"\xD8\xB9\xD9\x85\xD8\xA7\xD9\x86\"");  // عمان
  EXPECT_EQ(json_quote("x\xff"
                       "y"),
            R"("x\ufffdy")");
  EXPECT_EQ(json_quote("\xD8"), R"("\ufffd")");                      // truncated sequence
  EXPECT_EQ(json_quote("\xED\xA0\x80"), R"("\ufffd\ufffd\ufffd")");  // a UTF-16 surrogate is not UTF-8
}

TEST(Responder, FirstAnswerWinsAndLaterOnesAreIgnored) {
  std::vector<std::pair<int, std::string>> delivered;
  Responder respond([&](const Response& r, const std::string& route) { delivered.emplace_back(r.status, route); });
  respond.set_route("/v1/courses");
  Responder copy = respond;  // NOLINT(performance-unnecessary-copy-initialization): copies share one answer
  EXPECT_FALSE(copy.answered());
  copy(text_response(200, "ok"));
  respond(text_response(201, "late"));
  EXPECT_TRUE(respond.answered());
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0], (std::pair<int, std::string>{200, "/v1/courses"}));
}

TEST(Responder, DroppingEveryCopyWithoutAnswerDelivers500) {
  std::vector<Response> delivered;
  {
    Responder respond([&](Response r, const std::string&) { delivered.push_back(std::move(r)); });
    Responder copy = respond;  // NOLINT(performance-unnecessary-copy-initialization): the last copy answers
  }
  ASSERT_EQ(delivered.size(), 1u);
  EXPECT_EQ(delivered[0].status, 500);
  EXPECT_NE(delivered[0].body.find("\"no_response\""), std::string::npos);
}

}  // namespace
}  // namespace cg::http
