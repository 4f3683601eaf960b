/**
 * Log lines in the shape of Netdata's `error.log` (`<date> <time>: <program> <LEVEL> : <tag> : <message>`),
 * written to standard error, so that users' greps for Netdata's messages keep working.
 *
 * Timestamps are in local time, computed without `Date`'s local-time methods and without `Intl`: in a
 * compiled Bun binary those page ICU's time-zone code and data into memory (≈ 2.5 MB of VmRSS for one
 * `getTimezoneOffset()`, ≈ 6 MB with `Intl.DateTimeFormat`). The zone is read once, as glibc does: the TZif
 * file (RFC 8536) named by `TZ` (`Europe/Berlin`, `:Europe/Berlin`, `/path/to/file`) or else `/etc/localtime`,
 * or a POSIX `TZ` string (`CET-1CEST,M3.5.0,M10.5.0/3`); its transitions and footer rule give the offset of
 * each instant, DST changes included. Without any of them the time is UTC.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import process from "node:process";

/** Severity of a log line. */
export type LogLevel = "INFO" | "ERROR";

/**
 * Where log lines go; tests pass an array-backed one.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const log = new Logger("rill-collector", "MAIN", (line) => lines.push(line));
 * ```
 */
export type LogSink = (line: string) => void;

const toStderr: LogSink = (line) => process.stderr.write(`${line}\n`);

/**
 * The local time type in force at an instant: seconds east of UTC, the abbreviation (`CET`), and whether
 * it is daylight saving time.
 *
 * @example
 * ```ts
 * const type: LocalTimeType = { offset: 3600, abbreviation: "CET", isDst: false };
 * ```
 */
export interface LocalTimeType {
  readonly offset: number;
  readonly abbreviation: string;
  readonly isDst: boolean;
}

/**
 * A time zone: the local time type of any instant.
 *
 * @example
 * ```ts
 * const zone = parsePosixTz("CET-1CEST,M3.5.0,M10.5.0/3")!;
 * zone.at(Date.UTC(2024, 6, 1) / 1000).abbreviation; // "CEST"
 * ```
 */
export interface TimeZone {
  /** The local time type at `seconds` since the epoch (UTC). */
  at(seconds: number): LocalTimeType;
}

/** UTC, the zone when none can be read. */
export const UTC_ZONE: TimeZone = { at: () => ({ offset: 0, abbreviation: "UTC", isDst: false }) };

/** Days since 1970-01-01 of a proleptic Gregorian date (month 1-12); H. Hinnant's `days_from_civil`. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The date of a day number (days since 1970-01-01); H. Hinnant's `civil_from_days`. */
function civilFromDays(days: number): [year: number, month: number, day: number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [era * 400 + yoe + (month <= 2 ? 1 : 0), month, day];
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

// A POSIX TZ rule date (`Jn`, `n`, `Mm.w.d`) and the local time of day it switches at (seconds).
interface RuleDate {
  readonly kind: "J" | "n" | "M";
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly time: number;
}

/** Day number (days since 1970-01-01) a rule date falls on in `year`. */
function ruleDay(rule: RuleDate, year: number): number {
  const jan1 = daysFromCivil(year, 1, 1);
  if (rule.kind === "J") return jan1 + rule.a - 1 + (isLeap(year) && rule.a >= 60 ? 1 : 0);
  if (rule.kind === "n") return jan1 + rule.a;
  const [month, week, weekday] = [rule.a, rule.b, rule.c];
  const first = daysFromCivil(year, month, 1);
  const firstWeekday = ((first + 4) % 7 + 7) % 7; // 1970-01-01 was a Thursday
  let day = first + (weekday - firstWeekday + 7) % 7 + (week - 1) * 7;
  const nextMonth = month === 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1);
  while (day >= nextMonth) day -= 7; // week 5 means the last one
  return day;
}

/**
 * Parses a POSIX `TZ` string (`UTC0`, `EST5EDT,M3.2.0,M11.1.0`, `<+0530>-5:30`), as TZif footers hold
 * them; undefined when it is not one.
 *
 * @example
 * ```ts
 * parsePosixTz("EST5EDT,M3.2.0,M11.1.0")?.at(0).abbreviation; // "EST"
 * ```
 */
