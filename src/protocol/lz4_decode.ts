/**
 * LZ4 block decoding in streaming mode, as `LZ4_decompress_safe_continue` does it: each block may copy from
 * the last 64 KiB of what earlier blocks of the same stream decoded to. Written from the public LZ4 block
 * format; every length and offset is checked before it is used, so a corrupt block is an error, never a
 * read or a write out of bounds, and a block can never produce more than its caller allows.
 *
 * @module
 */

/** How far back a match may reach: LZ4 offsets are 16 bits. */
export const LZ4_WINDOW_BYTES = 65535;

/** The last sequence of a block: LZ4 blocks end with literals, so at least this many input bytes follow a match. */
const MIN_LAST_SEQUENCE_BYTES = 1;

/**
 * A block that is not valid LZ4, or that decodes to more than allowed. `offset` is the position in the block
 * where decoding stopped.
 *
 * @example
 * ```ts
 * try {
 *   new Lz4StreamDecoder().decode(new Uint8Array([0x10]), 16384);
 * } catch (e) {
 *   (e as Lz4BlockError).message; // "LZ4 block byte 1: expected 1 literal bytes, found 0"
 * }
 * ```
 */
export class Lz4BlockError extends Error {
  /** Byte of the block where decoding stopped. */
  readonly offset: number;

  constructor(offset: number, detail: string) {
    super(`LZ4 block byte ${offset}: ${detail}`);
    this.name = "Lz4BlockError";
    this.offset = offset;
  }
}

/**
 * Decodes the blocks of one LZ4 stream in order, keeping the 64 KiB window that later blocks may copy from.
 * One per connection: a new stream starts with an empty window.
 *
 * @example
 * ```ts
 * const decoder = new Lz4StreamDecoder();
 * decoder.decode(new Uint8Array([0x40, 0x45, 0x4e, 0x44, 0x0a]), 16384); // "END\n": 4 literals
 * // The next block copies those 4 bytes back (token 0x00: no literal, match length 4; offset 4), then 1 literal.
 * decoder.decode(new Uint8Array([0x00, 0x04, 0x00, 0x10, 0x0a]), 16384); // "END\n\n"
 * ```
 */
export class Lz4StreamDecoder {
  /** Window followed by room for the block being decoded; the window slides to the front when room runs out. */
  #buffer: Uint8Array;
  /** Decoded bytes in {@link #buffer}. */
  #length = 0;

  /**
   * `maxBlockOutput` is only a sizing hint: {@link decode}'s own limit decides. The buffer holds the window and
   * two such blocks (96 KiB for 1.37's 16 KiB frames, as much as 1.37's own decoder keeps per connection).
   */
  constructor(maxBlockOutput = 16384) {
    this.#buffer = new Uint8Array(LZ4_WINDOW_BYTES + 2 * maxBlockOutput);
  }

  /** Bytes decoded so far that later blocks may still reference (at most {@link LZ4_WINDOW_BYTES}). */
  get windowBytes(): number {
    return Math.min(this.#length, LZ4_WINDOW_BYTES);
  }

  /**
   * Decodes one block. The result is a view into the decoder's buffer, valid until the next call (copy it to
   * keep it). Throws {@link Lz4BlockError} when the block is malformed, reaches before the window, or would
   * decode to more than `maxOutput` bytes (checked before anything is written, so a bomb costs nothing).
   */
  decode(block: Uint8Array, maxOutput: number): Uint8Array {
    this.#makeRoom(maxOutput);
    const out = this.#buffer;
    const start = this.#length;
    const limit = start + maxOutput;
    const end = block.length;
    let op = start;
    let ip = 0;
    if (end === 0) throw new Lz4BlockError(0, "expected at least one sequence, found an empty block");
    while (true) {
      const token = block[ip++];
      let literals = token >>> 4;
      if (literals === 15) {
        let more: number;
        do {
          if (ip >= end) throw new Lz4BlockError(ip, "expected more literal length bytes, found the block's end");
          more = block[ip++];
          literals += more;
        } while (more === 255);
      }
      if (literals > end - ip) {
        throw new Lz4BlockError(ip, `expected ${literals} literal bytes, found ${end - ip}`);
      }
      if (literals > limit - op) throw tooLarge(ip, maxOutput);
      out.set(block.subarray(ip, ip + literals), op);
      op += literals;
      ip += literals;
      if (ip === end) break;
      if (end - ip < 2) throw new Lz4BlockError(ip, "expected a 2-byte match offset, found the block's end");
      const distance = block[ip] | (block[ip + 1] << 8);
      ip += 2;
      if (distance === 0) throw new Lz4BlockError(ip - 2, "expected a match offset of 1 or more, found 0");
      const reach = op - Math.max(0, start - LZ4_WINDOW_BYTES);
      if (distance > reach) {
        throw new Lz4BlockError(ip - 2, `expected a match offset within the ${reach} bytes decoded, found ${distance}`);
      }
      let matchLength = (token & 15) + 4;
      if (matchLength === 19) {
        let more: number;
        do {
          if (ip >= end) throw new Lz4BlockError(ip, "expected more match length bytes, found the block's end");
          more = block[ip++];
          matchLength += more;
        } while (more === 255);
      }
      if (matchLength > limit - op) throw tooLarge(ip, maxOutput);
      if (end - ip < MIN_LAST_SEQUENCE_BYTES) {
        throw new Lz4BlockError(ip, "expected the block to end with literals, found it ending with a match");
      }
      let from = op - distance;
      if (distance >= matchLength) {
        out.copyWithin(op, from, from + matchLength);
        op += matchLength;
      } else {
        // Overlapping copy: bytes written by this match are read again (a run).
        for (const stop = op + matchLength; op < stop;) out[op++] = out[from++];
      }
    }
    this.#length = op;
    return out.subarray(start, op);
  }

  /** Slides the window to the front when the next block might not fit behind it. */
  #makeRoom(maxOutput: number): void {
    if (this.#length + maxOutput <= this.#buffer.length) return;
    const keep = Math.min(this.#length, LZ4_WINDOW_BYTES);
    if (keep + maxOutput > this.#buffer.length) {
      const bigger = new Uint8Array(keep + 2 * maxOutput);
      bigger.set(this.#buffer.subarray(this.#length - keep, this.#length));
      this.#buffer = bigger;
    } else {
      this.#buffer.copyWithin(0, this.#length - keep, this.#length);
    }
    this.#length = keep;
  }
}

function tooLarge(offset: number, maxOutput: number): Lz4BlockError {
  return new Lz4BlockError(offset, `expected at most ${maxOutput} decoded bytes, found a block that decodes to more`);
}
