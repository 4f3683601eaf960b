/**
 * What one child may define on this parent (see src/config/receiver_limits.ts): a definition past a limit is
 * refused, with one error-log line per limit and connection naming the child, the limit and the first id
 * refused. The child's other charts keep flowing; later lines for a refused chart or dimension are ignored,
 * which needs its id remembered: past {@link MAX_REFUSED_IDS} ids (or {@link MAX_REFUSED_ID_CHARS} of their
 * text) the child is cut off instead, so the bookkeeping stays bounded too.
 *
 * @module
 */

import { limitOptionName, type ReceiverLimits } from "../../config/receiver_limits.ts";
import type { Chart, Dimension } from "../../metrics/chart.ts";
import type { Host } from "../../metrics/host.ts";
import type { Logger } from "../../runtime/log.ts";
import { StreamRefused } from "./refused.ts";

/**
 * Refused chart and dimension ids one connection remembers before the child is cut off.
 *
 * @example
 * ```ts
 * MAX_REFUSED_IDS; // 10000
 * ```
 */
export const MAX_REFUSED_IDS = 10_000;

/**
 * Characters of refused ids one connection remembers before the child is cut off (ids can be long).
 *
 * @example
 * ```ts
 * MAX_REFUSED_ID_CHARS; // 1048576
 * ```
 */
export const MAX_REFUSED_ID_CHARS = 1024 * 1024;

/**
 * Custom variables (`VARIABLE`) a host, and each chart, may hold; 1.37 has no limit and no option for it.
 *
 * @example
 * ```ts
 * MAX_CUSTOM_VARIABLES; // 1000
 * ```
 */
export const MAX_CUSTOM_VARIABLES = 1000;

/**
 * A limit reached, for the one log line each gets: a limit option, the labels limit as charts reach it, or
 * the fixed variables limit.
 */
type Reached = keyof ReceiverLimits | "chartLabels" | "variables";

/**
 * One connection's view of its child's limits.
 *
 * @example
 * ```ts
 * const limits = new ChildLimits({ host, limits: policy.limits, log, prefix: "STREAM child [receive from [10.0.0.5]:40000]" });
 * if (limits.chart("apps.cpu")) host.chart(spec);
 * ```
 */
export class ChildLimits {
  readonly #host: Host;
  readonly #limits: ReceiverLimits;
  readonly #log: Logger;
  readonly #prefix: string;
  /** Dimensions of all the host's charts. */
  #dimensions = 0;
  /** The most dimensions one chart of the host has. */
  #widest = 0;
  readonly #refusedCharts = new Set<string>();
  readonly #refusedDimensions = new Map<Chart, Set<string>>();
  #refusedIds = 0;
  #refusedChars = 0;
  /** Limits already logged on this connection. */
  readonly #logged = new Set<Reached>();

  constructor(options: { host: Host; limits: ReceiverLimits; log: Logger; prefix: string }) {
    this.#host = options.host;
    this.#limits = options.limits;
    this.#log = options.log;
    this.#prefix = options.prefix;
    // A reconnecting child's host keeps its charts: they count.
    for (const chart of this.#host.charts.values()) {
      this.#dimensions += chart.dimensions.length;
      this.#widest = Math.max(this.#widest, chart.dimensions.length);
    }
  }

  /** The most dimensions one chart of the host has: an `END` costs at most this much work. */
  get widestChart(): number {
    return this.#widest;
  }

