/**
 * Memory and CPU figures of a process, and of a process with all its descendants, read from Linux's `/proc`
 * (for benchmarks and tests; Deno and Bun alike).
 *
 * @example
 * ```ts
 * import { cpuSeconds, treeRssKb, vmRssKb } from "./scripts/rss.ts";
 *
 * console.log(`rss ${vmRssKb(process.pid)} kB, cpu ${cpuSeconds(process.pid).toFixed(2)} s`);
 * console.log(`with children: ${treeRssKb(process.pid)} kB`);
 * ```
 *
 * @module
 */

import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

let clockTicks: number | undefined;

/** `getconf CLK_TCK` (the unit of the CPU times in `/proc/<pid>/stat`), read once; 100 when getconf is missing. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined; // the process is gone (or never was)
  }
}

/** The fields of `/proc/<pid>/stat` after the command name (field 3, the state, is index 0); undefined if gone. */
function statFields(pid: number): string[] | undefined {
  const text = readProc(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  // The command name (field 2) is in parentheses and may hold spaces or ")": cut at the last ")".
  return text.slice(text.lastIndexOf(")") + 2).trim().split(" ");
}

/**
 * The resident set size of a process in kB (`VmRSS` of `/proc/<pid>/status`), or undefined when the process is
 * gone. Kernel threads, which have no `VmRSS`, count 0.
 */
export function vmRssKb(pid: number): number | undefined {
  const text = readProc(`/proc/${pid}/status`);
  if (text === undefined) return undefined;
  const match = /^VmRSS:\s+(\d+) kB/m.exec(text);
  return match ? Number(match[1]) : 0;
}

/** VmRSS, RssAnon and RssFile of a process in kB (`/proc/<pid>/status`), or undefined when it is gone. */
export function rssSplitKb(pid: number): { vmRss: number; anon: number; file: number } | undefined {
  const text = readProc(`/proc/${pid}/status`);
  if (text === undefined) return undefined;
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? 0);
  return { vmRss: field("VmRSS"), anon: field("RssAnon"), file: field("RssFile") };
}

/** User plus system CPU seconds a process has used (`utime + stime` of `/proc/<pid>/stat`), or undefined if gone. */
export function cpuSeconds(pid: number): number | undefined {
  const f = statFields(pid);
  if (f === undefined) return undefined;
  return (Number(f[11]) + Number(f[12])) / clockTicksPerSecond(); // fields 14 and 15
}

/** The parent PID of a process (field 4 of `/proc/<pid>/stat`), or undefined if gone. */
export function parentPid(pid: number): number | undefined {
  const f = statFields(pid);
  return f === undefined ? undefined : Number(f[1]);
}

/** The PIDs of all descendants of a process (children, grandchildren, …), found through the parent links. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const parent = parentPid(Number(name));
    if (parent === undefined) continue;
    const list = children.get(parent);
    if (list) list.push(Number(name));
    else children.set(parent, [Number(name)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Sum of `VmRSS` (kB) of a process and all its descendants (shared pages count once per process). */
export function treeRssKb(pid: number): number | undefined {
  const own = vmRssKb(pid);
  if (own === undefined) return undefined;
  return descendants(pid).reduce((sum, p) => sum + (vmRssKb(p) ?? 0), own);
}

/** CPU seconds of a process and all its living descendants (children already reaped are not counted). */
export function treeCpuSeconds(pid: number): number | undefined {
  const own = cpuSeconds(pid);
  if (own === undefined) return undefined;
  return descendants(pid).reduce((sum, p) => sum + (cpuSeconds(p) ?? 0), own);
}
