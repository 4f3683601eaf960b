/**
 * Allocation-light reading of /proc text: a scanner that walks lines and words in place, and a key
 * index that recognises `key value` lines by where they were last time, so that the steady state of a
 * collector reads numbers without building strings.
 *
 * @module
 */

const SPACE = 32;
const TAB = 9;
const NEWLINE = 10;
const ZERO = 48;
const NINE = 57;

/**
 * Walks a text line by line and word by word. Words are separated by spaces and tabs, plus the extra
 * separator characters given (Netdata splits /proc/stat on `:` too, /proc/pressure on `=`).
 *
 * @example
 * ```ts
 * const s = new LineScanner(":");
 * s.reset("cpu0 1 2 3\nintr 9\n");
 * s.nextLine(); // true
 * s.word(); // "cpu0"
 * s.number(); // 1
 * ```
 */
export class LineScanner {
  /** The text being scanned. */
  text = "";
  /** Position of the next character to look at. */
  pos = 0;
  /** End of the current line (its `\n`, or the text's end). */
  lineEnd = 0;
  /** 0-based number of the current line; -1 before the first {@link nextLine}. */
  line = -1;
  #next = 0;
  readonly #extra1: number;
  readonly #extra2: number;

  /** `extra`: up to two more separator characters. */
  constructor(extra = "") {
    this.#extra1 = extra.length > 0 ? extra.charCodeAt(0) : SPACE;
    this.#extra2 = extra.length > 1 ? extra.charCodeAt(1) : SPACE;
  }

  /** Starts over on a new text. */
  reset(text: string): void {
    this.text = text;
    this.pos = 0;
    this.lineEnd = 0;
    this.line = -1;
    this.#next = 0;
  }

  /** Moves to the start of the next line; false at the end of the text. */
  nextLine(): boolean {
    if (this.#next >= this.text.length) return false;
    this.pos = this.#next;
    let end = this.text.indexOf("\n", this.pos);
    if (end < 0) end = this.text.length;
    this.lineEnd = end;
    this.#next = end + 1;
    this.line++;
    return true;
  }

  /** Whether `code` separates words. */
  isSeparator(code: number): boolean {
    return code === SPACE || code === TAB || code === this.#extra1 || code === this.#extra2 || code === NEWLINE;
  }

  /** Skips separators; true when a word follows on this line. */
  hasWord(): boolean {
    const text = this.text;
    while (this.pos < this.lineEnd && this.isSeparator(text.charCodeAt(this.pos))) this.pos++;
    return this.pos < this.lineEnd;
  }

  /** Skips the next word. */
  skip(): void {
    if (!this.hasWord()) return;
    const text = this.text;
    while (this.pos < this.lineEnd && !this.isSeparator(text.charCodeAt(this.pos))) this.pos++;
  }

  /** The next word (`""` at the end of the line). */
  word(): string {
    if (!this.hasWord()) return "";
    const start = this.pos;
    this.skip();
    return this.text.slice(start, this.pos);
  }

  /** Consumes the next word when it is exactly `word`; true if so. Builds no string. */
  wordIs(word: string): boolean {
    if (!this.hasWord()) return false;
    const end = this.pos + word.length;
    if (end > this.lineEnd || !this.text.startsWith(word, this.pos)) return false;
    if (end < this.lineEnd && !this.isSeparator(this.text.charCodeAt(end))) return false;
    this.pos = end;
    return true;
  }

  /**
   * The next word read as an unsigned decimal integer, as C's `strtoull` would: leading digits only, 0
   * when the word starts with none, `NaN` when the line has no more words.
   */
  number(): number {
    if (!this.hasWord()) return NaN;
    const text = this.text;
    let value = 0;
    let code = text.charCodeAt(this.pos);
    while (code >= ZERO && code <= NINE && this.pos < this.lineEnd) {
      value = value * 10 + (code - ZERO);
      code = text.charCodeAt(++this.pos);
    }
    while (this.pos < this.lineEnd && !this.isSeparator(text.charCodeAt(this.pos))) this.pos++;
    return value;
  }

  /** The next word as a decimal number (`1.16`), `NaN` when missing or not a number. */
  decimal(): number {
    const word = this.word();
    return word === "" ? NaN : Number(word);
  }

  /** How many words remain on the line, without consuming them. */
  wordsLeft(): number {
    const save = this.pos;
    let n = 0;
    while (this.hasWord()) {
      n++;
      this.skip();
    }
    this.pos = save;
    return n;
  }

  /** Whether the current line starts (after separators) with `prefix`; consumes nothing. */
  startsWith(prefix: string): boolean {
    return this.hasWord() && this.pos + prefix.length <= this.lineEnd && this.text.startsWith(prefix, this.pos);
  }
}

/**
 * Recognises the first word of `key value` lines (/proc/meminfo, /proc/vmstat) among a fixed set of
 * keys. It remembers which key each line held last time and checks that guess first, so that a file
 * whose layout does not change is matched without building any string.
 *
 * @example
 * ```ts
 * const keys = new KeyIndex(["MemTotal", "MemFree"]);
 * const s = new LineScanner(":");
 * s.reset("MemTotal: 10 kB\nMemFree: 5 kB\n");
 * while (s.nextLine()) console.log(keys.match(s), s.number()); // 0 10, then 1 5
 * ```
 */
export class KeyIndex {
  readonly keys: readonly string[];
  readonly #byName: Map<string, number>;
  // Per line: the word found there last time, and its key index (-1 for a word we do not want).
  readonly #lineWord: string[] = [];
  readonly #lineIndex: number[] = [];

  constructor(keys: readonly string[]) {
    this.keys = keys;
    this.#byName = new Map(keys.map((k, i) => [k, i]));
  }

  /** The index of the current line's key (consumed), or -1 when it is not one of ours. */
  match(s: LineScanner): number {
    const line = s.line;
    const last = this.#lineWord[line];
    if (last !== undefined && s.wordIs(last)) return this.#lineIndex[line];
    const word = s.word();
    const found = this.#byName.get(word) ?? -1;
    this.#lineWord[line] = word;
    this.#lineIndex[line] = found;
    return found;
  }
}
