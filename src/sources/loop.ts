/**
 * The collection loop: wakes on the interval's boundary of the wall clock (as Netdata aligns its
 * collectors), runs each source that is due, and keeps a failing source from stopping the others.
 *
 * @module
 */

import type { Logger } from "../runtime/log.ts";
import type { CollectionTimings } from "./collection_timings.ts";
import type { Source } from "./source.ts";

/**
 * Runs sources every `updateEvery` seconds.
 *
 * @example
 * ```ts
 * const loop = new CollectionLoop([loadavg, stat], 1, log, new CollectionTimings([loadavg, stat]));
 * loop.start();
 * // … on shutdown:
 * loop.stop();
 * ```
 */
export class CollectionLoop {
  readonly sources: readonly Source[];
  readonly updateEvery: number;
  readonly log: Logger;
  /** Where the time of each `collect()` goes, when someone charts it. */
  readonly timings: CollectionTimings | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #lastSlot = new Map<Source, number>();
  /** The host interval's slot of the last tick, to notice ticks that never came. */
  #lastTickSlot: number | undefined;
  // The last error of each source, so a source failing every second logs once, and again when it recovers.
  readonly #failing = new Map<Source, string>();

  constructor(sources: readonly Source[], updateEvery: number, log: Logger, timings?: CollectionTimings) {
    this.sources = sources;
    this.updateEvery = Math.max(1, Math.trunc(updateEvery));
    this.log = log;
    this.timings = timings;
  }

  /** Runs every due source once, for the wall-clock time `nowMs`. */
  tick(nowMs: number): void {
    const nowUs = Math.round(nowMs * 1000);
    const nowS = Math.floor(nowMs / 1000);
    const tickSlot = Math.floor(nowS / this.updateEvery);
    const skipped = this.#lastTickSlot === undefined ? 0 : tickSlot - this.#lastTickSlot - 1;
    if (skipped > 0) {
      // The timer came late: every chart has a gap the parent will show. Said, so a gap is not a mystery.
      this.log.error(
        `the collection woke ${
          skipped * this.updateEvery
        } s late: ${skipped} iterations were not collected (this process did not run: busy, stopped or starved of CPU)`,
      );
    }
    this.#lastTickSlot = tickSlot;
    for (const source of this.sources) {
      const every = Math.max(this.updateEvery, source.updateEvery);
      const slot = Math.floor(nowS / every);
      if (this.#lastSlot.get(source) === slot) continue;
      this.#lastSlot.set(source, slot);
      const startedMs = performance.now();
      try {
        source.collect(nowUs);
        if (this.#failing.delete(source)) this.log.info(`${source.name}: collecting again`);
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (this.#failing.get(source) !== message) this.log.error(`${source.name}: ${message}`);
        this.#failing.set(source, message);
      }
      this.timings?.add(source, performance.now() - startedMs);
    }
  }

  /** Starts ticking on the interval's boundaries. */
  start(): void {
    const schedule = () => {
      const periodMs = this.updateEvery * 1000;
      const now = Date.now();
      // A few ms past the boundary, so that the wake-up lands after it rather than just before.
      this.#timer = setTimeout(() => {
        this.tick(Date.now());
        schedule();
      }, periodMs - (now % periodMs) + 2);
    };
    this.tick(Date.now());
    schedule();
  }

  /** Stops ticking and closes every source. */
  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const source of this.sources) source.close();
  }
}
