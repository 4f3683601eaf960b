/**
 * What the receiver needs of a child's storage: the read side every parent room uses ({@link HostSeries}),
 * the live side (it observes the host model and stores a point at every `END`), and the replication entry
 * points that store points at their own timestamps. `src/parent/storage/`'s `HostStore` satisfies it.
 *
 * @module
 */

import type { ReceiverPolicy } from "../../config/stream_conf.ts";
import type { HostIdentity, HostObserver } from "../../metrics/host.ts";
import type { CollectedNumber } from "../../protocol/numbers.ts";
import type { HostSeries } from "../storage/series.ts";

/**
 * One child's storage as the receiver drives it.
 *
 * @example
 * ```ts
 * const store: ReceiverStore = createStore(policy, identity);
 * host.observe(store);
 * store.storeReplayed("system.cpu", 1795423446, "user", 2.5, false);
 * ```
 */
export interface ReceiverStore extends HostSeries, HostObserver {
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
    lastStored: number,
  ): void;
  /** The child finished one replication answer for the chart (`REND`); `startStreaming` = live data follows. */
  replicationEnded(chartId: string, startStreaming: boolean): void;
}

/**
 * Makes the store of a child the parent has not seen before, from its effective settings (memory mode,
 * history) and identity.
 *
 * @example
 * ```ts
 * const createStore: CreateStore = (policy, identity) => new HostStore({ mode: policy.memoryMode, history: policy.history, log });
 * ```
 */
export type CreateStore = (policy: ReceiverPolicy, identity: HostIdentity) => ReceiverStore;
