/**
 * How much one child may define on a parent: charts per host, dimensions per chart and per host, labels per
 * host and per chart; and how fast it may send a chart's iterations. Netdata 1.37 has no such limits;
 * without them one child can take all the parent's memory, or its time. The options sit in stream.conf's API-key and machine-GUID sections under the same names, a
 * machine-GUID section overriding its key section as the other receiver options do. This file gives their
 * names, defaults and reader ({@link readLimitOverrides}); the receiver settles the values in force for a
 * child (`receiverLimits` of src/parent/receiver/admission.ts).
 *
 * @module
 */

import type { SectionReader } from "./_options.ts";
import { parseIntegerOption, type ValueResult } from "./values.ts";

/**
 * One value for each per-child limit (the defaults, or the values in force for one child).
 *
 * @example
 * ```ts
 * const limits: ReceiverLimits = { ...RECEIVER_LIMITS, maxChartsPerHost: 500 };
 * limits.maxChartsPerHost; // 500
 * ```
 */
export interface ReceiverLimits {
  /** `max charts per host`: charts one child's host may have. */
  readonly maxChartsPerHost: number;
  /** `max dimensions per chart`. */
  readonly maxDimensionsPerChart: number;
  /** `max dimensions per host`: over all the host's charts. */
  readonly maxDimensionsPerHost: number;
  /** `max labels per host`: host labels, and also the labels of each chart. */
  readonly maxLabelsPerHost: number;
  /**
   * `max iterations per update every`: live iterations of a chart per `update every`, sustained, beyond a
   * backlog (see src/parent/receiver/live_rate.ts); 0 checks nothing (a replay or benchmark tool that sends
   * compressed time).
   */
  readonly maxIterationsPerUpdateEvery: number;
}

/**
 * What one section sets; a field is `undefined` when the section leaves it (or sets it to something invalid).
 *
 * @example
 * ```ts
 * const overrides: LimitOverrides = { maxChartsPerHost: 500 };
 * ```
 */
export type LimitOverrides = Partial<ReceiverLimits>;

/**
 * The defaults: generous for any real host (a busy 1.37 node has a few thousand dimensions), small enough
 * that one child cannot exhaust a parent.
 *
 * @example
 * ```ts
 * RECEIVER_LIMITS.maxDimensionsPerChart; // 2000
 * ```
 */
export const RECEIVER_LIMITS: ReceiverLimits = Object.freeze({
  maxChartsPerHost: 10000,
  maxDimensionsPerChart: 2000,
  maxDimensionsPerHost: 50000,
  maxLabelsPerHost: 1000,
  maxIterationsPerUpdateEvery: 10,
});

/** Each limit's option name, as stream.conf spells it. */
const OPTION_NAMES: Readonly<Record<keyof ReceiverLimits, string>> = {
  maxChartsPerHost: "max charts per host",
  maxDimensionsPerChart: "max dimensions per chart",
  maxDimensionsPerHost: "max dimensions per host",
  maxLabelsPerHost: "max labels per host",
  maxIterationsPerUpdateEvery: "max iterations per update every",
};

/**
 * The option names, for the reader's list of known keys.
 *
 * @example
 * ```ts
 * RECEIVER_LIMIT_KEYS.includes("max charts per host"); // true
 * ```
 */
export const RECEIVER_LIMIT_KEYS: readonly string[] = Object.values(OPTION_NAMES);

/**
 * The option name of a limit, for log lines that tell the user what to raise.
 *
 * @example
 * ```ts
 * limitOptionName("maxDimensionsPerHost"); // "max dimensions per host"
 * ```
 */
export function limitOptionName(limit: keyof ReceiverLimits): string {
  return OPTION_NAMES[limit];
}

const LIMITS = Object.keys(OPTION_NAMES) as (keyof ReceiverLimits)[];

// Every limit is at least 1, but the rate, which 0 turns off.
const parsers: Readonly<Record<keyof ReceiverLimits, (text: string) => ValueResult<number>>> = {
  maxChartsPerHost: (text) => parseIntegerOption(text, { min: 1 }),
  maxDimensionsPerChart: (text) => parseIntegerOption(text, { min: 1 }),
  maxDimensionsPerHost: (text) => parseIntegerOption(text, { min: 1 }),
  maxLabelsPerHost: (text) => parseIntegerOption(text, { min: 1 }),
  maxIterationsPerUpdateEvery: (text) => parseIntegerOption(text, { min: 0 }),
};

/**
 * Reads the limit options of one API-key or machine-GUID section (a bad value is reported and left unset).
 *
 * @example
 * ```ts
 * const sink = new DiagnosticSink("stream.conf");
 * const doc = parseConfig("[11111111-2222-3333-4444-555555555555]\nmax charts per host = 500\n", "stream.conf");
 * readLimitOverrides(new SectionReader(doc, "11111111-2222-3333-4444-555555555555", sink)).maxChartsPerHost; // 500
 * ```
 */
export function readLimitOverrides(section: SectionReader): LimitOverrides {
  const overrides: { -readonly [K in keyof ReceiverLimits]?: number } = {};
  for (const limit of LIMITS) {
    const value = section.optional(OPTION_NAMES[limit], parsers[limit]);
    if (value !== undefined) overrides[limit] = value;
  }
  return overrides;
}
