#!/usr/bin/env bash
# Installs what the tests need (Debian packages), builds everything and runs every test.
#   ./scripts/test.sh              the normal build and all tests
#   CG_SANITIZE=1 ./scripts/test.sh   also an AddressSanitizer + UBSan build running all tests
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh --with-tests
jobs="$(nproc)"

run_suite() {  # build dir, extra cmake args...
  local dir="$1"; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  (cd "$dir" && ctest --output-on-failure -j "$jobs" --timeout 600)
}

run_suite build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "${CG_SANITIZE:-0}" = "1" ]; then
  run_suite build/asan -DCMAKE_BUILD_TYPE=Debug -DCG_SANITIZE=ON -DCG_BUILD_BENCH=OFF
fi
