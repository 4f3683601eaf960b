/**
 * How long each local source spends collecting: the collection loop adds the time of every `collect()` it
 * runs, and the self-monitoring source reads the totals to chart them (as Netdata 1.37 charts the busy time
 * of each proc.plugin module). Totals only grow, so any number of readers can take differences; recording
 * allocates nothing.
 *
 * @module
 */

import type { Source } from "./source.ts";

/**
 * Busy time per source, in the order the sources were given.
 *
 * @example
 * ```ts
 * const sources = localSources(ctx);
 * const timings = new CollectionTimings(sources);
 * const loop = new CollectionLoop(sources, 1, log, timings);
 * // later, in a reader:
 * timings.names[0]; // "/proc/stat"
 * timings.busyUs[0]; // µs spent in /proc/stat's collect() since the start
 * ```
 */
export class CollectionTimings {
  /** The module name of each slot (two sources may share one: snmp6 is part of /proc/net/netstat). */
  readonly names: readonly string[];
  /** Total µs spent in each slot's `collect()`, failed runs included. */
  readonly busyUs: Float64Array;
  readonly #slotOf: Map<Source, number>;

  constructor(sources: readonly Source[]) {
    this.names = sources.map((s) => s.name);
    this.busyUs = new Float64Array(sources.length);
    this.#slotOf = new Map(sources.map((s, i) => [s, i]));
  }

  /** Adds `ms` of collection to `source`; sources not given to the constructor are not timed. */
  add(source: Source, ms: number): void {
    const slot = this.#slotOf.get(source);
    if (slot !== undefined) this.busyUs[slot] += ms * 1000;
  }
}
