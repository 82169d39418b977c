#include "gateway/http/access.hpp"

#include <chrono>
#include <string>
#include <utility>

#include "adapters/observe/log.hpp"

namespace cg::http {

Handler with_access_log(Handler inner) {
  return [inner = std::move(inner)](Request request, const Responder& respond) {
    const auto t0 = std::chrono::steady_clock::now();
    auto given = request.header("X-Request-Id");
    std::string id = given && log::valid_request_id(*given) ? std::string(*given) : log::generate_request_id();
    request.request_id = id;
    request.notes = std::make_shared<RequestNotes>();
    Responder logged([respond, id, notes = request.notes, t0, method = std::string(to_string(request.method)),
                      client = request.remote_address](Response response, const std::string& route) {
      response.headers.set("X-Request-Id", id);
      if (log::enabled(log::Level::info)) {
        log::RequestScope scope(id);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        const std::string phone = notes->phone();
        if (phone.empty())
          log::info("http", "request",
                    {{"method", method},
                     {"route", route.empty() ? "unmatched" : route},
                     {"status", response.status},
                     {"duration_ms", ms},
                     {"client", client}});
        else
          log::info("http", "request",
                    {{"method", method},
                     {"route", route.empty() ? "unmatched" : route},
                     {"status", response.status},
                     {"duration_ms", ms},
                     {"client", client},
                     {"phone", phone}});
      }
      respond.set_route(route);
      respond(std::move(response));
    });
    log::RequestScope scope(id);
    inner(std::move(request), std::move(logged));
  };
}

}  // namespace cg::http
