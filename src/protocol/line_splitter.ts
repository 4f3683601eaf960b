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
    this.#failed = lineTooLong(this.peer, lineNumber, text.slice(start, start + 40));
    throw this.#failed;
  }
}

/** Receives each line as `bytes[start, end)` (no `\n`) with its 1-based number; valid during the call only. */
export type ByteLineSink = (bytes: Uint8Array, start: number, end: number, lineNumber: number) => void;

const NEWLINE = 10;
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * {@link LineSplitter} for bytes that stay bytes: lines are cut at byte `\n` (which never occurs inside a UTF-8
 * sequence), so a decoder can read the common lines without making strings, and turn the others into text
 * with {@link text}, which reads as the whole stream decoded at once would (a UTF-8 byte order mark at the
 * very start of the stream is dropped, invalid sequences become U+FFFD). Lines are limited to
 * {@link MAX_LINE_BYTES} bytes, refused as soon as the limit is passed, with the same error.
 *
 * @example
 * ```ts
 * const splitter = new ByteLineSplitter("child");
 * const lines: string[] = [];
 * const sink = (b: Uint8Array, s: number, e: number) => lines.push(splitter.text(b, s, e));
 * splitter.push(new TextEncoder().encode("BEGIN a\nSE"), sink);
 * splitter.push(new TextEncoder().encode("T x = 1\n"), sink);
 * lines; // ["BEGIN a", "SET x = 1"]
 * ```
 */
export class ByteLineSplitter {
  /** The peer named in errors. */
  readonly peer: string;
  readonly #decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  /** Copies of the pieces of an unfinished line. */
  #pieces: Uint8Array[] = [];
  #pendingLength = 0;
  #lineNumber = 0;
  /** Bytes of the stream's start held while they may still be a byte order mark; `undefined` once past. */
  #head: number[] | undefined = [];
  #failed: ProtocolError | undefined;

  constructor(peer: string) {
    this.peer = peer;
  }

  /** Lines completed so far. */
  get lineNumber(): number {
    return this.#lineNumber;
  }

  /** The text of a line the sink got. */
  text(bytes: Uint8Array, start: number, end: number): string {
    return this.#decoder.decode(bytes.subarray(start, end));
  }

  /** Feeds one chunk; calls `sink` for every line it completes. */
  push(chunk: Uint8Array, sink: ByteLineSink): void {
    if (this.#failed !== undefined) throw this.#failed;
    if (this.#head !== undefined) {
      const bytes = this.#skipBom(chunk);
      if (bytes === undefined) return;
      chunk = bytes;
    }
    let start = 0;
    let nl = chunk.indexOf(NEWLINE);
    if (this.#pendingLength > 0) {
      if (nl < 0) {
        this.#hold(chunk, 0, chunk.length);
        return;
      }
      this.#pieces.push(chunk.subarray(0, nl));
      this.#pendingLength += nl;
      const line = this.#joined();
      this.#pieces = [];
      this.#pendingLength = 0;
      this.#emit(line, 0, line.length, sink);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    while (nl >= 0) {
      this.#emit(chunk, start, nl, sink);
      start = nl + 1;
      nl = chunk.indexOf(NEWLINE, start);
    }
    if (start < chunk.length) this.#hold(chunk, start, chunk.length);
  }

  /** The chunk without a byte order mark at the stream's start; `undefined` while that is still undecided. */
  #skipBom(chunk: Uint8Array): Uint8Array | undefined {
    const head = this.#head!;
    let i = 0;
    while (head.length < UTF8_BOM.length && i < chunk.length && chunk[i] === UTF8_BOM[head.length]) {
      head.push(chunk[i++]);
    }
    if (head.length === UTF8_BOM.length) {
      this.#head = undefined;
      return chunk.subarray(i);
    }
    if (i === chunk.length) return undefined;
    // Not a mark: what was held is ordinary text.
    this.#head = undefined;
    if (head.length === 0) return chunk;
    const joined = new Uint8Array(head.length + chunk.length - i);
    joined.set(head);
    joined.set(chunk.subarray(i), head.length);
    return joined;
  }

  #emit(bytes: Uint8Array, start: number, end: number, sink: ByteLineSink): void {
    this.#lineNumber++;
    if (end - start > MAX_LINE_BYTES) this.#tooLong(bytes, start, this.#lineNumber);
    sink(bytes, start, end, this.#lineNumber);
  }

  #hold(chunk: Uint8Array, start: number, end: number): void {
    // A copy: the caller may reuse its buffer.
    this.#pieces.push(chunk.slice(start, end));
    this.#pendingLength += end - start;
    // Refuse an endless line as soon as it is too long, instead of buffering it.
    if (this.#pendingLength > MAX_LINE_BYTES) this.#tooLong(this.#joined(), 0, this.#lineNumber + 1);
  }

  #joined(): Uint8Array {
    const line = new Uint8Array(this.#pendingLength);
    let at = 0;
    for (const piece of this.#pieces) {
      line.set(piece, at);
      at += piece.length;
    }
    return line;
  }

  #tooLong(bytes: Uint8Array, start: number, lineNumber: number): never {
    // 40 UTF-16 units of the line's text come from at most 160 bytes.
    const excerpt = this.text(bytes, start, Math.min(bytes.length, start + 160)).slice(0, 40);
    this.#pieces = [];
    this.#pendingLength = 0;
    this.#failed = lineTooLong(this.peer, lineNumber, excerpt);
    throw this.#failed;
  }
}

/** The error both splitters raise for a line past {@link MAX_LINE_BYTES}, quoting its first 40 characters. */
function lineTooLong(peer: string, lineNumber: number, excerpt: string): ProtocolError {
  return new ProtocolError(
    "line-too-long",
    peer,
    lineNumber,
    `line is longer than ${MAX_LINE_BYTES} bytes (starts with '${excerpt}')`,
  );
}
