/**
 * A child's replication answers (`RBEGIN`…`REND`), applied as a 1.37 parent applies them: each `RBEGIN` with
 * times opens one point, its `RSET`s go to the store at that point's own timestamp, `RDSTATE`/`RSSTATE`
 * restore the collection state, `REND` closes the answer. Lines of a chart or dimension refused for the
 * child's limits are ignored; other lines 1.37 refuses throw a {@link StreamRefused}.
 *
 * @module
 */

import type { Chart } from "../../metrics/chart.ts";
import type {
  ReplayBeginCommand,
  ReplayChartStateCommand,
  ReplayDimensionStateCommand,
  ReplayEndCommand,
  ReplaySetCommand,
} from "../../protocol/commands.ts";
import type { Logger } from "../../runtime/log.ts";
import type { ChildLimits } from "./limits.ts";
import { requiresChart, StreamRefused } from "./refused.ts";
import type { ReceiverStore } from "./store.ts";

// Slot end of an RBEGIN that has no point open yet, and of one whose timestamps were refused.
const NO_POINT = 0;
const REFUSED_POINT = -1;

/**
 * What replication answers need from the session.
 *
 * @example
 * ```ts
 * const ctx: ReplayContext = { hostname: "child", store, limits, log, ended: (chart, cmd) => {} };
 * ```
 */
export interface ReplayContext {
  readonly hostname: string;
  readonly store: ReceiverStore;
  readonly limits: ChildLimits;
  readonly log: Logger;
  /** `REND` of a chart: the session asks for more, or notes that live data follows. */
  ended(chart: Chart, cmd: ReplayEndCommand): void;
}

/**
 * The replication answer a child is sending.
 *
 * @example
 * ```ts
 * const answer = new ReplayAnswer(ctx);
 * answer.begin({ kind: "RBEGIN", chart: "system.cpu", range: null });
 * ```
 */
export class ReplayAnswer {
  readonly #ctx: ReplayContext;
  /** The chart of the open answer. */
  #chart: Chart | undefined;
  /** The open answer is for a refused chart: its lines are ignored. */
  #refused = false;
  /** The slot the `RSET`s go to. */
  #endS = NO_POINT;

  constructor(ctx: ReplayContext) {
    this.#ctx = ctx;
  }

  /** `RBEGIN "<chart>"` opens an answer; `RBEGIN '' <start> <end> <now>` one point of it. */
  begin(cmd: ReplayBeginCommand): void {
    const { hostname, limits } = this.#ctx;
    if (cmd.chart !== "") {
      this.#chart = limits.chartNamed(cmd.chart, "RBEGIN");
      this.#refused = this.#chart === undefined;
    } else if (this.#chart === undefined && !this.#refused) {
      throw new StreamRefused(`PLUGINSD: 'host:${hostname}' got a RBEGIN without a chart id.`);
    }
    const chart = this.#chart;
    if (chart === undefined) return;
    const range = cmd.range;
    if (range === null) {
      this.#endS = NO_POINT;
      return;
    }
    const nowS = range.childNow !== 0 ? range.childNow : Math.floor(Date.now() / 1000);
    const tolerance = chart.updateEvery + 1;
    if (range.start < range.end && range.start < nowS + tolerance && range.end < nowS + tolerance) {
      this.#endS = range.end;
      this.#ctx.store.replayBegin(chart.id, range.start, range.end);
      return;
    }
    this.#endS = REFUSED_POINT;
    this.#ctx.log.error(
      `PLUGINSD REPLAY ERROR: 'host:${hostname}/chart:${chart.id}' got a RBEGIN from ${range.start} to ${range.end}, but timestamps are invalid (now is ${nowS} [${
        range.childNow !== 0 ? "child wall clock" : "parent wall clock"
      }], tolerance ${tolerance}). Ignoring RSET`,
    );
  }

  /** `RSET`: one value of the open point. */
  set(cmd: ReplaySetCommand): void {
    const chart = this.#open("RSET");
    const dim = chart && this.#ctx.limits.dimensionNamed(chart, cmd.dimension, "RSET");
    if (chart === undefined || dim === undefined || this.#endS === REFUSED_POINT) return;
    if (this.#endS === NO_POINT) {
      throw new StreamRefused(
        `PLUGINSD: 'host:${this.#ctx.hostname}/chart:${chart.id}/dim:${dim.id}' got a RSET with invalid timestamps 0 to 0 from a RBEGIN. Disabling it.`,
      );
    }
    const empty = cmd.flags.includes("E");
    this.#ctx.store.storeReplayed(chart.id, this.#endS, dim.id, empty ? NaN : cmd.value, cmd.flags.includes("R"));
  }

  /** `RDSTATE`: a dimension's collection state as the child has it. */
  dimensionState(cmd: ReplayDimensionStateCommand): void {
    const chart = this.#open("RDSTATE");
    const dim = chart && this.#ctx.limits.dimensionNamed(chart, cmd.dimension, "RDSTATE");
    if (chart === undefined || dim === undefined) return;
    const { lastCollectedUs, lastCollected, lastCalculated, lastStored } = cmd;
    this.#ctx.store.restoreDimension(chart.id, dim.id, lastCollectedUs, lastCollected, lastCalculated, lastStored);
  }

  /** `RSSTATE`: the chart's collection state as the child has it. */
  chartState(cmd: ReplayChartStateCommand): void {
    const chart = this.#open("RSSTATE");
    if (chart === undefined) return;
    chart.lastCollectedUs = cmd.lastCollectedUs;
    this.#ctx.store.restoreChart(chart.id, cmd.lastCollectedUs, cmd.lastUpdatedUs);
  }

  /** `REND`: the answer is complete. */
  end(cmd: ReplayEndCommand): void {
    const chart = this.#open("REND");
    this.#chart = undefined;
    this.#refused = false;
    this.#endS = NO_POINT;
    if (chart === undefined) return;
    this.#ctx.store.replicationEnded(chart.id, cmd.startStreaming);
    this.#ctx.ended(chart, cmd);
  }

  /** The chart of the open answer; `undefined` when it was refused; throws when no answer is open. */
  #open(keyword: string): Chart | undefined {
    if (this.#chart === undefined && !this.#refused) throw new StreamRefused(requiresChart(keyword, "RBEGIN"));
    return this.#chart;
  }
}
