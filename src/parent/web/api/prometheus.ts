/**
 * `/api/v1/allmetrics?format=prometheus` and `prometheus_all_hosts`: every chart's values in the
 * Prometheus text exposition format, as Netdata 1.37 prints them.
 *
 * The values are the average (or sum, `source=sum`) of the stored points since the same server's
 * previous scrape, as 1.37's exporter computes them: the window steps back two intervals and drops the
 * newest slot so that only complete iterations count, and each sample carries the time of its last slot.
 * Servers are told apart by `server=`, else by the client's address; unlike 1.37, which remembers every
 * server it ever saw, the memory of them is bounded (see {@link ScrapeMemory}).
 *
 * @module
 */

import { LABEL_SOURCE } from "../../../protocol/commands.ts";
import type { Chart } from "../../../metrics/chart.ts";
import type { ParentHost } from "../../storage/catalogue.ts";
import type { ChartSeries } from "../../storage/series.ts";
import type { TextSink } from "../body.ts";
import type { RequestBudget } from "./budget.ts";
import { liveDimensions } from "./context.ts";
import { lineText, promLabelValue } from "./escape.ts";

/** Prometheus servers remembered at once; the one that scraped longest ago is forgotten first. */
const MAX_SERVERS = 64;
/** The longest server name kept (1.37's `PROMETHEUS_ELEMENT_MAX`); a longer one is cut there. */
const MAX_SERVER_NAME = 256;

/**
 * When each Prometheus server last scraped each host, bounded: at most {@link MAX_SERVERS} servers (the
 * least recently seen one goes), each with at most as many hosts as the parent holds (the least recently
 * scraped one goes), and a server name of at most 256 characters.
 *
 * @example
 * ```ts
 * const memory = new ScrapeMemory();
 * memory.lastScrape("prom-1", guid); // undefined: first scrape
 * memory.record("prom-1", [[guid, 1795423106]], 2);
 * memory.lastScrape("prom-1", guid); // 1795423106
 * ```
 */
export class ScrapeMemory {
  /** Server name → machine GUID → epoch seconds; both maps in least recently used order. */
  readonly #servers: Map<string, Map<string, number>> = new Map();

  /** The servers remembered now. */
  get size(): number {
    return this.#servers.size;
  }

  /** The time `server` last scraped the host with `machineGuid`; `undefined` when it never did (or is forgotten). */
  lastScrape(server: string, machineGuid: string): number | undefined {
    return this.#servers.get(serverKey(server))?.get(machineGuid);
  }

  /** Remembers a finished scrape by `server` of the hosts given, keeping at most `hostsHeld` hosts for it. */
  record(server: string, scraped: readonly (readonly [machineGuid: string, timeS: number])[], hostsHeld: number): void {
    const key = serverKey(server);
    const hosts = this.#servers.get(key) ?? new Map<string, number>();
    this.#servers.delete(key);
    this.#servers.set(key, hosts);
    for (const [guid, timeS] of scraped) {
      hosts.delete(guid);
      hosts.set(guid, timeS);
    }
    dropOldest(hosts, Math.max(1, hostsHeld));
    dropOldest(this.#servers, MAX_SERVERS);
  }
}

function serverKey(server: string): string {
  return server.length > MAX_SERVER_NAME ? server.slice(0, MAX_SERVER_NAME) : server;
}

/** Deletes the first (least recently used) keys of `map` until it holds `limit`. */
function dropOldest<K, V>(map: Map<K, V>, limit: number): void {
  for (const key of map.keys()) {
    if (map.size <= limit) return;
    map.delete(key);
  }
}

/**
 * How to print a scrape.
 *
 * @example
 * ```ts
 * const o: PromOptions = { prefix: "netdata", names: true, timestamps: true, sum: false, allHosts: false, nowMs: Date.now() };
 * ```
 */
export interface PromOptions {
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

/**
 * The hostnames that two or more of `hosts` share.
 *
 * @example
 * ```ts
 * sharedHostnames(catalogue.all()).has("edge-1"); // true when two hosts are called edge-1
 * ```
 */
export function sharedHostnames(hosts: readonly ParentHost[]): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const { host } of hosts) {
    if (seen.has(host.identity.hostname)) shared.add(host.identity.hostname);
    seen.add(host.identity.hostname);
  }
  return shared;
}

/**
 * The labels naming a host's series: `instance` as in 1.37, plus `machine_guid` when another host in the
 * same answer has the same hostname, so that their series stay apart instead of merging in Prometheus.
 */
function hostInstanceLabels(entry: ParentHost, hostnameShared: boolean): string {
  const { hostname, machineGuid } = entry.host.identity;
  const guid = hostnameShared ? `,machine_guid="${promLabelValue(machineGuid)}"` : "";
  return `instance="${promLabelValue(hostname)}"${guid}`;
}

/**
 * One host's part of a Prometheus scrape, added to `out`: its `netdata_info` line, then a sample per dimension
 * with points in the window since `afterS`. Child strings in label values are escaped (see {@link promLabelValue}).
 * `hostnameShared` (see {@link sharedHostnames}) adds the host's machine GUID to its labels.
 *
 * @example
 * ```ts
 * await prometheusHost(entry, charts, options, false, lastScrapeS, nowS, body, budget);
 * ```
 */
export async function prometheusHost(
  entry: ParentHost,
  charts: readonly Chart[],
  o: PromOptions,
  hostnameShared: boolean,
  afterS: number,
  nowS: number,
  out: TextSink,
  budget: RequestBudget,
): Promise<void> {
  const { identity } = entry.host;
  const instanceLabels = hostInstanceLabels(entry, hostnameShared);
  const stamp = (ms: number) => o.timestamps ? ` ${ms}` : "";
  let labels = "";
  for (const [name, label] of entry.host.labels) {
    // 1.37 sends the configured host labels, not the automatic ones.
    if ((label.source & LABEL_SOURCE.CONFIG) !== 0 && name.length > 0 && label.value.length > 0) {
      labels += `,${promName(name)}="${promLabelValue(label.value)}"`;
    }
  }
  out.add(
    `netdata_info{${instanceLabels},application="${promLabelValue(identity.programName)}",version="${
      promLabelValue(identity.programVersion)
    }"${labels}} 1${stamp(o.nowMs)}\n`,
  );
  const instance = o.allHosts ? `,${instanceLabels}` : "";
  const suffix = o.sum ? "_sum" : "_average";
  const prefix = lineText(o.prefix);
  for (const chart of charts) {
    if (budget.due()) await budget.pause();
    const series = entry.series.series(chart.id);
    const window = series === undefined ? undefined : scrapeWindow(series, afterS, nowS);
    if (series === undefined || window === undefined) continue;
    const dims = liveDimensions(chart);
    const stored = series.read(dims.map((d) => d.id), window.from, window.to);
    const metric = `${prefix}_${promName(chart.context)}${o.sum ? "" : promUnits(chart.units)}${suffix}`;
    const head = `{chart="${promLabelValue(o.names ? chart.name : chart.id)}",family="${promLabelValue(chart.family)}"`;
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
      out.add(
        `${metric}${head},dimension="${promLabelValue(o.names ? dim.name : dim.id)}"${instance}} ${value.toFixed(7)}${
          stamp(window.to * 1000)
        }\n`,
      );
    });
  }
}
