#!/usr/bin/env bash
# `course-gateway operator ...` on a fresh SQLite store: add (generated password, or from a file or
# standard input), list, disable, reset; bad input is refused with a message and changes nothing.
#   operator_tool_test.sh COURSE_GATEWAY
set -euo pipefail
gateway="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cfg="$dir/gateway.json"
cat > "$cfg" <<JSON
{"store": {"url": "sqlite:$dir/gateway.db"}, "admin_token": "operator-tool-test-admin-token",
 "exam_secret": "operator-tool-test-exam-secret", "outbox": {"file": {"path": "$dir/outbox.jsonl"}}}
JSON
op() { "$gateway" operator "$@"; }

out="$(op add --config "$cfg" sara --role admin)" || fail "add with a generated password"
grep -q '^added sara (admin)$' <<<"$out" || fail "add said: $out"
generated="$(sed -n 's/^password: //p' <<<"$out")"
[[ ${#generated} == 20 ]] || fail "a generated password of 20 characters was not printed once: $out"

printf 'a password from stdin\n' | op add --config "$cfg" omar --role operator --password-file - >"$dir/out" ||
  fail "add with the password on standard input"
grep -q 'password:' "$dir/out" && fail "a given password was printed"
printf 'a password in a file\n' >"$dir/pw"
op add --config "$cfg" lina --role viewer --password-file "$dir/pw" >/dev/null || fail "add with a password file"

# Refused, changing nothing: a short password, a duplicate, a bad name or role, a password in argv.
printf 'short\n' | op add --config "$cfg" tiny --role viewer --password-file - 2>"$dir/err" && fail "a short password"
grep -q '12 characters' "$dir/err" || fail "the short password's message: $(cat "$dir/err")"
op add --config "$cfg" sara --role viewer 2>"$dir/err" >/dev/null && fail "a duplicate name"
grep -q "exists already" "$dir/err" || fail "the duplicate's message: $(cat "$dir/err")"
set +e
op add --config "$cfg" Bad.Name --role viewer >/dev/null 2>&1; [[ $? == 2 ]] || fail "a bad name is a usage error"
op add --config "$cfg" eve --role root >/dev/null 2>&1; [[ $? == 2 ]] || fail "a bad role is a usage error"
op add --config "$cfg" eve --role admin --password secret-in-argv >/dev/null 2>&1
[[ $? == 2 ]] || fail "a password on the command line is refused"
op add --config "$cfg" eve >/dev/null 2>&1; [[ $? == 2 ]] || fail "add without --role"
set -e

list="$(op list --config "$cfg" | cut -f1-3)"
want=$'lina\tviewer\tenabled\nomar\toperator\tenabled\nsara\tadmin\tenabled'
[[ "$list" == "$want" ]] || fail "list: $list"

op disable --config "$cfg" omar | grep -q '^disabled omar$' || fail "disable"
op list --config "$cfg" | grep -q $'^omar\toperator\tdisabled' || fail "omar is not disabled"
op disable --config "$cfg" nobody 2>"$dir/err" && fail "disabling an unknown operator"
grep -q "no operator named 'nobody'" "$dir/err" || fail "the unknown operator's message: $(cat "$dir/err")"

out="$(op reset --config "$cfg" omar)" || fail "reset"
grep -q '^password: ' <<<"$out" || fail "reset prints the new generated password: $out"
op list --config "$cfg" | grep -q $'^omar\toperator\tenabled' || fail "reset enables the account again"
echo ok
