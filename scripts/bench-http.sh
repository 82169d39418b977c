#!/usr/bin/env bash
# HTTP load benchmark with wrk: the bare server (gateway/http's loop answering "ok", the ceiling)
# and, optionally, the gateway itself in the same run, so the two figures are comparable.
#
# usage: scripts/bench-http.sh [options]
#   --build-dir DIR        where bench/http/bench_http_bare was built (default: build/bench)
#   --server-threads N     threads of the bare server (default 2)
#   --wrk-threads N        wrk -t (default 2)
#   --connections N        wrk -c (default 64)
#   --duration D           wrk -d (default 10s)
#   --post-file FILE       POST FILE's content (bench/http/post.lua) instead of GET
#   --content-type TYPE    Content-Type for --post-file (default application/json)
#   --gateway-cmd CMD      also start CMD (run by bash) and measure it; CMD must print
#                          "listening on ADDRESS:PORT" on stdout when ready, as bench_http_bare does
#   --gateway-path PATH    path to load on the gateway (default /healthz)
#
# To measure something else, source the functions below: start_server LABEL CMD... then
# measure LABEL URL [wrk args...].
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="$ROOT/build/bench"
SERVER_THREADS=2
WRK_THREADS=2
CONNECTIONS=64
DURATION=10s
POST_FILE=""
CONTENT_TYPE="application/json"
GATEWAY_CMD=""
GATEWAY_PATH="/healthz"

WORK="$(mktemp -d)"
PIDS=()
STATUS=0

cleanup() {
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

die() { echo "bench-http: $*" >&2; exit 2; }

# start_server LABEL CMD...: starts CMD in the background and waits (up to 30 s) for its
# "listening on ADDRESS:PORT" line. Sets SERVER_PID and SERVER_PORT.
start_server() {
  local label="$1"; shift
  local log="$WORK/$label.log"
  "$@" >"$log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_PORT=""
  for _ in $(seq 1 300); do
    SERVER_PORT="$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$log" | head -n1)"
    [ -n "$SERVER_PORT" ] && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$log" >&2; die "$label exited before listening"; }
    sleep 0.1
  done
  cat "$log" >&2
  die "$label did not print 'listening on ADDRESS:PORT' within 30 s"
}

# stop_server PID: SIGTERM, then wait for the graceful stop.
stop_server() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# measure LABEL URL [wrk args...]: one wrk run at $MEASURE_CONNECTIONS connections (default
# $CONNECTIONS); prints "LABEL: N req/s" and sets MEASURED to N. Any non-2xx answer or socket error
# is reported and makes the script exit non-zero: such a figure would measure failures, not the server.
measure() {
  local label="$1" url="$2"; shift 2
  local out="$WORK/wrk-$label.txt"
  wrk -t"$WRK_THREADS" -c"${MEASURE_CONNECTIONS:-$CONNECTIONS}" -d"$DURATION" "$@" "$url" >"$out" 2>&1 ||
    { cat "$out" >&2; die "wrk failed"; }
  MEASURED="$(awk '/^Requests\/sec:/ {print $2}' "$out")"
  [ -n "$MEASURED" ] || { cat "$out" >&2; die "no Requests/sec in wrk's output"; }
  local latency non2xx errors
  latency="$(awk '/^ +Latency/ {print "avg " $2 ", max " $4}' "$out")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")"
  errors="$(grep -E '^ +Socket errors:' "$out" | sed 's/^ *//' || true)"
  printf '%s: %s req/s (latency %s)\n' "$label" "$MEASURED" "$latency"
  if [ -n "$non2xx" ] || [ -n "$errors" ]; then
    echo "  WARNING: ${non2xx:-0} non-2xx responses; ${errors:-no socket errors}" >&2
    STATUS=1
  fi
}

