/**
 * The hosts a parent knows: its own (`localhost`) and every child that ever streamed to it, with their
 * connection status. The receiver adds and updates entries; the API reads them.
 *
 * @module
 */

import type { Host } from "../../metrics/host.ts";
import { canonicalGuid, isGuid } from "../../protocol/guid.ts";
import type { HostSeries } from "./series.ts";

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
 * What a `/host/<name>/` URL names ({@link HostCatalogue.find}): one host, several hosts sharing a hostname
 * at the tier that decides (with the machine GUIDs that name each of them), or nothing.
 *
 * @example
 * ```ts
 * const r: HostLookup = catalogue.find("edge-1");
 * if (r.kind === "found") r.entry.host.identity.machineGuid;
 * else if (r.kind === "ambiguous") r.guids; // ["82be38ca-…", "9f1c…"]
 * ```
 */
export type HostLookup =
  | { readonly kind: "found"; readonly entry: ParentHost }
  | {
    readonly kind: "ambiguous";
    readonly hostname: string;
    /** True when the hosts sharing the name are streaming now, false when all of them are disconnected. */
    readonly connected: boolean;
    /** Their machine GUIDs, in the order they first connected. */
    readonly guids: readonly string[];
  }
  | { readonly kind: "none" };

const NONE: HostLookup = { kind: "none" };

/**
 * All hosts of a parent, localhost first, the others in the order they first connected. Machine GUIDs are
 * keys in their canonical lower-case form, so a GUID in any case finds its host.
 *
 * @example
 * ```ts
 * const catalogue = new HostCatalogue(localEntry);
 * catalogue.add(childEntry);
 * const r = catalogue.find("edge-1");
 * if (r.kind === "found") r.entry.host.identity.machineGuid;
 * ```
 */
export class HostCatalogue {
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
   * The host a `/host/<name>/` URL names, tried in this order so that no newcomer can take over a name that
   * already leads somewhere surer:
   *
   * 1. a machine GUID (either case) of any host, the parent's included;
   * 2. the parent's own hostname, or `localhost` (as in 1.37): always the parent;
   * 3. a hostname held by exactly one child streaming now; two or more such children make it ambiguous;
   * 4. a hostname held by exactly one disconnected child; two or more make it ambiguous.
   *
   * Hostnames compare exactly, as in 1.37.
   */
  find(name: string): HostLookup {
    if (isGuid(name)) {
      const entry = this.byGuid(name);
      if (entry !== undefined) return { kind: "found", entry };
    }
    if (name === this.localhost.host.identity.hostname || name === "localhost") {
      return { kind: "found", entry: this.localhost };
    }
    const connected: ParentHost[] = [];
    const disconnected: ParentHost[] = [];
    for (const entry of this.#byGuid.values()) {
      if (entry.local || entry.host.identity.hostname !== name) continue;
      (entry.status.reachable ? connected : disconnected).push(entry);
    }
    return holderOf(name, connected, true) ?? holderOf(name, disconnected, false) ?? NONE;
  }

  /** Adds a host, or replaces the entry with the same machine GUID (a child that came back changed). */
  add(entry: ParentHost): void {
    this.#byGuid.set(canonicalGuid(entry.host.identity.machineGuid), entry);
  }
}

// The answer of one tier of find(): undefined when no host of the tier holds the name.
function holderOf(hostname: string, holders: readonly ParentHost[], connected: boolean): HostLookup | undefined {
  if (holders.length === 0) return undefined;
  if (holders.length === 1) return { kind: "found", entry: holders[0] };
  return { kind: "ambiguous", hostname, connected, guids: holders.map((e) => e.host.identity.machineGuid) };
}
