#!/usr/bin/env bash
# Inbound SMS benchmark: Kannel's get-url call for one inbound SMS driving a conversation
# step ("JOIN 101" from a new number: dedupe record, cap check, dialogue, course lookup, reply
# rendered into the outbox, dialogue saved; durable, synchronous=FULL, group commit) against the
# bare server loop sent the same requests by the same wrk script, then latency at a fixed offered
# rate. The bare server and the gateway are started once and stay up (on two ports). A round
# measures, at each connection count of --connections, the bare server and then the gateway, back
# to back; each server's capacity in the round is its best figure over the connection counts (the
# bare server peaks with few connections, the gateway's group commit needs many requests in flight;
# smsbox itself keeps up to 512 requests pending by default, its max-pending-requests). The round's
# ratio is capacity over capacity; a noisy shared machine moves single figures a lot from one minute
# to the next, so the headline is the median of the rounds' ratios (target >= 0.5). The ratios at
# equal connection counts are printed too.
#
# usage: scripts/bench-inbound.sh [--build-dir DIR] [--duration 10s] [--connections 64,256,1024]
#                                 [--rounds 5] [--rate 2000] [--rate-seconds 20] [--threads 2]
# --duration is each wrk measurement's (s, m or h, as wrk -d); --connections the comma-separated
# wrk -c values. Needs the build with benchmarks (cmake -DCG_BUILD_BENCH=ON; ninja course-gateway
# bench_http_bare bench_inbound_rate) and wrk. Prints req/s of both at each count and round, the
# rounds' ratios and their median, and the latency percentiles at the offered rate.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/bench-http.sh
source "$ROOT/scripts/bench-http.sh"

RATE=2000
RATE_SECONDS=20
THREADS=2
ROUNDS=5
KEY="bench-inbound-key"
CONNECTIONS=64,256,1024

while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --rate-seconds) RATE_SECONDS="$2"; shift 2 ;;
    --threads) THREADS="$2"; SERVER_THREADS="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds wants a positive integer, not '$ROUNDS'"
parse_connection_list "$CONNECTIONS"
[[ "$DURATION" =~ ^([0-9]+)([smh]?)$ ]] || die "--duration wants a whole number of s, m or h (as wrk -d), not '$DURATION'"
seconds=$((10#${BASH_REMATCH[1]}))
case "${BASH_REMATCH[2]}" in m) seconds=$((seconds * 60)) ;; h) seconds=$((seconds * 3600)) ;; esac
command -v wrk >/dev/null || die "wrk is not installed (scripts/setup-deps.sh --with-tests)"
for bin in gateway/course-gateway bench/http/bench_http_bare bench/inbound/bench_inbound_rate; do
  [ -x "$BUILD_DIR/$bin" ] || die "$BUILD_DIR/$bin not found; build it with -DCG_BUILD_BENCH=ON"
done

