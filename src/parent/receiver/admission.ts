/**
 * Who may stream, and with which settings: the admission policy of a 1.37 parent over the sections that
 * src/config/stream_conf.ts parses. For a child's API key and machine GUID it finds the sections that apply,
 * decides whether the child is let in (types, `enabled`, `allow from`), and settles the per-host settings in
 * force: the parent's own defaults, then the key section's `default …` names, then the machine section's
 * own names, each level overriding the last.
 *
 * @module
 */

import type { NetdataConf } from "../../config/netdata_conf.ts";
import { type LimitOverrides, RECEIVER_LIMITS, type ReceiverLimits } from "../../config/receiver_limits.ts";
import type { StreamAccessSection, StreamConf } from "../../config/stream_conf.ts";
import type { MemoryMode } from "../../config/values.ts";
import { allowsPeer } from "../../protocol/allow_from.ts";
import type { Destination } from "../../protocol/destination.ts";
import { canonicalGuid, isGuid } from "../../protocol/guid.ts";
import type { SimplePattern } from "../../protocol/simple_pattern.ts";

/**
 * The parent's own settings that per-host values fall back to (Netdata takes them from `netdata.conf`).
 *
 * @example
 * ```ts
 * const d: Partial<ReceiverDefaults> = { memoryMode: "ram" };
 * receiverPolicy(conf, apiKey, machineGuid, { defaults: d });
 * ```
 */
export interface ReceiverDefaults {
  // Table says ram, prose says dbengine; 1.37 falls back to the parent's own [db] mode, dbengine by default.
  readonly memoryMode: MemoryMode;
  readonly history: number;
  // Documented as auto; 1.37 itself falls back to [health] enabled (yes), so pass that to match it exactly.
  readonly healthEnabled: boolean | "auto";
  readonly postponeAlarmsOnConnectSeconds: number;
  /** `[db] enable replication` of netdata.conf. */
  readonly enableReplication: boolean;
  /** `[db] seconds to replicate` of netdata.conf. */
  readonly secondsToReplicate: number;
  /** `[db] seconds per replication step` of netdata.conf. */
  readonly replicationStepSeconds: number;
}

/**
 * Values {@link receiverPolicy} uses when neither section nor caller says otherwise.
 *
 * @example
 * ```ts
 * RECEIVER_DEFAULTS.memoryMode; // "dbengine"
 * ```
 */
export const RECEIVER_DEFAULTS: ReceiverDefaults = Object.freeze({
  memoryMode: "dbengine",
  history: 3600,
  healthEnabled: "auto",
  postponeAlarmsOnConnectSeconds: 60,
  enableReplication: true,
  secondsToReplicate: 86400,
  replicationStepSeconds: 600,
});

/**
 * The parent's own settings that per-child values fall back to, taken from its `netdata.conf` the way 1.37
 * does: memory mode, retention and replication from `[db]`; health off for children when `[health]` is off.
 *
 * @example
 * ```ts
 * const cfg = readConfigDir("/etc/netdata");
 * receiverPolicy(cfg.stream, apiKey, machineGuid, { defaults: receiverDefaultsFrom(cfg.netdata) });
 * ```
 */
export function receiverDefaultsFrom(netdata: NetdataConf): Partial<ReceiverDefaults> {
  return {
    memoryMode: netdata.db.mode,
    history: netdata.db.retention,
    // 1.37 starts from [health] enabled; while it is on we keep the documented "auto" for children.
    ...(netdata.health.enabled ? {} : { healthEnabled: false }),
    enableReplication: netdata.db.enableReplication,
    secondsToReplicate: netdata.db.secondsToReplicate,
    replicationStepSeconds: netdata.db.replicationStepSeconds,
  };
}

/**
 * Whether the parent lets a child in, and if not, the reason Netdata logs.
 *
 * @example
 * ```ts
 * const a: ReceiverAccess = receiverPolicy(conf, apiKey, machineGuid).access;
 * if (!a.allowed) console.log(a.reason);
 * ```
 */
export type ReceiverAccess =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly denial: ReceiverDenial; readonly reason: string };

/**
 * Which check refused a child, for code that must act on it (the parent's access log); `reason` says the same
 * for people.
 *
 * @example
 * ```ts
 * const d: ReceiverDenial = "key-not-enabled";
 * ```
 */
