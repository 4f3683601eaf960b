/**
 * How many live iterations (`BEGIN`…`END`) of one chart a child may send: a bucket per chart that starts
 * full and refills with time. It holds the backlog a legitimate child can owe — a 1.37 child keeps
 * buffering while its connection is stalled, until its `timeout seconds` (600 by default, which is also the
 * parent's receive timeout) drop it, so up to {@link BACKLOG_SECONDS} of iterations may arrive at once after
 * a stall — plus `max iterations per update every` (10 by default) more, and refills at that many
 * iterations per `update every`. A child that empties it has sent, beyond any backlog, more than ten times
 * what its chart's `update every` justifies, sustained: it is cut off. Replication (`RBEGIN`…`REND`) is not
 * live data and is not counted.
 *
 * For a chart updated every second: 610 iterations at once, then up to 10 a second; a 1.37 child sends 1.
 * A window of N seconds compared with N / update every would refuse the legitimate backlog or let a
 * flood run for the whole window; the bucket admits the one and cuts the other off within seconds.
 *
 * @module
 */

/**
 * Seconds of iterations a child may send at once: what it buffers during the longest stall it survives.
 *
 * @example
 * ```ts
 * BACKLOG_SECONDS; // 600
 * ```
 */
export const BACKLOG_SECONDS = 600;

/**
 * The live-iteration bucket of one chart.
 *
 * @example
 * ```ts
 * const rate = new LiveRate(policy.limits.maxIterationsPerUpdateEvery);
 * if (!rate.take(Date.now(), chart.updateEvery)) throw new Error(rate.tooFast(chart.id, chart.updateEvery));
 * ```
 */
export class LiveRate {
  /** Iterations per `update every` sustained; 0: no limit. */
  readonly #perUpdateEvery: number;
  /** Iterations left; `NaN` until the first one (the bucket starts full). */
  #tokens = NaN;
  #lastMs = 0;
  /** The `update every` the bucket's size and refill were computed for. */
  #updateEvery = 0;
  #capacity = 0;
  /** Iterations the bucket regains per millisecond. */
  #refillPerMs = 0;
  /** When the bucket was last full, and the iterations taken since (for the log line). */
  #sinceFullMs = 0;
  #takenSinceFull = 0;

  /** `perUpdateEvery`: iterations per `update every` sustained (`max iterations per update every`); 0: any. */
  constructor(perUpdateEvery: number) {
    this.#perUpdateEvery = perUpdateEvery;
  }

  /** One live iteration at `nowMs` (epoch ms) of a chart updated every `updateEvery` s: false when too many. */
  take(nowMs: number, updateEvery: number): boolean {
    if (this.#perUpdateEvery === 0) return true;
    if (updateEvery !== this.#updateEvery) {
      this.#updateEvery = updateEvery;
      this.#capacity = Math.ceil(BACKLOG_SECONDS / updateEvery) + this.#perUpdateEvery;
      this.#refillPerMs = this.#perUpdateEvery / (updateEvery * 1000);
    }
    let tokens = Number.isNaN(this.#tokens)
      ? this.#capacity
      // A clock that steps back refills nothing.
      : this.#tokens + Math.max(0, nowMs - this.#lastMs) * this.#refillPerMs;
    this.#lastMs = nowMs;
    if (tokens >= this.#capacity) {
      tokens = this.#capacity;
      this.#sinceFullMs = nowMs;
      this.#takenSinceFull = 0;
    }
    this.#takenSinceFull++;
    this.#tokens = tokens - 1;
    return tokens >= 1;
  }

  /** The reason a child is cut off after {@link take} refused an iteration of `chartId`. */
  tooFast(chartId: string, updateEvery: number): string {
    const seconds = (this.#lastMs - this.#sinceFullMs) / 1000;
    return `chart '${chartId}' sent ${this.#takenSinceFull} live iterations in ${
      seconds.toFixed(1)
    } s, more than its update every (${updateEvery} s) justifies: at most a backlog of ${this.#capacity} iterations, then ${this.#perUpdateEvery} per update every`;
  }
}
