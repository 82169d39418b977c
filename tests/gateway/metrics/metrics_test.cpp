#include "gateway/metrics/metrics.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace cg::gateway {
namespace {

using namespace std::chrono_literals;

// The exposition line of one series, or "" when it is not there.
std::string line_of(const std::string& text, const std::string& prefix) {
  auto at = text.find(prefix);
  if (at == std::string::npos) return "";
  return text.substr(at, text.find('\n', at) - at);
}

TEST(Metrics, CountsFromManyThreadsAddUpInOneSeries) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 12; ++t) {  // more threads than shards: some share one
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 1000; ++i) metrics.request("/v1/sms/kannel/inbound", "GET", 200, 2ms);
      metrics.request("/v1/sms/kannel/inbound", "GET", 403, 1ms);
    });
  }
  for (auto& t : threads) t.join();
  std::string text = metrics.render_requests();
  EXPECT_EQ(
      line_of(text, R"(course_gateway_http_requests_total{route="/v1/sms/kannel/inbound",method="GET",status="200"})"),
      R"(course_gateway_http_requests_total{route="/v1/sms/kannel/inbound",method="GET",status="200"} 12000)");
  EXPECT_EQ(
      line_of(text, R"(course_gateway_http_requests_total{route="/v1/sms/kannel/inbound",method="GET",status="403"})"),
      R"(course_gateway_http_requests_total{route="/v1/sms/kannel/inbound",method="GET",status="403"} 12)");
  EXPECT_EQ(
      line_of(text,
              R"(course_gateway_http_request_seconds_total{route="/v1/sms/kannel/inbound",method="GET",status="200"})"),
      R"(course_gateway_http_request_seconds_total{route="/v1/sms/kannel/inbound",method="GET",status="200"} 24.000000)");
  // Each series once, however many shards counted it.
  std::size_t series = 0;
  for (std::size_t at = 0; (at = text.find("\ncourse_gateway_http_requests_total{", at)) != std::string::npos; ++at)
    ++series;
  EXPECT_EQ(series, 2u) << text;
}

TEST(Metrics, EachInstanceCountsItsOwnAndAnUnmatchedRouteIsLabelled) {
  Metrics a, b;
  a.request("/healthz", "GET", 200, 1ms);
  b.request("", "OTHER", 501, 1ms);
  b.request("", "OTHER", 501, 1ms);
  a.request("/healthz", "GET", 200, 1ms);
  EXPECT_NE(a.render_requests().find(R"({route="/healthz",method="GET",status="200"} 2)"), std::string::npos);
  EXPECT_EQ(a.render_requests().find("unmatched"), std::string::npos);
  EXPECT_NE(b.render_requests().find(R"({route="unmatched",method="OTHER",status="501"} 2)"), std::string::npos);
  EXPECT_EQ(b.render_requests().find("/healthz"), std::string::npos);
}

TEST(MetricsGauges, EveryFigureInExpositionFormat) {
  GaugeFigures f;
  f.applications_by_state = GaugeFigures::Counts{{"awaiting_quorum", 3}, {"confirmed", 0}};
  f.outbox_by_status = GaugeFigures::Counts{{"pending", 2}, {"odd\"one\\\n", 1}};
  f.store_up = true;
  EXPECT_EQ(render_gauges(f),
            "# HELP course_gateway_applications Applications by state.\n"
            "# TYPE course_gateway_applications gauge\n"
            "course_gateway_applications{state=\"awaiting_quorum\"} 3\n"
            "course_gateway_applications{state=\"confirmed\"} 0\n"
            "# HELP course_gateway_outbox_messages Outbox messages by delivery status.\n"
            "# TYPE course_gateway_outbox_messages gauge\n"
            "course_gateway_outbox_messages{status=\"pending\"} 2\n"
            "course_gateway_outbox_messages{status=\"odd\\\"one\\\\\\n\"} 1\n"
            "# HELP course_gateway_store_up Whether the store answers.\n"
            "# TYPE course_gateway_store_up gauge\n"
            "course_gateway_store_up 1\n");
}

