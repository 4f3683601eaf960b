// Netdata 1.37's collection math, checked against values worked out by hand from the algorithm of
// rrdset_timed_next / rrdset_timed_done / rrdset_done_interpolate for concrete sequences.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Chart, type ChartSpec, type DimensionSpec } from "../../src/metrics/chart.ts";
import { ChartCollection, type CollectionOptions } from "../../src/metrics/collection.ts";
import type { CollectedNumber } from "../../src/protocol/numbers.ts";

/** An epoch second divisible by 10, so that grids of 1, 2, 5 and 10 s start on it. */
const T = 1795420000;
/** Epoch µs of `T + seconds`. */
const at = (seconds: number): number => Math.round((T + seconds) * 1e6);

type Point = [endS: number, values: number[], reset: boolean];

function chartOf(dims: DimensionSpec[], spec: Partial<ChartSpec> = {}): Chart {
  const chart = new Chart({
    id: "test.chart",
    title: "t",
    units: "u",
    family: "f",
    context: "test.chart",
    chartType: "line",
    priority: 1,
    updateEvery: 1,
    plugin: "p",
    module: "m",
    ...spec,
  });
  for (const d of dims) chart.dimension(d);
  return chart;
}

const abs = (id: string, extra: Partial<DimensionSpec> = {}): DimensionSpec => ({
  id,
  algorithm: "absolute",
  multiplier: 1,
  divisor: 1,
  ...extra,
});
const inc = (id: string, extra: Partial<DimensionSpec> = {}): DimensionSpec => ({
  ...abs(id, extra),
  algorithm: "incremental",
});

/** Runs iterations the way a receiver does: SETs, BEGIN's duration, END at the wall clock. */
class Run {
  readonly chart: Chart;
  readonly collection: ChartCollection;
  readonly logs: string[] = [];

  constructor(chart: Chart, options: Partial<CollectionOptions> = {}) {
    this.chart = chart;
    this.collection = new ChartCollection(chart, { entries: 3600, log: (m) => this.logs.push(m), ...options });
  }

  /** One iteration at wall clock `nowUs` with the duration the child reported; returns the points stored. */
  step(nowUs: number, reportedUs: number, values: (CollectedNumber | undefined)[]): Point[] {
    const points: Point[] = [];
    values.forEach((v, i) => {
      if (v !== undefined) this.chart.dimensions[i].set(v);
    });
    this.chart.reportedSinceLastUs = reportedUs;
    this.collection.collect(nowUs, (endS, vs, reset) => points.push([endS, Array.from(vs), reset]));
    for (const d of this.chart.dimensions) d.updated = false;
    return points;
  }
}

/** Compares points, values to 1e-9 (NaN equals NaN). */
function assertPoints(actual: Point[], expected: Point[]): void {
  assert.equal(actual.length, expected.length, `points: ${JSON.stringify(actual)}`);
  actual.forEach(([t, vs, r], i) => {
    const [et, evs, er] = expected[i];
    assert.equal(t, et, `slot ${i} time`);
    assert.equal(r, er, `slot ${i} (${t}) reset flag`);
    vs.forEach((v, j) => {
      const e = evs[j];
      if (Number.isNaN(e)) assert.ok(Number.isNaN(v), `slot ${t} dim ${j}: expected NaN, got ${v}`);
      else assert.ok(Math.abs(v - e) < 1e-9, `slot ${t} dim ${j}: expected ${e}, got ${v}`);
    });
  });
}

test("absolute: first collection stores nothing; a missed second is interpolated; the wall clock syncs the second", () => {
  const run = new Run(chartOf([abs("a", { multiplier: 3, divisor: 2 })]));
  // First: last_collected aligned to T.5, last_updated to T; nothing to store yet.
  assertPoints(run.step(at(0.3), 0, [10]), []);
  assert.equal(run.collection.lastCollectedUs, at(0.5));
  // The chart still syncs its clock: the reported 1 s is discarded for the wall clock's 0.8 s.
  assertPoints(run.step(at(1.3), 1_000_000, [20]), [[T + 1, [30], false]]);
  assert.equal(run.collection.lastCollectedUs, at(1.3));
  // From now on the child's durations are trusted (the wall clock here says 5 s: ignored).
  assertPoints(run.step(at(6), 1_000_000, [30]), [[T + 2, [45], false]]);
  // 2 s later: slot T+3 interpolated between 45 @ T+2.3 and 75 @ T+4.3: 45 + 30 × 0.7 / 2 = 55.5.
  assertPoints(run.step(at(9), 2_000_000, [50]), [[T + 3, [55.5], false], [T + 4, [75], false]]);
  assert.equal(run.collection.lastUpdatedUs, at(4));
});

