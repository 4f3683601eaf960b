/**
 * What the receiver needs of a child's storage: the read side every parent room uses ({@link HostSeries}),
 * the live side (it observes the host model and stores a point at every `END`), and the replication entry
 * points that store points at their own timestamps and restore the collection state. `src/parent/storage/`'s
 * `HostStore` satisfies it (its methods answer a boolean the receiver does not need: it checks charts and
 * dimensions itself, to log and cut off the child as 1.37 does).
 *
 * @module
 */

import type { ReceiverPolicy } from "./admission.ts";
import type { Host, HostObserver } from "../../metrics/host.ts";
import type { CollectedNumber } from "../../protocol/numbers.ts";
import type { HostSeries } from "../storage/series.ts";

/**
 * One child's storage as the receiver drives it.
 *
 * @example
 * ```ts
 * const store: ReceiverStore = createStore(policy, host);
 * host.observe(store);
 * store.replayBegin("system.cpu", 1795423445, 1795423446);
 * store.storeReplayed("system.cpu", 1795423446, "user", 2.5, false);
 * ```
 */
export interface ReceiverStore extends HostSeries, HostObserver {
  /** One replicated point starts (`RBEGIN '' <start> <end> <now>` whose times the receiver accepted). */
  replayBegin(chartId: string, startS: number, endS: number): void;
  /**
   * One replicated value (`RSET` inside `RBEGIN '' <start> <end> <now>`), stored in the slot ending at
   * `endS` (epoch seconds). `NaN` marks an empty slot (`E` flag); `reset` is the `R` flag.
   */
  storeReplayed(chartId: string, endS: number, dimensionId: string, value: number, reset: boolean): void;
  /**
   * A dimension's collection state as the child had it when its replication answer ended (`RDSTATE`), so
   * the next incremental value is computed against the child's last collection rather than a stale one.
   */
  restoreDimension(
    chartId: string,
    dimensionId: string,
    lastCollectedUs: number,
    lastCollected: CollectedNumber,
    lastCalculated: number,
    lastStored: number,
  ): void;
  /** The chart's collection state (`RSSTATE`), epoch µs. */
  restoreChart(chartId: string, lastCollectedUs: number, lastUpdatedUs: number): void;
  /** The child finished one replication answer for the chart (`REND`); `startStreaming` = live data follows. */
  replicationEnded(chartId: string, startStreaming: boolean): void;
}

/**
 * Makes the store of a child's host the receiver has no store for yet, from the child's effective settings
 * (memory mode, history). The receiver then makes the store observe the host.
 *
 * @example
 * ```ts
 * const createStore: CreateStore = (policy, host) =>
 *   new HostStore(host, { mode: policy.memoryMode, history: policy.history, directory: "/var/cache/rill", log });
 * ```
 */
export type CreateStore = (policy: ReceiverPolicy, host: Host) => ReceiverStore;
