/**
 * Typed `stream.conf`: the child's `[stream]` section, the parent's API-key and machine-GUID sections, and
 * the per-host settings a parent derives from them ({@link receiverPolicy}), following Netdata 1.37
 * (`streaming/rrdpush.c`, `streaming/receiver.c`, `streaming/sender.c`).
 *
 * @module
 */

import type { Destination } from "../protocol/destination.ts";
import { canonicalGuid, isGuid } from "../protocol/guid.ts";
import { SimplePattern } from "../protocol/simple_pattern.ts";
import { DiagnosticSink, readDestinations, SectionReader, suggestKey } from "./_options.ts";
import {
  type LimitOverrides,
  readLimitOverrides,
  RECEIVER_LIMIT_KEYS,
  type ReceiverLimits,
  receiverLimits,
} from "./receiver_limits.ts";
import { type ConfigDiagnostic, type ConfigDocument, parseConfig, readConfigFile } from "./reader.ts";
import {
  looksLikeTemplate,
  type MemoryMode,
  parseBoolean,
  parseBooleanOrAuto,
  parseIntegerOption,
  parseMemoryMode,
  type ValueResult,
} from "./values.ts";

/**
 * The child (sending) side: `[stream]`.
 *
 * @example
 * ```ts
 * const s: StreamSenderConfig = parseStreamConf("[stream]\nenabled = no\n").stream;
 * s.timeoutSeconds; // 600
 * ```
 */
export interface StreamSenderConfig {
  /** `enabled`, default no. Forced to no (with a warning) when `destination` or `api key` is empty, as Netdata does. */
  readonly enabled: boolean;
  /** `destination` parsed with `default port`, in the order the child tries them; bad entries are left out. */
  readonly destination: readonly Destination[];
  /** `destination` as written. */
  readonly destinationText: string;
  /** `api key`, default empty. */
  readonly apiKey: string;
  /** `send charts matching`, default `*`. */
  readonly sendChartsMatching: SimplePattern;
  /** `enable compression`, default yes. */
  readonly enableCompression: boolean;
  // The reference table says yes and its prose says no; 1.37 verifies unless told otherwise, so no.
  /** `ssl skip certificate verification`, default no. */
  readonly sslSkipCertificateVerification: boolean;
  // The table's /etc/ssl/certs/ and …/cert.pem describe OpenSSL's own defaults; 1.37 passes nothing then.
  /** `CApath`; `undefined` means the TLS library's default trust store. */
  readonly caPath: string | undefined;
  /** `CAfile`; `undefined` means the TLS library's default trust store. */
  readonly caFile: string | undefined;
  // Table and stock file say 60; the 1.37 sender's compiled default is 600 (protocol reference §1).
  /** `timeout seconds`, default 600. */
  readonly timeoutSeconds: number;
  /** `default port`, default 19999. */
  readonly defaultPort: number;
  /** `buffer size bytes`, default 10485760. */
  readonly bufferSizeBytes: number;
  /** `reconnect delay seconds`, default 5. */
  readonly reconnectDelaySeconds: number;
  /** `initial clock resync iterations`, default 60. */
  readonly initialClockResyncIterations: number;
}

/**
 * Settings one API-key or machine-GUID section sets. Each is `undefined` when the section does not set it
 * (or sets it to something invalid), so the lookup falls through to the next level.
 *
 * @example
 * ```ts
 * const conf = parseStreamConf("[11111111-2222-3333-4444-555555555555]\ndefault history = 7200\n");
 * conf.apiKeys.get("11111111-2222-3333-4444-555555555555")?.keyDefaults.history; // 7200
 * ```
 */
export interface HostOverrides {
  readonly history?: number;
  readonly memoryMode?: MemoryMode;
  readonly healthEnabled?: boolean | "auto";
  readonly postponeAlarmsOnConnectSeconds?: number;
  readonly proxyEnabled?: boolean;
  /** The proxy destination list as written (parsed with `[stream] default port` by {@link receiverPolicy}). */
  readonly proxyDestination?: string;
  readonly proxyApiKey?: string;
  readonly proxySendChartsMatching?: SimplePattern;
  readonly enableReplication?: boolean;
  readonly secondsToReplicate?: number;
  readonly replicationStepSeconds?: number;
  readonly enableCompression?: boolean;
  /** Only read from machine-GUID sections (`update every`). */
  readonly updateEvery?: number;
  /** The per-child limits the section sets (same names in both kinds of section; see ./receiver_limits.ts). */
  readonly limits?: LimitOverrides;
}

