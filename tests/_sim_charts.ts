/**
 * What a simulated Netdata 1.37 child sends: the charts of a real child's capture (every chart's last
 * definition with all its dimensions) and the bytes of one iteration of them, with blanks for the values.
 * Used by tests/_sim_child.ts; the benchmarks and the hardening harness build their children from it.
 *
 * @example
 * ```ts
 * import { IterationTemplate, loadSimCharts } from "./tests/_sim_charts.ts";
 *
 * const charts = loadSimCharts({ count: 50 }); // system.cpu and system.load first
 * const template = new IterationTemplate(charts);
 * console.log(`${template.samples} SET lines, ${template.bytes.length} bytes per iteration`);
 * ```
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import {
  type ChartCommand,
  type ChartLabelCommand,
  type ChildCommand,
  ChildStreamDecoder,
  type DimensionCommand,
  encodeChildCommand,
  quote,
} from "../mod.ts";
import { fixturePath } from "./_fixtures.ts";

/** The real 1.37 child's capture the charts come from (308 charts in the full shared copy). */
export const SIM_CHARTS_FIXTURE = "netdata-1.37-child-stream.txt";

// Fixed widths make every iteration the same length, so bytes convert exactly to samples.
const COUNTER_DIGITS = 13;
const GAUGE_DIGITS = 6;

/**
 * One chart a simulated child defines and collects every iteration.
 *
 * @example
 * ```ts
 * const cpu: SimChart = loadSimCharts({ count: 1 })[0];
 * cpu.id; // "system.cpu"
 * ```
 */
export interface SimChart {
  readonly id: string;
  /** CHART, CLABELs, CLABEL_COMMIT and DIMENSIONs, each line with its `\n`; `CHART_DEFINITION_END` is added when sent. */
  readonly definition: string;
  readonly dimensions: readonly DimensionCommand[];
}

/**
 * Which charts {@link loadSimCharts} gives.
 *
 * @example
 * ```ts
 * const options: SimChartsOptions = { count: 2000, first: ["system.cpu"] };
 * ```
 */
export interface SimChartsOptions {
  /** A capture of a child's stream (default: {@link SIM_CHARTS_FIXTURE}, full shared copy when present). */
  readonly path?: string;
  /**
   * How many charts (default: all the capture holds). Fewer: the first `count` in the order below. More: the
   * capture's charts again under new ids (`<type>.<id>_<n>`), as many times as needed.
   */
  readonly count?: number;
  /** Chart ids put first, in this order (default `system.cpu`, `system.load`: what the watchers read). */
  readonly first?: readonly string[];
}

interface Building {
  chart: ChartCommand;
  labels: ChartLabelCommand[];
  dimensions: Map<string, DimensionCommand>;
}

/** Every chart's last definition in a capture, with the dimensions of all its definitions, obsolete ones left out. */
function chartsOfCapture(path: string): Building[] {
  const bytes = readFileSync(path);
  const headEnd = bytes.indexOf("\r\n\r\n");
  if (headEnd < 0) throw new Error(`${path}: expected a STREAM request head ending in a blank line, found none`);
  const charts = new Map<string, Building>();
  let current: Building | undefined;
  new ChildStreamDecoder(path).push(bytes.subarray(headEnd + 4), (cmd: ChildCommand) => {
    switch (cmd.kind) {
      case "CHART": {
        const known = charts.get(cmd.id);
        current = { chart: cmd, labels: [], dimensions: known?.dimensions ?? new Map() };
        charts.set(cmd.id, current);
        break;
      }
      case "CLABEL":
        current?.labels.push(cmd);
        break;
      case "DIMENSION":
        current?.dimensions.set(cmd.id, cmd);
        break;
      case "CHART_DEFINITION_END":
      case "BEGIN":
      case "RBEGIN":
        current = undefined;
        break;
    }
  });
  return [...charts.values()].filter(({ chart, dimensions }) =>
    !/\bobsolete\b/.test(chart.options) &&
    [...dimensions.values()].some((d) => !/\bobsolete\b/.test(d.options))
  );
}

function simChart(built: Building, copy: number): SimChart {
  const { chart, labels } = built;
  const dims = [...built.dimensions.values()].filter((d) => !/\bobsolete\b/.test(d.options));
  // A copy gets its own id and name; every chart is collected once per iteration (one second for the parent).
  const id = copy === 0 ? chart.id : `${chart.id}_${copy}`;
  const name = copy === 0 || chart.name === "" ? chart.name : `${chart.name}_${copy}`;
  const head = encodeChildCommand({ ...chart, id, name, updateEvery: 1 });
  const labelLines = labels.map(encodeChildCommand).join("") + (labels.length > 0 ? "CLABEL_COMMIT\n" : "");
  return { id, definition: head + labelLines + dims.map(encodeChildCommand).join(""), dimensions: dims };
}

