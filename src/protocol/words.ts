/**
 * The word splitter of the plugins.d / streaming line language.
 *
 * @module
 */

/** At most this many words are taken from one line; the rest of the line is dropped, as Netdata does. */
export const MAX_WORDS = 20;

const SPACE = 32, TAB = 9, LF = 10, CR = 13, EQUALS = 61, DQUOTE = 34, SQUOTE = 39, BACKSLASH = 92;

function isSeparator(c: number): boolean {
  return c === SPACE || c === EQUALS || c === TAB || c === CR || c === LF;
}

/**
 * Splits `text[start, end)` into words the way Netdata's parser does: spaces, tabs, CR, LF and `=` separate
 * words; a word that starts with `"` or `'` runs to the next same quote (separators and the other quote are
 * literal inside); a backslash protects the next character but stays in the word; at most {@link MAX_WORDS}.
 * Words are written to `out` (reused across calls, so no array is allocated per line); returns their count,
 * 0 for an empty or blank line.
 *
 * @example
 * ```ts
 * const words: string[] = [];
 * const n = splitWords(`LABEL "k" = 1 "a b"`, 0, 17, words);
 * words.slice(0, n); // ["LABEL", "k", "1", "a b"]
 * ```
 */
export function splitWords(text: string, start: number, end: number, out: string[]): number {
  let i = start;
  while (i < end && isSeparator(text.charCodeAt(i))) i++;
  let count = 0;
  while (i < end && count < MAX_WORDS) {
    const first = text.charCodeAt(i);
    if (first === DQUOTE || first === SQUOTE) {
      const from = ++i;
      // A quote that ends the line opens no word (only the keyword is always kept).
      if (from >= end && count > 0) break;
      while (i < end) {
        const c = text.charCodeAt(i);
        if (c === BACKSLASH && i + 1 < end) i += 2;
        else if (c === first) break;
        else i++;
      }
      out[count++] = text.slice(from, i);
      i++; // the closing quote ends the word like a separator
    } else {
      const from = i;
      while (i < end) {
        const c = text.charCodeAt(i);
        if (c === BACKSLASH && i + 1 < end) i += 2;
        else if (isSeparator(c)) break;
        else i++;
      }
      out[count++] = text.slice(from, i);
    }
    while (i < end && isSeparator(text.charCodeAt(i))) i++;
  }
  return count;
}
