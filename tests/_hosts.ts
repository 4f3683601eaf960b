/**
 * Hosts and charts of the tests: one identity with Netdata's usual defaults (linux, Etc/UTC, every second),
 * changed field by field where a test needs it, and the specs of proc.plugin's `system.load` and `system.cpu`
 * as a real 1.37 defines them.
 *
 * @example
 * ```ts
 * const host = testHost({ hostname: "nd-child", programName: "netdata", programVersion: "v1.37.1" });
 * const load = host.chart(LOAD_CHART);
 * ```
 */
import type { ChartSpec } from "../src/metrics/chart.ts";
import { Host, type HostIdentity } from "../src/metrics/host.ts";

/** A rill host named `rill-test`: linux, Etc/UTC, update every 1 s, no tags, no system info; `overrides` win. */
export function testIdentity(overrides: Partial<HostIdentity> = {}): HostIdentity {
  return {
    hostname: "rill-test",
    machineGuid: "11111111-0000-0000-0000-000000000001",
    os: "linux",
    timezone: "Etc/UTC",
    abbrevTimezone: "UTC",
    utcOffset: 0,
    tags: "",
    updateEvery: 1,
    systemInfo: {},
    programName: "rill",
    programVersion: "test",
    ...overrides,
  };
}

/** A new `Host` of {@link testIdentity}`(overrides)`. */
export function testHost(overrides: Partial<HostIdentity> = {}): Host {
  return new Host(testIdentity(overrides));
}

/** A line chart of plugin `test`, updated every second, its context its id; `overrides` win. */
export function testChartSpec(id: string, overrides: Partial<ChartSpec> = {}): ChartSpec {
  return {
    id,
    title: id,
    units: "u",
    family: "f",
    context: id,
    chartType: "line",
    priority: 1,
    updateEvery: 1,
    plugin: "test",
    module: "",
    ...overrides,
  };
}

/** proc.plugin's `system.load` (from /proc/loadavg), as 1.37 defines it. */
export const LOAD_CHART: ChartSpec = {
  id: "system.load",
  title: "System Load Average",
  units: "load",
  family: "load",
  context: "system.load",
  chartType: "line",
  priority: 100,
  updateEvery: 1,
  plugin: "proc.plugin",
  module: "/proc/loadavg",
};

/** proc.plugin's `system.cpu` (from /proc/stat), as 1.37 defines it. */
export const CPU_CHART: ChartSpec = {
  id: "system.cpu",
  title: "Total CPU utilization",
  units: "percentage",
  family: "cpu",
  context: "system.cpu",
  chartType: "stacked",
  priority: 100,
  updateEvery: 1,
  plugin: "proc.plugin",
  module: "/proc/stat",
};
