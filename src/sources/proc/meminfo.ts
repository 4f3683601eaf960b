/**
 * `/proc/meminfo`: system.ram, mem.available, system.swap, mem.hwcorrupt, mem.committed, mem.writeback,
 * mem.kernel, mem.slab, mem.hugepages and mem.transparent_hugepages, defined as Netdata 1.37 defines
 * them. Values are the file's KiB, sent raw with a divisor of 1024.
 *
 * @module
 */

import type { Chart, DimensionSpec } from "../../metrics/chart.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart, type ProcChartSpec } from "./_chart.ts";
import { KeyIndex, LineScanner } from "./_parse.ts";

const MODULE = "/proc/meminfo";

const KEYS = [
  "MemTotal",
  "MemFree",
  "MemAvailable",
  "Buffers",
  "Cached",
  "SwapTotal",
  "SwapFree",
  "Dirty",
  "Writeback",
  "Shmem",
  "Slab",
  "SReclaimable",
  "SUnreclaim",
  "KernelStack",
  "PageTables",
  "NFS_Unstable",
  "Bounce",
  "WritebackTmp",
  "Committed_AS",
  "VmallocUsed",
  "Percpu",
  "HardwareCorrupted",
  "AnonHugePages",
  "ShmemHugePages",
  "HugePages_Total",
  "HugePages_Free",
  "HugePages_Rsvd",
  "HugePages_Surp",
  "Hugepagesize",
] as const;
type Key = typeof KEYS[number];
const K = Object.fromEntries(KEYS.map((k, i) => [k, i])) as Record<Key, number>;

const RAM = 0;
const AVAILABLE = 1;
const SWAP = 2;
const HWCORRUPT = 3;
const COMMITTED = 4;
const WRITEBACK = 5;
const KERNEL = 6;
const SLAB = 7;
const HUGEPAGES = 8;
const THP = 9;

const mib = (id: string, name?: string): DimensionSpec => dim(id, "absolute", 1, 1024, name ? { name } : {});

