/**
 * The `/api/v1/data` answer printed in Netdata 1.37's `json`, `csv`, `tsv`, `ssv`, `ssvcomma` and `array`
 * formats, optionally wrapped (`options=jsonwrap`). Printing pauses between rows when the request's budget
 * says so: a wide chart at 86,400 points is a lot of text.
 *
 * @module
 */

import type { Chart } from "../../../metrics/chart.ts";
import { formatTimestamp } from "../../../runtime/log.ts";
import type { ChartSeries } from "../../storage/series.ts";
import { roundHalfEven } from "../../../metrics/storage_number.ts";
import type { TextSink } from "../body.ts";
import type { RequestBudget } from "./budget.ts";
import { tableField } from "./escape.ts";
import type { GroupMethod, Rows } from "./rows.ts";

/**
 * A value as 1.37's `print_netdata_double` prints it: a `-` for a negative value, the integral part, and
 * the fractional part times 10⁷ rounded half to even (`llrint`), as up to 7 decimals without trailing
 * zeros. The rounding is done on the double product, not on the exact decimal value, so a fraction that
 * is a hair below ½ of the 7th decimal can still round up (0.24752475 → 0.2475248), exactly as the real
 * parent prints it; a tiny negative value prints `-0`.
 *
 * @example
 * ```ts
 * formatValue(0.49504950495); // "0.4950495"
 * formatValue(2.5380710); // "2.538071"
 * formatValue(0.4950495 / 2); // "0.2475248"
 * formatValue(-0.00000001); // "-0"
 * ```
 */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return "null";
  const sign = value < 0 ? "-" : "";
  const magnitude = Math.abs(value);
  let integral = Math.trunc(magnitude);
  let fraction = roundHalfEven((magnitude - integral) * 10_000_000);
  if (fraction >= 10_000_000) {
    integral += 1;
    fraction -= 10_000_000;
  }
  // Integral parts beyond 2⁵³ are printed as the exact integer the double holds, as C's conversion does.
  const whole = integral < Number.MAX_SAFE_INTEGER ? String(integral) : BigInt(integral).toString();
  if (fraction === 0) return sign + whole;
  let digits = String(fraction).padStart(7, "0");
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 48) end--; // trailing '0'
  digits = digits.slice(0, end);
  return `${sign}${whole}.${digits}`;
}

/** The row printed `k`-th: newest first unless `flip`. */
function rowAt(rows: Rows, k: number, flip: boolean): number {
  return flip ? k : rows.window.points - 1 - k;
}

function rowTime(rows: Rows, row: number): number {
  const w = rows.window;
  return w.after + ((row + 1) * w.group - 1) * w.granularity;
}

function cell(value: number, options: ReadonlySet<string>): string {
  return Number.isNaN(value) ? (options.has("null2zero") ? "0" : "null") : formatValue(value);
}

/**
 * `format=json`: 1.37's exact layout (see `fixtures/api/child-api-v1-data-system.cpu.json`), added to `out`.
 *
 * @example
 * ```ts
 * const body = new BodyBuilder();
 * await jsonRows(rows, new Set(["ms"]), body, budget);
 * ```
 */
export async function jsonRows(
  rows: Rows,
  options: ReadonlySet<string>,
  out: TextSink,
  budget: RequestBudget,
): Promise<void> {
  const objects = options.has("objectrows");
  const ms = options.has("ms") ? "000" : "";
  const flip = options.has("flip");
  const d = rows.dims.length;
  const names = rows.dims.map((dim) => JSON.stringify(dim.name));
  let head = '{\n "labels": ["time"';
  for (let c = 0; c < d; c++) if (rows.visible[c]) head += `,${names[c]}`;
  out.add(`${head}],\n    "data":\n [\n`);
  for (let k = 0; k < rows.window.points; k++) {
    if (budget.due()) await budget.pause();
    const row = rowAt(rows, k, flip);
    let line = k > 0 ? ",\n" : "";
    line += objects ? ` { "time": ${rowTime(rows, row)}${ms}` : ` [ ${rowTime(rows, row)}${ms}`;
    for (let c = 0; c < d; c++) {
      if (!rows.visible[c]) continue;
      line += objects ? `,${names[c]}: ` : ",";
      line += cell(rows.values[row * d + c], options);
    }
    out.add(objects ? `${line}}` : `${line}]`);
  }
  out.add("\n]\n}");
}

/**
 * `format=csv|tsv`: a header line (names escaped for the format, see {@link tableField}), then one line
 * per row, added to `out`; times as local date-times unless `seconds`/`ms`.
 *
 * @example
 * ```ts
 * await csvRows(rows, new Set(["seconds"]), ",", "\r\n", body, budget);
 * ```
 */
