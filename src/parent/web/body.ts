/**
 * A large response body built piece by piece and kept as bytes in slices of about 64 KiB, never as one
 * string. Appending many small pieces to one string makes the runtime keep a tree of them (a rope) until the
 * string is read whole: for a 15 MB `/api/v1/data` answer that tree was ~230 MB of garbage at once, which the
 * parent's RSS kept (scripts/bench_api_memory.ts). Here each slice is encoded to bytes as soon as it is full,
 * so only one slice's pieces are alive at a time; the slices are written to the socket one by one and the
 * `Content-Length` is their sum.
 *
 * @module
 */

import { Buffer } from "node:buffer";

/** A slice is encoded once this many characters are pending. */
const SLICE_CHARS = 64 * 1024;

/**
 * Where text goes, piece by piece.
 *
 * @example
 * ```ts
 * const sink: TextSink = new BodyBuilder();
 * sink.add("time,user\r\n");
 * ```
 */
export interface TextSink {
  /** Appends `text` after everything added before. */
  add(text: string): void;
}

/**
 * A body in byte slices: add pieces, then take {@link BodyBuilder.finish}'s slices as the response body.
 *
 * @example
 * ```ts
 * const body = new BodyBuilder();
 * for (const row of rows) body.add(`${row.join(",")}\r\n`);
 * const response = { status: 200, contentType: "text/plain; charset=utf-8", body: body.finish() };
 * ```
 */
export class BodyBuilder implements TextSink {
  readonly #slices: Uint8Array[] = [];
  #pending = "";

  add(text: string): void {
    this.#pending += text;
    if (this.#pending.length >= SLICE_CHARS) this.#encodePending();
  }

  /** The body's slices, UTF-8; adding more afterwards starts new slices. */
  finish(): Uint8Array[] {
    this.#encodePending();
    return this.#slices.splice(0);
  }

  #encodePending(): void {
    if (this.#pending.length === 0) return;
    this.#slices.push(Buffer.from(this.#pending, "utf8"));
    this.#pending = "";
  }
}

/**
 * Passes text on as the inside of a JSON string (quotes, backslashes and control characters escaped): a CSV
 * result inside `options=jsonwrap` is one JSON string, written piece by piece. Pieces must not split a
 * surrogate pair (whole lines, as the formats add them, never do).
 *
 * @example
 * ```ts
 * const body = new BodyBuilder();
 * body.add('"');
 * new JsonStringSink(body).add('a,"b"\n'); // a,\"b\"\n
 * body.add('"');
 * ```
 */
export class JsonStringSink implements TextSink {
  readonly #target: TextSink;

  constructor(target: TextSink) {
    this.#target = target;
  }

  add(text: string): void {
    const quoted = JSON.stringify(text);
    this.#target.add(quoted.slice(1, -1));
  }
}
