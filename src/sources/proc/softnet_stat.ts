/**
 * `/proc/net/softnet_stat`: system.softnet_stat (all CPUs together) and one cpu.cpuN_softnet_stat chart per
 * line, as Netdata 1.37 makes them.
 *
 * Each line is one online CPU, its columns hexadecimal 32-bit counters. 1.37 charts five of them by position
 * (processed, dropped, squeezed, received_rps, flow_limit_count), only those the first line is wide enough
 * for, and numbers the per-CPU charts by line, not by CPU id. Its totals are 32-bit sums that wrap, which
 * the parent's incremental algorithm reads as an overflow; the totals here wrap the same way so that both
 * agree on every value.
 *
 * @module
 */

import type { Chart, DimensionSpec } from "../../metrics/chart.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";

const MODULE = "/proc/net/softnet_stat";
/** 1.37 reads at most this many lines and columns. */
const MAX_ROWS = 200, MAX_COLUMNS = 50;

/** The columns charted, by position, and their dimension ids. */
const COLUMNS: readonly (readonly [column: number, id: string])[] = [
  [0, "processed"],
  [1, "dropped"],
  [2, "squeezed"],
  [9, "received_rps"],
  [10, "flow_limit_count"],
];

const NL = 10, SPACE = 32, TAB = 9, CR = 13;

/**
 * Lines of whitespace-separated hexadecimal numbers (the /proc/net/stat tables), parsed straight from the
 * text into a reused array: no string is made.
 *
 * @example
 * ```ts
 * const t = new HexTable(4, 20);
 * t.parse("0000000a 00000001\n00000002 00000000\n");
 * t.rows; // 2
 * t.value(0, 0); // 10
 * t.words[1]; // 2
 * ```
 */
export class HexTable {
  /** Non-empty lines parsed. */
  rows = 0;
  /** Words on each parsed line (all of them, also beyond `maxColumns`). */
  words: Int32Array;
  #values: Float64Array;
  readonly #maxRows: number;
  readonly #maxColumns: number;

  /** Lines past `maxRows` are ignored; the arrays start small and grow with the lines seen. */
  constructor(maxRows: number, maxColumns: number) {
    this.#maxRows = maxRows;
    this.#maxColumns = maxColumns;
    const rows = Math.min(maxRows, 8);
    this.words = new Int32Array(rows);
    this.#values = new Float64Array(rows * maxColumns);
  }

  /** Number at `row`, `column`: NaN when that word is missing, not hexadecimal or past `maxColumns`. */
  value(row: number, column: number): number {
    return row < this.rows && column < this.words[row] && column < this.#maxColumns
      ? this.#values[row * this.#maxColumns + column]
      : NaN;
  }

  /** Parses `text`, skipping its first `skipLines` lines (a header) and empty lines. */
  parse(text: string, skipLines = 0): void {
    const n = text.length, maxColumns = this.#maxColumns;
    let i = 0, line = 0, rows = 0;
    while (i < n && rows < this.#maxRows) {
      if (rows === this.words.length) this.#grow();
      const values = this.#values;
      let words = 0;
      const base = rows * maxColumns;
      for (;;) {
        let c = i < n ? text.charCodeAt(i) : NL;
        while (c === SPACE || c === TAB || c === CR) c = ++i < n ? text.charCodeAt(i) : NL;
        if (c === NL) break;
        let v = 0;
        for (; i < n; i++) {
          c = text.charCodeAt(i);
          if (c === SPACE || c === TAB || c === CR || c === NL) break;
          const d = c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : -1;
          v = d < 0 || v !== v ? NaN : v * 16 + d;
        }
        if (words < maxColumns) values[base + words] = v;
        words++;
      }
      i++;
      if (line++ < skipLines || words === 0) continue;
      this.words[rows++] = words;
    }
    this.rows = rows;
  }

  #grow(): void {
    const rows = Math.min(this.#maxRows, this.words.length * 2);
    const words = new Int32Array(rows), values = new Float64Array(rows * this.#maxColumns);
    words.set(this.words);
    values.set(this.#values);
    this.words = words;
    this.#values = values;
  }
}

/**
 * The /proc/net/softnet_stat source.
 *
 * @example
 * ```ts
 * const source = softnetStatSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000); // system.softnet_stat, cpu.cpu0_softnet_stat, …
 * ```
 */
export function softnetStatSource(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, MODULE));
  const table = new HexTable(MAX_ROWS, MAX_COLUMNS);
  const totals = new Float64Array(COLUMNS.length);
  let system: Chart | undefined;
  const perCpu: Chart[] = [];
  /** How many of COLUMNS the charts were defined with. */
  let defined = 0;

  const obsoleteAll = (): void => {
    if (system !== undefined) ctx.host.obsolete(system);
    for (const c of perCpu) ctx.host.obsolete(c);
    system = undefined;
    perCpu.length = 0;
  };

  const dims = (count: number): DimensionSpec[] => COLUMNS.slice(0, count).map(([, id]) => dim(id, "incremental"));

  return {
    name: MODULE,
    updateEvery: ctx.updateEvery,
    collect(nowUs) {
      const text = file.read();
      if (text === undefined) {
        obsoleteAll();
        throw new Error(`${file.path}: ${file.lastError}`);
      }
      table.parse(text);
      const width = Math.min(table.rows > 0 ? table.words[0] : 0, MAX_COLUMNS);
      let count = 0;
      while (count < COLUMNS.length && COLUMNS[count][0] < width) count++;
      if (count < 3) {
        obsoleteAll();
        throw new Error(`unexpected contents of ${file.path}: '${text.slice(0, 80)}'`);
      }
      // Another width means other dimensions: define everything again.
      if (count !== defined) obsoleteAll();
      defined = count;

      totals.fill(0);
      for (let r = 0; r < table.rows; r++) {
        for (let d = 0; d < count; d++) {
          const v = table.value(r, COLUMNS[d][0]);
          // 1.37 adds in 32 bits.
          if (v === v) totals[d] = (totals[d] + v) % 4294967296;
        }
      }

      system ??= procChart(ctx.host, MODULE, ctx.updateEvery, {
        id: "system.softnet_stat",
        title: "System softnet_stat",
        units: "events/s",
        family: "softnet_stat",
        context: "system.softnet_stat",
        chartType: "line",
        priority: 955,
      }, dims(count));
      for (let d = 0; d < count; d++) system.dimensions[d].set(totals[d]);
      ctx.host.collected(system, nowUs);

      // A CPU gone offline takes its line, and the last chart, with it.
      while (perCpu.length > table.rows) ctx.host.obsolete(perCpu.pop()!);
      for (let r = 0; r < table.rows; r++) {
        let c = perCpu[r];
        if (c === undefined) {
          c = perCpu[r] = procChart(ctx.host, MODULE, ctx.updateEvery, {
            id: `cpu.cpu${r}_softnet_stat`,
            title: "CPU softnet_stat",
            units: "events/s",
            family: "softnet_stat",
            context: "cpu.softnet_stat",
            chartType: "line",
            priority: 4101 + r,
          }, dims(count));
        }
        for (let d = 0; d < count; d++) {
          const v = table.value(r, COLUMNS[d][0]);
          c.dimensions[d].set(v === v ? v : 0);
        }
        ctx.host.collected(c, nowUs);
      }
    },
    close() {
      file.close();
    },
  };
}
