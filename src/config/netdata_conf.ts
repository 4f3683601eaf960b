/**
 * Typed subset of `netdata.conf` that streaming needs: database mode and retention, directories, the web
 * server's mode, listeners and streaming ACL, health, the legacy `[backend]` and the registry switch.
 * Old names that Netdata 1.37 still moves to their new place (`[global] memory mode` → `[db] mode`, …) are
 * honoured. `[plugins]` is read for the plugins.d runner. Sections not modelled here (`[plugin:…]`, charts, …) are
 * kept in the document and never warned about.
 *
 * @module
 */

import { SimplePattern } from "../protocol/simple_pattern.ts";
import { DiagnosticSink, SectionReader, suggestKey } from "./_options.ts";
import { type ConfigDiagnostic, type ConfigDocument, type ConfigEntry, parseConfig, readConfigFile } from "./reader.ts";
import {
  looksLikeTemplate,
  type MemoryMode,
  parseBoolean,
  parseDuration,
  parseIntegerOption,
  parseMemoryMode,
  type ValueResult,
} from "./values.ts";

/**
 * `[web] mode`: the static-threaded server or no web server at all.
 *
 * @example
 * ```ts
 * const mode: WebMode = parseNetdataConf("[web]\nmode = none\n").web.mode; // "none"
 * ```
 */
export type WebMode = "static-threaded" | "none";

/**
 * One listener of `[web] bind to`: `[PROTOCOL:]HOST[:PORT][=ACL|ACL…][^SSL=force|optional]`.
 *
 * @example
 * ```ts
 * const b: BindAddress = parseBindAddress("10.1.1.1:19998=streaming^SSL=force", 19999);
 * b.ssl; // "force"
 * ```
 */
export interface BindAddress {
  readonly protocol: "tcp" | "udp" | "unix";
  /** IP or host name (`*` for every interface, IPv6 without brackets), or the socket path for `unix`. */
  readonly host: string;
  /** Port; `[web] default port` when the entry names none; 0 for `unix`. */
  readonly port: number;
  /** What the listener serves (`dashboard`, `registry`, `badges`, `management`, `streaming`, `netdata.conf`); empty = everything. */
  readonly acl: readonly string[];
  /** `^SSL=force` / `^SSL=optional`; `none` when not given. */
  readonly ssl: "none" | "optional" | "force";
  /** The entry as written. */
  readonly text: string;
}

/**
 * Data source of the legacy `[backend]`.
 *
 * @example
 * ```ts
 * parseNetdataConf("[backend]\ndata source = sum\n").backend.dataSource; // "sum"
 * ```
 */
export type BackendDataSource = "as collected" | "average" | "sum";

/**
 * The `[plugins]` section as the plugins.d runner uses it.
 *
 * @example
 * ```ts
 * const p: PluginsSettings = parseNetdataConf("[plugins]\napps = no\n").plugins;
 * pluginEnabled(p, "apps"); // false
 * ```
 */
export interface PluginsSettings {
  /** `enable running new plugins`, default yes: whether a plugin without its own flag runs. */
  readonly enableRunningNewPlugins: boolean;
  /** `check for new plugins every`, seconds, default 60. */
  readonly checkForNewPluginsEvery: number;
  /** `<name> = yes|no` per plugin, keyed by file name without `.plugin` (internal plugins' flags included). */
  readonly flags: ReadonlyMap<string, boolean>;
}

/**
 * Whether the plugin `name` (the file name without `.plugin`) may run: its own flag, else
 * `enable running new plugins`.
 *
 * @example
 * ```ts
 * pluginEnabled(parseNetdataConf("[plugins]\nenable running new plugins = no\ngo.d = yes\n").plugins, "go.d"); // true
 * ```
 */
export function pluginEnabled(settings: PluginsSettings, name: string): boolean {
  return settings.flags.get(name) ?? settings.enableRunningNewPlugins;
}

/**
 * A parsed `netdata.conf` (the streaming-relevant part).
 *
 * @example
 * ```ts
 * const nd: NetdataConf = parseNetdataConf("[db]\nmode = ram\n");
 * nd.db.mode; // "ram"
 * ```
 */