/**
 * The charts a simulated child streams (see {@link SimChartsOptions}).
 *
 * @example
 * ```ts
 * loadSimCharts().length; // 308 with the full shared capture
 * loadSimCharts({ count: 1000 }).at(-1)!.id; // a copy, e.g. "disk_ops.vda_3"
 * ```
 */
export function loadSimCharts(options: SimChartsOptions = {}): SimChart[] {
  const path = options.path ?? fixturePath(SIM_CHARTS_FIXTURE);
  const built = chartsOfCapture(path);
  if (built.length === 0) throw new Error(`${path}: expected chart definitions, found none`);
  const first = options.first ?? ["system.cpu", "system.load"];
  const rank = (b: Building) => {
    const at = first.indexOf(b.chart.id);
    return at < 0 ? first.length : at;
  };
  const ordered = built.map((b, i) => ({ b, i })).sort((x, y) => rank(x.b) - rank(y.b) || x.i - y.i).map((x) => x.b);
  const count = options.count ?? ordered.length;
  return Array.from({ length: count }, (_, k) => simChart(ordered[k % ordered.length], Math.floor(k / ordered.length)));
}

/**
 * One iteration's bytes with blanks where the values go: every child copies it and writes its own digits
 * ({@link IterationTemplate.fill}), which costs far less than formatting ~1200 lines of text per iteration.
 *
 * @example
 * ```ts
 * const template = new IterationTemplate(loadSimCharts());
 * const values = template.initialValues();
 * socket.write(template.fill(values)); // BEGIN/SET…/END for every chart
 * ```
 */
export class IterationTemplate {
  readonly bytes: Buffer;
  /** End offset (exclusive) of each value's digits, in dimension order. */
  readonly valueEnds: Int32Array;
  /** 1 where the value is a growing counter (13 digits), 0 for a varying value (6 digits). */
  readonly counter: Uint8Array;
  /** `SET` lines per iteration. */
  readonly samples: number;

  constructor(charts: readonly SimChart[]) {
    const pieces: Buffer[] = [];
    const ends: number[] = [];
    const counter: number[] = [];
    let length = 0;
    const add = (text: string) => {
      const b = Buffer.from(text, "utf8");
      pieces.push(b);
      length += b.length;
    };
    for (const chart of charts) {
      add(`BEGIN ${quote(chart.id)} 1000000\n`);
      for (const dim of chart.dimensions) {
        const isCounter = dim.algorithm === "incremental" || dim.algorithm === "percentage-of-incremental-row";
        add(`SET ${quote(dim.id)} = ${"0".repeat(isCounter ? COUNTER_DIGITS : GAUGE_DIGITS)}`);
        ends.push(length);
        counter.push(isCounter ? 1 : 0);
        add("\n");
      }
      add("END\n");
    }
    this.bytes = Buffer.concat(pieces, length);
    this.valueEnds = Int32Array.from(ends);
    this.counter = Uint8Array.from(counter);
    this.samples = ends.length;
  }

  /** A child's starting values: counters at a random 13-digit start, the others 0 (each fill draws them anew). */
  initialValues(): Float64Array {
    const values = new Float64Array(this.samples);
    for (let i = 0; i < this.samples; i++) {
      values[i] = this.counter[i] ? 1e12 + Math.floor(Math.random() * 1e11) : 0;
    }
    return values;
  }

  /** The next iteration's bytes: counters in `values` grow by a random step, the others get a random 6-digit value. */
  fill(values: Float64Array): Buffer {
    const buf = Buffer.allocUnsafe(this.bytes.length);
    this.bytes.copy(buf);
    for (let i = 0; i < this.samples; i++) {
      if (this.counter[i]) {
        values[i] += Math.floor(Math.random() * 100_000);
        writeDigits(buf, this.valueEnds[i], COUNTER_DIGITS, values[i]);
      } else {
        writeDigits(buf, this.valueEnds[i], GAUGE_DIGITS, 100_000 + Math.floor(Math.random() * 900_000));
      }
    }
    return buf;
  }
}

/** Writes `value` as exactly `digits` decimal digits ending before `end` (it always fits, see the widths). */
function writeDigits(buf: Buffer, end: number, digits: number, value: number): void {
  for (let i = end - 1; i >= end - digits; i--) {
    const q = Math.floor(value / 10);
    buf[i] = 48 + value - q * 10;
    value = q;
  }
}
