/**
 * The input of a child that negotiated COMPRESSION: its bytes are 1.37 LZ4 frames (protocol reference §11),
 * decoded one frame at a time as the intake asks for text, with the LZ4 history kept for this connection
 * only. What is decoded and not yet handed over is never more than one frame (16 KiB), so a child that sends
 * text LZ4 shrinks 255 times holds no more memory here than one that sends it plain; a frame that a 1.37
 * sender cannot have sent (bad header, corrupt block, more than 16 KiB of text) throws, and the child is cut
 * off with the frame's number and what was wrong.
 *
 * @module
 */

import { Lz4FrameDecoder } from "../../protocol/lz4_frame.ts";
import type { IntakeInput } from "./intake.ts";

/**
 * A compressed child's input.
 *
 * @example
 * ```ts
 * const intake = new SlicedIntake(socket, sink, cutOff, undefined, new Lz4Input());
 * socket.on("data", (chunk) => intake.push(chunk));
 * ```
 */
export class Lz4Input implements IntakeInput {
  /** The frames received, and the counters of those decoded (frames, wire and text bytes). */
  readonly frames: Lz4FrameDecoder = new Lz4FrameDecoder();
  /** The text of the frame being handed over, from {@link #offset}. */
  #text: Uint8Array | undefined;
  #offset = 0;

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
}
