/**
 * The receiver's one hook for what happens to a child's host beyond storage: it hears when a child starts
 * and stops streaming here. A proxy's cli implements it by streaming the host onward; the receiver never
 * knows whether its hosts go anywhere.
 *
 * @module
 */

import type { ReceiverPolicy } from "./admission.ts";
import type { ParentHost } from "../storage/catalogue.ts";

/**
 * Hears a child's streams begin and end.
 *
 * @example
 * ```ts
 * const observer: ChildStreamObserver = {
 *   started: (entry, policy) => policy.proxy.enabled && console.log(`forwarding ${entry.host.identity.hostname}`),
 *   ended: (entry) => console.log(`${entry.host.identity.hostname} left`),
 * };
 * new Receiver({ catalogue, streamConf, settings, log, createStore, childStreams: observer });
 * ```
 */
export interface ChildStreamObserver {
  /**
   * A child was accepted and its stream starts: its host (with `status.hops` as the child announced them)
   * and the settings that apply to it (`policy.proxy` says whether and where it goes on).
   */
  started(entry: ParentHost, policy: ReceiverPolicy): void;
  /** The child's connection ended (it left, broke the protocol, timed out, or the parent shuts down). */
  ended(entry: ParentHost): void;
}
