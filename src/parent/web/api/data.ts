/**
 * `/api/v1/data`: stored points of one chart, grouped into rows as Netdata 1.37's query engine does, and
 * printed in its `json`, `csv`, `tsv`, `ssv`, `ssvcomma` and `array` formats, optionally wrapped
 * (`options=jsonwrap`).
 *
 * The window follows 1.37's rules: `after`/`before` up to three years in magnitude are relative (`before`
 * to now, `after` to `before`, one second added so that `after=-10` gives 10 points), `before=0` means
 * the chart's last entry, a window in the future is shifted back to now, and (unless `unaligned`) the
 * rows sit on a grid of `group × update_every` seconds. A row carries the time of its last slot.
 *
 * @module
 */

import type { Chart, Dimension } from "../../../metrics/chart.ts";
import { formatTimestamp } from "../../../runtime/log.ts";
import type { ChartSeries } from "../../storage/series.ts";
import { roundHalfEven } from "../../storage/storage_number.ts";
import { HttpError, type HttpResponse } from "../http.ts";
import type { ApiContext, ApiRequest } from "./context.ts";
import { integerParam, listParam, requireChart } from "./context.ts";

// 1.37's API_RELATIVE_TIME_MAX: values up to three years are relative.
const RELATIVE_TIME_MAX = 3 * 365 * 86400;
const MAX_POINTS = 86400;

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

/**
 * The rows a query produces: `points` rows of `group` slots each, `granularity` seconds per slot.
 *
 * @example
 * ```ts
 * const w: QueryWindow = { after: 1795423095, before: 1795423104, points: 10, group: 1, granularity: 1 };
 * ```
 */
export interface QueryWindow {
  /** First slot, epoch seconds. */
  readonly after: number;
  /** Last slot (the time of the newest row), epoch seconds. */
  readonly before: number;
  readonly points: number;
  readonly group: number;
  readonly granularity: number;
}

/**
 * Resolves the requested `after`/`before`/`points` against the stored range and the clock into the rows
 * to produce, by 1.37's rules (see the module text); `undefined` when nothing is stored.
 *
 * @example
 * ```ts
 * queryWindow({ after: -10, before: 0, points: 5, aligned: true }, { first: 1000, last: 1100, updateEvery: 1 }, 1101);
 * // { after: 1091, before: 1100, points: 5, group: 2, granularity: 1 }
 * ```
 */
export function queryWindow(
  request: { readonly after: number; readonly before: number; readonly points: number; readonly aligned: boolean },
  db: { readonly first: number; readonly last: number; readonly updateEvery: number },
  nowS: number,
): QueryWindow | undefined {
  if (db.first === 0 || db.last === 0) return undefined;
  let after = request.after;
  let before = request.before;
  let points = request.points;
  const automaticPoints = points === 0;
  const granularity = Math.max(1, db.updateEvery);
  let beforeIsDbEnd = false;
  if (after === 0) after = db.first;
  if (before === 0) {
    before = db.last;
    beforeIsDbEnd = true;
  }

  // Relative to absolute, as 1.37's rrdr_relative_window_to_absolute().
  const now = nowS - 1;
  if (Math.abs(before) <= RELATIVE_TIME_MAX) before = now - Math.abs(before);
  if (Math.abs(after) <= RELATIVE_TIME_MAX) after = before - Math.abs(after) + 1;
  if (after > before) [after, before] = [before, after];
  if (before > now) {
    after -= before - now;
    before = now;
  }

  before -= before % granularity;
  after -= after % granularity;
  if (automaticPoints) points = Math.max(1, Math.floor((before - after + 1) / granularity));
  const duration = before - after;
  const available = Math.max(1, Math.floor((duration + 1) / granularity));
  points = Math.min(points, available, MAX_POINTS);
  let group = Math.max(1, Math.floor(available / points));
  if (available % points > Math.floor(points / 2)) group++;
  if (points * group * granularity < duration) {
    points = Math.max(1, Math.ceil(available / group));
  }
  const span = group * granularity;
  if (request.aligned && before % span !== 0) before += beforeIsDbEnd ? -(before % span) : span - (before % span);
  return { after: before - points * span + granularity, before, points, group, granularity };
}