/**
 * What a section is for: an API key (`type = api`) or one child's machine GUID (`type = machine`).
 *
 * @example
 * ```ts
 * parseStreamConf("[11111111-2222-3333-4444-555555555555]\ntype = machine\n").machines.size; // 1
 * ```
 */
export type StreamSectionKind = "api" | "machine";

/**
 * One `[GUID]` (or placeholder) section of a parent's `stream.conf`.
 *
 * @example
 * ```ts
 * const s = parseStreamConf("[11111111-2222-3333-4444-555555555555]\nenabled = yes\n").sections.get("11111111-2222-3333-4444-555555555555");
 * s?.enabled; // true
 * ```
 */
export interface StreamAccessSection {
  readonly name: string;
  readonly line: number;
  /** `type` as written, if set. */
  readonly declaredType: string | undefined;
  /** The declared type, or a guess from the keys used (`default …` names mean an API key). */
  readonly kind: StreamSectionKind;
  /** True for the stock `[API_KEY]` / `[MACHINE_GUID]` placeholders, which never match a child. */
  readonly placeholder: boolean;
  /** `enabled` when set. Unset means no for an API key and yes for a machine GUID. */
  readonly enabled: boolean | undefined;
  /** `allow from` when set (unset means `*`; a blank list allows everyone, as in Netdata). */
  readonly allowFrom: SimplePattern | undefined;
  /** Values under the API-key names (`default history`, `health enabled by default`, …). */
  readonly keyDefaults: HostOverrides;
  /** Values under the per-host names (`history`, `health enabled`, `update every`, …). */
  readonly host: HostOverrides;
}

/**
 * A parsed `stream.conf`.
 *
 * @example
 * ```ts
 * const conf: StreamConf = parseStreamConf("[stream]\nenabled = no\n");
 * conf.diagnostics.length; // 0
 * ```
 */
export interface StreamConf {
  readonly file: string;
  readonly stream: StreamSenderConfig;
  /**
   * Every GUID-named or placeholder section: a GUID-named one under its lower-case GUID ({@link canonicalGuid}),
   * whatever case the file writes it in; a placeholder under its name.
   */
  readonly sections: ReadonlyMap<string, StreamAccessSection>;
  /** GUID-named sections of kind `api`, by lower-case GUID. */
  readonly apiKeys: ReadonlyMap<string, StreamAccessSection>;
  /** GUID-named sections of kind `machine`, by lower-case GUID. */
  readonly machines: ReadonlyMap<string, StreamAccessSection>;
  /** Syntax and value diagnostics, in line order. */
  readonly diagnostics: readonly ConfigDiagnostic[];
  /** The raw document, for anything not modelled here. */
  readonly document: ConfigDocument;
}

/**
 * Defaults of the `[stream]` section (see the field comments of {@link StreamSenderConfig}).
 *
 * @example
 * ```ts
 * STREAM_DEFAULTS.defaultPort; // 19999
 * ```
 */
export const STREAM_DEFAULTS: StreamSenderConfig = Object.freeze({
  enabled: false,
  destination: Object.freeze([]) as readonly Destination[],
  destinationText: "",
  apiKey: "",
  sendChartsMatching: SimplePattern.parse("*"),
  enableCompression: true,
  sslSkipCertificateVerification: false,
  caPath: undefined,
  caFile: undefined,
  timeoutSeconds: 600,
  defaultPort: 19999,
  bufferSizeBytes: 10485760,
  reconnectDelaySeconds: 5,
  initialClockResyncIterations: 60,
});

const STREAM_KEYS = [
  "enabled",
  "destination",
  "api key",
  "send charts matching",
  "enable compression",
  "ssl skip certificate verification",
  "CApath",
  "CAfile",
  "timeout seconds",
  "default port",
  "buffer size bytes",
  "reconnect delay seconds",
  "initial clock resync iterations",
];

