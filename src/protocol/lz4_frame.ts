/**
 * The 1.37 compressed stream (protocol reference §11), both ways: frames (./compressed_frames.ts) whose
 * blocks are LZ4, compressed in streaming mode so that each may copy from the 64 KiB decoded before it, in
 * earlier frames too. A 1.37 sender puts at most 16 KiB of text in a frame (`COMPRESSION_MAX_MSG_SIZE`),
 * cut after a newline unless BINARY was negotiated; a receiver re-assembles lines across frames either way.
 *
 * @module
 */

import {
  CompressedStreamError,
  FRAME_HEADER_BYTES,
  framePieceEnd,
  FrameReader,
  joinFrames,
  MAX_FRAME_INPUT_BYTES,
  MAX_FRAME_TEXT_BYTES,
  writeFrameHeader,
} from "./compressed_frames.ts";
import { Lz4BlockError, Lz4StreamDecoder } from "./lz4_decode.ts";
import { lz4CompressBound, Lz4StreamCompressor } from "./lz4_encode.ts";

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
      const end = framePieceEnd(text, start, this.mayCutLines);
      const length = this.#compressor.compress(text.subarray(start, end), out, FRAME_HEADER_BYTES);
      writeFrameHeader(out, length);
      frames.push(out.slice(0, FRAME_HEADER_BYTES + length));
      bytes += FRAME_HEADER_BYTES + length;
      start = end;
    }
    this.textBytes += text.length;
    this.wireBytes += bytes;
    return joinFrames(frames, bytes);
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
  /** Text bytes the frames decoded to. */
  textBytes = 0;
  readonly #maxText: number;
  readonly #lz4: Lz4StreamDecoder;
  readonly #reader = new FrameReader();

  /** `maxText`: the most a frame may decode to (a 1.37 sender's {@link MAX_FRAME_TEXT_BYTES} by default). */
  constructor(maxText = MAX_FRAME_TEXT_BYTES) {
    this.#maxText = maxText;
    this.#lz4 = new Lz4StreamDecoder(maxText);
  }

  /** Frames decoded. */
  get frames(): number {
    return this.#reader.frames;
  }

  /** Compressed bytes (headers included) of the frames decoded. */
  get wireBytes(): number {
    return this.#reader.wireBytes;
  }

  /** Compressed bytes received and not yet decoded. */
  get pendingBytes(): number {
    return this.#reader.pendingBytes;
  }

  /** Takes bytes as they came from the socket. */
  push(chunk: Uint8Array): void {
    this.#reader.push(chunk);
  }

  /**
   * The text of the next frame, once it is complete; `undefined` until then. The result is a view valid
   * until the next call. Throws {@link CompressedStreamError} for anything a 1.37 sender cannot have sent.
   */
  next(): Uint8Array | undefined {
    const block = this.#reader.nextBlock();
    if (block === undefined) return undefined;
    const frame = this.#reader.frame;
    const at = this.#reader.wireBytes;
    let text: Uint8Array;
    try {
      text = this.#lz4.decode(block, this.#maxText);
    } catch (e) {
      if (!(e instanceof Lz4BlockError)) throw e;
      throw new CompressedStreamError(frame, at, `${e.message} (a ${block.length}-byte block)`);
    }
    if (text.length === 0) {
      throw new CompressedStreamError(frame, at, "expected a block that decodes to text, found an empty one");
    }
    this.#reader.done();
    this.textBytes += text.length;
    return text;
  }

  /** Drops what was received and not decoded (the connection is closing). */
  clear(): void {
    this.#reader.clear();
  }
}