/**
 * How slots of a group combine into a row's value. `min`/`max` compare absolute values, as 1.37 does.
 *
 * @example
 * ```ts
 * const g: GroupMethod = "average";
 * ```
 */
export type GroupMethod = "average" | "min" | "max" | "sum";

const GROUP_METHODS: Readonly<Record<string, GroupMethod>> = {
  average: "average",
  avg: "average",
  mean: "average",
  min: "min",
  max: "max",
  sum: "sum",
};

const FORMATS = new Set(["json", "csv", "tsv", "ssv", "ssvcomma", "array"]);

/** The options this endpoint honours, by every name 1.37 accepts for them. */
const OPTION_NAMES: Readonly<Record<string, string>> = {
  jsonwrap: "jsonwrap",
  nonzero: "nonzero",
  flip: "flip",
  reversed: "flip",
  reverse: "flip",
  abs: "abs",
  absolute: "abs",
  absolute_sum: "abs",
  "absolute-sum": "abs",
  null2zero: "null2zero",
  seconds: "seconds",
  milliseconds: "ms",
  ms: "ms",
  unaligned: "unaligned",
  objectrows: "objectrows",
  percentage: "percentage",
  "match-ids": "match-ids",
  "match_ids": "match-ids",
  "match-names": "match-names",
  "match_names": "match-names",
};

/** The grouped rows of a query: `values[row * dims + c]`, `NaN` for an empty group; oldest row first. */
interface Rows {
  readonly window: QueryWindow;
  readonly dims: readonly Dimension[];
  /** Per dimension, shown in the output (selected, and non-zero when `nonzero`). */
  readonly visible: boolean[];
  readonly values: Float64Array;
}

/**
 * Answers `/api/v1/data`.
 *
 * @example
 * ```ts
 * dataReply(ctx, { entry, params: new URLSearchParams("chart=system.load&after=-5"), remoteIp: "localhost" }).body;
 * ```
 */
export function dataReply(ctx: ApiContext, req: ApiRequest): HttpResponse {
  const chart = requireChart(req);
  const p = req.params;
  const groupName = p.get("group") || "average";
  const group = GROUP_METHODS[groupName];
  if (group === undefined) {
    throw new HttpError(400, `Unsupported group method '${groupName}': expected average, min, max or sum`);
  }
  const format = p.get("format") || "json";
  if (!FORMATS.has(format)) {
    throw new HttpError(400, `Unsupported format '${format}': expected one of ${[...FORMATS].join(", ")}`);
  }
  const options = new Set<string>();
  for (const word of listParam(p, "options")) {
    const name = OPTION_NAMES[word];
    if (name !== undefined) options.add(name);
  }
  const after = integerParam(p, "after", -600);
  const before = integerParam(p, "before", 0);
  const points = integerParam(p, "points", 0);
  if (points < 0) throw new HttpError(400, `Invalid value of parameter 'points': expected 0 or more, found ${points}`);

  const series = req.entry.series.series(chart.id);
  const { dims, selected } = selectDimensions(chart, listParam(p, "dimensions", /[|,]/), options);
  const window = series === undefined ? undefined : queryWindow(
    { after, before, points, aligned: !options.has("unaligned") },
    { first: series.firstTimeS(), last: series.lastTimeS(), updateEvery: series.updateEvery },
    Math.floor(ctx.nowMs() / 1000),
  );
  const rows = window === undefined || series === undefined
    ? {
      window: { after: 0, before: 0, points: 0, group: 1, granularity: 1 },
      dims,
      visible: selected,
      values: new Float64Array(0),
    }
    : groupRows(series, window, dims, selected, group, options.has("percentage"));
  if (options.has("nonzero")) hideAllZero(rows);
  transformValues(rows, options);

  const wrap = options.has("jsonwrap");
  const result = format === "json"
    ? jsonRows(rows, options)
    : format === "csv" || format === "tsv"
    ? csvRows(rows, options, format === "csv" ? "," : "\t", wrap ? "\n" : "\r\n")
    : sumRows(rows, options, format);
  if (!wrap) {
    return {
      status: 200,
      contentType: format === "json" || format === "array"
        ? "application/json; charset=utf-8"
        : "text/plain; charset=utf-8",
      body: result,
    };
  }
  const raw = format === "json" || format === "array";
  return {
    status: 200,
    contentType: "application/json; charset=utf-8",
    body: jsonWrap(chart, series, rows, { group, options, format, result: raw ? result : JSON.stringify(result) }),
  };
}