export interface NetdataConf {
  readonly file: string;
  readonly global: {
    /** `[global] hostname`; `undefined` means the system's host name. */
    readonly hostname: string | undefined;
  };
  readonly db: {
    /** `[db] mode` (or the older `[global] memory mode`), default dbengine. */
    readonly mode: MemoryMode;
    /** `[db] update every` (or `[global] update every`), seconds, default 1. */
    readonly updateEvery: number;
    /** `[db] retention` (or `[global] history`), entries for ram/save/map/alloc, default 3600. */
    readonly retention: number;
    /** `[db] enable replication`, default yes. */
    readonly enableReplication: boolean;
    /** `[db] seconds to replicate`, default 86400. */
    readonly secondsToReplicate: number;
    /** `[db] seconds per replication step`, default 600. */
    readonly replicationStepSeconds: number;
    /**
     * `[db] cleanup orphan hosts after secs` (or `[global] cleanup orphan hosts after seconds`): a child that has
     * been disconnected this long is forgotten, default 3600.
     */
    readonly cleanupOrphanHostsAfterSeconds: number;
    /** `[db] delete orphan hosts files`: a forgotten child's saved files are deleted rather than kept, default yes. */
    readonly deleteOrphanHostsFiles: boolean;
    /**
     * `[db] max orphan hosts` (rill's): disconnected children kept in memory at most; past it, a new child makes the
     * one disconnected longest be forgotten early (its files saved, not deleted), default 500.
     */
    readonly maxOrphanHosts: number;
  };
  readonly directories: {
    readonly config: string;
    readonly lib: string;
    readonly log: string;
    readonly cache: string;
    /**
     * `[directories] plugins` (or `[global] plugins directory`): where `*.plugin` files are looked for, a list
     * of paths separated by spaces, tabs or commas, each optionally quoted. Default
     * `/usr/libexec/netdata/plugins.d`.
     */
    readonly plugins: readonly string[];
  };
  readonly plugins: PluginsSettings;
  readonly web: {
    readonly mode: WebMode;
    /** `[web] default port`, default 19999. */
    readonly defaultPort: number;
    /** `[web] bind to`, default `*`. */
    readonly bindTo: readonly BindAddress[];
    readonly sslKey: string;
    readonly sslCertificate: string;
    /** `[web] allow connections from`, default `localhost *`. */
    readonly allowConnectionsFrom: SimplePattern;
    /** `[web] allow streaming from`, default `*`. */
    readonly allowStreamingFrom: SimplePattern;
    /** `[web] allow streaming by dns`: yes, no or heuristic (default). */
    readonly allowStreamingByDns: boolean | "heuristic";
    /** `[web] accept a streaming request every seconds`, default 0 (no limit). */
    readonly acceptStreamingRequestEverySeconds: number;
    /**
     * `[web] web server max sockets`: open connections the web port keeps at most (streams count until they
     * are handed to the receiver); undefined when not set, meaning 1.37's default, a quarter of the
     * open-files limit.
     */
    readonly maxSockets: number | undefined;
    /**
     * `[web] disconnect idle clients after seconds` (or `[global] disconnect idle web clients after seconds`): a
     * connection silent this long is closed, default 60.
     */
    readonly disconnectIdleClientsAfterSeconds: number;
    /** `[web] timeout for first request`: a connection must send its first request this soon, default 60. */
    readonly timeoutForFirstRequestSeconds: number;
    /** `[web] web server max sockets per address` (rill's): open connections from one client address, default 64. */
    readonly maxSocketsPerAddress: number;
  };
  readonly health: {
    /** `[health] enabled`, default yes. */
    readonly enabled: boolean;
    /** `[health] default repeat warning`, seconds, 0 = never (default). */
    readonly defaultRepeatWarningSeconds: number;
    /** `[health] default repeat critical`, seconds, 0 = never (default). */
    readonly defaultRepeatCriticalSeconds: number;
  };
  /** The pre-1.34 archiving section (replaced by exporting.conf since). */
  readonly backend: {
    readonly enabled: boolean;
    readonly type: string;
    readonly destination: string;
    readonly updateEvery: number;
    readonly dataSource: BackendDataSource;
    readonly prefix: string;
    readonly hostname: string | undefined;
    readonly bufferOnFailures: number;
    readonly timeoutMs: number;
    readonly sendNamesInsteadOfIds: boolean;
    readonly sendChartsMatching: SimplePattern;
    readonly sendHostsMatching: SimplePattern;
    readonly hostTags: string;
  };
  readonly registry: {
    /** `[registry] enabled`, default no. */
    readonly enabled: boolean;
  };
  readonly diagnostics: readonly ConfigDiagnostic[];
  readonly document: ConfigDocument;
}

const WEB_ACLS = new Set(["dashboard", "registry", "badges", "management", "streaming", "netdata.conf"]);
const BACKEND_TYPES = new Set([
  "graphite",
  "opentsdb",
  "opentsdb:telnet",
  "opentsdb:http",
  "opentsdb:https",
  "json",
  "prometheus_remote_write",
  "kinesis",
  "mongodb",
]);

