/**
 * Decoding of one split line into a typed command (protocol reference §5–§7).
 *
 * @module
 */

import type {
  Algorithm,
  ChartType,
  ChildCommand,
  FunctionResultCommand,
  ParentCommand,
  VariableScope,
} from "./commands.ts";
import { ProtocolError } from "./errors.ts";
import { parseCollected, parseDouble, parseInteger, parseRetentionTime } from "./numbers.ts";

const CHART_TYPES: ReadonlySet<string> = new Set<ChartType>(["line", "area", "stacked"]);
const ALGORITHMS: ReadonlySet<string> = new Set<Algorithm>([
  "absolute",
  "incremental",
  "percentage-of-absolute-row",
  "percentage-of-incremental-row",
]);
const SCOPES: ReadonlySet<string> = new Set(["HOST", "GLOBAL", "CHART", "LOCAL"]);

/** Where a line came from, for error messages. */
export interface LineOrigin {
  /** The peer, e.g. `nd-child [127.0.0.1]:40000`. */
  readonly peer: string;
  /** 1-based line number on the connection. */
  readonly line: number;
}

const NOWHERE: LineOrigin = { peer: "input", line: 0 };

function fail(origin: LineOrigin, keyword: string, detail: string): never {
  throw new ProtocolError("bad-arguments", origin.peer, origin.line, `${keyword}: ${detail}`, keyword);
}

// Optional word: absent and empty read the same, as in Netdata.
function opt(words: readonly string[], count: number, i: number): string {
  return i < count ? words[i] : "";
}

function required(words: readonly string[], count: number, i: number, what: string, origin: LineOrigin): string {
  const w = opt(words, count, i);
  if (w === "") fail(origin, words[0], `expected ${what} as word ${i + 1}, found nothing`);
  return w;
}

function integer(words: readonly string[], count: number, i: number, what: string, origin: LineOrigin, dflt?: number) {
  const w = opt(words, count, i);
  if (w === "" && dflt !== undefined) return dflt;
  const v = parseInteger(w);
  if (v === undefined) fail(origin, words[0], `expected ${what} as an integer in word ${i + 1}, found '${w}'`);
  return v;
}

function retentionTime(words: readonly string[], count: number, i: number, what: string, origin: LineOrigin) {
  const w = opt(words, count, i);
  if (w === "") return 0;
  const v = parseRetentionTime(w);
  if (v === undefined) fail(origin, words[0], `expected ${what} as an integer in word ${i + 1}, found '${w}'`);
  return v;
}

function collected(words: readonly string[], count: number, i: number, what: string, origin: LineOrigin) {
  const w = opt(words, count, i);
  const v = parseCollected(w);
  if (v === undefined) fail(origin, words[0], `expected ${what} as an integer in word ${i + 1}, found '${w}'`);
  return v;
}

function double(words: readonly string[], count: number, i: number, what: string, origin: LineOrigin): number {
  const w = opt(words, count, i);
  const v = parseDouble(w);
  if (v === undefined) fail(origin, words[0], `expected ${what} as a number in word ${i + 1}, found '${w}'`);
  return v;
}

function bool(words: readonly string[], count: number, i: number, what: string, origin: LineOrigin): boolean {
  const w = opt(words, count, i);
  if (w === "true") return true;
  if (w === "false") return false;
  return fail(origin, words[0], `expected ${what} as 'true' or 'false' in word ${i + 1}, found '${w}'`);
}

// Multiplier and divisor go through strtol(…, 0) in Netdata, where 0 means 1.
function factor(words: readonly string[], count: number, i: number, what: string, origin: LineOrigin): number {
  if (opt(words, count, i) === "") return 1;
  const v = collected(words, count, i, what, origin);
  if (typeof v === "bigint") return fail(origin, words[0], `${what} ${v} is out of range`);
  return v === 0 ? 1 : v;
}

/**
 * Decodes the words of one child → parent line. `count` is the number of words (at least 1; the keyword
 * is `words[0]`). Throws {@link ProtocolError} for an unknown keyword or bad arguments.
 *
 * @example
 * ```ts
 * decodeChildWords(["SET", "user", "42"], 3); // { kind: "SET", dimension: "user", value: 42 }
 * ```
 */
