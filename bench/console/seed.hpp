// A store at the size the console must serve in under 100 ms p95, seeded straight through the
// store's Tx: `courses` courses, `applications` applications spread over them (a tenth awaiting
// payment, with bills due over ten days), `outbox` SMS (the oldest 99% sent, 1% failed, spread over
// two days), and `payments` eFAWATEERcom payments on one statement day. For the console's benchmarks.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "adapters/store/store.hpp"
#include "core/time.hpp"

namespace cg::bench {

struct SeedSizes {
  long courses = 1000;
  long applications = 100'000;
  long outbox = 1'000'000;
  long payments = 5'000;
};

// A number option of a benchmark's command line ("--rounds 40"), or `fallback` when absent.
inline long arg(int argc, char** argv, const char* name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::stol(argv[i + 1]);
  return fallback;
}

// The sizes given by --courses, --applications and --outbox, the defaults for the rest.
inline SeedSizes seed_sizes(int argc, char** argv) {
  SeedSizes sizes;
  sizes.courses = arg(argc, argv, "--courses", sizes.courses);
  sizes.applications = arg(argc, argv, "--applications", sizes.applications);
  sizes.outbox = arg(argc, argv, "--outbox", sizes.outbox);
  return sizes;
}

struct Seeded {
  std::vector<core::Course> courses;
  std::string stmt_date;  // the payments' statement day
};

inline std::string seeded_application_id(long n) {
  char id[32];
  std::snprintf(id, sizeof id, "a%012ld", n);
  return id;
}
inline std::string seeded_phone(long n) { return "+9627" + std::to_string(90000000 + n % 100'000); }

inline Result<Seeded> seed_console_store(store::Store& store, const SeedSizes& sizes, core::Instant now) {
  Seeded out;
  // Courses, with tallies that match the applications below.
  Status s = store.write_sync([&](store::Tx& tx) -> Status {
    for (long i = 0; i < sizes.courses; ++i) {
      core::Course c;
      c.code = "C" + std::to_string(i);
      c.title = {"دورة " + std::to_string(i), "Course " + std::to_string(i)};
      c.location = "Amman";
      c.start_at = now + std::chrono::hours(1 + i % 400);
      c.end_at = c.start_at + std::chrono::hours(72);
      c.decision_at = c.start_at;
      c.min_participants = 20;
      c.capacity = 200;
      c.fee = core::Fils{i % 2 ? 5000 : 0};
      c.evaluation_url = "https://amman.jo/eval";
      auto id = tx.insert_course(c);
      if (!id) return id.error();
      c.id = *id;
      out.courses.push_back(c);
    }
    return ok_status();
  });
  if (!s) return s.error();
  // Applications in batches of 10,000 per transaction.
  for (long done = 0; done < sizes.applications;) {
    s = store.write_sync([&](store::Tx& tx) -> Status {
      for (long k = 0; k < 10'000 && done < sizes.applications; ++k, ++done) {
        core::Course& c = out.courses[static_cast<std::size_t>(done % sizes.courses)];
        core::Application a;
        a.id = seeded_application_id(done);
        a.course_id = c.id;
        a.seq = done + 1;
        a.applicant = {seeded_phone(done),
                       "متقدم " + std::to_string(done),
                       core::IdType::national_id,
                       std::to_string(9'000'000'000 + done),
                       "JO",
                       core::Language::ar};
        a.channel = "web";
        a.created_at = now - std::chrono::hours(24);
        a.updated_at = a.created_at;
        if (done % 10 == 0) {
          a.state = core::ApplicationState::awaiting_payment;
          a.bill = core::Bill{std::to_string(100'000'000 + done), core::Fils{5000}, a.created_at,
                              now + std::chrono::hours(done % 240)};
        } else {
          a.state = core::ApplicationState::awaiting_quorum;
        }
        c.tally[a.state] += 1;
        if (auto st = tx.insert_application(a); !st) return st;
      }
      return ok_status();
    });
    if (!s) return s.error();
  }
  s = store.write_sync([&](store::Tx& tx) -> Status {
    for (const auto& c : out.courses)
      if (auto st = tx.save_course(c); !st) return st;
    return ok_status();
  });
  if (!s) return s.error();
  // Outbox rows in batches of 20,000, each for an application; the oldest 99% sent, 1% failed.
  std::vector<store::SendOutcome> outcomes;
  for (long done = 0; done < sizes.outbox;) {
    const long first = done;
    s = store.write_sync([&](store::Tx& tx) -> Status {
      for (long k = 0; k < 20'000 && done < sizes.outbox; ++k, ++done) {
        store::OutboxMessage m;
        const long app = done % sizes.applications;
        m.application_id = seeded_application_id(app);
        m.to = seeded_phone(app);
        m.text = "تمت الموافقة على طلبك";
        m.template_name = "approved";
        m.step = "6.1";
        m.created_at = now - std::chrono::hours(48) + std::chrono::seconds(done % 172'800);
        m.next_attempt_at = m.created_at;
        if (auto id = tx.enqueue(m); !id) return id.error();
      }
      return ok_status();
    });
    if (!s) return s.error();
    auto claimed = store.claim_outbox(static_cast<std::size_t>(done - first), now, now + std::chrono::hours(1));
    if (!claimed) return claimed.error();
    outcomes.clear();
    for (const auto& m : *claimed) {
      bool failed = m.id % 100 == 0;
      outcomes.push_back(store::SendOutcome{m.id,
                                            failed ? store::SendOutcome::Kind::failed : store::SendOutcome::Kind::sent,
                                            "kannel",
                                            failed ? "" : "m" + std::to_string(m.id),
                                            failed ? "rejected" : "",
                                            m.created_at,
                                            {}});
    }
    if (auto r = store.record_send_outcomes(outcomes, {}); !r) return r.error();
  }
  // Payments of one statement day, each for a bill above.
  out.stmt_date = core::format_iso8601_utc(now).substr(0, 10);
  s = store.write_sync([&](store::Tx& tx) -> Status {
    for (long i = 0; i < sizes.payments; ++i) {
      const long app = (i * 10) % sizes.applications;
      store::PaymentRecord p;
      p.joebpps_trx = "T" + std::to_string(i);
      p.billing_number = std::to_string(100'000'000 + app);
      p.application_id = seeded_application_id(app);
      p.paid = core::Fils{5000};
      p.due = core::Fils{5000};
      p.process_date = out.stmt_date + "T10:00:00";
      p.stmt_date = out.stmt_date;
      p.outcome = i % 50 == 0 ? "refund:expired" : "applied";
      p.received_at = now - std::chrono::seconds(sizes.payments - i);
      if (auto st = tx.insert_payment(p); !st) return st;
    }
    return ok_status();
  });
  if (!s) return s.error();
  return out;
}

}  // namespace cg::bench
