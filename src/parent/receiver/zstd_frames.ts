/**
 * A child's zstd frames (Netdata 1.44's framing, ../../protocol/compressed_frames.ts), decoded in order one
 * frame at a time: a frame is decoded only once the text of the one before it was taken, so what waits
 * decoded is never more than one frame, one frame may not decode to more than a Netdata receiver's zstd
 * buffer holds, and the stream may not ask for a history past {@link ZSTD_WINDOW_LOG_MAX}. zstd runs off the event loop (../../runtime/zstd.ts): the intake hears through
 * {@link ZstdFrameDecoder.whenReady} when text is ready.
 *
 * @module
 */

import { CompressedStreamError, FrameReader } from "../../protocol/compressed_frames.ts";
import { ZstdDecompressor } from "../../runtime/zstd.ts";
import type { FrameDecoder } from "./compressed_input.ts";

/**
 * The most text one frame may decode to: a Netdata receiver's zstd output buffer (`ZSTD_DStreamOutSize()`,
 * 128 KiB). A frame that decodes to more did not come from a sender; stopping there bounds a bomb.
 *
 * @example
 * ```ts
 * ZSTD_MAX_FRAME_TEXT_BYTES; // 131072
 * ```
 */
export const ZSTD_MAX_FRAME_TEXT_BYTES = 128 * 1024;

/**
 * The largest history a child's zstd stream may ask the parent to keep: 2 MiB, what a Netdata 1.44 sender
 * uses (level 3 on a stream of unknown length); rill's senders use 128 KiB. zstd alone would allocate up to
 * 128 MiB for a 10-byte frame header that asks for it.
 *
 * @example
 * ```ts
 * ZSTD_WINDOW_LOG_MAX; // 21
 * ```
 */
export const ZSTD_WINDOW_LOG_MAX = 21;

/**
 * Reads one connection's zstd frames.
 *
 * @example
 * ```ts
 * const frames = new ZstdFrameDecoder();
 * frames.whenReady(() => console.log(frames.next()));
 * frames.push(chunkFromSocket);
 * ```
 */
export class ZstdFrameDecoder implements FrameDecoder {
  /** Text bytes the frames decoded to. */
  textBytes = 0;
  readonly #reader = new FrameReader();
  readonly #zstd = new ZstdDecompressor(ZSTD_WINDOW_LOG_MAX);
  /** The decoded text of the last frame, not yet taken. */
  #text: Uint8Array | undefined;
  #decoding = false;
  #error: CompressedStreamError | undefined;
  #closed = false;
  #listener: () => void = () => {};

  /** Frames decoded. */
  get frames(): number {
    return this.#reader.frames;
  }

  /** Compressed bytes (headers included) of the frames decoded. */
  get wireBytes(): number {
    return this.#reader.wireBytes;
  }

  get pendingBytes(): number {
    return this.#reader.pendingBytes + (this.#text?.length ?? 0);
  }

  whenReady(listener: () => void): void {
    this.#listener = listener;
  }

  push(chunk: Uint8Array): void {
    this.#reader.push(chunk);
    this.#decodeNext();
  }

  next(): Uint8Array | undefined {
    if (this.#error !== undefined) throw this.#error;
    const text = this.#text;
    this.#text = undefined;
    this.#decodeNext();
    return text;
  }

  clear(): void {
    this.#closed = true;
    this.#reader.clear();
    this.#text = undefined;
    this.#zstd.close();
  }

  #decodeNext(): void {
    if (this.#decoding || this.#text !== undefined || this.#error !== undefined || this.#closed) return;
    let block: Uint8Array | undefined;
    try {
      block = this.#reader.nextBlock();
    } catch (error) {
      if (!(error instanceof CompressedStreamError)) throw error;
      this.#error = error;
      this.#listener();
      return;
    }
    if (block === undefined) return;
    const frame = this.#reader.frame;
    const at = this.#reader.wireBytes;
    const length = block.length;
    this.#decoding = true;
    // The reader's view may be overwritten once more bytes come: zstd gets its own copy.
    this.#zstd.decompress(block.slice(), ZSTD_MAX_FRAME_TEXT_BYTES).then((text) => {
      this.#decoding = false;
      if (this.#closed) return;
      if (text.length === 0) {
        this.#error = new CompressedStreamError(frame, at, "expected a block that decodes to text, found none");
      } else {
        this.#reader.done();
        this.#text = text;
        this.textBytes += text.length;
      }
      this.#listener();
    }, (error: Error) => {
      this.#decoding = false;
      if (this.#closed) return;
      this.#error = new CompressedStreamError(frame, at, `${error.message} (a ${length}-byte zstd block)`);
      this.#listener();
    });
  }
}