TEST(MetricsGauges, AFigureTheStoreDidNotGiveIsLeftOut) {
  GaugeFigures f;  // nothing read: the store is down
  EXPECT_EQ(render_gauges(f),
            "# HELP course_gateway_store_up Whether the store answers.\n"
            "# TYPE course_gateway_store_up gauge\n"
            "course_gateway_store_up 0\n");
  f.outbox_by_status = GaugeFigures::Counts{};
  EXPECT_EQ(render_gauges(f).find("course_gateway_applications"), std::string::npos);
  EXPECT_NE(render_gauges(f).find("# TYPE course_gateway_outbox_messages gauge\n# HELP course_gateway_store_up"),
            std::string::npos);
}

TEST(Metrics, RequestDurationIsAHistogramPerRouteAndMethodWhateverTheStatus) {
  Metrics metrics;
  metrics.request("/v1/applications", "POST", 201, 3ms);
  metrics.request("/v1/applications", "POST", 409, 40ms);
  metrics.request("/v1/applications", "POST", 201, 20s);
  metrics.request("", "GET", 404, 1ms);  // no route matched
  const std::string text = metrics.render_requests();
  const std::string expected =
      "# HELP course_gateway_http_request_duration_seconds Time from a request read to its answer written, by route "
      "pattern and method.\n"
      "# TYPE course_gateway_http_request_duration_seconds histogram\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"0.001\"} 0\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"0.0025\"} "
      "0\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"0.005\"} 1\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"0.01\"} 1\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"0.025\"} 1\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"0.05\"} 2\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"0.1\"} 2\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"0.25\"} 2\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"0.5\"} 2\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"1\"} 2\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"2.5\"} 2\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"10\"} 2\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"/v1/applications\",method=\"POST\",le=\"+Inf\"} 3\n"
      "course_gateway_http_request_duration_seconds_sum{route=\"/v1/applications\",method=\"POST\"} 20.043\n"
      "course_gateway_http_request_duration_seconds_count{route=\"/v1/applications\",method=\"POST\"} 3\n"
      "course_gateway_http_request_duration_seconds_bucket{route=\"unmatched\",method=\"GET\",le=\"0.001\"} 1\n";
  EXPECT_NE(text.find(expected), std::string::npos) << text;
  EXPECT_NE(text.find("course_gateway_http_request_duration_seconds_count{route=\"unmatched\",method=\"GET\"} 1\n"),
            std::string::npos);
}

TEST(Metrics, AStartedWorkerShowsZeroFailures) {
  Metrics metrics;
  metrics.worker_started("cg-scheduler");
  metrics.worker_failure("cg-outbox-0");
  metrics.worker_started("cg-outbox-0");  // counted already: unchanged
  const std::string text = metrics.render_requests();
  EXPECT_NE(text.find("course_gateway_worker_failures_total{worker=\"cg-outbox-0\"} 1\n"
                      "course_gateway_worker_failures_total{worker=\"cg-scheduler\"} 0\n"),
            std::string::npos)
      << text;
}

TEST(Metrics, TheOldestPendingOutboxRowsAgeIsAGauge) {
  GaugeFigures f;
  f.store_up = true;
  f.outbox_oldest_pending_age_seconds = 754.5;
  EXPECT_EQ(
      render_gauges(f),
      "# HELP course_gateway_outbox_oldest_pending_age_seconds Age of the oldest outbox row not yet sent (pending "
      "or sending); 0 when none.\n"
      "# TYPE course_gateway_outbox_oldest_pending_age_seconds gauge\n"
      "course_gateway_outbox_oldest_pending_age_seconds 754.5\n"
      "# HELP course_gateway_store_up Whether the store answers.\n"
      "# TYPE course_gateway_store_up gauge\n"
      "course_gateway_store_up 1\n");
}

}  // namespace
}  // namespace cg::gateway
