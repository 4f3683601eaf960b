/**
 * The sender's zstd framing, as Netdata 1.44 and later send it when both ends offer ZSTD: the stream's text
 * in pieces of at most 16,000 bytes (cut after a newline unless BINARY was negotiated), each compressed into
 * one frame (../protocol/compressed_frames.ts) by one zstd stream per connection, flushed at every frame so
 * the parent decodes it on arrival with the history of the frames before (level 3, Netdata's default, with
 * a smaller history: see {@link ZSTD_WINDOW_LOG}).
 *
 * @module
 */

import {
  FRAME_HEADER_BYTES,
  framePieceEnd,
  joinFrames,
  MAX_FRAME_BLOCK_BYTES,
  writeFrameHeader,
} from "../protocol/compressed_frames.ts";
import { ZstdCompressor } from "../runtime/zstd.ts";
import type { WireFraming } from "./send_queue.ts";

/** Netdata's default zstd level for streaming (1 is faster, 22 smaller). */
const ZSTD_LEVEL = 3;

/**
 * A 128 KiB history rather than level 3's 2 MiB: the parent keeps one per child, so a thousand children cost
 * it ~0.1 GiB instead of ~2 GiB, and the collector's own compressor shrinks alike. The price, on a real
 * child's stream (`bash scripts/bench.sh wire`): 11.2× smaller than the text instead of 12.3× (a round of
 * ~40 KB repeats mostly within itself and the round before).
 */
const ZSTD_WINDOW_LOG = 17;

/**
 * Compresses one connection's stream into zstd frames.
 *
 * @example
 * ```ts
 * const framing = new ZstdFraming(false);
 * const wire = await framing.encode(new TextEncoder().encode("END\n")); // FA xx 80 0A, then zstd bytes
 * framing.close();
 * ```
 */
export class ZstdFraming implements WireFraming {
  /** Lines may be cut between frames (BINARY was negotiated). */
  readonly mayCutLines: boolean;
  /** Text bytes encoded so far. */
  textBytes = 0;
  /** Bytes of frames produced so far. */
  wireBytes = 0;
  readonly #zstd = new ZstdCompressor(ZSTD_LEVEL, ZSTD_WINDOW_LOG);

  constructor(mayCutLines: boolean) {
    this.mayCutLines = mayCutLines;
  }

  /** The frames of `text`, in one array; calls are served in order. */
  async encode(text: Uint8Array): Promise<Uint8Array> {
    const frames: Uint8Array[] = [];
    let bytes = 0;
    for (let start = 0; start < text.length;) {
      const end = framePieceEnd(text, start, this.mayCutLines);
      const block = await this.#zstd.compress(text.subarray(start, end));
      // zstd's bound for 16,000 bytes is under 16,100: a block always fits the 14-bit length.
      if (block.length > MAX_FRAME_BLOCK_BYTES) throw new Error(`a zstd block of ${block.length} bytes`);
      const frame = new Uint8Array(FRAME_HEADER_BYTES + block.length);
      writeFrameHeader(frame, block.length);
      frame.set(block, FRAME_HEADER_BYTES);
      frames.push(frame);
      bytes += frame.length;
      start = end;
    }
    this.textBytes += text.length;
    this.wireBytes += bytes;
    return joinFrames(frames, bytes);
  }

  /** Frees the compressor (the connection ended). */
  close(): void {
    this.#zstd.close();
  }
}
