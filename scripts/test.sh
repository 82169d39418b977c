#!/usr/bin/env bash
# Installs what the tests need (Debian packages), checks the code's format, builds everything, runs
# every test, then runs clang-tidy's chosen checks over the sources (scripts/lint.sh).
#   ./scripts/test.sh              the normal build, all tests and the lint
#   CG_SANITIZE=1 ./scripts/test.sh   also an AddressSanitizer + UBSan build running all tests
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh --with-tests
bash scripts/lint.sh format
jobs="$(nproc)"

build() {  # build dir, extra cmake args...
  local dir="$1"; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}
run_tests() {  # build dir
  (cd "$1" && ctest --output-on-failure -j "$jobs" --timeout 600)
}

build build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo
bash scripts/lint.sh tidy build/test
if [ "${CG_SANITIZE:-0}" = "1" ]; then
  build build/asan -DCMAKE_BUILD_TYPE=Debug -DCG_SANITIZE=ON -DCG_BUILD_BENCH=OFF
  run_tests build/asan
fi
run_tests build/test  # last, so the run ends with ctest's summary
