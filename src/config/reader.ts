/**
 * Reads `netdata.conf` / `stream.conf` text with the rules of Netdata's own config loader (appconfig):
 * every line is trimmed, `#` starts a full-line comment, `[name]` opens (or re-opens) a section, and
 * `key = value` splits at the first `=`. Nothing here throws for bad syntax: problems become diagnostics.
 *
 * @module
 */

import { readFileSync } from "node:fs";

/**
 * One problem found in a config file. Lines count from 1; line 0 means the file as a whole.
 *
 * @example
 * ```ts
 * const d: ConfigDiagnostic = { file: "stream.conf", line: 2, severity: "error", message: "bad value" };
 * ```
 */
export interface ConfigDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly severity: "error" | "warning";
  readonly message: string;
}

/**
 * Formats a diagnostic the way compilers do, so editors can jump to it.
 *
 * @example
 * ```ts
 * formatDiagnostic({ file: "stream.conf", line: 3, severity: "warning", message: "no '=' in 'foo'" });
 * // "stream.conf:3: no '=' in 'foo'"
 * ```
 */
export function formatDiagnostic(d: ConfigDiagnostic): string {
  return `${d.file}:${d.line}: ${d.message}`;
}

/**
 * One `key = value` line as it counts after the whole file was read (the last one of a repeated key).
 *
 * @example
 * ```ts
 * parseConfig("[db]\nmode = ram\n", "netdata.conf").entry("db", "mode"); // { key: "mode", value: "ram", line: 2 }
 * ```
 */
export interface ConfigEntry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

/**
 * A section: its name as written between the brackets, the line it first appeared on, and its keys.
 *
 * @example
 * ```ts
 * parseConfig("[db]\nmode = ram\n", "netdata.conf").section("db")?.entries.size; // 1
 * ```
 */
export interface ConfigSection {
  readonly name: string;
  readonly line: number;
  /** Keys in first-appearance order. Lookups are case-sensitive, as in Netdata. */
  readonly entries: ReadonlyMap<string, ConfigEntry>;
}

// Netdata reads lines with fgets into a buffer of this size; longer lines are cut into pieces.
const LINE_MAX = 8192;

// Netdata trims with C isspace(): exactly these six characters, not Unicode spaces.
const SPACE = new Set([" ", "\t", "\n", "\v", "\f", "\r"]);

/**
 * Trims the way C `isspace()` does (space, tab, LF, VT, FF, CR), leaving other Unicode spaces alone.
 *
 * @example
 * ```ts
 * trimSpaces(" \tenabled = no \r"); // "enabled = no"
 * ```
 */
export function trimSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && SPACE.has(text[start])) start++;
  while (end > start && SPACE.has(text[end - 1])) end--;
  return text.slice(start, end);
}

interface MutableSection {
  name: string;
  line: number;
  entries: Map<string, ConfigEntry>;
}

/**
 * A parsed config file: sections in first-appearance order plus the diagnostics of the read.
 *
 * @example
 * ```ts
 * const doc = parseConfig("[stream]\n  enabled = yes\n", "stream.conf");
 * doc.get("stream", "enabled"); // "yes"
 * doc.entry("stream", "enabled")?.line; // 2
 * ```
 */
export class ConfigDocument {
  /** File name used in diagnostics. */
  readonly file: string;
  /** Sections by exact name (Netdata compares section names case-sensitively). */
  readonly sections: ReadonlyMap<string, ConfigSection>;
  /** Everything worth telling the user about the syntax, in line order. */
  readonly diagnostics: readonly ConfigDiagnostic[];

  constructor(file: string, sections: ReadonlyMap<string, ConfigSection>, diagnostics: readonly ConfigDiagnostic[]) {
    this.file = file;
    this.sections = sections;
    this.diagnostics = diagnostics;
  }

  /**
   * The section called exactly `name`, if the file has one.
   *
   * @example
   * ```ts
   * parseConfig("[web]\nmode = none\n", "netdata.conf").section("web")?.line; // 1
   * ```
   */
  section(name: string): ConfigSection | undefined {
    return this.sections.get(name);
  }