/**
 * The /proc/meminfo source.
 *
 * @example
 * ```ts
 * const source = meminfoSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function meminfoSource(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, MODULE));
  const s = new LineScanner(":");
  const keys = new KeyIndex(KEYS);
  const v = new Float64Array(KEYS.length);
  const found = new Uint8Array(KEYS.length);
  const host = ctx.host;
  const every = ctx.updateEvery;
  const mk = (spec: ProcChartSpec, dims: readonly DimensionSpec[]) => procChart(host, MODULE, every, spec, dims);
  // Indexed by the constants above; emptied when the file goes bad, so that the next good read redefines.
  const charts: (Chart | undefined)[] = [];
  // Charts 1.37 shows only once their values were seen non-zero, and keeps afterwards.
  let swapOn = false, hwcorruptOn = false, hugepagesOn = false, thpOn = false;

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
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
      if (text === undefined || !found[K.MemTotal] || !found[K.MemFree]) {
        for (const c of charts) if (c !== undefined) host.obsolete(c);
        charts.length = 0;
        throw new Error(file.lastError ?? `unexpected contents of ${file.path}: '${text?.slice(0, 80)}'`);
      }

      // 1.37 counts reclaimable slab as cache and shared memory (tmpfs) as used.
      const cached = v[K.Cached] + v[K.SReclaimable] - v[K.Shmem];
      const used = v[K.MemTotal] - v[K.MemFree] - cached - v[K.Buffers];
      const ram = (charts[RAM] ??= mk({
        id: "system.ram",
        title: "System RAM",
        units: "MiB",
        family: "ram",
        context: "system.ram",
        chartType: "stacked",
        priority: 200,
      }, [mib("free"), mib("used"), mib("cached"), mib("buffers")]));
      ram.dimensions[0].set(v[K.MemFree]);
      ram.dimensions[1].set(used);
      ram.dimensions[2].set(cached);
      ram.dimensions[3].set(v[K.Buffers]);
      host.collected(ram, nowUs);

      if (found[K.MemAvailable]) {
        const available = (charts[AVAILABLE] ??= mk({
          id: "mem.available",
          title: "Available RAM for applications",
          units: "MiB",
          family: "system",
          context: "mem.available",
          chartType: "area",
          priority: 1010,
        }, [mib("MemAvailable", "avail")]));
        available.dimensions[0].set(v[K.MemAvailable]);
        host.collected(available, nowUs);
      }

      const swapUsed = v[K.SwapTotal] - v[K.SwapFree];
      swapOn ||= v[K.SwapTotal] !== 0 || v[K.SwapFree] !== 0 || swapUsed !== 0;
      if (swapOn) {
        const swap = (charts[SWAP] ??= mk({
          id: "system.swap",
          title: "System Swap",
          units: "MiB",
          family: "swap",
          context: "system.swap",
          chartType: "stacked",
          priority: 201,
          detail: true,
        }, [mib("free"), mib("used")]));
        swap.dimensions[0].set(v[K.SwapFree]);
        swap.dimensions[1].set(swapUsed);
        host.collected(swap, nowUs);
      }

      hwcorruptOn ||= found[K.HardwareCorrupted] === 1 && v[K.HardwareCorrupted] > 0;
      if (hwcorruptOn) {
        const hwcorrupt = (charts[HWCORRUPT] ??= mk({
          id: "mem.hwcorrupt",
          title: "Corrupted Memory, detected by ECC",
          units: "MiB",
          family: "ecc",
          context: "mem.hwcorrupt",
          chartType: "line",
          priority: 1500,
          detail: true,
        }, [mib("HardwareCorrupted")]));
        hwcorrupt.dimensions[0].set(v[K.HardwareCorrupted]);
        host.collected(hwcorrupt, nowUs);
      }

      const committed = (charts[COMMITTED] ??= mk({
        id: "mem.committed",
        title: "Committed (Allocated) Memory",
        units: "MiB",
        family: "system",
        context: "mem.committed",
        chartType: "area",
        priority: 1030,
        detail: true,
      }, [mib("Committed_AS")]));
      committed.dimensions[0].set(v[K.Committed_AS]);
      host.collected(committed, nowUs);

      const writeback = (charts[WRITEBACK] ??= mk({
        id: "mem.writeback",
        title: "Writeback Memory",
        units: "MiB",
        family: "kernel",
        context: "mem.writeback",
        chartType: "line",
        priority: 1100,
        detail: true,
      }, [mib("Dirty"), mib("Writeback"), mib("FuseWriteback"), mib("NfsWriteback"), mib("Bounce")]));
      writeback.dimensions[0].set(v[K.Dirty]);
      writeback.dimensions[1].set(v[K.Writeback]);
      writeback.dimensions[2].set(v[K.WritebackTmp]);
      writeback.dimensions[3].set(v[K.NFS_Unstable]);
      writeback.dimensions[4].set(v[K.Bounce]);
      host.collected(writeback, nowUs);

      const kernel = (charts[KERNEL] ??= mk({
        id: "mem.kernel",
        title: "Memory Used by Kernel",
        units: "MiB",
        family: "kernel",
        context: "mem.kernel",
        chartType: "stacked",
        priority: 1101,
        detail: true,
      }, [mib("Slab"), mib("KernelStack"), mib("PageTables"), mib("VmallocUsed"), mib("Percpu")]));
      kernel.dimensions[0].set(v[K.Slab]);
      kernel.dimensions[1].set(v[K.KernelStack]);
      kernel.dimensions[2].set(v[K.PageTables]);
      kernel.dimensions[3].set(v[K.VmallocUsed]);
      kernel.dimensions[4].set(v[K.Percpu]);
      host.collected(kernel, nowUs);

      const slab = (charts[SLAB] ??= mk({
        id: "mem.slab",
        title: "Reclaimable Kernel Memory",
        units: "MiB",
        family: "slab",
        context: "mem.slab",
        chartType: "stacked",
        priority: 1200,
        detail: true,
      }, [mib("reclaimable"), mib("unreclaimable")]));
      slab.dimensions[0].set(v[K.SReclaimable]);
      slab.dimensions[1].set(v[K.SUnreclaim]);
      host.collected(slab, nowUs);

      hugepagesOn ||= v[K.Hugepagesize] !== 0 && v[K.HugePages_Total] !== 0;
      if (hugepagesOn) {
        // Counted in pages: the multiplier turns them into KiB.
        const size = v[K.Hugepagesize] || 2048;
        const pages = (id: string) => dim(id, "absolute", size, 1024);
        const hugepages = (charts[HUGEPAGES] ??= mk({
          id: "mem.hugepages",
          title: "Dedicated HugePages Memory",
          units: "MiB",
          family: "hugepages",
          context: "mem.hugepages",
          chartType: "stacked",
          priority: 1251,
          detail: true,
        }, [pages("free"), pages("used"), pages("surplus"), pages("reserved")]));
        hugepages.dimensions[0].set(v[K.HugePages_Free]);
        hugepages.dimensions[1].set(v[K.HugePages_Total] - v[K.HugePages_Free] - v[K.HugePages_Rsvd]);
        hugepages.dimensions[2].set(v[K.HugePages_Surp]);
        hugepages.dimensions[3].set(v[K.HugePages_Rsvd]);
        host.collected(hugepages, nowUs);
      }

      thpOn ||= v[K.AnonHugePages] !== 0 || v[K.ShmemHugePages] !== 0;
      if (thpOn) {
        const thp = (charts[THP] ??= mk({
          id: "mem.transparent_hugepages",
          title: "Transparent HugePages Memory",
          units: "MiB",
          family: "hugepages",
          context: "mem.transparent_hugepages",
          chartType: "stacked",
          priority: 1250,
          detail: true,
        }, [mib("anonymous"), mib("shmem")]));
        thp.dimensions[0].set(v[K.AnonHugePages]);
        thp.dimensions[1].set(v[K.ShmemHugePages]);
        host.collected(thp, nowUs);
      }
    },
    close() {
      file.close();
    },
  };
}
