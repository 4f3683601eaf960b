/**
 * The compressed-stream framing (protocol reference §11) that every algorithm shares: after the handshake a
 * child that negotiated compression sends only frames, each a 4-byte header (`FA`, the block length's low 7
 * bits | 0x80, its next 7 bits | 0x80, `0A`) and one compressed block. 1.37 has LZ4 only (./lz4_frame.ts);
 * from 1.44 the same frames carry zstd, brotli or gzip, one being negotiated by capability bit. Each block is
 * compressed with the history of the connection's earlier blocks, so frames are decoded in order.
 *
 * @module
 */

/** Bytes of a frame header. */
export const FRAME_HEADER_BYTES = 4;

/** The largest block the 14-bit length field can announce. */
export const MAX_FRAME_BLOCK_BYTES = 16383;

/**
 * The most text a 1.37 sender puts in one frame (`COMPRESSION_MAX_MSG_SIZE`): a block that decodes to more
 * did not come from one.
 *
 * @example
 * ```ts
 * MAX_FRAME_TEXT_BYTES; // 16384
 * ```
 */
export const MAX_FRAME_TEXT_BYTES = 16384;

/**
 * Largest text rill puts in one frame: even text LZ4 cannot shrink then fits the 14-bit length field.
 *
 * @example
 * ```ts
 * MAX_FRAME_INPUT_BYTES; // 16000
 * ```
 */
export const MAX_FRAME_INPUT_BYTES = 16000;

const NEWLINE = 10;
const SIGNATURE_FIRST = 0xfa;
const SIGNATURE_LAST = 0x0a;

/**
 * Writes the header of a frame whose block is `length` bytes (1…{@link MAX_FRAME_BLOCK_BYTES}) into
 * `out[0..3]`.
 *
 * @example
 * ```ts
 * const out = new Uint8Array(4);
 * writeFrameHeader(out, 5); // out: FA 85 80 0A
 * ```
 */
export function writeFrameHeader(out: Uint8Array, length: number): void {
  out[0] = SIGNATURE_FIRST;
  out[1] = 0x80 | (length & 0x7f);
  out[2] = 0x80 | ((length >> 7) & 0x7f);
  out[3] = SIGNATURE_LAST;
}

/**
 * Where the frame of `text` that starts at `start` ends: at most {@link MAX_FRAME_INPUT_BYTES} on, after
 * the last newline within them unless lines may be cut (BINARY was negotiated) or there is none.
 *
 * @example
 * ```ts
 * framePieceEnd(new TextEncoder().encode("END\n"), 0, false); // 4
 * ```
 */
export function framePieceEnd(text: Uint8Array, start: number, mayCutLines: boolean): number {
  const end = Math.min(text.length, start + MAX_FRAME_INPUT_BYTES);
  if (end === text.length || mayCutLines) return end;
  const cut = text.lastIndexOf(NEWLINE, end - 1);
  return cut >= start ? cut + 1 : end;
}

/**
 * The frames of one write as one array (`bytes` long in all): the first itself when it is alone.
 *
 * @example
 * ```ts
 * joinFrames([new Uint8Array([1]), new Uint8Array([2, 3])], 3); // Uint8Array [1, 2, 3]
 * ```
 */
export function joinFrames(frames: readonly Uint8Array[], bytes: number): Uint8Array {
  if (frames.length === 1) return frames[0];
  const wire = new Uint8Array(bytes);
  let at = 0;
  for (const frame of frames) {
    wire.set(frame, at);
    at += frame.length;
  }
  return wire;
}

/**
 * A compressed stream that cannot be a 1.37 sender's: a bad header, a corrupt block, or a block that decodes
 * to more than a frame may hold. The message says which frame, where in the stream, what was expected and
 * what was found.
 *
 * @example
 * ```ts
 * const e = new CompressedStreamError(3, 120, "expected a frame header FA 8x 8x 0A, found 42 45 47 49");
 * e.message; // "compressed frame 3 at stream byte 120: expected a frame header FA 8x 8x 0A, found 42 45 47 49"
 * ```
 */
export class CompressedStreamError extends Error {
  /** 1-based number of the frame that failed. */
  readonly frame: number;
  /** Where that frame starts in the compressed stream (bytes after the handshake). */
  readonly streamOffset: number;

