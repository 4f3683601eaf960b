/**
 * Charts and dimensions as a collector fills them: definitions (what a `CHART`/`DIMENSION` line carries)
 * and the raw collected integers of the current iteration. The mapping to and from the definition
 * commands is ./definitions.ts; nothing here formats the wire.
 *
 * @module
 */

import type { Algorithm, ChartType } from "../protocol/commands.ts";
import type { CollectedNumber } from "../protocol/numbers.ts";

/**
 * What defines a chart, as a collector declares it.
 *
 * @example
 * ```ts
 * const spec: ChartSpec = {
 *   id: "system.load", title: "System Load Average", units: "load", family: "load", context: "system.load",
 *   chartType: "line", priority: 100, updateEvery: 1, plugin: "proc.plugin", module: "/proc/loadavg",
 * };
 * ```
 */
export interface ChartSpec {
  /** Full `type.id`. */
  readonly id: string;
  /** Full `type.name`; the id when left out. */
  readonly name?: string;
  readonly title: string;
  readonly units: string;
  readonly family: string;
  readonly context: string;
  readonly chartType: ChartType;
  readonly priority: number;
  /** Seconds between collections. */
  readonly updateEvery: number;
  readonly plugin: string;
  readonly module: string;
  /** The `detail` chart option. */
  readonly detail?: boolean;
  /** The `hidden` chart option. */
  readonly hidden?: boolean;
  /** The `store_first` chart option. */
  readonly storeFirst?: boolean;
}

/**
 * What defines a dimension.
 *
 * @example
 * ```ts
 * const spec: DimensionSpec = { id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 };
 * ```
 */
export interface DimensionSpec {
  readonly id: string;
  /** The id when left out. */
  readonly name?: string;
  readonly algorithm: Algorithm;
  /** Never 0. */
  readonly multiplier: number;
  /** Never 0. */
  readonly divisor: number;
  readonly hidden?: boolean;
  readonly noreset?: boolean;
  readonly nooverflow?: boolean;
}

/**
 * One dimension: its definition and the value collected in the current iteration.
 *
 * @example
 * ```ts
 * const d = chart.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 });
 * d.set(520);
 * ```
 */
export class Dimension {
  readonly id: string;
  name: string;
  algorithm: Algorithm;
  multiplier: number;
  divisor: number;
  hidden: boolean;
  noreset: boolean;
  nooverflow: boolean;
  obsolete = false;
  /** The raw value of the current iteration (valid while {@link updated}). */
  value: CollectedNumber = 0;
  /** Set by {@link set}, cleared when the chart's iteration is done. */
  updated = false;

  constructor(spec: DimensionSpec) {
    this.id = spec.id;
    this.name = spec.name ?? spec.id;
    this.algorithm = spec.algorithm;
    this.multiplier = spec.multiplier === 0 ? 1 : spec.multiplier;
    this.divisor = spec.divisor === 0 ? 1 : spec.divisor;
    this.hidden = spec.hidden ?? false;
    this.noreset = spec.noreset ?? false;
    this.nooverflow = spec.nooverflow ?? false;
  }

  /** Records this iteration's raw collected value. */
  set(value: CollectedNumber): void {
    this.value = value;
    this.updated = true;
  }

  /** Applies a spec; true when anything the wire carries changed. */
  apply(spec: DimensionSpec): boolean {
    const next = new Dimension(spec);
    const changed = next.name !== this.name || next.algorithm !== this.algorithm ||
      next.multiplier !== this.multiplier || next.divisor !== this.divisor || next.hidden !== this.hidden ||
      next.noreset !== this.noreset || next.nooverflow !== this.nooverflow || this.obsolete;
    if (changed) {
      this.name = next.name;
      this.algorithm = next.algorithm;
      this.multiplier = next.multiplier;
      this.divisor = next.divisor;
      this.hidden = next.hidden;
      this.noreset = next.noreset;
      this.nooverflow = next.nooverflow;
      this.obsolete = false;
    }
    return changed;
  }
}

/** A chart label with its source bits (see `LABEL_SOURCE`). */
export interface Label {
  readonly value: string;
  readonly source: number;
}