// Names a section answers to in both roles.
const COMMON_KEYS = [
  "type",
  "enabled",
  "allow from",
  "enable replication",
  "seconds to replicate",
  "seconds per replication step",
  "enable compression",
  ...RECEIVER_LIMIT_KEYS,
];
const KEY_ONLY = [
  "default history",
  "default memory mode",
  "health enabled by default",
  "default postpone alarms on connect seconds",
  "default proxy enabled",
  "default proxy destination",
  "default proxy api key",
  "default proxy send charts matching",
];
const MACHINE_ONLY = [
  "update every",
  "history",
  "memory mode",
  "health enabled",
  "postpone alarms on connect seconds",
  "proxy enabled",
  "proxy destination",
  "proxy api key",
  "proxy send charts matching",
  "host tags",
];
const ACCESS_KEYS = [...COMMON_KEYS, ...KEY_ONLY, ...MACHINE_ONLY];

// Keys of older stock files that 1.37 no longer reads.
const LEGACY_ACCESS_KEYS: Readonly<Record<string, string>> = {
  "multiple connections": "an option of older Netdata; 1.37 refuses a second connection while the first is alive",
};

const RENAMES: Readonly<Record<string, string>> = {
  replication_step: "seconds per replication step",
  "replication step": "seconds per replication step",
};

const PLACEHOLDERS = new Set(["API_KEY", "MACHINE_GUID"]);

const nonNegative = (t: string) => parseIntegerOption(t, { min: 0 });
const asText = (t: string): ValueResult<string> => ({ ok: true, value: t });
const asPattern = (t: string): ValueResult<SimplePattern> => ({ ok: true, value: SimplePattern.parse(t) });

/**
 * Parses `stream.conf` text. Never throws: invalid values keep their defaults and are reported with file and
 * line; unknown keys and sections are warnings.
 *
 * @example
 * ```ts
 * const conf = parseStreamConf("[stream]\n  enabled = yes\n  destination = tcp:parent\n  api key = 11111111-2222-3333-4444-555555555555\n");
 * conf.stream.destination[0].port; // 19999
 * ```
 */
export function parseStreamConf(text: string, file = "stream.conf"): StreamConf {
  return streamConfFromDocument(parseConfig(text, file));
}

/**
 * Reads and parses a `stream.conf` file; a missing file gives the defaults plus an error diagnostic on line 0
 * (use `readConfigDir` for "missing means defaults").
 *
 * @example
 * ```ts
 * const conf = readStreamConf("/etc/netdata/stream.conf");
 * if (conf.stream.enabled) console.log(conf.stream.destination.map((d) => d.text));
 * ```
 */
export function readStreamConf(path: string): StreamConf {
  return streamConfFromDocument(readConfigFile(path));
}

/**
 * Builds the typed view of an already parsed document.
 *
 * @example
 * ```ts
 * import { parseConfig } from "./reader.ts";
 * streamConfFromDocument(parseConfig("[stream]\nenabled = no\n", "stream.conf")).stream.enabled; // false
 * ```
 */
export function streamConfFromDocument(doc: ConfigDocument): StreamConf {
  const sink = new DiagnosticSink(doc.file, doc.diagnostics);
  const stream = readStreamSection(doc, sink);

  const sections = new Map<string, StreamAccessSection>();
  const apiKeys = new Map<string, StreamAccessSection>();
  const machines = new Map<string, StreamAccessSection>();
  for (const section of doc.sections.values()) {
    if (section.name === "stream") continue;
    const guid = isGuid(section.name);
    const placeholder = PLACEHOLDERS.has(section.name);
    if (!guid && !placeholder) {
      reportForeignSection(doc, section.name, section.line, sink);
      continue;
    }
    const key = guid ? canonicalGuid(section.name) : section.name;
    const earlier = sections.get(key);
    if (earlier !== undefined) {
      sink.warning(
        section.line,
        `[${section.name}] names the same GUID as [${earlier.name}] on line ${earlier.line} (GUIDs match whatever their case); only line ${earlier.line}'s section counts`,
      );
      continue;
    }
    const parsed = readAccessSection(doc, section.name, section.line, placeholder, stream.defaultPort, sink);
    sections.set(key, parsed);
    if (guid) (parsed.kind === "api" ? apiKeys : machines).set(key, parsed);
  }

  return { file: doc.file, stream, sections, apiKeys, machines, diagnostics: sink.sorted(), document: doc };
}

