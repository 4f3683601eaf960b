import { test } from "node:test";
import assert from "node:assert/strict";
import { CollectionStateReplay } from "../../src/stream/replay_source.ts";
import { CPU_CHART, testHost } from "../_hosts.ts";

test("database-less replay: no points, each live dimension's last collection, the chart's, then start streaming", () => {
  const host = testHost();
  const cpu = host.chart({ ...CPU_CHART, updateEvery: 2 });
  const user = cpu.dimension({ id: "user", algorithm: "absolute", multiplier: 1, divisor: 1 });
  const system = cpu.dimension({ id: "system", algorithm: "absolute", multiplier: 1, divisor: 1 });
  cpu.dimension({ id: "gone", algorithm: "absolute", multiplier: 1, divisor: 1 });
  cpu.obsoleteDimension("gone");
  user.set(30);
  system.set(10);
  host.collected(cpu, 1_795_423_003_500_000);
  const source = new CollectionStateReplay(host, () => 1_795_423_010);

  const answer = source.replay({
    chartId: "system.cpu",
    after: 1_795_422_000,
    before: 1_795_423_010,
    startStreaming: false,
  });
  assert.deepEqual(answer, [
    { kind: "RBEGIN", chart: "system.cpu", range: null },
    {
      kind: "RDSTATE",
      dimension: "user",
      lastCollectedUs: 1_795_423_003_500_000,
      lastCollected: 30,
      lastCalculated: 30,
      lastStored: 30,
    },
    {
      kind: "RDSTATE",
      dimension: "system",
      lastCollectedUs: 1_795_423_003_500_000,
      lastCollected: 10,
      lastCalculated: 10,
      lastStored: 10,
    },
    // The last collection floored to the chart's 2-second grid.
    { kind: "RSSTATE", lastCollectedUs: 1_795_423_003_500_000, lastUpdatedUs: 1_795_423_002_000_000 },
    {
      kind: "REND",
      updateEvery: 2,
      firstEntry: 0,
      lastEntry: 1_795_423_010,
      // There is no more history to send, whatever the parent asked.
      startStreaming: true,
      after: 1_795_422_000,
      before: 1_795_423_010,
      childNow: 1_795_423_010,
    },
  ]);
  assert.equal(source.replay({ chartId: "system.none", after: 0, before: 0, startStreaming: true }), undefined);
});
