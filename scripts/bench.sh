#!/usr/bin/env bash
# Runs a benchmark of scripts/ on Deno and on Bun in one go: `scripts/bench.sh decode [seconds]`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/deno ] && [ -x node_modules/.bin/bun ] || npm install --no-audit --no-fund --loglevel=error
name=$1
shift
node_modules/.bin/deno run -A "scripts/bench_$name.ts" "$@"
node_modules/.bin/bun "scripts/bench_$name.ts" "$@"
