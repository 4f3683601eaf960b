/**
 * Shared shape of proc.plugin charts: every chart of a module has the plugin `proc.plugin` and the module's
 * name (its file, `/proc/loadavg`), with the labels every collector's chart carries (see ../_chart.ts).
 *
 * @module
 */

import type { Chart, DimensionSpec } from "../../metrics/chart.ts";
import type { Host } from "../../metrics/host.ts";
import { collectorChart, type CollectorChartSpec } from "../_chart.ts";

export { dim } from "../_chart.ts";

/** The fields of a chart spec that vary per chart; plugin and module come from the module. */
export type ProcChartSpec = CollectorChartSpec;

/**
 * Defines (or refreshes) a proc.plugin chart with its dimensions, labelled as 1.37 labels them.
 *
 * @example
 * ```ts
 * const chart = procChart(host, "/proc/loadavg", 1, { id: "system.load", ... }, [
 *   { id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 },
 * ]);
 * ```
 */
export function procChart(
  host: Host,
  module: string,
  updateEvery: number,
  spec: ProcChartSpec,
  dimensions: readonly DimensionSpec[] = [],
): Chart {
  return collectorChart(host, { plugin: "proc.plugin", module }, updateEvery, spec, dimensions);
}
