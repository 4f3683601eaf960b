/**
 * Helpers shared by the benchmarks that measure whole processes (scripts/bench_collector.ts,
 * scripts/bench_parent.ts, scripts/bench_api_latency.ts, scripts/bench_proxy.ts): CPU time of a process tree
 * read from Linux's `/proc`, a sleep, a deadline, a median and percentiles, a time stamp that fits a stored
 * value, a text table and a command line to print.
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

/**
 * Waits for `promise` at most `ms` milliseconds: true when it settled in time. Its timer is cleared either
 * way, so a script does not linger after its work for a deadline that no longer matters.
 *
 * @example
 * ```ts
 * if (!await within(Promise.all(children.map((c) => c.start(port))), 60_000)) console.log("some did not connect");
 * ```
 */
export async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The median of some numbers (the lower middle one of an even count), NaN for none.
 *
 * @example
 * ```ts
 * median([30, 10, 20, 40]); // 20
 * ```
 */
export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * The `p`-th percentile by nearest rank: the smallest of the values with at least `p` % of them at or below
 * it (so the 50th is {@link median}), NaN for none.
 *
 * @example
 * ```ts
 * percentile([5, 1, 4, 2, 3], 95); // 5
 * percentile([5, 1, 4, 2, 3], 40); // 2
 * ```
 */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

const HOUR_MS = 3_600_000;

/**
 * The milliseconds since the start of the UTC hour of an epoch time in ms: a whole number under 3,600,000,
 * which a Netdata `storage_number` (24 bits of value) keeps exact, so a chart's value can say when it was sent.
 *
 * @example
 * ```ts
 * msWithinHour(Date.UTC(2024, 0, 1, 10, 2, 3, 456)); // 123456 (2 min 3.456 s into the hour)
 * ```
 */
export function msWithinHour(epochMs: number): number {
  return ((Math.floor(epochMs) % HOUR_MS) + HOUR_MS) % HOUR_MS;
}

/**
 * The lines of a text table: every column as wide as its widest cell, the first one left-aligned (names),
 * the others right-aligned (figures), two spaces between.
 *
 * @example
 * ```ts
 * for (const line of formatTable(["parent", "CPU s"], [["netdata", "1.20"], ["rill", "0.90"]])) console.log(line);
 * ```
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    widths.map((w, i) => i === 0 ? (cells[i] ?? "").padEnd(w) : (cells[i] ?? "").padStart(w)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * A command line as a shell would take it back: words with characters a shell reads specially are quoted.
 *
 * @example
 * ```ts
 * commandLine(["bun", "scripts/bench_proxy.ts", "--children", "10"]); // "bun scripts/bench_proxy.ts --children 10"
 * commandLine(["--rill", "bun src/cli/parent.ts"]); // "--rill 'bun src/cli/parent.ts'"
 * ```
 */
export function commandLine(words: readonly string[]): string {
  return words.map((w) => /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replaceAll("'", "'\\''")}'`).join(" ");
}
