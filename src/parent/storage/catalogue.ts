/**
 * The hosts a parent knows: its own (`localhost`) and every child that streamed to it, with their connection
 * status. The receiver adds and updates entries; the API reads them.
 *
 * A child that went away is an orphan. The catalogue forgets an orphan after `[db] cleanup orphan hosts after
 * secs` (1.37's rule), and, so that children reconnecting under ever new machine GUIDs cannot grow it without
 * end, forgets the orphan disconnected longest whenever a new host would leave more than `[db] max orphan
 * hosts`. Forgetting hands the host's stored data to an injected `retire` (the cli saves it or deletes its
 * files); a child that comes back after that starts afresh (or from its saved files).
 *
 * @module
 */

import type { Host } from "../../metrics/host.ts";
import { canonicalGuid, isGuid } from "../../protocol/guid.ts";
import type { Logger } from "../../runtime/log.ts";
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
 * What a host is to this parent: its own (`local`), a child streaming to it now, directly or through
 * proxies (`streaming`), or a child that left and whose data the parent still holds and answers for
 * (`stale`, until the orphan policy forgets it). Hosts known only from files on disk come with dbengine.
 *
 * @example
 * ```ts
 * const state: HostState = hostState(entry); // "streaming"
 * ```
 */
export type HostState = "local" | "streaming" | "stale";

/**
 * The {@link HostState} of an entry.
 *
 * @example
 * ```ts
 * hostState({ ...entry, local: false, status: { ...entry.status, reachable: false } }); // "stale"
 * ```
 */
export function hostState(entry: ParentHost): HostState {
  return entry.local ? "local" : entry.status.reachable ? "streaming" : "stale";
}

/**
 * The link a child streams over, as the receiver admitted it: how far away the host is (`hops`, 1 for a
 * direct child), the address of the node it came by (the child itself, or the nearest proxy) and the
 * capabilities negotiated with it.
 *
 * @example
 * ```ts
 * const link: StreamLink = { hops: 2, peer: "10.0.0.5:40522", capabilities: 15296 };
 * ```
 */
