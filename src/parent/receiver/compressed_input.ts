/**
 * The input of a child that negotiated compression: its bytes are frames (protocol reference §11) of LZ4
 * (1.37) or zstd (Netdata 1.44 and rill), decoded one frame at a time as the intake asks for text, with the
 * codec's history kept for this connection only. What is decoded and not yet handed over is never more than
 * one frame, so a child that sends text its codec shrinks a thousand times holds no more memory here than
 * one that sends it plain; a frame no sender can have sent (bad header, corrupt block, more text than a
 * frame holds) throws, and the child is cut off with the frame's number and what was wrong.
 *
 * @module
 */

import { Lz4FrameDecoder } from "../../protocol/lz4_frame.ts";
import { ZstdFrameDecoder } from "./zstd_frames.ts";
import type { IntakeInput } from "./intake.ts";

/**
 * What a {@link CompressedInput} decodes with: the frames of one algorithm, one frame's text at a time.
 *
 * @example
 * ```ts
 * const frames: FrameDecoder = new Lz4FrameDecoder();
 * ```
 */
export interface FrameDecoder {
  /** Compressed bytes received and not yet decoded (and, for an asynchronous codec, text decoded and not taken). */
  readonly pendingBytes: number;
  push(chunk: Uint8Array): void;
  /** The next frame's text, `undefined` until there is one; throws once the stream is found broken. */
  next(): Uint8Array | undefined;
  clear(): void;
  /** An asynchronous codec tells here when text it did not have at {@link next} becomes ready. */
  whenReady?(listener: () => void): void;
}

/**
 * A compressed child's input.
 *
 * @example
 * ```ts
 * const intake = new SlicedIntake(socket, sink, cutOff, undefined, new CompressedInput(new Lz4FrameDecoder()));
 * socket.on("data", (chunk) => intake.push(chunk));
 * ```
 */
export class CompressedInput implements IntakeInput {
  /** The frames received, and the counters of those decoded. */
  readonly frames: FrameDecoder;
  /** The text of the frame being handed over, from {@link #offset}. */
  #text: Uint8Array | undefined;
  #offset = 0;

  constructor(frames: FrameDecoder) {
    this.frames = frames;
  }

  get pendingBytes(): number {
    return this.frames.pendingBytes + (this.#text === undefined ? 0 : this.#text.length - this.#offset);
  }

  push(chunk: Uint8Array): void {
    this.frames.push(chunk);
  }

  peek(): Uint8Array | undefined {
    if (this.#text === undefined || this.#offset === this.#text.length) {
      this.#text = this.frames.next();
      this.#offset = 0;
      if (this.#text === undefined) return undefined;
    }
    return this.#text.subarray(this.#offset);
  }

  consume(n: number): void {
    this.#offset += n;
  }

  clear(): void {
    this.#text = undefined;
    this.#offset = 0;
    this.frames.clear();
  }

  whenReady(listener: () => void): void {
    this.frames.whenReady?.(listener);
  }
}

/**
 * The input of a 1.37 child that negotiated COMPRESSION (LZ4 frames).
 *
 * @example
 * ```ts
 * const input = lz4Input();
 * ```
 */
export function lz4Input(): CompressedInput {
  return new CompressedInput(new Lz4FrameDecoder());
}

/**
 * The input of a child that negotiated ZSTD (zstd frames, decoded off the event loop).
 *
 * @example
 * ```ts
 * const input = zstdInput();
 * ```
 */
export function zstdInput(): CompressedInput {
  return new CompressedInput(new ZstdFrameDecoder());
}
