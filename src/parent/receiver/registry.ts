/**
 * The hosts a parent knows: its own (`localhost`) and every child that ever streamed to it, with their
 * connection status. The receiver adds and updates entries; the API reads them.
 *
 * @module
 */

import type { Host } from "../../metrics/host.ts";
import { canonicalGuid } from "../../protocol/guid.ts";
import type { HostSeries } from "../storage/series.ts";

/**
 * How a host is connected to this parent right now.
 *
 * @example
 * ```ts
 * const s: HostStatus = { reachable: true, hops: 1, sinceS: 1795420000, peer: "127.0.0.1:40522", capabilities: 15296 };
 * ```
 */
export interface HostStatus {
  /** Streaming to us now (always true for localhost). */
  reachable: boolean;
  /** 0 for localhost, 1 for a direct child, more behind proxies. */
  hops: number;
  /** Epoch seconds of the last connect or disconnect. */
  sinceS: number;
  /** `ip:port` of the current or last connection; empty for localhost. */
  peer: string;
  /** The negotiated capability bitmask of the current or last connection; 0 for localhost. */
  capabilities: number;
  /** The child's Netdata Cloud claim id (`CLAIMED_ID`); `null` when it said it is unclaimed, absent before. */
  claimId?: string | null;
}

/**
 * One host as the parent holds it.
 *
 * @example
 * ```ts
 * const entry: ParentHost = { host, series, local: false, status: { reachable: true, hops: 1, sinceS: 0, peer: "", capabilities: 0 } };
 * ```
 */
export interface ParentHost {
  /** The model the receiver (or, for localhost, the local sources) fills. */
  readonly host: Host;
  /** Its stored points. */
  readonly series: HostSeries;
  /** True for the parent's own host. */
  readonly local: boolean;
  readonly status: HostStatus;
}

/**
 * All hosts of a parent, localhost first, the others in the order they first connected.
 *
 * @example
 * ```ts
 * const registry = new HostRegistry(localEntry);
 * registry.add(childEntry);
 * registry.find("edge-1")?.host.identity.machineGuid;
 * ```
 */
export class HostRegistry {
  readonly localhost: ParentHost;
  readonly #byGuid: Map<string, ParentHost> = new Map();

  constructor(localhost: ParentHost) {
    this.localhost = localhost;
    this.#byGuid.set(canonicalGuid(localhost.host.identity.machineGuid), localhost);
  }

  /** Every host, localhost first. */
  all(): ParentHost[] {
    return [...this.#byGuid.values()];
  }

  /** The host with this machine GUID, written in either case. */
  byGuid(machineGuid: string): ParentHost | undefined {
    return this.#byGuid.get(canonicalGuid(machineGuid));
  }

  /**
   * The host a `/host/<name>/` URL names: by hostname (the most recently connected one wins when two
   * share it), else by machine GUID.
   */
  find(hostnameOrGuid: string): ParentHost | undefined {
    let found: ParentHost | undefined;
    for (const entry of this.#byGuid.values()) {
      if (entry.host.identity.hostname !== hostnameOrGuid) continue;
      if (found === undefined || entry.status.sinceS >= found.status.sinceS) found = entry;
    }
    return found ?? this.byGuid(hostnameOrGuid);
  }

  /** Adds a host, or replaces the entry with the same machine GUID (a child that came back changed). */
  add(entry: ParentHost): void {
    this.#byGuid.set(canonicalGuid(entry.host.identity.machineGuid), entry);
  }
}
