/**
 * Per-host storage: it observes a host's model, runs Netdata's collection math for every chart at the end
 * of each iteration and keeps the points in per-chart rings, and takes the points and states a child
 * replays. Memory modes: `none` keeps no points (but runs the math, so that a headless proxy can hand its
 * collection state onward), `ram` (and `alloc`) keep the rings, `save` also writes them
 * to files on {@link HostStore.save} and reads them back when a chart comes back after a restart; `map` and
 * `dbengine` are served as `save`.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Chart } from "../../metrics/chart.ts";
import { ChartCollection } from "../../metrics/collection.ts";
import type { Host, HostObserver } from "../../metrics/host.ts";
import { canonicalGuid } from "../../protocol/guid.ts";
import type { CollectedNumber } from "../../protocol/numbers.ts";
import type { Logger } from "../../runtime/log.ts";
import { decodeChartFile, encodeChartFile } from "./chart_file.ts";
import { ChartStore } from "./chart_store.ts";
import type { HostSeries } from "./series.ts";

/**
 * The memory modes Netdata knows (`[db] mode`), as the config reader gives them.
 *
 * @example
 * ```ts
 * const mode: StorageMode = "save";
 * ```
 */
export type StorageMode = "dbengine" | "ram" | "save" | "map" | "none" | "alloc";

/**
 * How a {@link HostStore} stores.
 *
 * @example
 * ```ts
 * const options: HostStoreOptions = { mode: "save", history: 3600, directory: "/var/cache/rill", log };
 * ```
 */
export interface HostStoreOptions {
  readonly mode: StorageMode;
  /** Slots kept per chart (`[db] history`, seconds at `update every = 1`). */
  readonly history: number;
  /** Where `save` keeps its files: one folder per machine GUID, one file per chart. */
  readonly directory?: string;
  readonly log: Logger;
  /** `[db] gap when lost iterations above`; 1 when left out. */
  readonly gapWhenLostIterationsAbove?: number;
  /**
   * The wall clock, epoch µs. When left out, an iteration is timed by the time `Host.collected` got (the
   * receiver's wall clock at `END`) and other checks use `Date.now() * 1000`.
   */
  readonly nowUs?: () => number;
}

interface Entry {
  readonly store: ChartStore;
  readonly collection: ChartCollection;
  /** A saved file may still be waiting for the chart's dimensions to be defined. */
  loadPending: boolean;
  /** The entry whose chart completed an iteration next, last time. */
  next: Entry | undefined;
  /** A newer entry took this one's place (the chart's `update_every` changed). */
  replaced: boolean;
}

/**
 * The stored charts of one host.
 *
 * @example
 * ```ts
 * const store = new HostStore(host, { mode: "ram", history: 3600, log });
 * host.observe(store);
 * // ... after a few iterations:
 * store.series("system.load")?.read(["load1"], 0, Infinity);
 * ```
 */
export class HostStore implements HostSeries, HostObserver {
  readonly host: Host;
  /** The mode in effect, after falling back from the unsupported ones. */
  readonly mode: "none" | "ram" | "save";
  readonly #history: number;
  readonly #directory: string;
  readonly #log: Logger;
  readonly #gapWhenLostIterationsAbove: number;
  /** The injected wall clock, if any. */
  readonly #clock: (() => number) | undefined;
  readonly #entries: Map<string, Entry> = new Map();
  /** The entry of the last collected chart. */
  #lastCollected: Entry | undefined;

  constructor(host: Host, options: HostStoreOptions) {
    this.host = host;
    this.#log = options.log;
    const mode = options.mode;
    if (mode === "map" || mode === "dbengine") {
      this.#log.error(`memory mode '${mode}' is not supported, using 'save' instead`);
    }
    this.mode = mode === "none" ? "none" : mode === "ram" || mode === "alloc" ? "ram" : "save";
    if (this.mode === "save" && options.directory === undefined) {
      throw new Error(`memory mode '${mode}' needs a directory to save to`);
    }
    this.#directory = options.directory ?? "";
    this.#history = this.mode === "none" ? 0 : options.history;
    this.#gapWhenLostIterationsAbove = options.gapWhenLostIterationsAbove ?? 1;
    this.#clock = options.nowUs;
  }

  series(chartId: string): ChartStore | undefined {
    const chart = this.host.charts.get(chartId);
    return chart === undefined ? undefined : this.#entry(chart).store;
  }

  /** The collection state of a chart (what `RDSTATE`/`RSSTATE` answers carry), when the chart is known. */
  collection(chartId: string): ChartCollection | undefined {
    const chart = this.host.charts.get(chartId);
    return chart === undefined ? undefined : this.#entry(chart).collection;
  }

  firstTimeS(): number {
    let first = 0;
    for (const { store } of this.#entries.values()) {
      const t = store.firstTimeS();
      if (t > 0 && (first === 0 || t < first)) first = t;
    }
    return first;
  }

