#!/usr/bin/env bash
# scripts/local-config.sh, as ./scripts/run.sh uses it on a fresh machine: the example becomes a
# config the gateway accepts, with secrets of its own, readable by its owner only, kept on later runs.
#   local_config_test.sh COURSE_GATEWAY SOURCE_DIR
set -euo pipefail
gateway="$1"
src="$2"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$gateway" check-config --config "$src/config/gateway.example.json" 2>/dev/null &&
  fail "the example with its change-me placeholders was accepted"
bash "$src/scripts/local-config.sh" "$src/config/gateway.example.json" "$dir/a.json" 2>"$dir/said"
grep -q "$dir/a.json" "$dir/said" || fail "it does not say where the config is"
"$gateway" check-config --config "$dir/a.json" || fail "the written config is refused"
grep -q change-me "$dir/a.json" && fail "a placeholder is left"
[[ "$(stat -c %a "$dir/a.json")" == 600 ]] || fail "the config is readable by others"
before="$(cat "$dir/a.json")"
bash "$src/scripts/local-config.sh" "$src/config/gateway.example.json" "$dir/a.json"
[[ "$(cat "$dir/a.json")" == "$before" ]] || fail "a second run replaced the secrets"
bash "$src/scripts/local-config.sh" "$src/config/gateway.example.json" "$dir/b.json" 2>/dev/null
cmp -s "$dir/a.json" "$dir/b.json" && fail "two machines got the same secrets"
echo ok
