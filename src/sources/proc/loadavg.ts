/**
 * `/proc/loadavg`: system.load (every 5 s at the least, as 1.37 does) and system.active_processes with
 * the `pidmax` chart variable from `/proc/sys/kernel/pid_max`.
 *
 * @module
 */

import type { Chart } from "../../metrics/chart.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";

const MODULE = "/proc/loadavg";
const LOAD_EVERY_AT_LEAST = 5;

/**
 * The loadavg source.
 *
 * @example
 * ```ts
 * const source = loadavgSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function loadavgSource(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, MODULE));
  const pidMax = new ProcFile(rootPath(ctx.root, "/proc/sys/kernel/pid_max"));
  const loadEvery = Math.max(LOAD_EVERY_AT_LEAST, ctx.updateEvery);
  let load: Chart | undefined;
  let active: Chart | undefined;
  let lastLoadSlot = -1;

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      const text = file.read();
      const fields = text?.split(/\s+/);
      const procs = fields?.[3]?.split("/");
      if (fields === undefined || fields.length < 4 || procs?.length !== 2) {
        if (load !== undefined) ctx.host.obsolete(load);
        if (active !== undefined) ctx.host.obsolete(active);
        load = active = undefined;
        throw new Error(file.lastError ?? `unexpected contents of ${file.path}: '${text?.slice(0, 80)}'`);
      }
      const slot = Math.floor(nowUs / 1e6 / loadEvery);
      if (slot !== lastLoadSlot) {
        lastLoadSlot = slot;
        load ??= procChart(ctx.host, MODULE, loadEvery, {
          id: "system.load",
          title: "System Load Average",
          units: "load",
          family: "load",
          context: "system.load",
          chartType: "line",
          priority: 100,
        }, [dim("load1", "absolute", 1, 1000), dim("load5", "absolute", 1, 1000), dim("load15", "absolute", 1, 1000)]);
        for (let i = 0; i < 3; i++) load.dimensions[i].set(Math.round(Number(fields[i]) * 1000));
        ctx.host.collected(load, nowUs);
      }

      if (active === undefined) {
        active = procChart(ctx.host, MODULE, ctx.updateEvery, {
          id: "system.active_processes",
          title: "System Active Processes",
          units: "processes",
          family: "processes",
          context: "system.active_processes",
          chartType: "line",
          priority: 750,
        }, [dim("active", "absolute")]);
        const max = Number(pidMax.read());
        if (Number.isFinite(max) && max > 0) active.variable("pidmax", max);
        pidMax.close();
      }
      active.dimensions[0].set(Number(procs[1]));
      ctx.host.collected(active, nowUs);
    },
    close() {
      file.close();
      pidMax.close();
    },
  };
}
