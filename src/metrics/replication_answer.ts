/**
 * The answer to a parent's `REPLAY_CHART`, as a 1.37 node with a database gives it
 * (`replicate_chart_response`): the held points in `(after, before]`, then, when live data is to follow,
 * each dimension's collection state and the chart's, then `REND` with the retention and the span answered.
 * One function for every node that answers: a collector from its replay ring (../stream/replay_ring.ts), a
 * parent streaming onward from its storage (../parent/storage/replay.ts). They differ only in where the
 * points come from ({@link HeldPoints}); the window arithmetic, the byte bound and the closing lines are
 * here, once.
 *
 * @module
 */

import type {
  ReplayBeginCommand,
  ReplayChartStateCommand,
  ReplayDimensionStateCommand,
  ReplayEndCommand,
  ReplaySetCommand,
} from "../protocol/commands.ts";
import { replayPointBytes } from "../protocol/encode.ts";
import type { Chart } from "./chart.ts";
import type { ChartCollection } from "./collection.ts";
import { retentionStart } from "./retention.ts";

/** A clock read ahead of the data by this much is tolerated (1.37's `tolerance`). */
const TOLERANCE_S = 2;

/**
 * A parent's request for a chart's history (`REPLAY_CHART`).
 *
 * @example
 * ```ts
 * const request: ReplicationRequest = { chartId: "system.cpu", after: 0, before: 0, startStreaming: true };
 * ```
 */
export interface ReplicationRequest {
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
export type ReplicationLine =
  | ReplayBeginCommand
  | ReplaySetCommand
  | ReplayDimensionStateCommand
  | ReplayChartStateCommand
  | ReplayEndCommand;

/**
 * The points a node holds of one chart, on the grid of `updateEvery`.
 *
 * @example
 * ```ts
 * const none: HeldPoints = { updateEvery: 1, oldestS: 0, newestS: 0, visit() {} };
 * ```
 */
export interface HeldPoints {
  /** Seconds between the held points. */
  readonly updateEvery: number;
  /** The end of the oldest held point, epoch seconds (0 when none is held). */
  readonly oldestS: number;
  /** The end of the newest held point, epoch seconds (0 when none is held). */
  readonly newestS: number;
  /**
   * Calls `point` for each held point ending in `(afterS, beforeS]`, oldest first, with the values of the
   * chart's dimensions at `columns` (NaN where a slot is empty) and whether each was a counter reset; stops
   * when `point` returns false. The arrays are only valid during the call.
   */
  visit(
    columns: readonly number[],
    afterS: number,
    beforeS: number,
    point: (endS: number, values: ArrayLike<number>, resets: ArrayLike<boolean>) => boolean,
  ): void;
}

/**
 * The answer to `request` for `chart`, whose collection state is `collection` and whose points are `held`,
 * at `nowS`. With `limitBytes`, points stop once their text would pass it (at least one is sent): the answer
 * then ends without starting the stream, at the last point sent, and the parent asks for the rest. Slots
 * empty on every dimension are skipped, as 1.37's query skips them.
 *
 * @example
 * ```ts
 * const lines = replicationAnswer(request, chart, collection, held, Math.floor(Date.now() / 1000));
 * lines.at(-1); // { kind: "REND", startStreaming: true, … }
 * ```
 */
export function replicationAnswer(
  request: ReplicationRequest,
  chart: Chart,
  collection: Pick<ChartCollection, "lastCollectedUs" | "lastUpdatedUs" | "dimensionState">,
  held: HeldPoints,
  nowS: number,
  limitBytes = Infinity,
): ReplicationLine[] {
  const firstS = Math.min(retentionStart(held.oldestS, held.updateEvery), nowS);
  let lastS = Math.floor(collection.lastUpdatedUs / 1e6) || held.newestS || nowS;
  if (lastS > nowS + TOLERANCE_S) lastS = nowS;

  let { after, before } = request;
  let queryAfter = Math.max(after, firstS);
  let queryBefore = request.startStreaming ? lastS : Math.min(before, lastS);
  if (queryAfter > queryBefore) [queryAfter, queryBefore] = [queryBefore, queryAfter];
  let startStreaming = request.startStreaming || queryBefore === lastS || after === 0 || before === 0;

  const lines: ReplicationLine[] = [{ kind: "RBEGIN", chart: chart.id, range: null }];
  const columns = chart.dimensions.flatMap((dim, column) => dim.obsolete ? [] : [column]);
  if (after !== 0 && before !== 0) {
    if (startStreaming && lastS > queryBefore) queryBefore = lastS;
    before = queryBefore;
    const ids = columns.map((c) => chart.dimensions[c].id);
    const pointBytes = replayPointBytes(ids);
    let bytes = 0;
    let lastSentS = 0;
    held.visit(columns, queryAfter, queryBefore, (endS, values, resets) => {
      let some = false;
      for (let i = 0; i < values.length && !some; i++) some = !Number.isNaN(values[i]);
      if (!some) return true;
      if (lastSentS !== 0 && bytes + pointBytes > limitBytes) {
        // Cut short: the parent continues from the last point sent.
        before = lastSentS;
        startStreaming = false;
        return false;
      }
      bytes += pointBytes;
      lastSentS = endS;
      lines.push({ kind: "RBEGIN", chart: "", range: { start: endS - held.updateEvery, end: endS, childNow: nowS } });
      ids.forEach((dimension, i) => {
        const value = values[i];
        lines.push({ kind: "RSET", dimension, value, flags: Number.isNaN(value) ? "E" : resets[i] ? "R" : "" });
      });
      return true;
    });
  } else {
    after = before = 0;
    startStreaming = true;
  }
  if (startStreaming) {
    for (const column of columns) {
      lines.push({ kind: "RDSTATE", dimension: chart.dimensions[column].id, ...collection.dimensionState(column) });
    }
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
    childNow: nowS,
  });
  return lines;
}
