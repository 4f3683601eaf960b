/**
 * The rows of a `/api/v1/data` query: which dimensions it reads and shows (`dimensions=` as 1.37's simple
 * patterns), the stored slots folded into rows (`group=`), and the value options (`nonzero`, `abs`,
 * `percentage`).
 *
 * The work is bounded by what is stored, not by the window: grouping walks the stored slots inside the
 * window once per dimension (a window reaching years past the stored range costs nothing more), and the
 * rows × dimensions of the answer are capped at {@link MAX_QUERY_VALUES}.
 *
 * @module
 */

import type { Chart, Dimension } from "../../../metrics/chart.ts";
import { API_PATTERN_SEPARATORS, SimplePattern } from "../../../protocol/simple_pattern.ts";
import type { ChartSeries } from "../../storage/series.ts";
import { HttpError } from "../http.ts";
import type { RequestBudget } from "./budget.ts";
import { liveDimensions } from "./context.ts";
import type { QueryWindow } from "./window.ts";

/**
 * The most values (rows × dimensions) one query computes: far above what a dashboard asks for (its points
 * follow the chart's width), and a bound on the memory and time of an answer.
 *
 * @example
 * ```ts
 * if (points * dimensions > MAX_QUERY_VALUES) throw new HttpError(400, "too many values");
 * ```
 */
export const MAX_QUERY_VALUES = 5_000_000;

// Dimensions read from storage at once: bounds the memory of one read on a chart with thousands of them.
const DIMENSIONS_PER_READ = 64;

/**
 * How slots of a group combine into a row's value. `min`/`max` compare absolute values, as 1.37 does.
 *
 * @example
 * ```ts
 * const g: GroupMethod = "average";
 * ```
 */
export type GroupMethod = "average" | "min" | "max" | "sum";

/**
 * The grouped rows of a query, oldest row first.
 *
 * @example
 * ```ts
 * const value = rows.values[row * rows.dims.length + column]; // NaN for an empty group
 * ```
 */
export interface Rows {
  readonly window: QueryWindow;
  readonly dims: readonly Dimension[];
  /** Per dimension, shown in the output (selected, and non-zero when `nonzero`). */
  readonly visible: boolean[];
  /** `values[row * dims.length + c]`, `NaN` for an empty group. */
  readonly values: Float64Array;
}

/**
 * The dimensions a query reads, in chart order, and which of them are selected for output: those the
 * `dimensions=` list accepts (1.37's simple patterns, split on `,` and `|`: `*` wildcards, `!` to refuse,
 * the first entry that matches decides), tried on the id and on the name separately (`match-ids`,
 * `match-names` restrict that); without a list, every one not hidden. Throws 404 when none is selected.
 *
 * @example
 * ```ts
 * selectDimensions(chart, "!idle|*", new Set()).selected; // [true, true, false] for user, system, idle
 * ```
 */
export function selectDimensions(
  chart: Chart,
  wanted: string,
  options: ReadonlySet<string>,
): { dims: Dimension[]; selected: boolean[] } {
  const dims = liveDimensions(chart);
  const pattern = SimplePattern.parse(wanted, API_PATTERN_SEPARATORS);
  let selected: boolean[];
  if (pattern.isEmpty) selected = dims.map((d) => !d.hidden);
  else {
    const byIds = !options.has("match-names") || options.has("match-ids");
    const byNames = !options.has("match-ids") || options.has("match-names");
    selected = dims.map((d) => (byIds && pattern.matches(d.id)) || (byNames && pattern.matches(d.name)));
  }
  if (!selected.includes(true)) throw new HttpError(404, "No metrics where matched to query.");
  return { dims, selected };
}

/**
 * Reads the window and folds each group of slots into one value per dimension. Walks the stored slots of
 * the window (none outside the stored range), a few dimensions per read, pausing when the budget says so.
 * Throws 400 when the answer would hold more than {@link MAX_QUERY_VALUES} values.
 *
 * @example
 * ```ts
 * const rows = await groupRows(series, window, dims, selected, "average", false, budget);
 * ```
 */
export async function groupRows(
  series: ChartSeries,
  window: QueryWindow,
  dims: readonly Dimension[],
  selected: boolean[],
  method: GroupMethod,
  needAll: boolean,
  budget: RequestBudget,
): Promise<Rows> {
  const d = dims.length;
  if (window.points * d > MAX_QUERY_VALUES) {
    throw new HttpError(
      400,
      `The query asks for ${window.points} points of ${d} dimensions, ${window.points * d} values; ` +
        `at most ${MAX_QUERY_VALUES} are computed: ask for fewer points or a narrower chart`,
    );
  }
  const values = new Float64Array(window.points * d).fill(NaN);
  const counts = new Uint32Array(window.points);
  // Unselected dimensions only matter as part of a percentage's row total.
  const readIdx: number[] = [];
  for (let c = 0; c < d; c++) if (needAll || selected[c]) readIdx.push(c);
  const span = window.group * window.granularity;
  for (let from = 0; from < readIdx.length; from += DIMENSIONS_PER_READ) {
    if (budget.due()) await budget.pause();
    const chunk = readIdx.slice(from, from + DIMENSIONS_PER_READ);
    const stored = series.read(chunk.map((c) => dims[c].id), window.after, window.before);
    // The row of each stored slot on the window's grid (-1: off the grid or outside the window).
    const rowOf = stored.times.map((t) => {
      const offset = t - window.after;
      if (offset < 0 || offset % window.granularity !== 0) return -1;
      const row = Math.floor(offset / span);
      return row < window.points ? row : -1;
    });
    for (let k = 0; k < chunk.length; k++) {
      if (budget.due()) await budget.pause();
      const c = chunk[k];
      const column = stored.columns[k];
      counts.fill(0);
      for (let i = 0; i < column.length; i++) {
        const row = rowOf[i];
        const v = column[i];
        if (row < 0 || Number.isNaN(v)) continue;
        const at = row * d + c;
        const acc = values[at];
        if (counts[row] === 0) values[at] = v;
        else if (method === "average" || method === "sum") values[at] = acc + v;
        else if (method === "min" ? Math.abs(v) < Math.abs(acc) : Math.abs(v) > Math.abs(acc)) values[at] = v;
        counts[row]++;
      }
      if (method !== "average") continue;
      for (let row = 0; row < window.points; row++) if (counts[row] > 1) values[row * d + c] /= counts[row];
    }
  }
  return { window, dims, visible: selected, values };
}

/**
 * `nonzero`: hides the shown dimensions whose every value is zero or empty.
 *
 * @example
 * ```ts
 * hideAllZero(rows); // rows.visible[c] is now false for an all-zero column
 * ```
 */
export function hideAllZero(rows: Rows): void {
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

/**
 * `abs` and `percentage` (each value's share of its row's total over all dimensions, hidden ones too).
 *
 * @example
 * ```ts
 * transformValues(rows, new Set(["abs"])); // every negative value made positive
 * ```
 */
export function transformValues(rows: Rows, options: ReadonlySet<string>): void {
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
