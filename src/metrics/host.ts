/**
 * A host: who it is (what the handshake says of it), its labels and variables, and its charts. Collectors
 * fill it; observers (the sender, later storage) hear when a chart finished an iteration or changed.
 *
 * @module
 */

import type { SystemInfo } from "../protocol/handshake.ts";
import { Chart, type ChartSpec, type Label } from "./chart.ts";

/**
 * Identity and facts of a host, as a child announces them in its handshake.
 *
 * @example
 * ```ts
 * const identity: HostIdentity = {
 *   hostname: "edge-1", machineGuid: "82be38ca-e718-11f1-8984-02fc00000001", os: "linux", timezone: "Etc/UTC",
 *   abbrevTimezone: "UTC", utcOffset: 0, tags: "", updateEvery: 1, systemInfo: {},
 *   programName: "rill", programVersion: "0.1.0",
 * };
 * ```
 */
export interface HostIdentity {
  readonly hostname: string;
  /** Defaults to the hostname. */
  readonly registryHostname?: string;
  readonly machineGuid: string;
  readonly os: string;
  readonly timezone: string;
  readonly abbrevTimezone: string;
  /** Seconds east of UTC. */
  readonly utcOffset: number;
  readonly tags: string;
  /** Default collection interval, seconds. */
  readonly updateEvery: number;
  readonly systemInfo: SystemInfo;
  readonly programName: string;
  readonly programVersion: string;
}

/**
 * Hears about a host's charts.
 *
 * @example
 * ```ts
 * const observer: HostObserver = { collected: (chart) => console.log(chart.id), changed() {}, variableChanged() {} };
 * ```
 */
export interface HostObserver {
  /** A chart finished an iteration; its `updated` dimensions hold the values. */
  collected(chart: Chart): void;
  /** A chart's definition changed between iterations (it was obsoleted, or labels changed). */
  changed(chart: Chart): void;
  /** A custom host variable got a new value. */
  variableChanged(name: string, value: number): void;
}

/**
 * A host and its charts.
 *
 * @example
 * ```ts
 * const host = new Host(identity);
 * const chart = host.chart(spec);
 * chart.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 }).set(520);
 * host.collected(chart, Date.now() * 1000);
 * ```
 */
export class Host {
  readonly identity: HostIdentity;
  readonly labels: Map<string, Label> = new Map();
  /** Custom host variables (`VARIABLE HOST name = value`). */
  readonly variables: Map<string, number> = new Map();
  readonly charts: Map<string, Chart> = new Map();
  readonly #observers: HostObserver[] = [];

  constructor(identity: HostIdentity) {
    this.identity = identity;
  }

  /** The chart with this id: created, or updated from the spec (a redefinition moves its version). */
  chart(spec: ChartSpec): Chart {
    const existing = this.charts.get(spec.id);
    if (existing !== undefined) {
      existing.apply(spec);
      return existing;
    }
    const chart = new Chart(spec);
    this.charts.set(spec.id, chart);
    return chart;
  }

  /**
   * Ends one iteration of `chart` at `nowUs` (epoch µs): observers see the updated dimensions, then the
   * flags are cleared for the next iteration.
   */
  collected(chart: Chart, nowUs: number): void {
    chart.sinceLastUs = chart.lastCollectedUs === 0 ? 0 : nowUs - chart.lastCollectedUs;
    if (chart.firstCollectedUs === 0) chart.firstCollectedUs = nowUs;
    chart.lastCollectedUs = nowUs;
    for (const observer of this.#observers) observer.collected(chart);
    for (const dim of chart.dimensions) dim.updated = false;
  }

  /** Sets a custom host variable (`VARIABLE HOST`); observers hear of a new value. */
  variable(name: string, value: number): void {
    if (this.variables.get(name) === value) return;
    this.variables.set(name, value);
    for (const observer of this.#observers) observer.variableChanged(name, value);
  }

  /** Marks a chart obsolete (its source vanished); observers are told so they can announce it. */
  obsolete(chart: Chart): void {
    if (chart.obsolete) return;
    chart.obsolete = true;
    chart.version++;
    for (const observer of this.#observers) observer.changed(chart);
  }

  /** Tells observers that a chart changed outside an iteration. */
  changed(chart: Chart): void {
    for (const observer of this.#observers) observer.changed(chart);
  }

  /** Adds an observer; returns the function that removes it. */
  observe(observer: HostObserver): () => void {
    this.#observers.push(observer);
    return () => {
      const i = this.#observers.indexOf(observer);
      if (i >= 0) this.#observers.splice(i, 1);
    };
  }
}