/** Per modelled section: keys 1.37 knows but rill does not use, and names only newer Netdata (2.x) knows. */
const KNOWN: Readonly<Record<string, { readonly known: readonly string[]; readonly newer: readonly string[] }>> = {
  global: {
    known: [
      "run as user",
      "host access prefix",
      "glibc malloc arena max for plugins",
      "glibc malloc arena max for netdata",
      "libuv worker threads",
      "enable metric correlations",
      "metric correlations method",
      "timezone",
      "OOM score",
      "process scheduling policy",
      "process nice level",
      "pthread stack size",
      "cpu cores",
      "is ephemeral node",
      "has unstable connection",
    ],
    newer: ["profile", "crash reports"],
  },
  db: {
    known: [
      "dbengine page cache with malloc",
      "dbengine page cache size MB",
      "dbengine extent cache size MB",
      "dbengine disk space MB",
      "dbengine multihost disk space MB",
      "memory deduplication (ksm)",
      "cleanup obsolete charts after secs",
      "gap when lost iterations above",
      "storage tiers",
      "dbengine page fetch timeout secs",
      "dbengine page fetch retries",
      "dbengine page descriptors in file mapped memory",
      "delete obsolete charts files",
      "enable zero metrics",
      "dbengine pages per extent",
      "dbengine page type",
      "dbengine enable journal integrity check",
    ],
    newer: [
      "db",
      "replication period",
      "replication step",
      "replication threads",
      "replication prefetch",
      "cleanup orphan hosts after",
      "cleanup ephemeral hosts after",
      "cleanup obsolete charts after",
      "dbengine page cache size",
      "dbengine extent cache size",
      "dbengine use all ram for caches",
      "dbengine out of memory protection",
      "dbengine use direct io",
      "dbengine journal v2 unmount time",
      "dbengine tier backfill",
      "extreme cardinality protection",
      "extreme cardinality keep instances",
      "extreme cardinality min ephemerality",
    ],
  },
  directories: {
    known: ["stock config", "web", "home", "lock", "registry", "stock health config", "health config"],
    newer: ["cloud.d"],
  },
  web: {
    known: [
      "tls version",
      "tls ciphers",
      "ses max window",
      "des max window",
      "listen backlog",
      "respect do not track policy",
      "x-frame-options response header",
      "allow connections by dns",
      "allow dashboard from",
      "allow dashboard by dns",
      "allow badges from",
      "allow badges by dns",
      "allow netdata.conf from",
      "allow netdata.conf by dns",
      "allow management from",
      "allow management by dns",
      "enable gzip compression",
      "gzip compression strategy",
      "gzip compression level",
      "web server threads",
      "custom dashboard_info.js",
      "web files owner",
      "web files group",
    ],
    newer: [
      "bearer token protection",
      "disconnect idle clients after",
      "accept a streaming request every",
      "ssl skip certificate verification",
      "ses max tg_des_window",
      "des max tg_des_window",
    ],
  },
  health: {
    known: [
      "silencers file",
      "in memory max health log entries",
      "script to execute on alarm",
      "enable stock health configuration",
      "is ephemeral",
      "has unstable connection",
      "rotate log every lines",
      "run at least every seconds",
      "postpone alarms during hibernation for seconds",
      "health log history",
    ],
    newer: [
      "use summary for notifications",
      "health log retention",
      "enabled alarms",
      "run at least every",
      "postpone alarms during hibernation for",
    ],
  },
  registry: {
    known: [
      "netdata unique id file",
      "registry db file",
      "registry log file",
      "registry save db every new entries",
      "registry expire idle persons days",
      "registry domain",
      "registry to announce",
      "registry hostname",
      "verify browser cookies support",
      "enable cookies SameSite and Secure",
      "max URL length",
      "max URL name length",
      "netdata management api key file",
      "allow from",
      "allow by dns",
    ],
    newer: ["registry expire idle persons"],
  },
  backend: {
    known: ["send configured labels", "send automatic labels"],
    newer: [],
  },
};

// 1.37's [db] tier options ("dbengine tier 1 page cache size MB", …) and 2.x's retention per tier.
const DB_TIER_KNOWN =
  /^dbengine tier [0-9]+ (page cache size MB|multihost disk space MB|disk space MB|update every iterations|backfill)$/;
const DB_TIER_NEWER = /^dbengine tier [0-9]+ (retention size|retention time)$/;

/** Old names 1.37 still moves: `[from] key` → `[section] key`. Silent ones are too common to nag about. */
interface Move {
  readonly from: string;
  readonly key: string;
  readonly to: string;
  readonly as: string;
  readonly silent?: boolean;
}

