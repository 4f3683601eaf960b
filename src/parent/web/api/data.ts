/**
 * `/api/v1/data`: stored points of one chart, grouped into rows as Netdata 1.37's query engine does, and
 * printed in its `json`, `csv`, `tsv`, `ssv`, `ssvcomma` and `array` formats, optionally wrapped
 * (`options=jsonwrap`).
 *
 * The window follows 1.37's rules (./window.ts), the rows are grouped from what is stored (./rows.ts) and
 * printed by ./data_formats.ts. A chart none of whose data meets the window answers 404, as on 1.37.
 *
 * @module
 */

import { BodyBuilder, JsonStringSink, type TextSink } from "../body.ts";
import { HttpError, type HttpResponse } from "../http.ts";
import type { ApiContext, ApiRequest } from "./context.ts";
import { integerParam, listParam, requireChart } from "./context.ts";
import { csvRows, jsonRows, jsonWrap, sumRows } from "./data_formats.ts";
import { type GroupMethod, groupRows, hideAllZero, type Rows, selectDimensions, transformValues } from "./rows.ts";
import { queryWindow, windowMeetsStored } from "./window.ts";

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

// Every name 1.37 takes for the dimensions list; repeated ones add to it.
const DIMENSION_PARAMS = ["dimension", "dim", "dimensions", "dims"];

/**
 * Answers `/api/v1/data`.
 *
 * @example
 * ```ts
 * await dataReply(ctx, { entry, params: new URLSearchParams("chart=system.load&after=-5"), remoteIp: "localhost", budget });
 * ```
 */
export async function dataReply(ctx: ApiContext, req: ApiRequest): Promise<HttpResponse> {
  const chart = requireChart(req);
  const p = req.params;
  const groupName = p.get("group") || "average";
  const group = GROUP_METHODS[groupName];
  if (group === undefined) {
    throw new HttpError(
      400,
      `Unsupported group method '${groupName.slice(0, 100)}': expected average, min, max or sum`,
    );
  }
  const format = p.get("format") || "json";
  if (!FORMATS.has(format)) {
    throw new HttpError(
      400,
      `Unsupported format '${format.slice(0, 100)}': expected one of ${[...FORMATS].join(", ")}`,
    );
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
  const wanted = DIMENSION_PARAMS.flatMap((name) => p.getAll(name)).join("|");
  const { dims, selected } = selectDimensions(chart, wanted, options);
  const nowS = Math.floor(ctx.nowMs() / 1000);
  const db = series === undefined
    ? undefined
    : { first: series.firstTimeS(), last: series.lastTimeS(), updateEvery: series.updateEvery };
  // 1.37 leaves out of a query every dimension whose data does not meet the window: here all or none.
  if (db !== undefined && db.last !== 0 && !windowMeetsStored(after, before, db, nowS)) {
    throw new HttpError(404, "No metrics where matched to query.");
  }
  const window = db === undefined
    ? undefined
    : queryWindow({ after, before, points, aligned: !options.has("unaligned") }, db, nowS);
  const rows: Rows = window === undefined || series === undefined
    ? {
      window: { after: 0, before: 0, points: 0, group: 1, granularity: 1 },
      dims,
      visible: selected,
      values: new Float64Array(0),
    }
    : await groupRows(series, window, dims, selected, group, options.has("percentage"), req.budget);
  if (options.has("nonzero")) hideAllZero(rows);
  transformValues(rows, options);

  const wrap = options.has("jsonwrap");
  const raw = format === "json" || format === "array";
  const body = new BodyBuilder();
  const wrapping = wrap ? jsonWrap(chart, series, rows, { group, options, format }) : undefined;
  let out: TextSink = body;
  if (wrapping !== undefined) {
    body.add(wrapping.head);
    // A text result is one JSON string inside the wrap.
    if (!raw) {
      body.add('"');
      out = new JsonStringSink(body);
    }
  }
  if (format === "json") await jsonRows(rows, options, out, req.budget);
  else if (format === "csv" || format === "tsv") {
    await csvRows(rows, options, format === "csv" ? "," : "\t", wrap ? "\n" : "\r\n", out, req.budget);
  } else await sumRows(rows, options, format, out, req.budget);
  if (wrapping !== undefined) body.add(raw ? wrapping.tail : `"${wrapping.tail}`);
  return {
    status: 200,
    contentType: wrap || raw ? "application/json; charset=utf-8" : "text/plain; charset=utf-8",
    body: body.finish(),
  };
}
