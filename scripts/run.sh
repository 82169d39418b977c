#!/usr/bin/env bash
# Builds course-gateway and starts it on the embedded default (SQLite store, file outbox).
#   ./scripts/run.sh [CONFIG]      default config: config/gateway.example.json
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-deps.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCG_BUILD_TESTS=OFF -DCG_BUILD_BENCH=OFF >/dev/null
cmake --build build/release --target course-gateway -j "$(nproc)"
config="${1:-config/gateway.example.json}"
mkdir -p var
exec build/release/gateway/course-gateway serve --config "$config"
