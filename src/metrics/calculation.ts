/**
 * The calculations Netdata applies to raw collected integers before it stores a point.
 *
 * @module
 */

import type { CollectedNumber } from "../protocol/numbers.ts";
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

const U32_CAP = 0xffffffffn;
const U64_CAP = 0xffffffffffffffffn;

/**
 * Whether a counter went back between two collections. Netdata compares both values as unsigned 64-bit
 * integers, so a negative value counts as larger than any positive one.
 *
 * @example
 * ```ts
 * counterWentBack(100, 5); // true
 * counterWentBack(5, -1); // false: -1 is 2^64 - 1 as unsigned
 * ```
 */
export function counterWentBack(last: CollectedNumber, now: CollectedNumber): boolean {
  if (typeof last === "number" && typeof now === "number") {
    return (last < 0) === (now < 0) ? last > now : last < 0;
  }
  return BigInt.asUintN(64, BigInt(last)) > BigInt.asUintN(64, BigInt(now));
}

/**
 * `now - last` of two collected values as a double, the signed 64-bit difference Netdata converts.
 *
 * @example
 * ```ts
 * counterIncrement(1000, 1500); // 500
 * ```
 */
export function counterIncrement(last: CollectedNumber, now: CollectedNumber): number {
  return typeof last === "number" && typeof now === "number"
    ? now - last
    : Number(BigInt.asIntN(64, BigInt(now) - BigInt(last)));
}

/**
 * The increment Netdata credits to a counter that went back: the distance across the wrap of a 32-bit
 * counter (or a 64-bit one, once any collected magnitude exceeded 32 bits) when it is below 10% of that
 * range, an overflow; otherwise 0, a reset.
 *
 * @example
 * ```ts
 * wrappedIncrement(0xfffffff0, 0x10, 0xfffffff0); // 31: wrapped past 2^32 - 1
 * wrappedIncrement(1_000_000, 10, 1_000_000); // 0: a restart
 * ```
 */
export function wrappedIncrement(last: CollectedNumber, now: CollectedNumber, maxMagnitude: number): number {
  const cap = maxMagnitude > 0xffffffff ? U64_CAP : U32_CAP;
  const delta = BigInt.asUintN(64, cap - BigInt.asUintN(64, BigInt(last)) + BigInt.asUintN(64, BigInt(now)));
  return delta < (cap / 100n) * 10n ? Number(delta) : 0;
}