  lastTimeS(): number {
    let last = 0;
    for (const { store } of this.#entries.values()) last = Math.max(last, store.lastTimeS());
    return last;
  }

  collected(chart: Chart): void {
    // A child completes its charts in the same order every iteration: the entry that followed the last
    // chart's last time is nearly always this chart's, and a hit spares the map lookup.
    const predicted = this.#lastCollected?.next;
    const entry = predicted !== undefined && predicted.store.chart === chart && this.#current(predicted, chart)
      ? predicted
      : this.#entry(chart);
    if (this.#lastCollected !== undefined) this.#lastCollected.next = entry;
    this.#lastCollected = entry;
    entry.store.syncDimensions();
    // Without an injected clock, the time the host ended the iteration at (the wall clock at `END`): one
    // clock read per iteration, not two.
    entry.collection.collect(this.#clock?.() ?? chart.lastCollectedUs, entry.store.append);
  }

  changed(chart: Chart): void {
    if (this.#entries.has(chart.id)) this.#entry(chart).store.syncDimensions();
  }

  variableChanged(): void {}

  /** `RBEGIN` with times; false when the chart is unknown or the times are invalid. */
  replayBegin(chartId: string, startS: number, endS: number): boolean {
    return this.collection(chartId)?.replayBegin(startS, endS) ?? false;
  }

  /** `RSET`: one replayed point at its own slot; false when the chart or dimension is unknown. */
  storeReplayed(chartId: string, endS: number, dimensionId: string, value: number, reset: boolean): boolean {
    const chart = this.host.charts.get(chartId);
    const index = chart?.dimensions.findIndex((d) => d.id === dimensionId) ?? -1;
    if (chart === undefined || index < 0) return false;
    const entry = this.#entry(chart);
    entry.collection.replayed(index, endS);
    entry.store.storeOne(endS, index, value, reset);
    return true;
  }

  /** `RDSTATE`; false when the chart or dimension is unknown. */
  restoreDimension(
    chartId: string,
    dimensionId: string,
    lastCollectedUs: number,
    lastCollected: CollectedNumber,
    lastCalculated: number,
    lastStored: number,
  ): boolean {
    return this.collection(chartId)?.restoreDimension(
      dimensionId,
      lastCollectedUs,
      lastCollected,
      lastCalculated,
      lastStored,
    ) ?? false;
  }

  /** `RSSTATE`; false when the chart is unknown. */
  restoreChart(chartId: string, lastCollectedUs: number, lastUpdatedUs: number): boolean {
    const collection = this.collection(chartId);
    collection?.restoreChart(lastCollectedUs, lastUpdatedUs);
    return collection !== undefined;
  }

  /** `REND`; false when the chart is unknown. */
  replicationEnded(chartId: string, startStreaming: boolean): boolean {
    const collection = this.collection(chartId);
    collection?.replicationEnded(startStreaming);
    return collection !== undefined;
  }

  /** In mode `save`, writes every chart holding points to its file (temporary file, then rename). */
  async save(): Promise<void> {
    if (this.mode !== "save") return;
    await mkdir(this.#folder(), { recursive: true });
    for (const [chartId, { store }] of this.#entries) {
      if (store.lastTimeS() === 0) continue;
      const path = this.#path(chartId);
      await writeFile(`${path}.tmp`, encodeChartFile(chartId, store.snapshot()));
      await rename(`${path}.tmp`, path);
    }
  }

  /** In mode `save`, deletes the host's folder of saved charts (the host is forgotten for good). */
  async removeFiles(): Promise<void> {
    if (this.mode !== "save") return;
    await rm(this.#folder(), { recursive: true, force: true });
  }

  // One folder per host, named by its GUID in the one case every other part of the parent uses.
  #folder(): string {
    return join(this.#directory, canonicalGuid(this.host.identity.machineGuid));
  }

  #path(chartId: string): string {
    return join(this.#folder(), `${encodeURIComponent(chartId)}.rill`);
  }

  /** Whether `chart`'s entry is still this one, with no saved file waiting (what {@link #entry} would give). */
  #current(entry: Entry, chart: Chart): boolean {
    return !entry.replaced && !entry.loadPending && entry.store.updateEvery === chart.updateEvery;
  }

  /** The chart's entry, made afresh when the chart is new or its `update_every` changed. */
  #entry(chart: Chart): Entry {
    let entry = this.#entries.get(chart.id);
    if (entry === undefined || entry.store.chart !== chart || entry.store.updateEvery !== chart.updateEvery) {
      if (entry !== undefined) entry.replaced = true;
      const prefix = `host '${this.host.identity.hostname}', `;
      entry = {
        store: new ChartStore(chart, this.#history),
        collection: new ChartCollection(chart, {
          entries: Math.max(this.#history, 5),
          gapWhenLostIterationsAbove: this.#gapWhenLostIterationsAbove,
          log: (message) => this.#log.info(prefix + message),
        }),
        loadPending: this.mode === "save",
        next: undefined,
        replaced: false,
      };
      this.#entries.set(chart.id, entry);
    }
    if (entry.loadPending && chart.dimensions.length > 0) {
      entry.loadPending = false;
      this.#load(entry);
    }
    return entry;
  }

  /** Takes over the chart's saved file when it still fits the chart's definition. */
  #load(entry: Entry): void {
    const chart = entry.store.chart;
    const path = this.#path(chart.id);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(path);
    } catch {
      return;
    }
    const snapshot = decodeChartFile(chart.id, bytes);
    const ids = chart.dimensions.map((d) => d.id);
    if (snapshot === undefined) {
      this.#log.error(`File '${path}' is not a saved chart '${chart.id}'. Ignoring it.`);
    } else if (snapshot.updateEvery !== chart.updateEvery) {
      this.#log.error(`File '${path}' does not have the desired granularity. Ignoring it.`);
    } else if (snapshot.dimensions.join("\n") !== ids.join("\n")) {
      this.#log.error(`File '${path}' does not have the dimensions of chart '${chart.id}'. Ignoring it.`);
    } else if (snapshot.newestS * 1e6 > (this.#clock?.() ?? Date.now() * 1000) + chart.updateEvery * 1e6) {
      this.#log.error(`File '${path}' refers to the future. Ignoring it.`);
    } else {
      entry.store.restore(snapshot);
    }
  }
}