const MOVES: readonly Move[] = [
  { from: "global", key: "memory mode", to: "db", as: "mode", silent: true },
  { from: "global", key: "history", to: "db", as: "retention", silent: true },
  { from: "global", key: "update every", to: "db", as: "update every", silent: true },
  { from: "global", key: "http port listen backlog", to: "web", as: "listen backlog" },
  { from: "global", key: "bind socket to IP", to: "web", as: "bind to" },
  { from: "global", key: "bind to", to: "web", as: "bind to" },
  { from: "global", key: "port", to: "web", as: "default port" },
  { from: "global", key: "default port", to: "web", as: "default port" },
  {
    from: "global",
    key: "disconnect idle web clients after seconds",
    to: "web",
    as: "disconnect idle clients after seconds",
  },
  { from: "global", key: "respect web browser do not track policy", to: "web", as: "respect do not track policy" },
  { from: "global", key: "web x-frame-options header", to: "web", as: "x-frame-options response header" },
  { from: "global", key: "enable web responses gzip compression", to: "web", as: "enable gzip compression" },
  { from: "global", key: "web compression strategy", to: "web", as: "gzip compression strategy" },
  { from: "global", key: "web compression level", to: "web", as: "gzip compression level" },
  { from: "global", key: "web files owner", to: "web", as: "web files owner" },
  { from: "global", key: "web files group", to: "web", as: "web files group" },
  { from: "global", key: "config directory", to: "directories", as: "config" },
  { from: "global", key: "stock config directory", to: "directories", as: "stock config" },
  { from: "global", key: "log directory", to: "directories", as: "log" },
  { from: "global", key: "web files directory", to: "directories", as: "web" },
  { from: "global", key: "cache directory", to: "directories", as: "cache" },
  { from: "global", key: "lib directory", to: "directories", as: "lib" },
  { from: "global", key: "home directory", to: "directories", as: "home" },
  { from: "global", key: "lock directory", to: "directories", as: "lock" },
  { from: "global", key: "plugins directory", to: "directories", as: "plugins" },
  { from: "health", key: "health configuration directory", to: "directories", as: "health config" },
  { from: "health", key: "stock health configuration directory", to: "directories", as: "stock health config" },
  { from: "registry", key: "registry db directory", to: "directories", as: "registry" },
  { from: "global", key: "debug log", to: "logs", as: "debug" },
  { from: "global", key: "error log", to: "logs", as: "error" },
  { from: "global", key: "access log", to: "logs", as: "access" },
  { from: "global", key: "facility log", to: "logs", as: "facility" },
  { from: "global", key: "errors flood protection period", to: "logs", as: "errors flood protection period" },
  { from: "global", key: "errors to trigger flood protection", to: "logs", as: "errors to trigger flood protection" },
  { from: "global", key: "debug flags", to: "logs", as: "debug flags" },
  { from: "global", key: "TZ environment variable", to: "environment variables", as: "TZ" },
  { from: "global", key: "page cache size", to: "db", as: "dbengine page cache size MB" },
  { from: "global", key: "page cache uses malloc", to: "db", as: "dbengine page cache with malloc" },
  { from: "global", key: "dbengine disk space", to: "db", as: "dbengine disk space MB" },
  { from: "global", key: "dbengine multihost disk space", to: "db", as: "dbengine multihost disk space MB" },
  { from: "global", key: "memory deduplication (ksm)", to: "db", as: "memory deduplication (ksm)" },
  { from: "global", key: "dbengine page fetch timeout", to: "db", as: "dbengine page fetch timeout secs" },
  { from: "global", key: "dbengine page fetch retries", to: "db", as: "dbengine page fetch retries" },
  { from: "global", key: "dbengine extent pages", to: "db", as: "dbengine pages per extent" },
  { from: "global", key: "cleanup obsolete charts after seconds", to: "db", as: "cleanup obsolete charts after secs" },
  { from: "global", key: "gap when lost iterations above", to: "db", as: "gap when lost iterations above" },
  { from: "global", key: "cleanup orphan hosts after seconds", to: "db", as: "cleanup orphan hosts after secs" },
  { from: "global", key: "enable zero metrics", to: "db", as: "enable zero metrics" },
  { from: "global", key: "delete obsolete charts files", to: "db", as: "delete obsolete charts files" },
  { from: "global", key: "delete orphan hosts files", to: "db", as: "delete orphan hosts files" },
  { from: "db", key: "page cache size", to: "db", as: "dbengine page cache size MB" },
  { from: "db", key: "page cache with malloc", to: "db", as: "dbengine page cache with malloc" },
  { from: "backend", key: "opentsdb host tags", to: "backend", as: "host tags" },
];

const RENAMES: Readonly<Record<string, string>> = {
  "page size cache": "page cache size",
  bind: "bind to",
};

