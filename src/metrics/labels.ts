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

function sanitize(text: string, changes: Readonly<Record<string, string>>, name: boolean, empty: string): string {
  let out = "";
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
    out += pendingBlank;
    pendingBlank = "";
    leading = false;
    if (code > 127) out += name ? "_" : ch;
    else if (name && code >= 65 && code <= 90) out += ch.toLowerCase();
    else out += changes[ch] ?? ch;
  }
  return out === "" || /^_+$/.test(out) ? empty : out;
}

/**
 * A label value as 1.37 stores it; an empty (or all-underscore) result is `[none]`.
 *
 * @example
 * ```ts
 * sanitizeLabelValue("[none]"); // "_none_"
 * sanitizeLabelValue("  Debian GNU/Linux  "); // "Debian GNU/Linux"
 * ```
 */
export function sanitizeLabelValue(value: string): string {
  return sanitize(value, VALUE_CHANGES, false, EMPTY_VALUE);
}

/**
 * A label name as 1.37 stores it: lower case, `_` for what a name may not hold; `""` means the label is
 * dropped.
 *
 * @example
 * ```ts
 * sanitizeLabelName("Rack Position"); // "rack_position"
 * ```
 */
export function sanitizeLabelName(name: string): string {
  return sanitize(name, NAME_CHANGES, true, "");
}
