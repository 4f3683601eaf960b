/**
 * The collector process itself: `netdata.server_cpu` and `netdata.uptime` as Netdata 1.37 defines them,
 * and `netdata.memory`, which 1.37 does not have (it came with 1.38: `bytes`, stacked, priority 130100).
 *
 * Netdata's `netdata.memory` splits what its allocators hold by subsystem (db, collectors, strings, …).
 * A JavaScript runtime cannot say which part of its heap belongs to which part of rill, so this chart
 * shows what the kernel knows instead: the resident set (VmRSS) of /proc/self/status as its two parts,
 * `anonymous` (RssAnon: the JavaScript heap, buffers, stacks; what grows when rill holds data) and `file`
 * (RssFile: pages of the executable and libraries mapped from disk, which the kernel can drop and read
 * again). rill uses no shared memory, so RssShmem, the third part of VmRSS, is left out.
 *
 * @module
 */

import type { Chart } from "../../metrics/chart.ts";
import type { Host } from "../../metrics/host.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { LineScanner } from "../proc/_lines.ts";
import { dim } from "../_chart.ts";
import { type ChartGroup, netdataChart } from "./_chart.ts";

/**
 * Where the process charts read from; tests give fakes.
 *
 * @example
 * ```ts
 * const probes: ProcessProbes = {
 *   cpuUsage: () => process.cpuUsage(),
 *   startedAtUs: Date.now() * 1000 - process.uptime() * 1e6,
 *   statusPath: "/proc/self/status",
 * };
 * ```
 */
export interface ProcessProbes {
  /** CPU time this process has used, µs (what `process.cpuUsage()` returns). */
  cpuUsage(): { readonly user: number; readonly system: number };
  /** When the process started, epoch µs. */
  readonly startedAtUs: number;
  /** The process's status file (VmRSS and its parts), normally `/proc/self/status`. */
  readonly statusPath: string;
}

/**
 * The process charts: CPU, uptime and memory of this process.
 *
 * @example
 * ```ts
 * const group = processCharts(host, 1, probes);
 * group.collect(Date.now() * 1000);
 * ```
 */
export function processCharts(host: Host, updateEvery: number, probes: ProcessProbes): ChartGroup {
  const cpu = netdataChart(host, updateEvery, {
    id: "netdata.server_cpu",
    title: "Netdata CPU usage",
    units: "milliseconds/s",
    family: "netdata",
    context: "netdata.server_cpu",
    chartType: "stacked",
    priority: 130000,
  }, [dim("user", "incremental", 1, 1000), dim("system", "incremental", 1, 1000)]);
  const uptime = netdataChart(host, updateEvery, {
    id: "netdata.uptime",
    title: "Netdata uptime",
    units: "seconds",
    family: "netdata",
    context: "netdata.uptime",
    chartType: "line",
    priority: 130100,
  }, [dim("uptime", "absolute")]);
  const status = new ProcFile(probes.statusPath);
  const scanner = new LineScanner(":");
  let memory: Chart | undefined;

  const collectMemory = (nowUs: number) => {
    const text = status.read();
    let anonKiB = NaN, fileKiB = NaN;
    if (text !== undefined) {
      scanner.reset(text);
      while (scanner.next()) {
        if (scanner.is(0, "RssAnon")) anonKiB = scanner.uint(1);
        else if (scanner.is(0, "RssFile")) fileKiB = scanner.uint(1);
      }
    }
    if (Number.isNaN(anonKiB) || Number.isNaN(fileKiB)) {
      if (memory !== undefined) host.obsolete(memory);
      memory = undefined;
      throw new Error(status.lastError ?? `no RssAnon and RssFile lines in ${status.path}`);
    }
    memory ??= netdataChart(host, updateEvery, {
      id: "netdata.memory",
      title: "Netdata Memory",
      units: "bytes",
      family: "netdata",
      context: "netdata.memory",
      chartType: "stacked",
      priority: 130100,
    }, [dim("anonymous", "absolute", 1024), dim("file", "absolute", 1024)]);
    memory.dimensions[0].set(anonKiB);
    memory.dimensions[1].set(fileKiB);
    host.collected(memory, nowUs);
  };

  return {
    collect(nowUs) {
      const used = probes.cpuUsage();
      cpu.dimensions[0].set(used.user);
      cpu.dimensions[1].set(used.system);
      host.collected(cpu, nowUs);
      uptime.dimensions[0].set(Math.max(0, Math.floor((nowUs - probes.startedAtUs) / 1e6)));
      host.collected(uptime, nowUs);
      collectMemory(nowUs);
    },
    close() {
      status.close();
    },
  };
}
