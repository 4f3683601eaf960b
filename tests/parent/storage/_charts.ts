// Shared fixtures of the storage tests: a host and a chart with absolute dimensions.
import type { Host } from "../../../src/metrics/host.ts";
import type { Chart } from "../../../src/metrics/chart.ts";
import { testHost } from "../../_hosts.ts";

/** An epoch second divisible by 10. */
export const T = 1795420000;

export function newHost(machineGuid = "11111111-0000-0000-0000-000000000002"): Host {
  return testHost({ hostname: "child", machineGuid, programName: "netdata", programVersion: "v1.37.1" });
}

/** Defines `test.gauges` (update every `updateEvery`) with absolute dimensions `ids` on `host`. */
export function gauges(host: Host, ids: readonly string[], updateEvery = 1): Chart {
  const chart = host.chart({
    id: "test.gauges",
    title: "Gauges",
    units: "u",
    family: "f",
    context: "test.gauges",
    chartType: "line",
    priority: 1,
    updateEvery,
    plugin: "test",
    module: "",
  });
  for (const id of ids) chart.dimension({ id, algorithm: "absolute", multiplier: 1, divisor: 1 });
  return chart;
}