/**
 * The dimensions a query reads, in chart order, and which of them are selected for output: those
 * `dimensions=` names (by id or name, `*` wildcards, `!` to exclude), else every one not hidden.
 */
function selectDimensions(
  chart: Chart,
  wanted: readonly string[],
  options: ReadonlySet<string>,
): { dims: Dimension[]; selected: boolean[] } {
  const dims = chart.dimensions.filter((d) => !d.obsolete);
  if (wanted.length === 0) return { dims, selected: dims.map((d) => !d.hidden) };
  const byIds = !options.has("match-names") || options.has("match-ids");
  const byNames = !options.has("match-ids") || options.has("match-names");
  const patterns = wanted.map((w) => {
    const negative = w.startsWith("!");
    const body = negative ? w.slice(1) : w;
    const re = new RegExp(`^${body.split("*").map((s) => s.replace(/[.+?^${}()[\]\\|]/g, "\\$&")).join(".*")}$`);
    return { negative, re };
  });
  const selected = dims.map((d) => {
    for (const { negative, re } of patterns) {
      if ((byIds && re.test(d.id)) || (byNames && re.test(d.name))) return !negative;
    }
    return false;
  });
  if (!selected.includes(true)) throw new HttpError(404, "No metrics where matched to query.");
  return { dims, selected };
}

/** Reads the window once and folds each group of slots into one value per dimension. */
function groupRows(
  series: ChartSeries,
  window: QueryWindow,
  dims: readonly Dimension[],
  selected: boolean[],
  method: GroupMethod,
  needAll: boolean,
): Rows {
  // Unselected dimensions only matter as part of a percentage's row total.
  const readIdx: number[] = [];
  for (let c = 0; c < dims.length; c++) if (needAll || selected[c]) readIdx.push(c);
  const stored = series.read(readIdx.map((c) => dims[c].id), window.after, window.before);
  const d = dims.length;
  const values = new Float64Array(window.points * d).fill(NaN);
  const t0 = stored.times.length > 0 ? stored.times[0] : 0;
  const step = series.updateEvery;
  for (let k = 0; k < readIdx.length; k++) {
    const column = stored.columns[k];
    const c = readIdx[k];
    for (let row = 0; row < window.points; row++) {
      let acc = NaN;
      let count = 0;
      for (let s = 0; s < window.group; s++) {
        const t = window.after + (row * window.group + s) * window.granularity;
        const i = (t - t0) / step;
        if (i < 0 || i >= stored.times.length || stored.times[i] !== t) continue;
        const v = column[i];
        if (Number.isNaN(v)) continue;
        if (count === 0) acc = v;
        else if (method === "average" || method === "sum") acc += v;
        else if (method === "min" ? Math.abs(v) < Math.abs(acc) : Math.abs(v) > Math.abs(acc)) acc = v;
        count++;
      }
      values[row * d + c] = method === "average" && count > 0 ? acc / count : acc;
    }
  }
  return { window, dims, visible: selected, values };
}

/** `nonzero`: hides the shown dimensions whose every value is zero or empty. */
function hideAllZero(rows: Rows): void {
  const d = rows.dims.length;
  for (let c = 0; c < d; c++) {
    if (!rows.visible[c]) continue;
    let nonzero = false;
    for (let i = c; i < rows.values.length && !nonzero; i += d) {
      nonzero = rows.values[i] !== 0 && !Number.isNaN(rows.values[i]);
    }
    rows.visible[c] = nonzero;
  }
}

