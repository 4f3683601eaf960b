// The replay ring: a collector's newest points, answered as a 1.37 child with a database answers
// REPLAY_CHART. The reference is rill's parent storage (ram) fed the same iterations: it computes and
// answers as a real parent does (tests/parent/storage/replay_test.ts, tests/e2e/parent_same_numbers_test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Chart } from "../../src/metrics/chart.ts";
import type { Host } from "../../src/metrics/host.ts";
import { HostStore } from "../../src/parent/storage/host_store.ts";
import { StoredReplay } from "../../src/parent/storage/replay.ts";
import { Logger } from "../../src/runtime/log.ts";
import { ReplayRing, RING_BYTES_PER_SAMPLE } from "../../src/stream/replay_ring.ts";
import type { ReplicationLine } from "../../src/metrics/replication_answer.ts";
import { testChartSpec, testHost } from "../_hosts.ts";

/** An epoch second divisible by 10. */
const T = 1_795_420_000;

/** `test.mix`: a gauge, a counter and a row share, collected at T+s+0.3 for s = 0…n-1 by `collect`. */
function mixHost(): { host: Host; chart: Chart; collect: (s: number) => void } {
  const host = testHost();
  const chart = host.chart(testChartSpec("test.mix", { title: "Mix" }));
  const gauge = chart.dimension({ id: "gauge", algorithm: "absolute", multiplier: 1, divisor: 1000 });
  const counter = chart.dimension({ id: "counter", algorithm: "incremental", multiplier: 8, divisor: 1 });
  const share = chart.dimension({ id: "share", algorithm: "percentage-of-absolute-row", multiplier: 1, divisor: 1 });
  const collect = (s: number) => {
    gauge.set(1000 + 37 * s);
    counter.set(5_000_000 + 1234 * s * s);
    share.set(s % 7);
    // A collector's clock wanders a little around its grid. The parent storage of the reference times an
    // iteration by the duration the BEGIN carries, as a receiver hands it on; the ring takes the same one.
    const nowUs = (T + s) * 1e6 + 300_000 + (s % 3) * 20_000;
    chart.reportedSinceLastUs = chart.lastCollectedUs === 0 ? 0 : nowUs - chart.lastCollectedUs;
    host.collected(chart, nowUs);
  };
  return { host, chart, collect };
}

const kinds = (answer: readonly ReplicationLine[] | undefined) => answer?.map((c) => c.kind).join(" ");

test("the ring answers REPLAY_CHART with the points, collection state and retention a parent with a database gives", () => {
  const { host, collect } = mixHost();
  const ring = new ReplayRing({ budgetBytes: 1 << 20, nowSeconds: () => T + 40 });
  const store = new HostStore(host, { mode: "ram", history: 3600, log: new Logger("rill-test", "T", () => {}) });
  host.observe(ring);
  host.observe(store);
  for (let s = 0; s < 40; s++) collect(s);
  const parent = new StoredReplay(store, () => T + 40);

  assert.deepEqual(ring.retention("test.mix"), parent.retention("test.mix"));
  for (
    const request of [
      { after: T + 10, before: T + 20, startStreaming: false },
      { after: T + 30, before: T + 35, startStreaming: true },
      { after: T - 100, before: T + 5, startStreaming: false },
      { after: 0, before: 0, startStreaming: true },
    ]
  ) {
    const asked = { chartId: "test.mix", ...request };
    assert.deepEqual(ring.replay(asked), parent.replay(asked), JSON.stringify(request));
    // Cut to the same room, they cut at the same point.
    assert.deepEqual(ring.replay(asked, 1000), parent.replay(asked, 1000), JSON.stringify(request));
  }
  const answer = ring.replay({ chartId: "test.mix", after: T + 10, before: T + 20, startStreaming: false });
  assert.equal(answer?.filter((c) => c.kind === "RSET").length, 30, kinds(answer));
  assert.equal(ring.replay({ chartId: "test.none", after: 0, before: 0, startStreaming: true }), undefined);
});

test("the budget is shared by dimension: every chart keeps as many slots as fit, the oldest go first", () => {
  const { host, chart, collect } = mixHost();
  // 3 dimensions × 4 bytes × 10 slots.
  const ring = new ReplayRing({ budgetBytes: 3 * RING_BYTES_PER_SAMPLE * 10, nowSeconds: () => T + 100 });
  host.observe(ring);
  for (let s = 0; s < 25; s++) collect(s);
  assert.equal(ring.capacitySlots, 10);
  const { firstS, lastS } = ring.retention("test.mix");
  // Ten slots: the retention begins an update before the oldest of them (see retentionStart).
  assert.equal(lastS - firstS, 10);
  assert.equal(lastS, T + 24);
  assert.ok(ring.bytes <= ring.budgetBytes, `${ring.bytes} bytes`);
  // 24 slots were stored (the first collection stores none), 10 are held.
  assert.equal(ring.droppedSlots, 14);

  // A dimension more: 4 share the budget, so every chart keeps 7 slots; the new one is empty before it came.
  const extra = chart.dimension({ id: "extra", algorithm: "absolute", multiplier: 1, divisor: 1 });
  extra.set(5);
  collect(25);
  extra.set(6);
  collect(26);
  assert.equal(ring.capacitySlots, 7);
  assert.ok(ring.bytes <= ring.budgetBytes, `${ring.bytes} bytes`);
  const after = ring.retention("test.mix");
  assert.deepEqual(after, { firstS: T + 19, lastS: T + 26 });
  const answer = ring.replay({
    chartId: "test.mix",
    after: after.firstS - 1,
    before: after.lastS,
    startStreaming: false,
  });
  const extras = answer?.filter((c) => c.kind === "RSET" && c.dimension === "extra") ?? [];
  // All 7 points held: the query starts past the first entry, which lies an update before the oldest point.
  assert.deepEqual(extras.map((c) => c.kind === "RSET" && c.flags), ["E", "E", "E", "E", "E", "E", ""]);
});