export function decodeChildWords(words: readonly string[], count: number, origin: LineOrigin = NOWHERE): ChildCommand {
  const keyword = words[0];
  switch (keyword) {
    case "SET": {
      const dimension = required(words, count, 1, "a dimension id", origin);
      const text = opt(words, count, 2);
      return { kind: "SET", dimension, value: text === "" ? null : collected(words, count, 2, "a value", origin) };
    }
    case "BEGIN":
      return {
        kind: "BEGIN",
        chart: required(words, count, 1, "a chart id", origin),
        microseconds: integer(words, count, 2, "microseconds", origin, 0),
      };
    case "END":
      return { kind: "END" };
    case "RSET": {
      const dimension = required(words, count, 1, "a dimension id", origin);
      const value = opt(words, count, 2) === "" ? NaN : double(words, count, 2, "a value", origin);
      return { kind: "RSET", dimension, value, flags: opt(words, count, 3) };
    }
    case "RBEGIN": {
      const chart = opt(words, count, 1);
      if (count <= 2) return { kind: "RBEGIN", chart, range: null };
      return {
        kind: "RBEGIN",
        chart,
        range: {
          start: integer(words, count, 2, "the start time", origin),
          end: integer(words, count, 3, "the end time", origin),
          childNow: integer(words, count, 4, "the child's clock", origin, 0),
        },
      };
    }
    case "CHART":
      return decodeChart(words, count, origin);
    case "DIMENSION": {
      const algorithm = opt(words, count, 3);
      return {
        kind: "DIMENSION",
        id: required(words, count, 1, "a dimension id", origin),
        name: opt(words, count, 2),
        algorithm: ALGORITHMS.has(algorithm) ? algorithm as Algorithm : "absolute",
        multiplier: factor(words, count, 4, "the multiplier", origin),
        divisor: factor(words, count, 5, "the divisor", origin),
        options: opt(words, count, 6),
      };
    }
    case "CLABEL":
      return {
        kind: "CLABEL",
        name: required(words, count, 1, "a label name", origin),
        value: opt(words, count, 2),
        source: integer(words, count, 3, "the label source", origin, 0),
      };
    case "CLABEL_COMMIT":
      return { kind: "CLABEL_COMMIT" };
    case "LABEL":
      return {
        kind: "LABEL",
        name: required(words, count, 1, "a label name", origin),
        source: integer(words, count, 2, "the label source", origin),
        // An unquoted value with spaces arrives as several words; Netdata joins them with single spaces.
        value: count > 4 ? words.slice(3, count).join(" ") : opt(words, count, 3),
      };
    case "OVERWRITE":
      return { kind: "OVERWRITE", what: required(words, count, 1, "what to overwrite", origin) };
    case "CLAIMED_ID": {
      const claim = required(words, count, 2, "a claim id or NULL", origin);
      return {
        kind: "CLAIMED_ID",
        machineGuid: required(words, count, 1, "the machine GUID", origin),
        claimId: claim === "NULL" ? null : claim,
      };
    }
    case "FUNCTION": {
      const global = opt(words, count, 1) === "GLOBAL";
      const at = global ? 2 : 1;
      return {
        kind: "FUNCTION",
        global,
        name: required(words, count, at, "a function name", origin),
        timeoutSeconds: integer(words, count, at + 1, "the timeout", origin),
        help: opt(words, count, at + 2),
      };
    }
    case "VARIABLE": {
      const first = opt(words, count, 1);
      const scoped = SCOPES.has(first);
      const at = scoped ? 2 : 1;
      const name = required(words, count, at, "a variable name", origin);
      return {
        kind: "VARIABLE",
        scope: (scoped ? first : "") as VariableScope,
        name,
        value: double(words, count, at + 1, `the value of '${name}'`, origin),
      };
    }
    case "CHART_DEFINITION_END":
      return {
        kind: "CHART_DEFINITION_END",
        firstEntry: retentionTime(words, count, 1, "the first entry time", origin),
        lastEntry: retentionTime(words, count, 2, "the last entry time", origin),
        childNow: integer(words, count, 3, "the child's clock", origin, 0),
      };
    case "RDSTATE":
      return {
        kind: "RDSTATE",
        dimension: required(words, count, 1, "a dimension id", origin),
        lastCollectedUs: integer(words, count, 2, "the last collection time", origin),
        lastCollected: collected(words, count, 3, "the last collected value", origin),
        lastCalculated: double(words, count, 4, "the last calculated value", origin),
        lastStored: double(words, count, 5, "the last stored value", origin),
      };
    case "RSSTATE":
      return {
        kind: "RSSTATE",
        lastCollectedUs: integer(words, count, 1, "the last collection time", origin),
        lastUpdatedUs: integer(words, count, 2, "the last update time", origin),
      };
    case "REND":
      if (count < 7) fail(origin, keyword, `expected at least 6 arguments, found ${count - 1}`);
      return {
        kind: "REND",
        updateEvery: integer(words, count, 1, "update every", origin),
        firstEntry: retentionTime(words, count, 2, "the first entry time", origin),
        lastEntry: retentionTime(words, count, 3, "the last entry time", origin),
        startStreaming: bool(words, count, 4, "start streaming", origin),
        after: integer(words, count, 5, "the start of the range", origin),
        before: integer(words, count, 6, "the end of the range", origin),
        childNow: integer(words, count, 7, "the child's clock", origin, 0),
      };
    case "FLUSH":
      return { kind: "FLUSH" };
    case "DISABLE":
      return { kind: "DISABLE" };
    case "FUNCTION_RESULT_BEGIN":
      return decodeFunctionResultBegin(words, count, origin);
    default:
      throw new ProtocolError("unknown-keyword", origin.peer, origin.line, `unknown keyword '${keyword}'`, keyword);
  }
}

