/**
 * `/api/v1/allmetrics`: every chart's latest values in Netdata 1.37's `shell`, `json`, `prometheus` and
 * `prometheus_all_hosts` formats.
 *
 * Prometheus values are the average (or sum, `source=sum`) of the stored points since the same server's
 * previous scrape, as 1.37's exporter computes them: the window steps back two intervals and drops the
 * newest slot so that only complete iterations count, and each sample carries the time of its last slot.
 * Servers are told apart by `server=`, else by the client's address.
 *
 * @module
 */

import { LABEL_SOURCE } from "../../../protocol/commands.ts";
import { SimplePattern } from "../../../protocol/simple_pattern.ts";
import type { Chart, Dimension } from "../../../metrics/chart.ts";
import type { ParentHost } from "../../receiver/registry.ts";
import type { ChartSeries } from "../../storage/series.ts";
import { HttpError, type HttpResponse } from "../http.ts";
import type { ApiContext, ApiRequest } from "./context.ts";
import { viewableCharts } from "./context.ts";

const FORMAT_ERROR = "Which format? 'shell', 'prometheus', 'prometheus_all_hosts' and 'json' are currently supported.";

/**
 * Serves `/api/v1/allmetrics`, remembering when each Prometheus server last scraped each host.
 *
 * @example
 * ```ts
 * const allmetrics = new AllMetrics();
 * allmetrics.reply(ctx, { entry: registry.localhost, params: new URLSearchParams("format=shell"), remoteIp: "localhost" });
 * ```
 */
export class AllMetrics {
  readonly #lastScrape: Map<string, number> = new Map();

  /** The reply for one request; throws {@link HttpError} 400 for an unknown format or source. */
  reply(ctx: ApiContext, req: ApiRequest): HttpResponse {
    const p = req.params;
    const format = p.get("format") ?? "";
    const filterText = p.get("filter");
    const filter = filterText === null || filterText.length === 0 ? undefined : SimplePattern.parse(filterText);
    const charts = (entry: ParentHost) =>
      [...viewableCharts(entry)].filter((c) => filter === undefined || filter.matches(c.id) || filter.matches(c.name));
    switch (format) {
      case "shell":
        return { status: 200, contentType: "text/plain; charset=utf-8", body: shell(req.entry, charts(req.entry)) };
      case "json":
        return {
          status: 200,
          contentType: "application/json; charset=utf-8",
          body: json(req.entry, charts(req.entry)),
        };
      case "prometheus":
      case "prometheus_all_hosts": {
        const source = p.get("source") ?? p.get("data") ?? "average";
        if (source !== "average" && source !== "sum") {
          throw new HttpError(400, `Unsupported source '${source}': expected average or sum`);
        }
        const nowS = Math.floor(ctx.nowMs() / 1000);
        const server = p.get("server") || req.remoteIp;
        const options: PromOptions = {
          prefix: p.get("prefix") || "netdata",
          names: p.get("names") !== "no",
          timestamps: p.get("timestamps") !== "no",
          sum: source === "sum",
          allHosts: format === "prometheus_all_hosts",
          nowMs: ctx.nowMs(),
        };
        const hosts = options.allHosts ? ctx.registry.all() : [req.entry];
        const shared = sharedHostnames(hosts);
        let body = "";
        for (const entry of hosts) {
          const key = `${server}\n${entry.host.identity.machineGuid}`;
          const afterS = this.#lastScrape.get(key) ?? nowS - entry.host.identity.updateEvery;
          this.#lastScrape.set(key, nowS);
          const instance = hostInstanceLabels(entry, shared.has(entry.host.identity.hostname));
          body += prometheus(entry, charts(entry), options, instance, Math.min(afterS, nowS), nowS);
        }
        return { status: 200, contentType: "text/plain; version=0.0.4", body };
      }
      default:
        throw new HttpError(400, FORMAT_ERROR);
    }
  }
}

/** The last stored value of each dimension (`NaN` when there is none), in `dims` order. */
function lastValues(series: ChartSeries | undefined, dims: readonly Dimension[]): number[] {
  const last = series?.lastTimeS() ?? 0;
  if (series === undefined || last === 0) return dims.map(() => NaN);
  const w = series.read(dims.map((d) => d.id), last, last);
  return w.columns.map((col) => col.length > 0 ? col[col.length - 1] : NaN);
}

function liveDimensions(chart: Chart): Dimension[] {
  return chart.dimensions.filter((d) => !d.obsolete);
}

// 1.37's shell names: upper case, every other character than a letter or digit becomes '_'.
function shellName(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, "_").toUpperCase();
}

