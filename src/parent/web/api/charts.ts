/**
 * `/api/v1/charts` and `/api/v1/chart`: chart definitions with their stored time range, in the shape of
 * Netdata 1.37's replies (see `fixtures/api/child-api-v1-charts-sample.json`).
 *
 * @module
 */

import type { Chart } from "../../../metrics/chart.ts";
import type { ParentHost } from "../../storage/catalogue.ts";
import type { ApiContext, ApiRequest } from "./context.ts";
import { requireChart, viewableCharts } from "./context.ts";
import { jsonMember, jsonObject, jsonText } from "./json_text.ts";

/**
 * One chart as `/api/v1/chart` shows it. Hidden and obsolete dimensions are not listed, as in Netdata.
 *
 * @example
 * ```ts
 * chartJson(entry, host.charts.get("system.cpu")!).title; // "Total CPU utilization (system.cpu)"
 * ```
 */
export function chartJson(entry: ParentHost, chart: Chart): Record<string, unknown> {
  const series = entry.series.series(chart.id);
  const first = series?.firstTimeS() ?? 0;
  const last = series?.lastTimeS() ?? 0;
  const updateEvery = series?.updateEvery ?? chart.updateEvery;
  const dot = chart.id.indexOf(".");
  const dimensions: Record<string, { name: string }> = {};
  for (const dim of chart.dimensions) if (!dim.hidden && !dim.obsolete) dimensions[dim.id] = { name: dim.name };
  return {
    id: chart.id,
    name: chart.name,
    type: dot < 0 ? chart.id : chart.id.slice(0, dot),
    family: chart.family,
    context: chart.context,
    // 1.37 shows the title with the chart's name appended.
    title: `${chart.title} (${chart.name})`,
    priority: chart.priority,
    plugin: chart.plugin,
    module: chart.module,
    units: chart.units,
    data_url: `/api/v1/data?chart=${chart.name}`,
    chart_type: chart.chartType,
    duration: last === 0 ? 0 : last - first + updateEvery,
    first_entry: first,
    last_entry: last,
    update_every: updateEvery,
    dimensions,
    chart_variables: Object.fromEntries(chart.variables),
    green: null,
    red: null,
    alarms: {},
    chart_labels: Object.fromEntries([...chart.labels].map(([name, label]) => [name, label.value])),
    functions: {},
  };
}

/**
 * The `/api/v1/chart?chart=` object.
 *
 * @example
 * ```ts
 * chartReply({ entry, params: new URLSearchParams("chart=system.cpu"), remoteIp: "localhost" }).id; // "system.cpu"
 * ```
 */
export function chartReply(req: ApiRequest): Record<string, unknown> {
  return chartJson(req.entry, requireChart(req));
}

/**
 * The `/api/v1/charts` reply: the host's facts, every viewable chart, and the totals, as JSON text. The
 * charts are rendered one by one, pausing when the request's budget says so.
 *
 * @example
 * ```ts
 * const text = await chartsReply(ctx, { entry: catalogue.localhost, params: new URLSearchParams(), remoteIp: "localhost", budget });
 * JSON.parse(text).charts_count; // 308
 * ```
 */
export async function chartsReply(ctx: ApiContext, req: ApiRequest): Promise<string> {
  const { identity } = req.entry.host;
  const charts: string[] = [];
  let dimensions = 0;
  for (const chart of viewableCharts(req.entry)) {
    if (req.budget.due()) await req.budget.pause();
    const json = chartJson(req.entry, chart);
    charts.push(jsonMember(chart.id, jsonText(json, 2), 1));
    dimensions += Object.keys(json.dimensions as object).length;
  }
  const hosts = ctx.catalogue.all();
  const member = (key: string, value: unknown) => jsonMember(key, jsonText(value, 1), 0);
  return jsonObject([
    member("hostname", identity.hostname),
    member("version", ctx.catalogue.localhost.host.identity.programVersion),
    member("release_channel", "stable"),
    member("os", identity.os),
    member("timezone", identity.timezone),
    member("update_every", identity.updateEvery),
    // 1.37 reports the ram-mode ring size here, and 0 for dbengine.
    member("history", ctx.conf.db.mode === "dbengine" ? 0 : ctx.conf.db.retention),
    member("memory_mode", ctx.conf.db.mode),
    member("custom_info", ""),
    jsonMember("charts", jsonObject(charts, 1), 0),
    member("charts_count", charts.length),
    member("dimensions_count", dimensions),
    member("alarms_count", 0),
    member("rrd_memory_bytes", 0),
    member("hosts_count", hosts.length),
    member("hosts", hosts.map((e) => ({ hostname: e.host.identity.hostname }))),
  ], 0);
}