test("gap: with 2 iterations lost the oldest slot is a gap (default gap_when_lost_iterations_above = 1)", () => {
  const run = new Run(chartOf([abs("a")]));
  run.step(at(0.3), 0, [10]);
  run.step(at(1.3), 0, [20]);
  run.step(at(2.3), 1_000_000, [50]);
  // Collected at T+5.3 after T+2.3: three slots, counted down 3, 2, 1; 3 is not below 1 + 2.
  assertPoints(run.step(at(5.3), 3_000_000, [80]), [
    [T + 3, [NaN], false],
    [T + 4, [50 + 30 * 1 / 2.3], false],
    [T + 5, [80], false],
  ]);
  // A higher threshold keeps all three.
  const lenient = new Run(chartOf([abs("a")]), { gapWhenLostIterationsAbove: 5 });
  lenient.step(at(0.3), 0, [10]);
  lenient.step(at(1.3), 0, [20]);
  lenient.step(at(2.3), 1_000_000, [50]);
  assertPoints(lenient.step(at(5.3), 3_000_000, [80]), [
    [T + 3, [50 + 30 * 0.7 / 3], false],
    [T + 4, [50 + 30 * 1 / 2.3], false],
    [T + 5, [80], false],
  ]);
});

test("incremental: rates of collections off the grid, with the remainder carried to the next slot", () => {
  const run = new Run(chartOf([inc("c")]));
  assertPoints(run.step(at(0.3), 0, [1000]), []);
  // 800 over T.5 → T+1.3: slot T+1 gets 800 × 0.5 / 0.8 = 500, 300 carried.
  assertPoints(run.step(at(1.3), 0, [1800]), [[T + 1, [500], false]]);
  // 1000 over T+1.3 → T+2.3: 1000 × 0.7 + 300 = 1000, 300 carried.
  assertPoints(run.step(at(2.3), 1_000_000, [2800]), [[T + 2, [1000], false]]);
  // 600 over 1.5 s → T+3.8: 600 × 0.7 / 1.5 + 300 = 580, 320 carried.
  assertPoints(run.step(at(3.8), 1_500_000, [3400]), [[T + 3, [580], false]]);
  // 500 over 0.5 s → T+4.3: 500 × 0.2 / 0.5 + 320 = 520.
  assertPoints(run.step(at(4.3), 500_000, [3900]), [[T + 4, [520], false]]);
  // Two collections inside one slot: the first stores nothing and adds to the carry.
  assertPoints(run.step(at(4.8), 500_000, [4400]), []);
  // Carry 300 (from T+4.3) + 500; then 400 over T+4.8 → T+5.3: 400 × 0.2 / 0.5 = 160.
  assertPoints(run.step(at(5.3), 500_000, [4800]), [[T + 5, [960], false]]);
});

test("incremental with update_every 2: per-second rates, multiplier and divisor", () => {
  const run = new Run(chartOf([inc("c", { multiplier: 8, divisor: 1000 })], { updateEvery: 2 }));
  run.step(at(0.3), 0, [0]); // last_collected T.5, last_updated T
  // Wall clock: 2 s → T+2.5; 10000 × 8 / 1000 = 80 over 2 s; slot T+2 gets 80 × 1.5 / 2 = 60, per s: 30.
  assertPoints(run.step(at(2.5), 2_000_000, [10000]), [[T + 2, [30], false]]);
  // 20 carried; 40 more over T+2.5 → T+4.5: 40 × 1.5 / 2 + 20 = 50 per 2 s = 25.
  assertPoints(run.step(at(4.5), 2_000_000, [15000]), [[T + 4, [25], false]]);
});

