/**
 * Number syntax of the stream: collected integers (C `strtoll` with base 0), plain decimal integers, and
 * the doubles a 1.37 child prints with 7 decimals (`NAN` for a missing value).
 *
 * @module
 */

/**
 * A raw collected value: a `number` while it is a safe integer, a `bigint` beyond 2^53 so that 64-bit
 * counters keep every digit.
 */
export type CollectedNumber = number | bigint;

const ZERO = 48, NINE = 57, MINUS = 45, PLUS = 43;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const SIGNED_DECIMAL = /^[+-]?[0-9]+$/;

/**
 * Parses a collected value as C's `strtoll(text, NULL, 0)` reads a whole word: optional sign, then `0x…`
 * hex, `0…` octal or decimal. Values outside int64 saturate as `strtoll` does. Returns `undefined` when
 * the word is not entirely a number (Netdata would silently read garbage as 0; we report it instead).
 *
 * @example
 * ```ts
 * parseCollected("-42"); // -42
 * parseCollected("0x1F"); // 31
 * parseCollected("18446744073709551615"); // 9223372036854775807n
 * parseCollected("12abc"); // undefined
 * ```
 */
export function parseCollected(text: string): CollectedNumber | undefined {
  const n = text.length;
  // Fast path: up to 15 decimal digits cannot leave the safe-integer range.
  if (n > 0 && n <= 16) {
    let i = 0;
    let negative = false;
    const c0 = text.charCodeAt(0);
    if (c0 === MINUS || c0 === PLUS) {
      negative = c0 === MINUS;
      i = 1;
    }
    if (i < n && (text.charCodeAt(i) !== ZERO || i === n - 1) && n - i <= 15) {
      let v = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c < ZERO || c > NINE) return undefined;
        v = v * 10 + (c - ZERO);
      }
      return negative && v !== 0 ? -v : v;
    }
  }
  const m = /^([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (m === null) return undefined;
  const digits = m[2];
  let big = digits.length > 1 && (digits[1] === "x" || digits[1] === "X")
    ? BigInt(digits)
    : digits.length > 1 && digits[0] === "0"
    ? BigInt(`0o${digits.slice(1)}`)
    : BigInt(digits);
  if (m[1] === "-") big = -big;
  if (big > INT64_MAX) big = INT64_MAX;
  if (big < INT64_MIN) big = INT64_MIN;
  return toCollected(big);
}

/**
 * Normalises a `bigint` to a `number` when it is a safe integer, so equal values compare equal.
 *
 * @example
 * ```ts
 * toCollected(5n); // 5
 * toCollected(2n ** 60n); // 1152921504606846976n
 * ```
 */
export function toCollected(value: bigint): CollectedNumber {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/**
 * Parses a decimal integer (times, counts, priorities, multipliers). Hex and octal are accepted for
 * `multiplier`/`divisor` only through {@link parseCollected}. Returns `undefined` for anything else or
 * for values beyond the safe-integer range.
 *
 * @example
 * ```ts
 * parseInteger("1795423042"); // 1795423042
 * parseInteger("1.5"); // undefined
 * ```
 */
export function parseInteger(text: string): number | undefined {
  if (!SIGNED_DECIMAL.test(text)) return undefined;
  const v = Number(text);
  return Number.isSafeInteger(v) ? v : undefined;
}

const UNSIGNED_DECIMAL = /^[0-9]{1,20}$/;
const TWO_TO_64 = 18446744073709551616n;

/**
 * Parses a retention time of `CHART_DEFINITION_END` or `REND` as a 1.37 parent reads it (an unsigned 64-bit
 * word taken as a signed time): a headless 1.37 proxy, which stores nothing, reckons a chart's first entry as
 * its last update (0) less the count of replication rounds, and prints it unsigned: `18446744073709551614`
 * is -2. Returns `undefined` for anything that is not such a word or an
 * integer {@link parseInteger} takes.
 *
 * @example
 * ```ts
 * parseRetentionTime("1795423042"); // 1795423042
 * parseRetentionTime("18446744073709551615"); // -1
 * parseRetentionTime("99999999999999999999"); // undefined (more than 64 bits)
 * ```
 */
export function parseRetentionTime(text: string): number | undefined {
  const v = parseInteger(text);
  if (v !== undefined || !UNSIGNED_DECIMAL.test(text)) return v;
  const wide = BigInt(text);
  return wide < TWO_TO_64 ? Number(BigInt.asIntN(64, wide)) : undefined;
}

const NAN_WORDS = new Set(["NAN", "nan", "NaN", "-nan", "-NAN", "+nan"]);
const DOUBLE = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const INFINITY = /^([+-]?)(?:inf|INF|Inf|infinity|Infinity|INFINITY)$/;

/**
 * Parses a double as the stream writes it: decimal (optionally with exponent), `NAN` (any case,
 * also `-nan` as glibc prints it) or `inf`. Returns `undefined` for anything else.
 *
 * @example
 * ```ts
 * parseDouble("2.0000000"); // 2
 * parseDouble("NAN"); // NaN
 * ```
 */
export function parseDouble(text: string): number | undefined {
  if (DOUBLE.test(text)) return Number(text);
  if (NAN_WORDS.has(text)) return NaN;
  const inf = INFINITY.exec(text);
  if (inf !== null) return inf[1] === "-" ? -Infinity : Infinity;
  return undefined;
}

/**
 * Formats a double the way a 1.37 child does (`%0.7f`, `NAN` when not a number); a value that 7
 * decimals would change gets as many more decimals as it needs, so decoding gives back the same number.
 *
 * @example
 * ```ts
 * formatDouble(2); // "2.0000000"
 * formatDouble(NaN); // "NAN"
 * formatDouble(1e-9); // "0.000000001"
 * ```
 */
export function formatDouble(value: number): string {
  if (Number.isNaN(value)) return "NAN";
  if (!Number.isFinite(value)) return value > 0 ? "INF" : "-INF";
  if (Math.abs(value) >= 1e21) return String(value);
  // toFixed drops the sign of -0, which a real 1.37 child does print (`-0.0000000`).
  if (value === 0) return Object.is(value, -0) ? "-0.0000000" : "0.0000000";
  for (let digits = 7; digits < 100; digits++) {
    const text = value.toFixed(digits);
    if (Number(text) === value) return text;
  }
  return String(value);
}
