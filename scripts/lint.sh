#!/usr/bin/env bash
# The project's habits, checked: every C++ file formatted by .clang-format, and clang-tidy's chosen
# checks (.clang-tidy) clean. scripts/test.sh runs both, so CI fails on either.
#   scripts/lint.sh format            the format check only (instant)
#   scripts/lint.sh tidy BUILD_DIR    clang-tidy over every source file, with BUILD_DIR's compile_commands.json
#   scripts/lint.sh fix               reformat every C++ file in place
set -euo pipefail
cd "$(dirname "$0")/.."

cxx_files() { git ls-files -- '*.cpp' '*.hpp' '*.h'; }

case "${1:-}" in
  format)
    bad=$(cxx_files | xargs -r -n 50 clang-format --dry-run 2>&1 |
      sed -nE 's/^([^: ]+\.(cpp|hpp|h)):[0-9]+:[0-9]+: (warning|error): .*/\1/p' | sort -u)
    if [ -n "$bad" ]; then
      printf 'lint: not formatted by .clang-format (run scripts/lint.sh fix):\n%s\n' "$bad" >&2
      exit 1
    fi
    echo "lint: format ok ($(cxx_files | wc -l) files)"
    ;;
  fix)
    cxx_files | xargs -r clang-format -i
    ;;
  tidy)
    build="${2:?usage: scripts/lint.sh tidy BUILD_DIR}"
    [ -f "$build/compile_commands.json" ] || { echo "lint: no $build/compile_commands.json (configure first)" >&2; exit 2; }
    # The sources of the product (not tests, benchmarks or fuzz targets); headers are checked through
    # them (.clang-tidy's HeaderFilterRegex). -Wno-restrict is g++'s and unknown to clang.
    files=$(git ls-files -- 'core/*.cpp' 'templates/*.cpp' 'adapters/*.cpp' 'gateway/*.cpp')
    if ! grep -q '"file": ".*adapters/store/mysql/' "$build/compile_commands.json"; then
      files=$(printf '%s\n' $files | grep -v '^adapters/store/mysql/')  # a build without MySQL support
    fi
    out=$(mktemp)
    trap 'rm -f "$out"' EXIT
    printf '%s\n' $files | xargs -r -P "$(nproc)" -n 1 clang-tidy -p "$build" --quiet \
      --extra-arg=-Wno-unknown-warning-option > "$out" 2>/dev/null || true
    if grep -qE '(warning|error): ' "$out"; then
      grep -E -A3 '(warning|error): ' "$out" >&2
      echo "lint: clang-tidy found $(grep -cE '(warning|error): ' "$out") problems" >&2
      exit 1
    fi
    echo "lint: clang-tidy ok ($(printf '%s\n' $files | wc -l) files)"
    ;;
  *)
    sed -n '2,7p' "$0" >&2
    exit 2
    ;;
esac
