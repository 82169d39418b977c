// Nobody but the website's backend can apply: its key, the daily caps per phone and per identity
// document, the countries SMS may go to, and Idempotency-Keys bound to the request they came with.
#include <strings.h>

#include "tests/gateway/gateway_fixture.hpp"

namespace cg::gateway::testing {
namespace {

class WebsiteApi : public GatewayTest {
 protected:
  void customise(Config& c) const override {
    c.website.applications_per_phone_per_day = 3;
    c.website.applications_per_document_per_day = 2;
  }
  test::HttpResponse apply_body(const json& body, test::HeaderList headers = {}) {
    return call("POST", "/v1/applications", body.dump(), std::move(headers));
  }
  json body_for(std::int64_t course, int n) {
    json b = person(n);
    b["course_id"] = course;
    return b;
  }
  std::string code_of(const test::HttpResponse& r) {
    json j = json::parse(r.body, nullptr, false);
    return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
  }
  std::string header_of(const test::HttpResponse& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
      if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
    return "";
  }
  std::vector<std::int64_t> courses(int n) {
    std::vector<std::int64_t> ids;
    for (int i = 0; i < n; ++i)
      ids.push_back(create_course({{"code", std::to_string(201 + i)}, {"min_participants", 50}}));
    return ids;
  }
};

TEST_F(WebsiteApi, ApplyingWithoutTheWebsiteKeyIs401AndChangesNothing) {
  auto course = create_course();
  auto before = counts();
  for (std::string auth :
       std::vector<std::string>{"", "Bearer ", "Bearer wrong-key-0123456789abcdef",
                                "Bearer test-website-key-0123456789abcde", std::string("Bearer ") + kAdminToken}) {
    auto r = apply_body(body_for(course, 1), {{"Authorization", auth}});
    EXPECT_EQ(r.status, 401) << auth << " " << r.body;
    EXPECT_EQ(code_of(r), "unauthorized");
  }
  EXPECT_EQ(counts(), before);
  auto ok = apply_body(body_for(course, 1));
  ASSERT_EQ(ok.status, 201) << ok.body;
  std::string id = json::parse(ok.body)["application_id"];
  // The application's id is a capability, but only the website may use it.
  EXPECT_EQ(call("GET", "/v1/applications/" + id, "", {{"Authorization", "Bearer nope"}}).status, 401);
  EXPECT_EQ(call("POST", "/v1/applications/" + id + "/cancel", "", {{"Authorization", "Bearer nope"}}).status, 401);
  EXPECT_EQ(state_of(id), "awaiting_quorum");
  // What the website lists is public.
  EXPECT_EQ(call("GET", "/v1/courses", "", {{"Authorization", "Bearer nope"}}).status, 200);
}

TEST_F(WebsiteApi, APhoneNumberGetsSoManyApplicationsADayThen429WithRetryAfter) {
  auto ids = courses(5);
  // One phone, a different document each time (someone pumping SMS to one number).
  for (int i = 0; i < 3; ++i) {
    json b = body_for(ids[i], 10 + i);
    b["phone"] = "0791111111";
    auto r = apply_body(b);
    ASSERT_EQ(r.status, 201) << r.body;
    clock_.advance(std::chrono::hours(1));
  }
  auto before = counts();
  json b = body_for(ids[3], 20);
  b["phone"] = "0791111111";
  auto refused = apply_body(b);
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(code_of(refused), "too_many_applications");
  // The first of the three leaves the 24 hours in 21 hours.
  EXPECT_EQ(header_of(refused, "Retry-After"), std::to_string(21 * 3600));
  EXPECT_EQ(counts(), before);
  clock_.advance(std::chrono::hours(21));
  EXPECT_EQ(apply_body(b).status, 201);
}

TEST_F(WebsiteApi, AnIdentityDocumentGetsSoManyApplicationsADay) {
  auto ids = courses(3);
  // One national ID from different phones (someone squatting another person's ID).
  for (int i = 0; i < 2; ++i) {
    json b = body_for(ids[i], 30 + i);
    b["id_number"] = "9911111111";
    ASSERT_EQ(apply_body(b).status, 201);
  }
  json b = body_for(ids[2], 40);
  b["id_number"] = "9911111111";
  auto refused = apply_body(b);
  EXPECT_EQ(refused.status, 429) << refused.body;
  EXPECT_EQ(header_of(refused, "Retry-After"), std::to_string(24 * 3600));
}

TEST_F(WebsiteApi, APhoneOutsideTheAllowedCountriesIs400NamingThePhone) {
  auto course = create_course();
  auto before = counts();
  json b = body_for(course, 1);
  b["phone"] = "+447911123456";
  auto r = apply_body(b);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(code_of(r), "destination_not_allowed");
  EXPECT_NE(r.body.find("phone"), std::string::npos) << r.body;
  EXPECT_EQ(counts(), before);
  EXPECT_TRUE(outbox().empty());
}

TEST_F(WebsiteApi, AnIdempotencyKeyAnswersOnlyTheRequestItCameWith) {
  auto course = create_course();
  auto first = apply_body(body_for(course, 1), {{"Idempotency-Key", "k-1"}});
  ASSERT_EQ(first.status, 201) << first.body;
  std::string first_id = json::parse(first.body)["application_id"];
  auto before = counts();
  // Another person's body with a used key: refused, and the first id is nowhere in the answer.
  auto other = apply_body(body_for(course, 2), {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_EQ(code_of(other), "idempotency_key_reused");
  EXPECT_EQ(other.body.find(first_id), std::string::npos) << other.body;
  EXPECT_EQ(counts(), before);
  // The same body again: the first answer, as before.
  auto again = apply_body(body_for(course, 1), {{"Idempotency-Key", "k-1"}});
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["application_id"], first_id);
}

class TwoWebsites : public WebsiteApi {
 protected:
  void customise(Config& c) const override { c.website.api_keys = {kWebsiteKey, kOtherKey}; }
  static constexpr const char* kOtherKey = "another-website-key-0123456789";
};

TEST_F(TwoWebsites, IdempotencyKeysAreScopedToTheCaller) {
  auto course = create_course();
  auto first = apply_body(body_for(course, 1), {{"Idempotency-Key", "shared"}});
  ASSERT_EQ(first.status, 201) << first.body;
  std::string first_id = json::parse(first.body)["application_id"];
  // The other caller, the same key and the same body: its own request, not a replay of the first.
  auto other = apply_body(body_for(course, 1),
                          {{"Idempotency-Key", "shared"}, {"Authorization", std::string("Bearer ") + kOtherKey}});
  EXPECT_EQ(other.body.find(first_id), std::string::npos) << other.body;
  EXPECT_EQ(other.status, 409) << other.body;  // the document already has an application for it
  auto fresh = apply_body(body_for(course, 2),
                          {{"Idempotency-Key", "shared"}, {"Authorization", std::string("Bearer ") + kOtherKey}});
  EXPECT_EQ(fresh.status, 201) << fresh.body;
}

}  // namespace
}  // namespace cg::gateway::testing
