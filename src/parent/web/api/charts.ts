/**
 * `/api/v1/charts` and `/api/v1/chart`: chart definitions with their stored time range, in the shape of
 * Netdata 1.37's replies (see `fixtures/api/child-api-v1-charts-sample.json`).
 *
 * @module
 */

import type { Chart } from "../../../metrics/chart.ts";
import type { ParentHost } from "../../receiver/registry.ts";
import type { ApiContext, ApiRequest } from "./context.ts";
import { requireChart, viewableCharts } from "./context.ts";

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
 * The `/api/v1/charts` object: the host's facts, every viewable chart, and the totals.
 *
 * @example
 * ```ts
 * const charts = chartsReply(ctx, { entry: registry.localhost, params: new URLSearchParams(), remoteIp: "localhost" });
 * charts.charts_count; // 308
 * ```
 */
export function chartsReply(ctx: ApiContext, req: ApiRequest): Record<string, unknown> {
  const { identity } = req.entry.host;
  const charts: Record<string, Record<string, unknown>> = {};
  let count = 0;
  let dimensions = 0;
  for (const chart of viewableCharts(req.entry)) {
    const json = chartJson(req.entry, chart);
    charts[chart.id] = json;
    count++;
    dimensions += Object.keys(json.dimensions as object).length;
  }
  const hosts = ctx.registry.all();
  return {
    hostname: identity.hostname,
    version: ctx.registry.localhost.host.identity.programVersion,
    release_channel: "stable",
    os: identity.os,
    timezone: identity.timezone,
    update_every: identity.updateEvery,
    // 1.37 reports the ram-mode ring size here, and 0 for dbengine.
    history: ctx.conf.db.mode === "dbengine" ? 0 : ctx.conf.db.retention,
    memory_mode: ctx.conf.db.mode,
    custom_info: "",
    charts,
    charts_count: count,
    dimensions_count: dimensions,
    alarms_count: 0,
    rrd_memory_bytes: 0,
    hosts_count: hosts.length,
    hosts: hosts.map((e) => ({ hostname: e.host.identity.hostname })),
  };
}