/**
 * Parses `netdata.conf` text. Never throws: invalid values keep their defaults and are reported with file
 * and line; unknown keys of the modelled sections are warnings, other sections are left alone.
 *
 * @example
 * ```ts
 * const nd = parseNetdataConf("[global]\n  memory mode = none\n[health]\n  enabled = no\n");
 * nd.db.mode; // "none"
 * nd.health.enabled; // false
 * ```
 */
export function parseNetdataConf(text: string, file = "netdata.conf"): NetdataConf {
  return netdataConfFromDocument(parseConfig(text, file));
}

/**
 * Reads and parses a `netdata.conf` file; a missing file gives the defaults plus an error diagnostic on
 * line 0 (use `readConfigDir` for "missing means defaults").
 *
 * @example
 * ```ts
 * const nd = readNetdataConf("/etc/netdata/netdata.conf");
 * console.log(nd.web.bindTo.map((b) => `${b.host}:${b.port}`));
 * ```
 */
export function readNetdataConf(path: string): NetdataConf {
  return netdataConfFromDocument(readConfigFile(path));
}

/**
 * Builds the typed view of an already parsed document.
 *
 * @example
 * ```ts
 * import { parseConfig } from "./reader.ts";
 * netdataConfFromDocument(parseConfig("[db]\nmode = ram\n", "netdata.conf")).db.mode; // "ram"
 * ```
 */
