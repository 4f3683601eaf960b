/**
 * `/proc/interrupts`: system.interrupts and one cpu.cpuN_interrupts per CPU, as Netdata 1.37 defines
 * them. The table logic (one counter per line per CPU column) is shared with `/proc/softirqs`.
 *
 * Like 1.37, an interrupt becomes a dimension only once its count is non-zero (system-wide, or on that
 * CPU for the per-CPU charts), a CPU's chart appears once any of its counts is non-zero, and numbered
 * interrupts are named `<device>_<number>` after the line's last word.
 *
 * @module
 */

import type { Chart, Dimension } from "../../metrics/chart.ts";
import { LABEL_SOURCE } from "../../protocol/commands.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart, type ProcChartSpec } from "./_chart.ts";
import { LineScanner } from "./_parse.ts";

const MAX_NAME = 50;

/**
 * What differs between the interrupt-like tables (`/proc/interrupts`, `/proc/softirqs`).
 *
 * @example
 * ```ts
 * const table: CounterTable = { module: "/proc/softirqs", system: { ... }, perCpu: { ... }, ... };
 * ```
 */
export interface CounterTable {
  readonly module: string;
  /** The system-wide chart. */
  readonly system: ProcChartSpec;
  /** The per-CPU chart, without id and priority. */
  readonly perCpu: Omit<ProcChartSpec, "id" | "priority">;
  /** Chart id suffix after `cpu.cpuN`, e.g. `_interrupts`. */
  readonly perCpuSuffix: string;
  /** Priority of CPU 0's chart; CPU N adds N. */
  readonly perCpuPriority: number;
  /** Whether numbered lines are named after their last word (`virtio0-input_34`). */
  readonly namedByDevice: boolean;
}

interface Counter {
  readonly id: string;
  name: string;
  lastWord: string;
  used: boolean;
  total: number;
  values: Float64Array;
  dim: Dimension | undefined;
  cpuDims: (Dimension | undefined)[];
}

function deviceName(device: string, id: string): string {
  const name = device.slice(0, MAX_NAME);
  if (name.length + 1 + id.length <= MAX_NAME) return `${name}_${id}`;
  return `${name.slice(0, MAX_NAME - id.length - 1)}_${id}`;
}

/**
 * A source for an interrupt-like table: a `CPU0 CPU1 …` header, then one line per counter.
 *
 * @example
 * ```ts
 * const source = counterTableSource(ctx, SOFTIRQS_TABLE);
 * source.collect(Date.now() * 1000);
 * ```
 */
