/**
 * LZ4 block compression in streaming mode, as `LZ4_compress_fast_continue` (acceleration 1) does it: each
 * block may copy from the last 64 KiB of the input given before it, so the small per-chart commits of a
 * stream compress against the previous second's, about 3× (reference §11). Written from the public LZ4
 * block format: greedy matching over a 4096-entry hash table of 4-byte sequences, blocks that end with at
 * least 5 literals and a last match that starts at least 12 bytes before the end, as every LZ4 decoder
 * (1.37's `LZ4_decompress_safe_continue` included) expects.
 *
 * No npm package offers this: the pure-JS `lz4js` 0.2.0 and `lz4` 0.6.5 have block calls without a history
 * (`lz4js` per block: 1.29× on the 1.37 capture's frames, against 3.44× here with the history), and
 * `lz4-napi` is a native add-on, which a single compiled binary per architecture cannot carry.
 *
 * @module
 */

import { LZ4_WINDOW_BYTES } from "./lz4_decode.ts";

const MIN_MATCH = 4;
/** The last 5 bytes of a block are always literals. */
const LAST_LITERALS = 5;
/** A match starts at least 12 bytes before the block's end. */
const MATCH_FIND_LIMIT = 12;
const HASH_LOG = 12;
/** How fast the search skips ahead in data that does not match (LZ4's skip strength). */
const SKIP_TRIGGER = 6;

/**
 * The largest block `inputBytes` can compress to (LZ4's `LZ4_COMPRESSBOUND`).
 *
 * @example
 * ```ts
 * lz4CompressBound(16000); // 16078
 * ```
 */
export function lz4CompressBound(inputBytes: number): number {
  return inputBytes + Math.floor(inputBytes / 255) + 16;
}

/**
 * Compresses the inputs of one stream in order, each into one LZ4 block that may reference the 64 KiB of
 * input before it. One per connection, like the decoder it talks to.
 *
 * @example
 * ```ts
 * const compressor = new Lz4StreamCompressor();
 * const text = new TextEncoder().encode('BEGIN "system.load" 1000000\nSET "load1" = 520\nEND\n');
 * const out = new Uint8Array(lz4CompressBound(text.length));
 * const first = compressor.compress(text, out, 0); // literals mostly: nothing to refer to yet
 * const second = compressor.compress(text, out, 0); // a few bytes: one match into the first input
 * ```
 */
export class Lz4StreamCompressor {
  /** The window (earlier input) followed by the input being compressed. */
  #buffer: Uint8Array;
  #length = 0;
  /** Position + 1 in {@link #buffer} of the last sequence with each hash; 0 is empty. */
  readonly #table = new Int32Array(1 << HASH_LOG);

  /** `maxInput` is only a sizing hint: a larger input grows the buffer. */
  constructor(maxInput = 16384) {
    this.#buffer = new Uint8Array(LZ4_WINDOW_BYTES + 2 * maxInput);
  }

  /**
   * Compresses `input` into `out` from `at` (which needs {@link lz4CompressBound} bytes of room) and returns
   * the block's length. The input is copied into the window, so the caller may reuse it.
   */
  compress(input: Uint8Array, out: Uint8Array, at: number): number {
    this.#makeRoom(input.length);
    const buf = this.#buffer;
    const table = this.#table;
    const start = this.#length;
    const end = start + input.length;
    buf.set(input, start);
    this.#length = end;

    let op = at;
    let anchor = start;
    const matchLimit = end - LAST_LITERALS;
    const lastMatchStart = end - MATCH_FIND_LIMIT;
    let ip = start;
    while (ip <= lastMatchStart) {
      // Find a match: look up this position's sequence, then step faster the longer nothing matches.
      let ref = -1;
      let attempts = 1 << SKIP_TRIGGER;
      while (ip <= lastMatchStart) {
        const sequence = read32(buf, ip);
        const h = hash(sequence);
        const candidate = table[h] - 1;
        table[h] = ip + 1;
        if (candidate >= 0 && ip - candidate <= LZ4_WINDOW_BYTES && read32(buf, candidate) === sequence) {
          ref = candidate;
          break;
        }
        ip += attempts++ >> SKIP_TRIGGER;
      }
      if (ref < 0) break;
      // Extend backwards over literals that match too.
      while (ip > anchor && ref > 0 && buf[ip - 1] === buf[ref - 1]) {
        ip--;
        ref--;
      }
      // Matches may follow each other without literals between them.
      do {
        let matchEnd = ip + MIN_MATCH;
        let refEnd = ref + MIN_MATCH;
        while (matchEnd < matchLimit && buf[matchEnd] === buf[refEnd]) {
          matchEnd++;
          refEnd++;
        }
        op = writeSequence(out, op, buf, anchor, ip - anchor, ip - ref, matchEnd - ip - MIN_MATCH);
        ip = matchEnd;
        anchor = ip;
        if (ip > lastMatchStart) break;
        table[hash(read32(buf, ip - 2))] = ip - 2 + 1;
        const sequence = read32(buf, ip);
        const h = hash(sequence);
        ref = table[h] - 1;
        table[h] = ip + 1;
      } while (ref >= 0 && ip - ref <= LZ4_WINDOW_BYTES && read32(buf, ref) === read32(buf, ip));
      ip++;
    }
    return writeLastLiterals(out, op, buf, anchor, end - anchor) - at;
  }

  /** Slides the last 64 KiB of input to the front when `bytes` more would not fit, moving the table along. */
  #makeRoom(bytes: number): void {
    if (this.#length + bytes <= this.#buffer.length) return;
    const keep = Math.min(this.#length, LZ4_WINDOW_BYTES);
    const shift = this.#length - keep;
    if (keep + bytes > this.#buffer.length) {
      const bigger = new Uint8Array(keep + 2 * bytes);
      bigger.set(this.#buffer.subarray(shift, this.#length));
      this.#buffer = bigger;
    } else {
      this.#buffer.copyWithin(0, shift, this.#length);
    }
    this.#length = keep;
    const table = this.#table;
    for (let i = 0; i < table.length; i++) table[i] = table[i] > shift ? table[i] - shift : 0;
  }
}

function read32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

function hash(sequence: number): number {
  return Math.imul(sequence, 2654435761) >>> (32 - HASH_LOG);
}

/** One sequence: token, literal length, literals, 2-byte offset, match length (`extra` beyond 4). */
function writeSequence(
  out: Uint8Array,
  op: number,
  src: Uint8Array,
  from: number,
  literals: number,
  distance: number,
  extra: number,
): number {
  const tokenAt = op++;
  op = writeLength(out, op, literals);
  out.set(src.subarray(from, from + literals), op);
  op += literals;
  out[op++] = distance & 0xff;
  out[op++] = distance >>> 8;
  out[tokenAt] = (Math.min(literals, 15) << 4) | Math.min(extra, 15);
  if (extra >= 15) op = writeLengthBytes(out, op, extra - 15);
  return op;
}

function writeLastLiterals(out: Uint8Array, op: number, src: Uint8Array, from: number, literals: number): number {
  out[op++] = Math.min(literals, 15) << 4;
  op = writeLength(out, op, literals);
  out.set(src.subarray(from, from + literals), op);
  return op + literals;
}

/** The bytes after the token for a literal count of 15 or more. */
function writeLength(out: Uint8Array, op: number, literals: number): number {
  return literals >= 15 ? writeLengthBytes(out, op, literals - 15) : op;
}

function writeLengthBytes(out: Uint8Array, op: number, rest: number): number {
  for (; rest >= 255; rest -= 255) out[op++] = 255;
  out[op++] = rest;
  return op;
}
