/**
 * The calculations Netdata applies to raw collected integers before it stores a point.
 *
 * @module
 */

import type { Dimension } from "./chart.ts";

/**
 * The calculated value of a dimension whose stored value depends on this iteration's collection alone:
 * `absolute` is `value × multiplier ÷ divisor`, `percentage-of-absolute-row` is the share (in %) of the row
 * total. The two incremental algorithms need the previous collection and give 0 here, as on a first
 * collection.
 *
 * @example
 * ```ts
 * const load1 = chart.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 });
 * load1.set(770);
 * gaugeValue(load1, 770); // 0.77
 * ```
 */
export function gaugeValue(dim: Dimension, rowTotal: number): number {
  switch (dim.algorithm) {
    case "absolute":
      return Number(dim.value) * dim.multiplier / dim.divisor;
    case "percentage-of-absolute-row":
      return rowTotal === 0 ? 0 : 100 * Number(dim.value) / rowTotal;
    default:
      return 0;
  }
}