export type ReceiverDenial =
  | "key-not-guid"
  | "machine-guid-not-guid"
  | "key-is-machine"
  | "key-not-enabled"
  | "key-not-from-ip"
  | "machine-is-key"
  | "machine-not-enabled"
  | "machine-not-from-ip";

/**
 * The effective settings for one child host on a parent.
 *
 * @example
 * ```ts
 * const p: ReceiverPolicy = receiverPolicy(conf, apiKey, machineGuid);
 * p.memoryMode; // e.g. "dbengine"
 * ```
 */
export interface ReceiverPolicy {
  readonly apiKey: string;
  readonly machineGuid: string;
  /** The access decision (IP checks only when `clientIp` was given). */
  readonly access: ReceiverAccess;
  /** The key's section, if the file has one. */
  readonly keySection: StreamAccessSection | undefined;
  /** The machine GUID's section, if the file has one. */
  readonly machineSection: StreamAccessSection | undefined;
  /** `update every` forced by the machine section; `undefined` means the child's own value. */
  readonly updateEvery: number | undefined;
  /** History entries for ram/save/map/alloc (never below 5, as in Netdata). */
  readonly history: number;
  readonly memoryMode: MemoryMode;
  readonly healthEnabled: boolean | "auto";
  readonly postponeAlarmsOnConnectSeconds: number;
  readonly proxy: {
    /** Configured and usable: Netdata needs a destination and an API key too. */
    readonly enabled: boolean;
    readonly destination: readonly Destination[];
    readonly destinationText: string;
    readonly apiKey: string;
    readonly sendChartsMatching: SimplePattern;
  };
  readonly replication: { readonly enabled: boolean; readonly seconds: number; readonly stepSeconds: number };
  /** Compression allowed for this host: `[stream]`, key and machine sections must all allow it. */
  readonly compression: boolean;
  /** How much the child may define (`max charts per host`, …; see src/config/receiver_limits.ts). */
  readonly limits: ReceiverLimits;
}

/**
 * Options of {@link receiverPolicy}.
 *
 * @example
 * ```ts
 * receiverPolicy(conf, apiKey, machineGuid, { clientIp: "10.0.0.5", defaults: { history: 7200 } });
 * ```
 */
export interface ReceiverPolicyOptions {
  /** The child's address as the socket reports it; when given, `allow from` of both sections is checked. */
  readonly clientIp?: string;
  /** The parent's own defaults (e.g. from netdata.conf); missing fields use {@link RECEIVER_DEFAULTS}. */
  readonly defaults?: Partial<ReceiverDefaults>;
}

/**
 * The effective settings for a child that connects with `apiKey` and `machineGuid`, looked up the way a
 * 1.37 parent does: start from the parent's defaults (proxy settings from its own `[stream]`), then the
 * key section's `default …` names, then the machine section's own names, each level overriding the last.
 * `type` defaults to `api` when a section is read as a key and to `machine` when read as a GUID; `enabled`
 * defaults to no for a key and yes for a machine. Sections are found whatever case the key, the GUID or the
 * section name is written in (1.37 compares them exactly, so a child sending its GUID in upper case missed
 * its lower-case section there). `allow from` follows src/protocol/allow_from.ts: a loopback child is
 * matched by its address and by `localhost`.
 *
 * @example
 * ```ts
 * const conf = parseStreamConf(
 *   "[11111111-2222-3333-4444-555555555555]\n enabled = yes\n default memory mode = dbengine\n" +
 *     "[22222222-2222-3333-4444-555555555555]\n memory mode = save\n",
 * );
 * const p = receiverPolicy(conf, "11111111-2222-3333-4444-555555555555", "22222222-2222-3333-4444-555555555555");
 * p.memoryMode; // "save"
 * p.access.allowed; // true
 * ```
 */