export function parsePosixTz(text: string): TimeZone | undefined {
  let i = 0;
  const name = (): string | undefined => {
    if (text[i] === "<") {
      const end = text.indexOf(">", i);
      if (end < 0) return undefined;
      const quoted = text.slice(i + 1, end);
      i = end + 1;
      return quoted;
    }
    const m = /^[A-Za-z]{3,}/.exec(text.slice(i));
    if (m === null) return undefined;
    i += m[0].length;
    return m[0];
  };
  // [+-]hh[:mm[:ss]] as seconds; undefined when absent.
  const hms = (): number | undefined => {
    const m = /^([+-]?)(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(text.slice(i));
    if (m === null) return undefined;
    i += m[0].length;
    const s = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
    return m[1] === "-" ? -s : s;
  };
  const ruleDate = (): RuleDate | undefined => {
    const m = /^(?:J(\d{1,3})|(\d{1,3})|M(\d{1,2})\.(\d)\.(\d))/.exec(text.slice(i));
    if (m === null) return undefined;
    i += m[0].length;
    let time = 7200;
    if (text[i] === "/") {
      i++;
      const t = hms();
      if (t === undefined) return undefined;
      time = t;
    }
    if (m[1] !== undefined) return { kind: "J", a: Number(m[1]), b: 0, c: 0, time };
    if (m[2] !== undefined) return { kind: "n", a: Number(m[2]), b: 0, c: 0, time };
    return { kind: "M", a: Number(m[3]), b: Number(m[4]), c: Number(m[5]), time };
  };

  const stdName = name();
  const stdPosix = hms();
  if (stdName === undefined || stdPosix === undefined) return undefined;
  const std: LocalTimeType = { offset: -stdPosix, abbreviation: stdName, isDst: false };
  if (i === text.length) return { at: () => std };
  const dstName = name();
  if (dstName === undefined) return undefined;
  const dstPosix = text[i] === "," || i === text.length ? undefined : hms();
  const dst: LocalTimeType = {
    offset: dstPosix === undefined ? std.offset + 3600 : -dstPosix,
    abbreviation: dstName,
    isDst: true,
  };
  let start: RuleDate | undefined = { kind: "M", a: 3, b: 2, c: 0, time: 7200 }; // glibc's default: US rules
  let end: RuleDate | undefined = { kind: "M", a: 11, b: 1, c: 0, time: 7200 };
  if (text[i] === ",") {
    i++;
    start = ruleDate();
    if (text[i++] !== ",") return undefined;
    end = ruleDate();
  }
  if (start === undefined || end === undefined || i !== text.length) return undefined;
  const [s, e] = [start, end];
  return {
    at(seconds: number): LocalTimeType {
      const [year] = civilFromDays(Math.floor((seconds + std.offset) / 86400));
      // The start is given in standard local time, the end in daylight saving time.
      const dstStart = ruleDay(s, year) * 86400 + s.time - std.offset;
      const dstEnd = ruleDay(e, year) * 86400 + e.time - dst.offset;
      const inDst = dstStart < dstEnd
        ? seconds >= dstStart && seconds < dstEnd
        : !(seconds >= dstEnd && seconds < dstStart); // southern hemisphere: DST spans the new year
      return inDst ? dst : std;
    },
  };
}

/**
 * Parses a TZif file (RFC 8536, versions 1 to 4): its transitions, and after the last one the footer's
 * POSIX rule; undefined when it is not one.
 *
 * @example
 * ```ts
 * const zone = parseTzif(readFileSync("/usr/share/zoneinfo/Europe/Berlin"));
 * zone?.at(Date.UTC(2024, 0, 1) / 1000).offset; // 3600
 * ```
 */
export function parseTzif(bytes: Uint8Array): TimeZone | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = (at: number) =>
    at + 44 <= bytes.length && bytes[at] === 0x54 && bytes[at + 1] === 0x5a && bytes[at + 2] === 0x69 &&
    bytes[at + 3] === 0x66;
  if (!magic(0)) return undefined;
  const counts = (at: number) => {
    const [isut, isstd, leap, time, type, char] = [0, 1, 2, 3, 4, 5].map((k) => view.getUint32(at + 20 + k * 4));
    return { isut, isstd, leap, time, type, char };
  };
  let at = 0;
  let c = counts(0);
  let timeSize = 4;
  const version = bytes[4];
  if (version !== 0) {
    // Skip the 32-bit block to the 64-bit one, which also covers times past 2038.
    at = 44 + c.time * 5 + c.type * 6 + c.char + c.leap * 8 + c.isstd + c.isut;
    if (!magic(at)) return undefined;
    c = counts(at);
    timeSize = 8;
  }
  let p = at + 44;
  const dataEnd = p + c.time * (timeSize + 1) + c.type * 6 + c.char + c.leap * (timeSize + 4) + c.isstd + c.isut;
  if (c.type === 0 || dataEnd > bytes.length) return undefined;
  const times: number[] = [];
  for (let k = 0; k < c.time; k++, p += timeSize) {
    times.push(timeSize === 8 ? Number(view.getBigInt64(p)) : view.getInt32(p));
  }
  const indexes = Array.from(bytes.subarray(p, p + c.time));
  p += c.time;
  const charsAt = p + c.type * 6;
  const types: LocalTimeType[] = [];
  for (let k = 0; k < c.type; k++, p += 6) {
    let end = charsAt + bytes[p + 5];
    while (end < charsAt + c.char && bytes[end] !== 0) end++;
    const abbreviation = String.fromCharCode(...bytes.subarray(charsAt + bytes[p + 5], end));
    types.push({ offset: view.getInt32(p), abbreviation, isDst: bytes[p + 4] === 1 });
  }
  let footer: TimeZone | undefined;
  if (version !== 0 && bytes[dataEnd] === 0x0a) {
    const close = bytes.indexOf(0x0a, dataEnd + 1);
    if (close > dataEnd + 1) footer = parsePosixTz(String.fromCharCode(...bytes.subarray(dataEnd + 1, close)));
  }
  return {
    at(seconds: number): LocalTimeType {
      if (times.length === 0 || seconds < times[0]) {
        return times.length === 0 && footer !== undefined ? footer.at(seconds) : types[0];
      }
      if (seconds >= times[times.length - 1] && footer !== undefined) return footer.at(seconds);
      let lo = 0;
      let hi = times.length - 1; // times[lo] <= seconds; find the last such
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (times[mid] <= seconds) lo = mid;
        else hi = mid - 1;
      }
      return types[indexes[lo]] ?? types[0];
    },
  };
}

