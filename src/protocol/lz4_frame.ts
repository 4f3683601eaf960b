/**
 * The 1.37 compressed-stream framing (protocol reference §11), both ways. After the handshake a child that
 * negotiated COMPRESSION sends only frames: a 4-byte header (`FA`, the block length's low 7 bits | 0x80, its
 * next 7 bits | 0x80, `0A`) and one LZ4 block, compressed in streaming mode so that it may copy from the
 * 64 KiB decoded before it, in earlier frames too. A 1.37 sender puts at most 16 KiB of text in a frame
 * (`COMPRESSION_MAX_MSG_SIZE`), cut after a newline unless BINARY was negotiated; a receiver re-assembles
 * lines across frames either way.
 *
 * @module
 */

import { Lz4BlockError, Lz4StreamDecoder } from "./lz4_decode.ts";
import { lz4CompressBound, Lz4StreamCompressor } from "./lz4_encode.ts";

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
 * Compresses one connection's stream into 1.37 frames, with the LZ4 history carried from frame to frame.
 *
 * @example
 * ```ts
 * const encoder = new Lz4FrameEncoder(false);
 * const wire = encoder.encode(new TextEncoder().encode("END\n"));
 * wire; // Uint8Array [0xfa, 0x85, 0x80, 0x0a, 0x40, 0x45, 0x4e, 0x44, 0x0a]
 * ```
 */
export class Lz4FrameEncoder {
  /** Lines may be cut between frames (BINARY was negotiated). */
  readonly mayCutLines: boolean;
  /** Text bytes encoded so far. */
  textBytes = 0;
  /** Bytes of frames produced so far. */
  wireBytes = 0;
  readonly #compressor = new Lz4StreamCompressor(MAX_FRAME_INPUT_BYTES);
  /** One frame at most: what a connection keeps between writes stays small whatever one write holds. */
  readonly #scratch = new Uint8Array(FRAME_HEADER_BYTES + lz4CompressBound(MAX_FRAME_INPUT_BYTES));

  constructor(mayCutLines: boolean) {
    this.mayCutLines = mayCutLines;
  }

  /** Frames `text`: pieces of at most {@link MAX_FRAME_INPUT_BYTES}, each one frame, all in one array. */
  encode(text: Uint8Array): Uint8Array {
    const frames: Uint8Array[] = [];
    let bytes = 0;
    const out = this.#scratch;
    for (let start = 0; start < text.length;) {
      const end = this.#pieceEnd(text, start);
      const length = this.#compressor.compress(text.subarray(start, end), out, FRAME_HEADER_BYTES);
      out[0] = SIGNATURE_FIRST;
      out[1] = 0x80 | (length & 0x7f);
      out[2] = 0x80 | ((length >> 7) & 0x7f);
      out[3] = SIGNATURE_LAST;
      frames.push(out.slice(0, FRAME_HEADER_BYTES + length));
      bytes += FRAME_HEADER_BYTES + length;
      start = end;
    }
    this.textBytes += text.length;
    this.wireBytes += bytes;
    if (frames.length === 1) return frames[0];
    const wire = new Uint8Array(bytes);
    let at = 0;
    for (const frame of frames) {
      wire.set(frame, at);
      at += frame.length;
    }
    return wire;
  }

  #pieceEnd(text: Uint8Array, start: number): number {
    const end = Math.min(text.length, start + MAX_FRAME_INPUT_BYTES);
    if (end === text.length || this.mayCutLines) return end;
    const cut = text.lastIndexOf(NEWLINE, end - 1);
    return cut >= start ? cut + 1 : end;
  }
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
 * Reads one connection's 1.37 frames and decodes them, with the LZ4 history carried from frame to frame.
 * Bytes come in as they arrive ({@link push}); {@link next} hands out one frame's text at a time, so what is
 * decoded but not yet taken is never more than one frame (16 KiB), whatever the compressed input holds.
 *
 * @example
 * ```ts
 * const decoder = new Lz4FrameDecoder();
 * decoder.push(new Uint8Array([0xfa, 0x85, 0x80, 0x0a, 0x40, 0x45, 0x4e]));
 * decoder.next(); // undefined: the block is not complete yet
 * decoder.push(new Uint8Array([0x44, 0x0a]));
 * new TextDecoder().decode(decoder.next()); // "END\n"
 * ```
 */
export class Lz4FrameDecoder {
  /** Frames decoded. */
  frames = 0;
  /** Compressed bytes (headers included) of the frames decoded. */
  wireBytes = 0;
  /** Text bytes they decoded to. */
  textBytes = 0;
  readonly #maxText: number;
  readonly #lz4: Lz4StreamDecoder;
  /** Received chunks not yet decoded, the first from {@link #offset}. */
  readonly #chunks: Uint8Array[] = [];
  #offset = 0;
  #pending = 0;
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  /** Where a block that spans chunks is put together; made the first time one does. */
  #block: Uint8Array | undefined;

  /** `maxText`: the most a frame may decode to (a 1.37 sender's {@link MAX_FRAME_TEXT_BYTES} by default). */
  constructor(maxText = MAX_FRAME_TEXT_BYTES) {
    this.#maxText = maxText;
    this.#lz4 = new Lz4StreamDecoder(maxText);
  }

  /** Compressed bytes received and not yet decoded. */
  get pendingBytes(): number {
    return this.#pending;
  }

  /** Takes bytes as they came from the socket. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#pending += chunk.length;
  }

  /**
   * The text of the next frame, once it is complete; `undefined` until then. The result is a view valid
   * until the next call. Throws {@link CompressedStreamError} for anything a 1.37 sender cannot have sent.
   */
  next(): Uint8Array | undefined {
    if (this.#pending < FRAME_HEADER_BYTES) return undefined;
    const header = this.#peek(this.#header, FRAME_HEADER_BYTES);
    const frame = this.frames + 1;
    if (
      header[0] !== SIGNATURE_FIRST || (header[1] & 0x80) === 0 || (header[2] & 0x80) === 0 ||
      header[3] !== SIGNATURE_LAST
    ) {
      const found = [...header].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(" ");
      throw new CompressedStreamError(frame, this.wireBytes, `expected a frame header FA 8x 8x 0A, found ${found}`);
    }
    const length = (header[1] & 0x7f) | ((header[2] & 0x7f) << 7);
    if (length === 0) {
      throw new CompressedStreamError(frame, this.wireBytes, "expected a block of 1 byte or more, found 0");
    }
    if (this.#pending < FRAME_HEADER_BYTES + length) return undefined;
    this.#skip(FRAME_HEADER_BYTES);
    const block = this.#peek(this.#block ??= new Uint8Array(MAX_FRAME_BLOCK_BYTES), length);
    let text: Uint8Array;
    try {
      text = this.#lz4.decode(block, this.#maxText);
    } catch (e) {
      if (!(e instanceof Lz4BlockError)) throw e;
      throw new CompressedStreamError(frame, this.wireBytes, `${e.message} (a ${length}-byte block)`);
    }
    if (text.length === 0) {
      throw new CompressedStreamError(
        frame,
        this.wireBytes,
        "expected a block that decodes to text, found an empty one",
      );
    }
    this.#skip(length);
    this.frames = frame;
    this.wireBytes += FRAME_HEADER_BYTES + length;
    this.textBytes += text.length;
    return text;
  }

  /** Drops what was received and not decoded (the connection is closing). */
  clear(): void {
    this.#chunks.length = 0;
    this.#offset = 0;
    this.#pending = 0;
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
