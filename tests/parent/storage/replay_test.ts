// StoredReplay: a parent's answer to its own parent's REPLAY_CHART, from storage (with a database) or from
// the collection state alone (memory mode none), as 1.37's replicate_chart_response shapes it.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Chart } from "../../../src/metrics/chart.ts";
import type { Host } from "../../../src/metrics/host.ts";
import { HostStore, type StorageMode } from "../../../src/parent/storage/host_store.ts";
import { StoredReplay } from "../../../src/parent/storage/replay.ts";
import { Logger } from "../../../src/runtime/log.ts";
import { gauges, newHost, T } from "./_charts.ts";

/** A store of `mode` fed five iterations of `test.gauges` (a = s, b = 10·s) at T+0.5 … T+4.5. */
function fed(mode: StorageMode): { host: Host; chart: Chart; store: HostStore; replay: StoredReplay } {
  const host = newHost();
  const chart = gauges(host, ["a", "b"]);
  let nowUs = T * 1e6;
  const store = new HostStore(host, {
    mode,
    history: 10,
    log: new Logger("rill-parent", "T", () => {}),
    nowUs: () => nowUs,
  });
  host.observe(store);
  for (let s = 0; s < 5; s++) {
    nowUs = (T + s + 0.5) * 1e6;
    chart.dimensions[0].set(s);
    chart.dimensions[1].set(10 * s);
    chart.reportedSinceLastUs = 1_000_000;
    host.collected(chart, nowUs);
  }
  return { host, chart, store, replay: new StoredReplay(store, () => T + 5) };
}

test("with a database: retention from the start of the oldest point, the stored points in (after, before], then the collection state, REND", () => {
  const { store, replay } = fed("ram");
  const series = store.series("test.gauges")!;
  const [first, last] = [series.firstTimeS(), series.lastTimeS()];
  assert.ok(last - first >= 2, `stored ${first}…${last}`);
  // As a 1.37 ram database reckons it: one update before the oldest point, so that a parent asking from
  // the first entry it is told gets that point too.
  const retention = replay.retention("test.gauges");
  assert.deepEqual(retention, { firstS: first - 1, lastS: last });

  const lines = replay.replay({ chartId: "test.gauges", after: retention.firstS, before: last, startStreaming: true })!;
  assert.deepEqual(lines[0], { kind: "RBEGIN", chart: "test.gauges", range: null });
  const points = lines.filter((l) => l.kind === "RBEGIN" && l.range !== null);
  // Every stored slot: the slots after `after` up to the last.
  assert.deepEqual(points.map((l) => l.kind === "RBEGIN" && l.range?.end), range(first, last));
  assert.deepEqual(points[0], { kind: "RBEGIN", chart: "", range: { start: first - 1, end: first, childNow: T + 5 } });
  const window = series.read(["a", "b"], first, first);
  assert.deepEqual(lines.slice(2, 4), [
    { kind: "RSET", dimension: "a", value: window.columns[0][0], flags: "" },
    { kind: "RSET", dimension: "b", value: window.columns[1][0], flags: "" },
  ]);
  // A parent that already has `after` is not sent it again.
  const later = replay.replay({ chartId: "test.gauges", after: first, before: last, startStreaming: true })!;
  assert.deepEqual(
    later.filter((l) => l.kind === "RBEGIN" && l.range !== null).map((l) => l.kind === "RBEGIN" && l.range?.end),
    range(first + 1, last),
  );
  const tail = lines.slice(-4);
  const collection = store.collection("test.gauges")!;
  assert.deepEqual(tail[0], { kind: "RDSTATE", dimension: "a", ...collection.dimensionState(0) });
  assert.deepEqual(tail[2], {
    kind: "RSSTATE",
    lastCollectedUs: collection.lastCollectedUs,
    lastUpdatedUs: collection.lastUpdatedUs,
  });
  assert.deepEqual(tail[3], {
    kind: "REND",
    updateEvery: 1,
    firstEntry: first - 1,
    lastEntry: last,
    startStreaming: true,
    after: first - 1,
    before: last,
    childNow: T + 5,
  });
});

test("a request that does not reach the newest point: no collection state, streaming stays off", () => {
  const { store, replay } = fed("ram");
  const first = store.series("test.gauges")!.firstTimeS();
  const lines = replay.replay({ chartId: "test.gauges", after: first, before: first + 1, startStreaming: false })!;
  assert.deepEqual(lines.map((l) => l.kind), ["RBEGIN", "RBEGIN", "RSET", "RSET", "REND"]);
  const end = lines.at(-1)!;
  assert.ok(end.kind === "REND" && !end.startStreaming && end.before === first + 1);
});

test("an answer cut to the room given ends at its last point without streaming (at least one point goes)", () => {
  const { store, replay } = fed("ram");
  const series = store.series("test.gauges")!;
  const [first, last] = [series.firstTimeS(), series.lastTimeS()];
  const request = { chartId: "test.gauges", after: first, before: last, startStreaming: true };
  const cut = replay.replay(request, 1)!;
  assert.deepEqual(cut.map((l) => l.kind), ["RBEGIN", "RBEGIN", "RSET", "RSET", "REND"]);
  const end = cut.at(-1)!;
  assert.ok(end.kind === "REND" && !end.startStreaming && end.before === first + 1, JSON.stringify(end));
  // The next request, from there, gets the rest and starts the stream.
  const rest = replay.replay({ ...request, after: first + 1 })!.at(-1)!;
  assert.ok(rest.kind === "REND" && rest.startStreaming && rest.before === last, JSON.stringify(rest));
});

test("without a database: no points, the collection state (the child's clock), streaming starts", () => {
  const { store, replay } = fed("none");
  assert.deepEqual(replay.retention("test.gauges"), { firstS: 0, lastS: 0 });
  const collection = store.collection("test.gauges")!;
  // The math ran although nothing was stored: the next parent gets the last collection's times.
  assert.equal(collection.lastCollectedUs, (T + 4.5) * 1e6);
  const lines = replay.replay({ chartId: "test.gauges", after: 0, before: 0, startStreaming: true })!;
  assert.deepEqual(lines.map((l) => l.kind), ["RBEGIN", "RDSTATE", "RDSTATE", "RSSTATE", "REND"]);
  assert.deepEqual(lines[3], {
    kind: "RSSTATE",
    lastCollectedUs: collection.lastCollectedUs,
    lastUpdatedUs: collection.lastUpdatedUs,
  });
  const end = lines.at(-1)!;
  assert.ok(end.kind === "REND" && end.startStreaming && end.after === 0 && end.before === 0);
});

test("an unknown chart has no answer", () => {
  const { replay } = fed("ram");
  assert.equal(replay.replay({ chartId: "nope", after: 0, before: 0, startStreaming: true }), undefined);
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
