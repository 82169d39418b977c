#!/usr/bin/env bash
# promtool ARGS...: runs promtool, or skips (77) when it is not installed.
set -euo pipefail
if ! command -v promtool >/dev/null 2>&1; then
  echo "promtool not found: install Debian's prometheus package (scripts/setup-deps.sh --with-tests)" >&2
  exit 77
fi
exec promtool "$@"