# parse_connection_list LIST: the comma-separated wrk -c values of --connections into
# CONNECTION_LIST, and the largest into MAX_CONNECTIONS; raises the open-files limit for them.
parse_connection_list() {
  IFS=, read -ra CONNECTION_LIST <<<"$1"
  [ "${#CONNECTION_LIST[@]}" -gt 0 ] || die "--connections wants a comma-separated list of positive integers, not '$1'"
  MAX_CONNECTIONS=0
  local c
  for c in "${CONNECTION_LIST[@]}"; do
    [[ "$c" =~ ^[1-9][0-9]*$ ]] || die "--connections wants a comma-separated list of positive integers, not '$1'"
    ((c > MAX_CONNECTIONS)) && MAX_CONNECTIONS=$c
  done
  # wrk and the servers each hold one descriptor per connection; a login shell's soft limit is
  # often 1024. Raised to what the hard limit allows.
  local want=$((MAX_CONNECTIONS + 256))
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
    ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
    [ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$want" ] ||
      die "$MAX_CONNECTIONS connections need $want open files; the limit is $(ulimit -n) (hard $(ulimit -Hn))"
  fi
}

# best_of ...: the largest of the numbers given.
best_of() { printf '%s\n' "$@" | sort -g | tail -n1; }

# median_of ...: the median of the numbers given.
median_of() {
  printf '%s\n' "$@" | sort -g | awk '{ r[NR] = $1 } END { printf "%.6f", (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }'
}

# ratio_summary LABEL TARGET SAME RATIO...: the closing lines of a server-against-bare benchmark.
# For each count of CONNECTION_LIST, the median of the rounds' ratios at that count (SAME names an
# associative array: count -> those ratios, space-separated); then each round's best-against-best
# RATIO and their median, the headline, compared with TARGET.
ratio_summary() {
  local label="$1" target="$2" c headline
  local -n same_ratios="$3"
  shift 3
  for c in "${CONNECTION_LIST[@]}"; do
    # shellcheck disable=SC2086  # the list of ratios, split on purpose
    printf 'at %d connections each, %s: %.3f (median of %d rounds)\n' "$c" "$label" "$(median_of ${same_ratios[$c]})" "$#"
  done
  printf '%s, best against best, per round:' "$label"; printf ' %.3f' "$@"; echo
  headline="$(median_of "$@")"
  printf '%s: %.3f (best against best, median of %d rounds; target >= %s: %s)\n' "$label" "$headline" "$#" "$target" \
    "$(awk -v r="$headline" -v t="$target" 'BEGIN { print (r >= t) ? "met" : "not met" }')"
}

wrk_args=()
request_args() {
  wrk_args=()
  if [ -n "$POST_FILE" ]; then
    export WRK_BODY_FILE="$POST_FILE" WRK_CONTENT_TYPE="$CONTENT_TYPE"
    wrk_args=(-s "$ROOT/bench/http/post.lua")
  fi
}

main() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --build-dir) BUILD_DIR="$2"; shift 2 ;;
      --server-threads) SERVER_THREADS="$2"; shift 2 ;;
      --wrk-threads) WRK_THREADS="$2"; shift 2 ;;
      --connections) CONNECTIONS="$2"; shift 2 ;;
      --duration) DURATION="$2"; shift 2 ;;
      --post-file) POST_FILE="$(realpath "$2")"; shift 2 ;;
      --content-type) CONTENT_TYPE="$2"; shift 2 ;;
      --gateway-cmd) GATEWAY_CMD="$2"; shift 2 ;;
      --gateway-path) GATEWAY_PATH="$2"; shift 2 ;;
      -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}"; exit 0 ;;
      *) die "unknown option $1 (try --help)" ;;
    esac
  done
  command -v wrk >/dev/null || die "wrk is not installed (scripts/setup-deps.sh --with-tests)"
  [ -z "$POST_FILE" ] || [ -r "$POST_FILE" ] || die "cannot read $POST_FILE"
  local bare="$BUILD_DIR/bench/http/bench_http_bare"
  [ -x "$bare" ] || die "$bare not found; build it: cmake -S . -B $BUILD_DIR -G Ninja && ninja -C $BUILD_DIR bench_http_bare"
  request_args

  echo "wrk -t$WRK_THREADS -c$CONNECTIONS -d$DURATION${POST_FILE:+ POST $POST_FILE}; bare server threads: $SERVER_THREADS"
  start_server bare "$bare" --port 0 --threads "$SERVER_THREADS"
  measure bare "http://127.0.0.1:$SERVER_PORT/" "${wrk_args[@]}"
  local bare_rps="$MEASURED"
  stop_server "$SERVER_PID"

  if [ -n "$GATEWAY_CMD" ]; then
    start_server gateway bash -c "exec $GATEWAY_CMD"
    measure gateway "http://127.0.0.1:$SERVER_PORT$GATEWAY_PATH" "${wrk_args[@]}"
    stop_server "$SERVER_PID"
    awk -v g="$MEASURED" -v b="$bare_rps" 'BEGIN { printf "gateway/bare: %.1f%%\n", 100 * g / b }'
  fi
  return "$STATUS"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
