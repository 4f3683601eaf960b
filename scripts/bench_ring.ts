/**
 * The replay ring's footprint and speed: 1,200 dimensions (40 charts of 30: gauges, counters, row shares)
 * collected every second on a simulated clock into a ring of the default `buffer size bytes` (10 MiB) until
 * it is full, then a 10-minute replay answer of every chart. Prints the bytes per sample, how many seconds
 * the budget holds (the goal: at least 10 minutes), the cost of keeping an iteration and of answering
 * `REPLAY_CHART`, for the runtime it runs on. Run it with `bash scripts/bench.sh ring` (Deno and Bun).
 *
 * Usage: `<runtime> scripts/bench_ring.ts [budget bytes]`
 */
import process from "node:process";
import { testHost } from "../tests/_hosts.ts";
import { encodeChildCommand } from "../src/protocol/encode.ts";
import { ReplayRing } from "../src/stream/replay_ring.ts";

const CHARTS = 40;
const DIMENSIONS_PER_CHART = 30;
const TEN_MINUTES = 600;

const budgetBytes = Number(process.argv[2] ?? 10 * 1024 * 1024);
const host = testHost({
  hostname: "bench",
  machineGuid: "11111111-0000-0000-0000-00000000beef",
  programVersion: "bench",
});
const algorithms = ["absolute", "incremental", "percentage-of-absolute-row"] as const;
const charts = Array.from({ length: CHARTS }, (_, c) => {
  const chart = host.chart({
    id: `bench.chart${c}`,
    title: "bench",
    units: "u",
    family: "bench",
    context: "bench.chart",
    chartType: "line",
    priority: c,
    updateEvery: 1,
    plugin: "bench",
    module: "",
  });
  const algorithm = algorithms[c % algorithms.length];
  for (let d = 0; d < DIMENSIONS_PER_CHART; d++) {
    chart.dimension({ id: `dimension_${d}`, algorithm, multiplier: 1, divisor: 1 });
  }
  return chart;
});
const dimensions = CHARTS * DIMENSIONS_PER_CHART;

const start = Math.floor(Date.now() / 1000) - 100_000;
let second = 0;
const ring = new ReplayRing({ budgetBytes, nowSeconds: () => start + second });
host.observe(ring);

/** One second of collection: every chart, values that move like real counters and gauges. */
function collectOneSecond(): void {
  for (const chart of charts) {
    chart.dimensions.forEach((dim, d) => dim.set(1_000_000 + second * (d + 1) * 37 + ((second * 7919 + d) % 1000)));
    host.collected(chart, (start + second) * 1e6 + 250_000 + (second % 5) * 1000);
  }
  second++;
}

// Fill the ring until it drops its oldest slots (or an hour of collection, if the budget holds more).
const collectStart = performance.now();
let iterations = 0;
while (ring.droppedSlots === 0 && second < 3600 * 24) {
  collectOneSecond();
  iterations += CHARTS;
}
const collectMs = performance.now() - collectStart;
for (let i = 0; i < 60; i++) collectOneSecond();

const retention = ring.retention(charts[0].id);
const heldSeconds = retention.lastS - retention.firstS + 1;
const samplesHeld = heldSeconds * dimensions;

// A 10-minute answer of every chart, as a 1.37 parent asks after a 10-minute outage.
const replayStart = performance.now();
let replayBytes = 0;
let points = 0;
for (const chart of charts) {
  const answer = ring.replay({
    chartId: chart.id,
    after: retention.lastS - TEN_MINUTES,
    before: retention.lastS,
    startStreaming: true,
  }) ?? [];
  for (const line of answer) {
    if (line.kind === "RSET") points++;
    replayBytes += encodeChildCommand(line).length;
  }
}
const replayMs = performance.now() - replayStart;

const runtime = process.versions.deno !== undefined ? `deno ${process.versions.deno}` : `bun ${process.versions.bun}`;
const mib = (n: number) => (n / 1024 / 1024).toFixed(2);
console.log(`replay ring, ${dimensions} dimensions (${CHARTS} charts × ${DIMENSIONS_PER_CHART}) at 1 s — ${runtime}`);
console.log(`  budget (buffer size bytes)      ${mib(budgetBytes)} MiB`);
console.log(`  ring allocated                  ${mib(ring.bytes)} MiB for ${samplesHeld} samples held`);
console.log(`  bytes per sample                ${(ring.bytes / samplesHeld).toFixed(2)}`);
console.log(
  `  seconds held per chart          ${heldSeconds} (${(heldSeconds / 60).toFixed(1)} min; goal ≥ ${
    TEN_MINUTES / 60
  } min: ${heldSeconds >= TEN_MINUTES ? "met" : "NOT met"})`,
);
console.log(
  `  keeping an iteration            ${
    (collectMs * 1000 / iterations).toFixed(1)
  } µs per chart of ${DIMENSIONS_PER_CHART} (${
    (collectMs * 1e6 / (iterations * DIMENSIONS_PER_CHART)).toFixed(0)
  } ns per sample)`,
);
console.log(
  `  10-minute answer, all charts    ${replayMs.toFixed(0)} ms, ${points} points, ${mib(replayBytes)} MiB of text (${
    (replayBytes / points).toFixed(1)
  } bytes per RSET point)`,
);
