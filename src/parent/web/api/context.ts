/**
 * What every API endpoint reads: the parent's hosts, its `netdata.conf`, the clock, and the request's
 * query parameters with the checks all endpoints share.
 *
 * @module
 */

import type { NetdataConf } from "../../../config/netdata_conf.ts";
import type { Chart, Dimension } from "../../../metrics/chart.ts";
import type { HostCatalogue, ParentHost } from "../../storage/catalogue.ts";
import { HttpError } from "../http.ts";
import type { RequestBudget } from "./budget.ts";

/**
 * The parent state the API answers from.
 *
 * @example
 * ```ts
 * const ctx: ApiContext = { catalogue, conf: parseNetdataConf(""), nowMs: Date.now };
 * ```
 */
export interface ApiContext {
  readonly catalogue: HostCatalogue;
  readonly conf: NetdataConf;
  /** The wall clock, epoch ms (tests pin it). */
  readonly nowMs: () => number;
}

/**
 * One API call: the host it is about, its query parameters, who asked, and the work it may do.
 *
 * @example
 * ```ts
 * const req: ApiRequest = {
 *   entry: catalogue.localhost,
 *   params: new URLSearchParams("chart=system.cpu"),
 *   remoteIp: "localhost",
 *   budget: new RequestBudget(10_000),
 * };
 * ```
 */
export interface ApiRequest {
  readonly entry: ParentHost;
  readonly params: URLSearchParams;
  readonly remoteIp: string;
  /** Long loops pause on it, so that ingestion runs in between and an endless request is abandoned. */
  readonly budget: RequestBudget;
}

/**
 * The charts of a host a viewer sees (obsolete ones are gone for the API, as in Netdata), in creation order.
 *
 * @example
 * ```ts
 * for (const chart of viewableCharts(entry)) console.log(chart.id);
 * ```
 */
export function* viewableCharts(entry: ParentHost): Generator<Chart> {
  for (const chart of entry.host.charts.values()) if (!chart.obsolete) yield chart;
}

/**
 * The dimensions of a chart a viewer sees (obsolete ones are gone), hidden ones included.
 *
 * @example
 * ```ts
 * liveDimensions(chart).map((d) => d.id); // ["user", "system", "idle"]
 * ```
 */
export function liveDimensions(chart: Chart): Dimension[] {
  return chart.dimensions.filter((d) => !d.obsolete);
}

/**
 * The chart named by the `chart` parameter (by id, else by name). Throws 400 when the parameter is missing
 * and 404 when there is no such chart, with Netdata's messages.
 *
 * @example
 * ```ts
 * const chart = requireChart(req); // HttpError 404 "Chart is not found: nope" for chart=nope
 * ```
 */
export function requireChart(req: ApiRequest): Chart {
  const wanted = req.params.get("chart") ?? "";
  if (wanted.length === 0) throw new HttpError(400, "No chart id is given at the request.");
  const host = req.entry.host;
  let chart = host.charts.get(wanted);
  if (chart === undefined) {
    for (const c of host.charts.values()) {
      if (c.name === wanted) {
        chart = c;
        break;
      }
    }
  }
  if (chart === undefined || chart.obsolete) throw new HttpError(404, `Chart is not found: ${wanted}`);
  return chart;
}

/**
 * The integer value of parameter `name`, or `fallback` when absent or empty; throws 400 for anything else.
 *
 * @example
 * ```ts
 * integerParam(new URLSearchParams("after=-600"), "after", 0); // -600
 * ```
 */
export function integerParam(params: URLSearchParams, name: string, fallback: number): number {
  const text = params.get(name);
  if (text === null || text.length === 0) return fallback;
  if (!/^[+-]?[0-9]{1,15}$/.test(text)) {
    throw new HttpError(
      400,
      `Invalid value of parameter '${name}': expected an integer, found '${text.slice(0, 100)}'`,
    );
  }
  return Number(text);
}

/**
 * The list words of a parameter (`options=a|b,c d`), empty ones dropped.
 *
 * @example
 * ```ts
 * listParam(new URLSearchParams("options=jsonwrap|ms"), "options"); // ["jsonwrap", "ms"]
 * ```
 */
export function listParam(params: URLSearchParams, name: string): string[] {
  return (params.get(name) ?? "").split(/[|, ]/).filter((w) => w.length > 0);
}
