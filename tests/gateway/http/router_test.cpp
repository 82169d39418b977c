#include "gateway/http/router.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>

namespace cg::http {
namespace {

// What one dispatch produced: the answer and the route label the metrics hook would see.
struct Outcome {
  std::optional<Response> response;
  std::string route;
};

Outcome call(const Router& router, Method method, std::string path) {
  Outcome out;
  Request request;
  request.method = method;
  request.path = std::move(path);
  router.dispatch(std::move(request), Responder([&](Response r, std::string route) {
                    out.response = std::move(r);
                    out.route = std::move(route);
                  }));
  return out;
}

// A handler that answers with the route's name and its path parameters, "name k=v k=v".
Handler named(const std::string& name) {
  return sync_handler([name](const Request& r) {
    std::string body = name;
    for (const auto& [k, v] : r.path_params) body.append(" ").append(k).append("=").append(v);
    return text_response(200, body);
  });
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router.add(Method::get, "/healthz", named("health"))
        .add(Method::get, "/v1/applications/{id}", named("application"))
        .add(Method::post, "/v1/applications", named("apply"))
        .add({Method::get, Method::post}, "/v1/sms/kannel/inbound", named("kannel"))
        .add({Method::get, Method::post}, "/v1/sms/{provider}/status", named("status"))
        .add(Method::post, "/v1/sms/kannel/status", named("kannel-status"))
        .add(Method::patch, "/v1/admin/courses/{course}/applications/{application}", named("admin"))
        .add(Method::get, "/", named("root"));
  }
  Router router;
};

TEST_F(RouterTest, MatchesLiteralAndParameterSegments) {
  auto health = call(router, Method::get, "/healthz");
  ASSERT_TRUE(health.response);
  EXPECT_EQ(health.response->body, "health");
  EXPECT_EQ(health.route, "/healthz");

  auto app = call(router, Method::get, "/v1/applications/3f2a");
  EXPECT_EQ(app.response->body, "application id=3f2a");
  EXPECT_EQ(app.route, "/v1/applications/{id}");

  auto admin = call(router, Method::patch, "/v1/admin/courses/c7/applications/a9");
  EXPECT_EQ(admin.response->body, "admin course=c7 application=a9");

  EXPECT_EQ(call(router, Method::get, "/").response->body, "root");
}

TEST_F(RouterTest, PathParametersArePercentDecodedButPlusStays) {
  auto app = call(router, Method::get, "/v1/applications/a%2Fb+c");
  EXPECT_EQ(app.response->body, "application id=a/b+c");
}

TEST_F(RouterTest, MalformedEscapeInParameterIs400) {
  auto bad = call(router, Method::get, "/v1/applications/a%zz");
  ASSERT_TRUE(bad.response);
  EXPECT_EQ(bad.response->status, 400);
  EXPECT_NE(bad.response->body.find("\"invalid_path\""), std::string::npos) << bad.response->body;
  EXPECT_EQ(bad.route, "");
}

TEST_F(RouterTest, GetAndPostOnOneRoute) {
  EXPECT_EQ(call(router, Method::get, "/v1/sms/kannel/inbound").response->body, "kannel");
  EXPECT_EQ(call(router, Method::post, "/v1/sms/kannel/inbound").response->body, "kannel");
}

TEST_F(RouterTest, LiteralSegmentBeatsParameterWhenMethodAllows) {
  EXPECT_EQ(call(router, Method::post, "/v1/sms/kannel/status").response->body, "kannel-status");
  // The literal route has no GET; the parameter route does, so it serves.
  auto get = call(router, Method::get, "/v1/sms/kannel/status");
  EXPECT_EQ(get.response->body, "status provider=kannel");
  EXPECT_EQ(get.route, "/v1/sms/{provider}/status");
  EXPECT_EQ(call(router, Method::post, "/v1/sms/twilio/status").response->body, "status provider=twilio");
}

TEST_F(RouterTest, HeadFallsBackToGet) {
  auto head = call(router, Method::head, "/v1/applications/7");
  EXPECT_EQ(head.response->body, "application id=7");
  EXPECT_EQ(head.route, "/v1/applications/{id}");
  EXPECT_EQ(call(router, Method::head, "/v1/applications").response->status, 405);  // POST only
}

// A GET that acts (Kannel's get-url delivers a message by GET) is not run for a HEAD, which a
// link checker or a proxy may send: 405, and HEAD is not in its Allow.
TEST(RouterHead, AnActingGetIsNotRunForHead) {
  Router router;
  int runs = 0;
  router.add({Method::get, Method::post}, "/v1/sms/kannel/inbound", sync_handler([&runs](const Request&) {
               ++runs;
               return text_response(200, "");
             }),
             Router::Head::refused);
  router.add(Method::get, "/v1/sms/{provider}/inbound", named("param"), Router::Head::refused);
  auto head = call(router, Method::head, "/v1/sms/kannel/inbound");
  ASSERT_TRUE(head.response);
  EXPECT_EQ(head.response->status, 405);
  EXPECT_EQ(head.response->headers.get("Allow"), "GET, POST");
  EXPECT_EQ(call(router, Method::head, "/v1/sms/twilio/inbound").response->status, 405);
  EXPECT_EQ(runs, 0);
  EXPECT_EQ(call(router, Method::get, "/v1/sms/kannel/inbound").response->status, 200);
  EXPECT_EQ(runs, 1);
}

TEST_F(RouterTest, UnknownPathIs404Json) {
  for (const char* path : {"/nope", "/v1/application", "/v1/applications/", "/v1/applications/x/y", "/healthz/"}) {
    auto out = call(router, Method::get, path);
    ASSERT_TRUE(out.response) << path;
    EXPECT_EQ(out.response->status, 404) << path;
    EXPECT_EQ(out.response->content_type, "application/json");
    EXPECT_NE(out.response->body.find(R"({"error":{"code":"not_found")"), std::string::npos) << out.response->body;
    EXPECT_EQ(out.route, "");
  }
}

TEST_F(RouterTest, KnownPathWrongMethodIs405WithAllow) {
  auto out = call(router, Method::delete_, "/v1/sms/kannel/status");
  ASSERT_TRUE(out.response);
  EXPECT_EQ(out.response->status, 405);
  EXPECT_EQ(out.response->headers.get("Allow"), "GET, HEAD, POST");
  EXPECT_NE(out.response->body.find("\"method_not_allowed\""), std::string::npos);

  auto apply = call(router, Method::get, "/v1/applications");
  EXPECT_EQ(apply.response->status, 405);
  EXPECT_EQ(apply.response->headers.get("allow"), "POST");
}

TEST(RouterRegistration, RejectsBadPatternsAndDuplicates) {
  Router router;
  router.add(Method::get, "/v1/applications/{id}", named("a"));
  EXPECT_THROW(router.add(Method::get, "/v1/applications/{other}", named("b")), std::invalid_argument);
  EXPECT_NO_THROW(router.add(Method::post, "/v1/applications/{id}", named("c")));
  EXPECT_THROW(router.add(Method::get, "v1/x", named("d")), std::invalid_argument);
  EXPECT_THROW(router.add(Method::get, "/v1//x", named("d")), std::invalid_argument);
  EXPECT_THROW(router.add(Method::get, "/v1/{}", named("d")), std::invalid_argument);
  EXPECT_THROW(router.add(Method::get, "/v1/{1x}", named("d")), std::invalid_argument);
  EXPECT_THROW(router.add(Method::get, "/v1/a{b}", named("d")), std::invalid_argument);
  EXPECT_THROW(router.add(Method::get, "/v1/{a}/{a}", named("d")), std::invalid_argument);
  EXPECT_THROW(router.add(Method::get, "/v1/y", Handler{}), std::invalid_argument);
  EXPECT_EQ(router.patterns(), std::vector<std::string>{"/v1/applications/{id}"});
}

TEST(RouterRegistration, APatternEndingInASlashIsAPathOfItsOwn) {
  Router router;
  router.add(Method::get, "/console/", named("folder"));
  router.add(Method::get, "/console", named("plain"));
  router.add(Method::get, "/console/{name}", named("file"));
  EXPECT_EQ(call(router, Method::get, "/console/").response->body, "folder");
  EXPECT_EQ(call(router, Method::get, "/console").response->body, "plain");
  EXPECT_EQ(call(router, Method::get, "/console/app.js").response->body, "file name=app.js");
  EXPECT_EQ(call(router, Method::get, "/console/app.js/").response->status, 404);
  EXPECT_THROW(router.add(Method::get, "/a//", named("x")), std::invalid_argument) << "only the last may be empty";
}

TEST(RouterRegistration, ErrorNamesTheRoute) {
  Router router;
  try {
    router.add(Method::post, "/v1/{bad-name}", named("x"));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("POST /v1/{bad-name}"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace cg::http