/** `abs` and `percentage` (each value's share of its row's total over all dimensions, hidden ones too). */
function transformValues(rows: Rows, options: ReadonlySet<string>): void {
  const abs = options.has("abs");
  const percentage = options.has("percentage");
  if (!abs && !percentage) return;
  const d = rows.dims.length;
  const v = rows.values;
  for (let base = 0; base < v.length; base += d) {
    let total = 0;
    for (let c = 0; c < d; c++) {
      if (abs && v[base + c] < 0) v[base + c] = -v[base + c];
      if (!Number.isNaN(v[base + c])) total += v[base + c];
    }
    if (!percentage) continue;
    if (total === 0) total = 1;
    for (let c = 0; c < d; c++) v[base + c] = v[base + c] * 100 / total;
  }
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

/** `format=json`: 1.37's exact layout (see `fixtures/api/child-api-v1-data-system.cpu.json`). */
function jsonRows(rows: Rows, options: ReadonlySet<string>): string {
  const objects = options.has("objectrows");
  const ms = options.has("ms") ? "000" : "";
  const flip = options.has("flip");
  const d = rows.dims.length;
  const names = rows.dims.map((dim) => JSON.stringify(dim.name));
  let out = '{\n "labels": ["time"';
  for (let c = 0; c < d; c++) if (rows.visible[c]) out += `,${names[c]}`;
  out += '],\n    "data":\n [\n';
  for (let k = 0; k < rows.window.points; k++) {
    const row = rowAt(rows, k, flip);
    if (k > 0) out += ",\n";
    out += objects ? ` { "time": ${rowTime(rows, row)}${ms}` : ` [ ${rowTime(rows, row)}${ms}`;
    for (let c = 0; c < d; c++) {
      if (!rows.visible[c]) continue;
      out += objects ? `,${names[c]}: ` : ",";
      out += cell(rows.values[row * d + c], options);
    }
    out += objects ? "}" : "]";
  }
  return `${out}\n]\n}`;
}

/** `format=csv|tsv`: a header line, then one line per row; times as local date-times unless `seconds`/`ms`. */
function csvRows(rows: Rows, options: ReadonlySet<string>, separator: string, eol: string): string {
  const d = rows.dims.length;
  let out = "time";
  for (let c = 0; c < d; c++) if (rows.visible[c]) out += separator + rows.dims[c].name;
  out += eol;
  const flip = options.has("flip");
  for (let k = 0; k < rows.window.points; k++) {
    const row = rowAt(rows, k, flip);
    const t = rowTime(rows, row);
    out += options.has("ms") ? `${t}000` : options.has("seconds") ? `${t}` : formatTimestamp(t * 1000);
    for (let c = 0; c < d; c++) if (rows.visible[c]) out += separator + cell(rows.values[row * d + c], options);
    out += eol;
  }
  return out;
}

/** `format=ssv|ssvcomma|array`: per row, the sum of the shown dimensions (`null` when all are empty). */
function sumRows(rows: Rows, options: ReadonlySet<string>, format: string): string {
  const d = rows.dims.length;
  const flip = options.has("flip");
  const separator = format === "ssv" ? " " : ",";
  let out = "";
  for (let k = 0; k < rows.window.points; k++) {
    out += (k > 0 ? separator : "") + cell(rowSum(rows, rowAt(rows, k, flip), d), options);
  }
  return format === "array" ? `[${out}]` : out;
}

function rowSum(rows: Rows, row: number, d: number): number {
  let sum = NaN;
  for (let c = 0; c < d; c++) {
    const v = rows.values[row * d + c];
    if (rows.visible[c] && !Number.isNaN(v)) sum = Number.isNaN(sum) ? v : sum + v;
  }
  return sum;
}

/** `options=jsonwrap`: the result with the query's facts around it, in 1.37's field order. */
function jsonWrap(
  chart: Chart,
  series: ChartSeries | undefined,
  rows: Rows,
  q: { group: GroupMethod; options: ReadonlySet<string>; format: string; result: string },
): string {
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
  return "{\n" +
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
    `   "result": ${q.result},\n` +
    ` "min": ${min === Infinity ? "null" : formatValue(min)},\n` +
    ` "max": ${max === -Infinity ? "null" : formatValue(max)}\n` +
    "}";
}
