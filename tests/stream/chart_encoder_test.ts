// What the chart encoder counts as lost when charts are defined again after the parent was away: only what a
// chart collected while the parent was away and the replay ring no longer holds; a chart born during the
// outage missed nothing before its birth.
import { test } from "node:test";
import assert from "node:assert/strict";
import { CAP_REPLICATION, CAP_VCAPS } from "../../src/protocol/capabilities.ts";
import { SimplePattern } from "../../src/protocol/simple_pattern.ts";
import { ChartEncoder } from "../../src/stream/chart_encoder.ts";
import { testHost } from "../_hosts.ts";

const T = 1_795_420_000;

test("lost seconds: from the end of the last connection, or a chart's birth, to what the ring still holds", () => {
  const host = testHost();
  const spec = { title: "t", units: "u", family: "f", chartType: "line", priority: 1, updateEvery: 1 } as const;
  const chart = (id: string) => host.chart({ ...spec, id, context: id, plugin: "p", module: "m" });
  const old = chart("test.old");
  const born = chart("test.born");
  const late = chart("test.late");
  for (const c of [old, born, late]) c.dimension({ id: "d", algorithm: "incremental", multiplier: 1, divisor: 1 });
  // The last connection ended at T; the ring holds from T+20 on (it lost T…T+20 of every chart it had then).
  host.collected(old, (T - 100) * 1e6 + 300_000);
  host.collected(born, (T + 5) * 1e6 + 300_000);
  host.collected(late, (T + 45) * 1e6 + 300_000);
  const retention = (id: string) => ({ firstS: id === "test.late" ? T + 45 : T + 20, lastS: T + 60 });
  const encoder = new ChartEncoder({
    host,
    caps: CAP_VCAPS | CAP_REPLICATION,
    sendChartsMatching: SimplePattern.parse("*"),
    initialClockResyncIterations: 60,
    send: () => true,
    retention,
    missedSinceS: T,
    nowSeconds: () => T + 60,
  });
  encoder.defineCollected();
  // test.old lost T…T+20; test.born, born at T+5 (its first point by T+6), lost T+6…T+20; test.late lost nothing.
  assert.deepEqual(encoder.takeLost(), { charts: 2, seconds: 20 });
  assert.deepEqual(encoder.takeLost(), { charts: 0, seconds: 0 });
});