test("counter wrap and reset: the R flag, a 32-bit overflow credited, a restart counted as 0", () => {
  const seq = [4294967000, 4294967200, 100, 300, 5, 105];
  const expected: Point[] = [
    [T + 1, [100], false], // +200 over T.5 → T+1.5, half in this slot
    [T + 2, [97.5 + 100], true], // wrapped: 2^32 - 1 - 4294967200 + 100 = 195
    [T + 3, [100 + 97.5], false],
    [T + 4, [0 + 100], true], // 300 → 5 is no plausible overflow: a reset, 0
    [T + 5, [50 + 0], false],
  ];
  const run = new Run(chartOf([inc("c")]));
  const points = seq.flatMap((v, i) => run.step(at(i + 0.5), i === 0 ? 0 : 1_000_000, [v]));
  assertPoints(points, expected);

  // noreset (and nooverflow) compute the same values but never flag the slot.
  for (const option of ["noreset", "nooverflow"] as const) {
    const quiet = new Run(chartOf([inc("c", { [option]: true })]));
    const got = seq.flatMap((v, i) => quiet.step(at(i + 0.5), i === 0 ? 0 : 1_000_000, [v]));
    assertPoints(got, expected.map(([t, vs]) => [t, vs, false]));
  }
});

test("counter beyond 32 bits: a 64-bit wrap range, and bigint values keep every digit", () => {
  const run = new Run(chartOf([inc("c")]));
  const big = 2n ** 53n + 1n;
  run.step(at(0.5), 0, [big]);
  assertPoints(run.step(at(1.5), 1_000_000, [big + 10n]), [[T + 1, [5], false]]);
  // 2^40 → 2^40 - 1: went back with a magnitude above 32 bits: not plausible in 64 bits, so a reset.
  const reset = new Run(chartOf([inc("c")]));
  reset.step(at(0.5), 0, [2 ** 40]);
  reset.step(at(1.5), 1_000_000, [2 ** 40 + 2]);
  assertPoints(reset.step(at(2.5), 1_000_000, [2 ** 40 - 1]), [[T + 2, [1], true]]);
});

test("percentage-of-absolute-row and percentage-of-incremental-row", () => {
  const rowAbs = new Run(chartOf([abs("x", { algorithm: "percentage-of-absolute-row" }), {
    ...abs("y"),
    algorithm: "percentage-of-absolute-row",
  }]));
  rowAbs.step(at(0.5), 0, [1, 3]);
  // One slot per collection: the slot takes the row's share as it is, no interpolation.
  assertPoints(rowAbs.step(at(1.5), 1_000_000, [3, 1]), [[T + 1, [75, 25], false]]);
  assertPoints(rowAbs.step(at(2.5), 1_000_000, [1, 1]), [[T + 2, [50, 50], false]]);
  assertPoints(rowAbs.step(at(3.5), 1_000_000, [0, 0]), [[T + 3, [0, 0], false]]);

  const pct = (id: string): DimensionSpec => ({ ...abs(id), algorithm: "percentage-of-incremental-row" });
  const rowInc = new Run(chartOf([pct("p"), pct("q")]));
  rowInc.step(at(0.5), 0, [100, 100]);
  assertPoints(rowInc.step(at(1.5), 1_000_000, [130, 170]), [[T + 1, [30, 70], false]]);
  assertPoints(rowInc.step(at(2.5), 1_000_000, [130, 270]), [[T + 2, [0, 100], false]]);
  // p went back: flagged, and its increment is 0 of the row's 100.
  assertPoints(rowInc.step(at(3.5), 1_000_000, [10, 370]), [[T + 3, [0, 100], true]]);
});

test("store_first: the first collection gets a slot (a gap: one collection is not enough to store)", () => {
  const first = new Run(chartOf([abs("a")], { storeFirst: true }));
  assertPoints(first.step(at(0), 0, [7]), [[T, [NaN], false]]);
  assert.equal(first.collection.lastCollectedUs, at(0));
  assertPoints(first.step(at(1), 0, [9]), [[T + 1, [9], false]]);
  // Collections exactly on the grid count one iteration more: a single lost one already leaves a gap.
  assertPoints(first.step(at(3), 2_000_000, [13]), [[T + 2, [NaN], false], [T + 3, [13], false]]);

  const plain = new Run(chartOf([abs("a")]));
  assertPoints(plain.step(at(0), 0, [7]), []);
  assertPoints(plain.step(at(1), 0, [9]), [[T + 1, [9], false]]);
});