/**
 * One chart: its definition, labels and dimensions. {@link version} moves whenever anything a definition
 * block carries changes, so that a sender knows to define the chart again.
 *
 * @example
 * ```ts
 * const chart = host.chart(spec);
 * chart.dimension({ id: "load1", algorithm: "absolute", multiplier: 1, divisor: 1000 }).set(520);
 * host.collected(chart, Date.now() * 1000);
 * ```
 */
export class Chart {
  readonly id: string;
  name: string;
  title: string;
  units: string;
  family: string;
  context: string;
  chartType: ChartType;
  priority: number;
  updateEvery: number;
  plugin: string;
  module: string;
  detail: boolean;
  hidden: boolean;
  storeFirst: boolean;
  obsolete = false;
  readonly labels: Map<string, Label> = new Map();
  /** Custom chart variables (`VARIABLE CHART name = value`), sent with the definition. */
  readonly variables: Map<string, number> = new Map();
  readonly dimensions: Dimension[] = [];
  /** Bumped on every change of the definition. */
  version = 0;
  /** Epoch µs of the first completed iteration; 0 before it. */
  firstCollectedUs = 0;
  /** Epoch µs of the last completed iteration; 0 before the first. */
  lastCollectedUs = 0;
  /** µs between the last two completed iterations; 0 until there were two. */
  sinceLastUs = 0;
  /**
   * µs since the previous iteration as the collector itself measured it (the second word of a received
   * `BEGIN`), for the iteration being completed; 0 when unknown (then the wall clock is used).
   */
  reportedSinceLastUs = 0;
  readonly #byId: Map<string, Dimension> = new Map();

  constructor(spec: ChartSpec) {
    this.id = spec.id;
    this.name = spec.name ?? spec.id;
    this.title = spec.title;
    this.units = spec.units;
    this.family = spec.family;
    this.context = spec.context;
    this.chartType = spec.chartType;
    this.priority = spec.priority;
    this.updateEvery = spec.updateEvery;
    this.plugin = spec.plugin;
    this.module = spec.module;
    this.detail = spec.detail ?? false;
    this.hidden = spec.hidden ?? false;
    this.storeFirst = spec.storeFirst ?? false;
  }

  /** Applies a spec (a redefinition); an obsolete chart comes back to life. */
  apply(spec: ChartSpec): void {
    const next = new Chart(spec);
    const same = next.name === this.name && next.title === this.title && next.units === this.units &&
      next.family === this.family && next.context === this.context && next.chartType === this.chartType &&
      next.priority === this.priority && next.updateEvery === this.updateEvery && next.plugin === this.plugin &&
      next.module === this.module && next.detail === this.detail && next.hidden === this.hidden &&
      next.storeFirst === this.storeFirst && !this.obsolete;
    if (same) return;
    Object.assign(this, {
      name: next.name,
      title: next.title,
      units: next.units,
      family: next.family,
      context: next.context,
      chartType: next.chartType,
      priority: next.priority,
      updateEvery: next.updateEvery,
      plugin: next.plugin,
      module: next.module,
      detail: next.detail,
      hidden: next.hidden,
      storeFirst: next.storeFirst,
      obsolete: false,
    });
    this.version++;
  }

  /** The dimension with this id, created or updated from the spec. */
  dimension(spec: DimensionSpec): Dimension {
    let dim = this.#byId.get(spec.id);
    if (dim === undefined) {
      dim = new Dimension(spec);
      this.#byId.set(spec.id, dim);
      this.dimensions.push(dim);
      this.version++;
    } else if (dim.apply(spec)) {
      this.version++;
    }
    return dim;
  }

  /** The dimension with this id, if defined. */
  find(id: string): Dimension | undefined {
    return this.#byId.get(id);
  }

  /** Marks a dimension obsolete (it stays defined, flagged, as Netdata does). */
  obsoleteDimension(id: string): void {
    const dim = this.#byId.get(id);
    if (dim !== undefined && !dim.obsolete) {
      dim.obsolete = true;
      dim.updated = false;
      this.version++;
    }
  }

  /** Sets a chart variable; a change moves the version. */
  variable(name: string, value: number): void {
    if (this.variables.get(name) === value) return;
    this.variables.set(name, value);
    this.version++;
  }

  /** Sets a chart label; a change moves the version. */
  label(name: string, value: string, source: number): void {
    const old = this.labels.get(name);
    if (old?.value === value && old.source === source) return;
    this.labels.set(name, { value, source });
    this.version++;
  }
}