function readStreamSection(doc: ConfigDocument, sink: DiagnosticSink): StreamSenderConfig {
  if (doc.section("stream") === undefined) return STREAM_DEFAULTS;
  const r = new SectionReader(doc, "stream", sink);
  const d = STREAM_DEFAULTS;

  let enabled = r.value("enabled", parseBoolean, d.enabled);
  const defaultPort = r.value("default port", (t) => parseIntegerOption(t, { min: 1, max: 65535 }), d.defaultPort);
  const destEntry = r.entry("destination");
  const destination = destEntry === undefined ? [] : readDestinations(destEntry, "stream", defaultPort, sink);
  const destinationText = destEntry?.value ?? "";

  const keyEntry = r.entry("api key");
  const apiKey = keyEntry?.value ?? "";
  if (keyEntry !== undefined && apiKey.length > 0) {
    if (looksLikeTemplate(apiKey)) {
      sink.warning(keyEntry.line, `[stream] api key = ${apiKey}: looks like an unrendered template`);
    } else if (!isGuid(apiKey)) {
      sink.warning(
        keyEntry.line,
        `[stream] api key = ${apiKey}: expected a GUID like 11111111-2222-3333-4444-555555555555; a parent refuses any other key`,
      );
    }
  }

  if (enabled && (destinationText.length === 0 || apiKey.length === 0)) {
    const missing = destinationText.length === 0 ? "destination" : "api key";
    sink.warning(
      doc.entry("stream", "enabled")?.line ?? doc.section("stream")?.line ?? 0,
      `[stream] enabled = yes but '${missing}' is empty; Netdata does not stream then, so neither do we`,
    );
    enabled = false;
  }

  const conf: StreamSenderConfig = {
    enabled,
    destination,
    destinationText,
    apiKey,
    sendChartsMatching: r.value("send charts matching", asPattern, d.sendChartsMatching),
    enableCompression: r.value("enable compression", parseBoolean, d.enableCompression),
    sslSkipCertificateVerification: r.value(
      "ssl skip certificate verification",
      parseBoolean,
      d.sslSkipCertificateVerification,
    ),
    caPath: nonEmpty(r.text("CApath", "")),
    caFile: nonEmpty(r.text("CAfile", "")),
    timeoutSeconds: r.value("timeout seconds", nonNegative, d.timeoutSeconds),
    defaultPort,
    bufferSizeBytes: r.value("buffer size bytes", (t) => parseIntegerOption(t, { min: 1 }), d.bufferSizeBytes),
    reconnectDelaySeconds: r.value("reconnect delay seconds", nonNegative, d.reconnectDelaySeconds),
    initialClockResyncIterations: r.value(
      "initial clock resync iterations",
      nonNegative,
      d.initialClockResyncIterations,
    ),
  };

  for (const e of r.unread()) {
    const where = ACCESS_KEYS.includes(e.key)
      ? " (it belongs in an API-key or machine-GUID section, not in [stream])"
      : suggestKey(e.key, STREAM_KEYS, RENAMES);
    sink.warning(e.line, `[stream] unknown key '${e.key}'${where}; Netdata ignores it`);
  }
  return conf;
}

function nonEmpty(text: string): string | undefined {
  return text.length === 0 ? undefined : text;
}

function reportForeignSection(doc: ConfigDocument, name: string, line: number, sink: DiagnosticSink): void {
  const typeEntry = doc.entry(name, "type");
  const why = looksLikeTemplate(name) ? " (an unrendered template?)" : "";
  if (typeEntry !== undefined && (typeEntry.value === "api" || typeEntry.value === "machine")) {
    sink.error(
      line,
      `[${name}] declares 'type = ${typeEntry.value}' but its name is not a GUID${why}; expected a name like 11111111-2222-3333-4444-555555555555, so no child can ever match it`,
    );
    return;
  }
  sink.warning(
    line,
    `[${name}] is neither [stream] nor a GUID${why}; Netdata never reads this section`,
  );
}

