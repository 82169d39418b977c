#!/usr/bin/env bash
# Installs everything course-gateway needs to build, run and test on Debian 12 (bookworm),
# from Debian's own packages only. Safe to run again: apt-get skips what is installed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

# What the build and the gateway need.
BUILD_PKGS=(
  ca-certificates git g++ cmake ninja-build ccache pkg-config
  libboost-dev libboost-system-dev
  libcurl4-openssl-dev nlohmann-json3-dev libssl-dev libsqlite3-dev
  libpugixml-dev libphonenumber-dev libmysqlcppconn-dev libjemalloc-dev libsodium-dev
)
# What the tests and benchmarks need in addition: the real peers they start on loopback, the
# linters, and clang with its sanitizer and libFuzzer runtimes for scripts/fuzz.sh.
TEST_PKGS=(
  libgtest-dev libgmock-dev libbenchmark-dev
  mariadb-server mariadb-client kannel kannel-extras wrk curl python3 openssl procps logrotate
  nginx-light systemd
  clang-format clang-tidy
  chromium chromium-driver python3-selenium  # the console's tests in a real browser
  clang libclang-rt-14-dev
  prometheus  # promtool, for the tests of deploy/prometheus
)

want=("${BUILD_PKGS[@]}")
if [ "${1:-}" = "--with-tests" ]; then want+=("${TEST_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then missing+=("$p"); fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's mariadb-server, kannel, nginx and prometheus packages start system services on install
# where an init system runs; the tests start their own throwaway servers on loopback, so stop those.
if command -v service >/dev/null 2>&1; then
  $SUDO service kannel stop >/dev/null 2>&1 || true
  $SUDO service nginx stop >/dev/null 2>&1 || true
  $SUDO service prometheus stop >/dev/null 2>&1 || true
fi
echo "setup-deps: ok"
