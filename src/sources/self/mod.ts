/**
 * Self-monitoring: the collector's own charts (plugin `netdata`, module `stats`, as Netdata 1.37 makes
 * them), so that the first question about a collector, is it healthy, has an answer on the parent's
 * dashboard: its CPU, uptime and memory (./process.ts), its sender (./sender.ts) and the time each local
 * module takes to collect (./collection_time.ts).
 *
 * @module
 */

import type { CollectionTimings } from "../collection_timings.ts";
import type { Source, SourceContext } from "../source.ts";
import type { ChartGroup } from "./_chart.ts";
import { collectionTimeChart } from "./collection_time.ts";
import { processCharts, type ProcessProbes } from "./process.ts";
import { senderCharts, type SenderCounters } from "./sender.ts";

export type { DisconnectReason, SenderCounters } from "./sender.ts";
export type { ProcessProbes } from "./process.ts";

/**
 * What the self-monitoring source watches besides the process; each left out has no charts.
 *
 * @example
 * ```ts
 * const options: SelfMonitoringOptions = { timings, sender: sender.stats };
 * ```
 */
export interface SelfMonitoringOptions {
  /** The collection loop's timings of the local sources (`netdata.workers_busy_time_by_type_proc`). */
  readonly timings?: CollectionTimings;
  /** The stream sender's counters (the `netdata.workers_*streamsnd*` charts). */
  readonly sender?: SenderCounters;
  /** Where the process charts read from; this process by default (tests give fakes). */
  readonly process?: ProcessProbes;
}

/**
 * This process, as {@link ProcessProbes} read it.
 *
 * @example
 * ```ts
 * thisProcess().cpuUsage(); // { user: 120000, system: 30000 }
 * ```
 */
export function thisProcess(): ProcessProbes {
  return {
    cpuUsage: () => process.cpuUsage(),
    startedAtUs: Math.round((Date.now() - process.uptime() * 1000) * 1000),
    statusPath: "/proc/self/status",
  };
}

/**
 * The self-monitoring source. Put it in the collection loop after the sources it times, so that each
 * iteration charts their time of the same iteration.
 *
 * @example
 * ```ts
 * const sources = localSources(ctx);
 * const timings = new CollectionTimings(sources);
 * const self = selfMonitoringSource(ctx, { timings, sender: sender.stats });
 * new CollectionLoop([...sources, self], ctx.updateEvery, log, timings).start();
 * ```
 */
export function selfMonitoringSource(ctx: SourceContext, options: SelfMonitoringOptions = {}): Source {
  const { host, updateEvery } = ctx;
  const groups: ChartGroup[] = [processCharts(host, updateEvery, options.process ?? thisProcess())];
  if (options.sender !== undefined) groups.push(senderCharts(host, updateEvery, options.sender));
  if (options.timings !== undefined) groups.push(collectionTimeChart(host, updateEvery, options.timings));
  return {
    name: "netdata/stats",
    updateEvery,
    collect(nowUs) {
      // A probe that fails (no /proc/self/status) stops its own charts, not the other groups'.
      let failure: unknown;
      for (const group of groups) {
        try {
          group.collect(nowUs);
        } catch (e) {
          failure ??= e;
        }
      }
      if (failure !== undefined) throw failure;
    },
    close() {
      for (const group of groups) group.close?.();
    },
  };
}
