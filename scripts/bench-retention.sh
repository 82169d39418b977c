#!/usr/bin/env bash
# Retention under inbound load: does deleting a backlog of a million old rows raise the inbound
# SMS latency past its target (docs/performance.md: p99 <= 10 ms at 2,000 msg/s offered)?
#
# bench_retention_seed fills one store with --rows rows past every kind's period (half inbound
# messages, a quarter finished outbox rows with their channel log, a quarter sessions); each run
# starts the gateway on a fresh copy of it and offers "JOIN 101" from new numbers at --rate for
# --rate-seconds, as scripts/bench-inbound.sh's open loop does (bench_inbound_rate, 64 connections,
# 2 s warm-up). Run "off" has no retention section; run "on" keeps 90 days of every kind, so its
# first pass starts with the gateway and deletes the backlog in batches of --batch with --pause-ms
# between them while the load runs. Each round runs off, then on (--only: one of them). Prints each run's
# percentiles, the rows deleted by the end of its load, and how long the whole purge took.
#
# usage: scripts/bench-retention.sh [--build-dir DIR] [--rows 1000000] [--rate 2000]
#                                   [--rate-seconds 60] [--batch 100] [--pause-ms 20]
#                                   [--rounds 1] [--threads 2] [--only on|off]
# Needs course-gateway, bench_inbound_rate and bench_retention_seed built in DIR.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/bench-http.sh
source "$ROOT/scripts/bench-http.sh"

ROWS=1000000 RATE=2000 RATE_SECONDS=60 BATCH=100 PAUSE_MS=20 ROUNDS=1 THREADS=2 MODES="off on"
KEY="bench-inbound-key"
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) BUILD_DIR="$2"; shift 2 ;;
    --rows) ROWS="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --rate-seconds) RATE_SECONDS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --pause-ms) PAUSE_MS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --only) MODES="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
for bin in gateway/course-gateway bench/inbound/bench_inbound_rate bench/retention/bench_retention_seed; do
  [ -x "$BUILD_DIR/$bin" ] || die "$BUILD_DIR/$bin not found; build it (ninja -C $BUILD_DIR ${bin##*/})"
done

"$BUILD_DIR/bench/retention/bench_retention_seed" --db "$WORK/seeded.db" --rows "$ROWS" --age-days 200

# The gateway's purge counter summed over the kinds: the seeded rows and the channel log entry of
# each outbox row (past its period too, so the channel log's own purge deletes it first).
TOTAL=$((ROWS + ROWS / 4))
purged() {
  curl -sf "http://127.0.0.1:$1/metrics" |
    awk '/^course_gateway_retention_purged_total/ {s += $NF} END {printf "%d", s}'
}

run() {  # run MODE ROUND
  local mode="$1" round="$2" retention=""
  rm -f "$WORK/gateway.db" "$WORK/gateway.db-wal" "$WORK/gateway.db-shm" "$WORK/outbox.jsonl"
  cp "$WORK/seeded.db" "$WORK/gateway.db"
  if [ "$mode" = on ]; then
    retention="\"retention\": {\"inbound_messages_days\": 90, \"channel_log_days\": 90, \"delivery_reports_days\": 90,
      \"sessions_days\": 90, \"outbox_days\": 90, \"events_days\": 90, \"batch\": $BATCH, \"pause_ms\": $PAUSE_MS,
      \"interval_minutes\": 60},"
  fi
  # Outbound SMS are held (sms.dispatchers 0), as in scripts/bench-inbound.sh.
  cat >"$WORK/gateway.json" <<JSON
{
  "listen": {"address": "127.0.0.1", "port": 0, "threads": $THREADS},
  "limits": {"max_connections": 4096, "max_connections_per_ip": 4096},
  "store": {"url": "sqlite:$WORK/gateway.db", "synchronous_full": true},
  "admin_token": "bench-admin-token-0123456789",
  "exam_secret": "bench-exam-secret",
  "outbox": {"adapter": "file", "file": {"path": "$WORK/outbox.jsonl"}},
  $retention
  "sms": {"dispatchers": 0},
  "inbound": {"kannel": {"key": "$KEY", "allowed_addresses": ["127.0.0.1"]}}
}
JSON
  local started=$SECONDS
  start_server "gateway-$mode" "$BUILD_DIR/gateway/course-gateway" serve --config "$WORK/gateway.json"
  local pid="$SERVER_PID" port="$SERVER_PORT"
  curl -sf -X POST "http://127.0.0.1:$port/v1/admin/courses" \
    -H 'Authorization: Bearer bench-admin-token-0123456789' -H 'Content-Type: application/json' -d '{
    "code":"101","title_ar":"مهارات الحاسوب الأساسية واستخدام الإنترنت","title_en":"Basic Computer Skills",
    "location":"مركز الحسين الثقافي","start_at":"2030-12-10T16:00:00+03:00","end_at":"2030-12-14T19:00:00+03:00",
    "min_participants":3,"fee_jod":"0.000","evaluation_url":"https://amman.jo/eval/101"}' >/dev/null \
    || die "could not create the course"
  local before; before="$(purged "$port")"
  local out
  out="$("$BUILD_DIR/bench/inbound/bench_inbound_rate" --port "$port" --rate "$RATE" --duration "$RATE_SECONDS" \
    --warmup 2 --connections 64 \
    --path "/v1/sms/kannel/inbound?key=$KEY&to=94123&text=JOIN%20101&ts=1795000000")" || STATUS=1
  local after; after="$(purged "$port")"
  echo "round $round retention $mode: $(echo "$out" | tr '\n' ' ')"
  echo "  rows purged: $before before the load, $after by its end (of $TOTAL)"
  if [ "$mode" = on ]; then
    while [ "$(purged "$port")" -lt "$TOTAL" ] && kill -0 "$pid" 2>/dev/null; do sleep 1; done
    echo "  the whole purge of $(purged "$port") rows took about $((SECONDS - started)) s from the gateway's start"
  fi
  stop_server "$pid"
}

echo "offered $RATE msg/s for $RATE_SECONDS s per run; $ROWS old rows; batch $BATCH, pause $PAUSE_MS ms"
for round in $(seq 1 "$ROUNDS"); do
  for mode in $MODES; do run "$mode" "$round"; done
done
exit "$STATUS"
