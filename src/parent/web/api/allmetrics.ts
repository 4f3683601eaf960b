/**
 * `/api/v1/allmetrics`: every chart's latest values in Netdata 1.37's `shell`, `json`, `prometheus` and
 * `prometheus_all_hosts` formats (the last two in ./prometheus.ts). Charts are printed one by one, pausing
 * when the request's budget says so; child strings are escaped for each format.
 *
 * @module
 */

import { SimplePattern } from "../../../protocol/simple_pattern.ts";
import type { Chart, Dimension } from "../../../metrics/chart.ts";
import type { ParentHost } from "../../storage/catalogue.ts";
import type { ChartSeries } from "../../storage/series.ts";
import { BodyBuilder, type TextSink } from "../body.ts";
import { HttpError, type HttpResponse } from "../http.ts";
import type { RequestBudget } from "./budget.ts";
import type { ApiContext, ApiRequest } from "./context.ts";
import { liveDimensions, viewableCharts } from "./context.ts";
import { lineText } from "./escape.ts";
import { prometheusHost, type PromOptions, ScrapeMemory, sharedHostnames } from "./prometheus.ts";

const FORMAT_ERROR = "Which format? 'shell', 'prometheus', 'prometheus_all_hosts' and 'json' are currently supported.";

/**
 * Serves `/api/v1/allmetrics`, remembering when each Prometheus server last scraped each host.
 *
 * @example
 * ```ts
 * const allmetrics = new AllMetrics();
 * await allmetrics.reply(ctx, { entry: catalogue.localhost, params: new URLSearchParams("format=shell"), remoteIp: "localhost", budget });
 * ```
 */
export class AllMetrics {
  /** Bounded: see {@link ScrapeMemory}. */
  readonly scrapes: ScrapeMemory = new ScrapeMemory();

  /** The reply for one request; throws {@link HttpError} 400 for an unknown format or source. */
  async reply(ctx: ApiContext, req: ApiRequest): Promise<HttpResponse> {
    const p = req.params;
    const format = p.get("format") ?? "";
    const filterText = p.get("filter");
    const filter = filterText === null || filterText.length === 0 ? undefined : SimplePattern.parse(filterText);
    const charts = (entry: ParentHost) =>
      [...viewableCharts(entry)].filter((c) => filter === undefined || filter.matches(c.id) || filter.matches(c.name));
    switch (format) {
      case "shell": {
        const body = new BodyBuilder();
        await shell(req.entry, charts(req.entry), body, req.budget);
        return { status: 200, contentType: "text/plain; charset=utf-8", body: body.finish() };
      }
      case "json":
        return {
          status: 200,
          contentType: "application/json; charset=utf-8",
          body: await json(req.entry, charts(req.entry), req.budget),
        };
      case "prometheus":
      case "prometheus_all_hosts": {
        const source = p.get("source") ?? p.get("data") ?? "average";
        if (source !== "average" && source !== "sum") {
          throw new HttpError(400, `Unsupported source '${source.slice(0, 100)}': expected average or sum`);
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
        const held = ctx.catalogue.all();
        const hosts = options.allHosts ? held : [req.entry];
        const shared = sharedHostnames(hosts);
        const scraped: [string, number][] = [];
        const body = new BodyBuilder();
        for (const entry of hosts) {
          const guid = entry.host.identity.machineGuid;
          const afterS = this.scrapes.lastScrape(server, guid) ?? nowS - entry.host.identity.updateEvery;
          const hostnameShared = shared.has(entry.host.identity.hostname);
          await prometheusHost(
            entry,
            charts(entry),
            options,
            hostnameShared,
            Math.min(afterS, nowS),
            nowS,
            body,
            req.budget,
          );
          scraped.push([guid, nowS]);
        }
        // Only a scrape that was answered counts as seen: an abandoned one leaves the memory as it was.
        this.scrapes.record(server, scraped, held.length);
        return { status: 200, contentType: "text/plain; version=0.0.4", body: body.finish() };
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

// 1.37's shell names: upper case, every other character than a letter or digit becomes '_'.
function shellName(text: string): string {
  return text.replace(/[^A-Za-z0-9]/g, "_").toUpperCase();
}

// C's roundl(): halves away from zero.
function roundHalfAway(value: number): number {
  return Math.sign(value) * Math.round(Math.abs(value));
}

/** `format=shell`, added to `out`: variable names are letters, digits and `_`; comments carry no control character. */
async function shell(entry: ParentHost, charts: readonly Chart[], out: TextSink, budget: RequestBudget): Promise<void> {
  for (const chart of charts) {
    if (budget.due()) await budget.pause();
    const name = shellName(chart.name);
    const units = lineText(chart.units);
    let text = `\n# chart: ${lineText(chart.id)} (name: ${lineText(chart.name)})\n`;
    const dims = liveDimensions(chart);
    const values = lastValues(entry.series.series(chart.id), dims);
    let total = 0;
    dims.forEach((dim, i) => {
      let v = values[i];
      const key = `NETDATA_${name}_${shellName(dim.name)}`;
      if (!Number.isFinite(v)) {
        text += `${key}=""      # ${units}\n`;
        return;
      }
      if (dim.multiplier < 0 || dim.divisor < 0) v = -v;
      v = roundHalfAway(v);
      if (!dim.hidden) total += v;
      text += `${key}="${v.toFixed(0)}"      # ${units}\n`;
    });
    out.add(`${text}NETDATA_${name}_VISIBLETOTAL="${roundHalfAway(total).toFixed(0)}"      # ${units}\n`);
  }
  out.add("\n# NETDATA ALARMS RUNNING\n");
}

async function json(entry: ParentHost, charts: readonly Chart[], budget: RequestBudget): Promise<string> {
  const q = JSON.stringify;
  const parts: string[] = [];
  for (const chart of charts) {
    if (budget.due()) await budget.pause();
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