function decodeChart(words: readonly string[], count: number, origin: LineOrigin): ChildCommand {
  const id = required(words, count, 1, "a chart 'type.id'", origin);
  const dot = id.indexOf(".");
  if (dot <= 0 || dot === id.length - 1) {
    fail(origin, "CHART", `expected a chart id of the form 'type.id', found '${id}'`);
  }
  const chartType = opt(words, count, 7);
  return {
    kind: "CHART",
    id,
    name: opt(words, count, 2),
    title: opt(words, count, 3),
    units: count > 4 ? words[4] : "unknown",
    family: opt(words, count, 5),
    context: opt(words, count, 6),
    chartType: CHART_TYPES.has(chartType) ? chartType as ChartType : "line",
    priority: integer(words, count, 8, "the priority", origin, 1000),
    updateEvery: integer(words, count, 9, "update every", origin, 0),
    options: opt(words, count, 10),
    plugin: opt(words, count, 11),
    module: opt(words, count, 12),
  };
}

/**
 * Decodes the header line `FUNCTION_RESULT_BEGIN <transaction> <code> "<content type>" <expires>`; the
 * stream decoder then collects the payload up to `FUNCTION_RESULT_END`.
 *
 * @example
 * ```ts
 * decodeFunctionResultBegin(["FUNCTION_RESULT_BEGIN", "t1", "200", "application/json", "0"], 5).httpCode; // 200
 * ```
 */
export function decodeFunctionResultBegin(
  words: readonly string[],
  count: number,
  origin: LineOrigin = NOWHERE,
): FunctionResultCommand {
  return {
    kind: "FUNCTION_RESULT",
    transaction: required(words, count, 1, "a transaction id", origin),
    httpCode: integer(words, count, 2, "the HTTP code", origin),
    contentType: opt(words, count, 3),
    expires: integer(words, count, 4, "the expiry time", origin, 0),
    payload: "",
  };
}

/**
 * Decodes the words of one parent → child line (`REPLAY_CHART`, `FUNCTION` calls).
 *
 * @example
 * ```ts
 * decodeParentWords(["REPLAY_CHART", "system.cpu", "true", "0", "0"], 5).kind; // "REPLAY_CHART"
 * ```
 */
export function decodeParentWords(
  words: readonly string[],
  count: number,
  origin: LineOrigin = NOWHERE,
): ParentCommand {
  switch (words[0]) {
    case "REPLAY_CHART":
      return {
        kind: "REPLAY_CHART",
        chart: required(words, count, 1, "a chart id", origin),
        startStreaming: bool(words, count, 2, "start streaming", origin),
        after: integer(words, count, 3, "the start of the range", origin),
        before: integer(words, count, 4, "the end of the range", origin),
      };
    case "FUNCTION":
      return {
        kind: "FUNCTION_CALL",
        transaction: required(words, count, 1, "a transaction id", origin),
        timeoutSeconds: integer(words, count, 2, "the timeout", origin),
        function: required(words, count, 3, "a function", origin),
      };
    default:
      throw new ProtocolError("unknown-keyword", origin.peer, origin.line, `unknown keyword '${words[0]}'`, words[0]);
  }
}

