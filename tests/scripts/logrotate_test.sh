#!/usr/bin/env bash
# deploy/logrotate/course-gateway: logrotate reads it without a complaint, and a forced rotation
# moves the outbox file aside (not copied, not truncated, no new file: the gateway creates it) and
# sends SIGHUP, here to a stand-in that records it. (The gateway's own SIGHUP handling is tested
# against the real binary in tests/gateway/app/crash_test.cpp.)
#   logrotate_test.sh SOURCE_DIR
set -euo pipefail
src="$1"
command -v logrotate >/dev/null || { echo "logrotate is not installed (scripts/setup-deps.sh --with-tests)"; exit 77; }
dir="$(mktemp -d)"
pid=
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

sed -e "s|/var/lib/course-gateway/outbox.jsonl|$dir/outbox.jsonl|" -e "s|pidof course-gateway|cat $dir/pid|" \
  "$src/deploy/logrotate/course-gateway" >"$dir/conf"
grep -q "$dir/outbox.jsonl" "$dir/conf" || fail "the snippet does not name the outbox file where expected"
chmod 644 "$dir/conf"
bash -c "trap 'echo hup >>\"$dir/hups\"' HUP; while :; do sleep 0.05; done" &
pid=$!
echo "$pid" >"$dir/pid"

logrotate -d -s "$dir/state" "$dir/conf" >"$dir/debug" 2>&1 || { cat "$dir/debug"; fail "logrotate -d refused it"; }
grep -qi "error" "$dir/debug" && { cat "$dir/debug"; fail "logrotate -d reported an error"; }

echo '{"id":1}' >"$dir/outbox.jsonl"
logrotate -f -s "$dir/state" "$dir/conf" || fail "the forced rotation failed"
[[ -f "$dir/outbox.jsonl.1" ]] || fail "the outbox file was not moved to outbox.jsonl.1"
grep -q '"id":1' "$dir/outbox.jsonl.1" || fail "the moved file lost its line"
[[ ! -e "$dir/outbox.jsonl" ]] || fail "logrotate created the new file (the gateway does, 0600)"
for _ in $(seq 100); do [[ -s "$dir/hups" ]] && break; sleep 0.05; done
[[ "$(wc -l <"$dir/hups")" == 1 ]] || fail "the gateway was not sent exactly one SIGHUP"
echo ok
