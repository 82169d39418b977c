#!/usr/bin/env bash
# The gateway's load benchmark (issue 3), in one run with the same load generator (wrk):
#   1. the bare server (our Beast loop answering 200, no routing, no store): the machine's ceiling;
#   2. the gateway on SQLite (synchronous=FULL: acknowledged means on disk) taking
#      POST /v1/applications, each a new applicant on an open course, with the file outbox draining.
# Prints both rates, their ratio (target >= 0.3) and the gateway's peak memory (target <= 64 MiB).
#
# usage: scripts/bench-gateway.sh [--build-dir DIR] [--duration 10s] [--connections 64]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=bench-http.sh
source "$ROOT/scripts/bench-http.sh"
BUILD_DIR="$ROOT/build/bench"

while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD_DIR="$(realpath "$2")"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
command -v wrk >/dev/null || die "wrk is not installed (scripts/setup-deps.sh --with-tests)"
bare="$BUILD_DIR/bench/http/bench_http_bare"
gateway="$BUILD_DIR/gateway/course-gateway"
[ -x "$bare" ] && [ -x "$gateway" ] || die "build first: cmake -S . -B $BUILD_DIR -G Ninja -DCMAKE_BUILD_TYPE=Release -DCG_BUILD_TESTS=OFF && ninja -C $BUILD_DIR bench_http_bare course-gateway"

body="$WORK/apply.json"
printf '%s' '{"course_id":1,"phone":"0790000001","name":"Bench Applicant","id_type":"national_id","id_number":"9000000001","language":"en"}' >"$body"
echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION; both servers on $SERVER_THREADS threads"

# 1. The ceiling: the same POST body to the bare server.
export WRK_BODY_FILE="$body"
start_server bare "$bare" --port 0 --threads "$SERVER_THREADS"
measure bare "http://127.0.0.1:$SERVER_PORT/v1/applications" -s "$ROOT/bench/http/post.lua"
bare_rps="$MEASURED"
stop_server "$SERVER_PID"

# 2. The gateway, durable.
cat >"$WORK/gateway.json" <<JSON
{"listen": {"address": "127.0.0.1", "port": 0, "threads": $SERVER_THREADS},
 "limits": {"max_connections": 4096},
 "store": {"url": "sqlite:$WORK/gateway.db", "synchronous_full": true},
 "admin_token": "bench-admin-token-0123456789",
 "exam_secret": "bench-exam-secret",
 "outbox": {"file": {"path": "$WORK/outbox.jsonl"}, "poll_ms": 50},
 "scheduler": {"tick_ms": 60000}}
JSON
start_server gateway "$gateway" serve --config "$WORK/gateway.json"
gw_pid="$SERVER_PID"
curl -sf -X POST "http://127.0.0.1:$SERVER_PORT/v1/admin/courses" -H 'Authorization: Bearer bench-admin-token-0123456789' \
  -H 'Content-Type: application/json' -d '{"code":"B1","title_ar":"دورة قياس الأداء","title_en":"Load benchmark course",
  "location":"مركز الحسين الثقافي","start_at":"2099-01-10T16:00:00+03:00","end_at":"2099-01-14T19:00:00+03:00",
  "min_participants":1,"fee_jod":"0.000","evaluation_url":"https://amman.jo/eval/B1"}' >/dev/null
COURSE_ID=1 measure gateway "http://127.0.0.1:$SERVER_PORT" -s "$ROOT/bench/gateway/apply.lua"
gw_rps="$MEASURED"
peak_kib="$(awk '/^VmHWM:/ {print $2}' "/proc/$gw_pid/status")"
stored="$(curl -sf "http://127.0.0.1:$SERVER_PORT/v1/admin/courses/1" -H 'Authorization: Bearer bench-admin-token-0123456789' |
  sed -n 's/.*"confirmed":\([0-9]*\).*/\1/p')"
stop_server "$gw_pid"
sms="$(wc -l <"$WORK/outbox.jsonl")"

awk -v g="$gw_rps" -v b="$bare_rps" -v m="$peak_kib" -v s="$stored" -v o="$sms" 'BEGIN {
  printf "applications stored: %d; approval SMS written by the file outbox: %d\n", s, o
  printf "gateway/bare: %.2f (target >= 0.30)\n", g / b
  printf "gateway peak memory (VmHWM): %.1f MiB (target <= 64)\n", m / 1024 }'
exit "$STATUS"
