// The replication answer both a collector's ring and a parent's storage give, checked on hand-made held
// points: the window it walks, empty slots skipped, a cut at the byte bound, a `0 0` request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { type HeldPoints, replicationAnswer } from "../../src/metrics/replication_answer.ts";
import { testChartSpec, testHost } from "../_hosts.ts";

const T = 1_795_420_000;

/** A two-dimension chart collected once, and held points ending at T+1…T+10 (T+5 empty on both). */
function setup() {
  const host = testHost();
  const chart = host.chart(testChartSpec("test.two"));
  chart.dimension({ id: "a", algorithm: "absolute", multiplier: 1, divisor: 1 });
  chart.dimension({ id: "b", algorithm: "absolute", multiplier: 1, divisor: 1 });
  const collection = {
    lastCollectedUs: (T + 10) * 1e6 + 300_000,
    lastUpdatedUs: (T + 10) * 1e6,
    dimensionState: (column: number) => ({
      lastCollectedUs: (T + 10) * 1e6,
      lastCollected: BigInt(column),
      lastCalculated: column,
      lastStored: column,
    }),
  };
  const visited: [number, number][] = [];
  const held: HeldPoints = {
    updateEvery: 1,
    oldestS: T + 1,
    newestS: T + 10,
    visit(columns, afterS, beforeS, point) {
      visited.push([afterS, beforeS]);
      for (let end = T + 1; end <= T + 10; end++) {
        if (end <= afterS || end > beforeS) continue;
        const value = end === T + 5 ? NaN : end - T;
        if (!point(end, columns.map(() => value), columns.map(() => end === T + 3))) return;
      }
    },
  };
  /** The answer to a request for `(after, before]` at T+11, with an optional byte bound. */
  const answer = (after: number, before: number, startStreaming: boolean, limitBytes?: number) =>
    replicationAnswer(
      { chartId: chart.id, after, before, startStreaming },
      chart,
      collection,
      held,
      T + 11,
      limitBytes,
    );
  return { answer, visited };
}

test("points in (after, before], slots empty on every dimension skipped, then the states and REND", () => {
  const { answer, visited } = setup();
  const lines = answer(T + 2, T + 6, false);
  assert.deepEqual(visited, [[T + 2, T + 6]]);
  const points = lines.flatMap((l) => l.kind === "RBEGIN" && l.range ? [l.range.end - T] : []);
  assert.deepEqual(points, [3, 4, 6]);
  const resets = lines.flatMap((l) => l.kind === "RSET" && l.flags === "R" ? [l.dimension] : []);
  assert.deepEqual(resets, ["a", "b"]);
  const end = lines.at(-1);
  assert.ok(end?.kind === "REND");
  // Retention starts an update before the oldest point; not the newest, so no states and no streaming.
  assert.deepEqual([end.firstEntry - T, end.lastEntry - T, end.after - T, end.before - T, end.startStreaming], [
    0,
    10,
    2,
    6,
    false,
  ]);
  assert.equal(lines.filter((l) => l.kind === "RDSTATE" || l.kind === "RSSTATE").length, 0);
});

test("reaching the newest point starts streaming: every dimension's state and the chart's follow the points", () => {
  const { answer } = setup();
  const lines = answer(T + 8, T + 10, false);
  assert.deepEqual(lines.map((l) => l.kind), [
    "RBEGIN",
    "RBEGIN",
    "RSET",
    "RSET",
    "RBEGIN",
    "RSET",
    "RSET",
    "RDSTATE",
    "RDSTATE",
    "RSSTATE",
    "REND",
  ]);
  const end = lines.at(-1);
  assert.ok(end?.kind === "REND" && end.startStreaming);
});

test("a byte bound cuts the points short after the first: the answer ends at the last point sent, not streaming", () => {
  const { answer } = setup();
  const lines = answer(T, T + 10, true, 1);
  const points = lines.flatMap((l) => l.kind === "RBEGIN" && l.range ? [l.range.end - T] : []);
  assert.deepEqual(points, [1]);
  const end = lines.at(-1);
  assert.ok(end?.kind === "REND");
  assert.deepEqual([end.before - T, end.startStreaming], [1, false]);
});

test("`0 0` asks for no history: no points are read, and streaming starts", () => {
  const { answer, visited } = setup();
  const lines = answer(0, 0, false);
  assert.deepEqual(visited, []);
  const end = lines.at(-1);
  assert.ok(end?.kind === "REND");
  assert.deepEqual([end.after, end.before, end.startStreaming], [0, 0, true]);
});