export function netdataConfFromDocument(doc: ConfigDocument): NetdataConf {
  const sink = new DiagnosticSink(doc.file, doc.diagnostics);
  const readers = new Map<string, SectionReader>();
  const reader = (name: string): SectionReader => {
    let r = readers.get(name);
    if (r === undefined) {
      r = new SectionReader(doc, name, sink);
      readers.set(name, r);
    }
    return r;
  };

  // Where each modelled option really comes from after applying 1.37's renames (the new name wins).
  const moved = new Map<string, { entry: ConfigEntry; section: string }>();
  for (const mv of MOVES) {
    const old = reader(mv.from).entry(mv.key);
    if (old === undefined) continue;
    const current = doc.entry(mv.to, mv.as);
    if (current !== undefined) {
      sink.warning(
        old.line,
        `[${mv.from}] ${mv.key} is the old name of [${mv.to}] ${mv.as}, which is also set (line ${current.line}) and wins`,
      );
      continue;
    }
    if (!mv.silent) {
      sink.warning(old.line, `[${mv.from}] ${mv.key} is an old name; Netdata 1.37 reads it as [${mv.to}] ${mv.as}`);
    }
    moved.set(`${mv.to}\u0000${mv.as}`, { entry: old, section: mv.from });
  }

  // Reads `[section] key`, or its old name when only that is set.
  const pick = <T>(section: string, key: string, parse: (t: string) => ValueResult<T>, fallback: T): T => {
    const r = reader(section);
    const e = r.entry(key);
    if (e !== undefined) return r.value(key, parse, fallback);
    const old = moved.get(`${section}\u0000${key}`);
    if (old === undefined) return fallback;
    return reader(old.section).value(old.entry.key, parse, fallback);
  };
  const text = (t: string): ValueResult<string> => ({ ok: true, value: t });
  const pattern = (t: string): ValueResult<SimplePattern> => ({ ok: true, value: SimplePattern.parse(t) });
  const count = (min: number, max?: number) => (t: string) => parseIntegerOption(t, { min, max });

  const hostnameText = pick("global", "hostname", text, "");
  const hostnameLine = doc.entry("global", "hostname")?.line;
  if (hostnameLine !== undefined && looksLikeTemplate(hostnameText)) {
    sink.warning(hostnameLine, `[global] hostname = ${hostnameText}: looks like an unrendered template`);
  }

  const defaultPort = pick("web", "default port", count(1, 65535), 19999);
  const bindEntry = doc.entry("web", "bind to") ?? moved.get("web\u0000bind to")?.entry;
  reader("web").entry("bind to");
  const bindTo = bindEntry === undefined ? [bindAll(defaultPort)] : readBindTo(bindEntry, defaultPort, sink);

  const backendUpdateEvery = pick("backend", "update every", count(1), 10);
  if (doc.section("backend") !== undefined) {
    sink.warning(
      doc.section("backend")?.line ?? 0,
      "[backend] is the archiving section Netdata removed in 1.34 (exporting.conf replaced it); Netdata 1.37 ignores it",
    );
  }

  const conf: NetdataConf = {
    file: doc.file,
    global: { hostname: hostnameText.length === 0 ? undefined : hostnameText },
    db: {
      mode: pick("db", "mode", parseMemoryMode, "dbengine"),
      updateEvery: pick("db", "update every", count(1, 600), 1),
      retention: pick("db", "retention", count(5), 3600),
      enableReplication: pick("db", "enable replication", parseBoolean, true),
      secondsToReplicate: pick("db", "seconds to replicate", count(0), 86400),
      replicationStepSeconds: pick("db", "seconds per replication step", count(1), 600),
      cleanupOrphanHostsAfterSeconds: pick("db", "cleanup orphan hosts after secs", count(1), 3600),
      deleteOrphanHostsFiles: pick("db", "delete orphan hosts files", parseBoolean, true),
      maxOrphanHosts: pick("db", "max orphan hosts", count(0), 500),
    },
    directories: {
      config: pick("directories", "config", text, "/etc/netdata"),
      lib: pick("directories", "lib", text, "/var/lib/netdata"),
      log: pick("directories", "log", text, "/var/log/netdata"),
      cache: pick("directories", "cache", text, "/var/cache/netdata"),
      plugins: pick("directories", "plugins", directoryList, [DEFAULT_PLUGINS_DIR]),
    },
    plugins: readPlugins(doc, sink),
    web: {
      mode: pick("web", "mode", parseWebMode, "static-threaded"),
      defaultPort,
      bindTo,
      sslKey: pick("web", "ssl key", text, "/etc/netdata/ssl/key.pem"),
      sslCertificate: pick("web", "ssl certificate", text, "/etc/netdata/ssl/cert.pem"),
      allowConnectionsFrom: pick("web", "allow connections from", pattern, SimplePattern.parse("localhost *")),
      allowStreamingFrom: pick("web", "allow streaming from", pattern, SimplePattern.parse("*")),
      allowStreamingByDns: pick("web", "allow streaming by dns", parseDnsMode, "heuristic"),
      acceptStreamingRequestEverySeconds: pick("web", "accept a streaming request every seconds", count(0), 0),
      maxSockets: pick<number | undefined>("web", "web server max sockets", count(1), undefined),
      maxSocketsPerAddress: pick("web", "web server max sockets per address", count(1), 64),
      disconnectIdleClientsAfterSeconds: pick("web", "disconnect idle clients after seconds", count(1), 60),
      timeoutForFirstRequestSeconds: pick("web", "timeout for first request", count(1), 60),
    },
    health: {
      enabled: pick("health", "enabled", parseBoolean, true),
      defaultRepeatWarningSeconds: pick("health", "default repeat warning", (t) => parseDuration(t), 0),
      defaultRepeatCriticalSeconds: pick("health", "default repeat critical", (t) => parseDuration(t), 0),
    },
    backend: {
      enabled: pick("backend", "enabled", parseBoolean, false),
      type: pick("backend", "type", parseBackendType, "graphite"),
      destination: pick("backend", "destination", text, "localhost"),
      updateEvery: backendUpdateEvery,
      dataSource: pick("backend", "data source", parseDataSource, "average"),
      prefix: pick("backend", "prefix", text, "netdata"),
      hostname: pick<string | undefined>("backend", "hostname", text, undefined),
      bufferOnFailures: pick("backend", "buffer on failures", count(1), 10),
      timeoutMs: pick("backend", "timeout ms", count(1), backendUpdateEvery * 2 * 1000),
      sendNamesInsteadOfIds: pick("backend", "send names instead of ids", parseBoolean, true),
      sendChartsMatching: pick("backend", "send charts matching", pattern, SimplePattern.parse("*")),
      sendHostsMatching: pick("backend", "send hosts matching", pattern, SimplePattern.parse("localhost *")),
      hostTags: pick("backend", "host tags", text, ""),
    },
    registry: { enabled: pick("registry", "enabled", parseBoolean, false) },
    diagnostics: [],
    document: doc,
  };

  for (const [section, lists] of Object.entries(KNOWN)) {
    if (doc.section(section) === undefined) continue;
    const r = reader(section);
    const all = [...lists.known, ...lists.newer, ...modelledKeys(section)];
    for (const e of r.unread()) {
      if (lists.known.includes(e.key) || (section === "db" && DB_TIER_KNOWN.test(e.key))) continue;
      if (lists.newer.includes(e.key) || (section === "db" && DB_TIER_NEWER.test(e.key))) {
        sink.warning(e.line, `[${section}] '${e.key}' is an option of newer Netdata (2.x); 1.37 ignores it`);
        continue;
      }
      const moveTo = MOVES.find((m) => m.from === section && m.key === e.key);
      if (moveTo !== undefined) continue; // reported above
      const hint = suggestKey(e.key, all, RENAMES);
      sink.warning(e.line, `[${section}] unknown key '${e.key}'${hint}; Netdata ignores it`);
    }
  }

  return { ...conf, diagnostics: sink.sorted() };
}

