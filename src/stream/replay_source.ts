/**
 * What a sender answers a parent's `REPLAY_CHART` from: the narrow {@link ReplaySource} the sender owns and
 * its user injects (a collector's replay ring, ./replay_ring.ts; a parent's storage when it streams onward).
 *
 * @module
 */

import type { ReplicationLine, ReplicationRequest } from "../metrics/replication_answer.ts";

/**
 * Answers replication requests. The answer is the whole block from the opening `RBEGIN "<chart>"` to its
 * `REND`; the `REND`'s `startStreaming` tells the sender whether live data may now flow.
 *
 * @example
 * ```ts
 * const source: ReplaySource = new ReplayRing({ budgetBytes: 10 * 1024 * 1024 });
 * source.replay({ chartId: "system.cpu", after: 0, before: 0, startStreaming: true })?.at(-1)?.kind; // "REND"
 * ```
 */
export interface ReplaySource {
  /**
   * The answer for `request`, or `undefined` when this source has no such chart. A source that can cut its
   * points short keeps their text within `limitBytes` (the room the sender's buffer has), ending the answer
   * without starting the stream so that the parent asks for the rest.
   */
  replay(request: ReplicationRequest, limitBytes?: number): readonly ReplicationLine[] | undefined;
  /**
   * The oldest and newest point the source holds for a chart (epoch seconds), announced in the chart's
   * `CHART_DEFINITION_END` so the parent knows what it may ask for; a source without it announces `0 0`,
   * and the parent asks for no history.
   */
  retention?(chartId: string): { readonly firstS: number; readonly lastS: number };
}
