/**
 * What the self-monitoring chart groups share: the shape of a group (one concern, its own charts) and
 * their chart maker, with the plugin and module names 1.37 gives its own charts (`netdata`, `stats`).
 *
 * @module
 */

import type { Chart, DimensionSpec } from "../../metrics/chart.ts";
import type { Host } from "../../metrics/host.ts";
import { collectorChart, type CollectorChartSpec } from "../_chart.ts";

/** The plugin and module names 1.37 gives its own charts. */
const NETDATA_STATS = { plugin: "netdata", module: "stats" };

/**
 * One group of self-monitoring charts, collected by the self-monitoring source in turn.
 *
 * @example
 * ```ts
 * const group: ChartGroup = { collect(nowUs) { uptime.dimensions[0].set(5); host.collected(uptime, nowUs); } };
 * ```
 */
export interface ChartGroup {
  /** Sets this iteration's values and ends each chart's iteration; throws only when a probe fails. */
  collect(nowUs: number): void;
  /** Releases open files. */
  close?(): void;
}

/**
 * Defines (or refreshes) one of the collector's own charts, labelled as 1.37 labels its `netdata.*` charts.
 *
 * @example
 * ```ts
 * const chart = netdataChart(host, 1, { id: "netdata.uptime", ... }, [dim("uptime", "absolute")]);
 * ```
 */
export function netdataChart(
  host: Host,
  updateEvery: number,
  spec: CollectorChartSpec,
  dimensions: readonly DimensionSpec[],
): Chart {
  return collectorChart(host, NETDATA_STATS, updateEvery, spec, dimensions);
}
