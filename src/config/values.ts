/**
 * Typed readers for config values. Each returns either the value or an error text that says what was
 * expected and what was found, so callers can keep their default and report the line.
 *
 * @module
 */

/**
 * A parsed value, or why the text is not one.
 *
 * @example
 * ```ts
 * const r: ValueResult<boolean> = parseBoolean("yes");
 * if (r.ok) r.value; // true
 * ```
 */
export type ValueResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

function ok<T>(value: T): ValueResult<T> {
  return { ok: true, value };
}

function fail<T>(expected: string, found: string): ValueResult<T> {
  return { ok: false, error: `expected ${expected}, found '${found}'${templateHint(found)}` };
}

/**
 * A short hint when `text` looks like an unrendered Jinja, Helm or ERB template, else `""`.
 *
 * @example
 * ```ts
 * templateHint("{{ api_key }}"); // " (an unrendered template?)"
 * templateHint("yes"); // ""
 * ```
 */
export function templateHint(text: string): string {
  return looksLikeTemplate(text) ? " (an unrendered template?)" : "";
}

/**
 * Whether `text` holds Jinja/Helm (`{{`, `{%`, `{#`) or ERB (`<%`) markers.
 *
 * @example
 * ```ts
 * looksLikeTemplate("<%= @remote_master %>:19999"); // true
 * ```
 */