export async function csvRows(
  rows: Rows,
  options: ReadonlySet<string>,
  separator: "," | "\t",
  eol: string,
  out: TextSink,
  budget: RequestBudget,
): Promise<void> {
  const d = rows.dims.length;
  let head = "time";
  for (let c = 0; c < d; c++) if (rows.visible[c]) head += separator + tableField(rows.dims[c].name, separator);
  out.add(head + eol);
  const flip = options.has("flip");
  for (let k = 0; k < rows.window.points; k++) {
    if (budget.due()) await budget.pause();
    const row = rowAt(rows, k, flip);
    const t = rowTime(rows, row);
    let line = options.has("ms") ? `${t}000` : options.has("seconds") ? `${t}` : formatTimestamp(t * 1000);
    for (let c = 0; c < d; c++) if (rows.visible[c]) line += separator + cell(rows.values[row * d + c], options);
    out.add(line + eol);
  }
}

/**
 * `format=ssv|ssvcomma|array`: per row, the sum of the shown dimensions (`null` when all are empty), added to `out`.
 *
 * @example
 * ```ts
 * await sumRows(rows, new Set(), "array", body, budget); // "[1.5,2]"
 * ```
 */
export async function sumRows(
  rows: Rows,
  options: ReadonlySet<string>,
  format: string,
  out: TextSink,
  budget: RequestBudget,
): Promise<void> {
  const d = rows.dims.length;
  const flip = options.has("flip");
  const separator = format === "ssv" ? " " : ",";
  if (format === "array") out.add("[");
  for (let k = 0; k < rows.window.points; k++) {
    if (budget.due()) await budget.pause();
    out.add((k > 0 ? separator : "") + cell(rowSum(rows, rowAt(rows, k, flip), d), options));
  }
  if (format === "array") out.add("]");
}

function rowSum(rows: Rows, row: number, d: number): number {
  let sum = NaN;
  for (let c = 0; c < d; c++) {
    const v = rows.values[row * d + c];
    if (rows.visible[c] && !Number.isNaN(v)) sum = Number.isNaN(sum) ? v : sum + v;
  }
  return sum;
}

/**
 * `options=jsonwrap`: the query's facts around the result, in 1.37's field order: `head` ends where the
 * result's text goes (after `"result": `), `tail` follows it.
 *
 * @example
 * ```ts
 * const { head, tail } = jsonWrap(chart, series, rows, { group: "average", options, format: "json" });
 * body.add(head);
 * await jsonRows(rows, options, body, budget);
 * body.add(tail);
 * ```
 */
export function jsonWrap(
  chart: Chart,
  series: ChartSeries | undefined,
  rows: Rows,
  q: { group: GroupMethod; options: ReadonlySet<string>; format: string },
): { head: string; tail: string } {
  const w = rows.window;
  const d = rows.dims.length;
  const shown = rows.dims.filter((_, c) => rows.visible[c]);
  const last = series?.lastTimeS() ?? 0;
  const latest = series === undefined || last === 0
    ? shown.map(() => NaN)
    : Array.from(series.read(shown.map((dim) => dim.id), last, last).columns, (col) =>
      col.length > 0 ? col[col.length - 1] : NaN);
  const newest = w.points - 1;
  const viewLatest = rows.dims.flatMap((_, c) =>
    rows.visible[c] ? [newest < 0 ? NaN : rows.values[newest * d + c]] : []
  );
  let min = Infinity;
  let max = -Infinity;
  const sums = q.format === "ssv" || q.format === "ssvcomma" || q.format === "array";
  for (let row = 0; row < w.points; row++) {
    if (sums) {
      const v = rowSum(rows, row, d);
      if (!Number.isNaN(v)) [min, max] = [Math.min(min, v), Math.max(max, v)];
      continue;
    }
    for (let c = 0; c < d; c++) {
      const v = rows.values[row * d + c];
      if (rows.visible[c] && !Number.isNaN(v)) [min, max] = [Math.min(min, v), Math.max(max, v)];
    }
  }
  const list = (values: readonly number[]) => `[${values.map((v) => cell(v, q.options)).join(", ")}]`;
  const head = "{\n" +
    '   "api": 1,\n' +
    `   "id": ${JSON.stringify(chart.id)},\n` +
    `   "name": ${JSON.stringify(chart.name)},\n` +
    `   "view_update_every": ${w.group * w.granularity},\n` +
    `   "update_every": ${series?.updateEvery ?? chart.updateEvery},\n` +
    `   "first_entry": ${series?.firstTimeS() ?? 0},\n` +
    `   "last_entry": ${last},\n` +
    `   "before": ${w.before},\n` +
    `   "after": ${w.after},\n` +
    `   "group": "${q.group}",\n` +
    `   "options": ${JSON.stringify([...q.options].join(","))},\n` +
    `   "dimension_names": [${shown.map((dim) => JSON.stringify(dim.name)).join(", ")}],\n` +
    `   "dimension_ids": [${shown.map((dim) => JSON.stringify(dim.id)).join(", ")}],\n` +
    `   "latest_values": ${list(latest)},\n` +
    `   "view_latest_values": ${list(viewLatest)},\n` +
    `   "dimensions": ${shown.length},\n` +
    `   "points": ${w.points},\n` +
    `   "format": "${q.format}",\n` +
    '   "result": ';
  const tail = ",\n" +
    ` "min": ${min === Infinity ? "null" : formatValue(min)},\n` +
    ` "max": ${max === -Infinity ? "null" : formatValue(max)}\n` +
    "}";
  return { head, tail };
}