function readAccessSection(
  doc: ConfigDocument,
  name: string,
  line: number,
  placeholder: boolean,
  defaultPort: number,
  sink: DiagnosticSink,
): StreamAccessSection {
  const r = new SectionReader(doc, name, sink);
  const keys = [...(doc.section(name)?.entries.keys() ?? [])];

  const typeEntry = r.entry("type");
  let declared: StreamSectionKind | undefined;
  if (typeEntry !== undefined) {
    if (typeEntry.value === "api" || typeEntry.value === "machine") declared = typeEntry.value;
    else {
      sink.error(
        typeEntry.line,
        `[${name}] type = ${typeEntry.value}: expected api or machine, found '${typeEntry.value}'; Netdata then refuses this section in both roles`,
      );
    }
  }
  const usesKeyNames = keys.some((k) => KEY_ONLY.includes(k));
  const usesHostNames = keys.some((k) => MACHINE_ONLY.includes(k));
  const kind: StreamSectionKind = declared ?? (usesHostNames && !usesKeyNames ? "machine" : "api");

  if (placeholder) {
    sink.warning(
      line,
      `[${name}] is the stock placeholder section; it never matches a child (replace the name with a real GUID)`,
    );
  }

  const enabled = r.optional("enabled", parseBoolean);
  const allowFrom = r.optional("allow from", asPattern);
  const common: HostOverrides = {
    enableReplication: r.optional("enable replication", parseBoolean),
    secondsToReplicate: r.optional("seconds to replicate", nonNegative),
    replicationStepSeconds: r.optional("seconds per replication step", (t) => parseIntegerOption(t, { min: 1 })),
    enableCompression: r.optional("enable compression", parseBoolean),
    limits: readLimitOverrides(r),
  };

  const proxyDestination = (key: string): string | undefined => {
    const e = r.entry(key);
    if (e === undefined) return undefined;
    readDestinations(e, name, defaultPort, sink); // validation only: the policy parses the winning value
    return e.value;
  };

  const keyDefaults: HostOverrides = {
    ...common,
    history: r.optional("default history", (t) => parseIntegerOption(t, { min: 0 })),
    memoryMode: r.optional("default memory mode", parseMemoryMode),
    healthEnabled: r.optional("health enabled by default", parseBooleanOrAuto),
    postponeAlarmsOnConnectSeconds: r.optional("default postpone alarms on connect seconds", nonNegative),
    proxyEnabled: r.optional("default proxy enabled", parseBoolean),
    proxyDestination: proxyDestination("default proxy destination"),
    proxyApiKey: r.optional("default proxy api key", asText),
    proxySendChartsMatching: r.optional("default proxy send charts matching", asPattern),
  };
  const host: HostOverrides = {
    ...common,
    updateEvery: r.optional("update every", (t) => parseIntegerOption(t, { min: 1 })),
    history: r.optional("history", (t) => parseIntegerOption(t, { min: 0 })),
    memoryMode: r.optional("memory mode", parseMemoryMode),
    healthEnabled: r.optional("health enabled", parseBooleanOrAuto),
    postponeAlarmsOnConnectSeconds: r.optional("postpone alarms on connect seconds", nonNegative),
    proxyEnabled: r.optional("proxy enabled", parseBoolean),
    proxyDestination: proxyDestination("proxy destination"),
    proxyApiKey: r.optional("proxy api key", asText),
    proxySendChartsMatching: r.optional("proxy send charts matching", asPattern),
  };
  r.entry("host tags");

  // Keys of the other role are still kept (the GUID may be used that way) but are most likely a mistake.
  const section = doc.section(name);
  for (const e of section?.entries.values() ?? []) {
    if (kind === "api" && MACHINE_ONLY.includes(e.key)) {
      const keyName = e.key === "health enabled" ? "health enabled by default" : `default ${e.key}`;
      sink.warning(
        e.line,
        `[${name}] '${e.key}' is read only when this section names a child's machine GUID; for an API key use '${keyName}'`,
      );
    } else if (kind === "machine" && KEY_ONLY.includes(e.key)) {
      const hostName = e.key === "health enabled by default" ? "health enabled" : e.key.replace(/^default /, "");
      sink.warning(
        e.line,
        `[${name}] '${e.key}' is read only when this section is an API key; for a machine GUID use '${hostName}'`,
      );
    }
  }
  for (const e of r.unread()) {
    const legacy = LEGACY_ACCESS_KEYS[e.key];
    if (legacy !== undefined) sink.warning(e.line, `[${name}] '${e.key}' is ${legacy}; it is ignored`);
    else {sink.warning(
        e.line,
        `[${name}] unknown key '${e.key}'${suggestKey(e.key, ACCESS_KEYS, RENAMES)}; Netdata ignores it`,
      );}
  }

  if (kind === "api" && enabled === undefined && !placeholder && isGuid(name)) {
    sink.warning(
      line,
      `[${name}] has no 'enabled = yes'; an API key is disabled by default, so every child using it is refused`,
    );
  }

  return { name, line, declaredType: typeEntry?.value, kind, placeholder, enabled, allowFrom, keyDefaults, host };
}

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
  /** How much the child may define (`max charts per host`, …; see ./receiver_limits.ts). */
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
  /** The child's IP as text; when given, `allow from` of both sections is checked. */
  readonly clientIp?: string;
  /** The parent's own defaults (e.g. from netdata.conf); missing fields use {@link RECEIVER_DEFAULTS}. */
  readonly defaults?: Partial<ReceiverDefaults>;
}

