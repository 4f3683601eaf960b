/**
 * What the rest of the parent sees of stored metrics: per host, per chart, the points on the chart's
 * `update_every` grid. The API, health and exporting read through these interfaces only.
 *
 * @module
 */

import type { Chart } from "../../metrics/chart.ts";

/**
 * A window of stored points of one chart, oldest first, one column per requested dimension.
 *
 * @example
 * ```ts
 * const w = series.read(["user", "system"], 1795420000, 1795420060);
 * for (let i = 0; i < w.times.length; i++) console.log(w.times[i], w.columns[0][i]);
 * ```
 */
export interface PointWindow {
  /** Slot end times, epoch seconds, ascending, `updateEvery` apart. */
  readonly times: readonly number[];
  /** Per requested dimension (same order), the stored value of each slot; `NaN` where there is a gap. */
  readonly columns: readonly Float64Array[];
  /** Per requested dimension, whether each slot carries the counter-reset flag. */
  readonly resets: readonly Uint8Array[];
}

/**
 * The stored points of one chart.
 *
 * @example
 * ```ts
 * if (series.lastTimeS() > 0) series.read(["load1"], series.firstTimeS(), series.lastTimeS());
 * ```
 */
export interface ChartSeries {
  /** The chart model this series stores (definition, dimensions, labels). */
  readonly chart: Chart;
  /** Seconds between stored points. */
  readonly updateEvery: number;
  /** Oldest stored slot, epoch seconds; 0 when nothing is stored. */
  firstTimeS(): number;
  /** Newest stored slot, epoch seconds; 0 when nothing is stored. */
  lastTimeS(): number;
  /** Points of the given dimensions (by id) with slot times in `[afterS, beforeS]`. */
  read(dimensionIds: readonly string[], afterS: number, beforeS: number): PointWindow;
}

/**
 * The stored charts of one host.
 *
 * @example
 * ```ts
 * const cpu = store.series("system.cpu");
 * ```
 */
export interface HostSeries {
  /** The series of a chart by id, when the chart is known. */
  series(chartId: string): ChartSeries | undefined;
  /** Oldest / newest stored slot over all charts, epoch seconds; 0 when nothing is stored. */
  firstTimeS(): number;
  lastTimeS(): number;
}