  /**
   * The entry `key` of section `section`, with its line.
   *
   * @example
   * ```ts
   * parseConfig("[db]\nmode = ram\n", "netdata.conf").entry("db", "mode"); // { key: "mode", value: "ram", line: 2 }
   * ```
   */
  entry(section: string, key: string): ConfigEntry | undefined {
    return this.sections.get(section)?.entries.get(key);
  }

  /**
   * The value of `key` in `section`, or `undefined` when it is not set.
   *
   * @example
   * ```ts
   * parseConfig("[db]\nmode = ram\n", "netdata.conf").get("db", "mode"); // "ram"
   * ```
   */
  get(section: string, key: string): string | undefined {
    return this.entry(section, key)?.value;
  }
}

/**
 * Parses config text. CRLF, a missing final newline, any mix of tab/space indentation and a UTF-8 BOM are
 * accepted. A later value of the same key wins (with a warning naming both lines), repeated sections merge,
 * and lines Netdata would ignore (no `=`, empty key, outside any section) are skipped with a warning.
 * A `;` line is skipped silently: Netdata has no `;` comments, but it ignores such lines all the same
 * (either for lacking a `=` or as a key nobody looks up).
 *
 * @example
 * ```ts
 * const doc = parseConfig("[stream]\r\nenabled = no \r\n[stream]\r\nenabled = yes", "stream.conf");
 * doc.get("stream", "enabled"); // "yes"
 * doc.diagnostics[0].message; // "[stream] 'enabled' is set again on line 4; line 2 no longer counts"
 * ```
 */
export function parseConfig(text: string, file: string): ConfigDocument {
  const sections = new Map<string, MutableSection>();
  const diagnostics: ConfigDiagnostic[] = [];
  const warn = (line: number, message: string) => diagnostics.push({ file, line, severity: "warning", message });

  if (text.startsWith("\uFEFF")) {
    text = text.slice(1);
    warn(1, "the file starts with a UTF-8 byte order mark; Netdata would not recognise the first line");
  }

  let current: MutableSection | undefined;
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i];
    if (raw.length > LINE_MAX) {
      warn(lineNo, `line is ${raw.length} characters long; Netdata reads at most ${LINE_MAX} and splits the rest`);
    }
    const s = trimSpaces(raw);
    if (s.length === 0 || s.startsWith("#") || s.startsWith(";")) continue;

    if (s.startsWith("[") && s.endsWith("]") && s.length >= 2) {
      const name = s.slice(1, -1);
      current = sections.get(name);
      if (current === undefined) {
        current = { name, line: lineNo, entries: new Map() };
        sections.set(name, current);
      }
      continue;
    }

    if (current === undefined) {
      warn(lineNo, `'${s}' is outside any section; Netdata ignores it`);
      continue;
    }

    const eq = s.indexOf("=");
    if (eq < 0) {
      warn(lineNo, `no '=' in '${s}'; Netdata ignores this line`);
      continue;
    }
    const key = trimSpaces(s.slice(0, eq));
    const value = trimSpaces(s.slice(eq + 1));
    if (key.length === 0) {
      warn(lineNo, `no key before '=' in '${s}'; Netdata ignores this line`);
      continue;
    }

    const previous = current.entries.get(key);
    if (previous !== undefined) {
      warn(
        lineNo,
        `[${current.name}] '${key}' is set again on line ${lineNo}; line ${previous.line} no longer counts`,
      );
    }
    current.entries.set(key, { key, value, line: lineNo });
  }

  return new ConfigDocument(file, sections, diagnostics);
}

/**
 * Reads and parses a config file. A missing or unreadable file is reported as an error diagnostic on line 0
 * (with an empty document) instead of an exception, so callers can decide what a missing file means.
 *
 * @example
 * ```ts
 * const doc = readConfigFile("/etc/netdata/stream.conf");
 * for (const d of doc.diagnostics) console.error(formatDiagnostic(d));
 * ```
 */
export function readConfigFile(path: string): ConfigDocument {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return new ConfigDocument(path, new Map(), [
      { file: path, line: 0, severity: "error", message: `cannot read the file: ${reason}` },
    ]);
  }
  return parseConfig(text, path);
}
