/**
 * Netdata "simple patterns": the space-separated glob lists used by `allow from`,
 * `send charts matching` and many other options.
 *
 * @module
 */

/** One compiled entry of a list: the text between `*`s and whether a `!` prefix negates it. */
interface Entry {
  readonly negative: boolean;
  /** Literal parts between `*`s: a glob that starts (ends) with `*` has an empty first (last) part. */
  readonly parts: readonly string[];
}

/** The characters Netdata splits a configured list on by default: space, tab, CR, LF, FF, VT. */
export const PATTERN_SEPARATORS = " \t\r\n\f\v";

/**
 * The separators of the API's list parameters (`dimensions=`, `contexts=`, …): `,` and `|` instead of the
 * space, so that a dimension name may hold one.
 */
export const API_PATTERN_SEPARATORS = ",|\t\r\n\f\v";

/**
 * A parsed list of simple patterns. Entries are tried left to right; the first that matches decides
 * (a `!` entry refuses, any other accepts); when none matches the answer is no. `*` matches any run of
 * characters, a backslash makes the next character literal for the split (so a pattern can hold a space),
 * and the empty string never matches.
 *
 * @example
 * ```ts
 * const allow = SimplePattern.parse("!10.1.2.3 10.*");
 * allow.matches("10.0.0.5"); // true
 * allow.matches("10.1.2.3"); // false
 * allow.matches("192.168.1.1"); // false
 * ```
 */
export class SimplePattern {
  /** The text the list was parsed from. */
  readonly source: string;
  readonly #entries: readonly Entry[];

  private constructor(source: string, entries: readonly Entry[]) {
    this.source = source;
    this.#entries = entries;
  }

  /**
   * Parses a pattern list split on `separators` (each character one separator; whitespace by default).
   * Any text is valid; an empty or blank list matches nothing.
   *
   * @example
   * ```ts
   * SimplePattern.parse("!apps.cpu *").matches("apps.mem"); // true
   * SimplePattern.parse("user|sys*", API_PATTERN_SEPARATORS).matches("system"); // true
   * ```
   */
  static parse(source: string, separators: string = PATTERN_SEPARATORS): SimplePattern {
    const isSeparator = (c: string) => separators.includes(c);
    const entries: Entry[] = [];
    let i = 0;
    while (i < source.length) {
      while (i < source.length && isSeparator(source[i])) i++;
      let negative = false;
      if (source[i] === "!") {
        negative = true;
        i++;
      }
      if (i >= source.length) break;
      let word = "";
      let escaped = false;
      while (i < source.length) {
        const c = source[i];
        if (c === "\\" && !escaped) {
          escaped = true;
          i++;
          continue;
        }
        if (isSeparator(c) && !escaped) {
          i++;
          break;
        }
        word += c;
        escaped = false;
        i++;
      }
      if (word.length === 0) continue;
      entries.push({ negative, parts: word.split("*") });
    }
    return new SimplePattern(source, entries);
  }

  /** True when the list has no entry (and so matches nothing). */
  get isEmpty(): boolean {
    return this.#entries.length === 0;
  }

  /**
   * Whether `text` is accepted: the first matching entry decides; no match, or an empty `text`, is no.
   *
   * @example
   * ```ts
   * SimplePattern.parse("*").matches("system.cpu"); // true
   * ```
   */
  matches(text: string): boolean {
    return this.verdict(text) ?? false;
  }

  /**
   * What the first entry that matches any of `texts` says: `true` for a positive entry, `false` for a `!`
   * one, `undefined` when no entry matches any of them (empty texts never match). With one text this is
   * {@link matches} telling "refused by a `!` entry" from "matched nothing"; with several, the entries are
   * still tried in order, each against every text, so a peer known by two names meets the list once.
   *
   * @example
   * ```ts
   * const p = SimplePattern.parse("!10.0.0.1 10.*");
   * p.verdict("10.0.0.1"); // false
   * p.verdict("10.0.0.2"); // true
   * p.verdict("192.168.1.1"); // undefined
   * SimplePattern.parse("127.* !*").verdict("127.0.0.1", "localhost"); // true
   * ```
   */
  verdict(...texts: readonly string[]): boolean | undefined {
    const candidates = texts.filter((text) => text.length > 0);
    for (const entry of this.#entries) {
      if (candidates.some((text) => globMatches(entry, text))) return !entry.negative;
    }
    return undefined;
  }

  /** The pattern text, so a pattern prints as it was configured. */
  toString(): string {
    return this.source;
  }
}

// Leftmost matching of the literal parts is exact for globs whose only wildcard is `*`.
function globMatches(entry: Entry, text: string): boolean {
  const { parts } = entry;
  if (parts.length === 1) return text === parts[0];
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (first.length + last.length > text.length) return false;
  if (!text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (let p = 1; p < parts.length - 1; p++) {
    const part = parts[p];
    if (part.length === 0) continue;
    const found = text.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/**
 * The `send charts matching` rule: a chart is sent when the list accepts its id or, evaluated separately,
 * its name (so a `!` entry that only hits the id can be overridden by an entry that accepts the name).
 *
 * @example
 * ```ts
 * const p = SimplePattern.parse("!system.cpu system.*");
 * chartMatches(p, "system.cpu", "system.cpu"); // false
 * chartMatches(p, "system.cpu_some_pressure", "system.cpu_some_pressure"); // true
 * ```
 */
export function chartMatches(pattern: SimplePattern, id: string, name: string): boolean {
  return pattern.matches(id) || (name !== id && pattern.matches(name));
}
