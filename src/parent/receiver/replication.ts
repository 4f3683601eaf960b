/**
 * Which history a parent asks a child for, chart by chart (`REPLAY_CHART`), with the decisions of a 1.37
 * parent (protocol reference §7.1).
 *
 * @module
 */

import type { ReplayChartCommand } from "../../protocol/commands.ts";

/**
 * Everything the decision looks at.
 *
 * @example
 * ```ts
 * const input: ReplicationInput = {
 *   chart: "system.cpu", enabled: true, secondsToReplicate: 86400, stepSeconds: 600, nowS: 1795423447,
 *   dimensions: 10, localLastS: 0, childFirstS: 1795423347, childLastS: 1795423446, previousAfterS: 0, previousBeforeS: 0,
 * };
 * ```
 */
export interface ReplicationInput {
  readonly chart: string;
  /** `enable replication` for this host. */
  readonly enabled: boolean;
  /** `seconds to replicate`: how far back to ask when the parent has nothing. */
  readonly secondsToReplicate: number;
  /** `seconds per replication step`: the longest span of one request. */
  readonly stepSeconds: number;
  /** The parent's clock, epoch seconds. */
  readonly nowS: number;
  /** Dimensions the chart has. */
  readonly dimensions: number;
  /** The parent's newest stored point of the chart, epoch seconds; 0 when it has none. */
  readonly localLastS: number;
  /** The child's retention for the chart (`CHART_DEFINITION_END` or `REND`), epoch seconds. */
  readonly childFirstS: number;
  readonly childLastS: number;
  /** The range of the request this one continues (`REND … false`); both 0 for the first request. */
  readonly previousAfterS: number;
  readonly previousBeforeS: number;
}

/**
 * The request a 1.37 parent sends: `"true" 0 0` (no history, start streaming) when replication is off, the
 * child has no data, the chart has no dimensions, the child's range is invalid or the parent is already
 * newer; otherwise the gap from the parent's last point (or `now − seconds to replicate`, or the previous
 * `before` when continuing), cut to what the child has and to one step, streaming once the rest is short.
 *
 * @example
 * ```ts
 * replicationRequest({ ...input, childFirstS: 0, childLastS: 0 });
 * // { kind: "REPLAY_CHART", chart: "system.cpu", startStreaming: true, after: 0, before: 0 }
 * replicationRequest(input); // { …, startStreaming: true, after: 1795423347, before: 1795423446 }
 * ```
 */
export function replicationRequest(input: ReplicationInput): ReplayChartCommand {
  const empty: ReplayChartCommand = {
    kind: "REPLAY_CHART",
    chart: input.chart,
    startStreaming: true,
    after: 0,
    before: 0,
  };
  const { nowS, childFirstS, childLastS, stepSeconds } = input;
  // A local point in the future (clock jumps) counts as "now".
  const localLastS = Math.min(input.localLastS, nowS);
  if (
    !input.enabled || childLastS === 0 || input.dimensions === 0 || childFirstS <= 0 || childFirstS > childLastS ||
    localLastS > childLastS
  ) {
    return empty;
  }
  const continuing = input.previousAfterS !== 0 && input.previousBeforeS !== 0;
  const gapFrom = continuing ? input.previousBeforeS : localLastS !== 0 ? localLastS : nowS - input.secondsToReplicate;
  let after = Math.max(childFirstS, gapFrom);
  const before = Math.min(nowS - after > stepSeconds ? after + stepSeconds : nowS, childLastS);
  if (after > before) after = before;
  const startStreaming = nowS - after <= stepSeconds || before === childLastS;
  return { kind: "REPLAY_CHART", chart: input.chart, startStreaming, after, before };
}
