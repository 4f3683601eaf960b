/**
 * Structure-aware stream lines for the fuzzer: every keyword a child may send (and a few it may not), each
 * with its fields in place but drawn from the values that break parsers — extreme and malformed numbers, ids
 * that are empty, huge, quoted wrongly or full of control bytes, real ids of the victim's charts — plus
 * floods that stress the definitions (many charts, many dimensions, dimensions interleaved with iterations).
 *
 * @example
 * ```ts
 * import { Random } from "./scripts/_fuzz_random.ts";
 * import { generatedLine, STREAM_KEYWORDS } from "./scripts/_fuzz_lines.ts";
 *
 * const rng = new Random(7);
 * generatedLine(rng, { chartIds: ["system.cpu"], dimensionIds: ["user"] }, rng.pick(STREAM_KEYWORDS));
 * ```
 *
 * @module
 */
import type { Random } from "./_fuzz_random.ts";

/** Keywords a child sends in 1.37, plus ones of later versions and plausible mistakes. */
export const STREAM_KEYWORDS: readonly string[] = [
  "CHART",
  "DIMENSION",
  "BEGIN",
  "SET",
  "END",
  "RBEGIN",
  "RSET",
  "REND",
  "RDSTATE",
  "RSSTATE",
  "CLABEL",
  "CLABEL_COMMIT",
  "LABEL",
  "OVERWRITE",
  "CLAIMED_ID",
  "FUNCTION",
  "FUNCTION_RESULT_BEGIN",
  "VARIABLE",
  "CHART_DEFINITION_END",
  "FLUSH",
  "DISABLE",
  "HOST",
  "RHOST",
  "BEGIN2",
  "SET2",
  "END2",
  "begin",
  "",
];

/**
 * Ids the generated lines aim at besides random ones: the victim's real charts and dimensions.
 *
 * @example
 * ```ts
 * const known: KnownIds = { chartIds: ["system.cpu", "system.load"], dimensionIds: ["user", "load1"] };
 * ```
 */
export interface KnownIds {
  readonly chartIds: readonly string[];
  readonly dimensionIds: readonly string[];
}

const ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789._-";
const NASTY_CHARS = ["\r", "\x1b", "\t", "\0", "\x7f", "'", '"', "=", " ", "\\", "%", "\u00e9", "\u{1f600}", "\ufffd"];

/** A number as text, from the ordinary to the extreme and the malformed. */
export function numberText(rng: Random): string {
  switch (rng.int(16)) {
    case 0:
      return "0";
    case 1:
      return String(rng.int(100));
    case 2:
      return String(-rng.logInt(1, 2 ** 53));
    case 3:
      return String(rng.logInt(1, 2 ** 53));
    case 4:
      return "9".repeat(rng.logInt(1, 400));
    case 5:
      return rng.pick(["1e308", "-1e308", "1e-308", "1e999", "NaN", "nan", "inf", "-inf", "Infinity"]);
    case 6:
      return rng.pick(["0x7fffffff", "0xffffffffffffffff", "0b101", "0o17", "+5", "-0", "00000", "1_000"]);
    case 7:
      return rng.pick(["18446744073709551615", "18446744073709551616", "-9223372036854775809", "4294967296"]);
    case 8:
      return rng.pick(["", "abc", "1.5", "1,5", ".", "-", "1e", "--1", "1 2", "١٢٣"]);
    case 9:
      return String(Math.floor(Date.now() / 1000) + rng.range(-100_000_000, 100_000_000));
    case 10:
      return String(2 ** 31 - 1 + rng.range(-1, 1));
    case 11:
      return String(-(2 ** 31) + rng.range(-1, 1));
    default:
      return String(rng.range(-1000, 1_000_000));
  }
}

