/**
 * idlejitter.plugin: how late the collector's process is woken from a short sleep, as Netdata 1.37 charts it
 * (system.idlejitter, microseconds lost per second: min, max and average). It sleeps `loop time in ms` (20) over
 * and over on its own timer and measures each sleep on the monotonic clock; the error of a sleep is how much
 * longer it took than asked. Each second's collection publishes the errors of the sleeps that ended since the
 * last one, computed as 1.37 computes them: the smallest, the largest, and their sum divided by their count
 * (rounded down). 1.37 ends its window after a second's worth of sleeps on its own thread; rill ends it at the
 * collection, which counts every sleep once and leaves no second without a value.
 *
 * Each wake-up reads the clock, updates four numbers and re-arms the same timer (`refresh`): nothing is
 * allocated 50 times a second. In a compiled collector it costs about 0.3 CPU s a minute, what a bare re-armed
 * 20 ms timer costs too: the runtime's wake-ups, not this code.
 *
 * @module
 */

import { clearTimeout, setTimeout } from "node:timers";
import type { IdleJitterSettings } from "../config/internal_plugins_conf.ts";
import type { Chart } from "../metrics/chart.ts";
import { type Collector, collectorChart, dim } from "./_chart.ts";
import type { Source, SourceContext } from "./source.ts";

const IDLEJITTER: Collector = { plugin: "idlejitter.plugin", module: "" };

/**
 * Sleeps of `ms`: calling it arms the first, `wake` runs when one ends, `again` arms the next from now and
 * `stop` cancels.
 *
 * @example
 * ```ts
 * const sleeper: Sleeper = timerSleeper;
 * const sleep = sleeper(20, () => sleep.again());
 * ```
 */
export type Sleeper = (ms: number, wake: () => void) => { again(): void; stop(): void };

/**
 * Sleeps with one `node:timers` timeout re-armed by `refresh()` (no new timer object per sleep). The timer does
 * not keep the process alive.
 *
 * @example
 * ```ts
 * const sleep = timerSleeper(20, () => { console.log("woke"); sleep.again(); });
 * sleep.stop();
 * ```
 */
export function timerSleeper(ms: number, wake: () => void): { again(): void; stop(): void } {
  const timer = setTimeout(wake, ms);
  timer.unref();
  return { again: () => void timer.refresh(), stop: () => clearTimeout(timer) };
}

/**
 * The monotonic clock in whole microseconds (`performance.now()`, which both runtimes give with sub-millisecond
 * resolution).
 *
 * @example
 * ```ts
 * const t0 = monotonicUs();
 * ```
 */
export function monotonicUs(): number {
  return Math.floor(performance.now() * 1000);
}

/**
 * The idlejitter source: a {@link Source} whose sleeps run between collections once {@link start}ed.
 *
 * @example
 * ```ts
 * const jitter: IdleJitterSource = idleJitterSource(ctx, conf.idlejitter);
 * jitter.start();
 * ```
 */
export interface IdleJitterSource extends Source {
  /** Starts sleeping; the first sleep's error counts in the next collection. `close()` stops. */
  start(): void;
}

/**
 * The idlejitter source over a clock and a sleeper (the real ones by default; tests inject both).
 *
 * @example
 * ```ts
 * const jitter = idleJitterSource({ host, root: "/", updateEvery: 1, log }, { enabled: true, loopTimeMs: 20 });
 * jitter.start();
 * new CollectionLoop([jitter], 1, log).start(); // publishes system.idlejitter every second
 * ```
 */
export function idleJitterSource(
  ctx: SourceContext,
  settings: IdleJitterSettings,
  clockUs: () => number = monotonicUs,
  sleeper: Sleeper = timerSleeper,
): IdleJitterSource {
  const sleepUs = settings.loopTimeMs * 1000;
  let sleep: ReturnType<Sleeper> | undefined;
  let sleptAtUs = 0;
  // The window since the last collection, as 1.37 keeps it.
  let iterations = 0;
  let errorTotal = 0;
  let errorMin = 0;
  let errorMax = 0;
  let chart: Chart | undefined;

  const wake = () => {
    const nowUs = clockUs();
    // 1.37 subtracts unsigned integers; a JavaScript timer may end a fraction of a millisecond before the
    // finer clock says the sleep is over (it counts whole milliseconds), which is no lateness at all.
    const error = Math.max(0, nowUs - sleptAtUs - sleepUs);
    errorTotal += error;
    if (iterations === 0 || error < errorMin) errorMin = error;
    if (error > errorMax) errorMax = error;
    iterations++;
    sleptAtUs = nowUs;
    sleep?.again();
  };

  return {
    name: IDLEJITTER.plugin,
    updateEvery: ctx.updateEvery,
    start() {
      if (sleep !== undefined) return;
      sleptAtUs = clockUs();
      sleep = sleeper(settings.loopTimeMs, wake);
    },
    collect(nowUs) {
      if (iterations === 0) return;
      chart ??= collectorChart(ctx.host, IDLEJITTER, ctx.updateEvery, {
        id: "system.idlejitter",
        title: "CPU Idle Jitter",
        units: "microseconds lost/s",
        family: "idlejitter",
        context: "system.idlejitter",
        chartType: "area",
        priority: 800,
      }, [dim("min", "absolute"), dim("max", "absolute"), dim("average", "absolute")]);
      chart.dimensions[0].set(errorMin);
      chart.dimensions[1].set(errorMax);
      chart.dimensions[2].set(Math.floor(errorTotal / iterations));
      ctx.host.collected(chart, nowUs);
      iterations =
        errorTotal =
        errorMin =
        errorMax =
          0;
    },
    close() {
      sleep?.stop();
      sleep = undefined;
    },
  };
}