test("an answer cut to the room given ends without streaming at its last point; the parent's next request gets the rest", () => {
  const { host, collect } = mixHost();
  const ring = new ReplayRing({ budgetBytes: 1 << 20, nowSeconds: () => T + 30 });
  host.observe(ring);
  for (let s = 0; s < 30; s++) collect(s);
  const { firstS, lastS } = ring.retention("test.mix");
  const first = ring.replay({ chartId: "test.mix", after: firstS - 1, before: lastS, startStreaming: true }, 1000);
  const end = first?.at(-1);
  assert.ok(end?.kind === "REND" && !end.startStreaming, JSON.stringify(end));
  const points = first!.filter((c) => c.kind === "RBEGIN" && c.range !== null);
  assert.ok(points.length >= 2 && points.length < 10, kinds(first));
  assert.ok(!first!.some((c) => c.kind === "RDSTATE"), "no collection state before the last answer");
  const lastSent = points.at(-1)!;
  assert.equal(end.before, lastSent.kind === "RBEGIN" ? lastSent.range?.end : -1);

  // As a 1.37 parent continues: from the previous `before`.
  const rest = ring.replay({ chartId: "test.mix", after: end.before, before: lastS, startStreaming: true });
  const restEnd = rest?.at(-1);
  assert.ok(restEnd?.kind === "REND" && restEnd.startStreaming, JSON.stringify(restEnd));
  const ends = (answer: readonly ReplicationLine[]) =>
    answer.flatMap((c) => c.kind === "RBEGIN" && c.range !== null ? [c.range.end] : []);
  const whole = ring.replay({ chartId: "test.mix", after: firstS - 1, before: lastS, startStreaming: true });
  assert.deepEqual([...ends(first!), ...ends(rest!)], ends(whole!));
  assert.deepEqual(ends(whole!), Array.from({ length: lastS - firstS }, (_, i) => firstS + 1 + i));
  // A single point is sent even when it alone is over the limit, so that the answer always moves on.
  const tiny = ring.replay({ chartId: "test.mix", after: firstS - 1, before: lastS, startStreaming: false }, 1);
  assert.equal(tiny?.filter((c) => c.kind === "RBEGIN" && c.range !== null).length, 1);
});

test("slots the collection skipped are held empty and not sent", () => {
  const { host, collect } = mixHost();
  const ring = new ReplayRing({ budgetBytes: 1 << 20, nowSeconds: () => T + 60 });
  host.observe(ring);
  for (let s = 0; s < 10; s++) collect(s);
  // Five seconds without a collection: 1.37 stores those slots empty (gap when lost iterations above 1).
  for (let s = 15; s < 20; s++) collect(s);
  const { firstS, lastS } = ring.retention("test.mix");
  assert.equal(lastS, T + 19);
  const answer = ring.replay({ chartId: "test.mix", after: firstS - 1, before: lastS, startStreaming: false });
  const ends = answer!.flatMap((c) => c.kind === "RBEGIN" && c.range !== null ? [c.range.end - T] : []);
  // Slots with no value on any dimension are not sent, as 1.37's query skips them.
  assert.ok(!ends.includes(12) && ends.includes(9) && ends.includes(19), ends.join(","));
  assert.equal(lastS - firstS, 19, "the skipped slots are held, in their place on the grid");
});

test("a chart collected more often than its update every (a plugin's fast rounds) stays on the wall clock", () => {
  const { host, chart } = mixHost();
  const logged: string[] = [];
  const ring = new ReplayRing({ budgetBytes: 1 << 20, nowSeconds: () => T + 40, log: (m) => logged.push(m) });
  host.observe(ring);
  // Ten rounds a second for 30 s, with no duration of its own: the sender's BEGIN carries the wall clock's.
  for (let i = 0; i < 300; i++) {
    for (const dim of chart.dimensions) dim.set(1000 + i);
    host.collected(chart, T * 1e6 + i * 100_000 + 50_000);
  }
  assert.deepEqual(logged, []);
  // The chart's clock starts half a second into its first slot (as 1.37's does), so it may be one slot ahead.
  const { lastS } = ring.retention("test.mix");
  assert.ok(lastS === T + 29 || lastS === T + 30, `last slot at T+${lastS - T}`);
});