test("dimensions not collected in an iteration store gaps; a dimension added later joins", () => {
  const run = new Run(chartOf([abs("a"), abs("b")]));
  run.step(at(0.5), 0, [1, 2]);
  assertPoints(run.step(at(1.5), 1_000_000, [3, undefined]), [[T + 1, [3, NaN], false]]);
  run.chart.dimension(abs("c"));
  // c has one collection only: a gap still.
  assertPoints(run.step(at(2.5), 1_000_000, [5, 6, 7]), [[T + 2, [5, 6, NaN], false]]);
  assertPoints(run.step(at(3.5), 1_000_000, [5, 6, 7]), [[T + 3, [5, 6, 7], false]]);
});

test("took too long: the chart is reset, logged, and stores again after two collections", () => {
  const run = new Run(chartOf([abs("a")]), { entries: 10 });
  run.step(at(0.5), 0, [1]);
  run.step(at(1.5), 1_000_000, [1]);
  // 61 s is beyond max(entries, 60) slots.
  assertPoints(run.step(at(62.5), 61_000_000, [1]), []);
  assert.match(run.logs.join("\n"), /took too long to be updated .*61\.000 secs\)\. Resetting it\./);
  assertPoints(run.step(at(63.5), 1_000_000, [2]), [[T + 63, [NaN], false]]);
  assertPoints(run.step(at(64.5), 1_000_000, [3]), [[T + 64, [3], false]]);
});

test("too old data: a jump beyond history resets the chart", () => {
  const run = new Run(chartOf([abs("a")]), { entries: 5 });
  run.step(at(0.5), 0, [1]);
  run.step(at(1.5), 1_000_000, [1]);
  assertPoints(run.step(at(11.5), 10_000_000, [1]), []);
  assert.match(run.logs.join("\n"), /too old data .* Resetting it\. Will not store the next entry\./);
  // Reset to "never collected": the next iterations start over.
  assert.equal(run.collection.lastCollectedUs, 0);
  assert.equal(run.collection.counterDone, 1);
});

test("untrusted durations: a collection time in the future is not stored, one far in the past catches up", () => {
  const run = new Run(chartOf([abs("a")]), { trustDurations: false });
  run.step(at(0.5), 0, [10]);
  run.step(at(1.5), 1_000_000, [20]);
  // The wall clock is behind the database: the reported second is discarded, nothing is stored.
  assertPoints(run.step(at(1.2), 1_000_000, [30]), []);
  // 10 s later by the wall clock though 1 s reported: the wall clock wins (more than 5 × update_every).
  const points = run.step(at(11.5), 1_000_000, [40]);
  assert.equal(points.length, 10);
  assert.deepEqual(points.map((p) => p[0]), Array.from({ length: 10 }, (_, i) => T + 2 + i));
  // T+10 interpolates between 30 (the future-dated collection) and 40 @ T+11.5: 30 + 10 × 1 / 2.5.
  assertPoints(points.slice(8), [[T + 10, [34], false], [T + 11, [40], false]]);
  assert.ok(points.slice(0, 8).every(([, [v]]) => Number.isNaN(v)));
});

test("replication: RBEGIN/RSET/RDSTATE/RSSTATE/REND set the state streaming continues from", () => {
  const run = new Run(chartOf([inc("c")]));
  const c = run.collection;
  assert.equal(c.replayBegin(T + 9, T + 8), false, "start after end disables the replay");
  assert.ok(c.replayBegin(T + 9, T + 10));
  assert.equal(c.lastUpdatedUs, at(10));
  c.replayed(0, T + 10);
  assert.ok(c.restoreDimension("c", at(10.5), 1000, 40, 42));
  assert.equal(c.restoreDimension("nope", 0, 0, 0, 0), false);
  c.restoreChart(at(10.5), at(9)); // last_updated never moves back
  assert.equal(c.lastUpdatedUs, at(10));
  c.replicationEnded(true);
  assert.equal(c.counterDone, 3);
  assert.deepEqual(c.dimensionState(0), {
    lastCollectedUs: at(10.5),
    lastCollected: 1000,
    lastCalculated: 40,
    lastStored: 42,
  });
  // Streaming: the reported 1 s is trusted at once (REND cleared the clock sync): 600 × 0.5 + 40 carried.
  assertPoints(run.step(at(11.9), 1_000_000, [1600]), [[T + 11, [340], false]]);
});