  /** `CHART <id>`: true when the chart exists or fits; false when it is refused (its later lines are ignored). */
  chart(id: string): boolean {
    if (this.#refusedCharts.has(id)) return false;
    if (this.#host.charts.has(id) || this.#host.charts.size < this.#limits.maxChartsPerHost) return true;
    this.#reached("maxChartsPerHost", `further charts refused, starting with '${id}'`);
    this.#remember(id);
    this.#refusedCharts.add(id);
    return false;
  }

  /**
   * The chart a `keyword` line names; `undefined` when it was refused (the line is ignored); throws
   * {@link StreamRefused} with 1.37's message for a chart never defined.
   */
  chartNamed(id: string, keyword: string): Chart | undefined {
    const chart = this.#host.charts.get(id);
    if (chart !== undefined || this.#refusedCharts.has(id)) return chart;
    throw new StreamRefused(
      `PLUGINSD: 'host:${this.#host.identity.hostname}/chart:${id}' got a ${keyword} but chart does not exist.`,
    );
  }

  /**
   * `DIMENSION <id>` of `chart`: true when it exists or fits (a new one is counted: the caller adds it);
   * false when it is refused.
   */
  dimension(chart: Chart, id: string): boolean {
    if (chart.find(id) !== undefined) return true;
    if (this.isRefusedDimension(chart, id)) return false;
    const perChart = chart.dimensions.length >= this.#limits.maxDimensionsPerChart;
    if (!perChart && this.#dimensions < this.#limits.maxDimensionsPerHost) {
      this.#dimensions++;
      this.#widest = Math.max(this.#widest, chart.dimensions.length + 1);
      return true;
    }
    const what = `further dimensions refused, starting with '${id}' of chart '${chart.id}'`;
    this.#reached(perChart ? "maxDimensionsPerChart" : "maxDimensionsPerHost", what);
    this.#remember(id);
    let refused = this.#refusedDimensions.get(chart);
    if (refused === undefined) this.#refusedDimensions.set(chart, refused = new Set());
    refused.add(id);
    return false;
  }

  /** Whether `DIMENSION <id>` of `chart` was refused on this connection. */
  isRefusedDimension(chart: Chart, id: string): boolean {
    return this.#refusedDimensions.get(chart)?.has(id) ?? false;
  }

  /**
   * The dimension of `chart` a `keyword` line names; `undefined` when it was refused (the line is ignored);
   * throws {@link StreamRefused} with 1.37's message for one never defined.
   */
  dimensionNamed(chart: Chart, id: string, keyword: string): Dimension | undefined {
    const dim = chart.find(id);
    if (dim !== undefined || this.isRefusedDimension(chart, id)) return dim;
    throw new StreamRefused(
      `PLUGINSD: 'host:${this.#host.identity.hostname}/chart:${chart.id}/dim:${id}' got a ${keyword} but dimension does not exist.`,
    );
  }

  /**
   * A label about to join `pending` (the host's labels until `OVERWRITE`, or a chart's until
   * `CLABEL_COMMIT`): true when it replaces one or fits.
   */
  label(pending: ReadonlyMap<string, unknown>, name: string, chartId?: string): boolean {
    if (pending.has(name) || pending.size < this.#limits.maxLabelsPerHost) return true;
    const whose = chartId === undefined ? "host labels" : `labels of chart '${chartId}'`;
    const what = `further ${whose} refused, starting with '${name}'`;
    this.#reached("maxLabelsPerHost", what, chartId === undefined ? "maxLabelsPerHost" : "chartLabels");
    return false;
  }

  /** A custom variable about to be set in `variables` (the host's or a chart's): true when it exists or fits. */
  variable(variables: ReadonlyMap<string, number>, name: string): boolean {
    if (variables.has(name) || variables.size < MAX_CUSTOM_VARIABLES) return true;
    if (!this.#logged.has("variables")) {
      this.#logged.add("variables");
      this.#log.error(
        `${this.#prefix}: reached ${MAX_CUSTOM_VARIABLES} custom variables of one host or chart: further variables refused, starting with '${name}'.`,
      );
    }
    return false;
  }

  #reached(limit: keyof ReceiverLimits, what: string, logOnce: Reached = limit): void {
    if (this.#logged.has(logOnce)) return;
    this.#logged.add(logOnce);
    this.#log.error(`${this.#prefix}: reached '${limitOptionName(limit)}' (${this.#limits[limit]}): ${what}.`);
  }

  /** Counts a refused id; past the bound the child is cut off. */
  #remember(id: string): void {
    this.#refusedIds++;
    this.#refusedChars += id.length;
    if (this.#refusedIds <= MAX_REFUSED_IDS && this.#refusedChars <= MAX_REFUSED_ID_CHARS) return;
    throw new StreamRefused(
      `${this.#prefix}: ${this.#refusedIds} charts and dimensions refused for the host's limits, more than the ${MAX_REFUSED_IDS} ids (or ${MAX_REFUSED_ID_CHARS} characters of ids) a parent remembers. Disabling it.`,
    );
  }
}
