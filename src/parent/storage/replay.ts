/**
 * A parent's answer to its own parent's `REPLAY_CHART` (when it streams a child's host onward, as a proxy):
 * the stored points between `after` and `before`, then each dimension's collection state and the chart's,
 * as a 1.37 child with a database answers (`replicate_chart_response`). Without a database (memory mode
 * `none`) there are no points, and the collection state alone lets the next parent time the data that
 * follows by the child's clock.
 *
 * The answer's shape is that of `src/stream/`'s `ReplaySource`; storage does not import the sender (the cli
 * hands this object to it), so the types are spelled here in protocol terms.
 *
 * @module
 */

import type {
  ReplayBeginCommand,
  ReplayChartStateCommand,
  ReplayDimensionStateCommand,
  ReplayEndCommand,
  ReplaySetCommand,
} from "../../protocol/commands.ts";
import { replayPointBytes } from "../../protocol/encode.ts";
import { retentionStart } from "../../metrics/retention.ts";
import type { HostStore } from "./host_store.ts";

/**
 * What the next parent asked for (`REPLAY_CHART`).
 *
 * @example
 * ```ts
 * const request: StoredReplayRequest = { chartId: "system.cpu", after: 1795420000, before: 1795420600, startStreaming: false };
 * ```
 */
export interface StoredReplayRequest {
  readonly chartId: string;
  /** Epoch seconds; `0 0` asks for no history. */
  readonly after: number;
  readonly before: number;
  readonly startStreaming: boolean;
}

/**
 * One line of the answer.
 *
 * @example
 * ```ts
 * const line: StoredReplayLine = { kind: "RBEGIN", chart: "system.cpu", range: null };
 * ```
 */
export type StoredReplayLine =
  | ReplayBeginCommand
  | ReplaySetCommand
  | ReplayDimensionStateCommand
  | ReplayChartStateCommand
  | ReplayEndCommand;

/**
 * The oldest and newest stored point of a chart, epoch seconds (both 0 when nothing is stored).
 *
 * @example
 * ```ts
 * const r: Retention = { firstS: 1795420000, lastS: 1795423600 };
 * ```
 */
export interface Retention {
  readonly firstS: number;
  readonly lastS: number;
}

/** A clock read ahead of the data by this much is tolerated (1.37's `tolerance`). */
const TOLERANCE_S = 2;

/**
 * Answers replication requests for one host from its {@link HostStore}.
 *
 * @example
 * ```ts
 * const replay = new StoredReplay(store);
 * const sender = new StreamSender({ host: store.host, config, log, replay });
 * ```
 */
export class StoredReplay {
  readonly #store: HostStore;
  readonly #nowS: () => number;

  /** `nowS` is the wall clock in epoch seconds; tests may pin it. */
  constructor(store: HostStore, nowS: () => number = () => Math.floor(Date.now() / 1000)) {
    this.#store = store;
    this.#nowS = nowS;
  }

  /**
   * What the chart holds, for its `CHART_DEFINITION_END`: the stored points, or with none the chart's last
   * update (so that the next parent still sees a live chart).
   */
  retention(chartId: string): Retention {
    const series = this.#store.series(chartId);
    const lastUpdatedS = Math.floor((this.#store.collection(chartId)?.lastUpdatedUs ?? 0) / 1e6);
    const firstS = series === undefined ? 0 : retentionStart(series.firstTimeS(), series.updateEvery);
    if (firstS === 0) return { firstS: 0, lastS: 0 };
    return { firstS, lastS: Math.max(series?.lastTimeS() ?? 0, lastUpdatedS) };
  }

  /**
   * The answer, from the opening `RBEGIN` to the `REND`; `undefined` when the host has no such chart. With
   * `limitBytes` (the room in the sender's buffer), points stop once their text would pass it (at least one
   * is sent) and the answer ends without starting the stream, at the last point sent: the next parent asks
   * for the rest.
   */
  replay(request: StoredReplayRequest, limitBytes = Infinity): StoredReplayLine[] | undefined {
    const series = this.#store.series(request.chartId);
    const collection = this.#store.collection(request.chartId);
    if (series === undefined || collection === undefined) return undefined;
    const chart = series.chart;
    const now = this.#nowS();
    const firstS = Math.min(retentionStart(series.firstTimeS(), series.updateEvery), now);
    let lastS = Math.floor(collection.lastUpdatedUs / 1e6) || series.lastTimeS() || now;
    if (lastS > now + TOLERANCE_S) lastS = now;

    let after = request.after;
    let before = request.before;
    let queryAfter = Math.max(after, firstS);
    let queryBefore = request.startStreaming ? lastS : Math.min(before, lastS);
    if (queryAfter > queryBefore) [queryAfter, queryBefore] = [queryBefore, queryAfter];
    let startStreaming = request.startStreaming || queryBefore === lastS || after === 0 || before === 0;

    const lines: StoredReplayLine[] = [{ kind: "RBEGIN", chart: chart.id, range: null }];
    const dims = chart.dimensions.filter((d) => !d.obsolete);
    if (after !== 0 && before !== 0) {
      if (startStreaming && lastS > queryBefore) queryBefore = lastS;
      before = queryBefore;
      // The slots ending in (queryAfter, queryBefore], as 1.37's query walks them.
      const window = series.read(dims.map((d) => d.id), queryAfter + 1, queryBefore);
      const every = series.updateEvery;
      const pointBytes = replayPointBytes(dims.map((d) => d.id));
      let bytes = 0;
      let lastSentS = 0;
      for (let j = 0; j < window.times.length; j++) {
        if (window.columns.every((column) => Number.isNaN(column[j]))) continue;
        const end = window.times[j];
        if (lastSentS !== 0 && bytes + pointBytes > limitBytes) {
          // Cut short: the next parent continues from the last point sent.
          before = lastSentS;
          startStreaming = false;
          break;
        }
        bytes += pointBytes;
        lastSentS = end;
        lines.push({ kind: "RBEGIN", chart: "", range: { start: end - every, end, childNow: now } });
        dims.forEach((dim, i) => {
          const value = window.columns[i][j];
          const flags = Number.isNaN(value) ? "E" : window.resets[i][j] ? "R" : "";
          lines.push({ kind: "RSET", dimension: dim.id, value, flags });
        });
      }
    } else {
      after = before = 0;
      startStreaming = true;
    }

    if (startStreaming) {
      chart.dimensions.forEach((dim, i) => {
        if (dim.obsolete) return;
        lines.push({ kind: "RDSTATE", dimension: dim.id, ...collection.dimensionState(i) });
      });
      lines.push({
        kind: "RSSTATE",
        lastCollectedUs: collection.lastCollectedUs,
        lastUpdatedUs: collection.lastUpdatedUs,
      });
    }
    lines.push({
      kind: "REND",
      updateEvery: chart.updateEvery,
      firstEntry: firstS,
      lastEntry: lastS,
      startStreaming,
      after,
      before,
      childNow: now,
    });
    return lines;
  }
}
