/**
 * Splits a byte stream that arrives in arbitrary chunks into lines.
 *
 * @module
 */

import { ProtocolError } from "./errors.ts";

/** Longest line Netdata's parser uses (16 KiB less 1 KiB), in bytes, without its `\n`. */
export const MAX_LINE_BYTES = 15360;

// UTF-8 length of text[start, end), only needed for lines long enough to be near the limit.
function utf8Length(text: string, start: number, end: number): number {
  let bytes = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Receives each line as `text[start, end)` (no `\n`) with its 1-based number, so no line is copied. */
export type LineSink = (text: string, start: number, end: number, lineNumber: number) => void;

/**
 * Cuts chunks into lines. A line split across chunks comes out whole; work and memory stay linear in the
 * input (a partial line is kept as pieces and joined once, when its `\n` arrives). UTF-8 split across chunks
 * is decoded correctly. A line longer than {@link MAX_LINE_BYTES} throws a {@link ProtocolError} naming the
 * peer, as soon as the limit is passed (not when the line ends), after which the splitter refuses more input.
 *
 * @example
 * ```ts
 * const lines: string[] = [];
 * const splitter = new LineSplitter("child");
 * const sink = (t: string, s: number, e: number) => lines.push(t.slice(s, e));
 * splitter.push(new TextEncoder().encode("BEGIN a\nSE"), sink);
 * splitter.push(new TextEncoder().encode("T x = 1\n"), sink);
 * lines; // ["BEGIN a", "SET x = 1"]
 * ```
 */
export class LineSplitter {
  /** The peer named in errors. */
  readonly peer: string;
  readonly #decoder = new TextDecoder();
  #pieces: string[] = [];
  #pendingLength = 0;
  #lineNumber = 0;
  #failed: ProtocolError | undefined;

  constructor(peer: string) {
    this.peer = peer;
  }

  /** Lines completed so far. */
  get lineNumber(): number {
    return this.#lineNumber;
  }

  /** Characters of an unfinished line held back, waiting for its `\n`. */
  get pendingLength(): number {
    return this.#pendingLength;
  }

  /** Feeds one chunk; calls `sink` for every line it completes. */
  push(chunk: Uint8Array | string, sink: LineSink): void {
    if (this.#failed !== undefined) throw this.#failed;
    const text = typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    let start = 0;
    let nl = text.indexOf("\n");
    if (this.#pendingLength > 0) {
      if (nl < 0) {
        this.#hold(text, 0, text.length);
        return;
      }
      this.#pieces.push(text.slice(0, nl));
      const line = this.#pieces.join("");
      this.#pieces = [];
      this.#pendingLength = 0;
      this.#emit(line, 0, line.length, sink);
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    while (nl >= 0) {
      this.#emit(text, start, nl, sink);
      start = nl + 1;
      nl = text.indexOf("\n", start);
    }
    if (start < text.length) this.#hold(text, start, text.length);
  }

  #emit(text: string, start: number, end: number, sink: LineSink): void {
    this.#lineNumber++;
    if (end - start > MAX_LINE_BYTES / 3) this.#checkLength(text, start, end, this.#lineNumber);
    sink(text, start, end, this.#lineNumber);
  }

  #hold(text: string, start: number, end: number): void {
    this.#pieces.push(start === 0 && end === text.length ? text : text.slice(start, end));
    this.#pendingLength += end - start;
    // Refuse an endless line as soon as it is too long, instead of buffering it.
    if (this.#pendingLength > MAX_LINE_BYTES) {
      const partial = this.#pieces.join("");
      this.#pieces = [partial];
      this.#checkLength(partial, 0, partial.length, this.#lineNumber + 1);
    }
  }

  #checkLength(text: string, start: number, end: number, lineNumber: number): void {
    const bytes = utf8Length(text, start, Math.min(end, start + MAX_LINE_BYTES + 1));
    if (bytes <= MAX_LINE_BYTES) return;
    this.#pieces = [];
    this.#pendingLength = 0;
    this.#failed = new ProtocolError(
      "line-too-long",
      this.peer,
      lineNumber,
      `line is longer than ${MAX_LINE_BYTES} bytes (starts with '${text.slice(start, start + 40)}')`,
    );
    throw this.#failed;
  }
}
