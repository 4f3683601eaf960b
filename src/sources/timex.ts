/**
 * timex.plugin: the kernel clock's synchronization as Netdata 1.37 charts it, from `adjtimex(2)` (read through
 * the C library, runtime/libc.ts): system.clock_sync_state (1 unless the kernel says `TIME_ERROR`),
 * system.clock_status (the `STA_UNSYNC` and `STA_CLOCKERR` bits) and system.clock_sync_offset (the offset the
 * synchronization daemon last measured, in milliseconds), every 10 s by default.
 *
 * @module
 */

import type { TimexSettings } from "../config/internal_plugins_conf.ts";
import type { Chart } from "../metrics/chart.ts";
import { type ClockAdjustment, loadLibc, STA_CLOCKERR, STA_NANO, STA_UNSYNC, TIME_ERROR } from "../runtime/libc.ts";
import { type Collector, collectorChart, dim } from "./_chart.ts";
import type { Source, SourceContext } from "./source.ts";

const TIMEX: Collector = { plugin: "timex.plugin", module: "" };
const FAMILY = "clock synchronization";
const US_PER_MS = 1000;
const NS_PER_MS = 1_000_000;

/**
 * Reads the clock's discipline: `Libc.adjtimex` on a real machine, a stand-in in tests. `undefined` when the
 * call failed.
 *
 * @example
 * ```ts
 * const readClock: ClockReader = () => ({ state: 0, status: 0x2001, offsetNs: 250_000 });
 * ```
 */
export type ClockReader = () => ClockAdjustment | undefined;

/**
 * The timex source over `readClock`, or `undefined` when both of its options are off (1.37 then shows no
 * charts and its thread ends). Its interval is `update every`, raised to the host's when below it. The offset
 * chart's divisor follows the kernel's unit at the first reading, as 1.37 decides it (1,000,000 when `STA_NANO`
 * says nanoseconds, else 1,000); a later change of unit is converted into the chart's.
 *
 * A failed `adjtimex` throws (the loop logs it once) and the iteration is skipped. 1.37 skips only the first of
 * consecutive failures and then charts the failed call as synchronized (-1 is not `TIME_ERROR`) with no status
 * bits; rill leaves those iterations empty instead.
 *
 * @example
 * ```ts
 * const source = timexSource(ctx, conf.timex, () => libc.adjtimex());
 * source?.collect(Date.now() * 1000);
 * ```
 */
export function timexSource(ctx: SourceContext, settings: TimexSettings, readClock: ClockReader): Source | undefined {
  if (!chartsWanted(ctx, settings)) return undefined;
  const updateEvery = Math.max(settings.updateEvery, ctx.updateEvery);
  let syncState: Chart | undefined;
  let clockStatus: Chart | undefined;
  let offset: Chart | undefined;
  let offsetInNs = false;

  return {
    name: TIMEX.plugin,
    updateEvery,
    collect(nowUs) {
      const reading = readClock();
      if (reading === undefined) throw new Error("cannot get clock synchronization state: adjtimex failed");
      if (settings.syncState) {
        syncState ??= collectorChart(ctx.host, TIMEX, updateEvery, {
          id: "system.clock_sync_state",
          title: "System Clock Synchronization State",
          units: "state",
          family: FAMILY,
          context: "system.clock_sync_state",
          chartType: "line",
          priority: 1100,
        }, [dim("state", "absolute")]);
        syncState.dimensions[0].set(reading.state !== TIME_ERROR ? 1 : 0);
        ctx.host.collected(syncState, nowUs);

        clockStatus ??= collectorChart(ctx.host, TIMEX, updateEvery, {
          id: "system.clock_status",
          title: "System Clock Status",
          units: "status",
          family: FAMILY,
          context: "system.clock_status",
          chartType: "line",
          priority: 1105,
        }, [dim("unsync", "absolute"), dim("clockerr", "absolute")]);
        clockStatus.dimensions[0].set(reading.status & STA_UNSYNC ? 1 : 0);
        clockStatus.dimensions[1].set(reading.status & STA_CLOCKERR ? 1 : 0);
        ctx.host.collected(clockStatus, nowUs);
      }
      if (settings.timeOffset) {
        if (offset === undefined) {
          offsetInNs = (reading.status & STA_NANO) !== 0;
          offset = collectorChart(ctx.host, TIMEX, updateEvery, {
            id: "system.clock_sync_offset",
            title: "Computed Time Offset Between Local System and Reference Clock",
            units: "milliseconds",
            family: FAMILY,
            context: "system.clock_sync_offset",
            chartType: "line",
            priority: 1110,
          }, [dim("offset", "absolute", 1, offsetInNs ? NS_PER_MS : US_PER_MS)]);
        }
        offset.dimensions[0].set(offsetInNs ? reading.offsetNs : Math.trunc(reading.offsetNs / 1000));
        ctx.host.collected(offset, nowUs);
      }
    },
    close() {},
  };
}

/**
 * The timex source reading the real clock, or `undefined` (after one log line saying why) when it is disabled
 * (`[plugins] timex = no`), has no charts to show, or the C library cannot be opened on this runtime.
 *
 * @example
 * ```ts
 * const timex = await openTimexSource(ctx, readInternalPlugins(nd.document, nd.plugins).timex);
 * if (timex !== undefined) sources.push(timex);
 * ```
 */
export async function openTimexSource(ctx: SourceContext, settings: TimexSettings): Promise<Source | undefined> {
  if (!settings.enabled || !chartsWanted(ctx, settings)) return undefined;
  const opened = await loadLibc();
  if (opened.libc === undefined) {
    ctx.log.info(`${TIMEX.plugin}: clock synchronization charts are unavailable: ${opened.reason}`);
    return undefined;
  }
  const libc = opened.libc;
  return timexSource(ctx, settings, () => libc.adjtimex());
}

function chartsWanted(ctx: SourceContext, settings: TimexSettings): boolean {
  if (settings.syncState || settings.timeOffset) return true;
  ctx.log.info(`${TIMEX.plugin}: clock synchronization state and time offset are both off: no charts to show`);
  return false;
}