/** Where the zone files of `TZ=Area/City` are. */
export const ZONEINFO_DIR = "/usr/share/zoneinfo";

/**
 * The zone glibc's `localtime()` would use: `TZ` as a TZif file (relative to {@link ZONEINFO_DIR}, or an
 * absolute path; a leading `:` is dropped) or as a POSIX string, `/etc/localtime` when `TZ` is unset, UTC
 * when `TZ` is empty or nothing can be read. `read` maps an absolute path to its bytes (tests and `--root`
 * pass their own).
 *
 * @example
 * ```ts
 * const zone = loadTimeZone(process.env.TZ);
 * ```
 */
export function loadTimeZone(
  tz: string | undefined,
  read: (path: string) => Uint8Array = (path) => readFileSync(path),
): TimeZone {
  const file = (path: string): TimeZone | undefined => {
    try {
      return parseTzif(read(path));
    } catch {
      return undefined;
    }
  };
  if (tz === undefined) return file("/etc/localtime") ?? UTC_ZONE;
  const name = tz.startsWith(":") ? tz.slice(1) : tz;
  if (name === "") return UTC_ZONE;
  if (!name.includes("..")) {
    const zone = file(name.startsWith("/") ? name : `${ZONEINFO_DIR}/${name}`);
    if (zone !== undefined) return zone;
  }
  return parsePosixTz(name) ?? UTC_ZONE;
}

let processZone: TimeZone | undefined;

/** This process's local zone ({@link loadTimeZone} of its `TZ`), read on first use. */
export function localTimeZone(): TimeZone {
  return processZone ??= loadTimeZone(process.env.TZ);
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * `YYYY-MM-DD HH:MM:SS` of an instant (ms since the epoch) in a zone (the local one by default).
 *
 * @example
 * ```ts
 * formatTimestamp(0, UTC_ZONE); // "1970-01-01 00:00:00"
 * ```
 */
export function formatTimestamp(ms: number, zone: TimeZone = localTimeZone()): string {
  const utcSeconds = Math.floor(ms / 1000);
  const local = utcSeconds + zone.at(utcSeconds).offset;
  const days = Math.floor(local / 86400);
  const secondOfDay = local - days * 86400;
  const [year, month, day] = civilFromDays(days);
  return `${year}-${pad(month)}-${pad(day)} ${pad(Math.floor(secondOfDay / 3600))}:${
    pad(Math.floor(secondOfDay / 60) % 60)
  }:${pad(secondOfDay % 60)}`;
}

// Unicode general category Cc: exactly C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F).
const CONTROL = /\p{Cc}/gu;
const NAMED_ESCAPES: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every C0 and C1 control character and DEL written as an escape (`\n`, `\r`, `\t`, else
 * `\xHH`), so that text a peer chose (a child's hostname, a chart id, a request line) can neither start a
 * forged log line nor send escape sequences to the terminal reading the log.
 *
 * @example
 * ```ts
 * escapeControls("edge\r\n2024-01-01 00:00:00: fake"); // "edge\\r\\n2024-01-01 00:00:00: fake"
 * escapeControls("\x1b[31mred"); // "\\x1b[31mred"
 * ```
 */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => NAMED_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * A tagged logger (the tag is Netdata's thread tag, e.g. `STREAM_SENDER[edge-1]`). Every line it writes is
 * one line: control characters in the tag and the message are escaped ({@link escapeControls}).
 *
 * @example
 * ```ts
 * const log = new Logger("rill-collector", "MAIN");
 * log.child("STREAM_SENDER[edge-1]").info("STREAM edge-1 [send to parent:19999]: connecting...");
 * ```
 */
export class Logger {
  readonly program: string;
  readonly tag: string;
  readonly sink: LogSink;

  constructor(program: string, tag: string, sink: LogSink = toStderr) {
    this.program = program;
    this.tag = tag;
    this.sink = sink;
  }

  /** The same program and sink under another tag. */
  child(tag: string): Logger {
    return new Logger(this.program, tag, this.sink);
  }

  info(message: string): void {
    this.write("INFO", message);
  }

  error(message: string): void {
    this.write("ERROR", message);
  }

  write(level: LogLevel, message: string): void {
    this.sink(
      `${formatTimestamp(Date.now())}: ${this.program} ${level.padEnd(5)} : ${escapeControls(this.tag)} : ${
        escapeControls(message)
      }`,
    );
  }
}
