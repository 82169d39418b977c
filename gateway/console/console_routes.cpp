#include "gateway/console/console_routes.hpp"

#include <mutex>
#include <optional>
#include <variant>

#include <nlohmann/json.hpp>

#include "adapters/crypto/password.hpp"
#include "core/time.hpp"
#include "gateway/console/assets.hpp"
#include "gateway/console/auth.hpp"
#include "gateway/console/course_edit.hpp"
#include "gateway/console/course_pages.hpp"
#include "gateway/console/message_pages.hpp"
#include "gateway/console/operators.hpp"
#include "gateway/console/overview.hpp"
#include "gateway/console/page_query.hpp"
#include "gateway/console/password_worker.hpp"
#include "gateway/console/payment_pages.hpp"
#include "gateway/console/simulator.hpp"
#include "gateway/service/audit.hpp"
#include "gateway/web/http_json.hpp"

namespace cg::gateway::console {

using http::Method;
using http::Request;
using http::Responder;
using http::Response;
using nlohmann::json;

namespace {

// No inline script or style anywhere (the files are built for it): only the console's own files
// run, and nothing may frame it.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

void secure_headers(Response& r) {
  r.headers.set("Content-Security-Policy", std::string(kContentSecurityPolicy));
  r.headers.set("X-Content-Type-Options", "nosniff");
  r.headers.set("Referrer-Policy", "no-referrer");
  r.headers.set("X-Frame-Options", "DENY");
  if (!r.headers.contains("Cache-Control")) r.headers.set("Cache-Control", "no-store");
}

// Every console answer, errors included, carries the security headers.
http::Handler secured(http::Handler inner) {
  return [inner = std::move(inner)](Request req, const Responder& respond) {
    Responder wrapped([respond](Response r, const std::string&) {
      secure_headers(r);
      respond(std::move(r));
    });
    inner(std::move(req), std::move(wrapped));
  };
}

Response json_ok(int status, const json& j) { return web::json_replacing(status, j); }

const EmbeddedAsset* find_asset(std::string_view path) {
  for (const auto& a : embedded_assets())
    if (a.path == path) return &a;
  return nullptr;
}

Response asset_response(const Request& req, const EmbeddedAsset& a) {
  Response r;
  // Revalidated on every use (the files change with the binary, their names do not); an
  // unchanged file costs a 304.
  r.headers.set("Cache-Control", "no-cache");
  r.headers.set("ETag", std::string(a.etag));
  if (auto inm = req.header("If-None-Match"); inm && inm->find(a.etag) != std::string_view::npos) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.content_type = std::string(a.content_type);
  r.body = std::string(a.body);
  return r;
}

json operator_json(const store::Operator& o) {
  return json{{"id", o.id},
              {"username", o.username},
              {"role", o.role},
              {"disabled", o.disabled},
              {"created_at", core::format_iso8601_utc(o.created_at)},
              {"password_changed_at", core::format_iso8601_utc(o.password_changed_at)}};
}

json audit_json(const store::AuditEntry& e) {
  auto parsed = [](const std::string& text) {
    if (text.empty()) return json(nullptr);
    json j = json::parse(text, nullptr, false);
    return j.is_discarded() ? json(text) : j;
  };
  return json{{"id", e.id},
              {"actor", e.actor},
              {"at", core::format_iso8601_utc(e.at)},
              {"action", e.action},
              {"target", e.target},
              {"before", parsed(e.before)},
              {"after", parsed(e.after)},
              {"client_address", e.client_address}};
}

std::optional<std::string> string_field(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

class Console {
 public:
  Console(Service& service, ConversationService& conversation, const Config& config, const Clock& clock,
          const Dispatcher* dispatcher)
      : store_(service.store()),
        pages_(service, clock),
        edit_(service, clock),
        payments_(service, clock, config.utc_offset),
        messages_(service, clock, config, dispatcher),
        simulator_(conversation, service.store(), config.console.simulator),
        config_(config),
        clock_(clock),
        secure_(config.public_base_url.rfind("https://", 0) == 0),
        throttle_({.max_per_account = config.console.max_failures_per_account,
                   .max_per_address = config.console.max_failures_per_address,
                   .window = config.console.failure_window}) {}

  // Who is signed in, if they may do this: the session is live, the operator enabled and of the
  // role `need`, and a request that changes something carries the session's CSRF token.
  struct Caller {
    store::Operator op;
    Role role = Role::viewer;
    std::string token;
  };
  std::variant<Caller, Response> authenticate(const Request& req, Role need, bool changes) {
    auto unauthorized = [this](std::string_view code, std::string_view message) {
      Response r = http::json_error(401, code, message);
      r.headers.set("Set-Cookie", cleared_cookie(secure_));
      return r;
    };
    auto cookie = req.header("Cookie");
    std::optional<std::string> token = cookie ? cookie_value(*cookie, kCookieName) : std::nullopt;
    if (!token || token->empty()) return http::json_error(401, "not_signed_in", "sign in first");
    const std::string hash = token_hash(*token);
    std::optional<store::ConsoleSession> session;
    std::optional<store::Operator> op;
    Status s = store_.read([&](store::Tx& tx) -> Status {
      auto found = tx.console_session(hash);
      if (!found) return found.error();
      session = std::move(*found);
      if (!session) return ok_status();
      auto who = tx.operator_by_id(session->operator_id);
      if (!who) return who.error();
      op = std::move(*who);
      return ok_status();
    });
    if (!s) return http::store_failure(s.error());
    if (!session || !op || op->disabled) return unauthorized("not_signed_in", "sign in first");
    const core::Instant now = clock_.now();
    if (idle_expired(session->last_seen_at, now, config_.console.idle_timeout)) {
      store_.write([hash](store::Tx& tx) { return tx.delete_console_session(hash); }, [](const Status&) {});
      return unauthorized("session_expired", "the session was idle too long; sign in again");
    }
    if (changes) {
      // A body that is not JSON could come from a plain HTML form on another site.
      auto ct = req.header("Content-Type");
      if (req.method != Method::delete_ && (!ct || ct->find("application/json") == std::string_view::npos))
        return http::json_error(415, "unsupported_media_type", "Content-Type must be application/json");
      if (!csrf_ok(*token, req.header("X-CSRF-Token")))
        return http::json_error(403, "csrf", "the request lacks this session's X-CSRF-Token");
    }
    Role role = parse_role(op->role).value_or(Role::viewer);
    if (!allows(role, need)) return http::json_error(403, "forbidden", "your role may not do this");
    // The idle clock is moved on at most once a minute: a page polling every few seconds does not
    // turn every read into a write.
    if (now - session->last_seen_at >= std::chrono::seconds{60})
      store_.write([hash, now](store::Tx& tx) { return tx.touch_console_session(hash, now); }, [](const Status&) {});
    return Caller{std::move(*op), role, std::move(*token)};
  }

  // Wraps a handler that needs a signed-in operator of role `need`.
  http::Handler signed_in(Role need, bool changes,
                          std::function<void(Caller, const Request&, const Responder&)> inner) {
    return secured([this, need, changes, inner = std::move(inner)](const Request& req, const Responder& respond) {
      auto who = authenticate(req, need, changes);
      if (auto* r = std::get_if<Response>(&who)) return respond(std::move(*r));
      inner(std::move(std::get<Caller>(who)), req, respond);
    });
  }

  void sign_in(const Request& req, const Responder& respond) {
    auto body = web::parse_json_body(req);
    if (!body) return respond(web::bad(body.error()));
    auto username = string_field(*body, "username");
    auto password = string_field(*body, "password");
    if (!username || !password || username->empty() || password->empty() || username->size() > 256 ||
        password->size() > 1024)
      return respond(http::json_error(400, "invalid_request", "username and password are required"));
    const std::string address = req.remote_address;
    const core::Instant now = clock_.now();
    if (auto wait = throttle_.refused(*username, address, now)) {
      Response r = http::json_error(429, "too_many_attempts", "too many failed sign-ins; try again later");
      r.headers.set("Retry-After", std::to_string(wait->count()));
      return respond(std::move(r));
    }
    std::optional<store::Operator> op;
    Status s = store_.read([&](store::Tx& tx) -> Status {
      auto found = tx.operator_by_name(*username);
      if (!found) return found.error();
      op = std::move(*found);
      return ok_status();
    });
    if (!s) return respond(http::store_failure(s.error()));
    // Counted as a failure before the check and taken back on success, so attempts queued at once
    // cannot pass the limit before the first of them is judged.
    throttle_.failed(*username, address, now);
    bool queued = worker_.post([this, op, username = *username, password = *password, address, now, respond] {
      bool ok = false;
      if (op) {
        ok = crypto::verify_password(password, op->password_hash) && !op->disabled;
      } else {
        // An unknown name takes as long as a wrong password: names are not revealed by timing.
        (void)crypto::verify_password(password, dummy_hash());
      }
      if (!ok) return respond(http::json_error(401, "invalid_credentials", "wrong username or password"));
      throttle_.succeeded(username, address, now);
      const std::string token = new_session_token();
      store::ConsoleSession session{token_hash(token), op->id, now, now, address};
      const std::string name = op->username;
      const std::string role = op->role;
      store_.write(
          [session, name, address, now](store::Tx& tx) -> Status {
            if (auto st = tx.insert_console_session(session); !st) return st;
            return audit(tx, AuditBy{name, address}, now, "session.sign_in", "operator:" + name, "", "");
          },
          [this, respond, token, name, role](const Status& st) {
            if (!st) return respond(http::store_failure(st.error()));
            Response r = json_ok(200, json{{"username", name}, {"role", role}, {"csrf", csrf_token(token)}});
            r.headers.set("Set-Cookie", session_cookie(token, secure_));
            respond(std::move(r));
          });
    });
    if (!queued) respond(http::json_error(503, "busy", "too many sign-ins at once; try again"));
  }

  void whoami(const Caller& c, const Request&, const Responder& respond) {
    respond(json_ok(200, json{{"username", c.op.username},
                              {"role", c.op.role},
                              {"csrf", csrf_token(c.token)},
                              {"idle_timeout_s", config_.console.idle_timeout.count()}}));
  }

  void sign_out(const Caller& c, const Request& req, const Responder& respond) {
    const std::string hash = token_hash(c.token);
    const AuditBy by{c.op.username, req.remote_address};
    const core::Instant now = clock_.now();
    store_.write(
        [hash, by, now](store::Tx& tx) -> Status {
          if (auto st = tx.delete_console_session(hash); !st) return st;
          return audit(tx, by, now, "session.sign_out", "operator:" + by.actor, "", "");
        },
        [this, respond](const Status& st) {
          if (!st) return respond(http::store_failure(st.error()));
          Response r = json_ok(200, json{{"signed_out", true}});
          r.headers.set("Set-Cookie", cleared_cookie(secure_));
          respond(std::move(r));
        });
  }

  void get_overview(const Caller&, const Request&, const Responder& respond) {
    auto o = overview(store_, clock_.now());
    if (!o) return respond(web::error_response(o.error()));
    respond(json_ok(200, *o));
  }

  void get_operators(const Caller&, const Request&, const Responder& respond) {
    auto all = list_operators(store_);
    if (!all) return respond(web::error_response(all.error()));
    json list = json::array();
    for (const auto& o : *all) list.push_back(operator_json(o));
    respond(json_ok(200, json{{"operators", std::move(list)}}));
  }

  void post_operator(const Caller& c, const Request& req, const Responder& respond) {
    auto body = web::parse_json_body(req);
    if (!body) return respond(web::bad(body.error()));
    auto username = string_field(*body, "username");
    auto role_text = string_field(*body, "role");
    auto password = string_field(*body, "password");
    if (!username || !valid_username(*username))
      return respond(http::json_error(400, "invalid_operator", "username: 1 to 64 of a-z, 0-9, '.', '_' and '-'"));
    auto role = role_text ? parse_role(*role_text) : std::nullopt;
    if (!role) return respond(http::json_error(400, "invalid_operator", "role: viewer, operator or admin"));
    bool generated = !password || password->empty();
    if (!generated)
      if (auto problem = password_problem(*password))
        return respond(http::json_error(400, "invalid_operator", "password: " + *problem));
    std::string chosen = generated ? crypto::generate_password() : *password;
    const AuditBy by{c.op.username, req.remote_address};
    bool queued = worker_.post([this, username = *username, role = *role, chosen, generated, by, respond] {
      auto hash = crypto::hash_password(chosen);
      if (!hash) return respond(web::error_response(hash.error()));
      auto added = add_operator(store_, username, role, *hash, by, clock_.now());
      if (!added) return respond(web::error_response(added.error()));
      json out = operator_json(*added);
      // Shown once, to the admin who added the operator; never stored or logged.
      if (generated) out["password"] = chosen;
      respond(json_ok(201, out));
    });
    if (!queued) respond(http::json_error(503, "busy", "too many requests at once; try again"));
  }

  void post_disable(const Caller& c, const Request& req, const Responder& respond) {
    std::string username(*req.path_param("username"));
    if (username == c.op.username)
      return respond(http::json_error(400, "cannot_disable_self", "an admin cannot disable their own account"));
    const AuditBy by{c.op.username, req.remote_address};
    // The write waits for its commit: on the worker, not on this HTTP thread.
    bool queued = worker_.post([this, username, by, respond] {
      auto done = disable_operator(store_, username, by, clock_.now());
      if (!done) return respond(web::error_response(done.error()));
      respond(json_ok(200, operator_json(*done)));
    });
    if (!queued) respond(http::json_error(503, "busy", "too many requests at once; try again"));
  }

  void get_audit(const Caller&, const Request& req, const Responder& respond) {
    std::int64_t before = 0;
    if (auto b = req.query_param("before")) {
      auto v = web::parse_id(*b);
      if (!v) return respond(http::json_error(400, "invalid_query", "before: an audit id"));
      before = *v;
    }
    auto page = page_limit(req);
    if (!page) return respond(http::json_error(400, "invalid_query", page.error().message));
    const std::size_t limit = *page;
    std::optional<std::vector<store::AuditEntry>> entries;
    Status s = store_.read([&](store::Tx& tx) -> Status {
      auto r = tx.audit_log(before, limit);
      if (!r) return r.error();
      entries = std::move(*r);
      return ok_status();
    });
    if (!s) return respond(http::store_failure(s.error()));
    json list = json::array();
    for (const auto& e : *entries) list.push_back(audit_json(e));
    // The next page starts below the last id shown; none when this page was not full.
    json next = next_after(*entries, limit, [](const store::AuditEntry& e) { return e.id; });
    respond(json_ok(200, json{{"entries", std::move(list)}, {"next_before", next}}));
  }

  Status forget_idle_sessions() {
    const core::Instant now = clock_.now();
    // Once a minute is enough: an idle session is refused when used whether or not it is still stored.
    if (last_cleanup_ && now - *last_cleanup_ < std::chrono::seconds{60}) return ok_status();
    last_cleanup_ = now;
    const core::Instant cutoff = now - config_.console.idle_timeout;
    return store_.write_sync([cutoff](store::Tx& tx) -> Status {
      auto n = tx.delete_console_sessions_idle_since(cutoff);
      if (!n) return n.error();
      return ok_status();
    });
  }

  // Every /console/api/ route reads the store (the session at least), so it runs on the reader pool,
  // off the server's threads; the files are in the binary and answer on the server's thread.
  void register_routes(http::Router& router, http::ReaderPool& readers) {
    auto pooled = [&readers](http::Handler h) { return http::on_pool(readers, std::move(h)); };
    router.add(Method::get, "/console", secured(http::sync_handler([](const Request&) {
                 Response r;
                 r.status = 308;
                 r.headers.set("Location", "/console/");
                 return r;
               })));
    router.add(Method::get, "/console/", secured(http::sync_handler([](const Request& req) {
                 const auto* index = find_asset("index.html");
                 if (!index) return http::json_error(404, "not_found", "the console's files are missing");
                 return asset_response(req, *index);
               })));
    router.add(Method::get, "/console/assets/{name}", secured(http::sync_handler([](const Request& req) {
                 const auto* a = find_asset(*req.path_param("name"));
                 if (!a) return http::json_error(404, "not_found", "no such file");
                 return asset_response(req, *a);
               })));
    router.add(Method::post, "/console/api/session",
               pooled(secured([this](const Request& req, const Responder& respond) { sign_in(req, respond); })));
    auto bind = [this](auto method) {
      return
          [this, method](Caller c, const Request& req, const Responder& respond) { (this->*method)(c, req, respond); };
    };
    router.add(Method::get, "/console/api/session", pooled(signed_in(Role::viewer, false, bind(&Console::whoami))));
    router.add(Method::delete_, "/console/api/session",
               pooled(signed_in(Role::viewer, true, bind(&Console::sign_out))));
    router.add(Method::get, "/console/api/overview",
               pooled(signed_in(Role::viewer, false, bind(&Console::get_overview))));
    router.add(Method::get, "/console/api/operators",
               pooled(signed_in(Role::admin, false, bind(&Console::get_operators))));
    router.add(Method::post, "/console/api/operators",
               pooled(signed_in(Role::admin, true, bind(&Console::post_operator))));
    router.add(Method::post, "/console/api/operators/{username}/disable",
               pooled(signed_in(Role::admin, true, bind(&Console::post_disable))));
    router.add(Method::get, "/console/api/audit", pooled(signed_in(Role::admin, false, bind(&Console::get_audit))));
    // The Course and Application pages (course_pages.hpp).
    auto page = [this](auto method) {
      return [this, method](const Caller& c, const Request& req, const Responder& respond) {
        (pages_.*method)(PageCaller{c.op.username, c.role}, req, respond);
      };
    };
    router.add(Method::get, "/console/api/courses/{id}",
               pooled(signed_in(Role::viewer, false, page(&CoursePages::get_course))));
    router.add(Method::get, "/console/api/courses/{id}/applications",
               pooled(signed_in(Role::viewer, false, page(&CoursePages::get_applicants))));
    router.add(Method::get, "/console/api/courses/{id}/export",
               pooled(signed_in(Role::viewer, false,
                                [this, &readers](const Caller& c, const Request& req, const Responder& respond) {
                                  pages_.export_applicants(PageCaller{c.op.username, c.role}, req, respond, readers);
                                })));
    router.add(Method::get, "/console/api/applications",
               pooled(signed_in(Role::viewer, false, page(&CoursePages::find_applications))));
    router.add(Method::get, "/console/api/applications/{id}",
               pooled(signed_in(Role::viewer, false, page(&CoursePages::get_application))));
    router.add(Method::post, "/console/api/applications/{id}/cancel",
               pooled(signed_in(Role::operator_, true, page(&CoursePages::cancel))));
    router.add(Method::post, "/console/api/applications/{id}/prerequisite",
               pooled(signed_in(Role::operator_, true, page(&CoursePages::record_pass))));
    // Creating, editing and broadcasting from the Course page (course_edit.hpp): operators. The
    // previews change nothing but take a body, so they are POSTs with the session's CSRF token.
    auto edit = [this](auto method) {
      return [this, method](const Caller& c, const Request& req, const Responder& respond) {
        (edit_.*method)(PageCaller{c.op.username, c.role}, req, respond);
      };
    };
    router.add(Method::post, "/console/api/courses",
               pooled(signed_in(Role::operator_, true, edit(&CourseEdit::create))));
    router.add(Method::patch, "/console/api/courses/{id}",
               pooled(signed_in(Role::operator_, true, edit(&CourseEdit::edit))));
    router.add(Method::post, "/console/api/courses/{id}/preview",
               pooled(signed_in(Role::operator_, true, edit(&CourseEdit::preview_edit))));
    router.add(Method::post, "/console/api/courses/{id}/broadcast/preview",
               pooled(signed_in(Role::operator_, true, edit(&CourseEdit::preview_broadcast))));
    router.add(Method::post, "/console/api/courses/{id}/broadcast",
               pooled(signed_in(Role::operator_, true, edit(&CourseEdit::broadcast))));
    // The Payments page (payment_pages.hpp): reading for every role, settling a refund an operator's.
    auto pay = [this](auto method) {
      return [this, method](const Caller& c, const Request& req, const Responder& respond) {
        (payments_.*method)(PageCaller{c.op.username, c.role}, req, respond);
      };
    };
    router.add(Method::get, "/console/api/payments",
               pooled(signed_in(Role::viewer, false, pay(&PaymentPages::get_payments))));
    router.add(Method::get, "/console/api/bills",
               pooled(signed_in(Role::viewer, false, pay(&PaymentPages::get_open_bills))));
    router.add(Method::get, "/console/api/refunds",
               pooled(signed_in(Role::viewer, false, pay(&PaymentPages::get_refunds))));
    router.add(Method::post, "/console/api/refunds/{trx}/settle",
               pooled(signed_in(Role::operator_, true, pay(&PaymentPages::settle_refund))));
    // The Messages and Opt-outs pages (message_pages.hpp): resending is an operator's.
    auto msg = [this](auto method) {
      return [this, method](const Caller& c, const Request& req, const Responder& respond) {
        (messages_.*method)(PageCaller{c.op.username, c.role}, req, respond);
      };
    };
    router.add(Method::get, "/console/api/messages",
               pooled(signed_in(Role::viewer, false, msg(&MessagePages::get_messages))));
    router.add(Method::get, "/console/api/messages/funnel",
               pooled(signed_in(Role::viewer, false, msg(&MessagePages::get_funnel))));
    router.add(Method::get, "/console/api/messages/providers",
               pooled(signed_in(Role::viewer, false, msg(&MessagePages::get_providers))));
    router.add(Method::post, "/console/api/messages/resend",
               pooled(signed_in(Role::operator_, true, msg(&MessagePages::resend))));
    router.add(Method::get, "/console/api/opt-outs",
               pooled(signed_in(Role::viewer, false, msg(&MessagePages::get_opt_outs))));
    // The Simulator page (simulator.hpp): every role, test numbers only; not audited (docs/decisions.md).
    auto sim = [this](auto method) {
      return [this, method](const Caller&, const Request& req, const Responder& respond) {
        (simulator_.*method)(req, respond);
      };
    };
    router.add(Method::get, "/console/api/simulator",
               pooled(signed_in(Role::viewer, false, sim(&Simulator::get_settings))));
    router.add(Method::post, "/console/api/simulator/sms",
               pooled(signed_in(Role::viewer, true, sim(&Simulator::post_sms))));
    router.add(Method::get, "/console/api/simulator/messages",
               pooled(signed_in(Role::viewer, false, sim(&Simulator::get_messages))));
    router.add(Method::post, "/console/api/simulator/ussd",
               pooled(signed_in(Role::viewer, true, sim(&Simulator::post_ussd))));
  }

 private:
  // Made on first use, on the worker: hashing costs 64 MiB, which a gateway that never sees an
  // unknown name need not spend.
  const std::string& dummy_hash() {
    std::call_once(dummy_once_, [this] {
      auto h = crypto::hash_password(crypto::generate_password());
      dummy_hash_ = h ? *h : std::string();
    });
    return dummy_hash_;
  }

  store::Store& store_;
  CoursePages pages_;
  CourseEdit edit_;
  PaymentPages payments_;
  MessagePages messages_;
  Simulator simulator_;
  const Config& config_;
  const Clock& clock_;
  const bool secure_;
  SignInThrottle throttle_;
  std::optional<core::Instant> last_cleanup_;  // the scheduler's thread only
  std::once_flag dummy_once_;
  std::string dummy_hash_;
  // Last: destroyed first, so its jobs finish while everything they use is still there.
  PasswordWorker worker_;
};

ConsoleRoutes::ConsoleRoutes(Service& service, ConversationService& conversation, const Config& config,
                             const Clock& clock, const Dispatcher* dispatcher)
    : impl_(std::make_unique<Console>(service, conversation, config, clock, dispatcher)) {}
ConsoleRoutes::~ConsoleRoutes() = default;
void ConsoleRoutes::register_routes(http::Router& router, http::ReaderPool& readers) {
  impl_->register_routes(router, readers);
}
Status ConsoleRoutes::forget_idle_sessions() { return impl_->forget_idle_sessions(); }

}  // namespace cg::gateway::console