function allows(pattern: SimplePattern | undefined, ip: string): boolean {
  // Netdata builds no pattern from a blank list and then skips the check.
  if (pattern === undefined || pattern.source.trim().length === 0) return true;
  return pattern.matches(ip);
}

/**
 * The effective settings for a child that connects with `apiKey` and `machineGuid`, looked up the way a
 * 1.37 parent does: start from the parent's defaults (proxy settings from its own `[stream]`), then the
 * key section's `default …` names, then the machine section's own names, each level overriding the last.
 * `type` defaults to `api` when a section is read as a key and to `machine` when read as a GUID; `enabled`
 * defaults to no for a key and yes for a machine. Sections are found whatever case the key, the GUID or the
 * section name is written in (1.37 compares them exactly, so a child sending its GUID in upper case missed
 * its lower-case section there).
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

  const access = decideAccess(apiKey, machineGuid, keySection, machineSection, options.clientIp);

  const proxyEnabled = m.proxyEnabled ?? k.proxyEnabled ?? conf.stream.enabled;
  const destinationText = m.proxyDestination ?? k.proxyDestination ?? conf.stream.destinationText;
  const proxyApiKey = m.proxyApiKey ?? k.proxyApiKey ?? conf.stream.apiKey;
  // Diagnostics were reported when the file was read; here bad entries are just left out.
  const quiet = new DiagnosticSink(conf.file);
  const destination = destinationText === conf.stream.destinationText ? conf.stream.destination : readDestinations(
    { key: "proxy destination", value: destinationText, line: 0 },
    "",
    conf.stream.defaultPort,
    quiet,
  );

  return {
    apiKey,
    machineGuid,
    access,
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
      destination,
      destinationText,
      apiKey: proxyApiKey,
      sendChartsMatching: m.proxySendChartsMatching ?? k.proxySendChartsMatching ?? conf.stream.sendChartsMatching,
    },
    replication: {
      enabled: m.enableReplication ?? k.enableReplication ?? base.enableReplication,
      seconds: m.secondsToReplicate ?? k.secondsToReplicate ?? base.secondsToReplicate,
      stepSeconds: m.replicationStepSeconds ?? k.replicationStepSeconds ?? base.replicationStepSeconds,
    },
    compression: conf.stream.enableCompression &&
      (m.enableCompression ?? k.enableCompression ?? conf.stream.enableCompression),
    limits: receiverLimits(k.limits, m.limits),
  };
}

// A key or machine GUID finds its section whatever case either is written in.
function accessSection(conf: StreamConf, name: string): StreamAccessSection | undefined {
  return conf.sections.get(isGuid(name) ? canonicalGuid(name) : name);
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
