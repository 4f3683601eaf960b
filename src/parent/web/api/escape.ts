/**
 * Child strings (chart and dimension names, titles, units, families, label values) made safe for the
 * text formats the API prints them in. A child may send any byte but a newline in them: a CR, an ESC or
 * another control character must not start a line of its own, rewrite a terminal, add a CSV column or
 * become a spreadsheet formula. JSON needs nothing of this: `JSON.stringify` escapes every control
 * character.
 *
 * @module
 */

// C0 controls, DEL and the C1 controls (U+0080–U+009F: a terminal reads some as ESC sequences).
// deno-lint-ignore no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
// deno-lint-ignore no-control-regex
const CONTROLS_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;
// deno-lint-ignore no-control-regex
const CONTROLS_BUT_LINE_ENDS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * The text with every control character (tab, CR, LF and ESC included) replaced by a space: for a line of
 * plain text, such as a shell comment.
 *
 * @example
 * ```ts
 * lineText("cpu\r\u001b[2Jboom"); // "cpu  [2Jboom"
 * ```
 */
export function lineText(text: string): string {
  return text.replace(CONTROLS, " ");
}

/**
 * A Prometheus label value: backslash, double quote and newline escaped as the exposition format wants
 * (and as 1.37 does), any other control character (CR, ESC, …), which the format has no escape for,
 * replaced by a space.
 *
 * @example
 * ```ts
 * promLabelValue('lab "A"\r\n'); // 'lab \\"A\\" \\n'
 * ```
 */
export function promLabelValue(text: string): string {
  return text.replace(CONTROLS_BUT_NEWLINE, " ").replace(/["\\\n]/g, (c) => c === "\n" ? "\\n" : `\\${c}`);
}

// What a spreadsheet reads as the start of a formula.
const FORMULA_START = /^[=+\-@]/;

/**
 * A header field of `format=csv` (`,`) or `format=tsv` (tab): text a spreadsheet would read as a formula
 * (starting with `=`, `+`, `-` or `@`) is prefixed with `'`; for CSV a field holding the separator, a
 * double quote, CR or LF is quoted as RFC 4180 says (quotes doubled); TSV has no quoting, so its tabs, CRs
 * and LFs become spaces. Other control characters become spaces in both. Values (numbers) are not fields
 * of this kind: `-1.5` stays a number.
 *
 * @example
 * ```ts
 * tableField('a,"b"', ","); // '"a,""b"""'
 * tableField("=HYPERLINK(1)", ","); // "'=HYPERLINK(1)"
 * tableField("a\tb", "\t"); // "a b"
 * ```
 */
export function tableField(text: string, separator: "," | "\t"): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  if (separator === "\t") return lineText(safe);
  const clean = safe.replace(CONTROLS_BUT_LINE_ENDS, " ");
  return /[,"\r\n]/.test(clean) ? `"${clean.replaceAll('"', '""')}"` : clean;
}
