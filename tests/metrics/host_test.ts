import { test } from "node:test";
import assert from "node:assert/strict";
import type { Chart } from "../../src/metrics/chart.ts";
import { LOAD_CHART, testHost } from "../_hosts.ts";

test("chart: the version moves on every change a definition block carries, and only then", () => {
  const host = testHost();
  const chart = host.chart(LOAD_CHART);
  const v0 = chart.version;
  assert.equal(host.chart(LOAD_CHART), chart);
  assert.equal(chart.version, v0, "the same spec again changes nothing");
  chart.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 });
  assert.equal(chart.version, v0 + 1);
  chart.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 });
  assert.equal(chart.version, v0 + 1);
  chart.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 100 });
  assert.equal(chart.version, v0 + 2);
  host.chart({ ...LOAD_CHART, title: "Load" });
  assert.equal(chart.version, v0 + 3);
  chart.label("_collect_plugin", "proc.plugin", 1);
  chart.label("_collect_plugin", "proc.plugin", 1);
  chart.variable("pidmax", 32768);
  chart.variable("pidmax", 32768);
  assert.equal(chart.version, v0 + 5);
});

test("host: an iteration's interval, observers, obsolete charts and variables", () => {
  const host = testHost();
  const seen: string[] = [];
  const stop = host.observe({
    collected: (c: Chart) =>
      seen.push(`${c.id} ${c.sinceLastUs} ${c.dimensions.filter((d) => d.updated).map((d) => d.value).join()}`),
    changed: (c: Chart) => seen.push(`changed ${c.id} obsolete=${c.obsolete}`),
    variableChanged: (name, value) => seen.push(`variable ${name}=${value}`),
  });
  const chart = host.chart(LOAD_CHART);
  const load1 = chart.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 });
  load1.set(520);
  host.collected(chart, 10_000_000);
  host.collected(chart, 11_000_000);
  host.obsolete(chart);
  host.obsolete(chart);
  host.variable("active_processors", 2);
  host.variable("active_processors", 2);
  stop();
  load1.set(1);
  host.collected(chart, 12_000_000);
  assert.deepEqual(seen, [
    "system.load 0 520",
    "system.load 1000000 ",
    "changed system.load obsolete=true",
    "variable active_processors=2",
  ]);
  host.chart(LOAD_CHART);
  assert.equal(chart.obsolete, false, "redefining brings an obsolete chart back");
});
