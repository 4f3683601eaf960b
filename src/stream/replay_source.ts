/**
 * What a sender answers a parent's `REPLAY_CHART` from: the narrow {@link ReplaySource} the sender owns and
 * its user injects (the collection state on a node without a database, later a parent's storage), and the
 * database-less one, {@link CollectionStateReplay}, which answers as a 1.37 child with `[db] mode = none`.
 *
 * @module
 */

import { gaugeValue } from "../metrics/calculation.ts";
import type { Host } from "../metrics/host.ts";
import type {
  ReplayBeginCommand,
  ReplayChartStateCommand,
  ReplayDimensionStateCommand,
  ReplayEndCommand,
  ReplaySetCommand,
} from "../protocol/commands.ts";

/**
 * A parent's request for a chart's history (`REPLAY_CHART`).
 *
 * @example
 * ```ts
 * const request: ReplayRequest = { chartId: "system.cpu", after: 0, before: 0, startStreaming: true };
 * ```
 */
export interface ReplayRequest {
  readonly chartId: string;
  /** Epoch seconds; `0 0` asks for no history. */
  readonly after: number;
  readonly before: number;
  /** The parent wants live data to follow this answer. */
  readonly startStreaming: boolean;
}

/**
 * One line of a replication answer: `RBEGIN` (the opening one, then one per point), `RSET`, `RDSTATE`,
 * `RSSTATE`, `REND`.
 */
export type ReplayCommand =
  | ReplayBeginCommand
  | ReplaySetCommand
  | ReplayDimensionStateCommand
  | ReplayChartStateCommand
  | ReplayEndCommand;

/**
 * Answers replication requests. The answer is the whole block from the opening `RBEGIN "<chart>"` to its
 * `REND`; the `REND`'s `startStreaming` tells the sender whether live data may now flow.
 *
 * @example
 * ```ts
 * const source: ReplaySource = new CollectionStateReplay(host);
 * source.replay({ chartId: "system.cpu", after: 0, before: 0, startStreaming: true })?.at(-1)?.kind; // "REND"
 * ```
 */
export interface ReplaySource {
  /** The answer for `request`, or `undefined` when this source has no such chart. */
  replay(request: ReplayRequest): readonly ReplayCommand[] | undefined;
  /**
   * The oldest and newest point the source holds for a chart (epoch seconds), announced in the chart's
   * `CHART_DEFINITION_END` so the parent knows what it may ask for; a source without it (a node without a
   * database) announces `0 0`, and the parent asks for no history.
   */
  retention?(chartId: string): { readonly firstS: number; readonly lastS: number };
}

/**
 * The answer of a node without a database: no points, each dimension's last collection and the chart's,
 * then start streaming (whatever the request asked: there is no more history to send).
 *
 * @example
 * ```ts
 * const sender = new StreamSender({ host, config, log, replay: new CollectionStateReplay(host) });
 * ```
 */
export class CollectionStateReplay implements ReplaySource {
  readonly #host: Host;
  readonly #nowSeconds: () => number;

  /** `nowSeconds` is the wall clock in epoch seconds; tests may pin it. */
  constructor(host: Host, nowSeconds: () => number = () => Math.floor(Date.now() / 1000)) {
    this.#host = host;
    this.#nowSeconds = nowSeconds;
  }

  replay(request: ReplayRequest): readonly ReplayCommand[] | undefined {
    const chart = this.#host.charts.get(request.chartId);
    if (chart === undefined) return undefined;
    const now = this.#nowSeconds();
    const lines: ReplayCommand[] = [{ kind: "RBEGIN", chart: chart.id, range: null }];
    const rowTotal = chart.dimensions.reduce((sum, d) => d.obsolete ? sum : sum + Number(d.value), 0);
    for (const dim of chart.dimensions) {
      if (dim.obsolete) continue;
      const calculated = gaugeValue(dim, rowTotal);
      lines.push({
        kind: "RDSTATE",
        dimension: dim.id,
        lastCollectedUs: chart.lastCollectedUs,
        lastCollected: dim.value,
        lastCalculated: calculated,
        lastStored: calculated,
      });
    }
    // The last point a database-less 1.37 child "stored" is its last collection, floored to the grid.
    const everyUs = chart.updateEvery * 1e6;
    lines.push({
      kind: "RSSTATE",
      lastCollectedUs: chart.lastCollectedUs,
      lastUpdatedUs: Math.floor(chart.lastCollectedUs / everyUs) * everyUs,
    });
    lines.push({
      kind: "REND",
      updateEvery: chart.updateEvery,
      firstEntry: 0,
      lastEntry: now,
      startStreaming: true,
      after: request.after,
      before: request.before,
      childNow: now,
    });
    return lines;
  }
}
