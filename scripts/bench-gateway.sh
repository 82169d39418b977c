#!/usr/bin/env bash
# The gateway's load benchmark, with the same load generator for both (wrk, apply.lua):
#   1. the bare server (our Beast loop answering 200, no routing, no store): the machine's ceiling;
#   2. the gateway on SQLite (synchronous=FULL: acknowledged means on disk) taking
#      POST /v1/applications, each a new applicant on an open course, with the file outbox draining.
# Both are started once and stay up (on two ports). A round measures, at each connection count of
# --connections, the bare server and then the gateway, back to back; between measurements the
# gateway's outbox is left to drain so that its writes do not land in the next bare one. Each
# server's capacity in a round is its best figure over the connection counts: the bare server peaks
# with few connections, while the gateway's group commit needs many requests in flight to fill its
# batches. The round's ratio is capacity over capacity, and since a noisy shared machine moves single
# figures a lot from one minute to the next, the headline is the median of the rounds' ratios (target
# >= 0.3). The ratios at equal connection counts are printed too. Also checks that every 2xx answer
# was stored, and prints the gateway's peak memory over all measurements (target <= 64 MiB).
#
# usage: scripts/bench-gateway.sh [options]
#   --build-dir DIR        the build with bench_http_bare and course-gateway (default build/bench)
#   --duration D           wrk -d of each measurement (default 10s; s, m or h)
#   --connections LIST     wrk -c values, comma-separated (default 64,256,1024; 1024 is the
#                          connection cap of config/gateway.example.json)
#   --rounds N             rounds, each measuring both servers at every count (default 3)
#   --random-applicants    phones and id numbers from a pseudo-random permutation of the applicant
#                          number, so index inserts land on random pages as real traffic's would
#                          (default: sequential, neighbouring keys)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench-http.sh
source "$ROOT/scripts/bench-http.sh"
BUILD_DIR="$ROOT/build/bench"
ROUNDS=3
APPLICANTS=sequential
CONNECTIONS=64,256,1024

while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD_DIR="$(realpath "$2")"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --random-applicants) APPLICANTS=random; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "--rounds wants a positive integer, not '$ROUNDS'"
parse_connection_list "$CONNECTIONS"
[[ "$DURATION" =~ ^([0-9]+)([smh]?)$ ]] || die "--duration wants a whole number of s, m or h (as wrk -d), not '$DURATION'"
seconds=$((10#${BASH_REMATCH[1]}))
case "${BASH_REMATCH[2]}" in m) seconds=$((seconds * 60)) ;; h) seconds=$((seconds * 3600)) ;; esac
command -v wrk >/dev/null || die "wrk is not installed (scripts/setup-deps.sh --with-tests)"
bare="$BUILD_DIR/bench/http/bench_http_bare"
gateway="$BUILD_DIR/gateway/course-gateway"
[ -x "$bare" ] && [ -x "$gateway" ] || die "build first: cmake -S . -B $BUILD_DIR -G Ninja -DCMAKE_BUILD_TYPE=Release -DCG_BUILD_TESTS=OFF && ninja -C $BUILD_DIR bench_http_bare course-gateway"

