#!/usr/bin/env bash
# Installs what the tests need (Debian packages), checks the code's format, builds everything (Debug)
# with AddressSanitizer + UBSan, runs clang-tidy's chosen checks (scripts/lint.sh), runs every
# libFuzzer target for a bounded time (scripts/fuzz.sh), then every test under the sanitizers.
#   ./scripts/test.sh                  all of it (what CI runs)
#   CG_SANITIZE=0 ./scripts/test.sh    the tests without sanitizers (RelWithDebInfo)
#   FUZZ_SECONDS=0 ./scripts/test.sh   no fuzzing (FUZZ_SECONDS: how long each target runs, default 20)
# One build serves the tests: a separate sanitized build beside a plain one cost CI a second full
# build (docs/decisions.md, "Fuzzing and sanitizers"). Benchmarks are built and measured apart, in
# build/bench without sanitizers (scripts/bench-*.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh --with-tests
bash scripts/lint.sh format
jobs="$(nproc)"
sanitize="${CG_SANITIZE:-1}"
fuzz_seconds="${FUZZ_SECONDS:-20}"

build() {  # build dir, extra cmake args...
  local dir="$1"; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
}

if [ "$sanitize" = "1" ]; then
  # Debug (-O0): with the sanitizers, -O2 took 2.7 times the compile CPU of the plain build and -O1
  # twice, -O0 about the same (docs/performance-log.md); CI has 2 cores and no ccache.
  build build/test -DCMAKE_BUILD_TYPE=Debug -DCG_SANITIZE=ON -DCG_BUILD_BENCH=OFF
else
  build build/test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCG_SANITIZE=OFF -DCG_BUILD_BENCH=OFF
fi
bash scripts/lint.sh tidy build/test
if [ "$fuzz_seconds" != "0" ]; then FUZZ_SECONDS="$fuzz_seconds" bash scripts/fuzz.sh; fi
# A sanitizer's finding ends the test that made it, whichever test it is (the build already makes
# every UBSan check fatal with -fno-sanitize-recover=all).
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# Last, so the run ends with ctest's summary.
(cd build/test && ctest --output-on-failure -j "$jobs" --timeout 600)
