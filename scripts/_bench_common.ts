/**
 * Helpers shared by the benchmarks that measure whole processes (scripts/bench_collector.ts,
 * scripts/bench_parent.ts): CPU time of a process tree read from Linux's `/proc`, and a sleep.
 *
 * @example
 * ```ts
 * import { sleep, treeCpu } from "./scripts/_bench_common.ts";
 *
 * const before = treeCpu(pid);
 * await sleep(1000);
 * console.log(`${(treeCpu(pid) - before).toFixed(2)} CPU s in the last second`);
 * ```
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { clockTicksPerSecond, descendants } from "./rss.ts";

/**
 * utime + stime + cutime + cstime of one process in seconds (so children it already reaped count), 0 when gone.
 *
 * @example
 * ```ts
 * ownAndReapedCpu(process.pid); // e.g. 0.42
 * ```
 */
export function ownAndReapedCpu(pid: number): number {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = text.slice(text.lastIndexOf(")") + 2).trim().split(" ");
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / clockTicksPerSecond();
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of a process tree: every living process, plus what their reaped children used.
 *
 * @example
 * ```ts
 * treeCpu(netdataPid); // the daemon, its spawn server and plugins together
 * ```
 */
export function treeCpu(pid: number): number {
  return [pid, ...descendants(pid)].reduce((sum, p) => sum + ownAndReapedCpu(p), 0);
}

/**
 * How many processes a tree has and their distinct names, e.g. `3 (netdata, apps.plugin)`.
 *
 * @example
 * ```ts
 * console.log(`netdata processes: ${processNames(pid)}`);
 * ```
 */
export function processNames(pid: number): string {
  const names = [pid, ...descendants(pid)].map((p) => {
    try {
      return readFileSync(`/proc/${p}/comm`, "utf8").trim();
    } catch {
      return undefined;
    }
  }).filter((n) => n !== undefined);
  return `${names.length} (${[...new Set(names)].join(", ")})`;
}

/**
 * Resolves after `ms` milliseconds (at once when `ms` is not positive).
 *
 * @example
 * ```ts
 * await sleep(deadline - Date.now());
 * ```
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
