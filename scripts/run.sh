#!/usr/bin/env bash
# Builds course-gateway and starts it on the embedded default (SQLite store, file outbox).
#   ./scripts/run.sh [CONFIG]      default config: var/gateway.local.json, written on the first run
#                                  from config/gateway.example.json with fresh random secrets
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCG_BUILD_TESTS=OFF -DCG_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --target course-gateway -j "$(nproc)"
mkdir -p var
if [[ $# -ge 1 ]]; then
  config="$1"
else
  config=var/gateway.local.json
  bash scripts/local-config.sh config/gateway.example.json "$config"
  echo "course-gateway: config $config (its secrets are the keys for the README's Try it)" >&2
fi
exec build/release/gateway/course-gateway serve --config "$config"
