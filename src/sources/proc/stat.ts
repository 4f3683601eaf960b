/**
 * `/proc/stat`: system.cpu and one cpu.cpuN per CPU (jiffies, as percentages of the row), system.intr,
 * system.ctxt, system.forks and system.processes, plus the `active_processors` host variable, all
 * defined as Netdata 1.37 defines them.
 *
 * @module
 */

import type { Chart, Dimension } from "../../metrics/chart.ts";
import { ProcFile } from "../../runtime/proc_file.ts";
import { rootPath, type Source, type SourceContext } from "../source.ts";
import { dim, procChart } from "./_chart.ts";
import { LineScanner } from "./_parse.ts";

const MODULE = "/proc/stat";
const PCT = "percentage-of-incremental-row";

// Dimensions in the order 1.37 defines them; `idle` is hidden.
const CPU_DIMS = [
  dim("guest_nice", PCT),
  dim("guest", PCT),
  dim("steal", PCT),
  dim("softirq", PCT),
  dim("irq", PCT),
  dim("user", PCT),
  dim("system", PCT),
  dim("nice", PCT),
  dim("iowait", PCT),
  dim("idle", PCT, 1, 1, { hidden: true }),
];
// Column of a cpu line (user nice system idle iowait irq softirq steal guest guest_nice) → dimension.
const COLUMN_TO_DIM = [5, 7, 6, 9, 8, 4, 3, 2, 1, 0];
const USER = 0, NICE = 1, GUEST = 8, GUEST_NICE = 9;

interface CpuRow {
  chart: Chart | undefined;
  dims: Dimension[];
  /** Seen in the current read. */
  seen: boolean;
}

/**
 * The /proc/stat source.
 *
 * @example
 * ```ts
 * const source = statSource({ host, root: "/", updateEvery: 1, log });
 * source.collect(Date.now() * 1000);
 * ```
 */
