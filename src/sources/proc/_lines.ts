/**
 * Allocation-light scanning of kernel text files: a {@link LineScanner} walks a file's text line by line and
 * records where each word starts and ends, so that numbers are parsed straight from the characters and a
 * string is made only when a caller asks for one (a device name, a header it must remember).
 *
 * @module
 */

const SPACE = 32, TAB = 9, NL = 10, CR = 13, ZERO = 48, NINE = 57, MINUS = 45;

/**
 * Walks text line by line, splitting each line into words at spaces, tabs and the extra separators given.
 * The word offsets live in reused typed arrays: scanning a line allocates nothing.
 *
 * @example
 * ```ts
 * const s = new LineScanner(":");
 * s.reset("  eth0: 10 20\n");
 * s.next(); // true
 * s.word(0); // "eth0"
 * s.uint(2); // 20
 * ```
 */
export class LineScanner {
  /** Number of words on the current line. */
  count = 0;
  #text = "";
  #pos = 0;
  #lineStart = 0;
  #lineEnd = 0;
  #starts = new Int32Array(64);
  #ends = new Int32Array(64);
  readonly #sep = new Uint8Array(128);

  constructor(extraSeparators = "") {
    this.#sep[SPACE] = this.#sep[TAB] = this.#sep[CR] = 1;
    for (let i = 0; i < extraSeparators.length; i++) this.#sep[extraSeparators.charCodeAt(i) & 127] = 1;
  }

  /** Starts over on new text. */
  reset(text: string): void {
    this.#text = text;
    this.#pos = 0;
    this.count = 0;
  }

  /** Moves to the next line; false at the end of the text. Empty lines are returned with `count` 0. */
  next(): boolean {
    const text = this.#text, n = text.length, sep = this.#sep;
    if (this.#pos >= n) return false;
    let i = this.#pos;
    this.#lineStart = i;
    let count = 0;
    while (i < n) {
      let c = text.charCodeAt(i);
      if (c === NL) break;
      if (c < 128 && sep[c] === 1) {
        i++;
        continue;
      }
      if (count === this.#starts.length) this.#grow();
      this.#starts[count] = i;
      while (i < n) {
        c = text.charCodeAt(i);
        if (c === NL || (c < 128 && sep[c] === 1)) break;
        i++;
      }
      this.#ends[count++] = i;
    }
    this.#lineEnd = i;
    this.#pos = i + 1;
    this.count = count;
    return true;
  }

  /** Word `i` of the current line as a string (`""` past the end). */
  word(i: number): string {
    return i < this.count ? this.#text.slice(this.#starts[i], this.#ends[i]) : "";
  }

  /** The whole current line, as it is in the file. */
  line(): string {
    return this.#text.slice(this.#lineStart, this.#lineEnd);
  }

  /** True when word `i` is exactly `s`, compared without making a string. */
  is(i: number, s: string): boolean {
    if (i >= this.count) return false;
    const start = this.#starts[i];
    return this.#ends[i] - start === s.length && this.#text.startsWith(s, start);
  }

  /** True when the current line is exactly `s` (a remembered header), compared without making a string. */
  lineIs(s: string): boolean {
    return this.#lineEnd - this.#lineStart === s.length && this.#text.startsWith(s, this.#lineStart);
  }

  /**
   * Word `i` as a non-negative integer, or NaN when it is not one. Beyond 2^53 the result is rounded, which
   * a rate over a second does not notice (see the module notes of the sources that use it).
   */
  uint(i: number): number {
    if (i >= this.count) return NaN;
    const text = this.#text, end = this.#ends[i];
    let j = this.#starts[i], v = 0;
    for (; j < end; j++) {
      const c = text.charCodeAt(j);
      if (c < ZERO || c > NINE) return NaN;
      v = v * 10 + (c - ZERO);
    }
    return v;
  }

  /** Word `i` as a signed integer, or NaN when it is not one. */
  int(i: number): number {
    if (i >= this.count) return NaN;
    if (this.#text.charCodeAt(this.#starts[i]) !== MINUS) return this.uint(i);
    this.#starts[i]++;
    const v = this.uint(i);
    this.#starts[i]--;
    return v === v && this.#ends[i] - this.#starts[i] > 1 ? -v : NaN;
  }

  #grow(): void {
    const starts = new Int32Array(this.#starts.length * 2), ends = new Int32Array(this.#ends.length * 2);
    starts.set(this.#starts);
    ends.set(this.#ends);
    this.#starts = starts;
    this.#ends = ends;
  }
}

/**
 * The first integer of a small file's text (`/sys/.../mtu`, `/proc/sys/.../tcp_max_orphans`), or NaN.
 *
 * @example
 * ```ts
 * firstInt("1500\n"); // 1500
 * firstInt("-1\n"); // -1
 * ```
 */
export function firstInt(text: string | undefined): number {
  if (text === undefined) return NaN;
  const v = Number.parseInt(text, 10);
  return Number.isFinite(v) ? v : NaN;
}

/**
 * Simple patterns as Netdata's configuration writes them (`lo fireqos* *-ifb`): space-separated words with
 * `*` wildcards, compiled once.
 *
 * @example
 * ```ts
 * const p = simplePattern("loop* ram*");
 * p("loop0"); // true
 * p("vda"); // false
 * ```
 */
export function simplePattern(patterns: string): (name: string) => boolean {
  const res = patterns.split(/\s+/).filter((p) => p !== "").map((p) =>
    new RegExp(`^${p.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`)
  );
  return (name) => res.some((re) => re.test(name));
}
