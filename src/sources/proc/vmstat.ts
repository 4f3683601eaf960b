/**
 * `/proc/vmstat`: system.swapio (once swapping was seen), system.pgpgio, mem.pgfaults, mem.oom_kill
 * (when the kernel counts OOM kills) and mem.numa (on machines with two or more NUMA nodes), defined
 * as Netdata 1.37 defines them.
 *
 * @module
 */

import { readdirSync } from "node:fs";
import type { Chart } from "../../metrics/chart.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";
import { KeyIndex, LineScanner } from "./_parse.ts";

const MODULE = "/proc/vmstat";
// 1.37 multiplies swapped pages by sysconf(_SC_PAGESIZE); a runtime without sysconf assumes the
// common 4 KiB page.
const PAGE_SIZE = 4096;

const NUMA = [
  "numa_local",
  "numa_foreign",
  "numa_interleave",
  "numa_other",
  "numa_pte_updates",
  "numa_huge_pte_updates",
  "numa_hint_faults",
  "numa_hint_faults_local",
  "numa_pages_migrated",
] as const;
const KEYS = ["pgfault", "pgmajfault", "pgpgin", "pgpgout", "pswpin", "pswpout", "oom_kill", ...NUMA] as const;
const PGFAULT = 0, PGMAJFAULT = 1, PGPGIN = 2, PGPGOUT = 3, PSWPIN = 4, PSWPOUT = 5, OOM_KILL = 6, NUMA_FIRST = 7;

function numaNodes(root: string): number {
  try {
    return readdirSync(rootPath(root, "/sys/devices/system/node")).filter((n) => /^node\d+$/.test(n)).length;
  } catch {
    return 0;
  }
}

/**
 * The /proc/vmstat source.
 *
 * @example
 * ```ts
 * const source = vmstatSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function vmstatSource(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, MODULE));
  const s = new LineScanner(":");
  const keys = new KeyIndex(KEYS);
  const v = new Float64Array(KEYS.length);
  const found = new Uint8Array(KEYS.length);
  const host = ctx.host;
  const every = ctx.updateEvery;
  // Single-node machines have only local accesses: 1.37 leaves NUMA out there.
  const manyNodes = numaNodes(ctx.root) >= 2;
  let swapio: Chart | undefined, pgpgio: Chart | undefined, pgfaults: Chart | undefined;
  let oomKill: Chart | undefined, numa: Chart | undefined;
  let swapOn = false, numaOn: boolean | undefined;

  function obsoleteAll(): void {
    for (const c of [swapio, pgpgio, pgfaults, oomKill, numa]) if (c !== undefined) host.obsolete(c);
    swapio = pgpgio = pgfaults = undefined;
    oomKill = numa = undefined;
  }

  return {
    name: MODULE,
    updateEvery: every,
    collect(nowUs) {
      const text = file.read();
      if (text !== undefined) {
        v.fill(0);
        found.fill(0);
        s.reset(text);
        while (s.nextLine()) {
          const k = keys.match(s);
          if (k < 0) continue;
          const n = s.number();
          if (!Number.isNaN(n)) {
            v[k] = n;
            found[k] = 1;
          }
        }
      }
      if (text === undefined || !found[PGPGIN] || !found[PGFAULT]) {
        obsoleteAll();
        throw new Error(file.lastError ?? `unexpected contents of ${file.path}: '${text?.slice(0, 80)}'`);
      }

      swapOn ||= v[PSWPIN] !== 0 || v[PSWPOUT] !== 0;
      if (swapOn) {
        swapio ??= procChart(host, MODULE, every, {
          id: "system.swapio",
          title: "Swap I/O",
          units: "KiB/s",
          family: "swap",
          context: "system.swapio",
          chartType: "area",
          priority: 250,
        }, [dim("in", "incremental", PAGE_SIZE, 1024), dim("out", "incremental", -PAGE_SIZE, 1024)]);
        swapio.dimensions[0].set(v[PSWPIN]);
        swapio.dimensions[1].set(v[PSWPOUT]);
        host.collected(swapio, nowUs);
      }

      pgpgio ??= procChart(host, MODULE, every, {
        id: "system.pgpgio",
        title: "Memory Paged from/to disk",
        units: "KiB/s",
        family: "disk",
        context: "system.pgpgio",
        chartType: "area",
        priority: 151,
      }, [dim("in", "incremental"), dim("out", "incremental", -1)]);
      pgpgio.dimensions[0].set(v[PGPGIN]);
      pgpgio.dimensions[1].set(v[PGPGOUT]);
      host.collected(pgpgio, nowUs);

      pgfaults ??= procChart(host, MODULE, every, {
        id: "mem.pgfaults",
        title: "Memory Page Faults",
        units: "faults/s",
        family: "system",
        context: "mem.pgfaults",
        chartType: "line",
        priority: 1040,
        detail: true,
      }, [dim("minor", "incremental"), dim("major", "incremental", -1)]);
      pgfaults.dimensions[0].set(v[PGFAULT]);
      pgfaults.dimensions[1].set(v[PGMAJFAULT]);
      host.collected(pgfaults, nowUs);

      if (found[OOM_KILL]) {
        oomKill ??= procChart(host, MODULE, every, {
          id: "mem.oom_kill",
          title: "Out of Memory Kills",
          units: "kills/s",
          family: "system",
          context: "mem.oom_kill",
          chartType: "line",
          priority: 1020,
          detail: true,
        }, [dim("kills", "incremental")]);
        oomKill.dimensions[0].set(v[OOM_KILL]);
        host.collected(oomKill, nowUs);
      }

      // Decided once, on the first read, as 1.37 does.
      if (numaOn === undefined) {
        numaOn = false;
        for (let i = NUMA_FIRST; i < KEYS.length; i++) if (v[i] !== 0) numaOn = manyNodes;
      }
      if (numaOn) {
        numa ??= procChart(
          host,
          MODULE,
          every,
          {
            id: "mem.numa",
            title: "NUMA events",
            units: "events/s",
            family: "numa",
            context: "mem.numa",
            chartType: "line",
            priority: 1400,
            detail: true,
          },
          NUMA.map((k) => dim(k.slice(5), "incremental")),
        );
        for (let i = 0; i < NUMA.length; i++) numa.dimensions[i].set(v[NUMA_FIRST + i]);
        host.collected(numa, nowUs);
      }
    },
    close() {
      file.close();
    },
  };
}