// C's roundl(): halves away from zero.
function roundHalfAway(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

function shell(entry: ParentHost, charts: readonly Chart[]): string {
  let out = "";
  for (const chart of charts) {
    const name = shellName(chart.name);
    out += `\n# chart: ${chart.id} (name: ${chart.name})\n`;
    const dims = liveDimensions(chart);
    const values = lastValues(entry.series.series(chart.id), dims);
    let total = 0;
    dims.forEach((dim, i) => {
      let v = values[i];
      const key = `NETDATA_${name}_${shellName(dim.name)}`;
      if (!Number.isFinite(v)) {
        out += `${key}=""      # ${chart.units}\n`;
        return;
      }
      if (dim.multiplier < 0 || dim.divisor < 0) v = -v;
      v = roundHalfAway(v);
      if (!dim.hidden) total += v;
      out += `${key}="${v.toFixed(0)}"      # ${chart.units}\n`;
    });
    out += `NETDATA_${name}_VISIBLETOTAL="${roundHalfAway(total).toFixed(0)}"      # ${chart.units}\n`;
  }
  return `${out}\n# NETDATA ALARMS RUNNING\n`;
}

function json(entry: ParentHost, charts: readonly Chart[]): string {
  const q = JSON.stringify;
  const parts: string[] = [];
  for (const chart of charts) {
    const series = entry.series.series(chart.id);
    const dims = liveDimensions(chart);
    const values = lastValues(series, dims);
    const dimParts = dims.map((dim, i) =>
      `\n\t\t\t${q(dim.id)}: {\n\t\t\t\t"name": ${q(dim.name)},\n\t\t\t\t"value": ${
        Number.isNaN(values[i]) ? "null" : values[i].toFixed(7)
      }\n\t\t\t}`
    );
    parts.push(
      `\n\t${q(chart.id)}: {\n\t\t"name":${q(chart.name)},\n\t\t"family":${q(chart.family)},\n\t\t"context":${
        q(chart.context)
      },\n\t\t"units":${q(chart.units)},\n\t\t"last_updated": ${series?.lastTimeS() ?? 0},\n\t\t"dimensions": {${
        dimParts.join(",")
      }\n\t\t}\n\t}`,
    );
  }
  return `{${parts.join(",")}\n}`;
}

interface PromOptions {
  readonly prefix: string;
  /** Chart and dimension names rather than ids. */
  readonly names: boolean;
  readonly timestamps: boolean;
  /** `source=sum` rather than average. */
  readonly sum: boolean;
  readonly allHosts: boolean;
  readonly nowMs: number;
}

// 1.37's metric-name characters: letters and digits stay, anything else becomes '_'.
function promName(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, "_");
}

// 1.37's label values: backslash, double quote and newline escaped.
function promLabel(text: string): string {
  return text.replace(/["\\\n]/g, "\\$&");
}

/** The units part of a metric name: `_` + the units, `/s` at the end read as `_persec`, `%` as `_percent`. */
function promUnits(units: string): string {
  if (units === "%") return "_percent";
  const name = `_${promName(units)}`;
  return units.length > 2 && units.endsWith("/s") ? `${name.slice(0, -2)}_persec` : name;
}

/** Average (or sum) of the complete slots since `afterS`, and the time of the last one; `undefined` when none. */
function scrapeWindow(series: ChartSeries, afterS: number, nowS: number): { from: number; to: number } | undefined {
  const every = series.updateEvery;
  let after = afterS - 2 * every;
  let before = nowS - 2 * every;
  after -= after % every;
  before -= before % every;
  before -= every;
  if (after > before) after = before;
  const first = series.firstTimeS();
  const last = series.lastTimeS();
  if (last === 0) return undefined;
  after = Math.max(after, first);
  before = Math.min(before, last);
  return before < first || after > last ? undefined : { from: after, to: before };
}

/** The hostnames that two or more of `hosts` share. */
function sharedHostnames(hosts: readonly ParentHost[]): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const { host } of hosts) {
    if (seen.has(host.identity.hostname)) shared.add(host.identity.hostname);
    seen.add(host.identity.hostname);
  }
  return shared;
}

/**
 * The labels naming a host's series: `instance` as in 1.37, plus `machine_guid` when another host in the same
 * answer has the same hostname, so that their series stay apart instead of merging in Prometheus.
 */
function hostInstanceLabels(entry: ParentHost, hostnameShared: boolean): string {
  const { hostname, machineGuid } = entry.host.identity;
  return `instance="${promLabel(hostname)}"${hostnameShared ? `,machine_guid="${promLabel(machineGuid)}"` : ""}`;
}

function prometheus(
  entry: ParentHost,
  charts: readonly Chart[],
  o: PromOptions,
  instanceLabels: string,
  afterS: number,
  nowS: number,
): string {
  const { identity } = entry.host;
  const stamp = (ms: number) => o.timestamps ? ` ${ms}` : "";
  let labels = "";
  for (const [name, label] of entry.host.labels) {
    // 1.37 sends the configured host labels, not the automatic ones.
    if ((label.source & LABEL_SOURCE.CONFIG) !== 0 && name.length > 0 && label.value.length > 0) {
      labels += `,${promName(name)}="${promLabel(label.value)}"`;
    }
  }
  let out = `netdata_info{${instanceLabels},application="${promLabel(identity.programName)}",version="${
    promLabel(identity.programVersion)
  }"${labels}} 1${stamp(o.nowMs)}\n`;
  const instance = o.allHosts ? `,${instanceLabels}` : "";
  const suffix = o.sum ? "_sum" : "_average";
  for (const chart of charts) {
    const series = entry.series.series(chart.id);
    const window = series === undefined ? undefined : scrapeWindow(series, afterS, nowS);
    if (series === undefined || window === undefined) continue;
    const dims = liveDimensions(chart);
    const stored = series.read(dims.map((d) => d.id), window.from, window.to);
    const metric = `${o.prefix}_${promName(chart.context)}${o.sum ? "" : promUnits(chart.units)}${suffix}`;
    const head = `{chart="${promLabel(o.names ? chart.name : chart.id)}",family="${promLabel(chart.family)}"`;
    dims.forEach((dim, i) => {
      let total = 0;
      let count = 0;
      for (const v of stored.columns[i]) {
        if (Number.isNaN(v)) continue;
        total += v;
        count++;
      }
      if (count === 0) return;
      const value = o.sum ? total : total / count;
      out += `${metric}${head},dimension="${promLabel(o.names ? dim.name : dim.id)}"${instance}} ${value.toFixed(7)}${
        stamp(window.to * 1000)
      }\n`;
    });
  }
  return out;
}
