/**
 * `/proc/uptime`: system.uptime, in milliseconds with a divisor of 1000, as Netdata 1.37 sends it.
 *
 * @module
 */

import type { Chart } from "../../metrics/chart.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";
import { LineScanner } from "./_parse.ts";

const MODULE = "/proc/uptime";

/**
 * The /proc/uptime source.
 *
 * @example
 * ```ts
 * const source = uptimeSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function uptimeSource(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, MODULE));
  const s = new LineScanner();
  let chart: Chart | undefined;

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      const text = file.read();
      let ms = NaN;
      if (text !== undefined) {
        s.reset(text);
        if (s.nextLine()) ms = Math.round(s.decimal() * 1000);
      }
      if (!Number.isFinite(ms) || ms < 0) {
        if (chart !== undefined) ctx.host.obsolete(chart);
        chart = undefined;
        throw new Error(file.lastError ?? `unexpected contents of ${file.path}: '${text?.slice(0, 80)}'`);
      }
      chart ??= procChart(ctx.host, MODULE, ctx.updateEvery, {
        id: "system.uptime",
        title: "System Uptime",
        units: "seconds",
        family: "uptime",
        context: "system.uptime",
        chartType: "line",
        priority: 1000,
      }, [dim("uptime", "absolute", 1, 1000)]);
      chart.dimensions[0].set(ms);
      ctx.host.collected(chart, nowUs);
    },
    close() {
      file.close();
    },
  };
}