  constructor(frame: number, streamOffset: number, detail: string) {
    super(`compressed frame ${frame} at stream byte ${streamOffset}: ${detail}`);
    this.name = "CompressedStreamError";
    this.frame = frame;
    this.streamOffset = streamOffset;
  }
}

/**
 * Reads one connection's frames as they arrive ({@link push}) and hands out their blocks in order
 * ({@link nextBlock}), checking each header; the caller decodes the blocks.
 *
 * @example
 * ```ts
 * const reader = new FrameReader();
 * reader.push(new Uint8Array([0xfa, 0x85, 0x80, 0x0a, 0x40, 0x45, 0x4e]));
 * reader.nextBlock(); // undefined: the block is not complete yet
 * reader.push(new Uint8Array([0x44, 0x0a]));
 * reader.nextBlock(); // Uint8Array [0x40, 0x45, 0x4e, 0x44, 0x0a]
 * reader.done();
 * ```
 */
export class FrameReader {
  /** Frames whose block was handed out and {@link done}. */
  frames = 0;
  /** Bytes (headers included) of those frames. */
  wireBytes = 0;
  /** Received chunks not yet handed out, the first from {@link #offset}. */
  readonly #chunks: Uint8Array[] = [];
  #offset = 0;
  #pending = 0;
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  /** Where a block that spans chunks is put together; made the first time one does. */
  #block: Uint8Array | undefined;
  /** The length of the block handed out and not yet {@link done}. */
  #current = 0;

  /** Bytes received and not yet handed out. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /** The 1-based number of the frame being read, for errors. */
  get frame(): number {
    return this.frames + 1;
  }

  /** Takes bytes as they came from the socket. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#pending += chunk.length;
  }

  /**
   * The next frame's block once it is complete, else `undefined`: a view valid until {@link done}, which the
   * caller calls once it has decoded the block (until then the same block is returned again). Throws
   * {@link CompressedStreamError} for a header no sender writes.
   */
  nextBlock(): Uint8Array | undefined {
    if (this.#pending < FRAME_HEADER_BYTES) return undefined;
    const header = this.#peek(this.#header, FRAME_HEADER_BYTES);
    if (
      header[0] !== SIGNATURE_FIRST || (header[1] & 0x80) === 0 || (header[2] & 0x80) === 0 ||
      header[3] !== SIGNATURE_LAST
    ) {
      const found = [...header].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(" ");
      throw new CompressedStreamError(
        this.frame,
        this.wireBytes,
        `expected a frame header FA 8x 8x 0A, found ${found}`,
      );
    }
    const length = (header[1] & 0x7f) | ((header[2] & 0x7f) << 7);
    if (length === 0) {
      throw new CompressedStreamError(this.frame, this.wireBytes, "expected a block of 1 byte or more, found 0");
    }
    if (this.#pending < FRAME_HEADER_BYTES + length) return undefined;
    this.#current = length;
    const all = this.#peek(
      this.#block ??= new Uint8Array(FRAME_HEADER_BYTES + MAX_FRAME_BLOCK_BYTES),
      FRAME_HEADER_BYTES + length,
    );
    return all.subarray(FRAME_HEADER_BYTES);
  }

  /** The block {@link nextBlock} handed out was decoded: the reader moves to the next frame. */
  done(): void {
    this.#skip(FRAME_HEADER_BYTES + this.#current);
    this.frames++;
    this.wireBytes += FRAME_HEADER_BYTES + this.#current;
    this.#current = 0;
  }

  /** Drops what was received and not handed out (the connection is closing). */
  clear(): void {
    this.#chunks.length = 0;
    this.#offset = 0;
    this.#pending = 0;
    this.#current = 0;
  }

  /** The next `n` pending bytes: a view of the first chunk when they lie in it, else copied into `into`. */
  #peek(into: Uint8Array, n: number): Uint8Array {
    const head = this.#chunks[0];
    if (head.length - this.#offset >= n) return head.subarray(this.#offset, this.#offset + n);
    let filled = 0;
    let offset = this.#offset;
    for (const chunk of this.#chunks) {
      const take = Math.min(n - filled, chunk.length - offset);
      into.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset = 0;
      if (filled === n) break;
    }
    return into.subarray(0, n);
  }

  #skip(n: number): void {
    this.#pending -= n;
    while (n > 0) {
      const left = this.#chunks[0].length - this.#offset;
      if (n < left) {
        this.#offset += n;
        return;
      }
      n -= left;
      this.#chunks.shift();
      this.#offset = 0;
    }
  }
}