const SPACE = 32, EQUALS = 61, DQUOTE = 34, BACKSLASH = 92, MINUS = 45, ZERO = 48;

// Reads `text[i, end)` as a plain decimal of 1 to 15 digits without a leading zero (but "0"); -1 when it
// is anything else, so the caller falls back to the general decoder.
function plainDigits(text: string, i: number, end: number): number {
  const digits = end - i;
  if (digits < 1 || digits > 15 || (digits > 1 && text.charCodeAt(i) === ZERO)) return -1;
  let v = 0;
  for (; i < end; i++) {
    const c = text.charCodeAt(i) - ZERO;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

// Index after the closing quote of a `"…"` word starting at `i`, or -1 when it holds a backslash or
// does not close before `end`.
function quotedEnd(text: string, i: number, end: number): number {
  for (; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DQUOTE) return i;
    if (c === BACKSLASH) return -1;
  }
  return -1;
}

/**
 * Decodes the three lines that make up almost all of a live stream, in the exact shape a Netdata sender
 * writes them (`SET "<dim>" = <int>`, `BEGIN "<chart>" <usec>`, `END`), without splitting words.
 * Returns `undefined` for any other line or shape; {@link decodeChildWords} then decodes it, with the
 * same result a fast-path line would have had.
 *
 * @example
 * ```ts
 * const line = 'SET "user" = 42';
 * decodeHotLine(line, 0, line.length); // { kind: "SET", dimension: "user", value: 42 }
 * ```
 */
export function decodeHotLine(text: string, start: number, end: number): ChildCommand | undefined {
  const first = text.charCodeAt(start);
  if (first === 83 /* S */) {
    // 'SET "'
    if (text.charCodeAt(start + 1) !== 69 || text.charCodeAt(start + 2) !== 84) return undefined;
    if (text.charCodeAt(start + 3) !== SPACE || text.charCodeAt(start + 4) !== DQUOTE) return undefined;
    const close = quotedEnd(text, start + 5, end);
    if (close < 0) return undefined;
    let i = close + 1;
    while (i < end && (text.charCodeAt(i) === SPACE || text.charCodeAt(i) === EQUALS)) i++;
    const negative = text.charCodeAt(i) === MINUS;
    const value = plainDigits(text, negative ? i + 1 : i, end);
    if (value < 0 || close === start + 5) return undefined;
    return { kind: "SET", dimension: text.slice(start + 5, close), value: negative && value !== 0 ? -value : value };
  }
  if (first === 69 /* E */) {
    return end - start === 3 && text.charCodeAt(start + 1) === 78 && text.charCodeAt(start + 2) === 68
      ? { kind: "END" }
      : undefined;
  }
  if (first === 66 /* B */) {
    // 'BEGIN "'
    if (text.charCodeAt(start + 1) !== 69 || text.charCodeAt(start + 2) !== 71) return undefined;
    if (text.charCodeAt(start + 3) !== 73 || text.charCodeAt(start + 4) !== 78) return undefined;
    if (text.charCodeAt(start + 5) !== SPACE || text.charCodeAt(start + 6) !== DQUOTE) return undefined;
    const close = quotedEnd(text, start + 7, end);
    if (close < 0 || close === start + 7 || text.charCodeAt(close + 1) !== SPACE) return undefined;
    const microseconds = plainDigits(text, close + 2, end);
    if (microseconds < 0) return undefined;
    return { kind: "BEGIN", chart: text.slice(start + 7, close), microseconds };
  }
  return undefined;
}

// The same shapes read from bytes (scripts/bench_ingest.ts: digits and quotes are several times cheaper to
// read from a Uint8Array than with charCodeAt, and no string is made for the line).

// bytes[i, end) as plainDigits reads text.
function plainDigitBytes(bytes: Uint8Array, i: number, end: number): number {
  const digits = end - i;
  if (digits < 1 || digits > 15 || (digits > 1 && bytes[i] === ZERO)) return -1;
  let v = 0;
  for (; i < end; i++) {
    const c = bytes[i] - ZERO;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

// The closing quote of a `"…"` word of plain ASCII starting at `i`, or -1 when it holds a backslash or a
// byte ≥ 0x80 (its text then needs decoding) or does not close before `end`.
function quotedEndBytes(bytes: Uint8Array, i: number, end: number): number {
  for (; i < end; i++) {
    const c = bytes[i];
    if (c === DQUOTE) return i;
    if (c === BACKSLASH || c >= 0x80) return -1;
  }
  return -1;
}

// Bounds of what a HotIds keeps, whatever a peer sends.
const MAX_CACHED_CHARTS = 65536;
const MAX_CACHED_POSITIONS = 65536;

/** An ASCII id as a string and as its bytes. */
interface CachedId {
  readonly text: string;
  readonly bytes: Uint8Array;
}

interface CachedChart extends CachedId {
  /** The dimension id of each `SET` position after this chart's `BEGIN`, as last seen. */
  readonly dims: string[];
  /**
   * Those ids' bytes end to end, position `p` at `[dimStarts[p], dimStarts[p + 1])`: one buffer per chart
   * rather than one per id, so the `SET`s of an iteration compare against one or two cache lines.
   */
  dimBytes: Uint8Array;
  readonly dimStarts: number[];
  /** The chart whose `BEGIN` followed this chart's last time. */
  next: CachedChart | undefined;
}

function sameBytes(id: Uint8Array, bytes: Uint8Array, start: number, end: number): boolean {
  return sameRange(id, 0, id.length, bytes, start, end);
}

function sameRange(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, start: number, end: number): boolean {
  if (aEnd - aStart !== end - start) return false;
  for (let i = 0; i < end - start; i++) if (a[aStart + i] !== b[start + i]) return false;
  return true;
}

function ascii(bytes: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, Array.from(bytes.subarray(start, end)));
}

/**
 * The chart and dimension ids of one live stream, kept so that {@link decodeHotBytes} compares a line's id
 * in place instead of making a string of it: a child sends its charts in the same order every iteration
 * and a chart's `SET`s in the same order, so each `BEGIN` is compared with the chart that followed the
 * previous one last time, and each `SET` with the id seen at its position. The same string then comes out
 * for the same id, which also spares the maps keyed by id hashing a fresh string per line.
 *
 * @example
 * ```ts
 * const ids = new HotIds();
 * const line = new TextEncoder().encode('SET "user" = 42');
 * decodeHotBytes(line, 0, line.length, ids, sink); // true, after sink.set("user", 42)
 * ```
 */
export class HotIds {
  readonly #charts = new Map<string, CachedChart>();
  /** The chart of the last `BEGIN`; `undefined` when it could not be cached. */
  #chart: CachedChart | undefined;
  #position = 0;

  /** The chart id bytes[start, end) (ASCII) of a `BEGIN`; the `SET` positions start over. */
  chart(bytes: Uint8Array, start: number, end: number): string {
    const previous = this.#chart;
    let chart = previous?.next;
    this.#position = 0;
    if (chart === undefined || !sameBytes(chart.bytes, bytes, start, end)) {
      const text = ascii(bytes, start, end);
      chart = this.#charts.get(text);
      if (chart === undefined) {
        if (this.#charts.size >= MAX_CACHED_CHARTS) {
          this.#chart = undefined;
          return text;
        }
        chart = {
          text,
          bytes: bytes.slice(start, end),
          dims: [],
          dimBytes: new Uint8Array(64),
          dimStarts: [0],
          next: undefined,
        };
        this.#charts.set(text, chart);
      }
      if (previous !== undefined) previous.next = chart;
    }
    this.#chart = chart;
    return chart.text;
  }

  /** The dimension id bytes[start, end) (ASCII) of the next `SET` after the `BEGIN`. */
  dimension(bytes: Uint8Array, start: number, end: number): string {
    const chart = this.#chart;
    if (chart === undefined) return ascii(bytes, start, end);
    const position = this.#position++;
    const starts = chart.dimStarts;
    if (
      position < chart.dims.length &&
      sameRange(chart.dimBytes, starts[position], starts[position + 1], bytes, start, end)
    ) {
      return chart.dims[position];
    }
    const text = ascii(bytes, start, end);
    if (position <= chart.dims.length && position < MAX_CACHED_POSITIONS) {
      // A changed id drops the positions after it too (they come back as their SETs follow): an id is only
      // ever appended to the buffer, so a peer changing ids costs no more than sending new ones.
      chart.dims.length = position;
      starts.length = position + 1;
      const at = starts[position];
      if (at + end - start > chart.dimBytes.length) {
        const grown = new Uint8Array(Math.max(2 * chart.dimBytes.length, at + end - start));
        grown.set(chart.dimBytes.subarray(0, at));
        chart.dimBytes = grown;
      }
      chart.dimBytes.set(bytes.subarray(start, end), at);
      chart.dims.push(text);
      starts.push(at + end - start);
    }
    return text;
  }
}

/**
 * Where a child stream's lines go: the three live lines as calls with their fields (no command object is
 * made for them: they are almost every line of a stream), every other line as a decoded command.
 *
 * @example
 * ```ts
 * const sink: ChildLineSink = {
 *   begin: (chart, microseconds) => console.log(chart, microseconds),
 *   set: (dimension, value) => console.log(dimension, value),
 *   end: () => console.log("END"),
 *   command: (cmd) => console.log(cmd.kind),
 * };
 * ```
 */
export interface ChildLineSink {
  /** `BEGIN "<chart>" <microseconds>`. */
  begin(chart: string, microseconds: number): void;
  /** `SET "<dimension>" = <value>` with an integer value that is exact as a number. */
  set(dimension: string, value: number): void;
  /** `END`. */
  end(): void;
  /** Any other line (and the live lines in shapes the fast path leaves to the general decoder). */
  command(command: ChildCommand): void;
}

/**
 * {@link decodeHotLine} for the UTF-8 bytes of a line, with its ids taken from the stream's {@link HotIds},
 * handing the line to `sink`; false (nothing handed) for any other line or shape, which {@link
 * decodeChildWords} then decodes to the same values. Ids with a byte ≥ 0x80 are left to it too.
 *
 * @example
 * ```ts
 * const line = new TextEncoder().encode('BEGIN "system.cpu" 1000000');
 * decodeHotBytes(line, 0, line.length, new HotIds(), sink); // true, after sink.begin("system.cpu", 1000000)
 * ```
 */
export function decodeHotBytes(
  bytes: Uint8Array,
  start: number,
  end: number,
  ids: HotIds,
  sink: ChildLineSink,
): boolean {
  const first = bytes[start];
  if (first === 83 /* S */) {
    // 'SET "'
    if (bytes[start + 1] !== 69 || bytes[start + 2] !== 84) return false;
    if (bytes[start + 3] !== SPACE || bytes[start + 4] !== DQUOTE) return false;
    const close = quotedEndBytes(bytes, start + 5, end);
    if (close < 0) return false;
    let i = close + 1;
    while (i < end && (bytes[i] === SPACE || bytes[i] === EQUALS)) i++;
    const negative = bytes[i] === MINUS;
    const value = plainDigitBytes(bytes, negative ? i + 1 : i, end);
    if (value < 0 || close === start + 5) return false;
    sink.set(ids.dimension(bytes, start + 5, close), negative && value !== 0 ? -value : value);
    return true;
  }
  if (first === 69 /* E */) {
    if (end - start !== 3 || bytes[start + 1] !== 78 || bytes[start + 2] !== 68) return false;
    sink.end();
    return true;
  }
  if (first === 66 /* B */) {
    // 'BEGIN "'
    if (bytes[start + 1] !== 69 || bytes[start + 2] !== 71) return false;
    if (bytes[start + 3] !== 73 || bytes[start + 4] !== 78) return false;
    if (bytes[start + 5] !== SPACE || bytes[start + 6] !== DQUOTE) return false;
    const close = quotedEndBytes(bytes, start + 7, end);
    if (close < 0 || close === start + 7 || bytes[close + 1] !== SPACE) return false;
    const microseconds = plainDigitBytes(bytes, close + 2, end);
    if (microseconds < 0) return false;
    sink.begin(ids.chart(bytes, start + 7, close), microseconds);
    return true;
  }
  return false;
}