/** An id or free-text field: real, random, empty, huge, or with bytes that need escaping. */
export function idText(rng: Random, known: readonly string[]): string {
  switch (rng.int(10)) {
    case 0:
    case 1:
    case 2:
      return known.length > 0 ? rng.pick(known) : "x";
    case 3:
      return rng.text(rng.logInt(1, 40), ID_CHARS);
    case 4:
      return "";
    case 5:
      return rng.text(rng.logInt(100, 100_000), ID_CHARS);
    case 6: {
      const base = known.length > 0 ? rng.pick(known) : "x";
      const at = rng.int(base.length + 1);
      return base.slice(0, at) + rng.pick(NASTY_CHARS) + base.slice(at);
    }
    case 7:
      return (known.length > 0 ? rng.pick(known) : "x").toUpperCase();
    case 8:
      return Array.from({ length: rng.range(1, 20) }, () => rng.pick(NASTY_CHARS)).join("");
    default:
      return `${rng.text(rng.range(1, 10), ID_CHARS)}.${rng.text(rng.range(1, 10), ID_CHARS)}`;
  }
}

/** A field as a child would quote it, or as no child should. */
export function quoted(rng: Random, text: string): string {
  switch (rng.int(12)) {
    case 0:
      return `'${text}'`;
    case 1:
      return text;
    case 2:
      return `"${text}`;
    case 3:
      return `${text}"`;
    case 4:
      return `"${text}'`;
    case 5:
      return `"${text}"${rng.pick(['"', "x", "'", '""'])}`;
    default:
      return `"${text}"`;
  }
}

const ALGORITHMS = ["absolute", "incremental", "percentage-of-absolute-row", "percentage-of-incremental-row", "x"];
const CHART_TYPES = ["line", "area", "stacked", "heatmap", ""];
const OPTIONS = ["", "obsolete", "hidden", "detail", "store_first", "noreset", "nooverflow", "obsolete hidden", "?"];

/** Fields of one keyword's line: the right count (mostly) with values drawn for their kind. */
function fieldsOf(rng: Random, known: KnownIds, keyword: string): string[] {
  const chart = () => idText(rng, known.chartIds);
  const dim = () => idText(rng, known.dimensionIds);
  const num = () => numberText(rng);
  const text = () => idText(rng, []);
  switch (keyword) {
    case "CHART":
      return [chart(), text(), text(), text(), text(), chart(), rng.pick(CHART_TYPES), num(), num()]
        .concat([rng.pick(OPTIONS), text(), text()]);
    case "DIMENSION":
      return [dim(), text(), rng.pick(ALGORITHMS), num(), num(), rng.pick(OPTIONS)];
    case "BEGIN":
    case "RBEGIN":
      return keyword === "BEGIN" ? [chart(), num()] : [chart(), num(), num(), num()];
    case "SET":
      return [dim(), "=", num()];
    case "RSET":
      return [dim(), num(), rng.pick(["", "E", "R", "S", "ER", "?"])];
    case "REND":
      return [rng.pick(["true", "false", "1", "0", "x"]), num(), num(), num()];
    case "RDSTATE":
      return [num(), num(), num(), num()];
    case "RSSTATE":
      return [num(), num(), num(), num(), num(), num(), num()];
    case "CLABEL":
      return [text(), text(), num()];
    case "LABEL":
      return [text(), "=", num(), text()];
    case "VARIABLE":
      return [rng.pick(["HOST", "CHART", "x"]), text(), "=", num()];
    case "CHART_DEFINITION_END":
      return [num(), num(), num()];
    case "CLAIMED_ID":
      return [rng.uuid(), rng.pick(["NULL", rng.uuid(), text()])];
    case "HOST":
    case "RHOST":
      return [rng.uuid(), text()];
    default:
      return Array.from({ length: rng.int(6) }, () => rng.chance(0.5) ? num() : text());
  }
}

/**
 * One line for `keyword` (no line end); fields may be dropped or added, and separators vary.
 *
 * @example
 * ```ts
 * generatedLine(rng, known, "DIMENSION"); // e.g. `DIMENSION "user" '' incremental 99999999999 0 "hidden"`
 * ```
 */
