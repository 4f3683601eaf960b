/**
 * Typed `stream.conf`: the child's `[stream]` section and the parent's API-key and machine-GUID sections,
 * each option with its value as written and validated, following Netdata 1.37 (`streaming/rrdpush.c`,
 * `streaming/receiver.c`, `streaming/sender.c`). Which section applies to a child, whether it may stream
 * and the settings in force for it are the receiver's to decide (src/parent/receiver/admission.ts).
 *
 * @module
 */

import type { Destination } from "../protocol/destination.ts";
import { canonicalGuid, isGuid } from "../protocol/guid.ts";
import { SimplePattern } from "../protocol/simple_pattern.ts";
import { DiagnosticSink, readDestinations, SectionReader, suggestKey } from "./_options.ts";
import { type LimitOverrides, readLimitOverrides, RECEIVER_LIMIT_KEYS } from "./receiver_limits.ts";
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
  /** The proxy destination list, parsed with `[stream] default port`; bad entries are left out (and reported). */
  readonly proxyDestination?: readonly Destination[];
  /** The proxy destination list as written. */
  readonly proxyDestinationText?: string;
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

  const proxyDestination = (key: string): Pick<HostOverrides, "proxyDestination" | "proxyDestinationText"> => {
    const e = r.entry(key);
    if (e === undefined) return {};
    return { proxyDestination: readDestinations(e, name, defaultPort, sink), proxyDestinationText: e.value };
  };

  const keyDefaults: HostOverrides = {
    ...common,
    history: r.optional("default history", (t) => parseIntegerOption(t, { min: 0 })),
    memoryMode: r.optional("default memory mode", parseMemoryMode),
    healthEnabled: r.optional("health enabled by default", parseBooleanOrAuto),
    postponeAlarmsOnConnectSeconds: r.optional("default postpone alarms on connect seconds", nonNegative),
    proxyEnabled: r.optional("default proxy enabled", parseBoolean),
    ...proxyDestination("default proxy destination"),
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
    ...proxyDestination("proxy destination"),
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