export interface StreamLink {
  readonly hops: number;
  readonly peer: string;
  readonly capabilities: number;
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
 * When the catalogue forgets disconnected children (the `[db]` options of the same names).
 *
 * @example
 * ```ts
 * const orphans: OrphanPolicy = { forgetAfterS: 3600, deleteFiles: true, maxOrphans: 500 };
 * ```
 */
export interface OrphanPolicy {
  /** `cleanup orphan hosts after secs`: a child disconnected this long is forgotten. */
  readonly forgetAfterS: number;
  /** `delete orphan hosts files`: a child forgotten for its age has its saved files deleted, not saved. */
  readonly deleteFiles: boolean;
  /** `max orphan hosts`: disconnected children kept at most once a new host arrives. */
  readonly maxOrphans: number;
}

/**
 * What the catalogue does with a forgotten host's stored data: delete its files (`"delete"`) or save them
 * (`"save"`); a promise that settles when that is done.
 *
 * @example
 * ```ts
 * const retire: RetireHost = (entry, how) => how === "save" ? store.save() : store.removeFiles();
 * ```
 */
export type RetireHost = (entry: ParentHost, how: "save" | "delete") => Promise<void>;

/**
 * Options of a {@link HostCatalogue}; without `orphans` it forgets no host.
 *
 * @example
 * ```ts
 * new HostCatalogue(localEntry, { orphans: { forgetAfterS: 3600, deleteFiles: true, maxOrphans: 500 }, retire, log });
 * ```
 */
export interface CatalogueOptions {
  readonly orphans?: OrphanPolicy;
  readonly retire?: RetireHost;
  readonly log?: Logger;
  /** The wall clock, epoch seconds (default `Date.now() / 1000`). */
  readonly nowS?: () => number;
}

/** How often {@link HostCatalogue.start} looks for orphans past their time. */
const SWEEP_EVERY_MS = 1000;

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
  readonly #options: CatalogueOptions;
  /** Forgotten hosts whose data is still being saved or deleted. */
  readonly #retiring = new Set<Promise<void>>();
  #sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(localhost: ParentHost, options: CatalogueOptions = {}) {
    this.localhost = localhost;
    this.#options = options;
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
      (hostState(entry) === "streaming" ? connected : disconnected).push(entry);
    }
    return holderOf(name, connected, true) ?? holderOf(name, disconnected, false) ?? NONE;
  }

  /**
   * Adds a host, or replaces the entry with the same machine GUID (a child that came back changed). A new
   * host may make the orphan disconnected longest be forgotten ({@link OrphanPolicy.maxOrphans}).
   */
  add(entry: ParentHost): void {
    const guid = canonicalGuid(entry.host.identity.machineGuid);
    const isNew = !this.#byGuid.has(guid);
    this.#byGuid.set(guid, entry);
    const max = this.#options.orphans?.maxOrphans;
    if (!isNew || max === undefined) return;
    // The newcomer is not streaming yet, but it is no orphan.
    const orphans = this.#orphans().filter((e) => e !== entry);
    if (orphans.length <= max) return;
    orphans.sort((a, b) => a.status.sinceS - b.status.sinceS);
    for (const orphan of orphans.slice(0, orphans.length - max)) {
      this.#forget(orphan, "save", `more than ${max} disconnected hosts ([db] max orphan hosts)`);
    }
  }

  /** A child's stream was admitted over `link`: the host is streaming from now on. */
  connected(entry: ParentHost, link: StreamLink): void {
    Object.assign(entry.status, { ...link, reachable: true, sinceS: Math.floor(this.#nowS()) });
  }

  /** A child's stream ended: the host is stale from now on, an orphan for the {@link OrphanPolicy}. */
  disconnected(entry: ParentHost): void {
    entry.status.reachable = false;
    entry.status.sinceS = Math.floor(this.#nowS());
  }

  /** Forgets the orphans disconnected for longer than {@link OrphanPolicy.forgetAfterS}; none without a policy. */
  sweep(): void {
    const policy = this.#options.orphans;
    if (policy === undefined) return;
    const nowS = this.#nowS();
    for (const orphan of this.#orphans()) {
      const awayS = nowS - orphan.status.sinceS;
      if (awayS <= policy.forgetAfterS) continue;
      this.#forget(
        orphan,
        policy.deleteFiles ? "delete" : "save",
        `disconnected for ${
          Math.floor(awayS)
        } s, more than ${policy.forgetAfterS} s ([db] cleanup orphan hosts after secs)`,
      );
    }
  }

  /** Sweeps once a second until {@link stop}; the timer does not keep the process alive. */
  start(): void {
    this.#sweeper ??= setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.#sweeper.unref?.();
  }

  /** Stops sweeping and waits until the data of every forgotten host is saved or deleted. */
  async stop(): Promise<void> {
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    await Promise.all(this.#retiring);
  }

  // Children not streaming now (never localhost).
  #orphans(): ParentHost[] {
    return [...this.#byGuid.values()].filter((e) => hostState(e) === "stale");
  }

  #nowS(): number {
    return this.#options.nowS?.() ?? Date.now() / 1000;
  }

  #forget(entry: ParentHost, how: "save" | "delete", why: string): void {
    const { hostname, machineGuid } = entry.host.identity;
    this.#byGuid.delete(canonicalGuid(machineGuid));
    const done = how === "save" ? "saving its data" : "deleting its files";
    this.#options.log?.info(`forgetting host '${hostname}' (machine GUID ${machineGuid}): ${why}; ${done}`);
    const retire = this.#options.retire;
    if (retire === undefined) return;
    const retiring: Promise<void> = retire(entry, how).catch((e) =>
      this.#options.log?.error(
        `cannot ${how === "save" ? "save" : "delete the files of"} forgotten host '${hostname}': ${
          e instanceof Error ? e.message : String(e)
        }`,
      )
    ).finally(() => this.#retiring.delete(retiring));
    this.#retiring.add(retiring);
  }
}

// The answer of one tier of find(): undefined when no host of the tier holds the name.
function holderOf(hostname: string, holders: readonly ParentHost[], connected: boolean): HostLookup | undefined {
  if (holders.length === 0) return undefined;
  if (holders.length === 1) return { kind: "found", entry: holders[0] };
  return { kind: "ambiguous", hostname, connected, guids: holders.map((e) => e.host.identity.machineGuid) };
}