export function generatedLine(rng: Random, known: KnownIds, keyword: string): string {
  let fields = fieldsOf(rng, known, keyword).map((f) => f === "=" ? f : quoted(rng, f));
  if (rng.chance(0.1)) fields = fields.slice(0, rng.int(fields.length + 1));
  if (rng.chance(0.05)) fields.push(...Array.from({ length: rng.logInt(1, 1000) }, () => quoted(rng, "x")));
  const separator = rng.chance(0.9) ? " " : rng.pick(["  ", "\t", " \t ", "\v", "\f"]);
  return [keyword, ...fields].join(separator);
}

/**
 * Lines that stress one child's definitions, in up to `maxBytes`: many charts, a chart with many dimensions
 * then bare iterations, dimensions added one by one between iterations, labels by the thousand, or long
 * replication rounds.
 *
 * @example
 * ```ts
 * const { name, lines } = floodLines(rng, known, 256 * 1024);
 * ```
 */
export function floodLines(rng: Random, known: KnownIds, maxBytes: number): { name: string; lines: string[] } {
  const lines: string[] = [];
  let bytes = 0;
  const add = (line: string) => {
    bytes += line.length + 1;
    lines.push(line);
    return bytes < maxBytes;
  };
  const chartId = `fuzz.flood_${rng.text(6, ID_CHARS)}`;
  const define = (id: string) =>
    add(`CHART "${id}" "" "flood" "units" "fuzz" "fuzz.flood" "line" 1000 1 "" "fuzz.plugin" ""`);
  const name = rng.pick(["charts", "dimensions", "interleaved", "labels", "replication", "sets"]);
  switch (name) {
    case "charts":
      for (let i = 0; define(`${chartId}_${i}`) && add(`DIMENSION "d${i}" "" absolute 1 1 ""`); i++);
      break;
    case "dimensions": {
      const count = rng.logInt(100, 20_000);
      define(chartId);
      for (let i = 0; i < count && add(`DIMENSION "d${i}" "" absolute 1 1 ""`); i++);
      add(`CHART_DEFINITION_END 0 0 ${Math.floor(Date.now() / 1000)}`);
      while (add(`BEGIN "${chartId}" 1000000`) && add("END"));
      break;
    }
    case "interleaved":
      define(chartId);
      for (
        let i = 0;
        add(`DIMENSION "d${i}" "" absolute 1 1 ""`) && add(`BEGIN "${chartId}" 1000000`) && add("END");
        i++
      );
      break;
    case "labels":
      define(chartId);
      for (let i = 0; add(`CLABEL "l${i}" "${rng.text(rng.logInt(1, 2000), ID_CHARS)}" 1`); i++) {
        if (rng.chance(0.01)) add("CLABEL_COMMIT");
      }
      add("CLABEL_COMMIT");
      for (let i = 0; add(`LABEL "h${i}" = 1 "${rng.text(rng.logInt(1, 2000), ID_CHARS)}"`); i++);
      break;
    case "replication": {
      const chart = known.chartIds.length > 0 ? rng.pick(known.chartIds) : chartId;
      const start = rng.range(0, 2 ** 31);
      add(`RBEGIN "${chart}" ${start} ${start + rng.logInt(1, 2 ** 31)} ${Math.floor(Date.now() / 1000)}`);
      while (add(`RSET "${known.dimensionIds.length > 0 ? rng.pick(known.dimensionIds) : "x"}" ${numberText(rng)} ""`));
      add(`REND true 0 ${start} ${Math.floor(Date.now() / 1000)}`);
      break;
    }
    default: {
      const chart = known.chartIds.length > 0 ? rng.pick(known.chartIds) : chartId;
      add(`BEGIN "${chart}" 1000000`);
      while (add(`SET "${known.dimensionIds.length > 0 ? rng.pick(known.dimensionIds) : "x"}" = ${numberText(rng)}`));
      add("END");
    }
  }
  return { name, lines };
}