export function statSource(ctx: SourceContext): Source {
  const file = new ProcFile(rootPath(ctx.root, MODULE));
  const s = new LineScanner(":");
  const columns = new Float64Array(10);
  // Index 0 is the `cpu` total row, index N + 1 is `cpuN`.
  const rows: CpuRow[] = [];
  let intr: Chart | undefined;
  let ctxt: Chart | undefined;
  let forks: Chart | undefined;
  let processes: Chart | undefined;

  const every = ctx.updateEvery;
  const host = ctx.host;

  function cpuChart(index: number): CpuRow {
    let row = rows[index];
    if (row === undefined) {
      for (let i = rows.length; i <= index; i++) rows[i] = { chart: undefined, dims: [], seen: false };
      row = rows[index];
    }
    if (row.chart === undefined || row.chart.obsolete) {
      row.chart = index === 0
        ? procChart(host, MODULE, every, {
          id: "system.cpu",
          title: "Total CPU utilization",
          units: "percentage",
          family: "cpu",
          context: "system.cpu",
          chartType: "stacked",
          priority: 100,
        }, CPU_DIMS)
        : procChart(host, MODULE, every, {
          id: `cpu.cpu${index - 1}`,
          title: "Core utilization",
          units: "percentage",
          family: "utilization",
          context: "cpu.cpu",
          chartType: "stacked",
          priority: 1000 + index,
        }, CPU_DIMS);
      row.dims = row.chart.dimensions.slice(0, CPU_DIMS.length);
    }
    return row;
  }

  function obsoleteAll(): void {
    for (const row of rows) {
      if (row.chart !== undefined) host.obsolete(row.chart);
    }
    for (const chart of [intr, ctxt, forks, processes]) if (chart !== undefined) host.obsolete(chart);
    intr =
      ctxt =
      forks =
      processes =
        undefined;
  }

  return {
    name: MODULE,
    updateEvery: every,
    collect(nowUs) {
      const text = file.read();
      if (text === undefined) {
        obsoleteAll();
        throw new Error(file.lastError ?? `cannot read ${file.path}`);
      }
      s.reset(text);
      for (const row of rows) row.seen = false;
      let sawTotal = false;
      let badLine = "";
      let processCount = 0, running = 0, blocked = 0, intrCount = NaN, ctxtCount = NaN;
      let coresFound = 0;

      while (s.nextLine()) {
        if (s.startsWith("cpu")) {
          const lineStart = s.pos;
          s.pos += 3;
          let index = 0;
          if (s.pos < s.lineEnd && !s.isSeparator(text.charCodeAt(s.pos))) {
            const code = text.charCodeAt(s.pos);
            if (code < 48 || code > 57) continue; // not a cpu row
            index = s.number() + 1;
          }
          let i = 0;
          for (; i < 10; i++) {
            const v = s.number();
            if (Number.isNaN(v)) break;
            columns[i] = v;
          }
          if (i < 8) {
            badLine = text.slice(lineStart, Math.min(s.lineEnd, lineStart + 80));
            continue;
          }
          for (; i < 10; i++) columns[i] = 0;
          // The kernel counts guest time inside user (and guest_nice inside nice); 1.37 takes it out.
          columns[USER] = Math.max(0, columns[USER] - columns[GUEST]);
          columns[NICE] = Math.max(0, columns[NICE] - columns[GUEST_NICE]);
          if (index === 0) sawTotal = true;
          else coresFound = index;
          const row = cpuChart(index);
          row.seen = true;
          const dims = row.dims;
          for (let c = 0; c < 10; c++) dims[COLUMN_TO_DIM[c]].set(columns[c]);
          host.collected(row.chart!, nowUs);
        } else if (s.wordIs("intr")) {
          intrCount = s.number();
        } else if (s.wordIs("ctxt")) {
          ctxtCount = s.number();
        } else if (s.wordIs("processes")) {
          processCount = s.number();
        } else if (s.wordIs("procs_running")) {
          running = s.number();
        } else if (s.wordIs("procs_blocked")) {
          blocked = s.number();
        }
      }

      if (!sawTotal) {
        obsoleteAll();
        throw new Error(`unexpected contents of ${file.path}: no 'cpu' line`);
      }

      // A CPU that went offline takes its chart with it.
      const gone: string[] = [];
      for (let i = 1; i < rows.length; i++) {
        const row = rows[i];
        if (!row.seen && row.chart !== undefined && !row.chart.obsolete) {
          host.obsolete(row.chart);
          gone.push(row.chart.id);
        }
      }

      if (!Number.isNaN(intrCount)) {
        intr ??= procChart(host, MODULE, every, {
          id: "system.intr",
          title: "CPU Interrupts",
          units: "interrupts/s",
          family: "interrupts",
          context: "system.intr",
          chartType: "line",
          priority: 900,
          detail: true,
        }, [dim("interrupts", "incremental")]);
        intr.dimensions[0].set(intrCount);
        host.collected(intr, nowUs);
      }
      if (!Number.isNaN(ctxtCount)) {
        ctxt ??= procChart(host, MODULE, every, {
          id: "system.ctxt",
          title: "CPU Context Switches",
          units: "context switches/s",
          family: "processes",
          context: "system.ctxt",
          chartType: "line",
          priority: 800,
        }, [dim("switches", "incremental")]);
        ctxt.dimensions[0].set(ctxtCount);
        host.collected(ctxt, nowUs);
      }

      forks ??= procChart(host, MODULE, every, {
        id: "system.forks",
        title: "Started Processes",
        units: "processes/s",
        family: "processes",
        context: "system.forks",
        chartType: "line",
        priority: 700,
        detail: true,
      }, [dim("started", "incremental")]);
      forks.dimensions[0].set(processCount);
      host.collected(forks, nowUs);

      processes ??= procChart(host, MODULE, every, {
        id: "system.processes",
        title: "System Processes",
        units: "processes",
        family: "processes",
        context: "system.processes",
        chartType: "line",
        priority: 600,
      }, [dim("running", "absolute"), dim("blocked", "absolute", -1)]);
      processes.dimensions[0].set(running);
      processes.dimensions[1].set(blocked);
      host.collected(processes, nowUs);

      if (coresFound > 0 && host.variables.get("active_processors") !== coresFound) {
        host.variable("active_processors", coresFound);
      }

      if (gone.length > 0) {
        throw new Error(`${file.path} no longer lists ${gone.join(", ")}: marked obsolete`);
      }
      if (badLine !== "") throw new Error(`unexpected contents of ${file.path}: '${badLine}'`);
    },
    close() {
      file.close();
    },
  };
}
