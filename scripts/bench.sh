#!/usr/bin/env bash
# Runs a benchmark of scripts/ on Deno and on Bun in one go: `scripts/bench.sh decode [seconds]`,
# `scripts/bench.sh ring [budget bytes]` (the replay ring's bytes per sample and retention, scripts/bench_ring.ts);
# `scripts/bench.sh collector [seconds]` (rill's compiled collector next to a real Netdata child) and
# `scripts/bench.sh parent [--children N] [--seconds S] …` (N simulated children into a real Netdata parent, then
# into rill-parent) and `scripts/bench.sh proxy [--children N] [--seconds S] …` (N simulated children streaming in
# real time through a real Netdata 1.37 headless proxy, then through rill-parent as one, to a real Netdata: each
# proxy's CPU per million samples, its RSS and the delay it adds, scripts/bench_proxy.ts) and
# `scripts/bench.sh api [--children N] [--parents netdata,rill] …` (the API latency and
# the children's ingestion stall of a real Netdata parent, then of the compiled rill-parent, while N simulated
# children stream in real time, compared request by request) and `scripts/bench.sh api-memory [--children N] …` (the
# parent's RSS over repeated large answers, scripts/bench_api_memory.ts) run once. `scripts/bench.sh wire [--runs N]`
# (a real child's stream plain, LZ4 and zstd: wire bytes per second and the CPU of both ends, scripts/bench_wire.ts)
# runs on both. `scripts/bench.sh flood-memory [seconds] [buffer bytes]` (the collector's RSS under a 1 MB/s plugin
# its parent never reads, scripts/bench_flood_memory.ts) runs once.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/deno ] && [ -x node_modules/.bin/bun ] || npm install --no-audit --no-fund --loglevel=error
name=$1
shift
# The collector benchmarks measure the compiled binary: the runtime running the script does not matter, so
# they run once (`scripts/bench.sh collector [seconds]`, `scripts/bench.sh flood-memory [seconds] [buffer]`).
if [ "$name" = collector ]; then
  exec node_modules/.bin/deno run -A scripts/bench_collector.ts "$@"
fi
if [ "$name" = flood-memory ]; then
  exec node_modules/.bin/deno run -A scripts/bench_flood_memory.ts "$@"
fi
# The parent benchmark measures the parents' CPU; the simulated children run in the script, on Bun (the lighter load).
if [ "$name" = parent ]; then
  exec node_modules/.bin/bun scripts/bench_parent.ts "$@"
fi
# The proxy benchmark measures the proxies; the children run in the script, on Bun likewise.
if [ "$name" = proxy ]; then
  exec node_modules/.bin/bun scripts/bench_proxy.ts "$@"
fi
# The API benchmark times the parents' answers; the children run in the script, on Bun likewise.
if [ "$name" = api ]; then
  exec node_modules/.bin/bun scripts/bench_api_latency.ts "$@"
fi
if [ "$name" = api-memory ]; then
  exec node_modules/.bin/bun scripts/bench_api_memory.ts "$@"
fi
node_modules/.bin/deno run -A "scripts/bench_$name.ts" "$@"
node_modules/.bin/bun "scripts/bench_$name.ts" "$@"