export function looksLikeTemplate(text: string): boolean {
  return /\{\{|\{%|\{#|<%/.test(text);
}

const TRUE_WORDS = new Set(["yes", "true", "on"]);
const FALSE_WORDS = new Set(["no", "false", "off"]);

/**
 * Reads a yes/no option: `yes`, `true`, `on` and `no`, `false`, `off`, in any letter case (Netdata compares
 * them case-insensitively). `auto` is refused here; use {@link parseBooleanOrAuto} where an option allows it.
 *
 * @example
 * ```ts
 * parseBoolean("Yes"); // { ok: true, value: true }
 * parseBoolean("maybe"); // { ok: false, error: "expected yes or no, found 'maybe'" }
 * ```
 */
export function parseBoolean(text: string): ValueResult<boolean> {
  const word = text.toLowerCase();
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  if (word === "auto" || word === "on demand") return fail("yes or no ('auto' is not allowed here)", text);
  return fail("yes or no", text);
}

/**
 * Reads a yes/no/auto option (`auto` and Netdata's synonym `on demand` give `"auto"`).
 *
 * @example
 * ```ts
 * parseBooleanOrAuto("auto"); // { ok: true, value: "auto" }
 * parseBooleanOrAuto("no"); // { ok: true, value: false }
 * ```
 */
export function parseBooleanOrAuto(text: string): ValueResult<boolean | "auto"> {
  const word = text.toLowerCase();
  if (word === "auto" || word === "on demand") return ok("auto");
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return fail("yes, no or auto", text);
}

/**
 * Limits for {@link parseIntegerOption}.
 *
 * @example
 * ```ts
 * parseIntegerOption("0", { min: 1 }).ok; // false
 * ```
 */
export interface IntegerLimits {
  readonly min?: number;
  readonly max?: number;
}

/**
 * Reads a whole number (decimal, or hex with `0x`). Unlike Netdata's `strtoll`, trailing text is an error
 * rather than silently dropped (`60s` would be 60 there, `1m` would be 1).
 *
 * @example
 * ```ts
 * parseIntegerOption("19999", { min: 1, max: 65535 }); // { ok: true, value: 19999 }
 * parseIntegerOption("ten"); // { ok: false, error: "expected a whole number, found 'ten'" }
 * ```
 */
export function parseIntegerOption(text: string, limits: IntegerLimits = {}): ValueResult<number> {
  let value: number;
  if (/^[+-]?[0-9]+$/.test(text)) value = Number(text);
  else if (/^0[xX][0-9a-fA-F]+$/.test(text)) value = Number.parseInt(text.slice(2), 16);
  else return fail(describeRange("a whole number", limits), text);
  if (!Number.isSafeInteger(value)) return fail(describeRange("a whole number", limits), text);
  if ((limits.min !== undefined && value < limits.min) || (limits.max !== undefined && value > limits.max)) {
    return fail(describeRange("a whole number", limits), text);
  }
  return ok(value);
}

function describeRange(what: string, limits: IntegerLimits): string {
  if (limits.min !== undefined && limits.max !== undefined) return `${what} from ${limits.min} to ${limits.max}`;
  if (limits.min !== undefined) return `${what} of at least ${limits.min}`;
  if (limits.max !== undefined) return `${what} of at most ${limits.max}`;
  return what;
}

/**
 * Netdata's duration units, in seconds. `m` is minutes and `mo`/`M` months; years are 365 days and months 30.
 *
 * @example
 * ```ts
 * DURATION_UNITS.mo; // 2592000
 * ```
 */
export const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  min: 60,
  h: 3600,
  d: 86400,
  w: 7 * 86400,
  wk: 7 * 86400,
  mo: 30 * 86400,
  M: 30 * 86400,
  q: 90 * 86400,
  y: 365 * 86400,
  Y: 365 * 86400,
  a: 365 * 86400,
};

/**
 * Reads a duration and returns whole seconds (rounded). Accepts a plain number (in `defaultUnit`, seconds
 * unless told otherwise), a number with a unit (`30d`, `6mo`, `2y`, `2h`, `30m`, `1.5d`), a sum of such terms
 * (`1h30m`, `15d-12h`; a leading `-` negates the whole expression) and the words `never`/`off` (0).
 *
 * @example
 * ```ts
 * parseDuration("6mo"); // { ok: true, value: 15552000 }
 * parseDuration("1h30m"); // { ok: true, value: 5400 }
 * parseDuration("soon"); // { ok: false, error: "expected a duration like 60, 30s, 5m, 2h, 30d, 6mo or 2y, found 'soon'" }
 * ```
 */
export function parseDuration(text: string, defaultUnit = "s"): ValueResult<number> {
  const expected = "a duration like 60, 30s, 5m, 2h, 30d, 6mo or 2y";
  const unitSeconds = DURATION_UNITS[defaultUnit];
  if (unitSeconds === undefined) throw new RangeError(`unknown duration unit '${defaultUnit}'`);
  const compact = text.replace(/[ \t]+/g, "");
  if (compact === "never" || compact === "off") return ok(0);
  if (compact.length === 0) return fail(expected, text);

  let rest = compact;
  let sign = 1;
  if (rest.startsWith("-")) {
    sign = -1;
    rest = rest.slice(1);
  }
  const term = /^([+-]?[0-9]+(?:\.[0-9]+)?|[+-]?\.[0-9]+)([a-zA-Z]*)/;
  let total = 0;
  let terms = 0;
  while (rest.length > 0) {
    const m = term.exec(rest);
    if (m === null) return fail(expected, text);
    const unit = m[2];
    let factor: number | undefined;
    if (unit.length === 0) {
      // A bare number is only a whole expression of its own ("60"), never one term of a sum.
      if (terms > 0 || m[0].length !== rest.length) return fail(expected, text);
      factor = unitSeconds;
    } else {
      factor = DURATION_UNITS[unit];
      if (factor === undefined) return fail(expected, text);
    }
    total += Number(m[1]) * factor;
    terms++;
    rest = rest.slice(m[0].length);
  }
  return ok(Math.round(sign * total));
}

/**
 * Netdata's size units, in bytes; the `i` forms are powers of 1024, the others powers of 1000.
 *
 * @example
 * ```ts
 * SIZE_UNITS.MiB; // 1048576
 * ```
 */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  k: 1e3,
  K: 1e3,
  KB: 1e3,
  KiB: 1024,
  M: 1e6,
  MB: 1e6,
  MiB: 1024 ** 2,
  G: 1e9,
  GB: 1e9,
  GiB: 1024 ** 3,
  T: 1e12,
  TB: 1e12,
  TiB: 1024 ** 4,
  P: 1e15,
  PB: 1e15,
  PiB: 1024 ** 5,
};

/**
 * Reads a size and returns whole bytes. A plain number is in `defaultUnit` (bytes unless told otherwise,
 * e.g. `MiB` for 1.37's `dbengine multihost disk space`); units are case-sensitive as in Netdata.
 *
 * @example
 * ```ts
 * parseSize("10MiB"); // { ok: true, value: 10485760 }
 * parseSize("8192", "MiB"); // { ok: true, value: 8589934592 }
 * parseSize("lots"); // { ok: false, error: "expected a size like 1048576, 512KiB, 10MiB or 1GiB, found 'lots'" }
 * ```
 */
export function parseSize(text: string, defaultUnit = "B"): ValueResult<number> {
  const expected = "a size like 1048576, 512KiB, 10MiB or 1GiB";
  const unitBytes = SIZE_UNITS[defaultUnit];
  if (unitBytes === undefined) throw new RangeError(`unknown size unit '${defaultUnit}'`);
  const m = /^([0-9]+(?:\.[0-9]+)?)[ \t]*([a-zA-Z]*)$/.exec(text);
  if (m === null) return fail(expected, text);
  const factor = m[2].length === 0 ? unitBytes : SIZE_UNITS[m[2]];
  if (factor === undefined) return fail(expected, text);
  const bytes = Math.round(Number(m[1]) * factor);
  if (!Number.isSafeInteger(bytes)) return fail(expected, text);
  return ok(bytes);
}

/**
 * Netdata database modes ("memory mode" / `[db] mode`).
 *
 * @example
 * ```ts
 * const m: MemoryMode = "dbengine";
 * ```
 */
export type MemoryMode = "dbengine" | "ram" | "save" | "map" | "none" | "alloc";

/**
 * Every {@link MemoryMode}, in the order Netdata documents them.
 *
 * @example
 * ```ts
 * MEMORY_MODES.includes("save"); // true
 * ```
 */
export const MEMORY_MODES: readonly MemoryMode[] = ["dbengine", "ram", "save", "map", "none", "alloc"];

/**
 * Reads a memory mode. Names are case-sensitive, as Netdata compares them with `strcmp`.
 *
 * @example
 * ```ts
 * parseMemoryMode("save"); // { ok: true, value: "save" }
 * parseMemoryMode("fast"); // { ok: false, error: "expected one of dbengine, ram, save, map, none, alloc, found 'fast'" }
 * ```
 */
export function parseMemoryMode(text: string): ValueResult<MemoryMode> {
  const mode = MEMORY_MODES.find((m) => m === text);
  return mode === undefined ? fail(`one of ${MEMORY_MODES.join(", ")}`, text) : ok(mode);
}
