/**
 * A parent's answer to its own parent's `REPLAY_CHART` (when it streams a child's host onward, as a proxy):
 * the stored points between `after` and `before`, then each dimension's collection state and the chart's,
 * as a 1.37 child with a database answers (`replicate_chart_response`). Without a database (memory mode
 * `none`) there are no points, and the collection state alone lets the next parent time the data that
 * follows by the child's clock.
 *
 * The answer's shape is that of `src/stream/`'s `ReplaySource`; storage does not import the sender (the cli
 * hands this object to it): both speak ../../metrics/replication_answer.ts.
 *
 * @module
 */

import {
  type HeldPoints,
  replicationAnswer,
  type ReplicationLine,
  type ReplicationRequest,
} from "../../metrics/replication_answer.ts";
import { retentionStart } from "../../metrics/retention.ts";
import type { HostStore } from "./host_store.ts";

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
   * The answer, from the opening `RBEGIN` to the `REND` (../../metrics/replication_answer.ts); `undefined`
   * when the host has no such chart. With `limitBytes` (the room in the sender's buffer), points stop once
   * their text would pass it (at least one is sent): the next parent asks for the rest.
   */
  replay(request: ReplicationRequest, limitBytes = Infinity): ReplicationLine[] | undefined {
    const series = this.#store.series(request.chartId);
    const collection = this.#store.collection(request.chartId);
    if (series === undefined || collection === undefined) return undefined;
    const chart = series.chart;
    const held: HeldPoints = {
      updateEvery: series.updateEvery,
      oldestS: series.firstTimeS(),
      newestS: series.lastTimeS(),
      visit(columns, afterS, beforeS, point) {
        // The slots ending in (afterS, beforeS], as 1.37's query walks them.
        const window = series.read(columns.map((c) => chart.dimensions[c].id), afterS + 1, beforeS);
        const values = new Float64Array(columns.length);
        const resets = columns.map(() => false);
        for (let j = 0; j < window.times.length; j++) {
          columns.forEach((_, i) => {
            values[i] = window.columns[i][j];
            resets[i] = window.resets[i][j] !== 0;
          });
          if (!point(window.times[j], values, resets)) return;
        }
      },
    };
    return replicationAnswer(request, chart, collection, held, this.#nowS(), limitBytes);
  }
}
