/**
 * The time an API request may take from the event loop it shares with ingestion: its work is done in
 * slices of a few milliseconds with a turn of the event loop between them (so the children's data keeps
 * flowing while a large answer is produced), and a request whose work adds up to more than its budget is
 * abandoned with a 503.
 *
 * @module
 */

import { HttpError } from "../http.ts";

/** Work done between two turns of the event loop. */
const SLICE_MS = 5;

/**
 * Resolves on a later turn of the event loop, after the I/O callbacks that were waiting (a `setImmediate`,
 * not a microtask, which would run before them).
 *
 * @example
 * ```ts
 * await yieldToEventLoop(); // the sockets' pending data has been read
 * ```
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * One request's work budget. Long loops call {@link RequestBudget.due} often (per chart, per host, per
 * few rows) and, when it says so, `await` {@link RequestBudget.pause}: that gives the event loop a turn,
 * and throws an {@link HttpError} 503 once the request's work exceeds the budget.
 *
 * @example
 * ```ts
 * const budget = new RequestBudget(10_000);
 * for (const chart of charts) {
 *   if (budget.due()) await budget.pause();
 *   out += render(chart);
 * }
 * ```
 */
export class RequestBudget {
  readonly #budgetMs: number;
  readonly #clockMs: () => number;
  /** Work done in the slices before the current one, ms. */
  #workMs = 0;
  #sliceStartMs: number;

  /**
   * @param budgetMs the work a request may do, in ms (time spent waiting for the event loop not counted)
   * @param clockMs a monotonic clock in ms; `performance.now` by default (tests step it)
   */
  constructor(budgetMs: number, clockMs: () => number = () => performance.now()) {
    this.#budgetMs = budgetMs;
    this.#clockMs = clockMs;
    this.#sliceStartMs = clockMs();
  }

  /** Whether the current slice has run its time: the caller should `await pause()` now. */
  due(): boolean {
    return this.#clockMs() - this.#sliceStartMs >= SLICE_MS;
  }

  /**
   * Ends the current slice: gives the event loop a turn, then starts the next slice. Throws an
   * {@link HttpError} 503 when the work so far exceeds the budget.
   */
  async pause(): Promise<void> {
    this.#workMs += this.#clockMs() - this.#sliceStartMs;
    if (this.#workMs > this.#budgetMs) {
      throw new HttpError(
        503,
        `Query timeout exceeded: the request needed more than ${this.#budgetMs} ms of work and was abandoned; ` +
          "ask for less (a shorter window, fewer points, dimensions, charts or hosts)",
      );
    }
    await yieldToEventLoop();
    this.#sliceStartMs = this.#clockMs();
  }
}
