// Request ids and the access log, around the gateway's Handler: every request gets an id (the
// client's X-Request-Id when it is short and plain, else a new one), its handler and the store
// commands it queues run under that id (their log lines and outbox rows carry it), its answer
// carries it back in X-Request-Id, and one log line per request says what it was: route pattern
// (never the query string, which may hold keys), status, duration, client address (after trusted
// proxies), and the masked phone number when the handler noted one.
#pragma once

#include "gateway/http/handler.hpp"

namespace cg::http {

Handler with_access_log(Handler inner);

}  // namespace cg::http
