/**
 * `/sys/block/zram`: the four memory charts Netdata 1.37 makes per zram device (usage, savings, compression
 * ratio, allocation efficiency) from `/sys/block/<dev>/mm_stat`.
 *
 * Devices are found once, on the first iteration, as 1.37 finds them: the block major of `zram` in
 * `/proc/devices`, then every block device of that major. 1.37 stats the nodes of `/dev` for that major;
 * `/sys/block/<dev>/dev` holds the same `major:minor` for every block device the kernel has and, unlike a
 * device node, can be written under a test root. No zram major means no charts, for good (1.37 turns the
 * module off). A device whose `mm_stat` can no longer be read, or no longer has its seven numbers, has its
 * charts obsoleted and is forgotten; devices that appear later are not picked up, as in 1.37.
 *
 * @module
 */

import { readdirSync } from "node:fs";
import type { Chart } from "../../metrics/chart.ts";
import { LABEL_SOURCE } from "../../protocol/commands.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";
import { LineScanner } from "./_lines.ts";

const MODULE = "/sys/block/zram";
const MIB = 1024 * 1024;
/** `mm_stat` words 1.37 needs: orig, compr, mem_used_total, mem_limit, mem_used_max, same_pages, compacted. */
const MM_STAT_WORDS = 7;
const ORIG = 0, COMPR = 1, USED_TOTAL = 2;

/** One zram device: its open `mm_stat` and its four charts. */
interface ZramDevice {
  readonly name: string;
  readonly mmStat: ProcFile;
  readonly usage: Chart;
  readonly savings: Chart;
  readonly ratio: Chart;
  readonly efficiency: Chart;
}

/**
 * The zram source.
 *
 * @example
 * ```ts
 * const source = zramSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000); // mem.zram_usage.zram0, mem.zram_savings.zram0, … when zram0 exists
 * ```
 */
export function zramSource(ctx: SourceContext): Source {
  const scanner = new LineScanner(":");
  let devices: ZramDevice[] | undefined;

  const chartsOf = (name: string): ZramDevice => {
    const chart = (
      kind: string,
      title: string,
      units: string,
      chartType: "area" | "line",
      priority: number,
      dims: ReturnType<typeof dim>[],
    ): Chart => {
      const c = procChart(ctx.host, MODULE, ctx.updateEvery, {
        id: `mem.${kind}.${name}`,
        title,
        units,
        family: name,
        context: `mem.${kind}`,
        chartType,
        priority,
      }, dims);
      c.label("device", name, LABEL_SOURCE.AUTO);
      return c;
    };
    return {
      name,
      mmStat: new ProcFile(rootPath(ctx.root, `/sys/block/${name}/mm_stat`)),
      usage: chart("zram_usage", "ZRAM Memory Usage", "MiB", "area", 1600, [
        dim("compressed", "absolute", 1, MIB),
        dim("metadata", "absolute", 1, MIB),
      ]),
      savings: chart("zram_savings", "ZRAM Memory Savings", "MiB", "area", 1601, [
        dim("savings", "absolute", 1, MIB),
        dim("original", "absolute", 1, MIB),
      ]),
      ratio: chart("zram_ratio", "ZRAM Compression Ratio (original to compressed)", "ratio", "line", 1602, [
        dim("ratio", "absolute", 1, 100),
      ]),
      efficiency: chart("zram_efficiency", "ZRAM Efficiency", "percentage", "line", 1603, [
        dim("percent", "absolute", 1, 10000),
      ]),
    };
  };

  const discover = (): ZramDevice[] => {
    const major = zramMajor(ProcFile.readOnce(rootPath(ctx.root, "/proc/devices")), scanner);
    if (major === undefined) return [];
    let names: string[];
    try {
      names = readdirSync(rootPath(ctx.root, "/sys/block")).sort();
    } catch {
      return [];
    }
    const found: ZramDevice[] = [];
    for (const name of names) {
      const dev = ProcFile.readOnce(rootPath(ctx.root, `/sys/block/${name}/dev`));
      if (dev === undefined || Number.parseInt(dev, 10) !== major) continue;
      ctx.log.info(`ZRAM: found device ${name}`);
      found.push(chartsOf(name));
    }
    return found;
  };

  const forget = (d: ZramDevice, why: string): void => {
    ctx.log.info(`ZRAM: no longer monitoring ${d.name}: ${why}`);
    d.mmStat.close();
    for (const chart of [d.usage, d.savings, d.ratio, d.efficiency]) ctx.host.obsolete(chart);
  };

  /** Collects one device; false when its `mm_stat` is gone or changed shape. */
  const collectDevice = (d: ZramDevice, nowUs: number): boolean => {
    const text = d.mmStat.read();
    if (text === undefined) {
      forget(d, `${d.mmStat.path}: ${d.mmStat.lastError}`);
      return false;
    }
    scanner.reset(text);
    if (!scanner.next() || scanner.count < MM_STAT_WORDS) {
      forget(d, `expected ${MM_STAT_WORDS} numbers in ${d.mmStat.path}, found '${text.trim().slice(0, 80)}'`);
      return false;
    }
    const orig = number(scanner, ORIG), compr = number(scanner, COMPR), used = number(scanner, USED_TOTAL);

    // 1.37 subtracts unsigned counters: the differences wrap to negative collected numbers, as here.
    d.usage.dimensions[0].set(compr);
    d.usage.dimensions[1].set(used - compr);
    ctx.host.collected(d.usage, nowUs);

    d.savings.dimensions[0].set(compr - orig);
    d.savings.dimensions[1].set(orig);
    ctx.host.collected(d.savings, nowUs);

    // 1.37 keeps these two in a C int: `| 0` truncates the same way.
    d.ratio.dimensions[0].set(compr === 0 ? 1 : Math.floor(orig * 100 / compr) | 0);
    ctx.host.collected(d.ratio, nowUs);

    d.efficiency.dimensions[0].set(used === 0 ? 100 : Math.floor(compr * 1_000_000 / used) | 0);
    ctx.host.collected(d.efficiency, nowUs);
    return true;
  };

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      devices ??= discover();
      let kept = 0;
      for (const d of devices) if (collectDevice(d, nowUs)) devices[kept++] = d;
      devices.length = kept;
    },
    close() {
      for (const d of devices ?? []) d.mmStat.close();
    },
  };
}

/** The block major of `zram` in a `/proc/devices` text; `undefined` when the module is not loaded. */
function zramMajor(text: string | undefined, scanner: LineScanner): number | undefined {
  if (text === undefined) return undefined;
  scanner.reset(text);
  while (scanner.next()) {
    if (scanner.count < 2 || !scanner.is(1, "zram")) continue;
    const major = scanner.uint(0);
    return major > 0 ? major : undefined;
  }
  return undefined;
}

/** Word `i` as a number; 0 for a word that is not one, as 1.37's `str2ull` reads it. */
function number(scanner: LineScanner, i: number): number {
  const v = scanner.uint(i);
  return v === v ? v : 0;
}