export function counterTableSource(ctx: SourceContext, table: CounterTable): Source {
  const file = new ProcFile(rootPath(ctx.root, table.module));
  const s = new LineScanner(":");
  const host = ctx.host;
  const every = ctx.updateEvery;
  const byId = new Map<string, Counter>();
  // The counter each line held last time, so that an unchanged layout needs no string building.
  const byLine: (Counter | undefined)[] = [];
  // This read's counters, in file order.
  const order: Counter[] = [];
  let lines = 0;
  let system: Chart | undefined;
  const cores: (Chart | undefined)[] = [];
  let cpus = 0;

  function obsoleteCore(c: number): void {
    const chart = cores[c];
    if (chart !== undefined) host.obsolete(chart);
    cores[c] = undefined;
    for (const counter of byId.values()) counter.cpuDims[c] = undefined;
  }

  function obsoleteAll(): void {
    if (system !== undefined) host.obsolete(system);
    system = undefined;
    for (const counter of byId.values()) counter.dim = undefined;
    for (let c = 0; c < cores.length; c++) obsoleteCore(c);
  }

  function counterAt(line: number): Counter {
    const cached = byLine[line];
    if (cached !== undefined && s.wordIs(cached.id)) return cached;
    const id = s.word();
    let counter = byId.get(id);
    if (counter === undefined) {
      counter = {
        id,
        name: id,
        lastWord: "",
        used: false,
        total: 0,
        values: new Float64Array(Math.max(cpus, 1)),
        dim: undefined,
        cpuDims: [],
      };
      byId.set(id, counter);
    }
    byLine[line] = counter;
    return counter;
  }

  // Names a numbered line after its last word when it has a description after the CPU columns.
  function nameFromDevice(counter: Counter): void {
    if (s.wordsLeft() < 2) {
      counter.name = counter.id;
      return;
    }
    const text = s.text;
    let end = s.lineEnd;
    while (end > s.pos && s.isSeparator(text.charCodeAt(end - 1))) end--;
    let start = end;
    while (start > s.pos && !s.isSeparator(text.charCodeAt(start - 1))) start--;
    if (counter.lastWord.length === end - start && text.startsWith(counter.lastWord, start)) return;
    counter.lastWord = text.slice(start, end);
    counter.name = deviceName(counter.lastWord, counter.id);
  }

  return {
    name: table.module,
    updateEvery: every,
    collect(nowUs) {
      const text = file.read();
      let found = 0;
      if (text !== undefined) {
        s.reset(text);
        if (s.nextLine()) {
          while (s.hasWord()) {
            if (s.startsWith("CPU")) found++;
            s.skip();
          }
        }
      }
      if (found === 0) {
        obsoleteAll();
        throw new Error(file.lastError ?? `unexpected contents of ${file.path}: no CPU columns`);
      }
      let gone = "";
      if (found < cpus) {
        for (let c = found; c < cores.length; c++) {
          if (cores[c] !== undefined) gone += `${gone ? ", " : ""}${cores[c]!.id}`;
          obsoleteCore(c);
        }
      }
      cpus = found;

      lines = 0;
      for (const counter of byId.values()) counter.used = false;
      while (s.nextLine()) {
        if (!s.hasWord()) continue;
        const counter = counterAt(s.line);
        order[lines++] = counter;
        if (counter.values.length < cpus) counter.values = new Float64Array(cpus);
        const values = counter.values;
        let total = 0;
        for (let c = 0; c < cpus; c++) {
          const n = s.number();
          values[c] = Number.isNaN(n) ? 0 : n;
          total += values[c];
        }
        counter.total = total;
        counter.used = true;
        if (table.namedByDevice) {
          const first = counter.id.charCodeAt(0);
          if (first >= 48 && first <= 57) nameFromDevice(counter);
        }
      }

      system ??= procChart(host, table.module, every, table.system);
      for (let i = 0; i < lines; i++) {
        const counter = order[i];
        if (!counter.used || counter.total === 0) continue;
        if (counter.dim === undefined || counter.dim.name !== counter.name) {
          counter.dim = system.dimension(dim(counter.id, "incremental", 1, 1, { name: counter.name }));
        }
        counter.dim.set(counter.total);
      }
      host.collected(system, nowUs);

      for (let c = 0; c < cpus; c++) {
        let chart = cores[c];
        if (chart === undefined) {
          let sum = 0;
          for (let i = 0; i < lines; i++) sum += order[i].values[c];
          if (sum === 0) continue;
          chart = procChart(host, table.module, every, {
            ...table.perCpu,
            id: `cpu.cpu${c}${table.perCpuSuffix}`,
            priority: table.perCpuPriority + c,
          });
          chart.label("cpu", `cpu${c}`, LABEL_SOURCE.AUTO);
          cores[c] = chart;
        }
        for (let i = 0; i < lines; i++) {
          const counter = order[i];
          const value = counter.values[c];
          if (value === 0) continue;
          let d = counter.cpuDims[c];
          if (d === undefined || d.name !== counter.name) {
            d = chart.dimension(dim(counter.id, "incremental", 1, 1, { name: counter.name }));
            counter.cpuDims[c] = d;
          }
          d.set(value);
        }
        host.collected(chart, nowUs);
      }

      if (gone !== "") throw new Error(`${file.path} lost CPU columns; ${gone} marked obsolete`);
    },
    close() {
      file.close();
    },
  };
}

/**
 * The table definition of `/proc/interrupts`.
 *
 * @example
 * ```ts
 * counterTableSource(ctx, INTERRUPTS_TABLE);
 * ```
 */
export const INTERRUPTS_TABLE: CounterTable = {
  module: "/proc/interrupts",
  system: {
    id: "system.interrupts",
    title: "System interrupts",
    units: "interrupts/s",
    family: "interrupts",
    context: "system.interrupts",
    chartType: "stacked",
    priority: 1000,
  },
  perCpu: {
    title: "CPU Interrupts",
    units: "interrupts/s",
    family: "interrupts",
    context: "cpu.interrupts",
    chartType: "stacked",
  },
  perCpuSuffix: "_interrupts",
  perCpuPriority: 1100,
  namedByDevice: true,
};

/**
 * The /proc/interrupts source.
 *
 * @example
 * ```ts
 * const source = interruptsSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function interruptsSource(ctx: SourceContext): Source {
  return counterTableSource(ctx, INTERRUPTS_TABLE);
}
