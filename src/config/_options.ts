/**
 * Shared plumbing for the typed config readers: reading one section's keys with a parser, recording
 * diagnostics with file and line, and reporting keys nobody read.
 *
 * @module
 */

import { type Destination, parseDestinations } from "../protocol/destination.ts";
import type { ConfigDiagnostic, ConfigDocument, ConfigEntry } from "./reader.ts";
import { looksLikeTemplate, type ValueResult } from "./values.ts";

/**
 * Collects diagnostics for one file.
 *
 * @example
 * ```ts
 * const sink = new DiagnosticSink("stream.conf");
 * sink.warning(3, "something odd");
 * sink.sorted()[0].line; // 3
 * ```
 */
export class DiagnosticSink {
  readonly file: string;
  readonly list: ConfigDiagnostic[];

  constructor(file: string, initial: readonly ConfigDiagnostic[] = []) {
    this.file = file;
    this.list = [...initial];
  }

  error(line: number, message: string): void {
    this.list.push({ file: this.file, line, severity: "error", message });
  }

  warning(line: number, message: string): void {
    this.list.push({ file: this.file, line, severity: "warning", message });
  }

  /** Diagnostics sorted by line (stable), as a user reads the file. */
  sorted(): ConfigDiagnostic[] {
    return this.list.map((d, i) => ({ d, i })).sort((a, b) => a.d.line - b.d.line || a.i - b.i).map((x) => x.d);
  }
}

/**
 * Renders a default value for "keeping the default (…)" messages.
 *
 * @example
 * ```ts
 * showDefault(false); // "no"
 * showDefault(""); // "empty"
 * ```
 */
export function showDefault(value: unknown): string {
  if (value === true) return "yes";
  if (value === false) return "no";
  if (value === undefined) return "unset";
  if (typeof value === "string") return value.length === 0 ? "empty" : value;
  if (typeof value === "object" && value !== null && "source" in value) return String(value.source);
  return String(value);
}

/**
 * Reads the keys of one section, remembering which ones were read so the rest can be reported.
 *
 * @example
 * ```ts
 * const sink = new DiagnosticSink("stream.conf");
 * const r = new SectionReader(parseConfig("[stream]\nenabled = yes\n", "stream.conf"), "stream", sink);
 * r.value("enabled", parseBoolean, false); // true
 * ```
 */
export class SectionReader {
  readonly name: string;
  readonly sink: DiagnosticSink;
  readonly #entries: ReadonlyMap<string, ConfigEntry>;
  readonly #used = new Set<string>();

  constructor(doc: ConfigDocument, name: string, sink: DiagnosticSink) {
    this.name = name;
    this.sink = sink;
    this.#entries = doc.section(name)?.entries ?? new Map();
  }

  /** The entry for `key` (marking it as read), if set. */
  entry(key: string): ConfigEntry | undefined {
    this.#used.add(key);
    return this.#entries.get(key);
  }

  /** A typed value, or `fallback` (with an error naming line and expectation) when the text does not parse. */
  value<T>(key: string, parse: (text: string) => ValueResult<T>, fallback: T): T {
    const e = this.entry(key);
    if (e === undefined) return fallback;
    const r = parse(e.value);
    if (r.ok) return r.value;
    this.sink.error(
      e.line,
      `[${this.name}] ${key} = ${e.value}: ${r.error}; keeping the default (${showDefault(fallback)})`,
    );
    return fallback;
  }

  /** A typed value when set and valid; `undefined` when unset or invalid (then with an error). */
  optional<T>(key: string, parse: (text: string) => ValueResult<T>): T | undefined {
    const e = this.entry(key);
    if (e === undefined) return undefined;
    const r = parse(e.value);
    if (r.ok) return r.value;
    this.sink.error(e.line, `[${this.name}] ${key} = ${e.value}: ${r.error}; the setting is ignored`);
    return undefined;
  }

  /** A text value as written (after trimming), or `fallback`. */
  text(key: string, fallback: string): string {
    return this.entry(key)?.value ?? fallback;
  }

  /** Keys present in the section that were never read, in file order. */
  unread(): ConfigEntry[] {
    return [...this.#entries.values()].filter((e) => !this.#used.has(e.key));
  }

  /** Warns about every unread key, with a hint when `hint` knows a likely meaning. */
  warnUnread(hint: (key: string) => string): void {
    for (const e of this.unread()) {
      this.sink.warning(e.line, `[${this.name}] unknown key '${e.key}'${hint(e.key)}; Netdata ignores it`);
    }
  }
}

/**
 * A "did you mean" hint for an unknown key: a known key differing only in letter case, one that starts with
 * the unknown one, or an explicit rename.
 *
 * @example
 * ```ts
 * suggestKey("cafile", ["CAfile"]); // " (did you mean 'CAfile'? keys are case-sensitive)"
 * ```
 */
export function suggestKey(
  key: string,
  known: Iterable<string>,
  renames: Readonly<Record<string, string>> = {},
): string {
  const rename = renames[key];
  if (rename !== undefined) return ` (did you mean '${rename}'?)`;
  const lower = key.toLowerCase();
  for (const k of known) if (k.toLowerCase() === lower) return ` (did you mean '${k}'? keys are case-sensitive)`;
  for (const k of known) if (k.startsWith(`${key} `)) return ` (did you mean '${k}'?)`;
  return "";
}

// Characters a host name or IPv4 address can hold; IPv6 hosts contain ':' and are left to the parser.
const HOST_LIKE = /^[A-Za-z0-9._-]+$/;

/**
 * Parses a space-separated destination list entry by entry, so one bad entry is reported (as an error with
 * the line) and dropped without losing the others. A value that looks like an unrendered template gets one
 * warning instead of an error per fragment; otherwise entries whose host cannot be a host name are warned.
 *
 * @example
 * ```ts
 * const sink = new DiagnosticSink("stream.conf");
 * readDestinations({ key: "destination", value: "a ::: b:20000", line: 3 }, "stream", 19999, sink).length; // 2 (one error in sink)
 * ```
 */
export function readDestinations(
  entry: ConfigEntry,
  section: string,
  defaultPort: number,
  sink: DiagnosticSink,
): Destination[] {
  const template = looksLikeTemplate(entry.value);
  if (template) {
    sink.warning(
      entry.line,
      `[${section}] ${entry.key} = ${entry.value}: looks like an unrendered template; Netdata would split it at spaces and try each piece as a host`,
    );
  }
  const result: Destination[] = [];
  for (const text of entry.value.split(/[ \t\r\n\f\v]+/).filter((t) => t.length > 0)) {
    try {
      for (const d of parseDestinations(text, defaultPort)) {
        result.push(d);
        if (!template && d.protocol !== "unix" && !d.host.includes(":") && !HOST_LIKE.test(d.host)) {
          sink.warning(
            entry.line,
            `[${section}] ${entry.key}: '${d.text}' does not look like a host name or IP address`,
          );
        }
      }
    } catch (e) {
      if (template) continue;
      const reason = e instanceof Error ? e.message : String(e);
      sink.error(entry.line, `[${section}] ${entry.key}: ${reason}; this entry is skipped`);
    }
  }
  return result;
}