# Message numbers (bench/inbound/kannel.lua): each wrk thread of each gateway measurement gets SPAN of its own,
# enough for 50,000 req/s per thread over the whole duration (plus the requests in flight at the
# end). Each number is a distinct sender among the 3 * 10^7 Jordanian mobiles +9627[789]XXXXXXX,
# taken from the top down; bench_inbound_rate's senders count up from +962790000000, so both must fit.
SPAN=$((seconds * 50000 + MAX_CONNECTIONS))
RUNS=$((ROUNDS * ${#CONNECTION_LIST[@]}))
awk -v w=$((RUNS * WRK_THREADS * SPAN)) -v r="$RATE" -v s="$RATE_SECONDS" \
  'BEGIN { exit !(w + 2 * r * (s + 2) <= 30000000) }' ||
  die "$RUNS measurements x $WRK_THREADS wrk threads x $SPAN senders each, and the open loop's, exceed the 3 x 10^7 Jordanian mobiles; fewer rounds or a shorter --duration"

# Outbound SMS are held (sms.dispatchers 0): each reply is written to the outbox in the step's
# transaction and stays there. A dispatcher would drain millions of them during the rounds (the file
# adapter fsyncs every line it writes) and compete with what is measured here; outbound speed is
# bench/outbox's subject. (Before 2026-12-06 a dispatcher polling every 60 s was meant to idle it,
# but a full batch makes it claim the next at once, so from the first minute on it ran throughout.)
cat >"$WORK/gateway.json" <<JSON
{
  "listen": {"address": "127.0.0.1", "port": 0, "threads": $THREADS},
  "limits": {"max_connections": 4096, "max_connections_per_ip": 4096},
  "store": {"url": "sqlite:$WORK/gateway.db", "synchronous_full": true},
  "admin_token": "bench-admin-token-0123456789",
  "exam_secret": "bench-exam-secret",
  "outbox": {"adapter": "file", "file": {"path": "$WORK/outbox.jsonl"}},
  "sms": {"dispatchers": 0},
  "inbound": {"kannel": {"key": "$KEY", "allowed_addresses": ["127.0.0.1"]}}
}
JSON

echo "wrk -t$WRK_THREADS -d$DURATION at -c ${CONNECTION_LIST[*]}, $ROUNDS rounds; server threads: $THREADS"
start_server bare "$BUILD_DIR/bench/http/bench_http_bare" --port 0 --threads "$THREADS"
BARE_PID="$SERVER_PID" BARE_PORT="$SERVER_PORT"

start_server gateway "$BUILD_DIR/gateway/course-gateway" serve --config "$WORK/gateway.json"
GATEWAY_PID="$SERVER_PID" GATEWAY_PORT="$SERVER_PORT"
curl -sf -X POST "http://127.0.0.1:$GATEWAY_PORT/v1/admin/courses" \
  -H 'Authorization: Bearer bench-admin-token-0123456789' -H 'Content-Type: application/json' -d '{
  "code":"101","title_ar":"مهارات الحاسوب الأساسية واستخدام الإنترنت","title_en":"Basic Computer Skills",
  "location":"مركز الحسين الثقافي","start_at":"2030-12-10T16:00:00+03:00","end_at":"2030-12-14T19:00:00+03:00",
  "min_participants":3,"fee_jod":"0.000","evaluation_url":"https://amman.jo/eval/101"}' >/dev/null \
  || die "could not create the course"
export KANNEL_KEY="$KEY" KANNEL_TEXT="JOIN%20101"

RATIOS=() ANSWERED=0 RUN=0
declare -A SAME  # connection count -> the rounds' inbound/bare ratios at it
for round in $(seq 1 "$ROUNDS"); do
  BARE_ALL=() GATEWAY_ALL=()
  for c in "${CONNECTION_LIST[@]}"; do
    # The same load generator for both: wrk with kannel.lua, whose request() builds each message's
    # URL (wrk spends more CPU on that than on one fixed request, and shares the machine with the
    # server under test); the bare server is sent the same requests.
    OFFSET=$((RUN * WRK_THREADS * SPAN)) SPAN=$SPAN WRAP=1 MEASURE_CONNECTIONS=$c \
      measure "round $round bare c$c" "http://127.0.0.1:$BARE_PORT/v1/sms/kannel/inbound" \
      -s "$ROOT/bench/inbound/kannel.lua"
    BARE_RPS="$MEASURED"
    OFFSET=$((RUN * WRK_THREADS * SPAN)) SPAN=$SPAN MEASURE_CONNECTIONS=$c \
      measure "round $round kannel inbound c$c" "http://127.0.0.1:$GATEWAY_PORT/v1/sms/kannel/inbound" \
      -s "$ROOT/bench/inbound/kannel.lua"
    RUN=$((RUN + 1))
    ANSWERED=$((ANSWERED + $(awk '/ requests in / {r = $1} /Non-2xx or 3xx responses:/ {n = $NF} END {print r - n}' \
      "$WORK/wrk-round $round kannel inbound c$c.txt")))
    BARE_ALL+=("$BARE_RPS") GATEWAY_ALL+=("$MEASURED")
    SAME[$c]+=" $(awk -v g="$MEASURED" -v b="$BARE_RPS" 'BEGIN { printf "%.6f", g / b }')"
  done
  BARE_BEST="$(best_of "${BARE_ALL[@]}")" GATEWAY_BEST="$(best_of "${GATEWAY_ALL[@]}")"
  RATIOS+=("$(awk -v g="$GATEWAY_BEST" -v b="$BARE_BEST" 'BEGIN { printf "%.6f", g / b }')")
  printf 'round %d: bare best %s req/s, kannel inbound best %s req/s: inbound/bare %.3f\n' \
    "$round" "$BARE_BEST" "$GATEWAY_BEST" "${RATIOS[-1]}"
done
stop_server "$BARE_PID"
ratio_summary "kannel inbound/bare" 0.5 SAME "${RATIOS[@]}"

echo "open loop: $RATE requests/s offered for $RATE_SECONDS s (after 2 s of warm-up), 64 connections"
"$BUILD_DIR/bench/inbound/bench_inbound_rate" --port "$GATEWAY_PORT" --rate "$RATE" --duration "$RATE_SECONDS" \
  --warmup 2 --connections 64 \
  --path "/v1/sms/kannel/inbound?key=$KEY&to=94123&text=JOIN%20101&ts=1795000000" || STATUS=1
stop_server "$GATEWAY_PID"
rows="$(sqlite3 "$WORK/gateway.db" "SELECT COUNT(*) FROM inbound_messages WHERE provider_message_id LIKE 'wrk-%'; SELECT COUNT(*) FROM inbound_messages; SELECT COUNT(*) FROM outbox WHERE template_name = 'sms_ask_name';" 2>/dev/null | tr '\n' ' ' || true)"
if [ -n "$rows" ]; then
  read -r wrk_rows all_rows replies <<<"$rows"
  echo "2xx answers to wrk in all rounds: $ANSWERED; wrk's messages recorded: $wrk_rows; inbound messages recorded (with the open loop's): $all_rows; sms_ask_name replies in the outbox: $replies"
  if [ "$wrk_rows" -lt "$ANSWERED" ]; then
    echo "  WARNING: fewer of wrk's messages recorded than acknowledged" >&2
    STATUS=1
  fi
fi
exit "$STATUS"