# Applicant numbers (bench/gateway/apply.lua): each wrk thread of each gateway measurement gets SPAN
# of its own, enough for 50,000 req/s per thread over the whole duration (plus the requests in
# flight at the end); the national id has 9 free digits, so all of them together must stay under 10^9.
SPAN=$((seconds * 50000 + MAX_CONNECTIONS))
RUNS=$((ROUNDS * ${#CONNECTION_LIST[@]}))
(( RUNS * WRK_THREADS * SPAN <= 1000000000 )) ||
  die "$RUNS measurements x $WRK_THREADS wrk threads x $SPAN applicants each exceed the 10^9 national ids; fewer rounds or a shorter --duration"

echo "wrk -t$WRK_THREADS -d$DURATION at -c ${CONNECTION_LIST[*]}, $ROUNDS rounds; both servers on $SERVER_THREADS threads; $APPLICANTS applicants"

# 1. The ceiling: the bare server, sent the very requests the gateway gets (the same wrk script).
start_server bare "$bare" --port 0 --threads "$SERVER_THREADS"
bare_pid="$SERVER_PID" bare_port="$SERVER_PORT"

# 2. The gateway, durable.
cat >"$WORK/gateway.json" <<JSON
{"listen": {"address": "127.0.0.1", "port": 0, "threads": $SERVER_THREADS},
 "limits": {"max_connections": 4096, "max_connections_per_ip": 4096},
 "store": {"url": "sqlite:$WORK/gateway.db", "synchronous_full": true},
 "admin_token": "bench-admin-token-0123456789",
 "exam_secret": "bench-exam-secret",
 "website": {"api_keys": ["bench-website-key-0123456789"]},
 "outbox": {"file": {"path": "$WORK/outbox.jsonl"}, "poll_ms": 50},
 "scheduler": {"tick_ms": 60000}}
JSON
touch "$WORK/outbox.jsonl"
start_server gateway "$gateway" serve --config "$WORK/gateway.json"
gw_pid="$SERVER_PID" gw_port="$SERVER_PORT"
curl -sf -X POST "http://127.0.0.1:$gw_port/v1/admin/courses" -H 'Authorization: Bearer bench-admin-token-0123456789' \
  -H 'Content-Type: application/json' -d '{"code":"B1","title_ar":"دورة قياس الأداء","title_en":"Load benchmark course",
  "location":"مركز الحسين الثقافي","start_at":"2099-01-10T16:00:00+03:00","end_at":"2099-01-14T19:00:00+03:00",
  "min_participants":1,"fee_jod":"0.000","evaluation_url":"https://amman.jo/eval/B1"}' >/dev/null ||
  die "could not create the course"

# wrk_count LABEL: the requests that wrk's run LABEL (measure's output) counted, and of them the
# non-2xx answers, as "REQUESTS NON2XX".
wrk_count() {
  awk '/ requests in / {r = $1} /Non-2xx or 3xx responses:/ {n = $NF} END {printf "%d %d\n", r, n}' "$WORK/wrk-$1.txt"
}

# wait_outbox_drained: until the outbox file has stopped growing for a second (at most 5 minutes).
wait_outbox_drained() {
  local last=-1 now still=0
  for _ in $(seq 1 3000); do
    now="$(wc -l <"$WORK/outbox.jsonl")"
    if [ "$now" = "$last" ]; then still=$((still + 1)); [ "$still" -ge 10 ] && return 0; else still=0; fi
    last="$now"
    sleep 0.1
  done
  echo "  WARNING: the outbox was still being written after 5 minutes" >&2
}

ratios=() answered=0 run=0
declare -A same  # connection count -> the rounds' gateway/bare ratios at it
for round in $(seq 1 "$ROUNDS"); do
  bare_all=() gw_all=()
  for c in "${CONNECTION_LIST[@]}"; do
    # The same load generator for both: wrk with apply.lua, whose request() builds each applicant's
    # body (wrk spends more CPU on that than on one fixed request, and shares the machine with the
    # server under test); the bare server is sent the same requests, and keeps nothing of them.
    WEBSITE_KEY=bench-website-key-0123456789 COURSE_ID=1 OFFSET=$((run * WRK_THREADS * SPAN)) SPAN=$SPAN APPLICANTS=$APPLICANTS MEASURE_CONNECTIONS=$c \
      measure "round $round bare c$c" "http://127.0.0.1:$bare_port" -s "$ROOT/bench/gateway/apply.lua"
    bare_rps="$MEASURED"
    WEBSITE_KEY=bench-website-key-0123456789 COURSE_ID=1 OFFSET=$((run * WRK_THREADS * SPAN)) SPAN=$SPAN APPLICANTS=$APPLICANTS MEASURE_CONNECTIONS=$c \
      measure "round $round gateway c$c" "http://127.0.0.1:$gw_port" -s "$ROOT/bench/gateway/apply.lua"
    run=$((run + 1))
    read -r requests non2xx < <(wrk_count "round $round gateway c$c")
    answered=$((answered + requests - non2xx))
    bare_all+=("$bare_rps") gw_all+=("$MEASURED")
    same[$c]+=" $(awk -v g="$MEASURED" -v b="$bare_rps" 'BEGIN { printf "%.6f", g / b }')"
    wait_outbox_drained
  done
  bare_best="$(best_of "${bare_all[@]}")" gw_best="$(best_of "${gw_all[@]}")"
  ratios+=("$(awk -v g="$gw_best" -v b="$bare_best" 'BEGIN { printf "%.6f", g / b }')")
  printf 'round %d: bare best %s req/s, gateway best %s req/s: gateway/bare %.3f\n' \
    "$round" "$bare_best" "$gw_best" "${ratios[-1]}"
done

peak_kib="$(awk '/^VmHWM:/ {print $2}' "/proc/$gw_pid/status")"
stored="$(curl -sf "http://127.0.0.1:$gw_port/v1/admin/courses/1" -H 'Authorization: Bearer bench-admin-token-0123456789' |
  sed -n 's/.*"confirmed":\([0-9]*\).*/\1/p')"
stop_server "$gw_pid"
stop_server "$bare_pid"
sms="$(wc -l <"$WORK/outbox.jsonl")"

# Requests still in flight when wrk stopped may be stored without being counted: more stored than
# answered is expected, fewer is a lost acknowledged application.
if [ -z "$stored" ] || [ "$stored" -lt "$answered" ]; then
  echo "2xx answers in all rounds: $answered; applications stored: ${stored:-?}; approval SMS written by the file outbox: $sms"
  echo "  WARNING: fewer applications stored than acknowledged" >&2
  STATUS=1
else
  echo "2xx answers in all rounds: $answered; applications stored: $stored (+$((stored - answered)) in flight when wrk stopped); approval SMS written by the file outbox: $sms"
fi
ratio_summary gateway/bare 0.30 same "${ratios[@]}"
awk -v m="$peak_kib" 'BEGIN { printf "gateway peak memory (VmHWM): %.1f MiB (target <= 64)\n", m / 1024 }'
exit "$STATUS"