export function receiverPolicy(
  conf: StreamConf,
  apiKey: string,
  machineGuid: string,
  options: ReceiverPolicyOptions = {},
): ReceiverPolicy {
  const base: ReceiverDefaults = { ...RECEIVER_DEFAULTS, ...options.defaults };
  const keySection = accessSection(conf, apiKey);
  const machineSection = accessSection(conf, machineGuid);
  const k = keySection?.keyDefaults ?? {};
  const m = machineSection?.host ?? {};
  const own = conf.stream;

  const proxyEnabled = m.proxyEnabled ?? k.proxyEnabled ?? own.enabled;
  const destinationText = m.proxyDestinationText ?? k.proxyDestinationText ?? own.destinationText;
  const proxyApiKey = m.proxyApiKey ?? k.proxyApiKey ?? own.apiKey;

  return {
    apiKey,
    machineGuid,
    access: decideAccess(apiKey, machineGuid, keySection, machineSection, options.clientIp),
    keySection,
    machineSection,
    updateEvery: m.updateEvery,
    history: Math.max(5, m.history ?? k.history ?? base.history),
    memoryMode: m.memoryMode ?? k.memoryMode ?? base.memoryMode,
    healthEnabled: m.healthEnabled ?? k.healthEnabled ?? base.healthEnabled,
    postponeAlarmsOnConnectSeconds: m.postponeAlarmsOnConnectSeconds ?? k.postponeAlarmsOnConnectSeconds ??
      base.postponeAlarmsOnConnectSeconds,
    proxy: {
      enabled: proxyEnabled && destinationText.length > 0 && proxyApiKey.length > 0,
      destination: m.proxyDestination ?? k.proxyDestination ?? own.destination,
      destinationText,
      apiKey: proxyApiKey,
      sendChartsMatching: m.proxySendChartsMatching ?? k.proxySendChartsMatching ?? own.sendChartsMatching,
    },
    replication: {
      enabled: m.enableReplication ?? k.enableReplication ?? base.enableReplication,
      seconds: m.secondsToReplicate ?? k.secondsToReplicate ?? base.secondsToReplicate,
      stepSeconds: m.replicationStepSeconds ?? k.replicationStepSeconds ?? base.replicationStepSeconds,
    },
    compression: own.enableCompression && (m.enableCompression ?? k.enableCompression ?? own.enableCompression),
    limits: receiverLimits(k.limits, m.limits),
  };
}

/**
 * The limits for a child: its machine-GUID section's values, else its key section's, else the defaults.
 *
 * @example
 * ```ts
 * receiverLimits({ maxChartsPerHost: 500 }, { maxChartsPerHost: 800 }).maxChartsPerHost; // 800
 * receiverLimits({ maxChartsPerHost: 500 }, undefined).maxDimensionsPerChart; // 2000
 * ```
 */
export function receiverLimits(key: LimitOverrides | undefined, machine: LimitOverrides | undefined): ReceiverLimits {
  const limits: { -readonly [K in keyof ReceiverLimits]: number } = { ...RECEIVER_LIMITS };
  for (const limit of Object.keys(RECEIVER_LIMITS) as (keyof ReceiverLimits)[]) {
    limits[limit] = machine?.[limit] ?? key?.[limit] ?? RECEIVER_LIMITS[limit];
  }
  return limits;
}

// A key or machine GUID finds its section whatever case either is written in.
function accessSection(conf: StreamConf, name: string): StreamAccessSection | undefined {
  return conf.sections.get(isGuid(name) ? canonicalGuid(name) : name);
}

function allows(pattern: SimplePattern | undefined, address: string): boolean {
  // Netdata builds no pattern from a blank list and then skips the check.
  if (pattern === undefined || pattern.source.trim().length === 0) return true;
  return allowsPeer(pattern, address);
}

function decideAccess(
  apiKey: string,
  machineGuid: string,
  keySection: StreamAccessSection | undefined,
  machineSection: StreamAccessSection | undefined,
  clientIp: string | undefined,
): ReceiverAccess {
  const deny = (denial: ReceiverDenial, reason: string): ReceiverAccess => ({ allowed: false, denial, reason });
  if (!isGuid(apiKey)) return deny("key-not-guid", "API key is not a valid GUID");
  if (!isGuid(machineGuid)) return deny("machine-guid-not-guid", "machine GUID is not a valid GUID");
  const keyType = keySection?.declaredType ?? "api";
  if (keyType !== "api") return deny("key-is-machine", "API key is a machine GUID");
  if (!(keySection?.enabled ?? false)) return deny("key-not-enabled", "API key is not enabled");
  if (clientIp !== undefined && !allows(keySection?.allowFrom, clientIp)) {
    return deny("key-not-from-ip", "API key is not allowed from this IP");
  }
  const machineType = machineSection?.declaredType ?? "machine";
  if (machineType !== "machine") return deny("machine-is-key", "machine GUID is an API key");
  if (!(machineSection?.enabled ?? true)) return deny("machine-not-enabled", "machine GUID is not enabled");
  if (clientIp !== undefined && !allows(machineSection?.allowFrom, clientIp)) {
    return deny("machine-not-from-ip", "machine GUID is not allowed from this IP");
  }
  return { allowed: true };
}
