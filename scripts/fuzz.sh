#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/, clang with ASan+UBSan) and runs each from its seed corpus
# fuzz/corpus/<name>/ for a bounded time; fails when any target finds a crash, a sanitizer report
# or a broken invariant. New inputs the fuzzers find go to a temporary folder, not the seed corpus.
#   scripts/fuzz.sh                       every target, FUZZ_SECONDS (default 20) each
#   scripts/fuzz.sh kannel mfep           only those
#   FUZZ_SECONDS=600 scripts/fuzz.sh mfep  a longer run, by hand
#   FUZZ_SEED=0 scripts/fuzz.sh           a random seed (default 1)
# The seed is fixed by default so a run is repeatable: the same binary and seed mutate the same way,
# and CI explores what a local run of at least as many seconds already explored, instead of a
# submission failing on what a new random walk happened to find. Random seeds are for longer runs
# by hand; what they find is fixed and its input added to fuzz/corpus/<name>/.
# A crash's input is kept in build/fuzz/artifacts/; replay it with build/fuzz/fuzz/<name>_fuzz FILE.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-20}"
seed="${FUZZ_SEED:-1}"
build=build/fuzz
jobs="$(nproc)"

cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCG_FUZZ=ON \
  -DCG_BUILD_TESTS=OFF -DCG_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target fuzz_targets

if [ "$#" -gt 0 ]; then
  names=("$@")
else
  names=()
  for d in fuzz/corpus/*/; do names+=("$(basename "$d")"); done
fi
mkdir -p "$build/artifacts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

run_one() {  # name: exit status of the fuzzer, its output in $work/<name>.log
  local name="$1"
  mkdir -p "$work/$name"
  # halt_on_error/abort_on_error: the first sanitizer report ends the run as a crash.
  ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$build/fuzz/${name}_fuzz" "$work/$name" "fuzz/corpus/$name" -max_total_time="$seconds" -seed="$seed" -timeout=10 \
    -artifact_prefix="$build/artifacts/${name}-" -print_final_stats=1 >"$work/$name.log" 2>&1
}
export -f run_one
export build seconds seed work

failed=()
for name in "${names[@]}"; do
  [ -x "$build/fuzz/${name}_fuzz" ] || { echo "fuzz: no target ${name}_fuzz" >&2; exit 2; }
done
# Two at a time on CI's two cores; each target's output is shown only when it fails.
printf '%s\n' "${names[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one {} && echo "fuzz: {} ok ($(grep -m1 -o "stat::number_of_executed_units: *[0-9]*" "$work/{}.log" | grep -o "[0-9]*$") runs)" || { echo "fuzz: {} FAILED"; touch "$work/{}.failed"; }'
for name in "${names[@]}"; do
  if [ -e "$work/$name.failed" ]; then
    failed+=("$name")
    echo "---- $name ----" >&2
    tail -n 60 "$work/$name.log" >&2
  fi
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: ${failed[*]} failed (inputs in $build/artifacts/)" >&2
  exit 1
fi
echo "fuzz: ok (${#names[@]} targets, ${seconds}s each)"
