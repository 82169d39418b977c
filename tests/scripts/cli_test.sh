#!/usr/bin/env bash
# The command line: --help on the binary and on every command (exit 0, the options listed), a usage
# mistake as one line on stderr with exit 2, check-config --online's one line per check, and a
# secret given as {"env": ...} through the real binary.
#   cli_test.sh COURSE_GATEWAY
set -uo pipefail
gw="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$gw" --help >"$dir/out" 2>"$dir/err" || fail "--help exited $?"
for c in serve check-config version efawateercom-sign efawateercom-send; do
  grep -q "^  $c " "$dir/out" || fail "--help does not list $c"
done
# Every command the overview lists answers --help.
commands=$(sed -n 's/^  \([a-z-]*\) .*/\1/p' "$dir/out")
[[ -n "$commands" ]] || fail "no commands in --help"
for c in $commands; do
  "$gw" "$c" --help >"$dir/out" 2>"$dir/err" || fail "$c --help exited $?"
  grep -q "usage: course-gateway $c" "$dir/out" || fail "$c --help: no usage line"
  grep -q -- "--help" "$dir/out" || fail "$c --help does not list --help"
  [[ -s "$dir/err" ]] && fail "$c --help wrote to stderr"
  "$gw" help "$c" >"$dir/out2" 2>/dev/null || fail "help $c exited $?"
  cmp -s "$dir/out" "$dir/out2" || fail "help $c differs from $c --help"
  "$gw" "$c" --no-such-option >/dev/null 2>"$dir/err"
  rc=$?
  [[ $rc == 2 ]] || fail "$c --no-such-option exited $rc, not 2"
  [[ $(wc -l <"$dir/err") == 1 ]] || fail "$c --no-such-option: not one line: $(cat "$dir/err")"
  grep -q -- "--no-such-option" "$dir/err" || fail "$c: the error does not name the option"
done
"$gw" serve --help | grep -q -- "--config FILE" || fail "serve --help does not list --config"
"$gw" check-config --help | grep -q -- "--online" || fail "check-config --help does not list --online"
"$gw" efawateercom-send --help | grep -q -- "--biller-cert" || fail "efawateercom-send --help lists no options"

"$gw" no-such-command 2>"$dir/err"; rc=$?
[[ $rc == 2 && $(wc -l <"$dir/err") == 1 ]] || fail "an unknown command: exit $rc, $(cat "$dir/err")"
"$gw" serve 2>"$dir/err"; rc=$?
[[ $rc == 2 && $(wc -l <"$dir/err") == 1 ]] || fail "serve without --config: exit $rc, $(cat "$dir/err")"
"$gw" check-config --config 2>"$dir/err"; rc=$?
[[ $rc == 2 ]] && grep -q "needs a value" "$dir/err" || fail "--config without a value: exit $rc, $(cat "$dir/err")"
"$gw" version | grep -q "^course-gateway " || fail "version"

# A secret from the environment: refused while unset, naming the key; accepted once set.
cat >"$dir/env.json" <<JSON
{"admin_token": {"env": "CG_CLI_TEST_ADMIN"}, "exam_secret": {"file": "$dir/exam"},
 "store": {"url": "sqlite:$dir/gateway.db"}, "outbox": {"file": {"path": "$dir/outbox.jsonl"}}}
JSON
printf 'exam-secret-from-a-file-0123\n' >"$dir/exam"
env -u CG_CLI_TEST_ADMIN "$gw" check-config --config "$dir/env.json" 2>"$dir/err"; rc=$?
[[ $rc == 1 ]] || fail "an unset secret variable: exit $rc"
grep -q "admin_token: environment variable CG_CLI_TEST_ADMIN is not set" "$dir/err" || fail "$(cat "$dir/err")"
CG_CLI_TEST_ADMIN=admin-token-from-the-env-0123 "$gw" check-config --config "$dir/env.json" >"$dir/out" ||
  fail "the secret from the environment is refused"

# --online: the store (not created by the check) and each provider, one line each.
export CG_CLI_TEST_ADMIN=admin-token-from-the-env-0123
"$gw" check-config --online --config "$dir/env.json" >"$dir/out" 2>"$dir/err" || fail "--online: $(cat "$dir/out" "$dir/err")"
grep -q "^ok    store: sqlite $dir/gateway.db: no database yet" "$dir/out" || fail "--online store line: $(cat "$dir/out")"
[[ -e "$dir/gateway.db" ]] && fail "check-config --online created the database"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$dir/kannel.json" <<JSON
{"admin_token": {"env": "CG_CLI_TEST_ADMIN"}, "exam_secret": {"file": "$dir/exam"},
 "store": {"url": "sqlite:$dir/gateway.db"}, "outbox": {"file": {"path": "$dir/outbox.jsonl"}},
 "sms": {"providers": [
   {"name": "kannel", "kind": "kannel", "base_url": "http://127.0.0.1:$port", "username": "gateway",
    "password": "kannel-password-0123456789", "from": "AmmanCity", "dlr_key": "kannel-dlr-key-0123456789",
    "connect_timeout_ms": 1000, "timeout_ms": 2000},
   {"name": "outbox-file", "kind": "file", "path": "$dir/outbox.jsonl"}]}}
JSON
"$gw" check-config --online --config "$dir/kannel.json" >"$dir/out" 2>"$dir/err"; rc=$?
[[ $rc == 1 ]] || fail "--online with a provider that does not answer: exit $rc: $(cat "$dir/out")"
[[ $(wc -l <"$dir/out") == 4 ]] || fail "--online: not one line per check: $(cat "$dir/out")"
grep -q "^FAIL  sms.providers\[0\] kannel (kannel): no answer" "$dir/out" || fail "no FAIL line: $(cat "$dir/out")"
grep -q "^ok    sms.providers\[1\] outbox-file (file): " "$dir/out" || fail "no ok line for the file: $(cat "$dir/out")"
grep -q "1 of 3 online checks failed" "$dir/err" || fail "no summary: $(cat "$dir/err")"
grep -q "kannel-password" "$dir/out" "$dir/err" && fail "the password was printed"
echo ok