function modelledKeys(section: string): string[] {
  switch (section) {
    case "global":
      return ["hostname", "memory mode", "history", "update every"];
    case "db":
      return [
        "mode",
        "update every",
        "retention",
        "enable replication",
        "seconds to replicate",
        "seconds per replication step",
        "cleanup orphan hosts after secs",
        "delete orphan hosts files",
        "max orphan hosts",
      ];
    case "directories":
      return ["config", "lib", "log", "cache", "plugins"];
    case "web":
      return [
        "mode",
        "default port",
        "bind to",
        "ssl key",
        "ssl certificate",
        "allow connections from",
        "allow streaming from",
        "allow streaming by dns",
        "accept a streaming request every seconds",
        "web server max sockets",
        "web server max sockets per address",
        "disconnect idle clients after seconds",
        "timeout for first request",
      ];
    case "health":
      return ["enabled", "default repeat warning", "default repeat critical"];
    case "backend":
      return [
        "enabled",
        "type",
        "destination",
        "update every",
        "data source",
        "prefix",
        "hostname",
        "buffer on failures",
        "timeout ms",
        "send names instead of ids",
        "send charts matching",
        "send hosts matching",
        "host tags",
      ];
    case "registry":
      return ["enabled"];
    default:
      return [];
  }
}

const DEFAULT_PLUGINS_DIR = "/usr/libexec/netdata/plugins.d";

// 1.37 splits the plugins directory list on spaces, tabs and commas; a word may be quoted to hold them.
function directoryList(t: string): ValueResult<readonly string[]> {
  const dirs: string[] = [];
  const re = /"([^"]*)"?|'([^']*)'?|([^\s,"']+)/g;
  for (let m = re.exec(t); m !== null; m = re.exec(t)) {
    const dir = m[1] ?? m[2] ?? m[3];
    if (dir.length > 0) dirs.push(dir);
  }
  return dirs.length > 0 ? { ok: true, value: dirs } : { ok: false, error: "expected one or more directories" };
}

// `[plugins]` keys that are settings rather than per-plugin flags.
const PLUGINS_SETTINGS = new Set([
  "enable running new plugins",
  "check for new plugins every",
  "PATH environment variable",
  "PYTHONPATH environment variable",
]);
const YES_WORDS = new Set(["yes", "true", "on", "auto", "on demand"]);
const NO_WORDS = new Set(["no", "false", "off"]);

function readPlugins(doc: ConfigDocument, sink: DiagnosticSink): PluginsSettings {
  // 1.37 reads these booleans as "yes, true, on, auto or on demand (any case) is yes; anything else is no".
  // That is what happens here too; a value whose words suggest otherwise is warned about.
  const flag = (e: ConfigEntry): boolean => {
    const word = e.value.toLowerCase();
    if (YES_WORDS.has(word)) return true;
    if (NO_WORDS.has(word)) return false;
    const first = word.split(/[ \t]/)[0];
    // `no  # a comment` still means no, as the writer meant: nothing to say.
    if (!NO_WORDS.has(first)) {
      sink.warning(
        e.line,
        `[plugins] ${e.key} = ${e.value}: Netdata 1.37 reads anything but yes, true, on, auto or on demand as no`,
      );
    }
    return false;
  };
  const entries = doc.section("plugins")?.entries ?? new Map<string, ConfigEntry>();
  const enableEntry = entries.get("enable running new plugins");
  let checkEvery = 60;
  const checkEntry = entries.get("check for new plugins every");
  if (checkEntry !== undefined) {
    const r = parseIntegerOption(checkEntry.value, { min: 1 });
    if (r.ok) checkEvery = r.value;
    else {
      sink.error(
        checkEntry.line,
        `[plugins] check for new plugins every = ${checkEntry.value}: ${r.error}; keeping the default (60)`,
      );
    }
  }
  const flags = new Map<string, boolean>();
  for (const e of entries.values()) if (!PLUGINS_SETTINGS.has(e.key)) flags.set(e.key, flag(e));
  return {
    enableRunningNewPlugins: enableEntry === undefined ? true : flag(enableEntry),
    checkForNewPluginsEvery: checkEvery,
    flags,
  };
}

function parseWebMode(t: string): ValueResult<WebMode> {
  if (t === "none") return { ok: true, value: "none" };
  // 1.37 runs every other name (the older single-/multi-threaded ones included) as static-threaded.
  if (["static-threaded", "static", "single-threaded", "single", "multi-threaded", "multi"].includes(t)) {
    return { ok: true, value: "static-threaded" };
  }
  return { ok: false, error: `expected static-threaded or none, found '${t}'` };
}

function parseDnsMode(t: string): ValueResult<boolean | "heuristic"> {
  if (t === "heuristic") return { ok: true, value: "heuristic" };
  const b = parseBoolean(t);
  return b.ok ? b : { ok: false, error: `expected yes, no or heuristic, found '${t}'` };
}

