#!/usr/bin/env bash
# Inbound SMS benchmark (issue 4): Kannel's get-url call for one inbound SMS driving a conversation
# step ("JOIN 101" from a new number: dedupe record, cap check, dialogue, course lookup, reply
# rendered into the outbox, dialogue saved; durable, synchronous=FULL, group commit) against the
# bare server loop in the same run, then latency at a fixed offered rate.
#
# usage: scripts/bench-inbound.sh [--build-dir DIR] [--duration 10s] [--connections 64]
#                                 [--rate 2000] [--rate-seconds 20] [--threads 2]
# Needs the build with benchmarks (cmake -DCG_BUILD_BENCH=ON; ninja course-gateway bench_http_bare
# bench_inbound_rate) and wrk. Prints req/s of both, their ratio, and p50/p99 at the offered rate.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/bench-http.sh
source "$ROOT/scripts/bench-http.sh"

RATE=2000
RATE_SECONDS=20
THREADS=2
KEY="bench-inbound-key"

while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --rate-seconds) RATE_SECONDS="$2"; shift 2 ;;
    --threads) THREADS="$2"; SERVER_THREADS="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
command -v wrk >/dev/null || die "wrk is not installed (scripts/setup-deps.sh --with-tests)"
for bin in gateway/course-gateway bench/http/bench_http_bare bench/inbound/bench_inbound_rate; do
  [ -x "$BUILD_DIR/$bin" ] || die "$BUILD_DIR/$bin not found; build it with -DCG_BUILD_BENCH=ON"
done

# The outbox dispatcher is idled (poll 60 s): the file adapter fsyncs every line it writes, which
# on a small disk competes with the store's commits; outbound speed is bench/outbox's subject.
cat >"$WORK/gateway.json" <<JSON
{
  "listen": {"address": "127.0.0.1", "port": 0, "threads": $THREADS},
  "store": {"url": "sqlite:$WORK/gateway.db", "synchronous_full": true},
  "admin_token": "bench-admin-token-0123456789",
  "exam_secret": "bench-exam-secret",
  "outbox": {"adapter": "file", "file": {"path": "$WORK/outbox.jsonl"}, "poll_ms": 60000},
  "inbound": {"kannel": {"key": "$KEY", "allowed_addresses": ["127.0.0.1"]}}
}
JSON

echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION; server threads: $THREADS"
start_server bare "$BUILD_DIR/bench/http/bench_http_bare" --port 0 --threads "$THREADS"
measure bare "http://127.0.0.1:$SERVER_PORT/"
BARE_RPS="$MEASURED"
stop_server "$SERVER_PID"

start_server gateway "$BUILD_DIR/gateway/course-gateway" serve --config "$WORK/gateway.json"
GATEWAY_PORT="$SERVER_PORT"
curl -sf -X POST "http://127.0.0.1:$GATEWAY_PORT/v1/admin/courses" \
  -H 'Authorization: Bearer bench-admin-token-0123456789' -H 'Content-Type: application/json' -d '{
  "code":"101","title_ar":"مهارات الحاسوب الأساسية واستخدام الإنترنت","title_en":"Basic Computer Skills",
  "location":"مركز الحسين الثقافي","start_at":"2030-12-10T16:00:00+03:00","end_at":"2030-12-14T19:00:00+03:00",
  "min_participants":3,"fee_jod":"0.000","evaluation_url":"https://amman.jo/eval/101"}' >/dev/null \
  || die "could not create the course"
export KANNEL_KEY="$KEY" KANNEL_TEXT="JOIN%20101"
measure "kannel inbound" "http://127.0.0.1:$GATEWAY_PORT/v1/sms/kannel/inbound" -s "$ROOT/bench/inbound/kannel.lua"
INBOUND_RPS="$MEASURED"
awk -v g="$INBOUND_RPS" -v b="$BARE_RPS" 'BEGIN { printf "kannel inbound/bare: %.2f (target >= 0.5)\n", g / b }'

echo "open loop: $RATE requests/s offered for $RATE_SECONDS s (after 2 s of warm-up), 64 connections"
"$BUILD_DIR/bench/inbound/bench_inbound_rate" --port "$GATEWAY_PORT" --rate "$RATE" --duration "$RATE_SECONDS" \
  --warmup 2 --connections 64 \
  --path "/v1/sms/kannel/inbound?key=$KEY&to=94123&text=JOIN%20101&ts=1795000000" || STATUS=1
stop_server "$SERVER_PID"
rows="$(sqlite3 "$WORK/gateway.db" "SELECT COUNT(*) FROM inbound_messages; SELECT COUNT(*) FROM outbox WHERE template_name = 'sms_ask_name';" 2>/dev/null | tr '\n' ' ' || true)"
[ -n "$rows" ] && echo "inbound messages recorded, sms_ask_name replies in the outbox: $rows"
exit "$STATUS"
