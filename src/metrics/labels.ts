/**
 * Label names and values cleaned the way a 1.37 agent stores them (`rrdlabels_add`): so the labels a parent
 * shows for a child's host and charts read as a Netdata parent shows them (e.g. `[none]` → `_none_`).
 *
 * @module
 */

// What each printable ASCII character (33–126) becomes in a label value; the rest stay as they are.
const VALUE_CHANGES: Readonly<Record<string, string>> = {
  "!": "_",
  '"': "_",
  "#": "_",
  "$": "_",
  "%": "_",
  "&": "_",
  "'": "_",
  "*": "_",
  ",": ".",
  ";": ":",
  "<": "_",
  "=": ":",
  ">": "_",
  "?": "_",
  "[": "_",
  "\\": "/",
  "]": "_",
  "^": "_",
  "`": "_",
  "{": "_",
  "|": "_",
  "}": "_",
  "~": "_",
};

// Names: the value rules, then these (and upper case to lower case).
const NAME_CHANGES: Readonly<Record<string, string>> = {
  ...VALUE_CHANGES,
  "=": "_",
  ":": "_",
  "+": "_",
  ";": "_",
  "@": "_",
  "(": "_",
  ")": "_",
  " ": "_",
};

/** What stands for an empty value. */
const EMPTY_VALUE = "[none]";

/**
 * The longest label name 1.37 keeps, in UTF-8 bytes: its buffer holds 200 with the terminating NUL. Longer
 * names are cut there, never inside a character.
 *
 * @example
 * ```ts
 * sanitizeLabelName("n".repeat(300)).length === LABEL_NAME_MAX_BYTES; // true
 * ```
 */
export const LABEL_NAME_MAX_BYTES = 199;

/**
 * The longest label value 1.37 keeps, in UTF-8 bytes (a buffer of 800 with the NUL); longer values are cut.
 *
 * @example
 * ```ts
 * sanitizeLabelValue("v".repeat(1000)).length === LABEL_VALUE_MAX_BYTES; // true
 * ```
 */
export const LABEL_VALUE_MAX_BYTES = 799;

function utf8Bytes(code: number): number {
  return code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
}

function sanitize(
  text: string,
  changes: Readonly<Record<string, string>>,
  name: boolean,
  empty: string,
  maxBytes: number,
): string {
  let out = "";
  let bytes = 0;
  // Runs of blanks and control characters become one character (a space stays a space, a control character
  // becomes `_`); leading and trailing runs go.
  let pendingBlank = "";
  let leading = true;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code <= 32 || code === 127) {
      if (!leading && pendingBlank === "") pendingBlank = code === 32 ? (name ? "_" : " ") : "_";
      continue;
    }
    let kept: string;
    if (code > 127) kept = name ? "_" : ch;
    else if (name && code >= 65 && code <= 90) kept = ch.toLowerCase();
    else kept = changes[ch] ?? ch;
    const size = pendingBlank.length + (kept === ch ? utf8Bytes(code) : 1);
    // Cut as 1.37 cuts: at the buffer's end, without a trailing blank or half a character.
    if (bytes + size > maxBytes) break;
    out += pendingBlank + kept;
    bytes += size;
    pendingBlank = "";
    leading = false;
  }
  return out === "" || /^_+$/.test(out) ? empty : out;
}

/**
 * A label value as 1.37 stores it: at most {@link LABEL_VALUE_MAX_BYTES}; an empty (or all-underscore) result
 * is `[none]`.
 *
 * @example
 * ```ts
 * sanitizeLabelValue("[none]"); // "_none_"
 * sanitizeLabelValue("  Debian GNU/Linux  "); // "Debian GNU/Linux"
 * ```
 */
export function sanitizeLabelValue(value: string): string {
  return sanitize(value, VALUE_CHANGES, false, EMPTY_VALUE, LABEL_VALUE_MAX_BYTES);
}

/**
 * A label name as 1.37 stores it: lower case, `_` for what a name may not hold, at most
 * {@link LABEL_NAME_MAX_BYTES}; `""` means the label is dropped.
 *
 * @example
 * ```ts
 * sanitizeLabelName("Rack Position"); // "rack_position"
 * ```
 */
export function sanitizeLabelName(name: string): string {
  return sanitize(name, NAME_CHANGES, true, "", LABEL_NAME_MAX_BYTES);
}