function parseBackendType(t: string): ValueResult<string> {
  if (BACKEND_TYPES.has(t)) return { ok: true, value: t };
  return { ok: false, error: `expected one of ${[...BACKEND_TYPES].join(", ")}, found '${t}'` };
}

function parseDataSource(t: string): ValueResult<BackendDataSource> {
  if (["as collected", "as-collected", "as_collected", "raw"].includes(t)) return { ok: true, value: "as collected" };
  if (["average", "mean"].includes(t)) return { ok: true, value: "average" };
  if (["sum", "volume"].includes(t)) return { ok: true, value: "sum" };
  return { ok: false, error: `expected as collected, average or sum, found '${t}'` };
}

function bindAll(port: number): BindAddress {
  return { protocol: "tcp", host: "*", port, acl: [], ssl: "none", text: "*" };
}

const SERVICE_PORTS: Readonly<Record<string, number>> = { http: 80, https: 443 };

/**
 * Parses one `bind to` entry. Throws an `Error` whose message says what was expected and what was found.
 *
 * @example
 * ```ts
 * parseBindAddress("*:19999^SSL=force", 19999); // { protocol: "tcp", host: "*", port: 19999, acl: [], ssl: "force", … }
 * parseBindAddress("unix:/run/netdata/netdata.sock", 19999).host; // "/run/netdata/netdata.sock"
 * parseBindAddress("[::]:19996=streaming", 19999).acl; // ["streaming"]
 * ```
 */
export function parseBindAddress(text: string, defaultPort: number): BindAddress {
  let rest = text;
  let ssl: BindAddress["ssl"] = "none";
  const caret = rest.indexOf("^SSL=");
  if (caret >= 0) {
    const mode = rest.slice(caret + 5);
    if (mode !== "force" && mode !== "optional") {
      throw new Error(`invalid bind address '${text}': expected ^SSL=force or ^SSL=optional, found '^SSL=${mode}'`);
    }
    ssl = mode;
    rest = rest.slice(0, caret);
  }
  let acl: string[] = [];
  let protocol: BindAddress["protocol"] = "tcp";
  for (const p of ["tcp", "udp", "unix"] as const) {
    if (rest.startsWith(`${p}:`)) {
      protocol = p;
      rest = rest.slice(p.length + 1);
      break;
    }
  }
  const eq = rest.indexOf("=");
  if (eq >= 0) {
    acl = rest.slice(eq + 1).split("|").filter((a) => a.length > 0);
    rest = rest.slice(0, eq);
    for (const a of acl) {
      if (!WEB_ACLS.has(a)) {
        throw new Error(`invalid bind address '${text}': expected ACLs from ${[...WEB_ACLS].join("|")}, found '${a}'`);
      }
    }
  }
  if (protocol === "unix") {
    if (!rest.startsWith("/")) {
      throw new Error(`invalid bind address '${text}': expected a socket path after 'unix:', found '${rest}'`);
    }
    return { protocol, host: rest, port: 0, acl, ssl, text };
  }
  let host: string;
  let portText = "";
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) {
      throw new Error(`invalid bind address '${text}': expected ']' closing the IPv6 address, found '${rest}'`);
    }
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after.length > 0) {
      if (!after.startsWith(":")) {
        throw new Error(`invalid bind address '${text}': expected ':PORT' after ']', found '${after}'`);
      }
      portText = after.slice(1);
    }
  } else {
    const colon = rest.lastIndexOf(":");
    host = colon < 0 ? rest : rest.slice(0, colon);
    portText = colon < 0 ? "" : rest.slice(colon + 1);
  }
  if (host.length === 0) throw new Error(`invalid bind address '${text}': expected a host, IP or '*', found nothing`);
  let port = defaultPort;
  if (portText.length > 0) {
    const service = SERVICE_PORTS[portText];
    if (service !== undefined) port = service;
    else if (/^[0-9]{1,5}$/.test(portText) && Number(portText) >= 1 && Number(portText) <= 65535) {
      port = Number(portText);
    } else throw new Error(`invalid bind address '${text}': expected a port from 1 to 65535, found '${portText}'`);
  }
  return { protocol, host, port, acl, ssl, text };
}

function readBindTo(entry: ConfigEntry, defaultPort: number, sink: DiagnosticSink): BindAddress[] {
  const result: BindAddress[] = [];
  for (const text of entry.value.split(/[ \t]+/).filter((t) => t.length > 0)) {
    try {
      result.push(parseBindAddress(text, defaultPort));
    } catch (e) {
      sink.error(entry.line, `[web] bind to: ${e instanceof Error ? e.message : String(e)}; this entry is skipped`);
    }
  }
  return result;
}
