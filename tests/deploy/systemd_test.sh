#!/usr/bin/env bash
# deploy/systemd/course-gateway.service: `systemd-analyze verify` accepts it without a single
# warning, it runs as its own user under the confinement docs/deploy.md promises, and it gives the
# gateway longer to stop than the gateway can take (read from the code's own defaults).
#   systemd_test.sh COURSE_GATEWAY SOURCE_DIR
set -uo pipefail
gw="$1"
src="$2"
unit_src="$src/deploy/systemd/course-gateway.service"
fail() { echo "FAIL: $*" >&2; exit 1; }
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze is not installed (Debian package systemd); $unit_src is not checked"
  exit 77
fi
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT

# The unit as installed, but with the binary where this build put it (verify checks it is executable).
sed "s#/usr/local/bin/course-gateway#$gw#g" "$unit_src" >"$dir/course-gateway.service"
out=$(systemd-analyze verify "$dir/course-gateway.service" 2>&1)
rc=$?
[[ $rc == 0 ]] || fail "systemd-analyze verify exited $rc: $out"
[[ -z "$out" ]] || fail "systemd-analyze verify warns: $out"

value() { sed -n "s/^$1=//p" "$unit_src" | tail -n 1; }
[[ "$(value User)" == course-gateway ]] || fail "User= is '$(value User)', not the dedicated course-gateway"
[[ "$(value ProtectSystem)" == strict ]] || fail "ProtectSystem= is not strict"
[[ "$(value NoNewPrivileges)" == yes ]] || fail "NoNewPrivileges= is not yes"
[[ "$(value StateDirectory)" == course-gateway ]] || fail "StateDirectory= is not course-gateway"
[[ "$(value Restart)" == on-failure ]] || fail "Restart= is not on-failure"
[[ "$(value ExecStart)" == *" serve --config "* ]] || fail "ExecStart does not run serve --config"

# The longest clean stop: the HTTP server's stop grace, then a dispatcher batch cut at a provider's
# timeout. Both defaults are read from the code so this fails when either grows past the unit.
grace_ms=$(grep -o "stop_grace{[0-9']*}" "$src/gateway/http/server.hpp" | tr -dc 0-9)
provider_ms=$(grep -o "std::chrono::milliseconds timeout{[0-9']*}" "$src/gateway/sms/config.hpp" | tr -dc 0-9)
[[ -n "$grace_ms" && -n "$provider_ms" ]] || fail "cannot read the stop grace or the provider timeout from the code"
stop_s=$(value TimeoutStopSec)
[[ "$stop_s" =~ ^[0-9]+$ ]] || fail "TimeoutStopSec= is '$stop_s', not a number of seconds"
((stop_s * 1000 > grace_ms + provider_ms)) ||
  fail "TimeoutStopSec=$stop_s is not longer than the graceful stop (${grace_ms} ms + ${provider_ms} ms)"
echo "ok (TimeoutStopSec=$stop_s s > ${grace_ms} ms stop grace + ${provider_ms} ms provider timeout)"
