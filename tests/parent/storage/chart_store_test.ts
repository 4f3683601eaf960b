// The per-chart ring: grid slots, wrap-around past `history`, gaps, replayed points in the past.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ChartStore, MAX_BLOCK_COLUMNS } from "../../../src/parent/storage/chart_store.ts";
import { gauges, newHost, T } from "./_charts.ts";

const nan = NaN;

function storeOf(history: number, ids = ["a", "b"]): ChartStore {
  return new ChartStore(gauges(newHost(), ids), history);
}

test("ring: wraps around past history, keeping the newest slots in order", () => {
  const store = storeOf(5);
  for (let k = 1; k <= 8; k++) store.append(T + k, Float64Array.of(k, -k), k === 6);
  assert.equal(store.firstTimeS(), T + 4);
  assert.equal(store.lastTimeS(), T + 8);
  const w = store.read(["b", "a"], 0, Infinity);
  assert.deepEqual(w.times, [T + 4, T + 5, T + 6, T + 7, T + 8]);
  assert.deepEqual(Array.from(w.columns[0]), [-4, -5, -6, -7, -8]);
  assert.deepEqual(Array.from(w.columns[1]), [4, 5, 6, 7, 8]);
  assert.deepEqual(Array.from(w.resets[1]), [0, 0, 1, 0, 0]);
  // A window inside, with bounds off the grid; and one entirely before the oldest slot.
  assert.deepEqual(store.read(["a"], T + 5.5, T + 7.5).times, [T + 6, T + 7]);
  assert.equal(store.read(["a"], T, T + 3).times.length, 0);
});

test("ring: skipped slots are gaps, a jump beyond history leaves only the new slot, values round like Netdata's", () => {
  const store = storeOf(5);
  store.append(T + 1, Float64Array.of(1 / 3, 2), false);
  store.append(T + 4, Float64Array.of(4, nan), false);
  const w = store.read(["a", "b", "unknown"], T, T + 10);
  assert.deepEqual(w.times, [T + 1, T + 2, T + 3, T + 4]);
  assert.deepEqual(Array.from(w.columns[0]), [0.3333333, nan, nan, 4]);
  assert.deepEqual(Array.from(w.columns[1]), [2, nan, nan, nan]);
  assert.deepEqual(Array.from(w.columns[2]), [nan, nan, nan, nan]);
  store.append(T + 20, Float64Array.of(20, 20), false);
  assert.equal(store.firstTimeS(), T + 20);
  assert.deepEqual(store.read(["a"], 0, Infinity).times, [T + 20]);
});

test("replayed points: at their own slot, in the past while inside the ring, later ones advance it", () => {
  const store = storeOf(5);
  store.append(T + 10, Float64Array.of(10, 10), false);
  store.storeOne(T + 8, 1, 8, true); // older than the oldest: the ring grows back to it
  store.storeOne(T + 10, 0, 11, false); // overwrites one column of an existing slot
  store.storeOne(T + 2, 0, 2, false); // fell out of the ring: ignored
  store.storeOne(T + 11, 0, 12, false);
  const w = store.read(["a", "b"], 0, Infinity);
  assert.deepEqual(w.times, [T + 8, T + 9, T + 10, T + 11]);
  assert.deepEqual(Array.from(w.columns[0]), [nan, nan, 11, 12]);
  assert.deepEqual(Array.from(w.columns[1]), [8, nan, 10, nan]);
  assert.deepEqual(Array.from(w.resets[1]), [1, 0, 0, 0]);
});

test("history 0 (memory mode none) stores nothing", () => {
  const store = storeOf(0);
  store.append(T + 1, Float64Array.of(1, 1), false);
  store.storeOne(T + 1, 0, 1, false);
  assert.equal(store.lastTimeS(), 0);
  assert.equal(store.firstTimeS(), 0);
  assert.deepEqual(store.read(["a"], 0, Infinity), {
    times: [],
    columns: [new Float64Array(0)],
    resets: [new Uint8Array(0)],
  });
});

test("snapshot and restore keep the newest slots, oldest first", () => {
  const store = storeOf(4);
  for (let k = 1; k <= 6; k++) store.append(T + k, Float64Array.of(k, nan), false);
  const snapshot = store.snapshot();
  assert.equal(snapshot.count, 4);
  assert.deepEqual(snapshot.dimensions, ["a", "b"]);
  const smaller = storeOf(2);
  smaller.restore(snapshot);
  assert.equal(smaller.firstTimeS(), T + 5);
  assert.deepEqual(Array.from(smaller.read(["a"], 0, Infinity).columns[0]), [5, 6]);
  smaller.append(T + 7, Float64Array.of(7, 7), false);
  assert.deepEqual(Array.from(smaller.read(["a"], 0, Infinity).columns[0]), [6, 7]);
});

test("a chart gaining 3,000 dimensions one by one between slots gets a few dozen blocks of columns, nothing copied", () => {
  const chart = gauges(newHost(), ["d0"]);
  const store = new ChartStore(chart, 100);
  const capacities = new Set([store.capacity]);
  const dimensions = 3000;
  for (let k = 1; k < dimensions; k++) {
    store.append(T + k, Float64Array.from(chart.dimensions, (_, i) => i), false);
    chart.dimension({ id: `d${k}`, algorithm: "absolute", multiplier: 1, divisor: 1 });
    store.syncDimensions();
    capacities.add(store.capacity);
  }
  // Each block adds half the room (at most 256 columns): 25 blocks, not 3,000; the room stays near the need.
  assert.ok(capacities.size <= 30, `${capacities.size} blocks`);
  assert.ok(store.capacity >= dimensions && store.capacity <= dimensions + MAX_BLOCK_COLUMNS, `${store.capacity}`);
  // What was stored survived every re-lay: dimension j holds j from the slot after it was added.
  const ids = ["d0", "d1", "d2950", "d2998", "d2999"];
  const w = store.read(ids, 0, Infinity);
  assert.equal(w.times.length, 100);
  assert.deepEqual(w.times.slice(-1), [T + dimensions - 1]);
  for (const [c, id] of ids.entries()) {
    const j = Number(id.slice(1));
    const expected = w.times.map((t) => t - T > j ? j : nan);
    assert.deepEqual(Array.from(w.columns[c]), expected, id);
  }
  const snapshot = store.snapshot();
  assert.equal(snapshot.columns.length, dimensions);
  assert.equal(snapshot.dimensions.length, dimensions);
});
